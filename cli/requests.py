"""``flask --app app requests …``: inspection requests (seed §14)."""

import click
from flask.cli import AppGroup

from models import Section
from services.localtime import export_datetime

requests_cli = AppGroup("requests", help="Inspection requests (seed §14).")


@requests_cli.command("overdue")
def requests_overdue():
    """List the open inspection requests past their one-week deadline; exit 1 if any."""
    from services import requests

    late = requests.overdue()
    # Lines for people and monitoring alike, untranslated like `audit verify`'s; times in
    # Helsinki time, days over counted on Helsinki's calendar (0: due earlier today).
    if not late:
        click.echo("no overdue inspection requests")
        return
    click.echo(f"{len(late)} overdue inspection request(s)")
    click.echo(f"{'id':>6}  {'received':<16}  {'due':<16}  {'days over':>9}  section")
    sections = {s.id: s.code for s in Section.select()}
    for row in late:
        received, due = export_datetime(row.received_at), export_datetime(row.due_at)
        days = requests.deadline(row).days_over
        section = sections[row.section_id]
        click.echo(f"{row.id:>6}  {received:<16}  {due:<16}  {days:>9}  {section}")
    raise SystemExit(1)
