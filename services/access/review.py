"""The yearly access review by the responsible person (seed §3)."""

import dataclasses
import datetime


import peewee as pw

from database import write_transaction
from models import REVIEW_OUTCOMES, AccessReview, AccessReviewItem, AccountStatusChange, User
from services import audit, policy
from services.access.account_state import (
    _reactivations,
    is_ended,
    last_used,
    latest_changes,
    sections_by_user,
)
from services.access.common import (
    IDLE_DAYS,
    MAX_TEXT,
    REMINDER_DAYS,
    REVIEW_OBJECT_TYPE,
    ReviewError,
    _now,
    add_year,
)
from services.access.ending import _end
from services.access.guidance import acknowledgements
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import helsinki_date
from services.policy import NotAllowed


@dataclasses.dataclass(frozen=True)
class ReviewStatus:
    """When the access review is due (Helsinki days) and where it stands.

    ``state``: ``none`` (no accounts yet), ``ok``, ``soon`` (within REMINDER_DAYS of the due
    day) or ``overdue`` (after it).
    """

    state: str
    due_on: datetime.date | None = None
    days_left: int | None = None
    last_review: AccessReview | None = None

    @property
    def remind(self):
        """Tell whether the front page should remind of the review."""
        return self.state in ("soon", "overdue")


def may_review(user):
    """Tell whether ``user`` may carry out the access review (the responsible person)."""
    return policy.may(user, "review_access")


def review_status(now=None):
    """Return the :class:`ReviewStatus` at ``now`` (naive UTC; default the present)."""
    last = AccessReview.select().order_by(AccessReview.reviewed_at.desc()).first()
    if last is not None:
        return status_since(last.reviewed_at, now, last)
    return status_since(User.select(pw.fn.MIN(User.created_at)).scalar(), now)


def review_since():
    """Return the expression of the moment the review year runs from: the last review,
    or with none the first account's creation (the menu's count reads it in its query)."""
    return pw.fn.COALESCE(AccessReview.select(pw.fn.MAX(AccessReview.reviewed_at)),
                          User.select(pw.fn.MIN(User.created_at)))


def status_since(since, now=None, last=None):
    """Return the :class:`ReviewStatus` at ``now`` of a review year running from ``since``
    (naive UTC; None: no accounts yet); ``last`` is the last review, if any."""
    if since is None:
        return ReviewStatus("none")
    if isinstance(since, str):  # SQLite hands a computed moment back as text
        since = datetime.datetime.fromisoformat(since)
    today = helsinki_date(_now(now))
    due_on = add_year(helsinki_date(since))
    days_left = (due_on - today).days
    if days_left < 0:
        state = "overdue"
    elif days_left <= REMINDER_DAYS:
        state = "soon"
    else:
        state = "ok"
    return ReviewStatus(state, due_on, days_left, last)


@dataclasses.dataclass
class AccountRow:
    """An account as the review and the account list show it."""

    user: User
    sections: list
    last_used: datetime.datetime
    idle: bool
    guidance_version: int | None
    acknowledged_at: datetime.datetime | None
    change: AccountStatusChange | None = None

    @property
    def state(self):
        if is_ended(self.user):
            return "ended"
        return "active" if self.user.active else "disabled"


def account_rows(users, now=None, days=IDLE_DAYS):
    """Return an :class:`AccountRow` for each of ``users``, read in a few queries."""
    users = list(users)
    ids = [u.id for u in users]
    if not ids:
        return []
    cutoff = _now(now) - datetime.timedelta(days=days)
    sections = sections_by_user(ids)
    reactivated = _reactivations(ids)
    acknowledged = acknowledgements(ids)
    changes = latest_changes(ids)
    rows = []
    for user in users:
        used = last_used(user, reactivated.get(user.id))
        version, at = acknowledged.get(user.id, (None, None))
        rows.append(AccountRow(
            user=user, sections=sections.get(user.id, []), last_used=used,
            idle=user.active and not is_ended(user) and used < cutoff,
            guidance_version=version, acknowledged_at=at, change=changes.get(user.id)))
    return rows


