"""Backups of the register (seed §11): taken, verified, rotated, restored and drilled.

A backup is a data file and its manifest beside it in the backup directory:

- ``register-20261125T103000Z.sqlite3`` — SQLite: a copy made with the online backup API
  (consistent while the register writes), checked with ``PRAGMA integrity_check``;
- ``register-20261125T103000Z.pgdump`` — PostgreSQL: ``pg_dump --format=custom`` of an
  exported snapshot, checked with ``pg_restore --list``;
- ``register-20261125T103000Z.json`` — the manifest: kind, time, size, SHA-256, the row
  count of every table and the audit log's head at the moment of the backup, and whether
  the backup passed its verification (``state`` "good" or "failed").

Rotation keeps the newest good backup of each of the last 7 days, 4 weeks and 12 months
(Helsinki calendar; configurable) and never the newest good backup. A restore goes into a
new database unless forced, checks the checksum first and then the restored database's
integrity, audit chain and row counts. A drill restores the newest backup into a scratch
database and logs the result in ``drill-log.json``. A file lock in the directory keeps two
processes from backing up at once; ``Scheduler`` takes backups while the server runs.

No Flask here: everything takes a ``Settings``. Passwords never appear on a command line
(PostgreSQL programs get them in ``PGPASSWORD``) nor in a manifest or log.
"""

import calendar
import contextlib
import dataclasses
import datetime
import fcntl
import hashlib
import json
import logging
import os
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from models import utcnow
from services.errors import N_, RegisterError
from services.localtime import HELSINKI, helsinki_date

log = logging.getLogger("register.backup")

ROOT = pathlib.Path(__file__).resolve().parent.parent

PREFIX = "register-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
DRILL_LOG = "drill-log.json"
DRILL_LOG_KEEP = 100
LOCK_FILE = ".lock"
MANIFEST_FORMAT = 1

# Defaults of the BACKUP_* settings.
INTERVAL_HOURS = 24
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
# A failed backup is tried again after this long (or the interval, if shorter).
RETRY_HOURS = 1
# Hosts that name this machine: a PostgreSQL URL naming one of them names the same server.
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


class BackupError(RegisterError):
    """A backup operation refused or failed; the message says what to do."""


class BackupBusy(BackupError):
    """Another process holds the backup directory's lock."""


# --- settings -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where and how often to back up, and how many backups to keep."""

    database_url: str
    directory: pathlib.Path
    interval_hours: float = INTERVAL_HOURS
    keep_daily: int = KEEP_DAILY
    keep_weekly: int = KEEP_WEEKLY
    keep_monthly: int = KEEP_MONTHLY
    pg_bin: str = None  # directory of pg_dump and pg_restore; None: from PATH

    @classmethod
    def from_config(cls, config, instance_path):
        """Read the BACKUP_* settings of a configuration mapping (the app's config)."""
        settings = cls(
            database_url=config["DATABASE_URL"],
            directory=pathlib.Path(config.get("BACKUP_DIR")
                                   or os.path.join(instance_path, "backups")),
            interval_hours=float(config.get("BACKUP_INTERVAL_HOURS", INTERVAL_HOURS)),
            keep_daily=int(config.get("BACKUP_KEEP_DAILY", KEEP_DAILY)),
            keep_weekly=int(config.get("BACKUP_KEEP_WEEKLY", KEEP_WEEKLY)),
            keep_monthly=int(config.get("BACKUP_KEEP_MONTHLY", KEEP_MONTHLY)),
            pg_bin=config.get("BACKUP_PG_BIN") or None,
        )
        if settings.interval_hours <= 0:
            raise ValueError("BACKUP_INTERVAL_HOURS must be more than 0")
        if min(settings.keep_daily, settings.keep_weekly, settings.keep_monthly) < 0:
            raise ValueError("BACKUP_KEEP_DAILY, _WEEKLY and _MONTHLY cannot be negative")
        return settings

    @property
    def interval(self):
        return datetime.timedelta(hours=self.interval_hours)

    @property
    def late_after(self):
        """A backup older than this is late: twice the interval."""
        return 2 * self.interval

    @property
    def kind(self):
        return Target.parse(self.database_url).kind


# --- the backups on disk ------------------------------------------------------------


@dataclasses.dataclass
class Backup:
    """One backup: its manifest and where its data file is."""

    manifest_path: pathlib.Path
    manifest: dict

    @property
    def name(self):
        return self.manifest["name"]

    @property
    def path(self):
        return self.manifest_path.parent / self.manifest["file"]

    @property
    def kind(self):
        return self.manifest["kind"]

    @property
    def state(self):
        return self.manifest["state"]

    @property
    def good(self):
        return self.manifest["state"] == "good"

    @property
    def created_at(self):
        return datetime.datetime.fromisoformat(self.manifest["created_at"])

    @property
    def size(self):
        return self.manifest.get("size") or 0

    @property
    def tables(self):
        return self.manifest.get("tables") or {}

    @property
    def rows(self):
        return sum(self.tables.values())

    @property
    def error(self):
        """The failure as ``(msgid, params)``, or None."""
        error = self.manifest.get("error")
        return (error["message"], error.get("params", {})) if error else None


def list_backups(settings):
    """Return every backup of the directory, newest first (a manifest that cannot be read
    is skipped and logged, and its files are never rotated away)."""
    directory = pathlib.Path(settings.directory)
    if not directory.is_dir():
        return []
    backups = []
    for path in directory.glob(PREFIX + "*.json"):
        try:
            backups.append(_load(path))
        except (OSError, ValueError) as e:
            log.warning("unreadable backup manifest %s: %s", path, e)
    backups.sort(key=lambda b: (b.created_at, b.name), reverse=True)
    return backups


