"""Monthly counts kept up to date: new customers, contact events, purchases and invoicing
per section and month, as the statistics page shows them.

At a million customers and ten million contact events the statistics counted their rows
for every page: the contact events alone 0.8–1.8 s, the invoicing 0.3 s. Here triggers
keep the counts exact on every insert, delete and update, whoever writes, and the page
reads a few hundred rows (services/monthly_counts.py).

``monthly_count`` holds one row per (section, measure, month, value):

- ``customers``: customers registered in the Helsinki month of ``created_at``;
- ``events``: contact events in the Helsinki month of ``occurred_at``, the value
  "channel/direction";
- ``purchases``: purchases in the month of ``purchased_on``, the value the service;
- ``invoiced``: invoices by the month of ``invoice_date``; ``collected``: invoices paid,
  by the month of ``paid_on``.

``n`` is the rows, ``cents`` the sum of their amounts in cents (exact on both databases;
SQLite keeps an amount as a float), ``customers`` how many customers the rows are of
(the statistics hide a sum over fewer than five). A customer is one of a month's
customers while any of its rows is in that month: a row's trigger counts the customer
when no other row of the customer is there, and takes it away with its last row.

A Helsinki month begins at 22:00 or 21:00 UTC on the last day of the month before.
PostgreSQL converts with its time zone database; SQLite has none, so ``helsinki_month``
lists the first moment (UTC) of every month from 1900 to 2100, as Python's zoneinfo gives
them, and a time is looked up there.

The section is the customer's: a customer moved to another section takes its rows'
counts with it, and a customer's counts go before the customer is deleted (its rows
deleted by ON DELETE CASCADE afterwards find no customer and count nothing; the purge,
which deletes the rows first, leaves it nothing to take).

PostgreSQL: statement triggers over the transition tables of the rows' tables, after
the register's write lock (``LOCK_KEY``, as migration 036); row triggers on the customer
for a move and a delete. SQLite: row triggers, one writer at a time.
"""

import datetime
import zoneinfo

import peewee as pw
from peewee_migrate import Migrator

# database.WRITE_LOCK_KEY, repeated so that the migration stays as it was written.
LOCK_KEY = 710_014
FIRST_YEAR, LAST_YEAR = 1900, 2100

TABLE = ("CREATE TABLE monthly_count (section_id INTEGER NOT NULL,"
         " measure VARCHAR(16) NOT NULL, month CHAR(7) NOT NULL,"
         " value VARCHAR(200) NOT NULL, n INTEGER NOT NULL, customers INTEGER NOT NULL,"
         " cents BIGINT NOT NULL, PRIMARY KEY (section_id, measure, month, value))")


def _month_of_time(column, sqlite):
    # (CAST: a DATETIME column has numeric affinity, and compared so with the text of
    # helsinki_month the lookup walked the index instead of seeking: 70 µs instead of 1.)
    if sqlite:
        return ("coalesce((SELECT h.month FROM helsinki_month AS h WHERE h.starts_at"
                f" <= CAST({column} AS TEXT) ORDER BY h.starts_at DESC LIMIT 1),"
                f" substr({column}, 1, 7))")
    return f"to_char(({column} AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Helsinki', 'YYYY-MM')"


def _month_of_date(column, sqlite):
    return f"substr({column}, 1, 7)" if sqlite else f"to_char({column}, 'YYYY-MM')"


def _cents(column, sqlite):
    if sqlite:
        return f"coalesce(CAST(round({column} * 100) AS INTEGER), 0)"
    return f"coalesce(round({column} * 100)::bigint, 0)"


