"""``flask --app app duties …``: raising the notifications of what comes due."""

import click
from flask import current_app
from flask.cli import AppGroup

from cli.base import fail
from database import write_transaction

duties_cli = AppGroup("duties", help="Duties that come due.")


@duties_cli.command("check")
def duties_check():
    """Write the due-date notifications once: inspection requests due within two days
    and overdue, the purge review and the access review due within 30 days and overdue,
    and a backup late or failed (run it from cron daily; a second run writes nothing new)."""
    from services import backup, requests
    from services.duties.reminders import remind_duties

    with write_transaction():
        written = requests.remind_due() + remind_duties()
    # Lines for people and cron mail alike, untranslated like `audit verify`'s.
    click.echo(f"duties: {written} notifications written to the outbox")
    try:
        settings = backup.Settings.from_app(current_app)
    except backup.SettingsError as e:  # the other duties are written; this one is said
        fail(e)
    backups = backup.notify_problems(settings)
    click.echo(f"backups: {backups} notifications of a late or failed backup written")
