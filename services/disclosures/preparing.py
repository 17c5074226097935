"""Preparing a disclosure: its recipient, purpose and legal basis, its customers (by search,
by a pasted list or by invoices in a period) and its data categories."""

import dataclasses

import peewee as pw

from database import write_transaction
from models import CATEGORIES, Customer, Disclosure, DisclosureCustomer, Invoice, Section, utcnow
from services import audit, policy
from services.disclosures.common import (
    _LIST_SEPARATORS,
    _Y_TUNNUS,
    AUDIT_OBJECT_TYPE,
    MAX_FOUND,
    MAX_LIST_ITEMS,
    MAX_PERIOD_DAYS,
    _allowed_recipient,
    _change,
    _clean_text,
    _record_reads,
    _require_open,
    _require_preparer,
    section_ids_of,
)
from services.disclosures.scope import available_categories
from services.errors import N_, RegisterError
from services.search import customer_search_condition

# Words of a purpose the register description refuses (seed §16: nothing is disclosed for
# direct marketing nor for market or opinion research), in Finnish, Swedish and English;
# a purpose is matched without case, so "Suoramarkkinointi" and "markkinointikampanja"
# are both found.
NOT_DISCLOSED_FOR = ("markkinoin", "markkinatutkimu", "mielipidetutkimu", "marknadsför",
                     "marknadsundersök", "opinionsundersök", "marketing", "market research",
                     "opinion research", "opinion poll")


def prepare(actor, recipient_id, purpose, legal_basis):
    """Start a disclosure to an allowed recipient; return it (customers and categories next).

    A purpose naming direct marketing or market or opinion research is refused (seed §16).
    """
    _require_preparer(actor)
    purpose = _clean_text(purpose, N_("Write the purpose: what the recipient needs the data "
                                      "for."), N_("Purpose"))
    if any(word in purpose.casefold() for word in NOT_DISCLOSED_FOR):
        raise RegisterError(N_("The register's data is not disclosed for marketing nor for "
                               "market or opinion research (register description, §16): "
                               "nothing was prepared. Give the purpose the recipient "
                               "needs the data for."))
    legal_basis = _clean_text(legal_basis, N_("Write the legal basis of the disclosure."),
                              N_("Legal basis"))
    with write_transaction():
        recipient = _allowed_recipient(recipient_id)
        disclosure = Disclosure.create(recipient=recipient.id, purpose=purpose,
                                       legal_basis=legal_basis, prepared_by=actor.id,
                                       prepared_at=utcnow())
        audit.record("create", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                     object_id=disclosure.id, fields=("recipient", "purpose", "legal_basis"))
    return disclosure


def find_customers(actor, term, disclosure=None, limit=MAX_FOUND):
    """Return up to ``limit`` customers of ``actor``'s sections matching ``term``; audit the
    search, and a read of each customer found (through ``disclosure``)."""
    condition = customer_search_condition(term, sections=list(Section.select()))
    if condition is None:
        return []
    found = list(Customer.select()
                 .where(condition & policy.customer_scope(section_ids_of(actor)))
                 .order_by(Customer.sort_name, Customer.id)
                 .limit(limit))
    with write_transaction():
        audit.record("search", actor=actor, object_type="customer")
        _record_reads(actor, "search", disclosure, found)
    return found


def customers_with_invoices(section_ids, first_day, last_day):
    """Return the customers of ``section_ids`` invoiced from ``first_day`` to ``last_day``."""
    invoiced = (Invoice.select(Invoice.customer)
                .where(Invoice.invoice_date.between(first_day, last_day)))
    return Customer.select().where(Customer.id.in_(invoiced) & policy.customer_scope(section_ids))


def _link(disclosure, customers):
    """Link the customers of the ``customers`` query to the disclosure; return how many were
    new."""
    before = DisclosureCustomer.select().where(
        DisclosureCustomer.disclosure == disclosure.id).count()
    rows = customers.select(pw.Value(disclosure.id), Customer.id)
    (DisclosureCustomer
     .insert_from(rows, [DisclosureCustomer.disclosure, DisclosureCustomer.customer])
     .on_conflict_ignore()
     .execute())
    after = DisclosureCustomer.select().where(
        DisclosureCustomer.disclosure == disclosure.id).count()
    return after - before


def add_customers(actor, disclosure, customer_ids):
    """Add the customers ``customer_ids`` of ``actor``'s sections; return how many were new.

    Ids outside the actor's sections (or of no customer) are left out.
    """
    _require_open(actor, disclosure)
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        raise RegisterError(N_("Choose at least one customer to add."))
    scope = section_ids_of(actor)
    with write_transaction():
        _change(actor, disclosure, fields=("customers",))
        return _link(disclosure, Customer.select()
                     .where(Customer.id.in_(ids) & policy.customer_scope(scope)))


@dataclasses.dataclass(frozen=True)
class ListResult:
    """What a pasted list added, and the items of it that named no customer."""

    added: int
    unmatched: tuple


def _is_number(item):
    """Tell whether a pasted list's ``item`` is a customer number ("007" is 7)."""
    return item.isascii() and item.isdigit() and len(item) <= 18