# measure: (table, month, value, cents, condition, who is counted)
# "who": "own" a customer is one per row (new customers), "none" nobody (contact
# events: no sum to protect), "distinct" the customers of the rows.
def measures(sqlite):
    """The measures, each a dict of SQL over a row aliased ``{e}``."""
    return {
        "customers": dict(table="customer", owner="id",
                          month=_month_of_time("{e}.created_at", sqlite),
                          value="''", cents="0", condition="true", who="own"),
        "events": dict(table="contact_event", owner="customer_id",
                       month=_month_of_time("{e}.occurred_at", sqlite),
                       value="{e}.channel || '/' || {e}.direction", cents="0",
                       condition="true", who="none"),
        "purchases": dict(table="purchase", owner="customer_id",
                          month=_month_of_date("{e}.purchased_on", sqlite),
                          value="{e}.service", cents=_cents("{e}.amount", sqlite),
                          condition="true", who="distinct"),
        "invoiced": dict(table="invoice", owner="customer_id",
                         month=_month_of_date("{e}.invoice_date", sqlite), value="''",
                         cents=_cents("{e}.amount", sqlite), condition="true",
                         who="distinct"),
        "collected": dict(table="invoice", owner="customer_id",
                          month=_month_of_date("{e}.paid_on", sqlite), value="''",
                          cents=_cents("{e}.amount", sqlite),
                          condition="{e}.paid_on IS NOT NULL", who="distinct"),
    }


def _source(measure, m, rows, owners):
    """One row per (section, month, value, customer) of ``rows`` (SQL of rows of the
    measure's table) whose customer is in ``owners`` (SQL of rows with id, section_id)."""
    e = lambda sql: sql.format(e="e")  # noqa: E731
    return (f"SELECT c.section_id AS section_id, '{measure}' AS measure,"
            f" {e(m['month'])} AS month, {e(m['value'])} AS value, c.id AS customer_id,"
            f" count(*) AS n, sum({e(m['cents'])}) AS cents"
            f" FROM {rows} AS e JOIN {owners} AS c ON c.id = e.{m['owner']}"
            f" WHERE {e(m['condition'])} GROUP BY c.section_id, 3, 4, c.id")


def _fresh(m, changed):
    """1 when the group's customer has no row in its month and value but the ``changed``
    ones (SQL of their ids); None ``changed``: every group's customer counts."""
    if m["who"] == "none":
        return "0"
    if m["who"] == "own" or changed is None:
        return "1"
    b = lambda sql: sql.format(e="b")  # noqa: E731
    return (f"CASE WHEN EXISTS (SELECT 1 FROM {m['table']} AS b"
            f" WHERE b.customer_id = g.customer_id AND {b(m['condition'])}"
            f" AND {b(m['month'])} = g.month AND {b(m['value'])} = g.value"
            f" AND b.id NOT IN ({changed})) THEN 0 ELSE 1 END")


def _add(sign, measure, m, rows, owners="customer", changed=None):
    """The statement adding (``sign`` "") or taking ("-") the counts of ``rows``."""
    return ("INSERT INTO monthly_count (section_id, measure, month, value, n, customers,"
            f" cents) SELECT section_id, measure, month, value, {sign}sum(n),"
            f" {sign}sum(fresh), {sign}sum(cents)"
            f" FROM (SELECT g.*, {_fresh(m, changed)} AS fresh"
            f" FROM ({_source(measure, m, rows, owners)}) AS g) AS h"
            " WHERE true GROUP BY 1, 2, 3, 4"
            " ON CONFLICT (section_id, measure, month, value) DO UPDATE SET"
            " n = monthly_count.n + excluded.n,"
            " customers = monthly_count.customers + excluded.customers,"
            " cents = monthly_count.cents + excluded.cents;")


def backfill(sqlite):
    """The statements counting every row already there."""
    return [_add("", measure, m, m["table"]) for measure, m in measures(sqlite).items()]


# The columns of a row's table that a trigger's row needs, and those whose change counts.
COLUMNS = {
    "contact_event": ("customer_id", "occurred_at", "channel", "direction"),
    "purchase": ("customer_id", "purchased_on", "service", "amount"),
    "invoice": ("customer_id", "invoice_date", "paid_on", "amount"),
}


def _of_table(table, sqlite):
    return {k: m for k, m in measures(sqlite).items()
            if m["table"] == table and k != "customers"}


def _customer_rows(side, sqlite, sign):
    """The statements taking (``sign`` "-") or adding ("") every count of the customer
    ``side`` (OLD, NEW): its own and its rows'."""
    owner = f"(SELECT {side}.id AS id, {side}.section_id AS section_id)"
    statements = []
    for measure, m in measures(sqlite).items():
        if measure == "customers":
            rows = f"(SELECT {side}.id AS id, {side}.created_at AS created_at)"
        else:
            rows = (f"(SELECT * FROM {m['table']} WHERE customer_id = {side}.id)")
        statements.append(_add(sign, measure, m, rows, owner))
    return " ".join(statements)