MANIFEST_KEYS = ("name", "file", "kind", "state", "created_at")


def _load(manifest_path):
    """Read a backup's manifest; ValueError when the file is not one."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not all(
            isinstance(manifest.get(key), str) for key in MANIFEST_KEYS):
        raise ValueError("not a backup manifest")
    if pathlib.PurePath(manifest["file"]).name != manifest["file"]:
        raise ValueError("the manifest names a file outside its folder")
    backup = Backup(manifest_path, manifest)
    backup.created_at  # noqa: B018 - a time that cannot be read makes it unreadable
    return backup


def newest_good(settings):
    """Return the newest backup that passed its verification, or None."""
    return next((b for b in list_backups(settings) if b.good), None)


def find_backup(settings, file):
    """Return the backup named by ``file``: its name, its data file or its manifest."""
    given = pathlib.Path(file)
    candidates = [given] if given.is_absolute() or given.exists() else []
    candidates.append(pathlib.Path(settings.directory) / given.name)
    for path in candidates:
        if path.suffix == ".json":
            manifest = path
        elif path.suffix in SUFFIXES.values():
            manifest = path.with_suffix(".json")
        else:  # a backup's name
            manifest = path.with_name(path.name + ".json")
        if manifest.exists():
            try:
                return _load(manifest)
            except (OSError, ValueError) as e:
                raise BackupError(N_("The manifest %(manifest)s cannot be read (%(error)s), "
                                     "so the backup's checksum cannot be checked. Restore "
                                     "another backup (flask --app app backup list)."),
                                  manifest=str(manifest), error=str(e)) from e
        if path.exists():
            raise BackupError(N_("The backup %(name)s has no manifest (%(manifest)s), so its "
                                 "checksum cannot be checked. Restore a backup the register "
                                 "took (flask --app app backup list)."),
                              name=path.name, manifest=manifest.name)
    raise BackupError(N_("There is no backup %(file)s. Give a name from "
                         "'flask --app app backup list' or the path of a backup file."),
                      file=str(file))


# --- taking a backup ----------------------------------------------------------------


def create_backup(settings, now=None, wait=0.0):
    """Take, verify and record a backup, then rotate; return the new ``Backup``.

    A backup that fails (the copy, the dump or its verification) is recorded with state
    "failed" and returned: the good ones before it stay. ``wait`` is how many seconds to
    wait for another process's backup to end before giving up with ``BackupBusy``.
    """
    directory = _ensure_directory(settings.directory)
    with _lock(directory, exclusive=True, wait=wait):
        backup = _create_locked(settings, now or utcnow())
        if backup.good:
            _rotate_locked(settings, now)
    return backup


def _create_locked(settings, now):
    directory = pathlib.Path(settings.directory)
    for stale in directory.glob(PREFIX + "*.part"):  # left by a process that died
        stale.unlink(missing_ok=True)
    target = Target.parse(settings.database_url)
    name = _free_name(directory, now)
    data = directory / (name + SUFFIXES[target.kind])
    part = directory / (data.name + ".part")
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": name,
        "file": data.name,
        "kind": target.kind,
        "database": target.display_name,
        "created_at": now.isoformat(),
        "state": "failed",
        "size": 0,
        "sha256": None,
        "tables": {},
        "audit_head": None,
        "migration": None,
        "verification": None,
        "error": None,
    }
    started = time.monotonic()
    try:
        if target.kind == "sqlite":
            snapshot = _backup_sqlite(target, part)
            verification = _verify_sqlite_file(part)
        else:
            snapshot = _backup_postgres(target, part, settings.pg_bin)
            verification = _verify_pgdump_file(part, snapshot["tables"], settings.pg_bin)
        manifest.update(snapshot)
        manifest["size"] = part.stat().st_size
        manifest["sha256"] = _sha256(part)
        manifest["verification"] = verification
        _fsync(part)
        os.replace(part, data)
        manifest["state"] = "good"
    except BackupError as e:
        manifest["error"] = {"message": e.message, "params": _plain(e.params)}
        log.error("backup %s failed: %s", name, e)
        if part.exists():
            os.replace(part, data)  # kept for a look until a good backup rotates it away
            manifest["size"] = data.stat().st_size
    except Exception as e:  # noqa: BLE001 - recorded as a failed backup, then logged
        manifest["error"] = {"message": N_("The backup failed unexpectedly: %(error)s"),
                             "params": {"error": f"{type(e).__name__}: {e}"}}
        log.exception("backup %s failed", name)
        part.unlink(missing_ok=True)
    manifest["duration_seconds"] = round(time.monotonic() - started, 3)
    manifest_path = directory / (name + ".json")
    _write_private(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
    _fsync_directory(directory)
    if manifest["state"] == "good":
        log.info("backup %s taken: %s bytes, %s rows", name, manifest["size"],
                 sum(manifest["tables"].values()))
    return Backup(manifest_path, manifest)


def _free_name(directory, now):
    base = PREFIX + now.strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (directory / (name + ".json")).exists() or any(directory.glob(name + ".*")):
        name, n = f"{base}-{n}", n + 1
    return name


def _backup_sqlite(target, part):
    """Copy the live SQLite database into ``part`` with the online backup API."""
    if not target.path.exists():
        raise BackupError(N_("The database file %(path)s does not exist."), path=str(target.path))
    _create_private(part)
    source = sqlite3.connect(str(target.path), timeout=60)
    try:
        copy = sqlite3.connect(str(part))
        try:
            # One step (pages=-1): the whole copy is read inside one read transaction, so
            # it is one consistent state however much the register writes meanwhile.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return _snapshot(copy, "sqlite")
        finally:
            copy.close()
    finally:
        source.close()


def _backup_postgres(target, part, pg_bin):
    """Dump the live PostgreSQL database into ``part`` (custom format) from one snapshot.

    The row counts are read in a REPEATABLE READ transaction whose snapshot pg_dump is
    given (``--snapshot``), so they count exactly the rows in the dump.
    """
    import psycopg2

    try:
        conn = psycopg2.connect(**target.connect_params())
    except psycopg2.Error as e:
        raise BackupError(N_("Cannot connect to the database %(database)s: %(error)s"),
                          database=target.display_name, error=_first_line(e)) from e
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot_id = cur.fetchone()[0]
        snapshot = _snapshot(conn, "postgresql")
        _create_private(part)
        with open(part, "wb") as out:
            _run(pg_bin, "pg_dump", ["--format=custom", "--no-password",
                                     f"--snapshot={snapshot_id}"],
                 env=target.pg_env(), stdout=out)
        conn.rollback()
        return snapshot
    finally:
        conn.close()


def _verify_sqlite_file(path):
    """Check a SQLite copy with ``integrity_check`` and ``foreign_key_check``."""
    conn = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1",
                           uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(N_("The integrity check of the copy failed: %(error)s"),
                              error="; ".join(result[:5]))
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            raise BackupError(N_("The integrity check of the copy failed: %(error)s"),
                              error=f"{len(orphans)} rows break a foreign key, e.g. in "
                                    f"{orphans[0][0]}")
    except sqlite3.DatabaseError as e:
        raise BackupError(N_("The integrity check of the copy failed: %(error)s"),
                          error=str(e)) from e
    finally:
        conn.close()
    return "integrity_check ok"


def _verify_pgdump_file(path, tables, pg_bin):
    """Check a dump with ``pg_restore --list``: readable, with the data of every table."""
    listing = _run(pg_bin, "pg_restore", ["--list", str(path)], env=_clean_env())
    dumped = set(re.findall(r"TABLE DATA \S+ (\S+)", listing))
    missing = sorted(set(tables) - dumped)
    if missing:
        raise BackupError(N_("The dump lacks the data of the tables %(tables)s."),
                          tables=", ".join(missing))
    return f"pg_restore --list ok: data of {len(dumped)} tables"


# --- verifying a backup file --------------------------------------------------------


def verify_backup(settings, file):
    """Check a backup's size and SHA-256 against its manifest, then its contents.

    Return ``(backup, problems)``: problems is a list of ``(msgid, params)``, empty when
    the backup is sound.
    """
    backup = find_backup(settings, file)
    problems = _checksum_problems(backup)
    if not problems:
        try:
            if backup.kind == "sqlite":
                _verify_sqlite_file(backup.path)
            else:
                _verify_pgdump_file(backup.path, backup.tables, settings.pg_bin)
        except BackupError as e:
            problems.append((e.message, e.params))
    return backup, problems


def _checksum_problems(backup):
    if not backup.good:
        return [(N_("The backup %(name)s failed its verification when it was taken; use an "
                    "earlier good backup."), {"name": backup.name})]
    if not backup.path.exists():
        return [(N_("The data file of the backup %(name)s is missing: %(file)s."),
                 {"name": backup.name, "file": str(backup.path)})]
    if backup.path.stat().st_size != backup.size or _sha256(backup.path) != backup.manifest[
            "sha256"]:
        return [(N_("The backup %(name)s is corrupted: its checksum does not match the one "
                    "recorded when it was taken. Use another backup (flask --app app backup "
                    "list)."), {"name": backup.name})]
    return []


# --- rotation -----------------------------------------------------------------------


def plan_rotation(backups, settings, now=None):
    """Return ``(keep, remove)``: the backups the policy keeps and those it removes.

    Kept: the newest good backup of each of the last ``keep_daily`` days, ``keep_weekly``
    ISO weeks and ``keep_monthly`` months (Helsinki calendar, counted back from ``now``),
    and always the newest good backup. A failed backup goes once a newer good one exists.
    """
    now = now or utcnow()
    good = sorted((b for b in backups if b.good), key=lambda b: b.created_at, reverse=True)
    kept = {good[0].name} if good else set()
    today = helsinki_date(now)
    for count, period in ((settings.keep_daily, _day), (settings.keep_weekly, _week),
                          (settings.keep_monthly, _month)):
        window = set(_last_periods(today, period, count))
        seen = set()
        for backup in good:
            key = period(helsinki_date(backup.created_at))
            if key in window and key not in seen:
                seen.add(key)
                kept.add(backup.name)
    newest_good_at = good[0].created_at if good else None
    keep, remove = [], []
    for backup in backups:
        if backup.name in kept or (not backup.good and (newest_good_at is None
                                                        or backup.created_at > newest_good_at)):
            keep.append(backup)
        else:
            remove.append(backup)
    return keep, remove


def rotate(settings, now=None):
    """Remove the backups the rotation policy no longer keeps; return their names."""
    directory = _ensure_directory(settings.directory)
    with _lock(directory, exclusive=True, wait=60):
        return _rotate_locked(settings, now)


def _rotate_locked(settings, now):
    _keep, remove = plan_rotation(list_backups(settings), settings, now)
    for backup in remove:
        backup.path.unlink(missing_ok=True)
        backup.manifest_path.unlink(missing_ok=True)
        log.info("backup %s rotated out", backup.name)
    if remove:
        _fsync_directory(settings.directory)
    return [b.name for b in remove]


def backups_expire_by(settings, now=None):
    """Return when every backup that exists now will have rotated out (naive UTC).

    Each backup leaves at the first rotation after the longest period of the policy that
    can keep it has passed (its day + keep_daily days, its week + keep_weekly weeks, its
    month + keep_monthly months, in Helsinki time); rotations run after each backup, one
    interval apart, so none is gone before ``now`` + one interval. A backup being taken
    right now counts as taken now. It assumes that backups go on being taken: the newest
    good backup is never removed. None when there are no backups.
    """
    now = now or utcnow()
    moments = [b.created_at for b in list_backups(settings)]
    if _backup_running(settings):
        moments.append(now)
    if not moments:
        return None
    # A backup past its periods is still here: the next rotation, an interval away at most,
    # removes it.
    return max(max(_expires(moment, settings) for moment in moments), now + settings.interval)


def backups_holding_expire_by(settings, moment):
    """Return when the last backup taken before ``moment`` that exists now rotates out
    (naive UTC), or None when no such backup is left: what still holds data deleted at
    ``moment`` (the purge log says it)."""
    older = [b.created_at for b in list_backups(settings) if b.created_at <= moment]
    if not older:
        return None
    return max(_expires(created_at, settings) for created_at in older)


def _expires(created_at, settings):
    day = helsinki_date(created_at)
    ends = [created_at]
    if settings.keep_daily:
        ends.append(_utc_midnight(day + datetime.timedelta(days=settings.keep_daily)))
    if settings.keep_weekly:
        ends.append(_utc_midnight(_week(day) + datetime.timedelta(weeks=settings.keep_weekly)))
    if settings.keep_monthly:
        ends.append(_utc_midnight(_add_months(day.replace(day=1), settings.keep_monthly)))
    return max(ends) + settings.interval


def _day(day):
    return day


def _week(day):
    return day - datetime.timedelta(days=day.weekday())


def _month(day):
    return day.replace(day=1)


def _last_periods(today, period, count):
    """Return the keys of the last ``count`` periods up to and including today's."""
    keys, key = [], period(today)
    for _ in range(count):
        keys.append(key)
        key = period(key - datetime.timedelta(days=1))
    return keys


