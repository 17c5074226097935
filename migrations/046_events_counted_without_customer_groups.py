"""PostgreSQL: a statement's contact events are counted by month without grouping them by
customer first.

The events' measure counts no customers (migration 037: who = "none", its ``fresh`` is
0), yet the trigger grouped its rows per section, month, value and customer (a group for
almost every event), sorted those groups, then grouped them again by month. Now they are
grouped by section, month and value at once. Measured in the retention purge's batches
at 1 000 000 customers (10 000 customers, about 100 000 contact events a batch), the
trigger counting the deleted events out of their months: 340 → 190 ms.

The counts kept are the same (tests/test_monthly_counts.py compares them with a recount
after writes through every path, on both databases). SQLite counts row by row: nothing
changes there.
"""

import peewee as pw
from peewee_migrate import Migrator

FUNCTION = "contact_event_monthly_after"
# (as migration 040 wrote it, as this one writes it), each twice: the old rows, the new
PER_CUSTOMER = (
    ("AS value, c.id AS customer_id, count(*) AS n, sum(0) AS cents",
     "AS value, count(*) AS n, sum(0) AS cents"),
    ("WHERE true GROUP BY c.section_id, 3, 4, c.id", "WHERE true GROUP BY c.section_id, 3, 4"),
)


def _rewritten(database, pairs):
    """The events' function with each ``(old, new)`` text replaced (twice)."""
    definition = database.execute_sql("SELECT pg_get_functiondef(%s::regproc)",
                                      (FUNCTION,)).fetchone()[0]
    for old, new in pairs:
        if definition.count(old) != 2:
            raise RuntimeError(f"migration 046: the function {FUNCTION} is not as expected")
        definition = definition.replace(old, new)
    return definition


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Count the events per section, month and value."""
    if _is_sqlite(database) or fake:
        return
    migrator.sql(_rewritten(database, PER_CUSTOMER))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Group the events per customer again, as migration 040 did."""
    if _is_sqlite(database) or fake:
        return
    migrator.sql(_rewritten(database, [(new, old) for old, new in PER_CUSTOMER]))
