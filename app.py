"""The register's application factory."""

import gc
import os
import pathlib
import secrets

from flask import Flask, request, session
from flask_admin import helpers as flask_admin_helpers
from flask_babel import Babel, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import BadRequest, Forbidden
from werkzeug.routing import IntegerConverter

import database
import security
from models import db
from services import vocabulary
from services.inputs import MAX_ID, has_unstorable, whole_number
from services.phones import display_phone
from services.policy import SECOND_FACTOR_ROLES, NotAllowed
from services.vocabulary.administration import LANGUAGE_NAMES

ROOT = pathlib.Path(__file__).resolve().parent

csrf = CSRFProtect()
babel = Babel()


def create_app(test_config=None):
    """Create the register: defaults, instance/config.py, REGISTER_* variables, test_config."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("REGISTER_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        static_url_path="/assets",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    # Before any route is added: every <int:…> of an address is then bounded.
    app.url_map.converters["int"] = IdConverter
    _configure(app, test_config)

    database.open_database(app.config["DATABASE_URL"])
    _connection_per_request(app)
    _refuse_unstorable_input(app)

    security.init_app(app)  # headers on every response, the script nonce
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    vocabulary.use_translator(gettext)  # the names of codes, in the user's language
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.context_processor(lambda: {"current_locale": str(get_locale())})

    from admin_views import auth, backup, public
    from admin_views.base import local_date, local_datetime, translations, user_may
    from admin_views.registry import init_admin
    from forms import widgets
    from forms.base import error_links

    widgets.install()  # the forms' attributes written as fast as before WTForms 3.3
    translations.install()  # the translations found once a request, not once a string

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["phone"] = display_phone  # +358 40 380 6251 (services/phones.py)
    app.jinja_env.globals["may"] = user_may  # {% if may("decide_access") %}
    app.jinja_env.globals["error_links"] = error_links  # a form's error summary
    # Flask-Admin's helpers, which it hands every page it renders as ``h``, for the form
    # macros an inline row imports without the page's context (imported once, not for
    # every row: templates/admin/model/inline_form.html).
    app.jinja_env.globals["h"] = flask_admin_helpers
    import cli

    auth.init_app(app)
    public.init_app(app)  # the register description and privacy notice, without login
    init_admin(app)
    cli.init_app(app)
    backup.init_app(app)  # the backup scheduler, when this process serves (seed §11)
    _error_pages(app)
    _freeze_start_up(app)
    return app


def _configure(app, test_config):
    """Set the register's defaults, then instance/config.py, REGISTER_* variables and
    ``test_config`` over them, in that order; a secret key of the instance if none."""
    app.config.from_mapping(
        DATABASE_URL="sqlite:///" + os.path.join(app.instance_path, "register.db"),
        BABEL_DEFAULT_LOCALE="fi",
        # Times are stored as naive UTC, typed and shown in Helsinki time (README "Time":
        # forms/fields.py in, services/localtime.py out); Flask-Babel's own helpers agree.
        BABEL_DEFAULT_TIMEZONE="Europe/Helsinki",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Sent over HTTPS only; `make run` turns it off for plain HTTP on 127.0.0.1.
        SESSION_COOKIE_SECURE=True,
        # Login security (README "Login and sessions"): server-side sessions end after
        # this long without a request, and this long after the login in any case.
        SESSION_IDLE_MINUTES=30,
        SESSION_ABSOLUTE_HOURS=12,
        # A username is locked for LOGIN_LOCK_MINUTES after LOGIN_MAX_FAILURES failed
        # logins within LOGIN_WINDOW_MINUTES. An address is never locked: past its
        # LOGIN_ADDRESS_MAX_FAILURES in the window, each further failure makes it wait
        # before its next attempt, LOGIN_ADDRESS_DELAY_SECONDS doubling up to
        # LOGIN_ADDRESS_MAX_DELAY_SECONDS (services/accounts.py).
        LOGIN_MAX_FAILURES=5,
        LOGIN_ADDRESS_MAX_FAILURES=20,
        LOGIN_ADDRESS_DELAY_SECONDS=1,
        LOGIN_ADDRESS_MAX_DELAY_SECONDS=30,
        LOGIN_WINDOW_MINUTES=15,
        LOGIN_LOCK_MINUTES=15,
        # The second factor (TOTP): users may enrol when enabled; these roles must.
        TOTP_ENABLED=False,
        TOTP_REQUIRED_ROLES=list(SECOND_FACTOR_ROLES),
        # Reverse proxies in front (their X-Forwarded-For/-Proto are then trusted).
        PROXY_COUNT=0,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        # Email notifications (README "Notifications"), with Flask-Mail's key names:
        # REGISTER_MAIL_SERVER=smtp.example.fi in the environment, and so on. No server:
        # mail is off, the outbox keeps what it holds. BASE_URL starts the links in mail.
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_DEFAULT_SENDER=None,
        BASE_URL="http://127.0.0.1:5000",
        FLASK_ADMIN_SWATCH="default",
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("REGISTER")
    if test_config is not None:
        app.config.from_mapping(test_config)
    # SECRET_KEY signs sessions; PSEUDONYM_KEY makes the pseudonyms of wiped requesters
    # and AUDIT_CHECKPOINT_KEY signs the audit log's checkpoints (services/retention/
    # records.py): each generated once into the instance folder when not set.
    _check_numbers(app.config)
    for key, file_name in (("SECRET_KEY", "secret_key"), ("PSEUDONYM_KEY", "pseudonym_key"),
                           ("AUDIT_CHECKPOINT_KEY", "audit_checkpoint_key")):
        if not app.config.get(key):
            app.config[key] = _instance_secret(app.instance_path, file_name)


# The settings that are whole numbers, with their bounds. Invoices are kept at least the
# Accounting Act's six years: a smaller RETENTION_ACCOUNTING_YEARS would let the purge
# delete what the law keeps.
NUMBER_SETTINGS = {
    "RETENTION_ACCOUNTING_YEARS": (6, 100),
    "RETENTION_BATCH_SIZE": (1, 100_000),
    "IMPORT_BATCH_SIZE": (1, 100_000),
    "IMPORT_STEP_BATCH_SIZE": (1, 100_000),
}


class SettingError(SystemExit):
    """A setting the register cannot start with: its message is all that is printed."""


def _check_numbers(config):
    """Refuse a number setting that is no whole number within its bounds (from the
    environment "abc" stays text, and 20 digits overflow); keep each as an int."""
    for name, (low, high) in NUMBER_SETTINGS.items():
        if name not in config:
            continue
        number = whole_number(config[name], low, high)
        if number is None:
            raise SettingError(f"REGISTER_{name} must be a whole number from {low} to {high};"
                               f" it is {config[name]!r}.")
        config[name] = number


def _freeze_start_up(app):
    """Keep what start-up built out of the garbage collector's sweeps, unless testing.

    What start-up built lives as long as the process, and the collector's sweeps over it
    otherwise pause a request now and then for ~30 ms. Not under TESTING: a test process
    builds an app per test, and each freeze would keep every earlier test's app, rows and
    responses alive to the end of the run.
    """
    if not app.testing:
        gc.freeze()


def _error_pages(app):
    """Answer 400, 403, 404, 405, 413 (Werkzeug's limits of a form's parts and size) and
    500 with a page in the user's language that says what to do.

    A step a service refuses to the user's role (``NotAllowed``) is a 403 like any other.
    """
    from flask import render_template
    from flask_babel import gettext as _

    messages = {
        400: (lambda: _("The request was not understood"),
              lambda: _("The form may have expired. Go back, reload the page and try again.")),
        403: (lambda: _("No access"),
              lambda: _("Your role does not allow this page. If you need it for your work, "
                        "ask the register's controller for access.")),
        404: (lambda: _("Not found"),
              lambda: _("There is no such page or record, or it belongs to a section you "
                        "do not have. Check the address or search from the customer list.")),
        405: (lambda: _("Not allowed"),
              lambda: _("This address does not accept that kind of request.")),
        413: (lambda: _("Too much at once"),
              lambda: _("The form held more fields or a longer text than the register takes "
                        "at once. Go back, shorten the text or save the rows in parts, and "
                        "send it again.")),
        500: (lambda: _("Something went wrong"),
              lambda: _("The register could not finish this request. Go back and check "
                        "whether what you were saving was saved before you try again; if it "
                        "happens again, tell the register's technical maintenance the time "
                        "it happened.")),
    }

    def handler(error):
        title, message = messages[error.code]
        advice = getattr(error, "advice", None)
        return (render_template("error.html", title=title(),
                                message=str(advice) if advice else message()), error.code)

    for code in messages:
        app.register_error_handler(code, handler)
    app.register_error_handler(NotAllowed, lambda error: handler(Forbidden()))


class IdConverter(IntegerConverter):
    """``<int:…>`` in an address: a number that can be a row's id, else the address is not
    found (Werkzeug's own takes any length, which overflows SQLite's integer)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UnstorableInput(BadRequest):
    """A request whose address or form holds a character no field may hold."""

    advice = _l("The address or the form held a control character, which the register "
                "cannot store or search. Type the text again instead of pasting it, and "
                "send it again.")


