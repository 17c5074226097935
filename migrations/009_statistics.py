"""What the statistics read at scale (seed §5, §8): postal code on the customer, and indexes.

The postal code of the customer's postal (else any) address is kept on the customer row
beside the city (services.customers.refresh_city), so customers count by postal area on
an index instead of a join over every address. The other indexes let each statistic read
only the chosen period.
"""

import peewee as pw
from peewee_migrate import Migrator

POSTAL_CODE_OF_CUSTOMER = (
    "(SELECT a.postal_code FROM address AS a WHERE a.customer_id = customer.id"
    " ORDER BY CASE WHEN a.kind = 'postal' THEN 0 ELSE 1 END, a.id LIMIT 1)"
)

INDEXES = (
    # name, table, columns, included columns (PostgreSQL; SQLite puts them in the key)
    ("customer_postal_code_section_id", "customer", ("postal_code", "section_id"), ()),
    ("customer_created_at_section_id", "customer", ("created_at", "section_id"), ()),
    ("contact_event_occurred_at_channel", "contact_event",
     ("occurred_at", "channel", "direction"), ("customer_id",)),
    ("purchase_purchased_on_service", "purchase", ("purchased_on", "service"),
     ("customer_id",)),
    ("invoice_invoice_date", "invoice", ("invoice_date",), ("customer_id", "amount")),
    ("invoice_paid_on", "invoice", ("paid_on",), ("customer_id", "amount")),
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add and fill customer.postal_code; create the statistics' indexes."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    migrator.sql("ALTER TABLE customer ADD COLUMN postal_code VARCHAR(10)")
    migrator.sql(f"UPDATE customer SET postal_code = {POSTAL_CODE_OF_CUSTOMER}")
    if not sqlite:
        # The fill rewrote every row: rebuild the indexes at their compact size.
        migrator.sql("REINDEX TABLE customer")
    for name, table, columns, included in INDEXES:
        if sqlite:
            key, include = columns + included, ""
        else:
            key, include = columns, f" INCLUDE ({', '.join(included)})" if included else ""
        migrator.sql(f"CREATE INDEX {name} ON {table} ({', '.join(key)}){include}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the indexes and the column."""
    for name, *_ in reversed(INDEXES):
        migrator.sql(f"DROP INDEX {name}")
    migrator.sql("ALTER TABLE customer DROP COLUMN postal_code")