def _add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _utc_midnight(day):
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=HELSINKI)
    return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)


# --- restoring ----------------------------------------------------------------------


@dataclasses.dataclass
class RestoreReport:
    """What a restore did and what its checks found."""

    backup: Backup
    target: str  # the target's URL without its password
    problems: list  # of (msgid, params); empty when every check passed
    integrity: str = ""
    audit_checked: int = 0
    tables: list = dataclasses.field(default_factory=list)  # (table, recorded, restored)

    @property
    def ok(self):
        return not self.problems


def restore(settings, file, target_url, force=False):
    """Restore the backup ``file`` into the database ``target_url``; return a RestoreReport.

    The target must be a new database (a SQLite file or a PostgreSQL database name that
    does not exist yet); an existing one is replaced only with ``force``, the live one too.
    The checksum is checked first (a corrupted file is refused), then the restored
    database's integrity, its audit chain and its row counts against the manifest.
    """
    backup = find_backup(settings, file)
    problems = _checksum_problems(backup)
    if problems:
        message, params = problems[0]
        raise BackupError(message, **params)
    target = Target.parse(target_url)
    if target.kind != backup.kind:
        raise BackupError(N_("A %(backup_kind)s backup cannot be restored into a "
                             "%(target_kind)s database."),
                          backup_kind=backup.kind, target_kind=target.kind)
    live = target.same_as(Target.parse(settings.database_url))
    if live and not force:
        raise BackupError(N_("%(target)s is the live database of the register. Restoring over "
                             "it replaces everything in it: restore into a new database, or "
                             "add --force if you really mean to replace the live data."),
                          target=target.display_url)
    if not live and not force and target.exists():
        raise BackupError(N_("%(target)s already exists. Restore into a new database (a new "
                             "file or database name), or add --force to replace it."),
                          target=target.display_url)
    if target.kind == "sqlite":
        return _restore_sqlite(settings, backup, target, live)
    return _restore_postgres(settings, backup, target, live)


