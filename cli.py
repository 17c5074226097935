"""The register's commands: ``flask --app app db|users|demo-data …``."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

import database
from models import Section, User
from services import accounts
from services.localtime import export_datetime, helsinki_date
from services.errors import RegisterError

db_cli = AppGroup("db", help="Database migrations.")
users_cli = AppGroup("users", help="Personal accounts.")


def init_app(app):
    """Register the commands on ``app``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(requests_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_cli)


def _fail(error):
    """Print a service's refusal in the user's language and exit with status 1."""
    raise click.ClickException(_(error.message, **error.params))


# --- db -----------------------------------------------------------------------------


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every pending migration."""
    applied = database.upgrade()
    for name in applied:
        click.echo(f"applied {name}")
    if not applied:
        click.echo("up to date")


@db_cli.command("downgrade")
@click.option("--steps", default=1, show_default=True, help="How many migrations to undo.")
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


# --- users --------------------------------------------------------------------------


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="controller, responsible, handler, staff or maintenance")
@click.option("--section", "sections", multiple=True, help="Section code; repeat for several.")
@click.option("--password", help="Initial password; asked (hidden, twice) when not given.")
@click.option("--reason", help="Why the person needs this access; asked when not given.")
def users_create(username, role, sections, password, reason):
    """Grant access: create a personal account; the user changes the password at first login.

    The grant is recorded as an access request made on the server's command line, asked,
    approved and implemented at once, with its audit events.
    """
    from services import access

    if reason is None:
        reason = click.prompt(_("Why does %(username)s need this access?", username=username))
    if password is None:
        password = click.prompt(
            _("Password for %(username)s", username=username),
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        user, _password = access.grant_on_command_line(username, role, sections, reason,
                                                       password=password)
    except RegisterError as e:
        _fail(e)
    click.echo(_("Created %(username)s (%(role)s).", username=user.username, role=user.role))


@users_cli.command("list")
def users_list():
    """List the accounts: username, role, sections, state, last login."""
    for user in User.select().order_by(User.id):
        sections = ",".join(s.code for s in user.sections) or "-"
        state = "active" if user.is_active else "closed"
        last = export_datetime(user.last_login_at) or "-"
        click.echo(
            f"{user.id:>4}  {user.username or '(' + user.pseudonym + ')':<24} "
            f"{user.role:<12} {sections:<18} {state:<7} {last}"
        )


@users_cli.command("deactivate")
@click.argument("username")
@click.option("--reason", help="Why the access ends; asked when not given.")
@click.option("--ended-on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the duties ended (YYYY-MM-DD); today when not given.")
def users_deactivate(username, reason, ended_on):
    """End access (the duties ended): the account closes at once, its username is removed.

    Recorded and audited as an ending of access made on the server's command line.
    """
    from services import access

    if reason is None:
        reason = click.prompt(_("Why does the access of %(username)s end?", username=username))
    try:
        access.end_access_on_command_line(username, reason,
                                          ended_on.date() if ended_on else None)
    except RegisterError as e:
        _fail(e)
    click.echo(_("Ended the access of %(username)s: the account is closed and its username "
                 "removed.", username=username))


@users_cli.command("disable-idle")
@click.option("--days", type=click.IntRange(1), default=90, show_default=True,
              help="Disable open accounts not used for this many days.")
def users_disable_idle(days):
    """Disable accounts unused for DAYS days (seed §3; for cron) and print how many."""
    from services import access

    disabled = access.disable_idle(days)
    click.echo(ngettext("Disabled %(num)d account unused for %(days)d days.",
                        "Disabled %(num)d accounts unused for %(days)d days.",
                        len(disabled), days=days))


@users_cli.command("review-due")
def users_review_due():
    """Print when the yearly access review is due; exit 1 when it is overdue."""
    from services import access

    status = access.review_status()
    if status.state == "none":
        click.echo(_("No accounts yet: nothing to review."))
        return
    day = status.due_on.isoformat()
    if status.state == "overdue":
        click.echo(ngettext("The access review is OVERDUE by %(num)d day (due %(day)s).",
                            "The access review is OVERDUE by %(num)d days (due %(day)s).",
                            -status.days_left, day=day))
        raise SystemExit(1)
    click.echo(ngettext("The access review is due %(day)s (in %(num)d day).",
                        "The access review is due %(day)s (in %(num)d days).",
                        status.days_left, day=day))


@users_cli.command("bootstrap")
def users_bootstrap():
    """Create the first controller 'admin' when there are no accounts, and print its password.

    The grant is recorded as made on the server's command line, with its audit events.
    """
    from services import access

    password = access.bootstrap_controller(_(
        "The register had no accounts: the first controller account was created when the "
        "register was set up."))
    if password is None:
        return
    line = "=" * 64
    click.echo(line)
    click.echo(_("The register had no accounts. Created the controller account:"))
    click.echo("    " + _("username: %(username)s", username=accounts.BOOTSTRAP_USERNAME))
    click.echo("    " + _("one-time password: %(password)s", password=password))
    click.echo(_("This password is shown only now. Log in and choose a new password."))
    click.echo(line)


# --- demo data ----------------------------------------------------------------------


@click.command("demo-data")
@click.option("--customers", default=1000, show_default=True, help="How many customers.")
@click.option("--seed", default=1, show_default=True, help="Same seed, same data.")
def demo_data_command(customers, seed):
    """Fill the register with realistic, made-up Finnish customers (no henkilötunnus)."""
    from services import demo_data

    sections = list(Section.select().order_by(Section.id))
    with click.progressbar(length=customers, label=_("Creating customers")) as bar:
        counts = demo_data.generate(customers, seed=seed, sections=sections, progress=bar.update)
    database.optimize()
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


# --- audit --------------------------------------------------------------------------

audit_cli = AppGroup("audit", help="The audit log (906/2019 §17).")


@audit_cli.command("verify")
def audit_verify():
    """Check the audit log's hash chain; exit 1 when it is broken."""
    from services import audit

    ok, broken_id, checked = audit.verify()
    # A status line for people and monitoring alike, untranslated like `db upgrade`'s.
    if ok:
        click.echo(f"audit chain intact: {checked} events")
        return
    click.echo(f"audit chain broken at event #{broken_id}")
    raise SystemExit(1)


