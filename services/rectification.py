"""Rectification (tiedon korjaaminen, seed §15): a written request to correct one's data.

A request is registered at any time, for a customer or one of its contact persons, with
what should change in words and the new values asked for, target by target. The data are
then checked (seed §15: a person's against the population information system, a
company's against the trade register) and the request is approved or refused — a refusal
keeps its reason. An approved request is applied: the new values go through the same
validators as the register screens (the caller hands them in as ``validate``) and the
same optimistic locking, and the request keeps the values before and after.

    registered → verified → approved → applied
             ↘          ↘ refused

Who decides is the view's business (seed §17: the controller; the responsible person and
the section's handler too). Steps are checked against the request's own version, so two
people cannot decide or apply the same request at once.

What a request can correct: any field of the subject's data (``models.FIELD_CATEGORIES``,
the map the inspection report walks) in a data category of the customer's section — the
customer's own row and the rows of every mapped model that references the customer
(addresses, demographics, contact persons, contacts, purchases, invoices …). Not the
``record`` category: ids, times and codes the register keeps itself, and the records of
the person's own prohibitions and requests, whose fields are all ``record``. Not the
fields the register keeps in step itself (``models.MAINTAINED_FIELDS``), nor references to
other rows, nor the fields of the other kinds of customer (``models.NOT_FOR_KIND``); what
is left is ``services.categories.own_fields``.
A request about a contact person (its ``contact_person``) corrects that person's row.

Each change names its target as ``table.id.field`` (``customer.5.email``,
``address.12.street``): ``requested`` is the JSON object ``{target: new value}`` and
``before`` and ``after`` have the same keys. Requests registered before targets were
named so hold ``{field: value}`` of their own row (the contact person, else the customer):
``changes`` reads both.
"""

import datetime
import decimal
import json
from typing import NamedTuple

from peewee import SQL, Case, IntegrityError

import database
from models import (
    DECISIONS,
    FIELD_CATEGORIES,
    NOT_FOR_KIND,
    VERIFICATION_SOURCES,
    ContactPerson,
    Customer,
    RectificationRequest,
    utcnow,
)
from services import audit
from services import customers as customer_rules
from services.categories import linked_models, own_fields
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import to_helsinki
from services.versioning import check_version, versioned_update

AUDIT_OBJECT_TYPE = "rectification_request"

# How a time is written in a request's values: Helsinki wall-clock time to the minute, as
# it is typed (dates are ISO dates, amounts decimal text).
TIME_FORMAT = "%Y-%m-%dT%H:%M"

# Ids are positive 63-bit integers; anything else names no row.
MAX_ID = 2**63 - 1

# A request names at most this many targets (a form cannot hold more anyone would type).
MAX_TARGETS = 200

# What a person reads as the request's state.
STATES = ("registered", "verified", "approved", "refused", "applied")

# How far in the future a typed time may be (a clock a little fast is not an error).
CLOCK_LEEWAY = datetime.timedelta(minutes=5)

STALE_REQUEST = N_("Someone else handled this request meanwhile. Nothing was saved: reload "
                   "the page to see the request as it is now.")
STALE_CUSTOMER = N_("Someone else changed this record meanwhile. Nothing was changed: "
                    "reload the page to see the current values, then apply the request "
                    "again.")
NOT_A_TARGET = N_("The request names %(target)s, which is not among this customer's data a "
                  "request can correct. Nothing was saved: choose the fields from the list "
                  "on this page.")
TARGET_GONE = N_("The data the request would change (%(target)s) is no longer in the "
                 "register: it was deleted after the request was registered. Nothing was "
                 "changed: refuse the request, or register a new one.")
FIELD_GONE = N_("The field %(field)s can no longer be corrected for this customer. Nothing "
                "was changed: refuse the request or register a new one.")
CLASH = N_("A new value clashes with another entry in the register (e.g. an invoice number "
           "already in use). Nothing was changed: refuse the request, or register a new one "
           "with a different value.")

# --- what a request can correct --------------------------------------------------------

TABLES = {model._meta.table_name: model for model in FIELD_CATEGORIES}


