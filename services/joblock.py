"""Job locks: a job that runs on a schedule inside the server runs in one process at a time,
however many server processes (on however many hosts) share the database.

On PostgreSQL a job's lock is a session-level advisory lock (``pg_try_advisory_lock``) with
a key of its own, held on a connection opened for it alone, outside peewee's pool: a
pooled connection goes back to the pool (and to another thread) when a request ends, and
would carry a session lock with it. The lock is released when the job ends, and by
PostgreSQL itself when the process dies and its connection closes. On SQLite the lock is
an ``fcntl`` lock of a file beside the database file (``register.db.job-backup.lock``),
which every process using that file shares; the kernel releases it when the process dies.

A job takes its lock, then looks again whether it is still due (another process may have
run it meanwhile), runs, records that it ran in the database, and lets the lock go.
"""

import contextlib
import fcntl
import os
import pathlib
import time
import zlib

from playhouse.db_url import parse

# The advisory locks' first key: the register's jobs (the second key is the job's name's
# CRC-32). Apart from database.WRITE_LOCK_KEY, which is a one-key (bigint) lock: PostgreSQL
# keeps one-key and two-key advisory locks apart.
JOB_LOCK_CLASS = 710_033
# How often a waiting holder tries the lock again.
POLL_SECONDS = 0.2


def lock_key(name):
    """Return the (class, key) pair of the advisory lock of job ``name``, stable across
    processes and releases (a signed 32-bit CRC of the name)."""
    crc = zlib.crc32(name.encode("utf-8"))
    return JOB_LOCK_CLASS, crc - (1 << 32) if crc >= 1 << 31 else crc


@contextlib.contextmanager
def job_lock(name, database_url, wait=0.0):
    """Hold the lock of job ``name`` among every process on ``database_url``.

    Yields True when this process holds it, False when another process held it for
    ``wait`` seconds (by default it does not wait: the caller skips its run).
    """
    if database_url.startswith("sqlite"):
        manager = _file_lock(sqlite_lock_path(database_url, name), wait)
    else:
        manager = _advisory_lock(database_url, name, wait)
    with manager as held:
        yield held


def _try_until(take, wait):
    """Call ``take()`` until it tells it took the lock or ``wait`` seconds have passed."""
    deadline = time.monotonic() + wait
    while not take():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def sqlite_lock_path(database_url, name):
    """Return the lock file of job ``name`` beside the SQLite database of ``database_url``."""
    path = pathlib.Path(parse(database_url)["database"]).resolve()
    return path.with_name(f"{path.name}.job-{name}.lock")


@contextlib.contextmanager
def _file_lock(path, wait):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def take():
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    try:
        yield _try_until(take, wait)
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def _advisory_lock(database_url, name, wait):
    import psycopg2

    params = parse(database_url)
    connection = psycopg2.connect(**params, application_name=f"register job {name}"[:63])
    connection.autocommit = True  # the lock is the session's, not a transaction's

    def take():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", lock_key(name))
            return cursor.fetchone()[0]

    try:
        held = _try_until(take, wait)
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", lock_key(name))
    finally:
        connection.close()