def _restore_sqlite(settings, backup, target, live):
    if not target.path.parent.is_dir():
        raise BackupError(N_("The folder %(folder)s does not exist; create it first."),
                          folder=str(target.path.parent))
    if not live:
        for path in target.files():
            path.unlink(missing_ok=True)
        _copy_private(backup.path, target.path)
        return _check_restored(backup, target)
    # Over the live database: restore beside it, check, and only then copy it in with the
    # backup API, which takes the write lock and replaces every page at once.
    with tempfile.TemporaryDirectory(dir=target.path.parent, prefix=".restore-") as scratch:
        staged = Target("sqlite", path=pathlib.Path(scratch) / "restored.db")
        _copy_private(backup.path, staged.path)
        report = _check_restored(backup, staged)
        report.target = target.display_url
        if not report.ok:
            report.problems.append((N_("The live database was left as it was."), {}))
            return report
        source = sqlite3.connect(str(staged.path))
        dest = sqlite3.connect(str(target.path), timeout=60)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    return report


def _restore_postgres(settings, backup, target, live):
    options = ["--no-password", "--exit-on-error", "--single-transaction", "--no-owner",
               "--no-acl", f"--dbname={target.database}"]
    if live or target.exists():
        # Replaced (--force): its objects dropped and restored in one transaction, so a
        # failure leaves it as it was. The database itself is never dropped.
        options[:0] = ["--clean", "--if-exists"]
    else:
        target.create_database()
    try:
        _run(settings.pg_bin, "pg_restore", [*options, str(backup.path)], env=target.pg_env())
    except BackupError as e:
        return RestoreReport(backup, target.display_url, [
            (N_("The restore failed: %(error)s"), {"error": str(e)})])
    return _check_restored(backup, target)