class Target(NamedTuple):
    """One field of one row of the subject's data: what a requested change names."""

    model: type
    row_id: int
    field: str

    @property
    def row_key(self):
        return f"{self.model._meta.table_name}.{self.row_id}"

    @property
    def key(self):
        """Return the target as a request stores it: ``table.id.field``."""
        return f"{self.row_key}.{self.field}"


class SubjectRow(NamedTuple):
    """A row of the subject's data and the names of its fields a request may correct."""

    model: type
    row: object
    fields: tuple

    @property
    def key(self):
        return f"{self.model._meta.table_name}.{self.row.id}"


def parse_target(key, own_row=None):
    """Return the Target ``key`` names (``table.id.field``), or None when it names none.

    A bare field name (how requests were stored before targets were named) is a field
    of ``own_row``, a ``(model, id)`` pair.
    """
    parts = str(key).split(".")
    if len(parts) == 1 and own_row is not None and parts[0]:
        return Target(own_row[0], own_row[1], parts[0])
    if len(parts) != 3 or parts[0] not in TABLES or not parts[2]:
        return None
    row_id = _int(parts[1])
    if row_id is None or not 0 < row_id <= MAX_ID or str(row_id) != parts[1]:
        return None
    return Target(TABLES[parts[0]], row_id, parts[2])


def correctable_fields(model, categories, kind=None):
    """Return the names of ``model``'s fields a request may correct in a section holding
    ``categories`` (of a customer of ``kind``), in the model's order: its own data
    (``services.categories.own_fields``) of those categories, less the other kinds' fields."""
    offered = {name for category, names in own_fields(model).items() if category in categories
               for name in names}
    if model is Customer:
        offered -= set(NOT_FOR_KIND.get(kind, ()))
    return tuple(f.name for f in model._meta.sorted_fields if f.name in offered)


def subject_rows(customer, contact_person=None, limit=None, include=()):
    """Return the subject's rows a request may correct, each with its correctable fields.

    The customer's own row, then the rows of every mapped model that reference the
    customer (each model's rows by id) — or, for a request about a contact person, that
    person's row only. Rows with no field in the section's categories are left out. With
    ``limit``, of each model only the newest ``limit`` rows and those ``include`` names
    (``(model, id)`` pairs) — a long history would make a page nobody can use.
    """
    categories = customer.section.category_set
    if contact_person is not None:
        names = correctable_fields(ContactPerson, categories)
        return [SubjectRow(ContactPerson, contact_person, names)] if names else []
    rows = []
    own = correctable_fields(Customer, categories, customer.kind)
    if own:
        rows.append(SubjectRow(Customer, customer, own))
    for model, link in linked_models():
        names = correctable_fields(model, categories)
        if not names:
            continue
        key = model._meta.primary_key
        query = model.select().where(link == customer.id)
        if limit is not None:
            wanted = [row_id for wanted_model, row_id in include if wanted_model is model]
            newest = model.select(key).where(link == customer.id).order_by(key.desc()).limit(limit)
            query = query.where(key.in_(newest) | key.in_(wanted))
        rows += [SubjectRow(model, row, names) for row in query.order_by(key)]
    return rows


def row_counts(customer):
    """Return how many rows the customer has of each model ``subject_rows`` lists."""
    categories = customer.section.category_set
    return {model: model.select().where(link == customer.id).count()
            for model, link in linked_models() if correctable_fields(model, categories)}


def contact_persons_of(customer):
    """Return the contact persons a request about one of them may concern."""
    if "contact_persons" not in customer.section.category_set:
        return []
    return list(ContactPerson.select().where(ContactPerson.customer == customer.id)
                .order_by(ContactPerson.id))


def own_row_of(request):
    """Return ``(model, id)`` of the row a bare field name of the request belongs to."""
    if request.contact_person_id is not None:
        return ContactPerson, request.contact_person_id
    return Customer, request.customer_id


class Change(NamedTuple):
    """One requested change: its target, the value asked for, and once applied the values
    before and after (as ``as_text`` writes them)."""

    key: str
    target: Target
    requested: str
    before: object
    after: object


