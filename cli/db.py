"""``flask --app app db …``: the database's migrations and statistics."""

import click
from flask.cli import AppGroup

import database
from cli.base import WholeNumber, setup_lock

db_cli = AppGroup("db", help="Database migrations.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every pending migration (another server's upgrade at once is waited for)."""
    with setup_lock():
        applied = database.upgrade()
    for name in applied:
        click.echo(f"applied {name}")
    if not applied:
        click.echo("up to date")


@db_cli.command("downgrade")
@click.option("--steps", type=WholeNumber(1, 1000), default=1, show_default=True,
              help="How many migrations to undo.")
@click.option("--all", "undo_all", is_flag=True, help="Undo every migration.")
def db_downgrade(steps, undo_all):
    """Roll back the newest migration (or more)."""
    for name in database.downgrade(None if undo_all else steps):
        click.echo(f"rolled back {name}")


@db_cli.command("status")
def db_status():
    """List applied and pending migrations; exit 1 when some are pending."""
    done, pending = database.status()
    for name in done:
        click.echo(f"[x] {name}")
    for name in pending:
        click.echo(f"[ ] {name}")
    if pending:
        raise SystemExit(1)


@db_cli.command("optimize")
def db_optimize():
    """Refresh the planner's statistics (run after bulk loads and weekly from cron)."""
    database.optimize()
    click.echo("statistics refreshed")
