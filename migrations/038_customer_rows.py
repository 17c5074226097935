"""Each customer's rows counted, kept up to date: how many it has in every table of a
customer's data, and the date of its newest invoice.

The purge preview counts what a purge would remove from every unused customer: at a
million customers, 137 000 unused customers of a section were each looked up in ten
tables, and whether an invoice keeps them in one more (1.1–1.2 s on SQLite, 2 s on
PostgreSQL). With these counts it reads one row per unused customer and looks in the
tables only for the customers an invoice keeps, whose rows a minimisation takes part of
(services/retention/preview_sql.py).

``customer_rows`` has one row per customer with any such row (none: no row, counts 0),
a column per table (``address``, ``demographics``, … — the tables of ``TABLES``) and
``last_invoice_date``. Triggers keep it on every insert, delete and update of those
tables' rows, whoever writes; a customer's row goes with the customer (ON DELETE
CASCADE). PostgreSQL: statement triggers over the transition tables after the register's
write lock (``LOCK_KEY``, as migrations 036 and 037). SQLite: row triggers.
"""

import peewee as pw
from peewee_migrate import Migrator

# database.WRITE_LOCK_KEY, repeated so that the migration stays as it was written.
LOCK_KEY = 710_014

# The tables of a customer's data (services.retention.conditions.child_rows, as it was).
TABLES = ("address", "demographics", "contact_event", "purchase", "invoice", "prohibition",
          "marketing_consent", "rectification_request", "contact_person", "customer_merge")

TABLE = ("CREATE TABLE customer_rows (customer_id INTEGER NOT NULL PRIMARY KEY"
         " REFERENCES customer (id) ON DELETE CASCADE, "
         + ", ".join(f"{t} INTEGER NOT NULL DEFAULT 0" for t in TABLES)
         + ", last_invoice_date DATE)")

_NEWEST = "(SELECT max(i.invoice_date) FROM invoice AS i WHERE i.customer_id = {id})"


def _add(table, rows):
    """Count the rows of ``rows`` (SQL of rows with customer_id[, invoice_date]) in."""
    newest = ", max(invoice_date)" if table == "invoice" else ""
    return (f"INSERT INTO customer_rows (customer_id, {table}"
            f"{', last_invoice_date' if newest else ''})"
            f" SELECT customer_id, count(*){newest} FROM {rows} AS n"
            " WHERE customer_id IS NOT NULL GROUP BY customer_id"
            f" ON CONFLICT (customer_id) DO UPDATE SET {table} = customer_rows.{table}"
            f" + excluded.{table}"
            + (", last_invoice_date = CASE WHEN customer_rows.last_invoice_date IS NULL"
               " OR excluded.last_invoice_date > customer_rows.last_invoice_date"
               " THEN excluded.last_invoice_date ELSE customer_rows.last_invoice_date END"
               if newest else "") + ";")


def _take(table, customer, n):
    """Take ``n`` rows of customer ``customer`` (SQL) out."""
    newest = (f", last_invoice_date = {_NEWEST.format(id='customer_rows.customer_id')}"
              if table == "invoice" else "")
    return (f"UPDATE customer_rows SET {table} = {table} - {n}{newest}"
            f" WHERE customer_id = {customer};")


def _add_one(table):
    """Count the row NEW in (a row trigger's, of a table without invoice dates)."""
    return (f"INSERT INTO customer_rows (customer_id, {table}) VALUES (NEW.customer_id, 1)"
            f" ON CONFLICT (customer_id) DO UPDATE SET {table} = customer_rows.{table} + 1;")


# The columns whose change moves a row to another customer or changes its newest invoice.
def _changed(table, old, new):
    columns = ("customer_id", "invoice_date") if table == "invoice" else ("customer_id",)
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in columns)


# --- PostgreSQL ------------------------------------------------------------------------


