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
- A contact event's counts found its customer's section by a join that PostgreSQL, for a
  batch, ran as a hash of every customer (1 000 000 read for 20 000 events: 290 ms of a
  325 ms delete). Each row's customer is now looked up by its id (75–90 ms).
- A customer's delete took its rows' counts out (a BEFORE row trigger, so that rows
  deleted with it by ON DELETE CASCADE, which then find no customer, are not counted
  twice) in five statements per customer, even when it had no rows left, as in the
  purge. Now each table's statement runs only when the customer has a row there, and
  the customer's own count ("customers" of its month) is taken out once per statement
  over the deleted rows (``old_rows``), as the insert adds it.
- A trigger's statement is planned once per connection, for the size of the first
  transition table it sees (again after an ANALYZE), and that plan is then used for any
  size. A join of a transition table with itself (the customers' own counts, as 037
  wrote them) or with another planned for a few rows goes quadratic on a batch; every
  statement here reads its transition table once and looks each row up by index.

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
    """Migration 037's builders with each row's customer looked up by its id and ``fresh``
    asked per group: ``OFFSET 0`` keeps PostgreSQL from pulling such a subquery into a
    join or turning it into a hashed one. A trigger's statement is planned once per
    connection, for the size of the first transition table it sees (and again after an
    ANALYZE), then reused for any size: a lookup per row is linear in every size, where a
    join planned for a few rows went quadratic on a purge's batch."""
    fresh, source = m037["_fresh"], m037["_source"]

    def fenced_fresh(m, changed):
        sql = fresh(m, changed)
        if changed is None or "EXISTS" not in sql:
            return sql
        return sql.replace(f"NOT IN ({changed})) THEN", f"NOT IN ({changed}) OFFSET 0) THEN")

    def fenced_source(measure, m, rows, owners):
        if owners != "customer":  # the customers themselves (a transition table, OLD/NEW)
            return source(measure, m, rows, owners)
        e = lambda sql: sql.format(e="e")  # noqa: E731
        return (f"SELECT c.section_id AS section_id, '{measure}' AS measure,"
                f" {e(m['month'])} AS month, {e(m['value'])} AS value, c.id AS customer_id,"
                f" count(*) AS n, sum({e(m['cents'])}) AS cents FROM {rows} AS e"
                " CROSS JOIN LATERAL (SELECT x.id, x.section_id FROM customer AS x"
                f" WHERE x.id = e.{m['owner']} OFFSET 0) AS c"
                f" WHERE {e(m['condition'])} GROUP BY c.section_id, 3, 4, c.id")

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


def _own_counts(m037, name, rows, sign):
    """A statement function adding (``sign`` "") or taking ("-") the customers of the
    transition table ``rows`` from their own month's count, from its rows alone (migration
    037 joined the table with itself: see ``_fenced``)."""
    month = m037["measures"](False)["customers"]["month"].format(e="e")
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    INSERT INTO monthly_count (section_id, measure, month, value, n, customers, cents)
    SELECT e.section_id, 'customers', {month}, '', {sign}count(*), {sign}count(*), 0
    FROM {rows} AS e GROUP BY 1, 3
    ON CONFLICT (section_id, measure, month, value) DO UPDATE SET
    n = monthly_count.n + excluded.n, customers = monthly_count.customers + excluded.customers;
    RETURN NULL;
END
$$"""


def _037_function(m037, name):
    """Migration 037's function ``name``, to be put back."""
    function = next(sql for sql in m037["POSTGRES"]
                    if sql.startswith(f"CREATE FUNCTION {name}()"))
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
    migrator.sql(_own_counts(m037, "customer_monthly_inserted", "new_rows", ""))
    migrator.sql(_own_counts(m037, "customer_monthly_deleted", "old_rows", "-"))
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
    for name in ("customer_monthly_deleting", "customer_monthly_inserted"):
        migrator.sql(_037_function(m037, name))
    for table in ROW_TABLES:
        migrator.sql(_table_function(m037, table))
