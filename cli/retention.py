"""``flask --app app retention …``: the retention purge of long-unused customers (seed §12)."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

import database
from cli.base import WholeNumber, fail
from models import Section
from services.errors import RegisterError
from services.inputs import MAX_ID
from services.localtime import helsinki_date

retention_cli = AppGroup("retention", help="Retention purge of long-unused customers (seed §12).")


def _retention_settings():
    from flask import current_app

    from services import retention

    config = current_app.config
    return (int(config.get("RETENTION_ACCOUNTING_YEARS", retention.ACCOUNTING_YEARS)),
            int(config.get("RETENTION_BATCH_SIZE", retention.BATCH_SIZE)),
            config.get("RETENTION_CRASH_AFTER_BATCHES"))


@retention_cli.command("preview")
@click.option("--section", "section_code", help="Only this section (its code).")
def retention_preview(section_code):
    """Print how many customers and rows per data category a purge would remove, and the
    customers held by a request or disclosure with the reason of each hold (no names)."""
    from services import retention

    years, _batch, _crash = _retention_settings()
    sections = list(Section.select().order_by(Section.code))
    if section_code is not None:  # "" too: no section's code
        sections = [s for s in sections if s.code == section_code]
        if not sections:
            raise click.ClickException(_("There is no section %(code)s.", code=section_code))
    snapshot = retention.Snapshot.now(sections, years)
    result = retention.preview(snapshot)
    with database.write_transaction():
        retention.record_preview(None, snapshot)
    # Lines for people and cron mail alike, untranslated like `audit verify`'s.
    as_of = helsinki_date(snapshot.as_of)
    click.echo(f"retention preview on {as_of}: invoices dated {snapshot.keep_from} or later "
               f"are kept ({snapshot.accounting_years} years)")
    for part in result.sections:
        cutoff = helsinki_date(part.cutoff)
        click.echo(f"{part.section.code}: {part.months} months, unused when no activity since "
                   f"{cutoff}; delete {part.delete['customers']} customers, minimise "
                   f"{part.minimise['customers']}, awaiting final deletion {part.waiting}, "
                   f"held {len(part.held)}")
        click.echo(f"  {'category':<22} {'delete':>10} {'minimise':>10}")
        for category in retention.COUNTED_CATEGORIES:
            click.echo(f"  {category:<22} {part.delete[category]:>10} "
                       f"{part.minimise[category]:>10}")
        # Data of categories the section no longer holds: the purge removes it too.
        for place, number in retention.leftover_counts([part.section]).get(
                part.section.code, {}).items():
            click.echo(f"  no longer held: {place:<22} {number:>10}")
        # Held customers by number (no names): each hold and its reason.
        for customer_id in part.held:
            reasons = "; ".join(str(h) for h in result.holds.get(customer_id, ()))
            click.echo(f"  held customer {customer_id}: {reasons}")
    # The register's own records: what each rule would wipe or remove.
    for kind, count in result.records.items():
        cutoff = helsinki_date(snapshot.record_cutoffs[kind])
        click.echo(f"records {kind}: {snapshot.records[kind]} months, before {cutoff}; "
                   f"{count} to {'wipe' if kind in retention.WIPED_KINDS else 'remove'}")
    click.echo(f"fingerprint {result.fingerprint}")


@retention_cli.command("purge")
@click.option("--confirmed-run", "run_id", type=WholeNumber(1, MAX_ID), required=True,
              help="The purge the controller confirmed on the preview page.")
@click.option("--batch-size", type=WholeNumber(1, 5000), default=None,
              help="Customers per transaction (default RETENTION_BATCH_SIZE, 2000).")
def retention_purge(run_id, batch_size):
    """Run (or finish) a purge the controller confirmed; refuse anything else."""
    import os

    from services import retention

    _years, default_batch, crash_after = _retention_settings()
    batches = [0]

    def progress(run):
        batches[0] += 1
        click.echo(f"purge {run.id}: {run.processed}/{run.total} customers handled, "
                   f"{run.deleted} deleted, {run.minimised} minimised, {run.skipped} skipped")

    def inside_batch():
        # RETENTION_CRASH_AFTER_BATCHES (tests of crash safety): exit at once, in the
        # middle of the batch that follows that many committed ones.
        if crash_after is not None and batches[0] >= int(crash_after):
            os._exit(75)

    from flask import current_app

    try:
        run = retention.execute(run_id, batch_size=batch_size or default_batch,
                                progress=progress, inside_batch=inside_batch,
                                keys=retention.RecordKeys.from_config(current_app.config))
    except RegisterError as e:
        fail(e)
    click.echo(f"purge {run.id} finished: {run.deleted} deleted, {run.minimised} minimised, "
               f"{run.skipped} skipped")
    for kind, count in retention.counts_of(run, "records_done").items():
        click.echo(f"records {kind}: {count} "
                   f"{'wiped' if kind in retention.WIPED_KINDS else 'removed'}")
