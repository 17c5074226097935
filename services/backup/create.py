"""Taking a backup: a consistent copy of the live database, verified and recorded."""

import json
import logging
import os
import pathlib
import shutil
import sqlite3
import time

from models import utcnow
import services.backup.crypto as crypto
from services.backup.errors import BackupError
from services.backup.files import (
    create_private,
    directory_lock,
    ensure_directory,
    fsync,
    plain,
    sha256,
    write_private,
)
from services.backup.manifest import (
    DATA_FILE,
    MANIFEST_FORMAT,
    PART_FILE,
    PREFIX,
    SUFFIXES,
    Backup,
)
from services.backup.offsite import copy_offsite
from services.backup.rotation import rotate_locked
from services.backup.target import Target, first_line, read_snapshot, run_pg_program
from services.backup.verify import verify_pgdump_file, verify_sqlite_file
from services.errors import N_

log = logging.getLogger("register.backup")


def create_backup(settings, now=None, wait=0.0):
    """Take, verify and record a backup, then rotate; return the new ``Backup``.

    A backup that fails (the copy, the dump or its verification) is recorded with state
    "failed" and returned: the good ones before it stay. ``wait`` is how many seconds to
    wait for another process's backup to end before giving up with ``BackupBusy``.
    """
    directory = ensure_directory(settings.directory)
    with directory_lock(directory, exclusive=True, wait=wait):
        backup = create_locked(settings, now or utcnow())
        if backup.good:
            rotate_locked(settings, now)
    return backup


def create_locked(settings, now):
    """Take, verify and record a backup at ``now``; the caller holds the directory's lock."""
    directory = pathlib.Path(settings.directory)
    remove_leftovers(directory)
    target = Target.parse(settings.database_url)
    name = _free_name(directory, now)
    data = directory / (name + SUFFIXES[target.kind])
    manifest = _new_manifest(name, data, target, now)
    started = time.monotonic()
    _take(settings, target, data, manifest)
    if manifest["state"] == "good" and settings.encrypted:
        _encrypt(settings, data, manifest)
    manifest["duration_seconds"] = round(time.monotonic() - started, 3)
    manifest_path = directory / (name + ".json")
    write_private(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
    fsync(directory)
    backup = Backup(manifest_path, manifest)
    if backup.good:
        log.info("backup %s taken: %s bytes, %s rows", name, manifest["size"],
                 sum(manifest["tables"].values()))
        if settings.offsite is not None:
            copy_offsite(settings, backup, now)
    return backup


def remove_leftovers(directory):
    """Remove what a backup, a verification or a drill that died (a crash, a kill) left in
    the backup ``directory``: a backup's half-written files (``register-<time>….part``), its
    data file without a manifest (a plain copy too, when it died before encrypting it) and
    the folders of a decryption (``.plain-*``) or a drill (``.drill-*``). The caller holds
    the directory's lock exclusively, so none of them is running; other files stay."""
    for path in directory.iterdir():
        name = path.name
        if name.startswith((".plain-", ".drill-")):
            if not path.is_dir() or path.is_symlink():
                continue
            shutil.rmtree(path, ignore_errors=True)
        elif PART_FILE.fullmatch(name) or (
                DATA_FILE.fullmatch(name) and not (
                    directory / (DATA_FILE.fullmatch(name)["name"] + ".json")).exists()):
            path.unlink(missing_ok=True)
        else:
            continue
        log.warning("removed %s, left by a backup, verification or drill that did not end",
                    path)


def _new_manifest(name, data, target, now):
    """Return the manifest of a backup not taken yet: state "failed" until it is."""
    return {
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
        "encrypted": False,
        "offsite": None,
    }


def _take(settings, target, data, manifest):
    """Copy the database into ``data`` and verify the copy, recording in ``manifest`` what
    was taken or why it failed (a failed copy stays as ``data``, for a look)."""
    part = data.with_name(data.name + ".part")
    try:
        if target.kind == "sqlite":
            snapshot = _backup_sqlite(target, part)
            verification = verify_sqlite_file(part)
        else:
            snapshot = _backup_postgres(target, part, settings.pg_bin)
            verification = verify_pgdump_file(part, snapshot["tables"], settings.pg_bin)
        manifest.update(snapshot)
        manifest["size"] = part.stat().st_size
        manifest["sha256"] = sha256(part)
        manifest["verification"] = verification
        fsync(part)
        os.replace(part, data)
        manifest["state"] = "good"
    except BackupError as e:
        manifest["error"] = {"message": e.message, "params": plain(e.params)}
        log.error("backup %s failed: %s", manifest["name"], e)
        if part.exists():
            os.replace(part, data)  # kept for a look until a good backup rotates it away
            manifest["size"] = data.stat().st_size
    except Exception as e:  # noqa: BLE001 - recorded as a failed backup, then logged
        manifest["error"] = {"message": N_("The backup failed unexpectedly: %(error)s"),
                             "params": {"error": f"{type(e).__name__}: {e}"}}
        log.exception("backup %s failed", manifest["name"])
        part.unlink(missing_ok=True)


def _encrypt(settings, data, manifest):
    """Replace the verified plain ``data`` with its encryption (``data.enc``); the manifest
    then holds the encrypted file's size and SHA-256, and the plain one's for the restore."""
    encrypted = data.with_name(data.name + crypto.SUFFIX)
    part = encrypted.with_name(encrypted.name + ".part")
    try:
        create_private(part)
        plain_sha256, plain_size = crypto.encrypt_file(settings.key, data, part)
        if plain_sha256 != manifest["sha256"]:
            raise BackupError(N_("The backup changed while it was being encrypted."))
        os.replace(part, encrypted)
    except (BackupError, OSError) as e:
        part.unlink(missing_ok=True)
        error = e if isinstance(e, BackupError) else BackupError(
            N_("The backup could not be encrypted: %(error)s"), error=str(e))
        manifest.update(state="failed", error={"message": error.message,
                                               "params": plain(error.params)})
        log.error("backup %s failed: %s", manifest["name"], error)
        return
    data.unlink()
    manifest.update(file=encrypted.name, encrypted=True, key_id=crypto.key_id(settings.key),
                    plain_sha256=plain_sha256, plain_size=plain_size,
                    size=encrypted.stat().st_size, sha256=sha256(encrypted))


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
    create_private(part)
    source = sqlite3.connect(str(target.path), timeout=60)
    try:
        copy = sqlite3.connect(str(part))
        try:
            # One step (pages=-1): the whole copy is read inside one read transaction, so
            # it is one consistent state however much the register writes meanwhile.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return read_snapshot(copy, "sqlite")
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
                          database=target.display_name, error=first_line(e)) from e
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot_id = cur.fetchone()[0]
        snapshot = read_snapshot(conn, "postgresql")
        create_private(part)
        with open(part, "wb") as out:
            run_pg_program(pg_bin, "pg_dump", ["--format=custom", "--no-password",
                                     f"--snapshot={snapshot_id}"],
                 env=target.pg_env(), stdout=out)
        conn.rollback()
        return snapshot
    finally:
        conn.close()
