"""What the commands share: a service's refusal, told in the user's language."""

import click
from flask_babel import gettext as _


def fail(error):
    """Print a service's refusal in the user's language and exit with status 1."""
    raise click.ClickException(_(error.message, **error.params))
