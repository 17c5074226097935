"""What a rectification request may name and what it holds: the subject's rows and
correctable fields, the targets, a request's changes, values and state."""

import datetime
import decimal
import json
from typing import NamedTuple

from peewee import SQL, Case

from models import (
    DECISIONS,
    FIELD_CATEGORIES,
    NOT_FOR_KIND,
    ContactPerson,
    Customer,
    RectificationRequest,
)
from services import policy
from services.categories import linked_models, own_fields
from services.errors import N_
from services.localtime import to_helsinki


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


def rows_now(targets, customer, contact_person=None):
    """Return ``{(model, id): row}`` of the rows ``targets`` name that are still the
    subject's (``customer``'s, or only ``contact_person`` of it): a row deleted since is
    not, nor the row of another customer, of any section, that took its id."""
    ids = {}
    for target in targets:
        ids.setdefault(target.model, set()).add(target.row_id)
    rows = {}
    for model, wanted in ids.items():
        for row in model.select().where(model._meta.primary_key.in_(sorted(wanted))):
            if is_subjects(model, row, customer, contact_person):
                rows[(model, row.id)] = row
    return rows


def is_subjects(model, row, customer, contact_person=None):
    """Tell whether ``row`` (of ``model``) is the request's subject's own data."""
    if contact_person is not None:  # the request's customer's own contact person only
        return (model is ContactPerson and row.id == contact_person.id
                and row.customer_id == customer.id)
    if model is Customer:
        return row.id == customer.id
    return any(row.__data__.get(link.name) == customer.id
               for linked, link in linked_models() if linked is model)


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


def worklist_conditions(user, sections):
    """Return the conditions on RectificationRequest of the open requests ``user`` acts on,
    as ``{step: condition}``: ``verify`` (registered, to check: those who register),
    ``decide`` (checked, to decide) and ``apply`` (approved, to apply), each by the roles
    whose capability the step is (services/policy.py). ``sections`` limits them to the
    customers of those sections (ids or a subquery of them); None: every section.
    """
    request = RectificationRequest
    pending = request.applied_at.is_null() & request.decision.is_null()
    work = {}
    if policy.may(user, "register_rectification"):
        work["verify"] = pending & request.verified_at.is_null()
    if policy.may(user, "decide_rectification"):
        work["decide"] = pending & request.verified_at.is_null(False)
    if policy.may(user, "apply_rectification"):
        work["apply"] = request.applied_at.is_null() & (request.decision == "approved")
    if sections is not None:
        in_sections = request.customer.in_(
            Customer.select(Customer.id).where(Customer.section.in_(sections)))
        work = {step: condition & in_sections for step, condition in work.items()}
    return work


def open_first(query):
    """Order requests open ones first (oldest received first), then closed (newest first)."""
    closed = closed_condition()
    return query.order_by(
        Case(None, [(closed, 1)], 0),
        Case(None, [(closed, SQL("NULL"))], RectificationRequest.received_at),
        RectificationRequest.received_at.desc(),
        RectificationRequest.id.desc(),
    )


def _json_object(text):
    """Return the JSON object stored in ``text``, or None (empty, or not an object)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
