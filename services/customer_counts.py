"""Counts of customers kept up to date by triggers (migration 036): per section, by kind,
language and postal code, and how many are not yet informed of their registration.

The menu's count of customers not yet informed, the front page's per section and the
statistics of customers by kind, language and postal area read these rows instead of
counting the customers. ``differences()`` compares every kept count with a count of the
rows, and ``recount()`` puts the kept counts right (``flask --app app statistics
recount``).
"""

import database
from models import db

# The counts as the rows give them, as migration 036 keeps them.
_COUNTED = """
SELECT section_id, dimension, value, count(*) AS customers FROM (
    SELECT section_id, 'kind' AS dimension, coalesce(kind, '') AS value FROM customer
    UNION ALL SELECT section_id, 'language', coalesce(language, '') FROM customer
    UNION ALL SELECT section_id, 'postal_code', coalesce(postal_code, '') FROM customer
    UNION ALL SELECT section_id, 'not_informed', '' FROM customer
     WHERE informed_how IS NULL OR informed_at IS NULL
) AS d GROUP BY 1, 2, 3
"""


def by_value(dimension, section_ids=None):
    """Return ``{(section id, value): customers}`` of ``dimension`` (a value "" is a
    customer without one), for ``section_ids`` (None: every section); no zero counts."""
    condition, params = ("", []) if section_ids is None else database.one_of(
        "section_id", section_ids)
    rows = db.execute_sql(
        f"SELECT section_id, value, customers FROM customer_count WHERE dimension = "
        f"{db.param}{' AND ' + condition if condition else ''} AND customers <> 0",
        [dimension, *params])
    return {(section_id, value): customers for section_id, value, customers in rows}


def not_informed_by_section(section_ids=None):
    """Return ``{section id: customers not yet informed}`` (sections with none left out)."""
    return {section_id: n for (section_id, _), n in by_value("not_informed", section_ids).items()}


def not_informed_sql(section_ids_sql=None):
    """Return ``(SQL, params)`` of a scalar subquery of the customers not yet informed, in
    the sections of the subquery ``section_ids_sql`` (``(SQL, params)``; None: all)."""
    sql = ("(SELECT coalesce(sum(customers), 0) FROM customer_count"
           " WHERE dimension = 'not_informed'")
    params = []
    if section_ids_sql is not None:
        sql += f" AND section_id IN ({section_ids_sql[0]})"
        params = list(section_ids_sql[1])
    return sql + ")", params


def differences():
    """Return the kept counts that differ from the rows: ``[(section id, dimension,
    value, kept, counted)]``; empty when every count is exact."""
    kept = {(s, d, v): n for s, d, v, n in db.execute_sql(
        "SELECT section_id, dimension, value, customers FROM customer_count")}
    counted = {(s, d, v): n for s, d, v, n in db.execute_sql(_COUNTED)}
    return sorted((*key, kept.get(key, 0), counted.get(key, 0))
                  for key in kept.keys() | counted.keys()
                  if kept.get(key, 0) != counted.get(key, 0))


def recount():
    """Count every kept count again from the rows; return the differences found before."""
    with database.write_transaction():
        database.take_write_lock()
        found = differences()
        db.execute_sql("DELETE FROM customer_count")
        db.execute_sql("INSERT INTO customer_count (section_id, dimension, value, customers) "
                       + _COUNTED)
    return found
