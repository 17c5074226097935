"""The restore drill: the newest backup restored into a scratch database, compared, logged."""

import contextlib
import datetime
import json
import logging
import pathlib
import sqlite3
import tempfile
import time

from models import utcnow
import services.backup.alerts as alerts
from services.backup.errors import BackupError, DrillBusy
from services.backup.files import (
    directory_lock,
    ensure_directory,
    locked,
    plain,
    write_private,
)
from services.backup.manifest import check_problem, naive_time, newest_good, whole_number
from services.backup.offsite import offsite_settings
from services.backup.restoring import restore_backup
from services.backup.target import Target, read_snapshot
from services.errors import N_

log = logging.getLogger("register.backup")

DRILL_LOG = "drill-log.json"
DRILL_LOG_LOCK = "drill-log.lock"  # taken while the log is read and written again
# Taken by a drill on PostgreSQL, whose scratch database has one name: drills take turns.
DRILL_LOCK = "drill.lock"
DRILL_LOG_KEEP = 100
SOURCES = ("local", "offsite")  # which copy a drill restored


def drill(settings, now=None, wait=600):
    """Restore the newest good backup into a scratch database, compare, log; return the entry.

    ``wait`` is how many seconds to wait while a backup is being taken before giving up
    with ``BackupBusy`` (the page waits for none: it holds a server's worker meanwhile).

    With an off-site folder set (BACKUP_OFFSITE), the backup is the newest copy there,
    decrypted with BACKUP_KEY when encrypted: the drill shows that the second place alone
    is enough. ``source`` in the entry says which ("local" or "offsite"). A failed drill is
    notified to maintenance and the responsible person (``alerts``).

    The restored row counts must equal those recorded in the manifest (the live database
    may have changed since: its counts are reported beside them); the checksum, integrity
    and audit chain must hold. The scratch database (a temporary SQLite file, or the
    PostgreSQL database ``<live>_drill``: drills on PostgreSQL take turns, waiting
    ``wait`` seconds for another to end) is removed afterwards. The result is appended to
    ``drill-log.json`` in the backup directory and returned.
    """
    directory = ensure_directory(settings.directory)
    started_at, started = now or utcnow(), time.monotonic()
    offsite = offsite_settings(settings)
    entry = {"at": started_at.isoformat(), "ok": False, "backup": None,
             "backup_created_at": None, "problems": [], "tables": [], "audit_checked": 0,
             "source": "local" if offsite is None else "offsite",
             "encrypted": False}
    with _one_scratch_database(settings, directory, wait), \
            directory_lock(directory, exclusive=False, wait=wait):
        backup = newest_good(offsite or settings)
        if backup is None:
            raise _nothing_to_drill(offsite)
        entry.update(backup=backup.name, backup_created_at=backup.manifest["created_at"],
                     encrypted=backup.encrypted)
        try:
            report = _drill_restore(settings, backup, directory)
            entry["problems"] = [list(p) for p in report.problems]
            entry["audit_checked"] = report.audit_checked
            live = _live_counts(settings)
            entry["tables"] = [[table, recorded, restored, live.get(table)]
                               for table, recorded, restored in report.tables]
            entry["ok"] = report.ok
        except BackupError as e:
            entry["problems"].append([e.message, plain(e.params)])
        except Exception as e:  # noqa: BLE001 - a failed drill is logged, not raised
            log.exception("restore drill of %s failed", backup.name)
            entry["problems"].append([N_("The drill failed unexpectedly: %(error)s"),
                                      {"error": f"{type(e).__name__}: {e}"}])
    entry["duration_seconds"] = round(time.monotonic() - started, 3)
    _append_drill(directory, entry)
    log.info("restore drill of %s from the %s copy: %s", entry["backup"], entry["source"],
             "ok" if entry["ok"] else "FAILED")
    if not entry["ok"]:
        alerts.drill_failed(entry, started_at)
    return entry


def _one_scratch_database(settings, directory, wait):
    """Hold the drills' own lock when the scratch database is PostgreSQL's ``<live>_drill``
    (one name: a second drill would drop the first's); SQLite's are files of their own."""
    if Target.parse(settings.database_url).kind == "sqlite":
        return contextlib.nullcontext()
    return locked(directory / DRILL_LOCK, exclusive=True, wait=wait, busy=DrillBusy(N_(
        "Another restore drill is running right now. Try again when it has finished.")))


