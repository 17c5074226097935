"""Data a section's customers hold in categories the section does not hold (any more).

When the controller takes a data category from a section (services/sections.py), its data
either goes at once or stays "until the purge": the screens, the report, the statistics,
the marketing list and disclosures stop showing it at once (they read the section's
categories), and every purge run of the section removes it, batch after batch, after the
run's unused customers (``runs.run_batch``). Where the data lives is derived from the
field → data-category map (``services.categories``): the customer's own fields of the
category are emptied, and the rows of each table whose home category it is are deleted
(a contact person's prohibitions and requests go with the person, by ON DELETE CASCADE).

A held customer (an open request, a disclosure not carried out: ``holding``) keeps its
data until the hold ends, as in the purge.
"""

import dataclasses
import json

import peewee as pw
from peewee import fn

from models import CATEGORIES, Customer, Invoice, SectionChange
from services.categories import home_category, linked_models, own_fields
from services.customers import refresh_city
from services.localtime import helsinki_today
from services.retention.holding import holds
from services.retention.settings import keeping_starts
from services.versioning import next_version

# Categories no section can be without: the register's own entry and the name that tells
# customers apart.
REQUIRED_CATEGORIES = ("identity", "record")


@dataclasses.dataclass(frozen=True)
class DataPlace:
    """Where data of a category lives: the customer's fields, or a table's rows (``field``
    None: every row of ``model`` goes)."""

    category: str
    model: type
    field: str = None
    link: pw.Field = None  # the model's key to the customer

    @property
    def key(self):
        """``table`` or ``table.field``: how the counts name the place."""
        table = self.model._meta.table_name
        return f"{table}.{self.field}" if self.field else table


def _emptied_value(field):
    """What an emptied field holds: NULL, or the default of a field that must have one."""
    if field.null:
        return None
    return field.default if not callable(field.default) else None


def data_places(categories):
    """Return the :class:`DataPlace` of each field and table holding data of ``categories``,
    in the order of the register description; fields that cannot be emptied are left out."""
    found = []
    own = own_fields(Customer)
    children = [(model, link) for model, link in linked_models(Customer)]
    for category in CATEGORIES:
        if category not in categories or category in REQUIRED_CATEGORIES:
            continue
        for name in own.get(category, ()):
            field = Customer._meta.fields[name]
            if field.null or _emptied_value(field) is not None:
                found.append(DataPlace(category, Customer, name))
        for model, link in children:
            if home_category(model) == category:
                found.append(DataPlace(category, model, None, link))
            else:
                found += [DataPlace(category, model, name, link)
                          for name in own_fields(model).get(category, ())
                          if model._meta.fields[name].null]
    return found


def _removable(place):
    """The condition on ``place``'s rows that they may go: every row, but an invoice still
    under the Accounting Act's keeping period stays (the purge minimises, never deletes it)."""
    if place.model is Invoice:
        return Invoice.invoice_date < keeping_starts(helsinki_today())
    return pw.SQL("1 = 1")


def _row_condition(place):
    """The condition on a table's rows that they hold data of ``place`` that may go."""
    condition = _removable(place)
    if place.field:
        condition &= _filled(getattr(place.model, place.field))
    return condition


def _filled(field):
    """The condition that ``field`` holds a value (not empty, not its emptied value)."""
    empty = _emptied_value(field)
    condition = field.is_null(False)
    if empty is not None:
        condition &= field != empty
    elif isinstance(field, (pw.CharField, pw.TextField)):
        condition &= field != ""
    return condition


def _has_data(place):
    """The condition on Customer that the customer has data in ``place``."""
    if place.model is Customer:
        return _filled(getattr(Customer, place.field))
    return fn.EXISTS(place.model.select(pw.SQL("1")).where(
        (place.link == Customer.id) & _row_condition(place)))


def missing_categories(section):
    """Return the categories ``section`` does not hold, in the register description's order."""
    held = section.category_set
    return tuple(c for c in CATEGORIES if c not in held and c not in REQUIRED_CATEGORIES)


