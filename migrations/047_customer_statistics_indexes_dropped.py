"""The customer's indexes by postal code and by registration time are dropped: nothing
reads them any more.

Migration 009 made ``(postal_code, section_id)`` and ``(created_at, section_id)`` so that
the statistics counted a section's customers by postal area and by month of registration
from an index. The statistics read the counts kept per section and month since migration
037. What else reads those columns finds its customers another way: the duplicate check's
likely matches by ``(section_id, postal_code, sort_name)`` (migration 039), the
marketing list's postal code prefix by that index too, the purge preview's never active
customers by ``(section_id, last_activity_at)`` (their plans read on both databases at
1 000 000 customers). Every customer added, moved or deleted still wrote an entry in each,
in a page of its own, and at 1 000 000 customers they held about 75 MB on PostgreSQL. The
retention purge's rate did not change measurably without them (SQLite, back to back: 2 102
and 2 060 customers a second, within one run's spread to the next): its commits are
dominated by the other twenty indexes' pages.
"""

import peewee as pw
from peewee_migrate import Migrator

# name, columns, as migration 009 made them (neither INCLUDEs anything)
INDEXES = (
    ("customer_postal_code_section_id", "postal_code, section_id"),
    ("customer_created_at_section_id", "created_at, section_id"),
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the indexes."""
    for name, _columns in INDEXES:
        migrator.sql(f"DROP INDEX IF EXISTS {name}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the indexes as migration 009 made them."""
    for name, columns in INDEXES:
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {name} ON customer ({columns})")
