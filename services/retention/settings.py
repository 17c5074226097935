"""The retention settings: the constants of a purge, the dates it decides with, and each
section's retention period (``RetentionPolicy``) with its history."""

import datetime

import database
from models import DEFAULT_RETENTION_MONTHS, RetentionPolicy, RetentionPolicyChange, Section, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.inputs import parse_id, whole_number
from services.localtime import from_helsinki, to_helsinki


AUDIT_OBJECT_TYPE = "purge_run"
POLICY_OBJECT_TYPE = "retention_policy"

# Accounting Act 2:10: vouchers are kept six years from the end of the financial year.
ACCOUNTING_YEARS = 6
# The retention periods the controller may set, in months.
MIN_MONTHS, MAX_MONTHS = 12, 600
# Customers a purge handles per transaction.
BATCH_SIZE = 2000
# Customers a preview lists per page.
PAGE_SIZE = 25
# An invoice billed a purchase when it has the same amount and is dated on the purchase
# day or at most this many days after it.
INVOICE_AFTER_PURCHASE_DAYS = 31

DELETE, MINIMISE = "delete", "minimise"


# --- Dates ------------------------------------------------------------------------------


def months_before(moment, months):
    """Return ``moment`` minus whole calendar ``months`` (the day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1)
                - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def cutoff(now, months):
    """Return the naive UTC moment ``months`` calendar months before ``now`` (naive UTC) on
    Helsinki's calendar: at 00:30 on 1 March in Helsinki (22:30 UTC on 28 February), 13
    months back is 1 February of the year before, not 28 January."""
    local = to_helsinki(now).replace(tzinfo=None)
    return from_helsinki(months_before(local, months))


def keeping_starts(today, years=ACCOUNTING_YEARS):
    """Return the first invoice date still kept on ``today``: 1 January, ``years`` back.

    A voucher of financial year Y is kept to the end of year Y + ``years``.
    """
    return datetime.date(today.year - years, 1, 1)


def final_deletion(newest_invoice_date, years=ACCOUNTING_YEARS):
    """Return the day a minimised customer can go: after its newest invoice's keeping period."""
    return datetime.date(newest_invoice_date.year + years + 1, 1, 1)


# --- Policy -------------------------------------------------------------------------------


def policy_months():
    """Return ``{section_id: months}`` for every section (the default where none is set)."""
    months = {s.id: DEFAULT_RETENTION_MONTHS for s in Section.select(Section.id)}
    for policy in RetentionPolicy.select():
        months[policy.section_id] = policy.months
    return months


def policies():
    """Return every section with its policy row (or None): ``[(section, policy)]``."""
    rows = {p.section_id: p for p in RetentionPolicy.select()}
    return [(s, rows.get(s.id)) for s in Section.select().order_by(Section.code)]


def policy_history(limit=50):
    """Return the newest changes of the retention periods."""
    return list(RetentionPolicyChange.select().order_by(RetentionPolicyChange.changed_at.desc(),
                                                        RetentionPolicyChange.id.desc())
                .limit(limit))


def parse_months(value):
    """Return ``value`` as a retention period in months, or raise RegisterError."""
    months = whole_number(value, MIN_MONTHS, MAX_MONTHS)
    if months is None:
        raise RegisterError(N_("Give the retention period as a whole number of months from "
                               "%(low)s to %(high)s."), low=MIN_MONTHS, high=MAX_MONTHS)
    return months


class ChangedMeanwhile(RegisterError):
    """Values the user changed on a page of months were changed by someone else since the
    page showed them (``now_months``: key → months now); nothing was saved."""

    MESSAGE = None  # said by each page's kind

    def __init__(self, now_months):
        super().__init__(self.MESSAGE)
        self.now_months = now_months


class PeriodsChanged(ChangedMeanwhile):
    MESSAGE = N_("Someone else changed these retention periods meanwhile. Nothing was saved: "
                 "the marked periods show their months now; make your changes again and "
                 "save.")


def page_changes(typed, shown, now, changed_meanwhile):
    """Return the keys of ``typed`` (months typed) changed from the months the page showed
    (``shown``, posted back as text); raise ``changed_meanwhile`` (a ChangedMeanwhile) when
    one of them is no longer what the page showed (``now``). A page that says nothing of
    what it showed (a script's) is as stale."""
    seen = {key: parse_id(shown.get(key)) for key in typed}
    changed = [key for key in typed if typed[key] != seen[key]]
    stale = {key: now.get(key) for key in changed if now.get(key) != seen[key]}
    if stale:
        raise changed_meanwhile(stale)
    return changed


def set_periods(months, shown, actor):
    """Set the periods the user changed from the months the page showed; return the
    sections changed.

    ``months`` and ``shown`` map section codes to what was typed and to the months the page
    showed (posted back). A period typed as shown is not written, whatever it is now; one
    the user changed that someone else changed meanwhile refuses the whole save
    (``PeriodsChanged``). A page that says nothing of what it showed is as stale.
    """
    with database.write_transaction():
        rows = {section.code: (section, policy) for section, policy in policies()}
        typed = {code: parse_months(value) for code, value in months.items() if code in rows}
        now = {code: policy.months if policy else None for code, (_s, policy) in rows.items()}
        changed = page_changes(typed, shown, now, PeriodsChanged)
        return [rows[code][0] for code in changed
                if set_months(rows[code][0], typed[code], actor)]


def set_months(section, months, actor):
    """Set ``section``'s retention period; record the change and its audit event.

    Returns True when the period changed. The audit event names the field ("months");
    the old and new values are kept in ``RetentionPolicyChange``.
    """
    months = parse_months(months)
    with database.write_transaction():
        policy = RetentionPolicy.get_or_none(RetentionPolicy.section == section.id)
        old = policy.months if policy is not None else None
        if old == months:
            return False
        now = utcnow()
        if policy is None:
            RetentionPolicy.create(section=section.id, months=months, changed_by=actor,
                                   changed_at=now)
        else:
            RetentionPolicy.update(months=months, changed_by=actor, changed_at=now).where(
                RetentionPolicy.id == policy.id).execute()
        RetentionPolicyChange.create(section=section.id, old_months=old, new_months=months,
                                     changed_by=actor, changed_at=now)
        audit.record("update", actor, object_type=POLICY_OBJECT_TYPE, object_id=section.code,
                     section=section.code, fields=["months"])
    return True
