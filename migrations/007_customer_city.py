"""The customer's city on the customer row, for listing and sorting at scale.

The list shows and sorts by the city of the customer's postal (else any) address; a
correlated subquery cannot be sorted on an index, so the city is kept on the customer by
services.customers.refresh_city whenever the addresses change, and filled in here.
"""

import peewee as pw
from peewee_migrate import Migrator

CITY_OF_CUSTOMER = (
    "(SELECT a.city FROM address AS a WHERE a.customer_id = customer.id"
    " ORDER BY CASE WHEN a.kind = 'postal' THEN 0 ELSE 1 END, a.id LIMIT 1)"
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add, fill and index customer.city."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    migrator.sql("ALTER TABLE customer ADD COLUMN city VARCHAR(100)")
    migrator.sql(f"UPDATE customer SET city = {CITY_OF_CUSTOMER}")
    if not sqlite:
        # The fill rewrote every row: rebuild the indexes at their compact size.
        migrator.sql("REINDEX TABLE customer")
    include = "" if sqlite else " INCLUDE (id)"
    migrator.sql(f"CREATE INDEX customer_city_section_id ON customer (city, section_id){include}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the index and the column."""
    migrator.sql("DROP INDEX customer_city_section_id")
    migrator.sql("ALTER TABLE customer DROP COLUMN city")
