"""The disclosure register (seed §8, §17): personal data leaves the register only to an
allowed recipient, on the controller's decision, and only the data decided.

A disclosure goes

    prepared → approved or refused (by the controller) → carried out (approved only)

While prepared, a handler (own sections) or the controller names the recipient, the
purpose and the legal basis, chooses the customers (by search, by a list of customer
numbers or business IDs, or every customer invoiced in a period — the usual set for
accounts payable) and the data categories. Only categories the chosen customers'
sections hold can be chosen. The controller approves or refuses the version they saw;
every later change makes that decision stale. Carrying out produces the data set
actually handed over — the chosen categories' fields only, found by walking
``models.FIELD_CATEGORIES`` so that a field added later is included by its category —
as CSV or XLSX, once.

The allowed recipients are data (seed §8 names two); the controller adds and deactivates
them. Every step writes its audit event (object type ``disclosure`` or
``disclosure_recipient``) in the step's own transaction.

A handler sees and handles only the customers of their own sections in a disclosure: a
disclosure that also holds other sections' customers (the controller may add any) is
carried out by the controller. Every read of a customer's data through a disclosure — a
search's results, the page listing its customers, the data set handed over — is an audit
event on that customer as well.

``disclosures_of(customer_ids)`` tells, for each customer, the disclosures that included
it: the inspection report shows them to the data subject.
"""

import csv
import dataclasses
import datetime
import decimal
import io
import re

import peewee as pw

from database import write_transaction
from models import (
    CATEGORIES,
    FIELD_CATEGORIES,
    Customer,
    Disclosure,
    DisclosureCustomer,
    DisclosureRecipient,
    Invoice,
    Section,
    User,
    utcnow,
)
from services import audit, policy
from services.categories import linked_models
from services.errors import N_, RegisterError
from services import localtime
from services.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, safe_cell
from services.hetu import refusal
from services.inputs import parse_id
from services.localtime import to_helsinki as _helsinki
from services.policy import NotAllowed
from services.search import customer_search_condition
from services.versioning import UNCHECKED, StaleVersion, check_version, versioned_update

AUDIT_OBJECT_TYPE = "disclosure"
# A disclosure in these states has not been carried out yet, and may still be.
UNFINISHED_STATES = ("prepared", "approved")
RECIPIENT_OBJECT_TYPE = "disclosure_recipient"

# A customer search shows at most this many customers.
MAX_FOUND = 50
# A pasted list may name at most this many customers.
MAX_LIST_ITEMS = 5000
# Longest accepted purpose, legal basis and refusal reason.
MAX_TEXT = 2000
# An invoicing period may span at most this many days.
MAX_PERIOD_DAYS = 3660

EXPORT_FORMATS = ("csv", "xlsx")

_Y_TUNNUS = re.compile(r"\d{7}-\d")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


STALE = N_("Someone else changed this disclosure meanwhile: nothing was saved. Check the "
           "customers and categories now shown, then decide again.")
DECIDED = N_("The disclosure has already been decided: its customers and categories can no "
             "longer be changed. Prepare a new one.")


# --- who may (services/policy.py) --------------------------------------------------------
# A handler (own sections) or the controller prepares and carries out; only the controller
# decides and keeps the recipients; the responsible person reads.


def may_prepare(user):
    """Tell whether ``user`` may prepare and carry out disclosures."""
    return policy.may(user, "prepare_disclosures")


def may_decide(user):
    """Tell whether ``user`` may approve or refuse disclosures (the controller only)."""
    return policy.may(user, "decide_disclosures")


def may_manage_recipients(user):
    """Tell whether ``user`` may add and deactivate allowed recipients."""
    return policy.may(user, "manage_disclosure_recipients")


def section_ids_of(user):
    """Return the ids of the sections whose customers ``user`` may put in a disclosure."""
    if policy.may(user, "read_disclosures"):
        return policy.readable_section_ids(user)
    return []