def _nothing_to_drill(offsite):
    if offsite is None:
        return BackupError(N_("There is no good backup to test. Take one first: "
                              "flask --app app backup create"))
    return BackupError(N_("The off-site folder %(folder)s holds no checked backup to test. "
                          "Check that it is mounted, then take a backup: flask --app app "
                          "backup create"), folder=str(offsite.directory))


def _drill_restore(settings, backup, directory):
    # ``backup`` may be an off-site copy: the restore reads it there and decrypts it into
    # the local folder. The scratch SQLite file is in the local folder (private, 0700).
    live = Target.parse(settings.database_url)
    if live.kind == "sqlite":
        with tempfile.TemporaryDirectory(dir=directory, prefix=".drill-") as scratch:
            target = Target("sqlite", path=pathlib.Path(scratch) / "drill.db")
            return restore_backup(settings, backup, target)
    scratch = live.with_database(f"{live.database}_drill"[:63])
    scratch.drop_database()
    try:
        return restore_backup(settings, backup, scratch)
    finally:
        scratch.drop_database()


def _live_counts(settings):
    """Return the live database's row count per table (for reading beside a drill)."""
    target = Target.parse(settings.database_url)
    if target.kind == "sqlite":
        conn = sqlite3.connect(str(target.path), timeout=60)
    else:
        import psycopg2

        conn = psycopg2.connect(**target.connect_params())
    try:
        return read_snapshot(conn, target.kind)["tables"]
    finally:
        conn.close()


def drill_log(settings):
    """Return the logged drills, newest first (an entry that cannot be read is skipped and
    logged)."""
    entries = []
    for entry in reversed(_read_drill_log(settings.directory)):
        try:
            entries.append(_check_entry(entry))
        except (AttributeError, TypeError, ValueError) as e:
            log.warning("unreadable entry of the drill log in %s: %s", settings.directory, e)
    return entries


def last_passed_drill(settings):
    """Return the naive UTC moment of the newest restore drill that passed, or None."""
    for entry in drill_log(settings):
        if entry["ok"]:
            return datetime.datetime.fromisoformat(entry["at"])
    return None


def _check_entry(entry):
    """Return ``entry`` as ``drill()`` logs it (a value it lacks given its default: no
    problems, no tables, local) if it is one; else ValueError."""
    if not isinstance(entry, dict):
        raise ValueError("not a drill")
    entry = {"backup": None, "problems": [], "tables": [], "source": "local", **entry}
    if not all(isinstance(entry[key], list) for key in ("problems", "tables")):
        raise ValueError("problems or tables is not a list")
    naive_time(entry.get("at"))
    if not isinstance(entry.get("ok"), bool) or entry.get("source", "local") not in SOURCES:
        raise ValueError("ok or source is not one of the values a drill logs")
    for key in ("backup", "backup_created_at"):
        if not isinstance(entry.get(key), (str, type(None))):
            raise ValueError(f"{key} is not text")
    for message, params in entry["problems"]:
        check_problem(message, params)
    for table, *counts in entry["tables"]:
        if not isinstance(table, str) or len(counts) != 3:
            raise ValueError("a table's row counts are not the three a drill logs")
        for count in counts:
            if count is not None:
                whole_number(count)
    whole_number(entry.get("audit_checked", 0))
    seconds = entry.get("duration_seconds", 0)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not (
            0 <= seconds < float("inf")):
        raise ValueError("duration_seconds is not a number of seconds")
    return entry


def _read_drill_log(directory):
    path = pathlib.Path(directory) / DRILL_LOG
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        log.warning("unreadable drill log %s: %s", path, e)
        return []
    if not isinstance(entries, list):
        log.warning("unreadable drill log %s: not a list of drills", path)
        return []
    return entries


def _append_drill(directory, entry):
    """Add ``entry`` to the drill log, keeping the newest DRILL_LOG_KEEP; drills ending at
    once take turns (the log's own lock), so none of their entries is lost."""
    directory = pathlib.Path(directory)
    with locked(directory / DRILL_LOG_LOCK, exclusive=True, wait=60):
        entries = (_read_drill_log(directory) + [entry])[-DRILL_LOG_KEEP:]
        write_private(directory / DRILL_LOG, json.dumps(entries, indent=1))