def add_customers_by_list(actor, disclosure, text):
    """Add the customers a pasted list names by customer number or business ID (Y-tunnus).

    Items are separated by spaces, commas, semicolons or lines. Returns a
    :class:`ListResult`; items that name no customer of the actor's sections are listed
    in ``unmatched``.
    """
    _require_open(actor, disclosure)
    items = [i for i in _LIST_SEPARATORS.split(text or "") if i]
    if not items:
        raise RegisterError(N_("Write customer numbers or business IDs (Y-tunnus), one per "
                               "line, then add them."))
    if len(items) > MAX_LIST_ITEMS:
        raise RegisterError(N_("The list is too long: give at most %(max)s items at a time."),
                            max=MAX_LIST_ITEMS)
    numbers = {int(i) for i in items if _is_number(i)}
    business_ids = {i for i in items if _Y_TUNNUS.fullmatch(i)}
    if not numbers and not business_ids:
        raise RegisterError(N_("No customer number or business ID (Y-tunnus, e.g. 1234567-8) "
                               "was found in the list. Check it and try again."))
    condition = None
    if numbers:
        condition = Customer.id.in_(sorted(numbers))
    if business_ids:
        by_business_id = Customer.business_id.in_(sorted(business_ids))
        condition = by_business_id if condition is None else condition | by_business_id
    scope = section_ids_of(actor)
    matched = Customer.select().where(condition & policy.customer_scope(scope))
    found = list(matched.select(Customer.id, Customer.business_id).tuples())
    found_ids = {str(i) for i, _b in found}
    found_business_ids = {b for _i, b in found if b}
    unmatched = tuple(i for i in dict.fromkeys(items)
                      if not (_is_number(i) and str(int(i)) in found_ids)
                      and i not in found_business_ids)
    added = 0
    if found:
        with write_transaction():
            _change(actor, disclosure, fields=("customers",))
            added = _link(disclosure, Customer.select().where(
                Customer.id.in_([i for i, _b in found])))
    return ListResult(added, unmatched)


def add_customers_with_invoices(actor, disclosure, first_day, last_day):
    """Add every customer of ``actor``'s sections invoiced in the period; limit the invoices
    handed over to that period. Returns how many customers were new."""
    _require_open(actor, disclosure)
    if first_day is None or last_day is None:
        raise RegisterError(N_("Give both the first and the last day of the invoicing "
                               "period."))
    if first_day > last_day:
        raise RegisterError(N_("The first day is after the last day: swap them."))
    if (last_day - first_day).days > MAX_PERIOD_DAYS:
        raise RegisterError(N_("Choose an invoicing period of at most ten years."))
    scope = section_ids_of(actor)
    with write_transaction():
        _change(actor, disclosure, {"invoices_from": first_day, "invoices_until": last_day},
                fields=("customers", "invoices_from", "invoices_until"))
        return _link(disclosure, customers_with_invoices(scope, first_day, last_day))


def remove_customers(actor, disclosure, customer_ids=None):
    """Remove the customers ``customer_ids`` (every one when None) of ``actor``'s sections
    from the disclosure.

    Categories no longer held by the remaining customers' sections are dropped too; returns
    the dropped category codes.
    """
    _require_open(actor, disclosure)
    with write_transaction():
        _change(actor, disclosure, fields=("customers",))
        query = DisclosureCustomer.delete().where(
            (DisclosureCustomer.disclosure == disclosure.id)
            & DisclosureCustomer.customer.in_(
                Customer.select(Customer.id).where(policy.customer_scope(section_ids_of(actor)))))
        if customer_ids is not None:
            ids = sorted({int(i) for i in customer_ids})
            if not ids:
                raise RegisterError(N_("Choose at least one customer to remove."))
            query = query.where(DisclosureCustomer.customer.in_(ids))
        query.execute()
        held = set(available_categories(disclosure))
        chosen = Disclosure.get_by_id(disclosure.id).category_list
        dropped = [c for c in chosen if c not in held]
        if dropped:
            (Disclosure.update(categories=" ".join(c for c in chosen if c in held))
             .where(Disclosure.id == disclosure.id).execute())
            audit.record("update", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                         object_id=disclosure.id, fields=("categories",))
    return dropped


@dataclasses.dataclass(frozen=True)
class CategoryChoice:
    """The categories kept, and those asked for that the customers' sections do not hold."""

    kept: tuple
    dropped: tuple


def choose_categories(actor, disclosure, categories):
    """Set the data categories to disclose; keep only those the customers' sections hold.

    Returns a :class:`CategoryChoice` naming the kept and the dropped categories.
    """
    _require_open(actor, disclosure)
    asked = [c for c in CATEGORIES if c in set(categories)]
    unknown = set(categories) - set(CATEGORIES)
    if not asked and not unknown:
        raise RegisterError(N_("Choose at least one data category."))
    with write_transaction():
        held = set(available_categories(disclosure, actor))
        if not held:
            raise RegisterError(N_("Choose the customers first: the categories that can be "
                                   "disclosed are those their sections hold."))
        kept = tuple(c for c in asked if c in held)
        dropped = tuple(c for c in asked if c not in held) + tuple(sorted(unknown))
        if not kept:
            raise RegisterError(N_("None of the chosen categories is held by the sections of "
                                   "the chosen customers. Choose from the categories shown."))
        _change(actor, disclosure, {"categories": " ".join(kept)}, fields=("categories",))
    return CategoryChoice(kept, dropped)