def review_accounts(now=None):
    """Return the rows the review goes through: every account whose access has not ended
    (open and disabled alike), by username."""
    users = User.select().where(User.username.is_null(False)).order_by(User.username)
    return account_rows(users, now)


def save_review(actor, outcomes, reviewed_ids, now=None):
    """Record a review of every account; end the access of those marked ``end``.

    ``outcomes`` maps account ids to ``(outcome, comment)``; ``reviewed_ids`` are the
    accounts the page showed — if accounts were added or ended meanwhile, nothing is saved.
    A change or an ending needs a comment. Returns the review.
    """
    if not may_review(actor):
        raise NotAllowed(N_("Only the responsible person carries out the access review."))
    moment = _now(now)
    rows = review_accounts(moment)
    if {r.user.id for r in rows} != {int(i) for i in reviewed_ids}:
        raise ReviewError(N_(
            "Accounts were added or ended while you reviewed: nothing was saved. The list "
            "now shows every account; check the new ones and save again."))
    cleaned = _checked_outcomes(actor, rows, outcomes)
    with write_transaction():
        review = _record_review(actor, rows, cleaned, moment)
        _end_marked(actor, rows, cleaned, moment)
    return review


def _checked_outcomes(actor, rows, outcomes):
    """Return ``{account id: (outcome, comment or None)}``; raise a ReviewError naming every
    account whose outcome or comment is refused."""
    problems = {}
    cleaned = {}
    for row in rows:
        outcome, comment = outcomes.get(row.user.id, (None, ""))
        comment = " ".join((comment or "").split())
        if outcome not in REVIEW_OUTCOMES:
            problems[row.user.id] = (N_("Choose keep, change or end."), {})
        elif outcome != "keep" and not comment:
            problems[row.user.id] = (N_("Write a comment: what should change, or why the "
                                        "access ends."), {})
        elif len(comment) > MAX_TEXT:
            problems[row.user.id] = (N_("Shorten the comment to at most %(max)s characters."),
                                     {"max": MAX_TEXT})
        elif hetu_refusal := refusal(comment, message=N_(
                "A henkilötunnus (personal identity code) must not be stored in the register: "
                "remove it from the comment.")):
            problems[row.user.id] = (hetu_refusal, {})
        elif outcome == "end" and row.user.id == actor.id:
            problems[row.user.id] = (N_("You cannot end your own access: ask the controller."),
                                     {})
        cleaned[row.user.id] = (outcome, comment or None)
    if problems:
        raise ReviewError(N_("Check the accounts marked below, correct them and save the "
                             "review again."), problems)
    return cleaned


def _record_review(actor, rows, cleaned, moment):
    """Create the review and an item for each account, inside the caller's transaction."""
    review = AccessReview.create(reviewed_by=actor.id, reviewed_at=moment)
    for row in rows:
        outcome, comment = cleaned[row.user.id]
        AccessReviewItem.create(
            review=review.id, user=row.user.id, role=row.user.role,
            sections=" ".join(s.code for s in row.sections), active=row.user.active,
            last_login_at=row.user.last_login_at, idle=row.idle,
            guidance_version=row.guidance_version, outcome=outcome, comment=comment)
    audit.record("create", actor=actor, object_type=REVIEW_OBJECT_TYPE,
                 object_id=review.id, fields=("outcome", "comment"), at=moment)
    return review


def _end_marked(actor, rows, cleaned, moment):
    """End the access of the accounts marked ``end``, inside the caller's transaction."""
    today = helsinki_date(moment)
    for row in rows:
        outcome, comment = cleaned[row.user.id]
        if outcome == "end":
            try:
                _end(actor, row.user, today, comment, moment)
            except RegisterError as e:
                raise ReviewError(N_("Check the accounts marked below, correct them and "
                                     "save the review again."),
                                  {row.user.id: (e.message, e.params)}) from e


def review_items(review):
    """Return the review's items with their accounts, by the account's id."""
    return list(AccessReviewItem.select(AccessReviewItem, User)
                .join(User, on=(AccessReviewItem.user == User.id))
                .where(AccessReviewItem.review == review.id)
                .order_by(AccessReviewItem.id))
