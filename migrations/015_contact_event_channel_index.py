"""The statistics of one section count its contact events from an index alone.

Counting one section's contact events per month, channel and direction walks the
section's customers and, for each, their events of the period on the (customer,
occurred_at) index; the channel and direction were then read from each event's row
(4.7 million rows for tourism at 1 000 000 customers). With both in the index the rows
are not read. The index keeps its name and its first two columns, so what used it before
(a customer's newest contact, the purge preview) still does.
"""

import peewee as pw
from peewee_migrate import Migrator

NAME = "contactevent_customer_id_occurred_at"


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Widen the index with the channel and direction."""
    columns = ("customer_id, occurred_at, channel, direction" if _is_sqlite(database)
               else "customer_id, occurred_at) INCLUDE (channel, direction")
    migrator.sql(f"DROP INDEX {NAME}")
    migrator.sql(f"CREATE INDEX {NAME} ON contact_event ({columns})")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Bring back the narrow index."""
    migrator.sql(f"DROP INDEX {NAME}")
    migrator.sql(f"CREATE INDEX {NAME} ON contact_event (customer_id, occurred_at)")
