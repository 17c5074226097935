"""Rectification (tiedon korjaaminen, seed §15): a written request to correct one's data.

A request is registered at any time, for a customer or one of its contact persons, with
what should change in words and the new values asked for, field by field. The data are
then checked (seed §15: a person's against the population information system, a
company's against the trade register) and the request is approved or refused — a refusal
keeps its reason. An approved request is applied: the new values go through the same
validators as the register screens (the caller hands them in as ``validate``) and the
same optimistic locking, and the request keeps the values before and after.

Steps are checked against the request's own version, so two people cannot decide or
apply the same request at once.
"""

import datetime
import json

from peewee import SQL, Case

import database
from models import (
    DECISIONS,
    FIELD_CATEGORIES,
    VERIFICATION_SOURCES,
    ContactPerson,
    Customer,
    RectificationRequest,
    utcnow,
)
from services import audit
from services.errors import N_, RegisterError
from services.hetu import contains_hetu

AUDIT_OBJECT_TYPE = "rectification_request"

# The customer's own fields a request may change (what the register screens edit),
# each only when the customer's section holds its data category.
CUSTOMER_FIELDS = ("first_name", "last_name", "name", "birth_date", "business_id", "phone",
                   "mobile", "fax", "email", "language", "own_info")
# Fields a kind of customer does not have.
NOT_FOR_KIND = {
    "person": ("name", "business_id"),
    "company": ("first_name", "last_name", "birth_date"),
    "organisation": ("first_name", "last_name", "birth_date"),
}
# A contact person's fields (data category "contact_persons").
CONTACT_PERSON_FIELDS = ("first_name", "last_name", "role", "phone", "email", "user_details")

# What a person reads as the request's state.
STATES = ("registered", "verified", "approved", "refused", "applied")

# How far in the future a typed time may be (a clock a little fast is not an error).
CLOCK_LEEWAY = datetime.timedelta(minutes=5)

STALE_REQUEST = N_("Someone else handled this request meanwhile. Nothing was saved: reload "
                   "the page to see the request as it is now.")
STALE_CUSTOMER = N_("Someone else changed this record meanwhile. Nothing was changed: "
                    "reload the page to see the current values, then apply the request "
                    "again.")


def rectifiable_fields(customer, contact_person=None):
    """Return the names of the fields a request about this customer (or person) may change."""
    categories = customer.section.category_set
    if contact_person is not None:
        if "contact_persons" not in categories or customer.kind == "person":
            return ()
        return CONTACT_PERSON_FIELDS
    excluded = NOT_FOR_KIND.get(customer.kind, ())
    return tuple(name for name in CUSTOMER_FIELDS
                 if FIELD_CATEGORIES[Customer][name] in categories and name not in excluded)


def contact_persons_of(customer):
    """Return the contact persons a request about this customer may concern."""
    if customer.kind == "person" or "contact_persons" not in customer.section.category_set:
        return []
    return list(ContactPerson.select().where(ContactPerson.customer == customer)
                .order_by(ContactPerson.id))


def requested_values(request):
    """Return the request's ``{field: new value}`` as registered (strings)."""
    return json.loads(request.requested or "{}")


def before_values(request):
    """Return the values the applied request replaced, or None before it is applied."""
    return json.loads(request.before) if request.before else None


def after_values(request):
    """Return the values the applied request wrote, or None before it is applied."""
    return json.loads(request.after) if request.after else None


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


def target_of(request):
    """Return the row the request would change: its contact person, else its customer."""
    if request.contact_person_id is not None:
        return ContactPerson.get_by_id(request.contact_person_id)
    return Customer.get_by_id(request.customer_id)


def current_values(request, names=None):
    """Return the stored values of the requested fields (JSON-ready: dates as ISO text)."""
    row = target_of(request)
    names = names if names is not None else list(requested_values(request))
    return {name: _plain(getattr(row, name, None)) for name in names}


