"""Monthly counts kept up to date by triggers (migration 037): per section and month, the
new customers, the contact events by channel and direction, the purchases by service and
the invoicing, each with how many customers its rows are of and the sum of their amounts.

The statistics page reads these rows instead of counting ten million contact events.
``differences()`` compares every kept count with a count of the rows, and ``recount()``
puts the kept counts right (``flask --app app statistics recount``).
"""

import decimal

import database
from models import db

MEASURES = ("customers", "events", "purchases", "invoiced", "collected")


def _month_of_time(column):
    """SQL of the Helsinki month ("YYYY-MM") of a stored (UTC) time."""
    if database.is_sqlite():  # (no time zones in SQLite: the months' first moments)
        return ("coalesce((SELECT h.month FROM helsinki_month AS h WHERE h.starts_at"
                f" <= CAST({column} AS TEXT) ORDER BY h.starts_at DESC LIMIT 1),"
                f" substr({column}, 1, 7))")
    return f"to_char(({column} AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Helsinki', 'YYYY-MM')"


def _month_of_date(column):
    return f"substr({column}, 1, 7)" if database.is_sqlite() else f"to_char({column}, 'YYYY-MM')"


def _cents(column):
    if database.is_sqlite():
        return f"coalesce(CAST(round({column} * 100) AS INTEGER), 0)"
    return f"coalesce(round({column} * 100)::bigint, 0)"


def _counted():
    """The counts as the rows give them: (section, measure, month, value, rows, customers,
    cents)."""
    of = "JOIN customer AS c ON c.id = r.customer_id"
    return " UNION ALL ".join([
        f"SELECT c.section_id, 'customers', {_month_of_time('c.created_at')}, '', count(*),"
        " count(*), 0 FROM customer AS c GROUP BY 1, 2, 3, 4",
        f"SELECT c.section_id, 'events', {_month_of_time('r.occurred_at')},"
        " r.channel || '/' || r.direction, count(*), 0, 0"
        f" FROM contact_event AS r {of} GROUP BY 1, 2, 3, 4",
        f"SELECT c.section_id, 'purchases', {_month_of_date('r.purchased_on')}, r.service,"
        f" count(*), count(DISTINCT r.customer_id), sum({_cents('r.amount')})"
        f" FROM purchase AS r {of} GROUP BY 1, 2, 3, 4",
        f"SELECT c.section_id, 'invoiced', {_month_of_date('r.invoice_date')}, '', count(*),"
        f" count(DISTINCT r.customer_id), sum({_cents('r.amount')})"
        f" FROM invoice AS r {of} GROUP BY 1, 2, 3, 4",
        f"SELECT c.section_id, 'collected', {_month_of_date('r.paid_on')}, '', count(*),"
        f" count(DISTINCT r.customer_id), sum({_cents('r.amount')})"
        f" FROM invoice AS r {of} WHERE r.paid_on IS NOT NULL GROUP BY 1, 2, 3, 4",
    ])


def read(measure, section_ids, start, end):
    """Return ``[(section id, month, value, rows, customers, sum)]`` of ``measure`` in the
    months from ``start`` to before ``end`` (dates) for ``section_ids``; no empty rows.
    The sum is a Decimal in euros."""
    condition, params = database.one_of("section_id", section_ids)
    rows = db.execute_sql(
        "SELECT section_id, month, value, n, customers, cents FROM monthly_count"
        f" WHERE measure = {db.param} AND {condition} AND month >= {db.param}"
        f" AND month < {db.param} AND n <> 0",
        [measure, *params, start.strftime("%Y-%m"), end.strftime("%Y-%m")])
    return [(section_id, month, value, n, customers, decimal.Decimal(cents).scaleb(-2))
            for section_id, month, value, n, customers, cents in rows]


def _by_key(sql):
    """{(section id, measure, month, value): (rows, customers, cents)} of ``sql``'s rows,
    none all zero (a kept count may fall to zero and stay)."""
    return {(section_id, measure, month, value): (n, customers, int(cents))
            for section_id, measure, month, value, n, customers, cents in db.execute_sql(sql)
            if n or customers or cents}


def differences():
    """Return the kept counts that differ from the rows: ``[(section id, measure, month,
    value, kept, counted)]``, each count a (rows, customers, cents) triple; empty when
    every count is exact."""
    empty = (0, 0, 0)
    kept = _by_key("SELECT section_id, measure, month, value, n, customers, cents"
                   " FROM monthly_count")
    counted = _by_key(_counted())
    return sorted((*key, kept.get(key, empty), counted.get(key, empty))
                  for key in kept.keys() | counted.keys()
                  if kept.get(key, empty) != counted.get(key, empty))


def recount():
    """Count every kept count again from the rows; return the differences found before."""
    with database.write_transaction():
        database.take_write_lock()
        found = differences()
        db.execute_sql("DELETE FROM monthly_count")
        db.execute_sql("INSERT INTO monthly_count (section_id, measure, month, value, n,"
                       " customers, cents) " + _counted())
    return found
