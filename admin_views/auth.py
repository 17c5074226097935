"""Logging in and out, changing one's password, choosing the language."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from admin_views.labels import LANGUAGE_NAMES
from database import write_transaction
from forms.auth import ChangePasswordForm, LoginForm
from models import User
from services import accounts, audit
from services.errors import RegisterError

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

# Endpoints a visitor reaches without logging in; every other one requires login.
PUBLIC_ENDPOINTS = {"auth.login", "auth.language", "static", "admin.static"}
# Endpoints a user who must change the password can still reach.
PASSWORD_CHANGE_ENDPOINTS = PUBLIC_ENDPOINTS | {"auth.change_password", "auth.logout"}


def init_app(app):
    """Register login handling and the auth pages on ``app``."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.before_request(_require_login)


@login_manager.user_loader
def _load_user(user_id):
    try:
        user = User.get_or_none(User.id == int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user and user.is_active else None


def _require_login():
    """Send anyone not logged in to the login page; hold back a password that must change."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 follows
    if not current_user.is_authenticated:
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    return None


def _safe_next(target):
    """Return ``target`` if it is a path on this site, else the front page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log the user in with a fresh session."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        # The login (or the failure) and its audit event are one transaction.
        with write_transaction():
            if user is None:
                _audit_failed_login(form.username.data)
            else:
                accounts.record_login(user, form.password.data)
                audit.record("login", actor=user)
        if user is None:
            flash(_("Wrong username or password."), "error")
        else:
            lang = session.get("lang")
            session.clear()  # a new session at login: no fixation
            if lang:
                session["lang"] = lang
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and forget the session."""
    lang = session.get("lang")
    with write_transaction():
        audit.record("logout", actor=current_user._get_current_object())
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def _audit_failed_login(username):
    """Record a failed login: the account's id when the username exists, never what was typed."""
    user = User.by_username(username) if username else None
    audit.record(
        "login_failed",
        object_type="user" if user else None,
        object_id=user.id if user else None,
    )


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Let the user set a new password (required after a one-time password)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.authenticate(current_user.username, form.current_password.data) is None:
            form.current_password.errors.append(
                _("The current password is wrong; type the password you logged in with.")
            )
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(
                _("The new password must differ from the current one.")
            )
        else:
            try:
                accounts.set_password(current_user, form.new_password.data)
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
    return redirect(_safe_next(request.form.get("next")))
