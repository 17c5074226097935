"""A covering index for sorting the customer list by Y-tunnus, then birth date."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the index (PostgreSQL INCLUDEs the id for index-only scans)."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    include = "" if sqlite else " INCLUDE (id)"
    migrator.sql(
        "CREATE INDEX customer_business_id_birth_date_section_id"
        f" ON customer (business_id, birth_date, section_id){include}"
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it."""
    migrator.sql("DROP INDEX customer_business_id_birth_date_section_id")
