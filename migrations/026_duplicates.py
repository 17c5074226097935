"""Indexes of the duplicate check (services/duplicates): each key it compares customers by,
within a section (sections are separate registers).

- ``(section_id, business_id)``: the same Y-tunnus;
- ``(section_id, lower(email))``: the same email, case-insensitively;
- ``(section_id, birth_date, sort_name)``: the same birth date, and the same name on the
  possible-duplicates page (read from the index alone);
- ``(section_id, postal_code, sort_name)``: similar names in the same postal area, the name
  filter read from the index alone; the possible-duplicates page walks it in order;
- ``(section_id, phone)``, ``(section_id, mobile)``: the same phone number.

Indexes only: existing rows need no value. Both databases take the same statements.
"""

import peewee as pw
from peewee_migrate import Migrator

INDEXES = {
    "customer_dup_business_id": "section_id, business_id",
    "customer_dup_email": "section_id, lower(email)",
    "customer_dup_birth_date": "section_id, birth_date, sort_name",
    "customer_dup_postal_name": "section_id, postal_code, sort_name",
    "customer_dup_phone": "section_id, phone",
    "customer_dup_mobile": "section_id, mobile",
}


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the indexes and refresh the planner's statistics."""
    for name, columns in INDEXES.items():
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {name} ON customer ({columns})")
    migrator.sql("ANALYZE customer")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the indexes."""
    for name in INDEXES:
        migrator.sql(f"DROP INDEX IF EXISTS {name}")