def visible_to(user):
    """Return the disclosures ``user`` may open.

    The controller and the responsible person: every one. A handler: those they prepared,
    and those whose every customer is in the handler's sections. Anyone else: none.
    """
    query = Disclosure.select()
    if policy.may(user, "read_all_sections"):
        return query
    if not policy.may(user, "read_disclosures"):
        return query.where(pw.SQL("1 = 0"))
    own = Disclosure.prepared_by == user.id
    sections = section_ids_of(user)
    if not sections:
        return query.where(own)
    links = DisclosureCustomer.select(DisclosureCustomer.disclosure)
    outside = links.join(Customer).where(Customer.section.not_in(sections))
    return query.where(own | (Disclosure.id.in_(links) & Disclosure.id.not_in(outside)))


def get_visible(user, disclosure_id):
    """Return the disclosure ``disclosure_id`` if ``user`` may open it, else None."""
    return visible_to(user).where(Disclosure.id == disclosure_id).first()


def _require(allowed, message):
    if not allowed:
        raise NotAllowed(message)


def _require_preparer(user, disclosure=None):
    """Refuse a role that does not prepare, and a disclosure the user may not open."""
    _require(may_prepare(user), N_(
        "Only a register handler or the controller may prepare or carry out a disclosure."))
    if disclosure is not None:
        _require(get_visible(user, disclosure.id) is not None, N_(
            "This disclosure concerns customers of sections you do not have: ask the "
            "controller or the handler of those sections."))


# --- allowed recipients -----------------------------------------------------------------


def recipients(active_only=False):
    """Return the recipients, active first, by Finnish name."""
    query = DisclosureRecipient.select().order_by(DisclosureRecipient.active.desc(),
                                                  DisclosureRecipient.name_fi)
    if active_only:
        query = query.where(DisclosureRecipient.active == True)  # noqa: E712
    return list(query)


def _clean_text(value, required_message, label):
    text = (value or "").strip()
    if not text:
        raise RegisterError(required_message)
    if len(text) > MAX_TEXT:
        raise RegisterError(N_("%(field)s is too long: shorten it to at most %(max)s "
                               "characters."), field=label, max=MAX_TEXT)
    message = refusal(text, message=N_("A henkilötunnus (personal identity code) must not be "
                                       "stored in the register: remove it from the field "
                                       "%(field)s."))
    if message:
        raise RegisterError(message, field=label)
    return text


def add_recipient(actor, name_fi, name_sv="", name_en=""):
    """Add an allowed recipient (controller only); return it."""
    _require(may_manage_recipients(actor),
             N_("Only the controller may change the allowed recipients."))
    names = {}
    for key, value in (("name_fi", name_fi), ("name_sv", name_sv), ("name_en", name_en)):
        names[key] = " ".join((value or "").split())
        if len(names[key]) > 200:
            raise RegisterError(N_("Shorten the name to at most 200 characters."))
    if not names["name_fi"]:
        raise RegisterError(N_("Give the recipient's name in Finnish."))
    message = refusal(*names.values(), message=N_("A henkilötunnus (personal identity code) "
                                                  "must not be stored in the register: remove "
                                                  "it from the name."))
    if message:
        raise RegisterError(message)
    names["name_sv"] = names["name_sv"] or names["name_fi"]
    names["name_en"] = names["name_en"] or names["name_fi"]
    with write_transaction():
        taken = DisclosureRecipient.select().where(
            pw.fn.LOWER(DisclosureRecipient.name_fi) == names["name_fi"].lower()).exists()
        if taken:
            raise RegisterError(N_("A recipient of that name is already on the list: "
                                   "reactivate it instead of adding it again."))
        recipient = DisclosureRecipient.create(created_by=actor.id, created_at=utcnow(),
                                               **names)
        audit.record("create", actor=actor, object_type=RECIPIENT_OBJECT_TYPE,
                     object_id=recipient.id, fields=("name_fi", "name_sv", "name_en"))
    return recipient


