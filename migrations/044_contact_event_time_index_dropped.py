"""The contact events' index by time alone is dropped: nothing reads it any more.

Migration 009 made it so that the statistics counted a period's contact events of every
customer from an index alone. The statistics now read the counts kept per section and
month (migration 037); what else reads contact events reads them per customer, on the
index (customer, occurred_at, channel, direction) of migration 015, which also covers the
kept counts' recount. Every contact event added or deleted still wrote an entry of the
dropped index, in a page of its own moment: the retention purge at 100 000 customers
deleted a quarter more customers a second without it (SQLite).
"""

import peewee as pw
from peewee_migrate import Migrator

NAME = "contact_event_occurred_at_channel"


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the index."""
    migrator.sql(f"DROP INDEX IF EXISTS {NAME}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the index as migration 009 made it."""
    columns = ("occurred_at, channel, direction, customer_id" if _is_sqlite(database)
               else "occurred_at, channel, direction) INCLUDE (customer_id")
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {NAME} ON contact_event ({columns})")
