"""The retention rules of the register's own records (issue 14): how long each kind of
record the register keeps about its own work stays, in months, set by the controller.

The kinds (``models.RECORD_KINDS``) and what their rule does, applied by every purge run
after its customers (``record_purge``):

- ``inspection_requests``, ``rectification_requests``: N months after a request closed
  (an inspection request delivered or refused, a rectification applied or refused), the
  requester's name, contact details and identity note (a rectification: the name and the
  note of the check) are wiped; a keyed pseudonym of the name stays, so that the requests
  of one person can still be counted (``requester_counts``).
- ``access_requests``: N months after the account's access ended, or after a refusal,
  the request and the sections it asked for are deleted.
- ``account_status_changes``: changes older than N months that a later change of the
  same account superseded are deleted; each account's newest change stays.
- ``login_failures``: failed logins older than N months are deleted.
- ``ended_sessions``: sessions ended (or last seen) more than N months ago are deleted.
- ``audit_log``: events older than N months are removed from the start of the chain
  behind a signed checkpoint (``services.audit.prune``).

The defaults and the reasons for them are in migration 023. The keys (``RecordKeys``)
come from the configuration: ``PSEUDONYM_KEY`` for the pseudonyms, ``AUDIT_CHECKPOINT_KEY``
for the checkpoints, each generated once into the instance folder when not set.
"""

import dataclasses
import hashlib
import hmac
import unicodedata

import database
from models import RECORD_KINDS, RecordRetention, RecordRetentionChange, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.retention.settings import ChangedMeanwhile, cutoff, page_changes

RULE_OBJECT_TYPE = "record_retention"
# The months each kind's rule may be set to: the audit log and the requests at least a
# year (they answer complaints and show misuse), at most fifty years like the customers'.
BOUNDS = {
    "inspection_requests": (12, 600),
    "rectification_requests": (12, 600),
    "access_requests": (12, 600),
    "account_status_changes": (12, 600),
    "login_failures": (1, 12),
    "ended_sessions": (1, 24),
    "audit_log": (12, 600),
}
# What a kind's rule does to a row: wipes the personal data in it, or removes it.
WIPED_KINDS = ("inspection_requests", "rectification_requests")
# The longest number a form may send for months before it is even parsed (20 digits
# overflow SQLite's integer).
_MAX_DIGITS = 4


@dataclasses.dataclass(frozen=True)
class RecordKeys:
    """The keys the record rules need: pseudonyms and audit checkpoints."""

    pseudonym: str
    checkpoint: str

    @classmethod
    def from_config(cls, config):
        """Return the keys of a configuration mapping (the app's ``config``)."""
        return cls(pseudonym=config["PSEUDONYM_KEY"], checkpoint=config["AUDIT_CHECKPOINT_KEY"])


def normalised_name(name):
    """Return ``name`` as its pseudonym is made of: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def pseudonym(name, key):
    """Return the keyed pseudonym of a requester's name: hex HMAC-SHA256 of the normalised
    name with the register's ``PSEUDONYM_KEY``."""
    return hmac.new(key.encode("utf-8"), normalised_name(name).encode("utf-8"),
                    hashlib.sha256).hexdigest()


# --- The rules -------------------------------------------------------------------------


def rules():
    """Return ``[(kind, RecordRetention)]`` in the order of ``RECORD_KINDS``."""
    rows = {r.kind: r for r in RecordRetention.select()}
    return [(kind, rows.get(kind)) for kind in RECORD_KINDS if kind in rows]


def record_months():
    """Return ``{kind: months}`` of every kind with a rule."""
    return {kind: row.months for kind, row in rules()}


def record_cutoffs(months, now):
    """Return ``{kind: naive UTC moment}`` a record must be older than to go."""
    return {kind: cutoff(now, m) for kind, m in months.items()}


def rule_history(limit=50):
    """Return the newest changes of the record rules."""
    return list(RecordRetentionChange.select()
                .order_by(RecordRetentionChange.changed_at.desc(),
                          RecordRetentionChange.id.desc()).limit(limit))


def parse_rule_months(kind, value):
    """Return ``value`` as the months of ``kind``'s rule, or raise RegisterError."""
    low, high = BOUNDS[kind]
    text = str(value if value is not None else "").strip()
    months = int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS \
        else None
    if months is None or not low <= months <= high:
        raise RegisterError(N_("Give the period as a whole number of months from %(low)s to "
                               "%(high)s."), low=low, high=high)
    return months


class RulesChanged(ChangedMeanwhile):
    MESSAGE = N_("Someone else changed these rules meanwhile. Nothing was saved: the marked "
                 "rules show their months now; make your changes again and save.")


def set_rules(months, shown, actor):
    """Set the rules the user changed from the months the page showed; return the kinds
    changed.

    ``months`` and ``shown`` map kinds to what was typed and to the months the page showed
    (posted back). A rule typed as shown is not written, whatever it is now; a rule the
    user changed that someone else changed meanwhile refuses the whole save
    (``RulesChanged``). A page that says nothing of what it showed (a script's) is as stale.
    """
    with database.write_transaction():
        typed = {kind: parse_rule_months(kind, value) for kind, value in months.items()}
        changed = page_changes(typed, shown, record_months(), RulesChanged)
        return [kind for kind in changed if set_rule(kind, typed[kind], actor)]


def set_rule(kind, months, actor):
    """Set ``kind``'s rule to ``months``; record the change and its audit event.

    Returns True when the rule changed. Refused (RegisterError) for an unknown kind or
    months out of its bounds.
    """
    if kind not in RECORD_KINDS:
        raise RegisterError(N_("There is no such kind of record."))
    months = parse_rule_months(kind, months)
    with database.write_transaction():
        row = RecordRetention.get_or_none(RecordRetention.kind == kind)
        old = row.months if row is not None else None
        if old == months:
            return False
        now = utcnow()
        if row is None:
            RecordRetention.create(kind=kind, months=months, changed_by=actor, changed_at=now)
        else:
            RecordRetention.update(months=months, changed_by=actor, changed_at=now).where(
                RecordRetention.id == row.id).execute()
        RecordRetentionChange.create(kind=kind, old_months=old, new_months=months,
                                     changed_by=actor, changed_at=now)
        audit.record("update", actor, object_type=RULE_OBJECT_TYPE, object_id=kind,
                     fields=["months"])
    return True