def set_recipient_active(actor, recipient_id, active):
    """Deactivate (or reactivate) an allowed recipient (controller only); return it."""
    _require(may_manage_recipients(actor),
             N_("Only the controller may change the allowed recipients."))
    with write_transaction():
        recipient = DisclosureRecipient.get_or_none(DisclosureRecipient.id == recipient_id)
        if recipient is None:
            raise RegisterError(N_("There is no such recipient. Reload the page."))
        if recipient.active == bool(active):
            return recipient
        (DisclosureRecipient
         .update(active=bool(active), changed_by=actor.id, changed_at=utcnow())
         .where(DisclosureRecipient.id == recipient.id)
         .execute())
        audit.record("update", actor=actor, object_type=RECIPIENT_OBJECT_TYPE,
                     object_id=recipient.id, fields=("active",))
    return DisclosureRecipient.get_by_id(recipient.id)


def _allowed_recipient(recipient_id):
    """Return the recipient if it is on the list and active; refuse anything else."""
    recipient_id = parse_id(recipient_id)
    recipient = (DisclosureRecipient.get_or_none(DisclosureRecipient.id == recipient_id)
                 if recipient_id is not None else None)
    if recipient is None:
        raise RegisterError(N_(
            "Personal data may be disclosed only to a recipient on the list of allowed "
            "recipients (register description §8). Choose one from the list."))
    if not recipient.active:
        raise RegisterError(N_(
            "%(recipient)s is no longer an allowed recipient: nothing may be disclosed to it. "
            "Choose a recipient on the list, or ask the controller."),
            recipient=recipient.name_fi)
    return recipient


# --- preparing --------------------------------------------------------------------------


def prepare(actor, recipient_id, purpose, legal_basis):
    """Start a disclosure to an allowed recipient; return it (customers and categories next)."""
    _require_preparer(actor)
    purpose = _clean_text(purpose, N_("Write the purpose: what the recipient needs the data "
                                      "for."), N_("Purpose"))
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


def _change(actor, disclosure, values=None, fields=()):
    """Move a prepared disclosure to its next version (writing ``values``); audit it.

    Call inside the step's transaction, before its other writes: the conditional UPDATE
    takes the row's lock, and fails when the disclosure has been decided meanwhile.
    """
    versioned_update(disclosure, values or {}, seen=UNCHECKED,
                     where=Disclosure.state == "prepared", stale=DECIDED)
    audit.record("update", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                 object_id=disclosure.id, fields=fields)


def _require_open(actor, disclosure):
    _require_preparer(actor, disclosure)
    if disclosure.state != "prepared":
        raise RegisterError(DECIDED)


def find_customers(actor, term, disclosure=None, limit=MAX_FOUND):
    """Return up to ``limit`` customers of ``actor``'s sections matching ``term``; audit the
    search, and a read of each customer found (through ``disclosure``)."""
    condition = customer_search_condition(term)
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


def _record_reads(actor, action, disclosure, customers):
    """Record ``action`` on each customer of ``customers`` read through ``disclosure``."""
    audit.record_reads(action, actor, customers, AUDIT_OBJECT_TYPE,
                       disclosure.id if disclosure is not None else None)


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
    numbers = {int(i) for i in items if i.isascii() and i.isdigit() and len(i) <= 18}
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
                      if i not in found_ids and i not in found_business_ids)
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


def _linked_customers(disclosure):
    return DisclosureCustomer.select(DisclosureCustomer.customer).where(
        DisclosureCustomer.disclosure == disclosure.id)


def customer_count(disclosure, user=None):
    """Return how many customers the disclosure includes now (those ``user`` reads, when
    given)."""
    if user is None:
        return _linked_customers(disclosure).count()
    return (Customer.select().where(Customer.id.in_(_linked_customers(disclosure))
                                    & policy.readable_customers(user)).count())


def customers_of(disclosure, user, offset=0, limit=50):
    """Return a page of the disclosure's customers that ``user`` reads, by name; audit it as
    a read of each customer shown."""
    shown = list(Customer.select()
                 .where(Customer.id.in_(_linked_customers(disclosure))
                        & policy.readable_customers(user))
                 .order_by(Customer.sort_name, Customer.id)
                 .offset(offset).limit(limit))
    with write_transaction():
        _record_reads(user, "view", disclosure, shown)
    return shown


