"""What a user must act on: the counts beside the menu items and the front page's list.

Each kind of work is a condition defined where its rule lives, and read here:

| count | rows | rule |
|---|---|---|
| ``inspection`` | inspection requests to check, confirm, deliver, decide, review; overdue | ``services.requests.worklist_conditions`` |
| ``rectification`` | rectification requests to check, decide or apply | ``services.rectification.worklist_conditions`` |
| ``access`` | access requests to decide or implement | ``services.access.worklist_conditions`` |
| ``access_review`` | the yearly access review, from a month before it is due | ``services.access.status_since`` |
| ``not_informed`` | customers not yet informed of their registration | ``services.informing.not_informed``, kept by ``services.customer_counts`` |

Rows without a count: ``purge_review``, the purge review of the controller, from
``services.duties.SOON_DAYS`` before it is due (``services.duties.purge_review``).

``counts(user)`` reads every count the user's role may see in ONE statement of scalar
subqueries, each limited to the user's own sections (a handler of one section never
counts another's rows): the menu shows them on every page. ``work(user)`` returns the
rows of the front page, oldest first. No Flask here.
"""

import dataclasses
import datetime
from collections import Counter

import peewee as pw

from models import (
    AccessRequest,
    Customer,
    InspectionRequest,
    RectificationRequest,
    UserSection,
    db,
    utcnow,
)
from services import access, customer_counts, duties, policy, rectification, requests

COUNTS = ("inspection", "rectification", "access", "access_review", "not_informed")
# The front page lists at most this many rows of each kind (the counts say how many); one
# more is read to tell whether more is waiting.
MAX_ROWS = 100
YEAR = datetime.timedelta(days=365)
# The tasks of the front page's rows: the inspection request's worklist codes, then these.
TASKS = ("rectification_verify", "rectification_decide", "rectification_apply",
         "access_decision", "access_implementation", "access_review", "purge_review")


def _sections(user):
    """Return the user's sections as a subquery of ids; None for every section."""
    if policy.may(user, "read_all_sections"):
        return None
    return UserSection.select(UserSection.section).where(UserSection.user == user.id)


def _either(conditions):
    """Return the OR of ``conditions`` (a dict of them), or None when there are none."""
    combined = None
    for condition in conditions.values():
        combined = condition if combined is None else combined | condition
    return combined


def _count_queries(user, now):
    """Return ``{count: subquery or expression}`` of the counts ``user``'s role sees."""
    sections = _sections(user)
    found = {}
    inspection = _either(requests.worklist_conditions(user, now, sections=sections))
    if inspection is not None:
        found["inspection"] = InspectionRequest.select(pw.fn.COUNT(pw.SQL("*"))).where(
            inspection)
    if policy.may(user, "use_register"):
        fixing = _either(rectification.worklist_conditions(user, sections))
        if fixing is not None:
            found["rectification"] = RectificationRequest.select(
                pw.fn.COUNT(pw.SQL("*"))).where(fixing)
        # Kept by triggers (services.customer_counts): at a million customers, counting
        # the customers themselves read the index of every one not yet informed.
        found["not_informed"] = pw.SQL(*customer_counts.not_informed_sql(
            None if sections is None else sections.sql()))
    deciding = _either(access.worklist_conditions(user))
    if deciding is not None:
        found["access"] = AccessRequest.select(pw.fn.COUNT(pw.SQL("*"))).where(
            deciding)
    if access.may_review(user):
        found["access_review"] = access.review_since()
    return found


def counts(user, now=None):
    """Return ``{count: number}`` of the work ``user`` must act on (COUNTS), only the
    counts the role may see, read in one statement; {} when the role has none."""
    now = now or utcnow()
    kept = _kept_statement(user)
    if kept is None:  # the statement depends on more than the moment: written each time
        names, sql, params = _written(user, now)
    else:
        names, sql, params, slots = kept
        params = list(params)
        for slot in slots:
            params[slot] = now
    if not names:
        return {}
    row = dict(zip(names, db.execute_sql(sql, params).fetchone()))
    found = {name: row[name] or 0 for name in names if name != "access_review"}
    if "access_review" in names:
        status = access.status_since(row["access_review"], now)
        found["access_review"] = 1 if status.remind else 0
    return found


# The counts' statement of a user, written once: the menu reads it on every page, and
# peewee took longer to write it (0.5 ms) than the database to answer it. Its parts come
# from the role, the user's id is in it (the sections are a subquery of the user's), and
# the moment is its only value that changes: it is written with two moments no page has,
# and kept only when nothing but those differ (the places the moment goes). The
# conditions must not read the database while they are built (a test holds them so).
_KEPT = {}
MAX_KEPT = 1024
_MOMENTS = (datetime.datetime(1900, 1, 1, 0, 0, 0, 1), datetime.datetime(1900, 1, 2, 0, 0, 0, 2))


