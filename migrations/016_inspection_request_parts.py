"""An inspection request that concerns several sections is handled in parts, one a section.

Each part is an inspection request of its own section, handled by that section's handler
(or the responsible person), with its own records, decision and delivery; the parts of one
request share ``group_id``, the number of its first part. Existing requests stand alone.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add inspection_request.group_id and its index."""
    migrator.sql("ALTER TABLE inspection_request ADD COLUMN group_id INTEGER "
                 "REFERENCES inspection_request (id) ON DELETE SET NULL")
    migrator.sql("CREATE INDEX inspection_request_group_id ON inspection_request (group_id)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the index and the column."""
    migrator.sql("DROP INDEX inspection_request_group_id")
    migrator.sql("ALTER TABLE inspection_request DROP COLUMN group_id")
