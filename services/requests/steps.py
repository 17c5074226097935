"""The steps of a request after its registration: the identity check, the decision, the
delivery and, for one served on site, the review. Each is one versioned write."""

from database import write_transaction
from models import DECISIONS, DELIVERY_METHODS, IDENTITY_METHODS, utcnow
from services.errors import N_, RegisterError
from services.policy import NotAllowed
from services.requests.common import (
    _minute,
    _naive_utc,
    _not_in_future,
    _refuse_hetu,
    _require_handler,
    _require_open,
    _text,
    _update,
    may_decide,
)

def record_identity(user, request, *, method, note=None, checked_at=None, version=None,
                    now=None):
    """Record how, when and by whom the requester's identity was checked."""
    _require_handler(user, request)
    now = now or utcnow()
    checked_at = _naive_utc(checked_at) if checked_at is not None else now
    note = _text(note)
    if method not in IDENTITY_METHODS:
        raise RegisterError(N_("Choose how the requester's identity was checked."))
    if method == "other" and not note:
        raise RegisterError(N_("Describe in the note how the identity was checked."))
    if request.decision is not None:
        raise RegisterError(N_("The request has already been decided; its identity check can "
                               "no longer be changed."))
    _not_in_future(checked_at, now)
    if _minute(checked_at) < _minute(request.received_at):
        raise RegisterError(N_("The identity check cannot be before the request was received: "
                               "check the date and time."))
    _refuse_hetu(note=note)
    with write_transaction():
        _update(user, request, version, "identify", {
            "identity_method": method,
            "identity_note": note,
            "identity_checked_by": user.id,
            "identity_checked_at": checked_at,
        })
    return request


def _decide(user, request, decision, reason, version, now):
    reason = _text(reason)
    if decision not in DECISIONS:
        raise RegisterError(N_("Choose whether the request is approved or refused."))
    if request.identity_checked_at is None:
        raise RegisterError(N_("The requester's identity has not been checked: record the "
                               "identity check before the decision."))
    if request.decision is not None:
        raise RegisterError(N_("The request has already been decided."))
    if decision == "refused" and not reason:
        raise RegisterError(N_("Write the reason for the refusal: it is told to the requester "
                               "in the report letter."))
    _refuse_hetu(reason=reason)
    _update(user, request, version, "approve" if decision == "approved" else "refuse", {
        "decision": decision,
        "decision_reason": reason,
        "decided_by": user.id,
        "decided_at": now,
    })


def decide(user, request, *, decision, reason=None, version=None, now=None):
    """Approve or refuse the request (the responsible person or the controller only).

    A refusal needs its reason, which the requester is told.
    """
    if not may_decide(user):
        raise NotAllowed(N_("Only the responsible person or the controller decides inspection "
                            "requests."))
    with write_transaction():
        _decide(user, request, decision, reason, version, now or utcnow())
    return request


def _deliver(user, request, method, delivered_at, version, now):
    if request.decision is None:
        raise RegisterError(N_("The request has not been decided yet: it is delivered after the "
                               "decision."))
    _require_open(request)
    if method not in DELIVERY_METHODS:
        raise RegisterError(N_("Choose how the report was delivered."))
    _not_in_future(delivered_at, now)
    if _minute(delivered_at) < _minute(request.decided_at):
        raise RegisterError(N_("The delivery cannot be before the decision: check the date and "
                               "time."))
    _update(user, request, version, "deliver", {
        "delivery_method": method,
        "delivered_at": delivered_at,
        "delivered_by": user.id,
    })


def record_delivery(user, request, *, method, delivered_at=None, version=None, now=None):
    """Record when, how and by whom the report (or the refusal) was delivered."""
    _require_handler(user, request)
    now = now or utcnow()
    delivered_at = _naive_utc(delivered_at) if delivered_at is not None else now
    with write_transaction():
        _deliver(user, request, method, delivered_at, version, now)
    return request


def review(user, request, *, version=None, now=None):
    """Mark a request served on site as reviewed by the responsible person (or controller)."""
    if not may_decide(user):
        raise NotAllowed(N_("Only the responsible person or the controller reviews requests "
                            "served on site."))
    if not request.on_site or request.delivered_at is None:
        raise RegisterError(N_("Only a request served on site is reviewed afterwards."))
    if request.reviewed_at is not None:
        raise RegisterError(N_("The request has already been reviewed."))
    with write_transaction():
        _update(user, request, version, "review", {
            "reviewed_by": user.id,
            "reviewed_at": now or utcnow(),
        })
    return request
