"""PostgreSQL: the duplicate check's name indexes carry the customer's id (``INCLUDE (id)``).

The likely matches of a customer are read as (id, sort name) from
``(section_id, postal_code, sort_name)``, and the possible pairs of the same name and birth
date from ``(section_id, birth_date, sort_name)`` (migrations/026_duplicates.py). A
SQLite index carries the row's id anyway, so it answers alone; a PostgreSQL index did not,
and the planner read the customer rows of the whole postal area instead (2 300 pages,
about 10 ms, for a common name in a large area at 1 000 000 customers). With the id
included it answers from the index, once the table is vacuumed. SQLite: nothing to do.
"""

import peewee as pw
from peewee_migrate import Migrator

INDEXES = {
    "customer_dup_birth_date": "section_id, birth_date, sort_name",
    "customer_dup_postal_name": "section_id, postal_code, sort_name",
}


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def _remake(migrator, database, include):
    """Drop the indexes and make them again, ``include`` after their columns (PostgreSQL)."""
    if _is_sqlite(database):
        return
    for name, columns in INDEXES.items():
        migrator.sql(f"DROP INDEX IF EXISTS {name}")
        migrator.sql(f"CREATE INDEX {name} ON customer ({columns}){include}")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the indexes again with the id included."""
    _remake(migrator, database, " INCLUDE (id)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the indexes again as migration 026 made them."""
    _remake(migrator, database, "")
