"""Counts of customers kept up to date: per section, by kind, language and postal code,
and how many are not yet informed of their registration.

The menu counts the customers not yet informed on every page, and the statistics count
customers by kind, language and postal area; at a million customers each count read
hundreds of thousands of index entries (the not-informed count alone 7 ms a page). Here
triggers keep the counts exact on every insert, delete and update of a customer,
whoever writes (the screens, the import, the merge, the purge, the command line), and
the readers read a few rows (services/customer_counts.py).

``customer_count`` holds one row per (section, dimension, value): the dimensions are
``kind``, ``language``, ``postal_code`` (the value "" for none) and ``not_informed``
(value ""; a customer without a whole informing record). A count may fall to 0 and stay.

PostgreSQL: statement triggers add up each statement's rows through its transition
tables (old rows -1, new rows +1) after the register's write lock (``LOCK_KEY``, as
migration 014 and the audit log take it), and TRUNCATE empties the counts. SQLite: row
triggers, one writer at a time.
"""

import peewee as pw
from peewee_migrate import Migrator

# database.WRITE_LOCK_KEY, repeated so that the migration stays as it was written.
LOCK_KEY = 710_014

NOT_INFORMED = "(informed_how IS NULL OR informed_at IS NULL)"


def _dimensions(rows):
    """The (section_id, dimension, value) of every customer of ``rows``, one per count."""
    return (f"SELECT section_id, 'kind' AS dimension, coalesce(kind, '') AS value FROM {rows}"
            f" UNION ALL SELECT section_id, 'language', coalesce(language, '') FROM {rows}"
            f" UNION ALL SELECT section_id, 'postal_code', coalesce(postal_code, '')"
            f" FROM {rows}"
            f" UNION ALL SELECT section_id, 'not_informed', '' FROM {rows}"
            f" WHERE {NOT_INFORMED}")


def _add(rows, sign):
    return ("INSERT INTO customer_count AS c (section_id, dimension, value, customers)"
            f" SELECT section_id, dimension, value, {sign}count(*)"
            f" FROM ({_dimensions(rows)}) AS d GROUP BY 1, 2, 3"
            " ON CONFLICT (section_id, dimension, value)"
            " DO UPDATE SET customers = c.customers + EXCLUDED.customers;")


TABLE = ("CREATE TABLE customer_count (section_id INTEGER NOT NULL,"
         " dimension VARCHAR(16) NOT NULL, value VARCHAR(32) NOT NULL,"
         " customers INTEGER NOT NULL, PRIMARY KEY (section_id, dimension, value))")
BACKFILL = ("INSERT INTO customer_count (section_id, dimension, value, customers)"
            f" SELECT section_id, dimension, value, count(*) FROM ({_dimensions('customer')})"
            " AS d GROUP BY 1, 2, 3")

# Of an update, only a change of section, kind, language, postal code or informing counts.
_CHANGED = ("o.section_id IS DISTINCT FROM n.section_id OR o.kind IS DISTINCT FROM n.kind"
            " OR o.language IS DISTINCT FROM n.language"
            " OR o.postal_code IS DISTINCT FROM n.postal_code"
            " OR (o.informed_how IS NULL OR o.informed_at IS NULL)"
            " IS DISTINCT FROM (n.informed_how IS NULL OR n.informed_at IS NULL)")

POSTGRES = [
    TABLE,
    f"""CREATE FUNCTION customer_counts_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- (nested: an INSERT has no old_rows to plan the test on)
        IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                        WHERE {_CHANGED}) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_add('old_rows', '-')}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add('new_rows', '')}
    END IF;
    RETURN NULL;
END
$$""",
    f"""CREATE FUNCTION customer_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    DELETE FROM customer_count;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER customer_counts_insert AFTER INSERT ON customer"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_after()",
    "CREATE TRIGGER customer_counts_delete AFTER DELETE ON customer"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_after()",
    "CREATE TRIGGER customer_counts_update AFTER UPDATE ON customer"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_after()",
    "CREATE TRIGGER customer_counts_truncate AFTER TRUNCATE ON customer"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_truncated()",
    BACKFILL,
]


def _sqlite_row(side, sign):
    """The statements adding (``sign`` "+") or taking ("-") the row ``side`` (NEW, OLD)."""
    values = (("kind", f"coalesce({side}.kind, '')"),
              ("language", f"coalesce({side}.language, '')"),
              ("postal_code", f"coalesce({side}.postal_code, '')"))
    not_informed = f"({side}.informed_how IS NULL OR {side}.informed_at IS NULL)"
    if sign == "+":
        statements = [
            "INSERT INTO customer_count (section_id, dimension, value, customers)"
            f" VALUES ({side}.section_id, '{dimension}', {value}, 1)"
            " ON CONFLICT (section_id, dimension, value)"
            " DO UPDATE SET customers = customers + 1;"
            for dimension, value in values]
        statements.append(
            "INSERT INTO customer_count (section_id, dimension, value, customers)"
            f" SELECT {side}.section_id, 'not_informed', '', 1 WHERE {not_informed}"
            " ON CONFLICT (section_id, dimension, value)"
            " DO UPDATE SET customers = customers + 1;")
    else:
        statements = [
            "UPDATE customer_count SET customers = customers - 1"
            f" WHERE section_id = {side}.section_id AND dimension = '{dimension}'"
            f" AND value = {value};"
            for dimension, value in values]
        statements.append(
            "UPDATE customer_count SET customers = customers - 1"
            f" WHERE section_id = {side}.section_id AND dimension = 'not_informed'"
            f" AND value = '' AND {not_informed};")
    return " ".join(statements)


SQLITE = [
    TABLE,
    "CREATE TRIGGER customer_counts_insert AFTER INSERT ON customer"
    " BEGIN " + _sqlite_row("NEW", "+") + " END",
    "CREATE TRIGGER customer_counts_delete AFTER DELETE ON customer"
    " BEGIN " + _sqlite_row("OLD", "-") + " END",
    "CREATE TRIGGER customer_counts_update AFTER UPDATE ON customer WHEN "
    + _CHANGED.replace("o.", "OLD.").replace("n.", "NEW.").replace(
        "IS DISTINCT FROM", "IS NOT")
    + " BEGIN " + _sqlite_row("OLD", "-") + " " + _sqlite_row("NEW", "+") + " END",
    BACKFILL,
]

DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS customer_counts_truncate ON customer",
    "DROP TRIGGER IF EXISTS customer_counts_update ON customer",
    "DROP TRIGGER IF EXISTS customer_counts_delete ON customer",
    "DROP TRIGGER IF EXISTS customer_counts_insert ON customer",
    "DROP FUNCTION IF EXISTS customer_counts_truncated()",
    "DROP FUNCTION IF EXISTS customer_counts_after()",
    "DROP TABLE IF EXISTS customer_count",
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS customer_counts_update",
    "DROP TRIGGER IF EXISTS customer_counts_delete",
    "DROP TRIGGER IF EXISTS customer_counts_insert",
    "DROP TABLE IF EXISTS customer_count",
]


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the counts, their triggers, and count the customers already there."""
    for statement in SQLITE if _is_sqlite(database) else POSTGRES:
        migrator.sql(statement)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove them."""
    for statement in DROP_SQLITE if _is_sqlite(database) else DROP_POSTGRES:
        migrator.sql(statement)