def _check_restored(backup, target):
    """Inspect a restored database and compare it with the backup's manifest."""
    report = RestoreReport(backup, target.display_url, [])
    found = inspect_database(target.url)
    report.integrity = found["integrity"]
    report.audit_checked = found["audit"]["checked"]
    if found["integrity"] != "ok":
        report.problems.append((N_("The restored database failed its integrity check: "
                                   "%(error)s"), {"error": found["integrity"]}))
    if not found["audit"]["ok"]:
        report.problems.append((N_("The audit chain of the restored database is broken at "
                                   "event #%(id)s."), {"id": found["audit"]["broken_id"]}))
    recorded_head = (backup.manifest.get("audit_head") or {}).get("last_id")
    restored_head = (found["audit_head"] or {}).get("last_id")
    if recorded_head is not None and restored_head != recorded_head:
        report.problems.append((N_("The restored audit log ends at event #%(restored)s, but "
                                   "the backup recorded #%(recorded)s."),
                                {"restored": restored_head, "recorded": recorded_head}))
    recorded, restored = backup.tables, found["tables"]
    for table in sorted(set(recorded) | set(restored)):
        report.tables.append((table, recorded.get(table), restored.get(table)))
        if recorded.get(table) != restored.get(table):
            report.problems.append((N_("The table %(table)s has %(restored)s rows after the "
                                       "restore, but the backup recorded %(recorded)s."),
                                    {"table": table, "restored": restored.get(table),
                                     "recorded": recorded.get(table)}))
    return report


def inspect_database(url):
    """Return the integrity, audit chain and row counts of the database at ``url``.

    Runs ``services.audit.verify`` in a child process bound to that database, so this
    process's own database (the live one, in the server) is never rebound. The URL goes to
    the child on its standard input, never on its command line.
    """
    env = _clean_env()
    env.pop("REGISTER_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "services.backup", "inspect"],
                          input=json.dumps({"url": url}), capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)
    if proc.returncode != 0:
        raise BackupError(N_("Checking the restored database failed: %(error)s"),
                          error=_last_lines(proc.stderr))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _inspect_main():
    """``python -m services.backup inspect``: inspect the database named on stdin."""
    import database
    from models import db
    from services import audit

    url = json.load(sys.stdin)["url"]
    database.open_database(url)
    db.connect()
    conn = db.connection()
    kind = "sqlite" if database.is_sqlite() else "postgresql"
    integrity = _integrity(conn, kind)
    ok, broken_id, checked = audit.verify()
    result = {
        "integrity": integrity,
        "audit": {"ok": ok, "broken_id": broken_id, "checked": checked},
        **_snapshot(conn, kind),
    }
    db.close()
    print(json.dumps(result))


def _integrity(conn, kind):
    """Return "ok" or what is wrong with the database behind the DB-API ``conn``."""
    cur = conn.cursor()
    try:
        if kind == "sqlite":
            result = [row[0] for row in cur.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                return "; ".join(result[:5])
            orphans = cur.execute("PRAGMA foreign_key_check").fetchall()
            if orphans:
                return f"{len(orphans)} rows break a foreign key, e.g. in {orphans[0][0]}"
            for (table,) in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'").fetchall():
                # FTS5's own check: the search index matches the rows it indexes.
                cur.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
            conn.commit()
        else:
            cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint "
                        "WHERE NOT convalidated")
            invalid = cur.fetchall()
            conn.rollback()
            if invalid:
                return "constraints not validated: " + ", ".join(f"{t}.{c}" for t, c in invalid)
    except (sqlite3.DatabaseError, ValueError) as e:
        return str(e)
    finally:
        cur.close()
    return "ok"


# --- the restore drill --------------------------------------------------------------


