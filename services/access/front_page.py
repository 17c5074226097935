"""What the front page asks a user to act on."""

from models import AccessRequest
from services import policy
from services.access.requests import (
    implementable_condition,
    may_decide,
    may_implement,
    visible_requests,
)
from services.access.review import may_review, review_status


def worklist(user, now=None):
    """Return what ``user`` must act on: ``{"decision": [...], "implementation": [...],
    "review": ReviewStatus or None}`` (empty lists and None when nothing).

    The controller: requests waiting for a decision, and approved ones waiting for
    implementation. A handler: the approved requests they may implement. The responsible
    person: the review, from REMINDER_DAYS before it is due.
    """
    work = {"decision": [], "implementation": [], "review": None}
    if may_decide(user):
        work["decision"] = list(AccessRequest.select()
                                .where(AccessRequest.state == "requested")
                                .order_by(AccessRequest.requested_at, AccessRequest.id))
    if policy.may(user, "implement_access"):
        approved = (visible_requests(user).where(AccessRequest.state == "approved")
                    .order_by(AccessRequest.decided_at, AccessRequest.id))
        work["implementation"] = [r for r in approved if may_implement(user, r)]
    if may_review(user):
        status = review_status(now)
        work["review"] = status if status.remind else None
    return work


def worklist_conditions(user):
    """Return the conditions on AccessRequest of the requests ``user`` must act on, as
    ``{"decision": …, "implementation": …}`` (only those the role acts on): the menu's
    count of what :func:`worklist` lists."""
    work = {}
    if may_decide(user):
        work["decision"] = AccessRequest.state == "requested"
    if policy.may(user, "implement_access"):
        work["implementation"] = implementable_condition(user)
    return work
