"""A throwaway copy of a bench dataset, for the benches that write into it (``make
bench-import``, ``make bench-purge``): they never write into the dataset itself.

SQLite: the file is copied with SQLite's online backup (consistent) into a folder of the
bench's choosing, ``register-<customers>-seed<seed>-<tag>.db``.
PostgreSQL: ``CREATE DATABASE <dataset>_<tag> TEMPLATE <dataset>`` on the same server: the
role needs CREATEDB (as the test role has), and nobody may be connected to the dataset
while it is copied.
"""

import contextlib
import pathlib
import sqlite3
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import errors, sql

from bench import dataset


def dataset_url(environ, customers, seed):
    """Return the dataset the bench copies: BENCH_DATABASE_URL, else the SQLite file of this
    size and seed under bench/data/."""
    return environ.get("BENCH_DATABASE_URL") or dataset.sqlite_url(customers, seed)


def database_kind(url):
    """Return "sqlite" or "postgresql"."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def make_copy(url, tag, folder):
    """Copy the dataset at ``url`` (replacing an earlier copy with the same ``tag``);
    return the copy's URL. ``folder``: where a SQLite copy goes."""
    if database_kind(url) == "sqlite":
        source = dataset.sqlite_path(url)
        target = pathlib.Path(folder) / f"{source.stem}-{tag}.db"
        copy_sqlite(source, target)
        return f"sqlite:///{target}"
    parts = urlsplit(url)
    source = parts.path.lstrip("/")
    copy = f"{source}_{tag}"
    with _server(url) as cursor:
        _drop(cursor, copy)
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(copy), sql.Identifier(source)))
    return urlunsplit(parts._replace(path="/" + copy))


def remove_copy(url):
    """Remove a copy ``make_copy`` made (its connections closed first)."""
    if database_kind(url) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            pathlib.Path(str(dataset.sqlite_path(url)) + suffix).unlink(missing_ok=True)
        return
    with _server(url) as cursor:
        _drop(cursor, urlsplit(url).path.lstrip("/"))


def copy_sqlite(source, target):
    """Copy the SQLite file ``source`` to ``target`` with the online backup (consistent)."""
    if not source.exists():
        raise SystemExit(f"{source} does not exist: build it first with make bench "
                         "(BENCH_CUSTOMERS and BENCH_SEED the same).")
    if source.resolve() == target.resolve():
        raise SystemExit("the copy would overwrite the dataset itself")
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(target) + suffix).unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst, pages=65536)
    finally:
        dst.close()
        src.close()


def _drop(cursor, name):
    """Drop the database ``name`` if it is there.

    Without FORCE, which would need the right to signal every session (an autovacuum of
    the database, which a bench's many deletes start, is the superuser's): the server
    stops an autovacuum itself. Sessions of the bench's own role left open are ended
    first, and the drop tried again.
    """
    drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
    for _attempt in range(10):
        try:
            cursor.execute(drop)
            return
        except errors.ObjectInUse:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE datname = %s AND usename = current_user"
                           " AND pid <> pg_backend_pid()", (name,))
            time.sleep(0.5)
    cursor.execute(drop)


@contextlib.contextmanager
def _server(url):
    """Yield a cursor on the server's maintenance database ``postgres``, in autocommit (a
    database cannot be copied or dropped from a connection to itself)."""
    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    try:
        yield connection.cursor()
    finally:
        connection.close()

