"""``flask --app app outbox …``: sending the email notifications the outbox holds."""

import click
from flask import current_app
from flask.cli import AppGroup

from services.joblock import job_lock

outbox_cli = AppGroup("outbox", help="Email notifications waiting in the outbox.")


@outbox_cli.command("send")
def outbox_send():
    """Send once every notification that is due; those the mail server does not take are
    tried again later (run it from cron, e.g. every five minutes)."""
    from services import notifications

    settings = notifications.MailSettings.from_config(current_app.config)
    if not settings.enabled:
        # Lines for people and cron mail alike, untranslated like `audit verify`'s.
        click.echo("mail is off (no MAIL_SERVER): nothing sent, the outbox keeps its messages")
        return
    with job_lock("outbox-send", current_app.config["DATABASE_URL"]) as held:
        if not held:
            click.echo("outbox: another run is sending; nothing sent by this one")
            return
        result = notifications.send_due(settings)
    click.echo(f"outbox: {result['sent']} sent, {result['retry']} to be tried again later, "
               f"{result['failed']} failed, {result['dropped']} no longer for their "
               "recipient")