def drill(settings, now=None):
    """Restore the newest good backup into a scratch database, compare, log; return the entry.

    The restored row counts must equal those recorded in the manifest (the live database
    may have changed since: its counts are reported beside them); the checksum, integrity
    and audit chain must hold. The scratch database (a temporary SQLite file, or the
    PostgreSQL database ``<live>_drill``) is removed afterwards. The result is appended to
    ``drill-log.json`` in the backup directory and returned.
    """
    directory = _ensure_directory(settings.directory)
    started_at, started = now or utcnow(), time.monotonic()
    entry = {"at": started_at.isoformat(), "ok": False, "backup": None,
             "backup_created_at": None, "problems": [], "tables": [], "audit_checked": 0}
    with _lock(directory, exclusive=False, wait=600):
        backup = newest_good(settings)
        if backup is None:
            raise BackupError(N_("There is no good backup to test. Take one first: "
                                 "flask --app app backup create"))
        entry.update(backup=backup.name, backup_created_at=backup.manifest["created_at"])
        try:
            report = _drill_restore(settings, backup, directory)
            entry["problems"] = [list(p) for p in report.problems]
            entry["audit_checked"] = report.audit_checked
            live = _live_counts(settings)
            entry["tables"] = [[table, recorded, restored, live.get(table)]
                               for table, recorded, restored in report.tables]
            entry["ok"] = report.ok
        except BackupError as e:
            entry["problems"].append([e.message, _plain(e.params)])
        except Exception as e:  # noqa: BLE001 - a failed drill is logged, not raised
            log.exception("restore drill of %s failed", backup.name)
            entry["problems"].append([N_("The drill failed unexpectedly: %(error)s"),
                                      {"error": f"{type(e).__name__}: {e}"}])
    entry["duration_seconds"] = round(time.monotonic() - started, 3)
    _append_drill(directory, entry)
    log.info("restore drill of %s: %s", entry["backup"], "ok" if entry["ok"] else "FAILED")
    return entry


def _drill_restore(settings, backup, directory):
    live = Target.parse(settings.database_url)
    if live.kind == "sqlite":
        with tempfile.TemporaryDirectory(dir=directory, prefix=".drill-") as scratch:
            target = Target("sqlite", path=pathlib.Path(scratch) / "drill.db")
            return restore(settings, backup.manifest_path, target.url)
    scratch = live.with_database(f"{live.database}_drill"[:63])
    scratch.drop_database()
    try:
        return restore(settings, backup.manifest_path, scratch.url)
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
        return _snapshot(conn, target.kind)["tables"]
    finally:
        conn.close()


def drill_log(settings):
    """Return the logged drills, newest first."""
    return list(reversed(_read_drill_log(settings.directory)))


def _read_drill_log(directory):
    path = pathlib.Path(directory) / DRILL_LOG
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        log.warning("unreadable drill log %s: %s", path, e)
        return []


def _append_drill(directory, entry):
    entries = (_read_drill_log(directory) + [entry])[-DRILL_LOG_KEEP:]
    _write_private(pathlib.Path(directory) / DRILL_LOG, json.dumps(entries, indent=1))


# --- status -------------------------------------------------------------------------


def status(settings, now=None):
    """Return the backup status for the front page, the status page and monitoring.

    ``last_good``: the newest good backup (name, created_at, age, size) or None; ``late``:
    no good backup, or it is older than twice the interval; ``last_failed``: a failed
    attempt newer than the last good backup, or None; ``last_drill``: the newest drill
    (at, ok, backup) or None; ``expires_by``: see ``backups_expire_by``.
    """
    now = now or utcnow()
    backups = list_backups(settings)
    good = next((b for b in backups if b.good), None)
    failed = next((b for b in backups if not b.good), None)
    if failed is not None and good is not None and failed.created_at < good.created_at:
        failed = None
    drills = drill_log(settings)
    last_drill = None
    if drills:
        d = drills[0]
        last_drill = {"at": datetime.datetime.fromisoformat(d["at"]), "ok": d["ok"],
                      "backup": d["backup"], "problems": d["problems"]}
    age = now - good.created_at if good else None
    return {
        "interval_hours": settings.interval_hours,
        "late_after": settings.late_after,
        "last_good": None if good is None else {
            "name": good.name, "created_at": good.created_at, "age": age, "size": good.size},
        "late": good is None or age > settings.late_after,
        "last_failed": None if failed is None else {
            "name": failed.name, "created_at": failed.created_at, "error": failed.error},
        "last_drill": last_drill,
        "kept": sum(1 for b in backups if b.good),
        "expires_by": backups_expire_by(settings, now),
    }


# --- the scheduler ------------------------------------------------------------------


class Scheduler:
    """Take a backup whenever the newest good one is an interval old, while running.

    Several processes may each run one: the directory's lock and a fresh look at the
    newest backup once the lock is held make sure one backup is taken per interval. A
    failed backup is tried again after an hour (or the interval, if shorter).
    """

    def __init__(self, settings, clock=utcnow, tick=None):
        self.settings = settings
        self.clock = clock
        seconds = settings.interval.total_seconds()
        self.tick = tick if tick is not None else min(60.0, max(0.05, seconds / 20))
        self.retry = min(settings.interval, datetime.timedelta(hours=RETRY_HOURS))
        self._stop = threading.Event()
        self.thread = None

    def due(self, now):
        """Tell whether a backup should be taken at ``now``."""
        backups = list_backups(self.settings)
        good = next((b for b in backups if b.good), None)
        if good is not None and now - good.created_at < self.settings.interval:
            return False
        return not backups or now - backups[0].created_at >= self.retry

    def run_once(self):
        """Take a backup if one is due and no other process is taking one; return it."""
        if not self.due(self.clock()):
            return None
        directory = _ensure_directory(self.settings.directory)
        try:
            with _lock(directory, exclusive=True, wait=0):
                now = self.clock()
                if not self.due(now):  # another process took it meanwhile
                    return None
                backup = _create_locked(self.settings, now)
                if backup.good:
                    _rotate_locked(self.settings, now)
                return backup
        except BackupBusy:
            return None

    def start(self):
        """Start the background thread (a daemon: it ends with the server)."""
        self.thread = threading.Thread(target=self._loop, name="register-backup", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout=30):
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    def _loop(self):
        log.info("backup scheduler started: every %s hours into %s",
                 self.settings.interval_hours, self.settings.directory)
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the scheduler outlives one bad attempt
                log.exception("scheduled backup failed")
            self._stop.wait(self.tick)


