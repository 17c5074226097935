"""What the commands share: a service's refusal, told in the user's language; the lock of
setting up the database."""

import contextlib

import click
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
