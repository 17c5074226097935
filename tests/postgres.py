"""The PostgreSQL test database: migrated once per test process, then put back as the
migrations left it before each test.

Dropping the schema and running every migration took a second or more per test (several
under load); deleting the rows a test wrote and putting back the migrations' own rows and
sequence values takes a few tens of milliseconds. A test that changed the schema itself
(a downgrade, a restore, a dropped trigger) is noticed by the schema's fingerprint, and
the next test gets the slow, complete reset.
"""

import contextlib
import dataclasses
import secrets
import time

import database
from models import db

# One line per table, column, trigger (with whether it is enabled), function and
# constraint of the public schema: what a migration, a downgrade or a tampering test
# would change.
FINGERPRINT_SQL = """
SELECT md5(string_agg(line, ',' ORDER BY line)) FROM (
    SELECT concat_ws(':', 'relation', relname, relkind) FROM pg_class
     WHERE relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT concat_ws(':', 'column', c.relname, a.attnum, a.attname, a.atttypid, a.attnotnull,
                     pg_get_expr(d.adbin, d.adrelid))
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT concat_ws(':', 'trigger', c.relname, t.tgname, t.tgenabled)
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT concat_ws(':', 'function', proname, md5(prosrc)) FROM pg_proc
     WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT concat_ws(':', 'constraint', conname, md5(pg_get_constraintdef(oid)))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
) AS schema(line)
"""


@dataclasses.dataclass
class Snapshot:
    """The migrated schema's fingerprint and the statement that puts its rows back."""

    fingerprint: str
    restore_sql: str


_snapshots = {}  # URL → Snapshot, in this process


def reset_postgres(url):
    """Empty the PostgreSQL test database (drop and recreate its public schema), in one
    transaction: a run killed between the two left a database without the schema, and
    every later run failed on it."""
    database.open_database(url)
    with db.connection_context(), db.atomic():
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
    _snapshots.pop(url, None)


def migrated_postgres(url):
    """Bind the models to ``url`` holding exactly what the migrations leave there.

    The first time in a process, or after a test changed the schema, the schema is
    dropped and migrated; otherwise every row is deleted and the migrations' own rows and
    sequence values are put back, in one transaction.
    """
    database.open_database(url)
    snapshot = _snapshots.get(url)
    with db.connection_context():
        if snapshot is not None and _fingerprint() == snapshot.fingerprint:
            with db.atomic():
                db.execute_sql(snapshot.restore_sql)
            return
    reset_postgres(url)
    database.open_database(url)
    database.upgrade()
    with db.connection_context():
        _snapshots[url] = Snapshot(_fingerprint(), _restore_sql())


def _fingerprint():
    return db.execute_sql(FINGERPRINT_SQL).fetchone()[0]


def _rows(sql, params=()):
    return db.execute_sql(sql, params).fetchall()


def _tables_parents_first():
    """Return the public tables, each after every table its foreign keys refer to."""
    tables = [name for (name,) in _rows(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
        "AND relkind = 'r' ORDER BY relname")]
    parents = {table: set() for table in tables}
    for child, parent in _rows(
            "SELECT c.relname, p.relname FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
            "WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace "
            "AND k.conrelid <> k.confrelid"):
        parents[child].add(parent)
    ordered = []

    def place(table):
        if table not in ordered:
            for parent in sorted(parents[table]):
                place(parent)
            ordered.append(table)

    for table in tables:
        place(table)
    return ordered


def _restore_sql():
    """Return the statement that deletes every row and puts back the present ones.

    The triggers are off meanwhile: the audit log refuses deletes, and the customer list's
    counts are put back as they were rather than counted again.
    """
    cursor = db.cursor()
    tables = _tables_parents_first()
    triggers = _rows("SELECT c.relname, t.tgname FROM pg_trigger t "
                     "JOIN pg_class c ON c.oid = t.tgrelid "
                     "WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal "
                     "AND t.tgenabled <> 'D' ORDER BY 1, 2")
    switch = [f'ALTER TABLE "{table}" {{}} TRIGGER "{name}";' for table, name in triggers]
    statements = [line.format("DISABLE") for line in switch]
    statements += [f'DELETE FROM "{table}";' for table in reversed(tables)]
    for table in tables:
        rows = [text for (text,) in _rows(f'SELECT row::text FROM "{table}" AS row')]
        if rows:
            columns = ", ".join(f'"{name}"' for (name,) in _rows(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (f'"{table}"',)))
            statements.append(cursor.mogrify(
                f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM unnest(%s::"{table}"[]);',
                (rows,)).decode())
    sequences = _rows("SELECT format('%%I.%%I', schemaname, sequencename), "
                      "coalesce(last_value, start_value), last_value IS NOT NULL "
                      "FROM pg_sequences WHERE schemaname = 'public'")
    if sequences:
        statements.append("SELECT " + ", ".join(
            cursor.mogrify("setval(%s, %s, %s)", sequence).decode() for sequence in sequences)
            + ";")
    statements += [line.format("ENABLE") for line in switch]
    return "\n".join(statements)


# Databases the tests are done with, renamed out of the way: (URL to connect to, name).
_retired = []


def retire_database(url, name):
    """Rename the database ``name`` out of the way if it exists, connecting to ``url``; it
    is dropped with the others at the end of the run (``drop_retired``).

    DROP DATABASE waits for a checkpoint of the whole PostgreSQL cluster: on a busy shared
    one, a minute or more. A rename takes milliseconds, and drops one right after another
    at the end find little left to write.
    """
    from psycopg2 import errors, sql

    spare = f"{name[:40]}_retired_{secrets.token_hex(4)}"
    with _autocommit(url) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            return
        for attempt in range(10):
            try:
                cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(name), sql.Identifier(spare)))
                break
            except errors.ObjectInUse:
                if attempt == 9:
                    raise
                # A session of this run left in it: end it, as backup.drop_database does.
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = %s AND usename = current_user "
                               "AND pid <> pg_backend_pid()", (name,))
                time.sleep(0.2)
    _retired.append((url, spare))


def drop_retired():
    """Drop the databases ``retire_database`` renamed."""
    from psycopg2 import sql

    while _retired:
        url, name = _retired.pop()
        with _autocommit(url) as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def _autocommit(url):
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()
