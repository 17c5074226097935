"""The customer row says when the purge minimised it (seed §12, §16).

A minimised customer is kept only for what the Accounting Act needs: it is on no
marketing or research list, and its prohibitions stay as long as its row does. Customers
minimised before this migration cannot be told apart from others reliably, so the column
starts empty for every customer; the next purge minimises each unused customer with a kept
invoice and no mark again, which marks it.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add customer.minimised_at."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    kind = "DATETIME" if sqlite else "TIMESTAMP"
    migrator.sql(f"ALTER TABLE customer ADD COLUMN minimised_at {kind}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the column."""
    migrator.sql("ALTER TABLE customer DROP COLUMN minimised_at")
