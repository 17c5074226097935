"""What the commands share: a service's refusal, told in the user's language; the lock of
setting up the database."""

import contextlib
import functools

import click
import peewee as pw
from flask import current_app
from flask_babel import gettext as _

from services.inputs import whole_number
from services.joblock import job_lock

# How long `db upgrade` and `users bootstrap` wait for another server's to end.
SETUP_WAIT_SECONDS = 600


def fail(error):
    """Print a service's refusal in the user's language and exit with status 1."""
    raise click.ClickException(_(error.message, **error.params))


@contextlib.contextmanager
def setup_lock():
    """Hold the database's set-up lock: the servers of a deployment may each run
    ``db upgrade`` and ``users bootstrap`` as they start; one at a time runs them, and
    the next finds nothing left to do (README "More than one server")."""
    with job_lock("setup", current_app.config["DATABASE_URL"], wait=SETUP_WAIT_SECONDS) as held:
        if not held:
            raise click.ClickException(
                f"another server has been setting up the database for {SETUP_WAIT_SECONDS} "
                "seconds: look at what it does, then run this again")
        yield


class Text(click.ParamType):
    """A text option or argument: refused when it holds a byte the system could not read
    as UTF-8 (click keeps it as a lone surrogate, which no database takes) or a NUL."""

    name = "text"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail(_("%(value)s holds a character that is not UTF-8 text: type it again.",
                        value=value.encode("utf-8", "replace").decode()), param, ctx)
        if "\x00" in value:
            self.fail(_("The value holds a NUL character: type it again."), param, ctx)
        return value


def checked_texts(command):
    """Give every text option and argument of ``command`` (a group: of its commands too)
    the type :class:`Text`, so no command meets a text it cannot store; and make a
    database that cannot be used (:func:`database_told`) a message, not a traceback."""
    for param in command.params:
        if param.type is click.STRING:
            param.type = Text()
    if command.callback is not None and not getattr(command.callback, "told", False):
        command.callback = database_told(command.callback)
    for sub in getattr(command, "commands", {}).values():
        checked_texts(sub)
    return command


# What a database that cannot be used raises: no file or folder, no database in the file,
# read-only, not migrated (no table), refused on PostgreSQL. Not IntegrityError: a rule.
_UNUSABLE = (pw.OperationalError, pw.ProgrammingError, pw.InterfaceError)


def database_told(callback):
    """Wrap a command's ``callback``: a database that cannot be used ends the command with
    what to check, exit status 1."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except pw.DatabaseError as error:
            if not isinstance(error, _UNUSABLE) and type(error) is not pw.DatabaseError:
                raise
            raise click.ClickException(_(
                "The register's database could not be used: %(error)s. Check "
                "REGISTER_DATABASE_URL; a new database is made ready with: flask --app app "
                "db upgrade", error=str(error).strip().splitlines()[0] if str(error) else
                type(error).__name__)) from None

    run.told = True
    return run


class WholeNumber(click.ParamType):
    """A whole number from ``low`` to ``high`` written in ASCII digits (click's INT takes
    "١٢" as 12, and no bound lets 20 digits overflow a database integer)."""

    name = "integer"

    def __init__(self, low, high):
        self.low, self.high = low, high

    def convert(self, value, param, ctx):
        number = whole_number(value, self.low, self.high)
        if number is None:
            self.fail(_("%(value)s is not a whole number from %(low)s to %(high)s.",
                        value=value, low=self.low, high=self.high), param, ctx)
        return number


class ExistingFile(click.Path):
    """An existing file; a name the system cannot even look up (a NUL, too long) is none."""

    def __init__(self):
        super().__init__(exists=True, dir_okay=False)

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except (OSError, ValueError):
            self.fail(_("There is no file %(file)s.", file=repr(value)), param, ctx)
