"""SQLite: a customer's delete takes out the counts only of the tables it has rows in.

Migration 037's trigger ``customer_monthly_delete`` (BEFORE DELETE on the customer, so
that the rows deleted with it by ON DELETE CASCADE, which then find no customer, are not
counted twice) ran five statements for every customer, one for its own month and one per
measure of its contact events, purchases and invoices, each grouping the customer's rows
of that table. The retention purge deletes a customer's rows first and the customer
last, so four of the five grouped nothing, about 60 µs a customer at 100 000 customers.
The trigger now takes out the customer's own count only; one trigger per table takes
out that table's measures, and only when the customer has a row there (its ``WHEN``,
an index lookup). PostgreSQL's function asks the same since migration 040.

The statements are migration 037's; the counts kept are the same
(tests/test_monthly_counts.py compares them with a recount after writes through every
path). PostgreSQL: nothing changes.
"""

import peewee as pw
from peewee_migrate import Migrator

from database import MIGRATIONS_DIR

ROW_TABLES = ("contact_event", "purchase", "invoice")


def _037():
    """The SQL builders of migration 037 (a migration never changes once written)."""
    path = MIGRATIONS_DIR / "037_monthly_counts.py"
    scope = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), scope)
    return scope


def _taking(m037, table):
    """The statements taking out the deleted customer's counts of ``table`` (its own
    month for the customer table), as migration 037's trigger does for every table."""
    owner = "(SELECT OLD.id AS id, OLD.section_id AS section_id)"
    statements = []
    for measure, m in m037["measures"](True).items():
        if m["table"] != table:
            continue
        rows = ("(SELECT OLD.id AS id, OLD.created_at AS created_at)" if table == "customer"
                else f"(SELECT * FROM {table} WHERE customer_id = OLD.id)")
        statements.append(m037["_add"]("-", measure, m, rows, owner))
    return " ".join(statements)


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Split the customer's delete trigger by table, each table's run only when needed."""
    if not _is_sqlite(database):
        return
    m037 = _037()
    migrator.sql("DROP TRIGGER IF EXISTS customer_monthly_delete")
    migrator.sql("CREATE TRIGGER customer_monthly_delete BEFORE DELETE ON customer BEGIN "
                 + _taking(m037, "customer") + " END")
    for table in ROW_TABLES:
        migrator.sql(f"CREATE TRIGGER customer_monthly_delete_{table} BEFORE DELETE ON"
                     f" customer WHEN EXISTS (SELECT 1 FROM {table} WHERE customer_id ="
                     f" OLD.id) BEGIN {_taking(m037, table)} END")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make migration 037's one trigger again."""
    if not _is_sqlite(database):
        return
    m037 = _037()
    for table in ROW_TABLES:
        migrator.sql(f"DROP TRIGGER IF EXISTS customer_monthly_delete_{table}")
    migrator.sql("DROP TRIGGER IF EXISTS customer_monthly_delete")
    migrator.sql("CREATE TRIGGER customer_monthly_delete BEFORE DELETE ON customer BEGIN "
                 + m037["_customer_rows"]("OLD", True, "-") + " END")