def _changed_condition(table, old, new):
    """SQL true when a counted column of the row differs between ``old`` and ``new``."""
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in COLUMNS[table])


# --- PostgreSQL ------------------------------------------------------------------------


def _postgres_table(table):
    ms = _of_table(table, False)
    take = " ".join(_add("-", k, m, "old_rows", changed="SELECT id FROM old_rows")
                    for k, m in ms.items())
    add = " ".join(_add("", k, m, "new_rows", changed="SELECT id FROM new_rows")
                   for k, m in ms.items())
    measures_list = ", ".join(f"'{k}'" for k in ms)
    return [
        f"""CREATE FUNCTION {table}_monthly_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                        WHERE {_changed_condition(table, 'o', 'n')}) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {take}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {add}
    END IF;
    RETURN NULL;
END
$$""",
        f"""CREATE FUNCTION {table}_monthly_truncated() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    DELETE FROM monthly_count WHERE measure IN ({measures_list});
    RETURN NULL;
END
$$""",
        f"CREATE TRIGGER {table}_monthly_insert AFTER INSERT ON {table}"
        " REFERENCING NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_monthly_after()",
        f"CREATE TRIGGER {table}_monthly_delete AFTER DELETE ON {table}"
        " REFERENCING OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_monthly_after()",
        f"CREATE TRIGGER {table}_monthly_update AFTER UPDATE ON {table}"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_monthly_after()",
        f"CREATE TRIGGER {table}_monthly_truncate AFTER TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_monthly_truncated()",
    ]


_CUSTOMER_MOVED = ("OLD.section_id IS DISTINCT FROM NEW.section_id"
                   " OR OLD.created_at IS DISTINCT FROM NEW.created_at")

