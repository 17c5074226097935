"""Each customer's rows counted by triggers (migration 038): how many it has in every
table of a customer's data, and the date of its newest invoice, for the purge preview
(services/retention/preview_sql.py); with the customer's section and last activity
(migration 043), by which the preview finds the rows of a section's unused customers.

``differences()`` compares every kept count with a count of the rows, and ``recount()``
puts them right (``flask --app app statistics recount``).
"""

import database
from models import db

# The counted tables, as migration 038 made the columns.
TABLES = ("address", "demographics", "contact_event", "purchase", "invoice", "prohibition",
          "marketing_consent", "rectification_request", "contact_person", "customer_merge")
_COLUMNS = TABLES + ("last_invoice_date",)


def _counted():
    """One row per customer with any rows: its id, its count in each table, its newest
    invoice's date."""
    counts = " UNION ALL ".join(
        f"SELECT customer_id, '{t}' AS t, count(*) AS n, CAST(NULL AS DATE) AS newest"
        f" FROM {t}"
        " WHERE customer_id IS NOT NULL GROUP BY customer_id" for t in TABLES if t != "invoice")
    counts += (" UNION ALL SELECT customer_id, 'invoice', count(*), max(invoice_date)"
               " FROM invoice GROUP BY customer_id")
    columns = ", ".join(f"sum(CASE WHEN t = '{t}' THEN n ELSE 0 END)" for t in TABLES)
    return f"SELECT customer_id, {columns}, max(newest) FROM ({counts}) AS c GROUP BY 1"


def _by_customer(sql):
    """{customer id: (counts…, newest invoice date as text)} of ``sql``'s rows, none
    without any row (a kept row may fall to zero and stay)."""
    rows = {}
    for customer_id, *values in db.execute_sql(sql):
        *counts, newest = values
        if any(counts):
            rows[customer_id] = (*counts, None if newest is None else str(newest)[:10])
    return rows


def differences():
    """Return ``[(customer id, column, kept, counted)]`` of every kept count, date, section
    or last activity that differs from the rows and the customer; empty when every one is
    exact."""
    kept = _by_customer(f"SELECT customer_id, {', '.join(_COLUMNS)} FROM customer_rows")
    counted = _by_customer(_counted())
    empty = (0,) * len(TABLES) + (None,)
    found = []
    for customer_id in sorted(kept.keys() | counted.keys()):
        pairs = zip(_COLUMNS, kept.get(customer_id, empty), counted.get(customer_id, empty))
        found += [(customer_id, column, k, c) for column, k, c in pairs if k != c]
    return found + _customer_differences()


def _customer_differences():
    """The customers whose section or last activity their row does not hold (migration
    043): one with a last activity has a row with both; a row's last activity is its
    customer's."""
    differs = "IS NOT" if database.is_sqlite() else "IS DISTINCT FROM"
    found = []
    for customer_id, section, last, kept_section, kept_last in db.execute_sql(
            "SELECT c.id, c.section_id, c.last_activity_at, r.section_id, r.last_activity_at"
            " FROM customer AS c LEFT JOIN customer_rows AS r ON r.customer_id = c.id"
            f" WHERE r.last_activity_at {differs} c.last_activity_at"
            f" OR (c.last_activity_at IS NOT NULL AND r.section_id {differs} c.section_id)"
            " ORDER BY c.id"):
        if kept_last != last:
            found.append((customer_id, "last_activity_at", kept_last, last))
        if last is not None and kept_section != section:
            found.append((customer_id, "section_id", kept_section, section))
    return found


# Each customer with a last activity: its section and last activity in its row.
_CUSTOMERS = ("INSERT INTO customer_rows (customer_id, section_id, last_activity_at)"
              " SELECT id, section_id, last_activity_at FROM customer"
              " WHERE last_activity_at IS NOT NULL"
              " ON CONFLICT (customer_id) DO UPDATE SET section_id = excluded.section_id,"
              " last_activity_at = excluded.last_activity_at")


def recount():
    """Count every customer's rows again; return the differences found before."""
    with database.write_transaction():
        database.take_write_lock()
        found = differences()
        db.execute_sql("DELETE FROM customer_rows")
        db.execute_sql(f"INSERT INTO customer_rows (customer_id, {', '.join(_COLUMNS)}) "
                       + _counted())
        db.execute_sql(_CUSTOMERS)
    return found