def register(customer, *, actor, received_at, requester_name, description, requested,
             contact_person=None, now=None):
    """Record a written request; return it.

    ``requested`` is ``{field: new value}`` for fields of ``rectifiable_fields``; empty
    values are left out (they ask for no change). The caller has checked the values with
    the register's validators; the request is checked again when it is applied.
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
    allowed = rectifiable_fields(customer, contact_person)
    values = {}
    for name, value in (requested or {}).items():
        if name not in allowed:
            raise RegisterError(N_("The field %(field)s cannot be corrected through a request "
                                   "about this customer."), field=name)
        value = "" if value is None else str(value).strip()
        if value:
            values[name] = value
    _refuse_hetu(requester_name, description, *values.values())

    with database.write_transaction():
        request = RectificationRequest.create(
            customer=customer,
            contact_person=contact_person,
            received_at=received_at,
            requester_name=requester_name,
            description=description,
            requested=json.dumps({n: values[n] for n in allowed if n in values},
                                 ensure_ascii=False),
            registered_by=actor,
            registered_at=now,
        )
        fields = ["received_at", "requester_name", "description"]
        fields += [f"requested.{name}" for name in values]
        _audit("create", request, actor, fields)
    return request


def verify(request, *, actor, source, result, version):
    """Record how the data were checked and what was found; return the updated request."""
    if source not in VERIFICATION_SOURCES:
        raise RegisterError(N_("Choose where the data were checked."))
    result = (result or "").strip()
    if not result:
        raise RegisterError(N_("Write what the check showed."))
    _refuse_hetu(result)
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
        _refuse_hetu(reason)
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

    ``validate(kind, values, customer)`` is the register's validation (kind "customer" or
    "contact_person"): it returns the values as they are stored, or raises RegisterError
    naming the field. ``customer_version`` is the customer's version the user saw: when
    someone has changed the customer since, nothing is written. The change, the request's
    before and after values and the audit events go in one transaction.
    """
    if request.applied_at is not None:
        raise RegisterError(N_("This request has been applied already."))
    if request.decision != "approved":
        raise RegisterError(N_("Only an approved request can be applied."))
    customer = Customer.get_by_id(request.customer_id)
    contact_person = (ContactPerson.get_by_id(request.contact_person_id)
                      if request.contact_person_id is not None else None)
    values = requested_values(request)
    allowed = rectifiable_fields(customer, contact_person)
    for name in values:
        if name not in allowed:
            raise RegisterError(N_("The field %(field)s can no longer be corrected for this "
                                   "customer. Nothing was changed: refuse the request or "
                                   "register a new one."), field=name)
    _refuse_hetu(*values.values())
    kind = "contact_person" if contact_person is not None else "customer"
    clean = validate(kind, values, customer)
    expected = _int(customer_version)

    with database.write_transaction():
        customer = Customer.get_by_id(request.customer_id)
        if customer.version != expected:
            raise RegisterError(STALE_CUSTOMER)
        now = utcnow()
        row = customer if contact_person is None else ContactPerson.get_by_id(contact_person.id)
        before = {name: _plain(getattr(row, name)) for name in values}
        for name, value in clean.items():
            setattr(row, name, value)
        changes = {Customer.version: Customer.version + 1, Customer.updated_at: now}
        if contact_person is None:
            customer.refresh_derived()
            for name in [*clean, *Customer.derived_fields]:
                changes[Customer._meta.fields[name]] = getattr(customer, name)
        bumped = (Customer.update(changes)
                  .where((Customer.id == customer.id) & (Customer.version == expected))
                  .execute())
        if bumped != 1:
            raise RegisterError(STALE_CUSTOMER)
        if contact_person is not None:
            (ContactPerson.update({ContactPerson._meta.fields[n]: v for n, v in clean.items()})
             .where(ContactPerson.id == row.id).execute())
        after = {name: _plain(getattr(row, name)) for name in values}
        _step(request, version, before=json.dumps(before, ensure_ascii=False),
              after=json.dumps(after, ensure_ascii=False), applied_by=actor, applied_at=now)
        names = list(values) if contact_person is None else [
            f"contact_person.{name}" for name in values]
        _audit("update", request, actor, names)
        audit.record("update", actor=actor, object_type="customer", object_id=customer.id,
                     section=customer.section.code, fields=names)
    return RectificationRequest.get_by_id(request.id)


# --- helpers ------------------------------------------------------------------------


def _step(request, version, **changes):
    """Write ``changes`` to the request if its version is still ``version``."""
    expected = _int(version)
    changes = {RectificationRequest._meta.fields[name]: value for name, value in changes.items()}
    changes[RectificationRequest.version] = RectificationRequest.version + 1
    updated = (RectificationRequest.update(changes)
               .where((RectificationRequest.id == request.id)
                      & (RectificationRequest.version == expected))
               .execute())
    if updated != 1:
        raise RegisterError(STALE_REQUEST)


def _audit(action, request, actor, fields):
    section = Customer.get_by_id(request.customer_id).section.code
    audit.record(action, actor=actor, object_type=AUDIT_OBJECT_TYPE, object_id=request.id,
                 section=section, fields=fields)


def _refuse_hetu(*texts):
    if any(isinstance(text, str) and contains_hetu(text) for text in texts):
        raise RegisterError(N_("A henkilötunnus (personal identity code) must not be stored in "
                               "the register: remove it and try again."))


def _plain(value):
    """Return a stored value as JSON holds it: dates as ISO text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
