"""``flask --app app statistics …``: the counts the statistics and the menu read."""

import click
from flask.cli import AppGroup

from services import customer_counts, customer_rows, monthly_counts

statistics_cli = AppGroup(
    "statistics", help="The kept counts: of the statistics, the menu and the purge preview.")


@statistics_cli.command("recount")
def statistics_recount():
    """Count the kept counts again from the rows; say what differed (exit 1 if any)."""
    found = customer_counts.recount()
    for section_id, dimension, value, kept, counted in found:
        click.echo(f"section {section_id} {dimension} {value!r}: kept {kept}, "
                   f"counted {counted}")
    monthly = monthly_counts.recount()
    # (rows, customers, cents) of a measure in a month
    for section_id, measure, month, value, kept, counted in monthly:
        click.echo(f"section {section_id} {measure} {month} {value!r}: kept {kept}, "
                   f"counted {counted}")
    rows = customer_rows.recount()
    for customer_id, column, kept, counted in rows:
        click.echo(f"customer {customer_id} {column}: kept {kept}, counted {counted}")
    differed = len(found) + len(monthly) + len(rows)
    click.echo(f"{differed} counts differed and were put right" if differed
               else "every kept count was exact")
    if differed:
        raise SystemExit(1)
