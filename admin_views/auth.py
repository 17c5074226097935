"""Logging in and out, the second factor, changing one's password, choosing the language.

Login security (OWASP ASVS 4.0 level 2): the lockout counts failures per username (which
it locks) and per address (which it slows down), at the login, the second factor and the
current password of a password change (services.accounts); a login opens a server-side
session whose token is all the signed cookie carries, resumed and checked for idle and
absolute time on every request (services.sessions); logout, closing the account and a
password change end sessions on the server, so a copied cookie stops working. Every
redirect to a ``next`` given in the request goes through ``safe_redirect_target``.
"""

import datetime
import hashlib
import hmac
import os
import pathlib

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from markupsafe import Markup

from admin_views.base import safe_redirect_target
from database import write_transaction
from forms.auth import ChangePasswordForm, CodeForm, LoginForm
from models import User, utcnow
from services import accounts, audit, policy, sessions, totp
from services.errors import RegisterError
from services.vocabulary.administration import LANGUAGE_NAMES

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
totp_cli = AppGroup("totp", help="The second login factor (TOTP).")

# Endpoints a visitor reaches without logging in; every other one requires login. The
# public register description and privacy notice (admin_views/public.py) are among them.
PUBLIC_ENDPOINTS = {"auth.login", "auth.login_code", "auth.language", "static", "admin.static",
                    "public.latest", "public.version", "public.pdf", "public.versions"}
# Endpoints a user who must change the password can still reach.
PASSWORD_CHANGE_ENDPOINTS = PUBLIC_ENDPOINTS | {
    "auth.change_password", "auth.logout", "auth.second_factor"}
# The session keys: the server-side session's token, and a login waiting for its code.
TOKEN_KEY = "sid"
PENDING_KEY = "pending_login"
# A password accepted waits this long for the second factor.
PENDING_MINUTES = 10


