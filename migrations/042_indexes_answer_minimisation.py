"""The indexes a minimisation's conditions are answered from alone.

What a minimisation removes of a kept customer (services/retention/conditions.py) is
asked of each of its rows: a purchase is looked for among the customer's kept invoices
of the same amount, an invoice by its date, an address by its kind. The customer's
indexes of those tables held the customer and the date only, so each row (and each
invoice compared) was also read from its table: for the purge preview of 20 000 kept
customers of a section at 1 000 000 customers, 35 000 purchases, their invoices and
22 000 addresses. With the amount and the kind in the indexes they answer alone.

The address index on the customer becomes (customer, kind), which answers every lookup
by customer as before; the purchases' and invoices' (customer, date) indexes get the
amount last. As many indexes as before, so a write costs what it did.
"""

import peewee as pw
from peewee_migrate import Migrator

# name → (table, columns), as migration 001 made them and as they become.
BEFORE = {
    "address_customer_id": ("address", "customer_id"),
    "purchase_customer_id_purchased_on": ("purchase", "customer_id, purchased_on"),
    "invoice_customer_id_invoice_date": ("invoice", "customer_id, invoice_date"),
}
AFTER = {
    "address_customer_id_kind": ("address", "customer_id, kind"),
    "purchase_customer_id_purchased_on_amount": ("purchase", "customer_id, purchased_on, amount"),
    "invoice_customer_id_invoice_date_amount": ("invoice", "customer_id, invoice_date, amount"),
}


def _replace(migrator, drop, create):
    for name, (table, columns) in create.items():
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name in drop:
        migrator.sql(f"DROP INDEX IF EXISTS {name}")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the indexes with the kind and the amount, then drop the ones they replace."""
    _replace(migrator, BEFORE, AFTER)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Make the indexes as migration 001 made them again."""
    _replace(migrator, AFTER, BEFORE)
