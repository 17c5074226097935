"""What goes: the rules of what a deletion and a minimisation remove, as SQL predicates
used both by the preview's counts and by the purge's DELETE statements."""

import datetime
import re

import database
from models import (
    ACCOUNTING_RECORD_FIELDS,
    CATEGORIES,
    Address,
    Customer,
    Invoice,
    Prohibition,
    Purchase,
    db,
)
from services.categories import deletion_order, home_category, linked_models, own_fields
from services.retention.settings import INVOICE_AFTER_PURCHASE_DAYS


# What a minimisation removes of a child table, as a condition on its row ``e`` (None:
# every row). :keep_from is the first day of the keeping period.
_PURCHASE_NOT_BILLED = (
    "NOT EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = e.customer_id"
    " AND i.invoice_date >= :keep_from AND i.amount = e.amount"
    " AND i.invoice_date >= e.purchased_on AND i.invoice_date <= {purchase_plus_days})"
)
_INVOICE_PAST_KEEPING = "e.invoice_date < :keep_from"
# The customer's own prohibitions stay (seed §16); a contact person's go with the person.
_PROHIBITION_OF_CONTACT_PERSON = "e.contact_person_id IS NOT NULL"
# Every address but the billing addresses; with no billing address, the one the
# invoices went to (the postal address, else the first) stays instead. One look at the
# customer's addresses a row: the first of them, billing before postal before the rest, is
# the one kept when the customer has no billing address, and a billing address when it has.
_ADDRESS_NOT_KEPT = (
    "e.kind <> 'billing' AND e.id <> (SELECT a.id FROM address AS a"
    " WHERE a.customer_id = e.customer_id"
    " ORDER BY CASE a.kind WHEN 'billing' THEN 0 WHEN 'postal' THEN 1 ELSE 2 END, a.id LIMIT 1)"
)
# Per child table, what a minimisation removes; every row of a table not named here goes.
MINIMISE_CONDITIONS = {
    Prohibition: _PROHIBITION_OF_CONTACT_PERSON,
    Purchase: _PURCHASE_NOT_BILLED,
    Invoice: _INVOICE_PAST_KEEPING,
    Address: _ADDRESS_NOT_KEPT,
}

# The data categories a purge counts, in the order of the register description.
COUNTED_CATEGORIES = CATEGORIES


def customer_fields():
    """Return the customer's own fields per data category (``services.categories``): what
    a deletion removes and what a minimisation removes, ``{category: (deleted,
    minimised)}``. A category counts a customer when one of its fields has a value."""
    return {category: (names, tuple(n for n in names if n not in ACCOUNTING_RECORD_FIELDS))
            for category, names in own_fields(Customer).items()}


def minimised_fields():
    """Return the customer's fields a minimisation empties."""
    return tuple(name for _deleted, minimised in customer_fields().values() for name in minimised)


def minimised_categories():
    """Return the categories of the customer's own row a minimisation empties. A purge
    counts them for minimised customers only: a deleted customer's own fields go with its
    row, counted under "customers"."""
    return tuple(category for category, (_d, minimised) in customer_fields().items() if minimised)


def own_row_categories():
    """Return the categories of the customer's own row."""
    return tuple(customer_fields())


def child_rows():
    """Return the customer's rows in other tables, in the order they are deleted (rows
    naming a contact person before the contact persons): ``(model, data category, what a
    minimisation removes)`` of every mapped model that references the customer."""
    children = [model for model, _link in linked_models(Customer)]
    return [(model, home_category(model), MINIMISE_CONDITIONS.get(model))
            for model in deletion_order(children)]


def _purchase_plus_days():
    """SQL for the last day an invoice may bill purchase ``e`` (dates differ per database)."""
    if database.is_sqlite():
        return f"date(e.purchased_on, '+{INVOICE_AFTER_PURCHASE_DAYS} days')"
    return f"(e.purchased_on + {INVOICE_AFTER_PURCHASE_DAYS})"


def _minimise_condition(template):
    if template is None:
        return None
    return template.replace("{purchase_plus_days}", _purchase_plus_days())


def _empty_counts():
    return {"customers": 0, **{c: 0 for c in COUNTED_CATEGORIES}}


_TOKEN = re.compile(r":([a-z_]+)")


def _bind(sql, values):
    """Turn ``:name`` tokens into the database's placeholders; return ``(sql, params)``."""
    params = []

    def replace(match):
        params.append(_sql_value(values[match.group(1)]))
        return db.param

    return _TOKEN.sub(replace, sql), params


def _sql_value(value):
    """A date or time as the database compares it (SQLite: ISO text, as peewee stores it)."""
    if database.is_sqlite() and isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat(" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return value
