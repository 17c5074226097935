"""Restoring a backup into a database, and checking what was restored."""

import dataclasses
import json
import pathlib
import sqlite3
import subprocess
import sys
import tempfile

from services.backup.errors import BackupError
from services.backup.files import copy_private
from services.backup.manifest import Backup, find_backup
from services.backup.target import Target, clean_env, last_lines, read_snapshot, run_pg_program
from services.backup.verify import checksum_problems, plain_file
from services.errors import N_

# The register's folder: ``python -m services.backup inspect`` runs there.
ROOT = pathlib.Path(__file__).resolve().parents[2]


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
    A file of the backup itself or anything in a backup folder is refused, ``force`` or not.
    The checksum is checked first (a corrupted file is refused), an encrypted backup is
    decrypted (with BACKUP_KEY; a changed file is refused), then the restored database's
    integrity, its audit chain and its row counts are checked against the manifest.
    """
    backup = find_backup(settings, file)
    target = Target.parse(target_url)
    refuse_backup_files(settings, backup, target)
    return restore_backup(settings, backup, target, force)


def refuse_backup_files(settings, backup, target):
    """Refuse a SQLite ``target`` that is a file of ``backup`` or lies in a backup folder:
    restoring there (replacing it, with --force) would destroy the backup it restores."""
    if target.kind != "sqlite":
        return
    path = target.path.resolve()
    for file in (backup.path, backup.manifest_path):
        if path == file.resolve() or Target("sqlite", path=file).same_as(target):
            raise BackupError(N_("%(target)s is a file of the backup %(name)s itself: "
                                 "restoring into it would destroy the backup. Restore into a "
                                 "new database outside the backup folders."),
                              target=target.display_url, name=backup.name)
    for folder in (settings.directory, settings.offsite):
        if folder is not None and pathlib.Path(folder).resolve() in (path, *path.parents):
            raise BackupError(N_("%(target)s is in the backup folder %(folder)s: restoring "
                                 "there could destroy backups. Restore into a new database "
                                 "outside the backup folders."),
                              target=target.display_url, folder=str(folder))


def restore_backup(settings, backup, target, force=False):
    """Restore ``backup`` into the ``Target`` ``target`` as ``restore`` does (the drill
    restores into its scratch database so); return a RestoreReport."""
    problems = checksum_problems(backup)
    if problems:
        message, params = problems[0]
        raise BackupError(message, **params)
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
    with plain_file(settings, backup) as data:
        if target.kind == "sqlite":
            return _restore_sqlite(backup, data, target, live)
        return _restore_postgres(settings, backup, data, target, live)


def _restore_sqlite(backup, data, target, live):
    if not target.path.parent.is_dir():
        raise BackupError(N_("The folder %(folder)s does not exist; create it first."),
                          folder=str(target.path.parent))
    if not live:
        try:
            for path in target.files():
                path.unlink(missing_ok=True)
            copy_private(data, target.path)
        except OSError as e:
            raise BackupError(N_("The backup could not be written into %(target)s: "
                                 "%(error)s"), target=target.display_url, error=str(e)) from e
        return _check_restored(backup, target)
    # Over the live database: restore beside it, check, and only then copy it in with the
    # backup API, which takes the write lock and replaces every page at once.
    with tempfile.TemporaryDirectory(dir=target.path.parent, prefix=".restore-") as scratch:
        staged = Target("sqlite", path=pathlib.Path(scratch) / "restored.db")
        copy_private(data, staged.path)
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


def _restore_postgres(settings, backup, data, target, live):
    options = ["--no-password", "--exit-on-error", "--single-transaction", "--no-owner",
               "--no-acl", f"--dbname={target.database}"]
    if live or target.exists():
        # Replaced (--force): its objects dropped and restored in one transaction, so a
        # failure leaves it as it was. The database itself is never dropped.
        options[:0] = ["--clean", "--if-exists"]
    else:
        target.create_database()
    try:
        run_pg_program(settings.pg_bin, "pg_restore", [*options, str(data)],
                       env=target.pg_env())
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
    env = clean_env()
    env.pop("REGISTER_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "services.backup", "inspect"],
                          input=json.dumps({"url": url}), capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)
    if proc.returncode != 0:
        raise BackupError(N_("Checking the restored database failed: %(error)s"),
                          error=last_lines(proc.stderr))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def inspect_main():
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
        **read_snapshot(conn, kind),
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