POSTGRES = [
    TABLE,
    f"""CREATE FUNCTION customer_monthly_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {_add("", "customers", measures(False)["customers"], "new_rows", "new_rows")}
    RETURN NULL;
END
$$""",
    f"""CREATE FUNCTION customer_monthly_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {_customer_rows("OLD", False, "-")}
    RETURN OLD;
END
$$""",
    f"""CREATE FUNCTION customer_monthly_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    {_customer_rows("OLD", False, "-")}
    {_customer_rows("NEW", False, "")}
    RETURN NULL;
END
$$""",
    """CREATE FUNCTION customer_monthly_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM monthly_count;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER customer_monthly_insert AFTER INSERT ON customer"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_monthly_inserted()",
    "CREATE TRIGGER customer_monthly_delete BEFORE DELETE ON customer"
    " FOR EACH ROW EXECUTE FUNCTION customer_monthly_deleting()",
    "CREATE TRIGGER customer_monthly_update AFTER UPDATE ON customer FOR EACH ROW"
    f" WHEN ({_CUSTOMER_MOVED}) EXECUTE FUNCTION customer_monthly_moved()",
    "CREATE TRIGGER customer_monthly_truncate AFTER TRUNCATE ON customer"
    " FOR EACH STATEMENT EXECUTE FUNCTION customer_monthly_truncated()",
    *_postgres_table("contact_event"),
    *_postgres_table("purchase"),
    *_postgres_table("invoice"),
    *backfill(False),
]


# --- SQLite ----------------------------------------------------------------------------


def helsinki_month_starts():
    """(first moment of the month in UTC as stored, "YYYY-MM") of every month."""
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    starts = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            start = datetime.datetime(year, month, 1, tzinfo=helsinki).astimezone(
                datetime.timezone.utc)
            starts.append((start.strftime("%Y-%m-%d %H:%M:%S"), f"{year:04d}-{month:02d}"))
    return starts


def _one_row(sign, measure, m, side):
    """A row of a measure that counts no customers (contact events: ten million of them),
    added or taken by itself: a third cheaper than the general statement."""
    e = lambda sql: sql.format(e=side)  # noqa: E731
    section = f"(SELECT c.section_id FROM customer AS c WHERE c.id = {side}.{m['owner']})"
    if sign == "-":  # (no customer any more: nothing was counted of it here)
        return (f"UPDATE monthly_count SET n = n - 1 WHERE section_id = {section}"
                f" AND measure = '{measure}' AND month = {e(m['month'])}"
                f" AND value = {e(m['value'])};")
    return ("INSERT INTO monthly_count (section_id, measure, month, value, n, customers,"
            f" cents) SELECT c.section_id, '{measure}', {e(m['month'])}, {e(m['value'])}, 1,"
            f" 0, 0 FROM customer AS c WHERE c.id = {side}.{m['owner']}"
            " ON CONFLICT (section_id, measure, month, value) DO UPDATE SET"
            " n = monthly_count.n + 1;")


def _sqlite_table(table):
    ms = _of_table(table, True)
    columns = ("id",) + COLUMNS[table]

    def row(side):
        return "(SELECT " + ", ".join(f"{side}.{c} AS {c}" for c in columns) + ")"

    def one(sign, measure, m, side):
        if m["who"] != "none":
            return _add(sign, measure, m, row(side), changed=f"SELECT {side}.id")
        return _one_row(sign, measure, m, side)

    take = " ".join(one("-", k, m, "OLD") for k, m in ms.items())
    add = " ".join(one("", k, m, "NEW") for k, m in ms.items())
    changed = _changed_condition(table, "OLD", "NEW").replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER {table}_monthly_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_monthly_delete AFTER DELETE ON {table} BEGIN {take} END",
        f"CREATE TRIGGER {table}_monthly_update AFTER UPDATE ON {table} WHEN {changed}"
        f" BEGIN {take} {add} END",
    ]


SQLITE = [
    TABLE,
    "CREATE TABLE helsinki_month (starts_at VARCHAR(19) NOT NULL PRIMARY KEY,"
    " month CHAR(7) NOT NULL)",
    "INSERT INTO helsinki_month (starts_at, month) VALUES "
    + ", ".join(f"('{start}', '{month}')" for start, month in helsinki_month_starts()),
    "CREATE TRIGGER customer_monthly_insert AFTER INSERT ON customer BEGIN "
    + _add("", "customers", measures(True)["customers"],
           "(SELECT NEW.id AS id, NEW.created_at AS created_at)",
           "(SELECT NEW.id AS id, NEW.section_id AS section_id)") + " END",
    "CREATE TRIGGER customer_monthly_delete BEFORE DELETE ON customer BEGIN "
    + _customer_rows("OLD", True, "-") + " END",
    "CREATE TRIGGER customer_monthly_update AFTER UPDATE ON customer WHEN "
    + _CUSTOMER_MOVED.replace("IS DISTINCT FROM", "IS NOT")
    + " BEGIN " + _customer_rows("OLD", True, "-") + " " + _customer_rows("NEW", True, "")
    + " END",
    *_sqlite_table("contact_event"),
    *_sqlite_table("purchase"),
    *_sqlite_table("invoice"),
    *backfill(True),
]

DROP_POSTGRES = [
    *(f"DROP TRIGGER IF EXISTS {table}_monthly_{op} ON {table}"
      for table in ("customer", "contact_event", "purchase", "invoice")
      for op in ("truncate", "update", "delete", "insert")),
    *(f"DROP FUNCTION IF EXISTS {table}_monthly_{kind}()"
      for table in ("contact_event", "purchase", "invoice")
      for kind in ("after", "truncated")),
    *(f"DROP FUNCTION IF EXISTS customer_monthly_{kind}()"
      for kind in ("inserted", "deleting", "moved", "truncated")),
    "DROP TABLE IF EXISTS monthly_count",
]
DROP_SQLITE = [
    *(f"DROP TRIGGER IF EXISTS {table}_monthly_{op}"
      for table in ("customer", "contact_event", "purchase", "invoice")
      for op in ("update", "delete", "insert")),
    "DROP TABLE IF EXISTS helsinki_month",
    "DROP TABLE IF EXISTS monthly_count",
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