def changes(request):
    """Return the request's changes in the order they were asked for (both stored shapes)."""
    own = own_row_of(request)
    before, after = before_values(request) or {}, after_values(request) or {}
    found = []
    for key, value in requested_values(request).items():
        target = parse_target(key, own)
        if target is not None:
            text = "" if value is None else str(value)
            found.append(Change(key, target, text, before.get(key), after.get(key)))
    return found


def requested_values(request):
    """Return the request's ``{target: new value}`` as registered (text)."""
    return _json_object(request.requested) or {}


def before_values(request):
    """Return the values the applied request replaced, or None before it is applied."""
    return _json_object(request.before)


def after_values(request):
    """Return the values the applied request wrote, or None before it is applied."""
    return _json_object(request.after)


def rows_now(targets):
    """Return ``{(model, id): row}`` of the rows ``targets`` name that still exist."""
    ids = {}
    for target in targets:
        ids.setdefault(target.model, set()).add(target.row_id)
    rows = {}
    for model, wanted in ids.items():
        for row in model.select().where(model._meta.primary_key.in_(sorted(wanted))):
            rows[(model, row.id)] = row
    return rows


def as_text(value):
    """Return a stored value as a request keeps it: times in Helsinki wall-clock time,
    dates as ISO dates, amounts as decimal text."""
    if isinstance(value, datetime.datetime):
        return to_helsinki(value).strftime(TIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def state(request):
    """Return the request's state: registered, verified, approved, refused or applied."""
    if request.applied_at is not None:
        return "applied"
    if request.decision in DECISIONS:
        return request.decision
    if request.verified_at is not None:
        return "verified"
    return "registered"


def is_open(request):
    """Tell whether the request still waits for someone: neither refused nor applied."""
    return state(request) not in ("refused", "applied")


def closed_condition():
    """Return the condition on RectificationRequest of :func:`is_open` being false."""
    return (RectificationRequest.applied_at.is_null(False)
            | (RectificationRequest.decision == "refused"))


def open_condition():
    """Return the condition on RectificationRequest of :func:`is_open`, for queries."""
    return (RectificationRequest.applied_at.is_null()
            & (RectificationRequest.decision.is_null()
               | (RectificationRequest.decision != "refused")))


def open_first(query):
    """Order requests open ones first (oldest received first), then closed (newest first)."""
    closed = closed_condition()
    return query.order_by(
        Case(None, [(closed, 1)], 0),
        Case(None, [(closed, SQL("NULL"))], RectificationRequest.received_at),
        RectificationRequest.received_at.desc(),
        RectificationRequest.id.desc(),
    )


def register(customer, *, actor, received_at, requester_name, description, requested,
             contact_person=None, now=None):
    """Record a written request; return it.

    ``requested`` is ``{target: new value}``: a target is ``table.id.field`` of the
    subject's rows (``subject_rows``), or a bare field name of the subject's own row (the
    contact person, else the customer). Empty values are left out (they ask for no
    change). The caller has checked the values with the register's validators; the
    request is checked again when it is applied.
    """
    now = now or utcnow()
    if contact_person is not None and contact_person.customer_id != customer.id:
        raise RegisterError(N_("That contact person is not one of this customer's. Choose a "
                               "contact person from the list."))
    if not isinstance(received_at, datetime.datetime):
        raise RegisterError(N_("Enter when the request was received."))
    if received_at > now + CLOCK_LEEWAY:
        raise RegisterError(N_("The time the request was received cannot be in the future."))
    requester_name = (requester_name or "").strip()
    description = (description or "").strip()
    if not requester_name:
        raise RegisterError(N_("Enter the name of the person who made the request."))
    if not description:
        raise RegisterError(N_("Describe what the requester wants corrected."))
    own = (ContactPerson, contact_person.id) if contact_person is not None \
        else (Customer, customer.id)
    values = {}
    for key, value in (requested or {}).items():
        value = "" if value is None else str(value).strip()
        if not value:
            continue
        target = parse_target(key, own)
        if target is None:
            raise RegisterError(NOT_A_TARGET, target=str(key)[:80])
        values[target] = value
    if len(values) > MAX_TARGETS:
        raise RegisterError(N_("A request can name at most %(count)s new values. Register the "
                               "rest as another request."), count=MAX_TARGETS)
    _check_texts(requester_name, description, *values.values())

    with database.write_transaction():
        rows = rows_now(values)
        for target in values:
            row = rows.get((target.model, target.row_id))
            if (row is None or not _is_subjects(target.model, row, customer, contact_person)
                    or not _field_correctable(target, customer)):
                raise RegisterError(NOT_A_TARGET, target=target.key)
        request = RectificationRequest.create(
            customer=customer,
            contact_person=contact_person,
            received_at=received_at,
            requester_name=requester_name,
            description=description,
            requested=json.dumps({t.key: v for t, v in values.items()}, ensure_ascii=False),
            registered_by=actor,
            registered_at=now,
        )
        fields = ["received_at", "requester_name", "description"]
        fields += [f"requested.{target.key}" for target in values]
        _audit("create", request, actor, fields)
    return request


def verify(request, *, actor, source, result, version):
    """Record how the data were checked and what was found; return the updated request."""
    if source not in VERIFICATION_SOURCES:
        raise RegisterError(N_("Choose where the data were checked."))
    result = (result or "").strip()
    if not result:
        raise RegisterError(N_("Write what the check showed."))
    _check_texts(result)
    if not is_open(request) or request.decision is not None:
        raise RegisterError(N_("This request has been decided already; its check can no "
                               "longer be changed."))
    with database.write_transaction():
        _step(request, version, verification_source=source, verification_result=result,
              verified_by=actor, verified_at=utcnow())
        _audit("update", request, actor, ["verification_source", "verification_result"])
    return RectificationRequest.get_by_id(request.id)


def decide(request, *, actor, decision, reason, version):
    """Approve or refuse the request (a refusal with its reason); return it updated."""
    if decision not in DECISIONS:
        raise RegisterError(N_("Choose whether the request is approved or refused."))
    reason = (reason or "").strip() or None
    if decision == "refused" and not reason:
        raise RegisterError(N_("Write the reason for the refusal: the requester is told it."))
    if reason:
        _check_texts(reason)
    if request.decision is not None:
        raise RegisterError(N_("This request has been decided already."))
    if decision == "approved" and request.verified_at is None:
        raise RegisterError(N_("Record the check of the data before approving the request."))
    if decision == "approved" and not requested_values(request):
        raise RegisterError(N_("The request names no new values, so there is nothing to "
                               "apply. Refuse it with a reason, or register a new request "
                               "with the new values."))
    with database.write_transaction():
        _step(request, version, decision=decision, decision_reason=reason,
              decided_by=actor, decided_at=utcnow())
        _audit("update", request, actor, ["decision"] + (["decision_reason"] if reason else []))
    return RectificationRequest.get_by_id(request.id)


def apply(request, *, actor, version, customer_version, validate):
    """Write the approved request's new values; return the request with before and after.

    ``validate(items)`` is the register's validation: ``items`` are ``(target, row, new
    value)``; it returns ``{target key: value as stored}``, or raises RegisterError naming
    the field. ``customer_version`` is the customer's version the user saw: when someone
    has changed the customer or its rows through the register screens since, nothing is
    written; so is nothing when a targeted row has been deleted. The change, the request's
    before and after values and the audit events go in one transaction.
    """
    if request.applied_at is not None:
        raise RegisterError(N_("This request has been applied already."))
    if request.decision != "approved":
        raise RegisterError(N_("Only an approved request can be applied."))
    found = changes(request)
    _check_texts(*(change.requested for change in found))
    try:
        with database.write_transaction():
            _apply(request, found, actor, version, customer_version, validate)
    except IntegrityError:
        raise RegisterError(CLASH) from None
    return RectificationRequest.get_by_id(request.id)


def _apply(request, found, actor, version, customer_version, validate):
    """Check and write the changes ``found`` (inside the caller's transaction)."""
    customer = Customer.get_by_id(request.customer_id)
    expected = check_version(customer, customer_version, STALE_CUSTOMER)
    contact_person = (ContactPerson.get_or_none(ContactPerson.id == request.contact_person_id)
                      if request.contact_person_id is not None else None)
    rows = rows_now([change.target for change in found])
    rows[(Customer, customer.id)] = customer
    for change in found:
        target = change.target
        row = rows.get((target.model, target.row_id))
        if row is None or not _is_subjects(target.model, row, customer, contact_person):
            raise RegisterError(TARGET_GONE, target=change.key)
        if not _field_correctable(target, customer):
            raise RegisterError(FIELD_GONE, field=target.field)
    clean = validate([(c.target, rows[(c.target.model, c.target.row_id)], c.requested)
                      for c in found])
    now = utcnow()
    before, after, written = {}, {}, {}
    for change in found:
        target = change.target
        row = rows[(target.model, target.row_id)]
        before[change.key] = as_text(getattr(row, target.field))
        setattr(row, target.field, clean[target.key])
        written.setdefault((target.model, target.row_id), []).append(target.field)
    for change in found:
        target = change.target
        after[change.key] = as_text(getattr(rows[(target.model, target.row_id)], target.field))

    # The customer's version moves with every change to it or its rows, as on its screen.
    updates = {Customer.updated_at: now}
    own = written.pop((Customer, customer.id), [])
    if own:
        customer.refresh_derived()
        for name in [*own, *Customer.derived_fields]:
            updates[Customer._meta.fields[name]] = getattr(customer, name)
    versioned_update(customer, updates, seen=expected, stale=STALE_CUSTOMER)
    for (model, row_id), names in written.items():
        row = rows[(model, row_id)]
        updated = (model.update({model._meta.fields[n]: getattr(row, n) for n in names})
                   .where(model._meta.primary_key == row_id).execute())
        if updated != 1:
            raise RegisterError(TARGET_GONE, target=f"{model._meta.table_name}.{row_id}")
    if written:
        # What the customer's row keeps in step with its rows (the city of its address,
        # its last activity), as the customer's screen recomputes it.
        customer_rules.refresh_city(customer.id)
        customer_rules.refresh_last_activity(customer.id)

    _step(request, version, before=json.dumps(before, ensure_ascii=False),
          after=json.dumps(after, ensure_ascii=False), applied_by=actor, applied_at=now)
    _audit("update", request, actor, [change.key for change in found])
    names = [c.target.field if c.target.model is Customer
             else f"{c.target.model._meta.table_name}.{c.target.field}" for c in found]
    audit.record("update", actor=actor, object_type="customer", object_id=customer.id,
                 section=customer.section.code, fields=names)


# --- helpers ------------------------------------------------------------------------


def _step(request, version, **changes):
    """Write ``changes`` to the request if its version is still ``version``."""
    versioned_update(request, changes, seen=version, stale=STALE_REQUEST)


def _audit(action, request, actor, fields):
    section = Customer.get_by_id(request.customer_id).section.code
    audit.record(action, actor=actor, object_type=AUDIT_OBJECT_TYPE, object_id=request.id,
                 section=section, fields=fields)


def _is_subjects(model, row, customer, contact_person=None):
    """Tell whether ``row`` (of ``model``) is the request's subject's own data."""
    if contact_person is not None:
        return model is ContactPerson and row.id == contact_person.id
    if model is Customer:
        return row.id == customer.id
    return any(row.__data__.get(link.name) == customer.id
               for linked, link in linked_models() if linked is model)


def _field_correctable(target, customer):
    kind = customer.kind if target.model is Customer else None
    return target.field in correctable_fields(target.model, customer.section.category_set, kind)


def _json_object(text):
    """Return the JSON object stored in ``text``, or None (empty, or not an object)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _check_texts(*texts):
    """Refuse text that cannot be stored: a NUL character (PostgreSQL stores none), or a
    henkilötunnus (the register stores none)."""
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise RegisterError(N_("A text holds a control character that cannot be stored (it "
                               "may come from a copied text): type the text again."))
    message = refusal(*texts, message=N_("A henkilötunnus (personal identity code) must not be "
                                         "stored in the register: remove it and try again."))
    if message:
        raise RegisterError(message)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