def kept_categories(section):
    """Return the categories the controller took from ``section`` with data in them, and
    that it still does not hold: what a purge of the section removes — the data kept until
    the purge, and what "delete now" had to leave (a customer held by an open request or
    a disclosure keeps it until the hold ends, and the purge takes it then). Read from the
    section's history, so a register that never took any pays nothing in its previews and
    runs."""
    missing = missing_categories(section)
    if not missing:
        return ()
    kept = set()
    for change in SectionChange.select().where(
            (SectionChange.section_code == section.code)
            & (SectionChange.action == "categories") & SectionChange.detail.is_null(False)):
        # The choices of services.sections: KEEP, DELETE_NOW (which imports this module).
        if json.loads(change.detail).get("choice") in ("keep", "delete"):
            kept |= set((change.old_value or "").split()) - set((change.new_value or "").split())
    return tuple(c for c in missing if c in kept)


def data_counts(section, categories):
    """Return ``{place key: count}`` of the data ``section``'s customers hold in
    ``categories``: customers with a value in a field, rows in a table. Places with none
    are left out."""
    found = {}
    in_section = Customer.section == section.id
    for place in data_places(categories):
        if place.model is Customer:
            query = Customer.select().where(in_section & _has_data(place))
        else:
            query = place.model.select().where(place.link.in_(
                Customer.select(Customer.id).where(in_section)) & _row_condition(place))
        number = query.count()
        if number:
            found[place.key] = number
    return found


def kept_for_accounts(section, categories):
    """Return how many rows of ``categories`` of ``section``'s customers ``data_counts``
    leaves out because the Accounting Act keeps them still (invoices): they go with a later
    purge, so their removal is recorded as kept until the purge."""
    if not any(place.model is Invoice for place in data_places(categories)):
        return 0
    return Invoice.select().where(
        Invoice.customer.in_(Customer.select(Customer.id).where(Customer.section == section.id))
        & (Invoice.invoice_date >= keeping_starts(helsinki_today()))).count()


def held_customers(section, categories):
    """Return how many of ``section``'s customers with data in ``categories`` are held."""
    held = list(holds())
    return len(_with_data(section, categories, only=held)) if held else 0


def _with_data(section, categories, held_ids=None, only=None, limit=None):
    """Return the ids of ``section``'s customers with data in ``categories``, in id order."""
    conditions = [_has_data(place) for place in data_places(categories)]
    if not conditions:
        return []
    has_any = conditions[0]
    for condition in conditions[1:]:
        has_any |= condition
    query = (Customer.select(Customer.id).where((Customer.section == section.id) & has_any)
             .order_by(Customer.id))
    if held_ids:
        query = query.where(Customer.id.not_in(held_ids))
    if only is not None:
        query = query.where(Customer.id.in_(only))
    if limit:
        query = query.limit(limit)
    return [row.id for row in query]


def remove_batch(section, categories, batch_size):
    """Remove the data of ``categories`` of the next ``batch_size`` customers of ``section``
    that hold some and are not held; return ``(customers, {place key: count})``.

    Call it inside the batch's transaction; nothing is left to remove when it returns 0.
    """
    ids = _with_data(section, categories, held_ids=list(holds()), limit=batch_size)
    removed = {}
    if not ids:
        return 0, removed
    for place in data_places(categories):
        if place.model is Customer:
            field = getattr(Customer, place.field)
            number = (Customer.update({field: _emptied_value(field), **next_version(Customer)})
                      .where(Customer.id.in_(ids) & _filled(field)).execute())
        elif place.field is None:
            number = place.model.delete().where(
                place.link.in_(ids) & _row_condition(place)).execute()
        else:
            number = (place.model.update({getattr(place.model, place.field): None})
                      .where(place.link.in_(ids) & _row_condition(place)).execute())
        if number:
            removed[place.key] = removed.get(place.key, 0) + number
    if any(p.category == "address" for p in data_places(categories)):
        refresh_city(*ids)  # the customer's city and postal code follow its addresses
    return len(ids), removed


def leftover_counts(sections):
    """Return ``{code: {place: count}}`` of the data each of ``sections`` holds in the
    categories taken from it to be kept until the purge (``kept_categories``): what a
    purge of those sections removes. Sections with none are left out."""
    found = {}
    for section in sections:
        kept = kept_categories(section)
        counts_of = data_counts(section, kept) if kept else {}
        if counts_of:
            found[section.code] = counts_of
    return found