def _postgres(table):
    take = (f"UPDATE customer_rows AS r SET {table} = r.{table} - d.n"
            + (f", last_invoice_date = {_NEWEST.format(id='r.customer_id')}"
               if table == "invoice" else "")
            + " FROM (SELECT customer_id, count(*) AS n FROM old_rows"
            " WHERE customer_id IS NOT NULL GROUP BY customer_id) AS d"
            " WHERE r.customer_id = d.customer_id;")
    return [
        f"""CREATE FUNCTION {table}_customer_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                        WHERE {_changed(table, 'o', 'n')}) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {take}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add(table, 'new_rows')}
    END IF;
    RETURN NULL;
END
$$""",
        f"CREATE TRIGGER {table}_customer_rows_insert AFTER INSERT ON {table}"
        " REFERENCING NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_customer_rows()",
        f"CREATE TRIGGER {table}_customer_rows_delete AFTER DELETE ON {table}"
        " REFERENCING OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_customer_rows()",
        f"CREATE TRIGGER {table}_customer_rows_update AFTER UPDATE ON {table}"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_customer_rows()",
        f"""CREATE FUNCTION {table}_customer_rows_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_rows SET {table} = 0{
        ', last_invoice_date = NULL' if table == 'invoice' else ''};
    RETURN NULL;
END
$$""",
        f"CREATE TRIGGER {table}_customer_rows_truncate AFTER TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_customer_rows_truncated()",
    ]


# --- SQLite ----------------------------------------------------------------------------


def _sqlite(table):
    row = "(SELECT NEW.customer_id AS customer_id" + (
        ", NEW.invoice_date AS invoice_date" if table == "invoice" else "") + ")"
    if table != "invoice":  # one row by itself, the cheaper statement
        row = None
    take = _take(table, "OLD.customer_id", 1)
    changed = _changed(table, "OLD", "NEW").replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER {table}_customer_rows_insert AFTER INSERT ON {table}"
        f" BEGIN {_add_one(table) if row is None else _add(table, row)} END",
        f"CREATE TRIGGER {table}_customer_rows_delete AFTER DELETE ON {table}"
        f" BEGIN {take} END",
        f"CREATE TRIGGER {table}_customer_rows_update AFTER UPDATE ON {table} WHEN {changed}"
        f" BEGIN {take} {_add_one(table) if row is None else _add(table, row)} END",
    ]


def backfill():
    """Count every customer's rows already there."""
    counts = " UNION ALL ".join(
        f"SELECT customer_id, '{t}' AS t, count(*) AS n FROM {t}"
        " WHERE customer_id IS NOT NULL GROUP BY customer_id" for t in TABLES)
    columns = ", ".join(f"sum(CASE WHEN t = '{t}' THEN n ELSE 0 END)" for t in TABLES)
    return (f"INSERT INTO customer_rows (customer_id, {', '.join(TABLES)}, last_invoice_date)"
            f" SELECT customer_id, {columns}, {_NEWEST.format(id='c.customer_id')}"
            f" FROM ({counts}) AS c GROUP BY customer_id")


POSTGRES = [
    TABLE,
    *(statement for table in TABLES for statement in _postgres(table)),
    backfill(),
]
SQLITE = [
    TABLE,
    *(statement for table in TABLES for statement in _sqlite(table)),
    backfill(),
]

DROP_POSTGRES = [
    *(f"DROP TRIGGER IF EXISTS {table}_customer_rows_{op} ON {table}"
      for table in TABLES for op in ("truncate", "update", "delete", "insert")),
    *(f"DROP FUNCTION IF EXISTS {table}_customer_rows{kind}()"
      for table in TABLES for kind in ("", "_truncated")),
    "DROP TABLE IF EXISTS customer_rows",
]
DROP_SQLITE = [
    *(f"DROP TRIGGER IF EXISTS {table}_customer_rows_{op}"
      for table in TABLES for op in ("update", "delete", "insert")),
    "DROP TABLE IF EXISTS customer_rows",
]


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the counts, their triggers, and count the rows already there."""
    for statement in SQLITE if _is_sqlite(database) else POSTGRES:
        migrator.sql(statement)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove them."""
    for statement in DROP_SQLITE if _is_sqlite(database) else DROP_POSTGRES:
        migrator.sql(statement)
