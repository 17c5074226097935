"""``flask --app app backup …``: backups taken, listed, verified, restored and drilled
(seed §11)."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

import database
from cli.base import WholeNumber, fail
from services.errors import RegisterError
from services.localtime import export_datetime

backup_cli = AppGroup("backup", help="Backups: take, list, verify, restore and drill (seed §11).")


def _backup_settings():
    """Return the BACKUP_* settings; a wrong one ends the command with its message."""
    from flask import current_app

    from services import backup

    try:
        return backup.Settings.from_app(current_app)
    except RegisterError as e:
        fail(e)


def _problems(problems):
    """Print a backup's problems in the user's language, on standard error (a failure
    recorded without its reason prints nothing)."""
    for message, params in filter(None, problems):
        click.echo(_(message, **params), err=True)


def _when(moment):
    return export_datetime(moment)


@backup_cli.command("create")
@click.option("--wait", type=WholeNumber(0, 1_000_000), default=600, show_default=True,
              help="Seconds to wait while another process is taking a backup.")
def backup_create(wait):
    """Take a verified backup now and rotate the old ones (for cron)."""
    from services import backup

    config = _backup_settings()
    try:
        taken = backup.create_backup(config, wait=wait)
    except RegisterError as e:
        fail(e)
    backup.notify_problems(config)  # a failure told to maintenance, once
    # Status lines for people and cron mail alike, untranslated like `audit verify`'s.
    if not taken.good:
        click.echo(f"backup {taken.name} FAILED")
        _problems([taken.error])
        raise SystemExit(1)
    click.echo(f"backup {taken.name} taken: {taken.size} bytes, {taken.rows} rows, "
               f"{taken.manifest['verification']}, "
               f"{'encrypted' if taken.encrypted else 'NOT encrypted (no BACKUP_KEY)'}")
    offsite = taken.offsite
    if offsite and offsite["verified"]:
        click.echo(f"copied to {offsite['folder']}: checksum verified")
    elif offsite:
        click.echo(f"off-site copy FAILED ({offsite['folder']})")
        _problems([(offsite["error"]["message"], offsite["error"]["params"])])
        raise SystemExit(1)


@backup_cli.command("key")
def backup_key():
    """Print a new random key for BACKUP_KEY (the encryption of the backups)."""
    from services import backup

    click.echo(backup.new_key())


@backup_cli.command("list")
def backup_list():
    """List the backups kept, newest first: time, name, state, size, rows."""
    from services import backup

    backups = backup.list_backups(_backup_settings())
    if not backups:
        click.echo("no backups")
        return
    click.echo(f"{'taken (Helsinki)':<16}  {'name':<30} {'kind':<10} {'state':<6} "
               f"{'bytes':>12} {'rows':>10}")
    for b in backups:
        click.echo(f"{_when(b.created_at):<16}  {b.name:<30} {b.kind:<10} {b.state:<6} "
                   f"{b.size:>12} {b.rows:>10}")


@backup_cli.command("verify")
@click.argument("file")
def backup_verify(file):
    """Check a backup's checksum and contents; exit 1 when it is not sound."""
    from services import backup

    try:
        found, problems = backup.verify_backup(_backup_settings(), file)
    except RegisterError as e:
        fail(e)
    if problems:
        click.echo(f"backup {found.name} FAILED verification")
        _problems(problems)
        raise SystemExit(1)
    click.echo(f"backup {found.name} verified: checksum ok, {found.manifest['verification']}")


@backup_cli.command("restore")
@click.argument("file")
@click.option("--to", "target", required=True,
              help="The new database: sqlite:///path or postgresql://user:pw@host/name.")
@click.option("--force", is_flag=True,
              help="Replace an existing database, even the live one.")
def backup_restore(file, target, force):
    """Restore a backup into a new database, then check its integrity, audit chain and rows."""
    from services import audit, backup

    config = _backup_settings()
    try:
        report = backup.restore(config, file, target, force=force)
    except RegisterError as e:
        fail(e)
    click.echo(f"restored {report.backup.name} into {report.target}")
    _print_tables(("table", "backup", "restored"), report.tables)
    click.echo(f"integrity: {report.integrity or '-'}; audit chain: {report.audit_checked} events")
    if not report.ok:
        click.echo("restore FAILED its checks")
        _problems(report.problems)
        raise SystemExit(1)
    if backup.Target.parse(target).same_as(backup.Target.parse(config.database_url)):
        with database.write_transaction():  # the live log now tells it was restored
            audit.record("backup_restore", object_type="backup", object_id=report.backup.name)
    click.echo("restore verified")


@backup_cli.command("drill")
def backup_drill():
    """Restore the newest backup into a scratch database and check it; exit 1 on failure."""
    from services import backup

    try:
        entry = backup.drill(_backup_settings())
    except RegisterError as e:
        fail(e)
    _print_tables(("table", "backup", "restored", "live"), entry["tables"])
    state = "ok" if entry["ok"] else "FAILED"
    click.echo(f"restore drill of {entry['backup']}: {state} ({entry['source']} copy, "
               f"{entry['audit_checked']} audit events, {entry['duration_seconds']} s)")
    if not entry["ok"]:
        _problems(entry["problems"])
        raise SystemExit(1)


@backup_cli.command("status")
def backup_status():
    """Print the last backup, its age and the last drill; exit 1 if late or the drill failed."""
    from services import backup

    config = _backup_settings()
    status = backup.status(config)
    good, drill, failed = status["last_good"], status["last_drill"], status["last_failed"]
    if good:
        hours = good["age"].total_seconds() / 3600
        click.echo(f"last backup: {good['name']} at {_when(good['created_at'])}, "
                   f"{hours:.1f} h ago, {good['size']} bytes")
    else:
        click.echo("last backup: none")
    if status["late"]:
        click.echo(f"backup LATE: none within {2 * config.interval_hours:g} hours")
    if failed:
        click.echo(f"last attempt FAILED at {_when(failed['created_at'])}")
        _problems([failed["error"]])
    if drill:
        click.echo(f"last drill: {_when(drill['at'])} {'ok' if drill['ok'] else 'FAILED'} "
                   f"({drill['backup']}, {drill['source']} copy)")
    else:
        click.echo("last drill: none")
    if status["expires_by"]:
        click.echo(f"backups kept: {status['kept']}, all rotated out by "
                   f"{_when(status['expires_by'])}")
    _print_copies(status)
    offsite = status["offsite"]
    if status["late"] or (drill and not drill["ok"]) or (offsite and offsite["problem"]):
        raise SystemExit(1)


def _print_copies(status):
    """Print whether backups are encrypted, and the off-site copy's state."""
    if not status["encrypted"]:
        click.echo("backups NOT encrypted: set BACKUP_KEY (flask --app app backup key)")
    offsite = status["offsite"]
    if offsite is None:
        click.echo("off-site copy: none (BACKUP_OFFSITE not set)")
        return
    copy = offsite["copied"]
    if copy:
        click.echo(f"off-site copy: {copy['name']} in {offsite['folder']}, copied "
                   f"{_when(copy['copied_at'])}, checksum verified")
    if offsite["problem"]:
        click.echo(f"off-site copy of the newest backup {offsite['problem'].upper()}")
        if offsite["error"]:
            _problems([offsite["error"]])


def _print_tables(headings, rows):
    click.echo(f"{headings[0]:<28}" + "".join(f"{h:>12}" for h in headings[1:]))
    for table, *counts in rows:
        click.echo(f"{table:<28}" + "".join(f"{'-' if n is None else n:>12}" for n in counts))
