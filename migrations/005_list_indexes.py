"""Covering indexes for paging the customer list in each sortable order.

A list page is found by walking one of these indexes (order column, then section) to
the page's offset without reading the table, then fetching only the page's rows
(admin_views/customers.py: CustomerView.get_list). SQLite indexes carry the row id by
themselves; PostgreSQL needs it INCLUDEd for an index-only scan.
"""

import peewee as pw
from peewee_migrate import Migrator

INDEXES = (
    ("customer_sort_name_section_id", "sort_name, section_id"),
    ("customer_kind_section_id", "kind, section_id"),
    ("customer_language_section_id", "language, section_id"),
    ("customer_last_activity_at_section_id", "last_activity_at, section_id"),
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the indexes."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    include = "" if sqlite else " INCLUDE (id)"
    for name, columns in INDEXES:
        migrator.sql(f"CREATE INDEX {name} ON customer ({columns}){include}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them."""
    for name, _columns in INDEXES:
        migrator.sql(f"DROP INDEX {name}")
