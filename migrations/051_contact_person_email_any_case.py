"""An index of the contact persons' emails in lower case: the search for a data subject
(services/requests/matching.py) finds a contact person's email in any case, as a
customer's (``customer_dup_email``, migrations/026_duplicates.py); "Kaisa.Kontakti@…"
stored was not found by "kaisa.kontakti@…". An index only: existing rows need no value.
"""

import peewee as pw
from peewee_migrate import Migrator

NAME = "contact_person_lower_email"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the index."""
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {NAME} ON contact_person (lower(email))")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the index."""
    migrator.sql(f"DROP INDEX IF EXISTS {NAME}")
