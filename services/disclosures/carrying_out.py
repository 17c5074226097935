"""Carrying out an approved disclosure: the data set handed over — the chosen categories'
fields of the disclosure's customers only — once, with its audit events."""

import dataclasses

import peewee as pw

from database import write_transaction
from models import FIELD_CATEGORIES, Customer, Disclosure, Invoice, Section, utcnow
from services import audit
from services.categories import linked_models
from services.disclosures.common import (
    AUDIT_OBJECT_TYPE,
    EXPORT_FORMATS,
    STALE,
    _allowed_recipient,
    _linked_customers,
    _record_reads,
    _require_preparer,
)
from services.disclosures.export import ExportLabels, to_csv, to_xlsx
from services.disclosures.scope import customer_count, reads_every_customer
from services.errors import N_, RegisterError
from services.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from services.localtime import to_helsinki as _helsinki
from services.policy import NotAllowed
from services.versioning import StaleVersion

@dataclasses.dataclass
class DataTable:
    """One model's part of the data set: the customer number, then the chosen fields."""

    model: type
    key: pw.Field
    fields: list
    rows: list


def _customer_models():
    """Yield ``(model, field referencing Customer)`` for every mapped model that holds data
    of a category of its own; Customer first.

    Left out: the register's own records about a customer, whose every field is of the
    ``record`` category — rectification requests, prohibitions, consents, merges. They
    hold values of other categories in their text (a rectification's values before and
    after, a note) and are the register's handling of the person's rights, not data a
    recipient of seed §8 is given: choosing "register entries" hands over the entries of
    the customer and of its rows (when informed, the source, when created), nothing more.
    """
    yield Customer, Customer.id
    for model, key in linked_models(Customer):
        if any(category != "record" for category in FIELD_CATEGORIES[model].values()):
            yield model, key


# The register's notes: free text of the ``record`` category, which holds whatever was
# written (a name, a number, "on sick leave for three months"), so never handed over.
NOTES = frozenset({"not_reachable_reason", "data_source_note", "postal_check_reason"})


def _chosen_fields(model, key, chosen):
    """Return the model's fields of the chosen categories, in declaration order.

    Left out: the key (the first column already), the row's own number (the register's
    internal id; the customer number links the rows), derived fields
    (``model.derived_fields``, e.g. the sort name), which repeat others, and the NOTES.
    A row's register entries only come with a category of the row's own (a contact
    person's, with its contact persons): none at all otherwise.
    """
    mapping = FIELD_CATEGORIES[model]
    skipped = (set(getattr(model, "derived_fields", ())) | {model._meta.primary_key.name}
               | NOTES)
    fields = [f for f in model._meta.sorted_fields
              if f is not key and f.name not in skipped and mapping.get(f.name) in chosen]
    if model is not Customer and all(mapping[f.name] == "record" for f in fields):
        return []
    return fields


def data_set(disclosure):
    """Return the data the disclosure hands over: one :class:`DataTable` a model.

    Only the chosen categories' fields, only the disclosure's customers, and — when the
    disclosure names an invoicing period — only the invoices of that period. A model none
    of whose fields is chosen is left out.
    """
    chosen = set(disclosure.category_list)
    customers = _linked_customers(disclosure)
    held = _sections_categories(customers)
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
        tables.append(DataTable(model, key, fields, _held_only(model, fields, rows, held)))
    return tables


def _sections_categories(customers):
    """Return ``{customer id: the categories its section holds}``."""
    held = {s.id: s.category_set for s in Section.select()}
    return {cid: held.get(sid, frozenset()) for cid, sid in Customer.select(
        Customer.id, Customer.section).where(Customer.id.in_(customers)).tuples()}


def _held_only(model, fields, rows, held):
    """Leave out of ``rows`` (customer id first) what the customer's section does not hold
    (seed §6): such a field is empty, and a row with nothing left goes."""
    categories = [FIELD_CATEGORIES[model][f.name] for f in fields]
    kept = []
    for row in rows:
        own = held.get(row[0], frozenset())
        if all(c in own for c in categories):
            kept.append(row)
            continue
        values = [v if c in own else None for v, c in zip(row[1:], categories)]
        if model is Customer or any(c in own and c != "record" for c in categories):
            kept.append((row[0], *values))
    return kept


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
