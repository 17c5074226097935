"""``flask --app app statistics …``: the counts the statistics and the menu read."""

import click
from flask.cli import AppGroup

from services import customer_counts

statistics_cli = AppGroup("statistics", help="The kept counts of the statistics.")


@statistics_cli.command("recount")
def statistics_recount():
    """Count the kept counts again from the rows; say what differed (exit 1 if any)."""
    found = customer_counts.recount()
    for section_id, dimension, value, kept, counted in found:
        click.echo(f"section {section_id} {dimension} {value!r}: kept {kept}, "
                   f"counted {counted}")
    click.echo(f"{len(found)} counts differed and were put right" if found
               else "every kept count was exact")
    if found:
        raise SystemExit(1)
