"""Verifying a backup: its checksum against the manifest, then its contents."""

import re
import sqlite3
import urllib.parse

from services.backup.errors import BackupError
from services.backup.files import sha256
from services.backup.manifest import find_backup
from services.backup.target import clean_env, run_pg_program
from services.errors import N_


def verify_sqlite_file(path):
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


def verify_pgdump_file(path, tables, pg_bin):
    """Check a dump with ``pg_restore --list``: readable, with the data of every table."""
    listing = run_pg_program(pg_bin, "pg_restore", ["--list", str(path)], env=clean_env())
    dumped = set(re.findall(r"TABLE DATA \S+ (\S+)", listing))
    missing = sorted(set(tables) - dumped)
    if missing:
        raise BackupError(N_("The dump lacks the data of the tables %(tables)s."),
                          tables=", ".join(missing))
    return f"pg_restore --list ok: data of {len(dumped)} tables"


def verify_backup(settings, file):
    """Check a backup's size and SHA-256 against its manifest, then its contents.

    Return ``(backup, problems)``: problems is a list of ``(msgid, params)``, empty when
    the backup is sound.
    """
    backup = find_backup(settings, file)
    problems = checksum_problems(backup)
    if not problems:
        try:
            if backup.kind == "sqlite":
                verify_sqlite_file(backup.path)
            else:
                verify_pgdump_file(backup.path, backup.tables, settings.pg_bin)
        except BackupError as e:
            problems.append((e.message, e.params))
    return backup, problems


def checksum_problems(backup):
    if not backup.good:
        return [(N_("The backup %(name)s failed its verification when it was taken; use an "
                    "earlier good backup."), {"name": backup.name})]
    if not backup.path.exists():
        return [(N_("The data file of the backup %(name)s is missing: %(file)s."),
                 {"name": backup.name, "file": str(backup.path)})]
    if backup.path.stat().st_size != backup.size or sha256(backup.path) != backup.manifest[
            "sha256"]:
        return [(N_("The backup %(name)s is corrupted: its checksum does not match the one "
                    "recorded when it was taken. Use another backup (flask --app app backup "
                    "list)."), {"name": backup.name})]
    return []
