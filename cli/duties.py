"""``flask --app app duties …``: raising the notifications of what comes due."""

import click
from flask.cli import AppGroup

from database import write_transaction

duties_cli = AppGroup("duties", help="Duties that come due.")


@duties_cli.command("check")
def duties_check():
    """Write the due-date notifications once: inspection requests due within two days
    and overdue, the purge review and the access review due within 30 days and overdue
    (run it from cron daily; a second run writes nothing new)."""
    from services import requests
    from services.duties.reminders import remind_duties

    with write_transaction():
        written = requests.remind_due() + remind_duties()
    # Lines for people and cron mail alike, untranslated like `audit verify`'s.
    click.echo(f"duties: {written} notifications written to the outbox")