def reads_every_customer(user, disclosure):
    """Tell whether ``user`` reads every customer of the disclosure (and so may hand its
    data set over)."""
    return not (Customer.select(Customer.id)
                .where(Customer.id.in_(_linked_customers(disclosure))
                       & ~Customer.section.in_(policy.readable_section_ids(user)))
                .exists())


def available_categories(disclosure):
    """Return the categories the disclosure's customers' sections hold, in CATEGORIES order."""
    sections = Section.select().where(Section.id.in_(
        Customer.select(Customer.section).distinct()
        .where(Customer.id.in_(_linked_customers(disclosure)))))
    held = set()
    for section in sections:
        held |= section.category_set
    return [code for code in CATEGORIES if code in held]


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
        held = set(available_categories(disclosure))
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


# --- deciding ---------------------------------------------------------------------------


def decide(actor, disclosure, approve, reason=None, version=None):
    """Approve or refuse a prepared disclosure (the controller only).

    ``version`` is the version the controller saw; when the disclosure has changed since,
    nothing is decided. A refusal needs its reason; an approval needs customers,
    categories and a recipient that is still allowed.
    """
    _require(may_decide(actor), N_("Only the controller decides on disclosures."))
    if disclosure.state != "prepared":
        raise RegisterError(N_("The disclosure has already been decided."))
    seen = UNCHECKED if version is None else check_version(disclosure, version, STALE)
    reason = (reason or "").strip() or None
    if reason is not None:
        reason = _clean_text(reason, "", N_("Reason"))
    with write_transaction():
        if approve:
            _allowed_recipient(disclosure.recipient_id)
            if not _linked_customers(disclosure).exists():
                raise RegisterError(N_("The disclosure has no customers: add them before "
                                       "approving."))
            if not Disclosure.get_by_id(disclosure.id).category_list:
                raise RegisterError(N_("No data category is chosen: choose them before "
                                       "approving."))
        elif reason is None:
            raise RegisterError(N_("Write the reason for the refusal."))
        versioned_update(disclosure, {
            Disclosure.state: "approved" if approve else "refused",
            Disclosure.decision_reason: reason,
            Disclosure.decided_by: actor.id,
            Disclosure.decided_at: utcnow(),
        }, seen=seen, where=Disclosure.state == "prepared", stale=STALE)
        audit.record("decide", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                     object_id=disclosure.id,
                     fields=("state", "decision_reason", "decided_by", "decided_at"))
    return Disclosure.get_by_id(disclosure.id)


# --- carrying out: the data set handed over ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExportLabels:
    """How the file names things, in the reader's language (defaults: the codes)."""

    table: object = lambda model: model.__name__
    field: object = lambda model, name: name
    value: object = lambda model, name, code: code
    customer_number: str = "customer_number"
    yes: str = "yes"
    no: str = "no"
    # (label, text) pairs of the cover: who, to whom, why, when — no personal data.
    cover_title: str = "disclosure"
    cover: tuple = ()


@dataclasses.dataclass
class DataTable:
    """One model's part of the data set: the customer number, then the chosen fields."""

    model: type
    key: pw.Field
    fields: list
    rows: list


def _customer_models():
    """Yield ``(model, field referencing Customer)`` for every mapped model; Customer first."""
    yield Customer, Customer.id
    yield from linked_models(Customer)


def _chosen_fields(model, key, chosen):
    """Return the model's fields of the chosen categories, in declaration order.

    Left out: the key (the first column already), the row's own number (the register's
    internal id; the customer number links the rows) and derived fields
    (``model.derived_fields``, e.g. the sort name), which repeat others.
    """
    mapping = FIELD_CATEGORIES[model]
    skipped = set(getattr(model, "derived_fields", ())) | {model._meta.primary_key.name}
    return [f for f in model._meta.sorted_fields
            if f is not key and f.name not in skipped and mapping.get(f.name) in chosen]


