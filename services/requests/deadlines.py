"""The one-week deadline of a request, its state, and the lists of what each role acts on."""

import dataclasses
import datetime

import peewee as pw

from models import InspectionRequest, InspectionSubject, utcnow
from services import policy
from services.localtime import from_helsinki
from services.localtime import to_helsinki as helsinki
from services.requests.common import _naive_utc

# Seed §14: "carried out within one week of the request".
DUE_IN = datetime.timedelta(days=7)


def due_from(received_at):
    """Return when a request received at ``received_at`` (naive UTC) is due: the same
    Helsinki clock time one week later, as naive UTC."""
    local = helsinki(received_at).replace(tzinfo=None)
    return from_helsinki(local + DUE_IN)


@dataclasses.dataclass(frozen=True)
class Deadline:
    """Where a request stands against its one-week deadline, in Helsinki time."""

    due_at: datetime.datetime  # naive UTC
    days_left: int  # Helsinki calendar days from today to the due day; negative when past
    overdue: bool  # open and past its due time
    late: bool  # delivered after its due time

    @property
    def days_over(self):
        """Return how many Helsinki calendar days the due day is behind (0 on the due day)."""
        return max(0, -self.days_left)

    @property
    def due_today(self):
        return self.days_left == 0


def deadline(request, now=None):
    """Return the request's :class:`Deadline` at ``now`` (naive UTC; default the present)."""
    now = _naive_utc(now) if now is not None else utcnow()
    days_left = (helsinki(request.due_at).date() - helsinki(now).date()).days
    delivered = request.delivered_at is not None
    return Deadline(
        due_at=request.due_at,
        days_left=days_left,
        overdue=not delivered and now > request.due_at,
        late=delivered and request.delivered_at > request.due_at,
    )


def state_of(request):
    """Return the request's state: received, identified, decided or delivered."""
    if request.delivered_at is not None:
        return "delivered"
    if request.decision is not None:
        return "decided"
    if request.identity_checked_at is not None:
        return "identified"
    return "received"


def open_condition():
    """Return the condition on InspectionRequest of a request still open: not delivered."""
    return InspectionRequest.delivered_at.is_null()


def open_requests():
    """Return the requests not yet delivered, the soonest due first."""
    return (InspectionRequest.select()
            .where(open_condition())
            .order_by(InspectionRequest.due_at, InspectionRequest.id))


def overdue(now=None):
    """Return the open (not delivered) requests past their due time at ``now``."""
    now = _naive_utc(now) if now is not None else utcnow()
    return list(open_requests().where(InspectionRequest.due_at < now))


def subject_counts(request_ids):
    """Return ``{request id: number of confirmed subjects}`` for ``request_ids``."""
    if not request_ids:
        return {}
    rows = (InspectionSubject
            .select(InspectionSubject.request, pw.fn.COUNT(InspectionSubject.id).alias("n"))
            .where(InspectionSubject.request.in_(list(request_ids)))
            .group_by(InspectionSubject.request)
            .tuples())
    return dict(rows)


def _to_review_condition():
    """Return the condition of a request served on site that no responsible person has
    reviewed yet."""
    return (InspectionRequest.on_site & InspectionRequest.reviewed_at.is_null()
            & InspectionRequest.delivered_at.is_null(False))


def to_review(limit=None):
    """Return the requests served on site that no responsible person has reviewed yet
    (the first ``limit``)."""
    return list(InspectionRequest.select().where(_to_review_condition())
                .order_by(InspectionRequest.delivered_at, InspectionRequest.id).limit(limit))


def worklist_conditions(user, now=None, sections=None):
    """Return the conditions on InspectionRequest of what ``user`` must act on, as
    ``{what: condition}``: the one rule behind the front page's lists and the menu's count.

    Handlers: their sections' open requests waiting for the identity check
    (``identity``), the confirmation of the subject's records (``subjects``) or the
    delivery (``delivery``). The responsible person and the controller: requests waiting
    for a decision (``decision``), on-site ones to review (``review``) and every overdue
    one (``overdue``). Other roles have nothing to act on. ``sections`` is the handler's
    sections as ids or a subquery of them (default: read here).
    """
    request = InspectionRequest
    now = _naive_utc(now) if now is not None else utcnow()
    if policy.may(user, "handle_section_inspection_requests"):
        if sections is None:
            sections = policy.readable_section_ids(user)
        mine = open_condition() & request.section.in_(sections)
        undecided = request.decision.is_null()
        confirmed = pw.fn.EXISTS(InspectionSubject.select(pw.SQL("1"))
                                 .where(InspectionSubject.request == request.id))
        return {
            "identity": mine & undecided & request.identity_checked_at.is_null(),
            "subjects": (mine & undecided & request.identity_checked_at.is_null(False)
                         & ~confirmed),
            "delivery": mine & request.decision.is_null(False),
        }
    if policy.may(user, "decide_inspection_requests"):
        return {
            "decision": (open_condition() & request.decision.is_null()
                         & request.identity_checked_at.is_null(False)),
            "review": _to_review_condition(),
            "overdue": open_condition() & (request.due_at < now),
        }
    return {}


def worklist(user, now=None, limit=None):
    """Return what ``user`` must act on, as ``{what: [request, …]}`` (see the dashboard
    and :func:`worklist_conditions`), the soonest due first; on-site ones to review in the
    order they were served. ``limit``: at most that many of each."""
    lists = {}
    for what, condition in worklist_conditions(user, now).items():
        if what == "review":
            lists[what] = to_review(limit)
        else:
            lists[what] = list(InspectionRequest.select().where(condition)
                               .order_by(InspectionRequest.due_at, InspectionRequest.id)
                               .limit(limit))
    return lists
