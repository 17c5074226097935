"""Grants and endings made on the server's command line are recorded as such.

``flask users create``, ``users bootstrap`` and ``users deactivate`` go through the same
access services as the pages: an access request (asked, approved and implemented at
once) or an account status change, with their audit events. ``origin`` says where each
was made: ``web`` (the pages, the default) or ``cli`` (the server's command line, where
no user of the register is named).
"""

import peewee as pw
from peewee_migrate import Migrator

TABLES = ("access_request", "account_status_change")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add ``origin`` to access requests and account status changes."""
    for table in TABLES:
        migrator.sql(f"ALTER TABLE {table} ADD COLUMN origin VARCHAR(8) NOT NULL DEFAULT 'web'")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the columns."""
    for table in TABLES:
        migrator.sql(f"ALTER TABLE {table} DROP COLUMN origin")