_schedulers = {}
_schedulers_lock = threading.Lock()


def start_scheduler(settings, **options):
    """Start the scheduler of ``settings.directory`` unless this process already runs one."""
    key = str(pathlib.Path(settings.directory).resolve())
    with _schedulers_lock:
        scheduler = _schedulers.get(key)
        if scheduler is None or not scheduler.running:
            scheduler = _schedulers[key] = Scheduler(settings, **options).start()
        return scheduler


def running_scheduler(settings):
    """Return this process's running scheduler of ``settings.directory``, or None."""
    scheduler = _schedulers.get(str(pathlib.Path(settings.directory).resolve()))
    return scheduler if scheduler is not None and scheduler.running else None


def stop_scheduler(settings):
    """Stop this process's scheduler of ``settings.directory`` (tests)."""
    with _schedulers_lock:
        scheduler = _schedulers.pop(str(pathlib.Path(settings.directory).resolve()), None)
    if scheduler is not None:
        scheduler.stop()


# --- databases ----------------------------------------------------------------------


@dataclasses.dataclass
class Target:
    """A database named by a URL: a SQLite file or a PostgreSQL database."""

    kind: str
    path: pathlib.Path = None  # SQLite
    params: dict = None  # PostgreSQL: host, port, user, password, dbname, options

    @classmethod
    def parse(cls, url):
        url = str(url)
        if "://" not in url:  # a bare path names a SQLite file
            return cls("sqlite", path=pathlib.Path(url).absolute())
        scheme, rest = url.split("://", 1)
        scheme = scheme.split("+", 1)[0]
        if scheme in ("sqlite",):
            path = rest[1:] if rest.startswith("/") else rest
            path = path.split("?", 1)[0]
            if not path or path == ":memory:":
                raise BackupError(N_("An in-memory database cannot be backed up or restored."))
            return cls("sqlite", path=pathlib.Path(urllib.parse.unquote(path)).absolute())
        if scheme in ("postgresql", "postgres"):
            parsed = urllib.parse.urlsplit("postgresql://" + rest)
            database = urllib.parse.unquote(parsed.path.lstrip("/"))
            if not database:
                raise BackupError(N_("The PostgreSQL URL %(target)s names no database."),
                                  target=_redact(url))
            options = dict(urllib.parse.parse_qsl(parsed.query))
            return cls("postgresql", params={
                "host": parsed.hostname or "",
                "port": parsed.port or 5432,
                "user": urllib.parse.unquote(parsed.username or ""),
                "password": urllib.parse.unquote(parsed.password or ""),
                "dbname": database,
                "options": options,
            })
        raise BackupError(N_("Give the database as sqlite:///path or "
                             "postgresql://user:password@host/database, not %(target)s."),
                          target=_redact(url))

    # --- names

    @property
    def database(self):
        return self.params["dbname"]

    @property
    def url(self):
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        p = self.params
        auth = urllib.parse.quote(p["user"], safe="")
        if p["password"]:
            auth += ":" + urllib.parse.quote(p["password"], safe="")
        query = ("?" + urllib.parse.urlencode(p["options"])) if p["options"] else ""
        return (f"postgresql://{auth}@{p['host']}:{p['port']}/"
                f"{urllib.parse.quote(p['dbname'], safe='')}{query}")

    @property
    def display_url(self):
        return _redact(self.url)

    @property
    def display_name(self):
        return self.path.name if self.kind == "sqlite" else self.database

    def same_as(self, other):
        """Tell whether two targets name the same database."""
        if self.kind != other.kind:
            return False
        if self.kind == "sqlite":
            try:
                return self.path.resolve() == other.path.resolve() or (
                    self.path.exists() and other.path.exists()
                    and os.path.samefile(self.path, other.path))
            except OSError:
                return False
        a, b = self.params, other.params
        same_host = a["host"] == b["host"] or {a["host"], b["host"]} <= LOCAL_HOSTS
        return same_host and a["port"] == b["port"] and a["dbname"] == b["dbname"]

    def with_database(self, name):
        return Target("postgresql", params={**self.params, "dbname": name})

    def files(self):
        """A SQLite database's files: the database, its write-ahead log and index."""
        return [self.path, self.path.with_name(self.path.name + "-wal"),
                self.path.with_name(self.path.name + "-shm")]

    # --- PostgreSQL connections

    def connect_params(self, database=None):
        p = self.params
        params = {"dbname": database or p["dbname"], "user": p["user"] or None,
                  "password": p["password"] or None, "host": p["host"] or None,
                  "port": p["port"], **p["options"]}
        return {k: v for k, v in params.items() if v is not None}

    def pg_env(self):
        """The environment for pg_dump and pg_restore: the connection, password included."""
        p = self.params
        env = _clean_env()
        env.update({"PGHOST": p["host"], "PGPORT": str(p["port"]), "PGUSER": p["user"],
                    "PGPASSWORD": p["password"], "PGDATABASE": p["dbname"]})
        for key, value in p["options"].items():
            if key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
                env["PG" + key.upper()] = value
        return {k: v for k, v in env.items() if v != ""}

    def _admin(self):
        """An autocommit connection to the server's maintenance database."""
        import psycopg2

        error = None
        for database in ("postgres", "template1"):
            try:
                conn = psycopg2.connect(**self.connect_params(database))
                conn.autocommit = True
                return conn
            except psycopg2.Error as e:
                error = e
        raise BackupError(N_("Cannot connect to the PostgreSQL server of %(target)s: "
                             "%(error)s"), target=self.display_url, error=_first_line(error))

    def exists(self):
        if self.kind == "sqlite":
            return self.path.exists() and self.path.stat().st_size > 0
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,))
                return cur.fetchone() is not None
        finally:
            conn.close()

    def create_database(self):
        import psycopg2
        from psycopg2 import sql

        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        except psycopg2.Error as e:
            raise BackupError(N_("Cannot create the database %(database)s: %(error)s. The "
                                 "database user needs the CREATEDB right, or create the "
                                 "database first and restore with --force."),
                              database=self.database, error=_first_line(e)) from e
        finally:
            conn.close()

    def drop_database(self):
        """Drop the database if it exists (a scratch or replaced one, never the live one)."""
        import psycopg2
        from psycopg2 import sql

        name = sql.Identifier(self.database)
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                # Not WITH (FORCE): that fails when autovacuum works in the database (ending
                # it needs the pg_signal_backend role), while a plain DROP makes it leave.
                for attempt in range(10):
                    try:
                        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
                        break
                    except psycopg2.errors.ObjectInUse:
                        if attempt == 9:
                            raise
                        # Sessions of our own left in it (a killed restore): end them.
                        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = %s AND usename = current_user "
                                    "AND pid <> pg_backend_pid()", (self.database,))
                        time.sleep(0.2)
        except psycopg2.Error as e:
            raise BackupError(N_("Cannot remove the database %(database)s: %(error)s"),
                              database=self.database, error=_first_line(e)) from e
        finally:
            conn.close()


