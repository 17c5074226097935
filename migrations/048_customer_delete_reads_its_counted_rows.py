"""PostgreSQL: a customer's delete asks its counted rows, not each table, whether it has
rows to take out of the monthly counts.

Migration 040's BEFORE DELETE row function asked, for every customer deleted, whether it
had a contact event, a purchase or an invoice (four lookups, the invoices' twice) before
taking their counts out. ``customer_rows`` (migration 038) holds how many rows each
customer has in each of those tables, kept by every writer's triggers and equal to a
recount (tests/test_monthly_counts.py); a customer without rows has no row there. The
function now reads that one row by its key; the retention purge, which deletes a batch's
rows and their ``customer_rows`` first, finds none. The statements taking the counts out
are migration 040's, unchanged.

SQLite: migration 045's triggers ask each table in their ``WHEN``; nothing changes there.
"""

import peewee as pw
from peewee_migrate import Migrator

FUNCTION = "customer_monthly_deleting"
TABLES = ("contact_event", "purchase", "invoice")
DECLARED = ("AS $function$\nBEGIN\n",
            "AS $function$\nDECLARE counted record;\nBEGIN\n    SELECT r.contact_event,"
            " r.purchase, r.invoice INTO counted FROM customer_rows AS r"
            " WHERE r.customer_id = OLD.id;\n    IF NOT FOUND THEN RETURN OLD; END IF;\n")


def _pairs():
    """(migration 040's text, this one's), each in the function as often as it was."""
    asked = [(f"IF EXISTS (SELECT 1 FROM {table} WHERE customer_id = OLD.id) THEN",
              f"IF counted.{table} > 0 THEN") for table in TABLES]
    return [DECLARED, *asked]


def _rewritten(database, pairs):
    """The function with each ``(old, new)`` text replaced wherever it is."""
    definition = database.execute_sql("SELECT pg_get_functiondef(%s::regproc)",
                                      (FUNCTION,)).fetchone()[0]
    for old, new in pairs:
        if old not in definition:
            raise RuntimeError(f"migration 048: the function {FUNCTION} is not as expected")
        definition = definition.replace(old, new)
    return definition


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Read the customer's counted rows once instead of asking each table."""
    if _is_sqlite(database) or fake:
        return
    migrator.sql(_rewritten(database, _pairs()))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Ask each table again, as migration 040 did."""
    if _is_sqlite(database) or fake:
        return
    migrator.sql(_rewritten(database, [(new, old) for old, new in reversed(_pairs())]))
