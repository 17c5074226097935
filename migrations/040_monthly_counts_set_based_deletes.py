"""PostgreSQL: the monthly counts' triggers (migration 037) do less per deleted row.

Measured with the retention purge, which deletes a batch of customers' rows table by
table and then the customers (100 000 customers, batches of 2 000):

- A purchase or invoice taken out of a month asks whether its customer has another row
  left in that month (``fresh``: the customer stops being one of the month's customers).
  For a batch, PostgreSQL chose to answer that by reading the whole table once into a
  hash (77 000 purchases at 100 000 customers, ten times as many at 1 000 000) instead
  of looking up each customer's rows by index: 1 234 purchases deleted took 72 ms.
  ``OFFSET 0`` in the question keeps it a lookup per customer and month (PostgreSQL does
  not turn a subquery with an OFFSET into a hashed one): 7 ms.
- A customer's delete took its rows' counts out (a BEFORE row trigger, so that rows
  deleted with it by ON DELETE CASCADE, which then find no customer, are not counted
  twice) in five statements per customer, even when it had no rows left, as in the
  purge. Now each table's statement runs only when the customer has a row there, and
  the customer's own count ("customers" of its month) is taken out once per statement
  over the deleted rows (``old_rows``), as the insert adds it.

The counts kept are the same (tests/test_monthly_counts.py compares them with a recount
after writes through every path, on both databases). SQLite: row triggers, each lookup
already by index; nothing changes.
"""

import peewee as pw
from peewee_migrate import Migrator

from database import MIGRATIONS_DIR

# database.WRITE_LOCK_KEY, repeated so that the migration stays as it was written.
LOCK_KEY = 710_014
ROW_TABLES = ("contact_event", "purchase", "invoice")


def _037():
    """The SQL builders of migration 037 (a migration never changes once written)."""
    path = MIGRATIONS_DIR / "037_monthly_counts.py"
    scope = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), scope)
    return scope


def _fenced(m037):
    """Migration 037's builders with the rows' customers looked up one by one by id (the
    rows' distinct customers first) and ``fresh`` asked per group: ``OFFSET 0`` keeps
    PostgreSQL from pulling such a subquery into a join or turning it into a hashed one."""
    fresh, source = m037["_fresh"], m037["_source"]

    def fenced_fresh(m, changed):
        sql = fresh(m, changed)
        if changed is None or "EXISTS" not in sql:
            return sql
        return sql.replace(f"NOT IN ({changed})) THEN", f"NOT IN ({changed}) OFFSET 0) THEN")

    def fenced_source(measure, m, rows, owners):
        if owners != "customer":  # the customers themselves (a transition table, OLD/NEW)
            return source(measure, m, rows, owners)
        owners = (f"(SELECT x.id, x.section_id FROM (SELECT DISTINCT o.{m['owner']} AS id"
                  f" FROM {rows} AS o) AS d CROSS JOIN LATERAL (SELECT x.id, x.section_id"
                  " FROM customer AS x WHERE x.id = d.id OFFSET 0) AS x)")
        return source(measure, m, rows, owners)

    m037["_fresh"], m037["_source"] = fenced_fresh, fenced_source
    return m037


def _table_function(m037, table):
    return m037["_postgres_table"](table)[0].replace("CREATE FUNCTION",
                                                     "CREATE OR REPLACE FUNCTION", 1)


def _deleting(m037):
    """The BEFORE DELETE row function: the customer's rows' counts, table by table when
    it has rows there."""
    owner = "(SELECT OLD.id AS id, OLD.section_id AS section_id)"
    statements = []
    for measure, m in m037["measures"](False).items():
        if measure == "customers":
            continue
        rows = f"(SELECT * FROM {m['table']} WHERE customer_id = OLD.id)"
        statements.append(
            f"IF EXISTS (SELECT 1 FROM {m['table']} WHERE customer_id = OLD.id) THEN "
            + m037["_add"]("-", measure, m, rows, owner) + " END IF;")
    return f"""CREATE OR REPLACE FUNCTION customer_monthly_deleting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {" ".join(statements)}
    RETURN OLD;
END
$$"""


def _deleted(m037):
    """The AFTER DELETE statement function: the deleted customers' own counts."""
    customers = m037["measures"](False)["customers"]
    return f"""CREATE FUNCTION customer_monthly_deleted() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {m037["_add"]("-", "customers", customers, "old_rows", "old_rows")}
    RETURN NULL;
END
$$"""


def _037_deleting(m037):
    function = next(sql for sql in m037["POSTGRES"]
                    if sql.startswith("CREATE FUNCTION customer_monthly_deleting()"))
    return function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Replace the functions; add the statement trigger of the customers' own counts."""
    if _is_sqlite(database):
        return
    m037 = _fenced(_037())
    for table in ROW_TABLES:
        migrator.sql(_table_function(m037, table))
    migrator.sql(_deleting(m037))
    migrator.sql(_deleted(m037))
    migrator.sql("CREATE TRIGGER customer_monthly_deleted AFTER DELETE ON customer"
                 " REFERENCING OLD TABLE AS old_rows"
                 " FOR EACH STATEMENT EXECUTE FUNCTION customer_monthly_deleted()")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Put back migration 037's functions."""
    if _is_sqlite(database):
        return
    m037 = _037()
    migrator.sql("DROP TRIGGER IF EXISTS customer_monthly_deleted ON customer")
    migrator.sql("DROP FUNCTION IF EXISTS customer_monthly_deleted()")
    migrator.sql(_037_deleting(m037))
    for table in ROW_TABLES:
        migrator.sql(_table_function(m037, table))