def _snapshot(conn, kind):
    """Return the row count of every table, the audit head and the newest migration, read
    through the DB-API connection ``conn`` (inside its current transaction)."""
    cur = conn.cursor()
    try:
        tables = _table_names(cur, kind)
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
        head = migration = None
        if "audit_head" in counts:
            cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            row = cur.fetchone()
            head = {"last_id": row[0], "last_hash": row[1]} if row else None
        if "migratehistory" in counts:
            cur.execute("SELECT name FROM migratehistory ORDER BY id DESC LIMIT 1")
            row = cur.fetchone()
            migration = row[0] if row else None
        return {"tables": counts, "audit_head": head, "migration": migration}
    finally:
        cur.close()


def _table_names(cur, kind):
    """Return the names of the database's own tables (not SQLite's or FTS5's internals)."""
    if kind == "postgresql":
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
        return [row[0] for row in cur.fetchall()]
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    rows = cur.fetchall()
    virtual = [name for name, sql_text in rows
               if (sql_text or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _sql in rows
            if not name.startswith("sqlite_") and name not in virtual
            and not any(name.startswith(v + "_") for v in virtual)]


def _run(pg_bin, program, args, env, stdout=None):
    """Run a PostgreSQL client program; return its output, or raise BackupError."""
    executable = os.path.join(pg_bin, program) if pg_bin else shutil.which(program)
    if not executable or not os.path.exists(executable):
        raise BackupError(N_("%(program)s was not found. Install the PostgreSQL client "
                             "programs (apt-get install postgresql-client-15) or set "
                             "BACKUP_PG_BIN to their folder."), program=program)
    proc = subprocess.run([executable, *args], env=env, check=False,
                          stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise BackupError(N_("%(program)s failed: %(error)s"), program=program,
                          error=_last_lines(proc.stderr.decode("utf-8", "replace")))
    return proc.stdout.decode("utf-8", "replace") if stdout is None else ""


def _backup_running(settings):
    """Tell whether some process holds the directory's lock exclusively (a backup)."""
    path = pathlib.Path(settings.directory) / LOCK_FILE
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


# --- files --------------------------------------------------------------------------


@contextlib.contextmanager
def _lock(directory, exclusive, wait):
    """Hold the backup directory's lock: exclusive to back up or rotate, shared to read."""
    fd = os.open(pathlib.Path(directory) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BackupBusy(N_("Another backup is being taken right now. Try again "
                                        "in a few minutes.")) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _ensure_directory(directory):
    """Create the backup directory (mode 0700) if needed; tighten its mode; return it."""
    directory = pathlib.Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        os.chmod(directory, 0o700)
    return directory


def _create_private(path):
    """Create (or empty) ``path`` readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)


def _write_private(path, text):
    """Write ``text`` to ``path`` atomically, mode 0600."""
    path = pathlib.Path(path)
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, path)


def _copy_private(source, destination):
    """Copy a file to a new 0600 file, atomically and durably."""
    destination = pathlib.Path(destination)
    part = destination.with_name(destination.name + ".part")
    _create_private(part)
    with open(source, "rb") as src, open(part, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(part, destination)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clean_env():
    """This process's environment without any PostgreSQL connection settings of its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _redact(url):
    """Return ``url`` with its password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def _first_line(error):
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _last_lines(text, count=3):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " ".join(lines[-count:]) or "?"


def _plain(params):
    """Return ``params`` with values JSON can hold."""
    return {k: v if isinstance(v, (int, float, str, type(None))) else str(v)
            for k, v in params.items()}


if __name__ == "__main__":
    if sys.argv[1:] == ["inspect"]:
        _inspect_main()
    else:
        sys.exit("usage: python -m services.backup inspect  (the database URL as JSON on stdin)")