def data_set(disclosure):
    """Return the data the disclosure hands over: one :class:`DataTable` a model.

    Only the chosen categories' fields, only the disclosure's customers, and — when the
    disclosure names an invoicing period — only the invoices of that period. A model none
    of whose fields is chosen is left out.
    """
    chosen = set(disclosure.category_list)
    customers = _linked_customers(disclosure)
    tables = []
    for model, key in _customer_models():
        fields = _chosen_fields(model, key, chosen)
        if not fields:
            continue
        query = model.select(key, *fields).where(key.in_(customers))
        if model is Invoice and disclosure.invoices_from and disclosure.invoices_until:
            query = query.where(Invoice.invoice_date.between(disclosure.invoices_from,
                                                             disclosure.invoices_until))
        rows = list(query.order_by(key, model._meta.primary_key).tuples())
        tables.append(DataTable(model, key, fields, rows))
    return tables


@dataclasses.dataclass(frozen=True)
class Export:
    """The file handed over."""

    filename: str
    content_type: str
    content: bytes


def carry_out(actor, disclosure, fmt, labels=None, locale="fi"):
    """Hand the approved disclosure's data over: return its :class:`Export` (CSV or XLSX).

    Only once, only after an approved decision, only to a recipient still allowed. Records
    who carried it out, when and how many customers it held, with its audit event, in one
    transaction with reading the data.
    """
    _require_preparer(actor, disclosure)
    if fmt not in EXPORT_FORMATS:
        raise RegisterError(N_("Choose CSV or XLSX."))
    labels = labels or ExportLabels()
    with write_transaction():
        current = Disclosure.get_by_id(disclosure.id)
        if current.state == "prepared":
            raise RegisterError(N_("The controller has not decided on this disclosure yet: "
                                   "the data can be handed over only after approval."))
        if current.state == "refused":
            raise RegisterError(N_("The controller refused this disclosure: its data must not "
                                   "be handed over."))
        if current.state == "carried_out":
            raise RegisterError(N_("This disclosure has already been carried out. To hand the "
                                   "data over again, prepare a new disclosure."))
        _allowed_recipient(current.recipient_id)
        if not reads_every_customer(actor, current):
            raise NotAllowed(N_("This disclosure includes customers of sections you do not "
                                "have: the controller carries it out."))
        count = customer_count(current)
        now = utcnow()
        moved = (Disclosure.update({
            Disclosure.state: "carried_out",
            Disclosure.carried_out_by: actor.id,
            Disclosure.carried_out_at: now,
            Disclosure.customer_count: count,
        }).where((Disclosure.id == current.id) & (Disclosure.state == "approved")).execute())
        if moved != 1:
            raise StaleVersion(STALE)
        tables = data_set(current)
        content = (to_csv(tables, labels, locale) if fmt == "csv"
                   else to_xlsx(tables, labels))
        audit.record("export", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                     object_id=current.id, fields=current.category_list)
        _record_reads(actor, "export", current,
                      Customer.select(Customer.id, Customer.section)
                      .where(Customer.id.in_(_linked_customers(current))).tuples())
    name = f"disclosure-{current.id}-{_helsinki(now):%Y-%m-%d}.{fmt}"
    return Export(name, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, content)


class _Values:
    """Turns stored values into cells: labels for codes, a section by its name and a user
    account by its role — the data set is about the customers, not about the staff."""

    def __init__(self, tables, labels):
        self.labels = labels
        self.sections = {s.id: s.code for s in Section.select(Section.id, Section.code)}
        user_ids = {row[i] for t in tables for i, f in enumerate(t.fields, start=1)
                    if isinstance(f, pw.ForeignKeyField) and f.rel_model is User
                    for row in t.rows if row[i] is not None}
        self.roles = dict(User.select(User.id, User.role)
                          .where(User.id.in_(sorted(user_ids))).tuples()) if user_ids else {}

    def cell(self, model, field, value):
        """Return the cell of ``value``: a number, a date, or escaped text."""
        if value is None:
            return ""
        if isinstance(field, pw.ForeignKeyField):
            if field.rel_model is Section:
                code = self.sections.get(value, value)
                return safe_cell(self.labels.value(Section, "code", code))
            if field.rel_model is User:
                role = self.roles.get(value, "")
                return safe_cell(self.labels.value(User, "role", role))
            return value
        if isinstance(value, bool):
            return self.labels.yes if value else self.labels.no
        if isinstance(value, datetime.datetime):
            return localtime.wall_time(value)
        if isinstance(value, (datetime.date, int, decimal.Decimal)):
            return value
        if field.choices:
            value = self.labels.value(model, field.name, value)
        return safe_cell(value)