# --- inspection requests -----------------------------------------------------------------

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


# --- retention purge (seed §12) ---------------------------------------------------------

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
    if section_code:
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
        # Held customers by number (no names): each hold and its reason.
        for customer_id in part.held:
            reasons = "; ".join(str(h) for h in result.holds.get(customer_id, ()))
            click.echo(f"  held customer {customer_id}: {reasons}")
    click.echo(f"fingerprint {result.fingerprint}")


@retention_cli.command("purge")
@click.option("--confirmed-run", "run_id", type=int, required=True,
              help="The purge the controller confirmed on the preview page.")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=None,
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

    try:
        run = retention.execute(run_id, batch_size=batch_size or default_batch,
                                progress=progress, inside_batch=inside_batch)
    except RegisterError as e:
        _fail(e)
    click.echo(f"purge {run.id} finished: {run.deleted} deleted, {run.minimised} minimised, "
               f"{run.skipped} skipped")


# --- backups (seed §11) -----------------------------------------------------------------

backup_cli = AppGroup("backup", help="Backups: take, list, verify, restore and drill (seed §11).")


def _backup_settings():
    from flask import current_app

    from services import backup

    return backup.Settings.from_app(current_app)


def _problems(problems):
    """Print a backup's problems in the user's language, on standard error."""
    for message, params in problems:
        click.echo(_(message, **params), err=True)


def _when(moment):
    return export_datetime(moment)


@backup_cli.command("create")
@click.option("--wait", type=click.IntRange(0), default=600, show_default=True,
              help="Seconds to wait while another process is taking a backup.")
def backup_create(wait):
    """Take a verified backup now and rotate the old ones (for cron)."""
    from services import backup

    try:
        taken = backup.create_backup(_backup_settings(), wait=wait)
    except RegisterError as e:
        _fail(e)
    # Status lines for people and cron mail alike, untranslated like `audit verify`'s.
    if not taken.good:
        click.echo(f"backup {taken.name} FAILED")
        _problems([taken.error])
        raise SystemExit(1)
    click.echo(f"backup {taken.name} taken: {taken.size} bytes, {taken.rows} rows, "
               f"{taken.manifest['verification']}")


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
        _fail(e)
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
        _fail(e)
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
        _fail(e)
    _print_tables(("table", "backup", "restored", "live"), entry["tables"])
    state = "ok" if entry["ok"] else "FAILED"
    click.echo(f"restore drill of {entry['backup']}: {state} ({entry['audit_checked']} audit "
               f"events, {entry['duration_seconds']} s)")
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
                   f"({drill['backup']})")
    else:
        click.echo("last drill: none")
    if status["expires_by"]:
        click.echo(f"backups kept: {status['kept']}, all rotated out by "
                   f"{_when(status['expires_by'])}")
    if status["late"] or (drill and not drill["ok"]):
        raise SystemExit(1)


def _print_tables(headings, rows):
    click.echo(f"{headings[0]:<28}" + "".join(f"{h:>12}" for h in headings[1:]))
    for table, *counts in rows:
        click.echo(f"{table:<28}" + "".join(f"{'-' if n is None else n:>12}" for n in counts))