def _written(user, now):
    """Return ``(names, sql, params)`` of the counts' statement for ``user`` at ``now``;
    no names when the role has no counts."""
    queries = _count_queries(user, now)
    if not queries:
        return (), "", []
    statement = pw.Select(columns=[query.alias(name) for name, query in queries.items()])
    sql, params = db.get_sql_context().sql(statement).query()
    return tuple(queries), sql, params


def _kept_statement(user):
    """Return ``(names, sql, params, slots)`` of ``user``'s counts, the moment to be put
    at ``slots`` of ``params``; None when the statement cannot be kept so."""
    key = (type(db.obj), user.id, user.role)
    if key in _KEPT:
        return _KEPT[key]
    (names, sql, first), (_, other_sql, second) = (_written(user, m) for m in _MOMENTS)
    kept = None
    if sql == other_sql and len(first) == len(second):
        slots = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
        if all(first[i] == _MOMENTS[0] and second[i] == _MOMENTS[1] for i in slots):
            kept = (names, sql, tuple(first), slots)
    if len(_KEPT) >= MAX_KEPT:
        _KEPT.clear()
    _KEPT[key] = kept
    return kept


@dataclasses.dataclass(frozen=True)
class Work:
    """A row of the front page: ``task`` (a code: an inspection worklist code or TASKS),
    ``kind`` of the thing it links to (inspection, rectification, access, access_review),
    the thing (a request row, or the review's status) and ``since``, the moment the work
    came in (naive UTC): the front page lists the oldest first."""

    task: str
    kind: str
    thing: object
    since: datetime.datetime


def _inspection_work(user, now):
    rows, seen = [], set()
    for task, found in requests.worklist(user, now, limit=MAX_ROWS + 1).items():
        for request in found:
            if request.id in seen:  # waiting for a decision and overdue: listed once
                continue
            seen.add(request.id)
            since = request.delivered_at if task == "review" else request.received_at
            rows.append(Work(task, "inspection", request, since))
    return rows


def _rectification_work(user):
    if not policy.may(user, "use_register"):
        return []
    conditions = rectification.worklist_conditions(user, _sections(user))
    rows = []
    for step, condition in conditions.items():
        # The section of each from the same statement: not a customer read a row.
        found = (RectificationRequest.select(RectificationRequest, Customer.section)
                 .join(Customer).where(condition)
                 .order_by(RectificationRequest.received_at, RectificationRequest.id)
                 .limit(MAX_ROWS + 1))
        rows += [Work(f"rectification_{step}", "rectification", r, r.received_at)
                 for r in found]
    return rows


def _access_work(user, now):
    work = access.worklist(user, now)
    rows = [Work("access_decision", "access", r, r.requested_at)
            for r in work["decision"][:MAX_ROWS + 1]]
    rows += [Work("access_implementation", "access", r, r.decided_at or r.requested_at)
             for r in work["implementation"][:MAX_ROWS + 1]]
    review = work["review"]
    if review is not None:
        # The review year began a year before the due day.
        since = datetime.datetime.combine(review.due_on, datetime.time()) - YEAR
        rows.append(Work("access_review", "access_review", review, since))
    return rows


def _duty_work(user, now):
    if not policy.may(user, "decide_retention"):
        return []
    duty = duties.purge_review(now)
    if not duty.remind:
        return []
    since = datetime.datetime.combine(duty.last_done or duty.due_on, datetime.time())
    return [Work("purge_review", "purge_review", duty, since)]


def cut_short(rows):
    """Tell whether more of some task is waiting than ``shown(rows)`` lists (``rows``
    from ``work``, which reads one more of each task than is shown)."""
    return any(n > MAX_ROWS for n in Counter(row.task for row in rows).values())


def shown(rows):
    """Return the rows the front page lists of ``rows`` (``work``): the MAX_ROWS oldest of
    each task."""
    listed = Counter()
    kept = []
    for row in rows:
        listed[row.task] += 1
        if listed[row.task] <= MAX_ROWS:
            kept.append(row)
    return kept


def work(user, now=None):
    """Return the front page's rows for ``user``: every request and review the user must
    act on (only their sections'), the oldest first, at most MAX_ROWS + 1 of a task
    (``shown`` and ``cut_short`` tell the rest)."""
    now = now or utcnow()
    rows = (_inspection_work(user, now) + _rectification_work(user) + _access_work(user, now)
            + _duty_work(user, now))
    return sorted(rows, key=lambda row: (row.since, row.kind, getattr(row.thing, "id", 0)))