def _headers(table, labels):
    return [safe_cell(labels.customer_number)] + [
        safe_cell(labels.field(table.model, f.name)) for f in table.fields]


def _csv_text(value, locale):
    if isinstance(value, decimal.Decimal):
        text = f"{value:.2f}"
        return text if locale == "en" else text.replace(".", ",")
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(tables, labels=None, locale="fi"):
    """Return the data set as CSV bytes (UTF-8 with BOM, ``;``): the cover, then each table
    under its title, a blank line between."""
    labels = labels or ExportLabels()
    values = _Values(tables, labels)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if labels.cover:
        writer.writerow([safe_cell(labels.cover_title)])
        for label, text in labels.cover:
            writer.writerow([safe_cell(label), safe_cell(text)])
        writer.writerow([])
    for table in tables:
        writer.writerow([safe_cell(labels.table(table.model))])
        writer.writerow(_headers(table, labels))
        for row in table.rows:
            cells = [row[0]] + [values.cell(table.model, f, v)
                                for f, v in zip(table.fields, row[1:])]
            writer.writerow([_csv_text(c, locale) for c in cells])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(number, title):
    name = f"{number} {title}"
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31]


def to_xlsx(tables, labels=None):
    """Return the data set as an XLSX workbook (bytes): the cover, then one sheet a table."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    labels = labels or ExportLabels()
    values = _Values(tables, labels)
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def heading(sheet, cells):
        row = []
        for text in cells:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            row.append(cell)
        sheet.append(row)

    if labels.cover:
        sheet = book.create_sheet(_sheet_name(1, labels.cover_title))
        heading(sheet, [safe_cell(labels.cover_title)])
        for label, text in labels.cover:
            sheet.append([safe_cell(label), safe_cell(text)])
    for number, table in enumerate(tables, start=2 if labels.cover else 1):
        sheet = book.create_sheet(_sheet_name(number, labels.table(table.model)))
        heading(sheet, _headers(table, labels))
        for row in table.rows:
            sheet.append([row[0]] + [values.cell(table.model, f, v)
                                     for f, v in zip(table.fields, row[1:])])
    if not book.worksheets:
        book.create_sheet("1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- what a data subject is told ----------------------------------------------------------


def disclosures_of(customer_ids, language="fi"):
    """Return, for each customer of ``customer_ids``, the disclosures that included it.

    ``{customer_id: [{"id", "recipient", "purpose", "legal_basis", "categories",
    "decided_at", "carried_out_at"}, …]}``, oldest first; the recipient named in
    ``language`` (fi, sv or en). Approved disclosures count (those not yet carried out
    have ``carried_out_at`` None: the data will be disclosed); prepared and refused ones
    disclosed nothing and are left out. Every customer asked for has a list, maybe empty.
    """
    ids = sorted({int(i) for i in customer_ids})
    found = {i: [] for i in ids}
    if not ids:
        return found
    rows = (DisclosureCustomer
            .select(DisclosureCustomer.customer, Disclosure, DisclosureRecipient)
            .join(Disclosure)
            .join(DisclosureRecipient)
            .where(DisclosureCustomer.customer.in_(ids)
                   & Disclosure.state.in_(("approved", "carried_out")))
            .order_by(Disclosure.decided_at, Disclosure.id))
    for link in rows:
        disclosure = link.disclosure
        found[link.customer_id].append({
            "id": disclosure.id,
            "recipient": disclosure.recipient.name_in(language),
            "purpose": disclosure.purpose,
            "legal_basis": disclosure.legal_basis,
            "categories": disclosure.category_list,
            "decided_at": disclosure.decided_at,
            "carried_out_at": disclosure.carried_out_at,
        })
    return found
