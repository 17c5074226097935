"""The steps of a rectification request: registering, verifying, deciding and applying
the change, each one versioned write with its audit event."""

import datetime
import json

from peewee import IntegrityError

import database
from models import (
    DECISIONS,
    VERIFICATION_SOURCES,
    Address,
    ContactPerson,
    Customer,
    RectificationRequest,
    utcnow,
)
from services import audit, notifications, postal_codes
from services import customers as customer_rules
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.rectification.reading import (
    AUDIT_OBJECT_TYPE,
    CLASH,
    CLOCK_LEEWAY,
    FIELD_GONE,
    MAX_TARGETS,
    NOT_A_TARGET,
    STALE_CUSTOMER,
    STALE_REQUEST,
    TARGET_GONE,
    as_text,
    changes,
    correctable_fields,
    is_open,
    parse_target,
    requested_values,
    rows_now,
)
from services.versioning import check_version, versioned_update


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
    values = _requested_targets(requested, own)
    _check_texts(requester_name, description, *values.values())

    with database.write_transaction():
        rows = rows_now(values, customer, contact_person)
        for target in values:
            row = rows.get((target.model, target.row_id))
            if row is None or not _field_correctable(target, customer):
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
        notifications.rectification_registered(request, actor, now)
    return request



def _requested_targets(requested, own):
    """Return ``{Target: new value}`` of the non-empty values asked for; refuse a key that
    names no target, and more than MAX_TARGETS of them."""
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
    return values

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
    rows = rows_now([change.target for change in found], customer, contact_person)
    if contact_person is None:
        rows[(Customer, customer.id)] = customer
    for change in found:
        target = change.target
        row = rows.get((target.model, target.row_id))
        if row is None:
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
    for (model, row_id), names in written.items():
        if model is Address:
            postal_codes.refuse_failing(rows[(model, row_id)], names)  # seed §7

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


def _field_correctable(target, customer):
    kind = customer.kind if target.model is Customer else None
    return target.field in correctable_fields(target.model, customer.section.category_set, kind)



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