def _refuse_unstorable_input(app):
    """Answer 400 to any request whose query string or form holds a NUL byte or another
    control character no field may hold (services/inputs.py says which, and why).

    One check before every view, rather than one per field: such a character breaks the
    full-text search and every write to PostgreSQL, and nobody types it, so no page needs
    to keep such input to show it back. Names are checked as well as values.
    """

    @app.before_request
    def _check_input():
        for values in (request.args, request.form):
            for name, value in values.items(multi=True):
                if has_unstorable(name) or has_unstorable(value):
                    raise UnstorableInput()


def _instance_secret(instance_path, file_name="secret_key"):
    """Return one of the instance's secret keys, generating it once into a 0600 file.

    Written whole under a name of its own, then linked to its place, which fails if
    another process (a server's worker starting beside this one) got there first: a
    reader never sees a half-written key."""
    path = pathlib.Path(instance_path) / file_name
    if not path.exists():
        draft = path.with_name(f".{file_name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first
        finally:
            draft.unlink()
    return path.read_text().strip()


def _connection_per_request(app):
    @app.before_request
    def _open():
        db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not db.is_closed():
            db.close()


def _select_locale():
    """Use the language the user chose; Finnish by default."""
    chosen = session.get("lang") if request else None
    return chosen if chosen in LANGUAGE_NAMES else "fi"
