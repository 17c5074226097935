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
@click.option("--force", is_flag=True,
              help="Roll back even though the register holds customers.")
def db_downgrade(steps, undo_all, force):
    """Roll back the newest migration (or more).

    A register holding customers is not rolled back without ``--force``: a migration
    undone may drop their tables. A step that fails stops the command, saying which steps
    were rolled back before it.
    """
    held = _customers_held()
    if held and not force:
        raise click.ClickException(
            f"the register holds {held} customers, and rolling back migrations may drop "
            "their data: take a backup first (flask --app app backup create), then run "
            "this again with --force")
    left = None if undo_all else steps
    while left is None or left > 0:
        name = (database.status()[0] or [None])[-1]
        if name is None:
            break
        try:
            database.downgrade(1)
        except Exception as error:  # noqa: BLE001 - told, and the command stops
            raise click.ClickException(
                f"rolling back {name} failed ({type(error).__name__}: {error}); the steps "
                "above were rolled back. Restore the backup, or mend the cause and run "
                "this again") from None
        click.echo(f"rolled back {name}")
        left = None if left is None else left - 1


def _customers_held():
    """Count the register's customers (0 before its customers' table exists)."""
    from models import Customer, db

    if "customer" not in db.get_tables():
        return 0
    return Customer.select().count()


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