def init_app(app):
    """Register login handling, the auth pages and the ``totp`` commands on ``app``."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.before_request(_require_login)
    app.cli.add_command(totp_cli)
    app.context_processor(lambda: {"totp_enabled": bool(app.config.get("TOTP_ENABLED"))})


@login_manager.user_loader
def _load_user(user_id):
    """Resume the server-side session the cookie names; None when it has ended."""
    config = current_app.config
    user, reason = sessions.resume(
        session.get(TOKEN_KEY), user_id,
        idle_minutes=config["SESSION_IDLE_MINUTES"],
        absolute_hours=config["SESSION_ABSOLUTE_HOURS"],
    )
    if user is None:
        g.session_ended = reason
        return None
    # Flask-Login's loader answers for an account that can log in only.
    return user if user.is_active else None


def _require_login():
    """Send anyone not logged in to the login page; hold back a password that must change."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 follows
    if not current_user.is_authenticated:
        ended = g.pop("session_ended", None)
        if ended:
            _fresh_session()  # the session ended on the server: forget its cookie
            message = _session_end_message(ended)
            if message:
                flash(message, "info")
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if endpoint == "auth.second_factor" and _pending_user("enrol") is not None:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/session/keep-alive", methods=["POST"])
def keep_alive():
    """Start the session's idle time again (the warning's "go on working", WCAG 2.2.1):
    204; a session already ended was sent to the login page on the way."""
    sessions.touch(session.get(TOKEN_KEY))
    return "", 204


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the password under the lockout; start a fresh session."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        username, password = form.username.data, form.password.data
        try:
            result = accounts.login(username, password, request.remote_addr, _limits(),
                                    _second_factor_stage)
        except accounts.SlowDown as e:
            # The same words whether the password was right or not: it was not checked.
            flash(_(e.message, **e.params), "error")
            return render_template("auth/login.html", form=form)
        user, token, stage = result.user, result.token, result.stage
        if user is None:
            # The same words for a wrong password, an unknown username and a lockout.
            flash(_("Wrong username or password."), "error")
        elif token is not None:
            return _logged_in(user, token, form.next.data)
        else:
            with write_transaction():  # a login over a live session ends it, as _logged_in
                sessions.revoke(session.get(TOKEN_KEY), "replaced")
            _fresh_session()
            # Only a target that would be followed: a long one made the cookie too large.
            session[PENDING_KEY] = {"user": user.id, "stage": stage,
                                    "next": safe_redirect_target(form.next.data),
                                    "at": utcnow().isoformat(), "mark": _password_mark(user)}
            if stage == "enrol":
                return redirect(url_for("auth.second_factor"))
            return redirect(url_for("auth.login_code"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Ask for the code of the authenticator app after the password."""
    user = _pending_user("code")
    if user is None:
        return _pending_expired()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            # Neither a lock nor an early attempt uses up the code.
            token = accounts.login_with_code(
                user, lambda: totp.verify(user, form.code.data, _totp_key()),
                request.remote_addr, _limits())
        except accounts.SlowDown as e:
            form.code.errors.append(_(e.message, **e.params))
            return render_template("auth/login_code.html", form=form)
        if token is not None:
            return _logged_in(user, token, session.get(PENDING_KEY, {}).get("next"))
        form.code.errors.append(_(
            "The code is wrong or was used already. Type the code your authenticator app "
            "shows now; after several wrong codes the login is locked for a while."))
    return render_template("auth/login_code.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
def second_factor():
    """Enrol in the second factor (required right after the password for some roles)."""
    if not current_app.config.get("TOTP_ENABLED"):
        abort(404)
    pending = None if current_user.is_authenticated else _pending_user("enrol")
    if not current_user.is_authenticated and pending is None:
        return _pending_expired()
    user = pending or current_user._get_current_object()
    key = _totp_key()
    if totp.is_enrolled(user):
        return render_template("auth/second_factor.html", enrolled=True, form=CodeForm(),
                               may_remove=not _totp_required(user))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            confirmed, token = _enrol(user, form.code.data, key, login=pending is not None)
        except accounts.SlowDown as e:
            form.code.errors.append(_(e.message, **e.params))
            confirmed = None
        if confirmed:
            if token is not None:
                response = _logged_in(user, token, session.get(PENDING_KEY, {}).get("next"))
            else:
                response = redirect(url_for("auth.second_factor"))
            # After _logged_in, which starts the cookie afresh.
            flash(_("Two-step login is on. From now on, type a code from the app after "
                    "your password."), "success")
            return response
        if confirmed is False:
            form.code.errors.append(_(
                "The code is wrong. Add the key to your authenticator app, then type the "
                "six-digit code it shows now for this register."))
    with write_transaction():
        secret = totp.enrolment_secret(user, key)
    uri = totp.provisioning_uri(secret, user.username)
    return render_template(
        "auth/second_factor.html", enrolled=False, form=form, required=pending is not None,
        qr_svg=Markup(totp.qr_svg(uri, _("QR code of the key for the authenticator app"))),
        uri=uri,
        secret_groups=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    )


def _enrol(user, code, key, login):
    """Confirm ``user``'s enrolment with ``code``; return ``(confirmed, token)``.

    ``login``: the enrolment is part of a login (the password step passed): it is under
    the login's lockout as ``/login/code`` is — the address's wait raises SlowDown, a
    locked username's code is not checked, a wrong code counts like a wrong password —
    and a right code starts the session (its token).
    """
    limits = _limits()
    with write_transaction():
        if login and accounts.check_login(user, user.username, request.remote_addr,
                                          limits, second_factor=True) is None:
            return False, None  # locked: refused as a wrong code is
        confirmed = totp.confirm_enrolment(user, code, key)
        if not confirmed:
            if login:
                accounts.record_failure(user.username, request.remote_addr, limits,
                                        second_factor=True)
            return False, None
        audit.record("totp_enrol", actor=user, object_type="user", object_id=user.id)
        return True, accounts.complete_login(user, limits) if login else None


@bp.route("/account/second-factor/remove", methods=["POST"])
def remove_second_factor():
    """Turn the second factor off, with a current code (not for roles that must have it)."""
    if not current_app.config.get("TOTP_ENABLED"):
        abort(404)
    user = current_user._get_current_object()
    if _totp_required(user):
        abort(403)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            # A wrong code counts as a failed login: a session cannot guess on and on.
            checked = accounts.check_current_code(
                user, lambda: totp.verify(user, form.code.data, _totp_key()),
                request.remote_addr, _limits())
        except accounts.SlowDown as e:
            form.code.errors.append(_(e.message, **e.params))
            checked = "wait"
        if checked == "locked":
            return _locked_out()
        if checked == "right":
            with write_transaction():
                totp.remove(user)
                audit.record("totp_remove", actor=user, object_type="user", object_id=user.id)
            flash(_("Two-step login is off. You log in with your password alone."), "success")
            return redirect(url_for("auth.second_factor"))
        if checked == "wrong":
            form.code.errors.append(_(
                "The code is wrong or was used already. Type the code your authenticator "
                "app shows now."))
    return render_template("auth/second_factor.html", enrolled=True, form=form,
                           may_remove=True)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: end the session on the server and forget the cookie's content."""
    with write_transaction():
        sessions.revoke(session.get(TOKEN_KEY), "logout")
        audit.record("logout", actor=current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def _locked_out():
    """End the session that met the username's lock (as at the login); to the login page."""
    with write_transaction():
        sessions.revoke(session.get(TOKEN_KEY), "locked")
    logout_user()
    _fresh_session()
    flash(_("Too many wrong passwords have been typed for your account, and your "
            "session has ended. Log in again later."), "error")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Let the user set a new password (required after a one-time password)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            # A wrong current password counts as a failed login: a session cannot guess
            # the password on and on.
            current = accounts.check_current_password(
                user, form.current_password.data, request.remote_addr, _limits())
        except accounts.SlowDown as e:
            current, wait = "wait", _(e.message, **e.params)
        if current == "locked":
            return _locked_out()
        if current == "wait":
            form.current_password.errors.append(wait)
        elif current == "wrong":
            form.current_password.errors.append(
                _("The current password is wrong; type the password you logged in with.")
            )
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(
                _("The new password must differ from the current one. Type a new password.")
            )
        else:
            try:
                with write_transaction():
                    accounts.set_password(user, form.new_password.data)
                    # Every other session of the account ends (a thief's among them).
                    sessions.revoke_all(user, "password", keep_token=session.get(TOKEN_KEY))
                    audit.record("password_change", actor=user, object_type="user",
                                 object_id=user.id)
            except RegisterError as e:
                form.new_password.errors.append(_(e.message, **e.params))
            else:
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("admin.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language", methods=["POST"])
def language():
    """Switch the user interface language (fi, sv, en) for this session."""
    lang = request.form.get("lang")
    if lang not in LANGUAGE_NAMES:
        abort(400)
    session["lang"] = lang
    return redirect(safe_redirect_target(request.form.get("next")))


@totp_cli.command("reset")
@click.argument("username")
def totp_reset(username):
    """Remove USERNAME's second factor (a lost phone): the user enrols again."""
    username = username.strip().lower()  # as `users create` stores it
    user = User.by_username(username)
    if user is None:
        raise click.ClickException(
            _("No account has the username %(username)s.", username=username))
    with write_transaction():
        removed = totp.remove(user)
        if removed:
            audit.record("totp_reset", object_type="user", object_id=user.id)
    click.echo(_("The second factor of %(username)s was removed.", username=username)
               if removed else
               _("%(username)s had no second factor.", username=username))


# --- helpers ------------------------------------------------------------------------


def _limits():
    config = current_app.config
    return accounts.LoginLimits(
        secret=config["SECRET_KEY"],
        max_failures=config["LOGIN_MAX_FAILURES"],
        address_max_failures=config["LOGIN_ADDRESS_MAX_FAILURES"],
        address_delay_seconds=config["LOGIN_ADDRESS_DELAY_SECONDS"],
        address_max_delay_seconds=config["LOGIN_ADDRESS_MAX_DELAY_SECONDS"],
        window_minutes=config["LOGIN_WINDOW_MINUTES"],
        lock_minutes=config["LOGIN_LOCK_MINUTES"],
    )


def _logged_in(user, token, next_target):
    """Put the new session in a fresh cookie (nothing from before login stays: no fixation)."""
    sessions.revoke(session.get(TOKEN_KEY), "replaced")  # a login over a live session
    _fresh_session()
    session[TOKEN_KEY] = token
    login_user(user)
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_redirect_target(next_target))


def _fresh_session():
    """Empty the session cookie but for the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _session_end_message(reason):
    config = current_app.config
    if reason == "idle":
        return _("You were logged out after %(minutes)d minutes without activity. Log in "
                 "again to continue.", minutes=config["SESSION_IDLE_MINUTES"])
    if reason == "absolute":
        return _("You were logged out because %(hours)d hours have passed since you logged "
                 "in. Log in again to continue.", hours=config["SESSION_ABSOLUTE_HOURS"])
    if reason in ("revoked", "inactive"):
        return _("Your session has ended. Log in again to continue.")
    return None


def _second_factor_stage(user):
    """Return "code" when the login needs a code, "enrol" when it needs enrolment first."""
    if not current_app.config.get("TOTP_ENABLED"):
        return None
    if totp.is_enrolled(user):
        return "code"
    return "enrol" if _totp_required(user) else None


def _totp_required(user):
    config = current_app.config
    return bool(config.get("TOTP_ENABLED")) and policy.requires_second_factor(
        user, config.get("TOTP_REQUIRED_ROLES"))


def _pending_user(stage):
    """Return the user whose password was accepted and who is at ``stage``, else None."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("stage") != stage:
        return None
    try:
        started = datetime.datetime.fromisoformat(pending["at"])
        user = User.get_or_none(User.id == int(pending["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - started > datetime.timedelta(minutes=PENDING_MINUTES):
        return None
    if user is None or not user.is_active:
        return None
    # A password changed since ends the login begun with the old one.
    return user if hmac.compare_digest(str(pending.get("mark")), _password_mark(user)) else None


def _password_mark(user):
    """Return a keyed digest of ``user``'s password hash: a login waiting for its code
    holds it, and it no longer matches once the password has changed."""
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode("utf-8"),
                    (user.password_hash or "").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _pending_expired():
    session.pop(PENDING_KEY, None)
    flash(_("Log in with your username and password first."), "info")
    return redirect(url_for("auth.login"))


def _totp_key():
    """Return the key the TOTP keys are encrypted with: config, else the instance's file."""
    config = current_app.config
    if not config.get("TOTP_ENCRYPTION_KEY"):
        path = pathlib.Path(current_app.instance_path) / "totp_key"
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(totp.new_encryption_key())
        config["TOTP_ENCRYPTION_KEY"] = path.read_text().strip()
    return config["TOTP_ENCRYPTION_KEY"]
