"""Indexes of the duplicate check (services/duplicates): each key it compares customers by,
within a section (sections are separate registers).

- ``(business_id, section_id)``: the same Y-tunnus;
- ``(lower(email), section_id)``: the same email, case-insensitively;
- ``(section_id, birth_date, sort_name)``: the same birth date, and the same name on the
  possible-duplicates page (read from the index alone);
- ``(section_id, postal_code, sort_name)``: similar names in the same postal area, the
  name filter read from the index alone; the possible-duplicates page walks it in order;
- ``(phone, section_id)``, ``(mobile, section_id)``: the same phone number.

The narrow ones start with the key: an equality on both columns is served the same either
way, and a narrow index starting with the section would be taken by SQLite for a query on
the section alone (the count of customers not yet informed has its own partial index,
migrations/022_informing.py). Indexes only: existing rows need no value. Both databases
take the same statements; the planner's statistics are left to ``database.optimize``
(an ANALYZE here would read every customer during the migration).
"""

import peewee as pw
from peewee_migrate import Migrator

INDEXES = {
    "customer_dup_business_id": "business_id, section_id",
    "customer_dup_email": "lower(email), section_id",
    "customer_dup_birth_date": "section_id, birth_date, sort_name",
    "customer_dup_postal_name": "section_id, postal_code, sort_name",
    "customer_dup_phone": "phone, section_id",
    "customer_dup_mobile": "mobile, section_id",
}


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the indexes."""
    for name, columns in INDEXES.items():
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {name} ON customer ({columns})")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the indexes."""
    for name in INDEXES:
        migrator.sql(f"DROP INDEX IF EXISTS {name}")
