"""Verifying a backup: its checksum against the manifest, then its contents."""

import contextlib
import pathlib
import re
import sqlite3
import tempfile
import urllib.parse

import services.backup.crypto as crypto
from services.backup.errors import BackupError
from services.backup.files import create_private, directory_lock, ensure_directory, sha256
from services.backup.manifest import find_backup
from services.backup.target import clean_env, read_snapshot, run_pg_program
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


def sqlite_count_problems(path, tables):
    """Compare the row count of every table in the SQLite file ``path`` with ``tables``
    (the manifest's); return the differences as ``(msgid, params)`` problems."""
    conn = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1",
                           uri=True)
    try:
        found = read_snapshot(conn, "sqlite")["tables"]
    except sqlite3.DatabaseError as e:
        raise BackupError(N_("The integrity check of the copy failed: %(error)s"),
                          error=str(e)) from e
    finally:
        conn.close()
    differ = sorted(t for t in set(found) | set(tables) if found.get(t) != tables.get(t))
    return [(N_("The table %(table)s has %(found)s rows in the backup file, but its manifest "
                "recorded %(recorded)s."),
             {"table": table, "found": found.get(table, 0), "recorded": tables.get(table, 0)})
            for table in differ]


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
    """Check a backup's size and SHA-256 against its manifest, then its contents: a SQLite
    file's integrity and the row count of every table, a dump's table of contents.

    Return ``(backup, problems)``: problems is a list of ``(msgid, params)``, empty when
    the backup is sound.
    """
    backup = find_backup(settings, file)
    problems = checksum_problems(backup)
    if not problems:
        try:
            with plain_file(settings, backup) as path:
                if backup.kind == "sqlite":
                    verify_sqlite_file(path)
                    problems += sqlite_count_problems(path, backup.tables)
                else:
                    verify_pgdump_file(path, backup.tables, settings.pg_bin)
        except BackupError as e:
            problems.append((e.message, e.params))
    return backup, problems


@contextlib.contextmanager
def plain_file(settings, backup):
    """Yield the path of ``backup``'s plain data: its own file, or (encrypted) a private
    temporary decryption in the backup folder, removed afterwards.

    Refused when the backup is encrypted and the key is missing or another one, or when
    the decryption finds the file changed.
    """
    if not backup.encrypted:
        yield backup.path
        return
    if settings.key is None:
        raise BackupError(N_("The backup %(name)s is encrypted. Set BACKUP_KEY (or "
                             "BACKUP_KEY_FILE) to the key it was encrypted with to restore "
                             "it."), name=backup.name)
    if backup.manifest.get("key_id") not in (None, crypto.key_id(settings.key)):
        raise BackupError(N_("The backup %(name)s was encrypted with another key than the "
                             "one set in BACKUP_KEY. Set the key it was encrypted with."),
                          name=backup.name)
    # The decryption's folder exists only while the directory's lock is held (shared), so
    # a backup (exclusive) that finds one knows it was left by a process that died.
    directory = ensure_directory(settings.directory)
    with directory_lock(directory, exclusive=False, wait=600), tempfile.TemporaryDirectory(
            dir=directory, prefix=".plain-") as scratch:
        path = pathlib.Path(scratch) / backup.path.with_suffix("").name
        create_private(path)
        if crypto.decrypt_file(settings.key, backup.path, path, backup.name) != (
                backup.manifest.get("plain_sha256")):
            raise crypto.refused(backup.name)
        yield path


def checksum_problems(backup):
    """Return the problems of ``backup``'s state and data file: failed when taken, the file
    missing, or its size or SHA-256 not those recorded (a list of ``(msgid, params)``)."""
    if not backup.good:
        return [(N_("The backup %(name)s failed its verification when it was taken; use an "
                    "earlier good backup."), {"name": backup.name})]
    problems = file_problems(backup)
    if not problems and sha256(backup.path) != backup.manifest["sha256"]:
        problems = [_corrupted(backup)]
    return problems


def file_problems(backup):
    """Return the problems of ``backup``'s data file seen without reading it: missing, or
    not the size recorded (what the status pages check at every look)."""
    try:
        size = backup.path.stat().st_size
    except (OSError, ValueError):
        return [(N_("The data file of the backup %(name)s is missing: %(file)s."),
                 {"name": backup.name, "file": str(backup.path)})]
    return [] if size == backup.size else [_corrupted(backup)]


def _corrupted(backup):
    return (N_("The backup %(name)s is corrupted: its checksum does not match the one "
               "recorded when it was taken. Use another backup (flask --app app backup "
               "list)."), {"name": backup.name})
