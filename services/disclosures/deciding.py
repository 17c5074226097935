"""The controller's decision on a prepared disclosure: approved or refused, on the version
the controller saw."""

from database import write_transaction
from models import Disclosure, utcnow
from services import audit
from services.disclosures.common import (
    AUDIT_OBJECT_TYPE,
    STALE,
    _allowed_recipient,
    _clean_text,
    _linked_customers,
    _require,
    may_decide,
)
from services.errors import N_, RegisterError
from services.versioning import UNCHECKED, check_version, versioned_update

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
