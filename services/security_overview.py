"""The security overview of the responsible person (seed §3: "huolehtia
tietojärjestelmän tietosuojauksesta"; issue 17): in one place, what needs a look.

- open accounts without a second factor in a role that must use one (TOTP_REQUIRED_ROLES)
  or is advised to (``policy.SECOND_FACTOR_ADVISED_ROLES``: they manage accounts or the
  backups);
- open accounts past their review: their own review year (from the last access review
  that covered them, or from their creation) has ended;
- idle accounts: not used for ``IDLE_DAYS`` days (as the access review flags them);
- failed logins and lockouts per week (Helsinki weeks from Monday), the last WEEKS weeks,
  from the audit log;
- the backups' status (``services.backup.status``) and the audit chain's last recorded
  verification (``services.audit.last_verification``).

A few queries, each over an index or the accounts; no customer's data. Who may see it is
the capability ``see_security_overview``. No Flask here.
"""

import dataclasses
import datetime

import peewee as pw

from models import AccessReview, AccessReviewItem, AuditEvent, TotpCredential, User, utcnow
from services import audit, policy
from services import backup as backups
from services.access import IDLE_DAYS, add_year, idle_accounts, review_status
from services.localtime import from_helsinki, helsinki_date

WEEKS = 8
# The audit actions counted per week: a wrong password or code, an account locked.
LOGIN_ACTIONS = {"login_failed": "failed", "lockout": "locked"}


def may_see(user):
    """Tell whether ``user`` may open the security overview."""
    return policy.may(user, "see_security_overview")


@dataclasses.dataclass
class Week:
    starts_on: datetime.date  # a Monday, Helsinki
    failed: int = 0
    locked: int = 0
    failed_share: float = 0.0  # the bars' heights as a share of the chart's
    locked_share: float = 0.0


@dataclasses.dataclass
class Overview:
    totp_enabled: bool
    second_factor: list  # [(user, "required" or "advised")]
    review: object  # services.access.ReviewStatus
    past_review: list  # [(user, the day its review year ended)]
    idle_days: int
    idle: list  # [user], the longest unused first
    weeks: list  # [Week], oldest first
    backup: dict  # services.backup.status; None when a BACKUP_* setting is wrong
    verification: object  # models.AuditVerification or None

    @property
    def failed(self):
        return sum(week.failed for week in self.weeks)

    @property
    def locked(self):
        return sum(week.locked for week in self.weeks)

    @property
    def busiest(self):
        """Return the week of the most failed logins (the latest of equals), or None."""
        top = max(self.weeks, key=lambda week: (week.failed, week.starts_on), default=None)
        return top if top is not None and top.failed else None


def overview(backup_settings, *, totp_enabled, required_roles, now=None):
    """Return the :class:`Overview` at ``now`` (naive UTC; default the clock's); its
    ``backup`` is None when ``backup_settings`` is (a BACKUP_* setting is wrong)."""
    now = now or utcnow()
    return Overview(
        totp_enabled=bool(totp_enabled),
        second_factor=without_second_factor(required_roles),
        review=review_status(now),
        past_review=past_review(now),
        idle_days=IDLE_DAYS,
        idle=idle_accounts(IDLE_DAYS, now),
        weeks=login_weeks(now),
        backup=backups.status(backup_settings, now) if backup_settings is not None else None,
        verification=audit.last_verification(),
    )


def without_second_factor(required_roles):
    """Return ``[(user, "required" or "advised")]``: the open accounts of those roles with
    no confirmed second factor, required first, by username."""
    required = tuple(required_roles or ())
    advised = tuple(r for r in policy.SECOND_FACTOR_ADVISED_ROLES if r not in required)
    enrolled = TotpCredential.select(TotpCredential.user).where(
        TotpCredential.confirmed_at.is_null(False))
    users = User.open_accounts().where(User.role.in_(required + advised)
                                       & User.id.not_in(enrolled))
    found = [(u, "required" if policy.requires_second_factor(u, required) else "advised")
             for u in users]
    return sorted(found, key=lambda pair: (pair[1] != "required", pair[0].username))


def past_review(now):
    """Return ``[(user, day)]``: the open accounts whose own review year ended on ``day``
    (a year from the last access review that covered them, or from their creation),
    the earliest first."""
    reviewed = dict(AccessReviewItem
                    .select(AccessReviewItem.user, pw.fn.MAX(AccessReview.reviewed_at))
                    .join(AccessReview)
                    .group_by(AccessReviewItem.user).tuples())
    today = helsinki_date(now)
    found = []
    for user in User.open_accounts():
        since = reviewed.get(user.id) or user.created_at
        if isinstance(since, str):  # SQLite hands an aggregate moment back as text
            since = datetime.datetime.fromisoformat(since)
        ended = add_year(helsinki_date(since))
        if ended < today:
            found.append((user, ended))
    return sorted(found, key=lambda pair: (pair[1], pair[0].username))


def week_start(day):
    """Return the Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def login_weeks(now, weeks=WEEKS):
    """Return the last ``weeks`` Helsinki weeks (this one last) with their failed logins
    and lockouts from the audit log."""
    first = week_start(helsinki_date(now)) - datetime.timedelta(weeks=weeks - 1)
    found = [Week(first + datetime.timedelta(weeks=n)) for n in range(weeks)]
    since = from_helsinki(datetime.datetime.combine(first, datetime.time()))
    events = (AuditEvent.select(AuditEvent.at, AuditEvent.action)
              .where((AuditEvent.at >= since) & AuditEvent.action.in_(list(LOGIN_ACTIONS)))
              .tuples())
    for at, action in events.iterator():
        index = (week_start(helsinki_date(at)) - first).days // 7
        if 0 <= index < weeks:
            name = LOGIN_ACTIONS[action]
            setattr(found[index], name, getattr(found[index], name) + 1)
    top = max((max(w.failed, w.locked) for w in found), default=0)
    for week in found:
        week.failed_share = week.failed / top if top else 0.0
        week.locked_share = week.locked / top if top else 0.0
    return found
