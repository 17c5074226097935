"""``flask --app app demo-data``: made-up customers for demonstrations and load tests."""

import click
from flask_babel import gettext as _

import database
from cli.base import WholeNumber
from models import Section


@click.command("demo-data")
@click.option("--customers", type=WholeNumber(0, 10_000_000), default=1000, show_default=True,
              help="How many customers.")
@click.option("--seed", default=1, show_default=True, help="Same seed, same data.")
def demo_data_command(customers, seed):
    """Fill the register with realistic, made-up Finnish customers (no henkilötunnus)."""
    from services import demo_data

    sections = list(Section.select().order_by(Section.id))
    with click.progressbar(length=customers, label=_("Creating customers")) as bar:
        counts = demo_data.generate(customers, seed=seed, sections=sections, progress=bar.update)
    database.optimize()
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))
