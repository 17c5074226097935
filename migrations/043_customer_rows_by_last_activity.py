"""Each customer's counted rows found by its section and last activity.

The purge preview reads the counted rows (migration 038) of every customer of a section
last active before the cut-off: at 1 000 000 customers, 137 000 customers of a section,
each found in the index of last activity and then looked up in ``customer_rows`` by id,
one index descent each (on PostgreSQL about 400 ms of CPU a preview of that section).
With the customer's section and last activity in its ``customer_rows`` row, and an index
on them, the customers of a section last active before a moment are one range of that
index: on PostgreSQL the rows are read in its order, on SQLite from the index alone (it
holds the counts too).

``customer_rows.section_id`` and ``last_activity_at`` are the customer's whenever the
customer has a last activity: a customer given one (on insert, or by an update of its
last activity or section, whoever writes) gets its row, made if it had none. A customer
never active is looked up in the customer table, as before. Row triggers on the
customer; PostgreSQL's takes the register's write lock first, as every writer of
``customer_rows`` does (migration 038).
"""

import peewee as pw
from peewee_migrate import Migrator

# database.WRITE_LOCK_KEY, repeated so that the migration stays as it was written.
LOCK_KEY = 710_014

# The counted columns of migration 038, which SQLite's index carries.
COUNTED = ("address", "demographics", "contact_event", "purchase", "invoice", "prohibition",
           "marketing_consent", "rectification_request", "contact_person", "customer_merge",
           "last_invoice_date")

_UPSERT = ("INSERT INTO customer_rows (customer_id, section_id, last_activity_at)"
           " VALUES (NEW.id, NEW.section_id, NEW.last_activity_at)"
           " ON CONFLICT (customer_id) DO UPDATE SET section_id = excluded.section_id,"
           " last_activity_at = excluded.last_activity_at;")

BACKFILL = ("INSERT INTO customer_rows (customer_id, section_id, last_activity_at)"
            " SELECT id, section_id, last_activity_at FROM customer"
            " WHERE last_activity_at IS NOT NULL"
            " ON CONFLICT (customer_id) DO UPDATE SET section_id = excluded.section_id,"
            " last_activity_at = excluded.last_activity_at")

POSTGRES = [
    "ALTER TABLE customer_rows ADD COLUMN section_id INTEGER,"
    " ADD COLUMN last_activity_at TIMESTAMP",
    BACKFILL,
    "CREATE INDEX customer_rows_section_id_last_activity_at"
    " ON customer_rows (section_id, last_activity_at)",
    f"""CREATE FUNCTION customer_rows_of_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {_UPSERT}
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER customer_rows_customer_insert AFTER INSERT ON customer FOR EACH ROW"
    " WHEN (NEW.last_activity_at IS NOT NULL)"
    " EXECUTE FUNCTION customer_rows_of_customer()",
    "CREATE TRIGGER customer_rows_customer_update"
    " AFTER UPDATE OF section_id, last_activity_at ON customer FOR EACH ROW"
    " WHEN (NEW.section_id IS DISTINCT FROM OLD.section_id"
    " OR NEW.last_activity_at IS DISTINCT FROM OLD.last_activity_at)"
    " EXECUTE FUNCTION customer_rows_of_customer()",
]
SQLITE = [
    "ALTER TABLE customer_rows ADD COLUMN section_id INTEGER",
    "ALTER TABLE customer_rows ADD COLUMN last_activity_at DATETIME",
    BACKFILL,
    "CREATE INDEX customer_rows_section_id_last_activity_at"
    f" ON customer_rows (section_id, last_activity_at, {', '.join(COUNTED)})",
    "CREATE TRIGGER customer_rows_customer_insert AFTER INSERT ON customer"
    f" WHEN NEW.last_activity_at IS NOT NULL BEGIN {_UPSERT} END",
    "CREATE TRIGGER customer_rows_customer_update"
    " AFTER UPDATE OF section_id, last_activity_at ON customer"
    " WHEN NEW.section_id IS NOT OLD.section_id"
    " OR NEW.last_activity_at IS NOT OLD.last_activity_at"
    f" BEGIN {_UPSERT} END",
]

DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS customer_rows_customer_update ON customer",
    "DROP TRIGGER IF EXISTS customer_rows_customer_insert ON customer",
    "DROP FUNCTION IF EXISTS customer_rows_of_customer()",
    "DROP INDEX IF EXISTS customer_rows_section_id_last_activity_at",
    "ALTER TABLE customer_rows DROP COLUMN last_activity_at, DROP COLUMN section_id",
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS customer_rows_customer_update",
    "DROP TRIGGER IF EXISTS customer_rows_customer_insert",
    "DROP INDEX IF EXISTS customer_rows_section_id_last_activity_at",
    "ALTER TABLE customer_rows DROP COLUMN last_activity_at",
    "ALTER TABLE customer_rows DROP COLUMN section_id",
]


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the section and last activity to the counted rows, with their triggers."""
    for statement in SQLITE if _is_sqlite(database) else POSTGRES:
        migrator.sql(statement)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove them."""
    for statement in DROP_SQLITE if _is_sqlite(database) else DROP_POSTGRES:
        migrator.sql(statement)
