"""Opening the register's database and running its migrations (no Flask here)."""

import logging
import pathlib

from peewee import SqliteDatabase
from peewee_migrate import Router
from playhouse.db_url import connect

from models import db

MIGRATIONS_DIR = pathlib.Path(__file__).resolve().parent / "migrations"

# SQLite as a server database: write-ahead log, enforced foreign keys, durable commits,
# and waiting (not failing) while another thread writes.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL
    "busy_timeout": 10000,
    # Per connection, and connections are pooled (kept with their cache): a worker's
    # eight threads keep at most 32 MB. 8, 16 and 64 MB measured no faster; under load at
    # 1 000 000 customers 16 MB took a worker to 283 MB, 8 MB to 211, 4 MB to 177.
    "cache_size": -4000,  # 4 MB
}


# PostgreSQL: the transaction-scoped advisory lock that the triggers keeping the customer
# list's block counts take (migration 014, which repeats the number), and that the audit
# log takes before locking its head row. Taken in that one order everywhere, the two locks
# never wait on each other in a cycle: a delete records its audit event before it deletes
# (audit head, then the triggers' lock), a save after it writes (triggers' lock, then head).
WRITE_LOCK_KEY = 710_014


def take_write_lock():
    """Take the write lock of ``WRITE_LOCK_KEY`` until the transaction ends (PostgreSQL).

    SQLite needs none: a write transaction there holds the whole database's write lock.
    """
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))


def open_database(url):
    """Bind the models' database proxy to ``url`` (sqlite:///path or postgresql://…).

    Connections are pooled on both databases: every request takes one and gives it back.
    Opening one costs several milliseconds on PostgreSQL and 1.6 ms on SQLite, whose
    connection also keeps its page cache warm for the next request (a page 2–8 ms faster).
    A pooled SQLite connection may serve any thread in turn. PostgreSQL connections run
    without JIT compilation.
    """
    if not url.startswith(("sqlite:///", "postgresql://", "postgresql+pool://",
                           "postgres://")):
        # SystemExit: the message is all that is printed, at start-up of any process.
        raise SystemExit(f"REGISTER_DATABASE_URL {url.split('://')[0]!r}… is no database "
                         "URL: write sqlite:///path/register.db or "
                         "postgresql://user:password@host/name")
    previous = db.obj
    if previous is not None and hasattr(previous, "close_all"):
        previous.close_all()  # a pool being replaced gives its connections back
    if url.startswith("sqlite"):
        _scheme, rest = url.split("://", 1)
        # No limit, as without the pool: a thread waits for SQLite's lock, never for a
        # connection (the pool keeps about one a thread).
        database = connect("sqlite+pool://" + rest, pragmas=SQLITE_PRAGMAS,
                           max_connections=None, stale_timeout=300,
                           check_same_thread=False)
    else:
        scheme, rest = url.split("://", 1)
        if "+pool" not in scheme:
            url = "postgresql+pool://" + rest
        # No JIT: the register's statements are short, and compiling a large one (the
        # purge preview's) cost 0.7 s of its 2 s while saving nothing measurable.
        database = connect(url, max_connections=32, stale_timeout=300,
                           options="-c jit=off")
    db.initialize(database)
    return database


def is_sqlite(database=None):
    """Tell whether the bound database is SQLite."""
    return isinstance(database or db.obj, SqliteDatabase)  # pooled or not


def one_of(column, values):
    """Return ``(SQL, params)`` of the condition that ``column`` is one of ``values``, for a
    statement written as SQL: ``= ANY(…)`` with one array on PostgreSQL, ``IN (…)`` on
    SQLite (no values: nothing matches)."""
    if not is_sqlite():
        return f"{column} = ANY(%s)", [list(values)]
    values = list(values) or [None]
    return f"{column} IN ({', '.join([db.param] * len(values))})", values


def write_transaction():
    """Return the transaction every write path runs in: ``with write_transaction(): …``.

    SQLite: ``BEGIN IMMEDIATE`` takes the write lock at once. A DEFERRED transaction that
    has read first cannot always upgrade to a writer ("database is locked" at once, with
    no busy wait) when another connection writes meanwhile; the audit log's appends
    (``services/audit.py``) read the chain's head and then write. PostgreSQL: a plain
    transaction; row locks serialise what must be serialised. Nested inside another
    transaction this is a savepoint, and the outer transaction's kind counts.
    """
    if is_sqlite():
        return db.atomic("IMMEDIATE")
    return db.atomic()


def optimize():
    """Refresh the query planner's statistics (after bulk loads; weekly from cron)."""
    if is_sqlite():
        db.execute_sql("PRAGMA analysis_limit=1000")
        db.execute_sql("ANALYZE")
    else:
        # VACUUM also marks pages all-visible, which index-only scans need.
        db.execute_sql("VACUUM (ANALYZE)")


def router(logger=None):
    """Return a peewee-migrate router over ``migrations/`` for the bound database."""
    return Router(
        db,
        migrate_dir=MIGRATIONS_DIR,
        logger=logger or logging.getLogger("register.migrations"),
    )


def upgrade(logger=None):
    """Apply every pending migration; return the names applied."""
    return router(logger).run()


def downgrade(steps=1, logger=None):
    """Roll back the newest ``steps`` migrations (all when steps is None); return their names."""
    r = router(logger)
    undone = []
    while r.done and (steps is None or len(undone) < steps):
        undone.append(r.done[-1])
        r.rollback()
        r = router(logger)  # the router caches its migrator; start afresh after each step
    return undone


def status(logger=None):
    """Return ``(done, pending)`` migration names."""
    r = router(logger)
    return r.done, r.diff
