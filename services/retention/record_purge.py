"""Applying the retention rules of the register's own records (``records``): what each
rule takes, counted for the preview and applied by the purge, batch by batch.

Every kind is one condition on an indexed timestamp, used both by the preview's count and
by the purge's statement, so the preview says exactly what the purge takes. A batch
handles at most ``limit`` rows of one kind in the caller's transaction, and takes only
rows still due (a wiped request is no longer due, a deleted row is gone): a batch that
rolls back is done again by the next one, and nothing is done twice.
"""

import collections

import peewee as pw

from models import (
    AccessRequest,
    AccessRequestSection,
    AccountStatusChange,
    InspectionRequest,
    LoginFailure,
    RectificationRequest,
    UserSession,
    utcnow,
)
from services import audit
from services.errors import N_, RegisterError
from services.retention.records import RecordKeys, pseudonym

# What a wiped request keeps of the requester: an empty name (the column is required).
WIPED_NAME = ""


def _closed_inspections(cutoff):
    r = InspectionRequest
    return r.wiped_at.is_null() & ((r.delivered_at < cutoff)
                                   | ((r.decision == "refused") & (r.decided_at < cutoff)))


def _closed_rectifications(cutoff):
    r = RectificationRequest
    return r.wiped_at.is_null() & ((r.applied_at < cutoff)
                                   | ((r.decision == "refused") & (r.decided_at < cutoff)))


def _old_access_requests(cutoff):
    r, change = AccessRequest, AccountStatusChange
    ended = (change.select(change.user)
             .where((change.kind == "ended") & (change.changed_at < cutoff)))
    return (((r.state == "refused") & (r.decided_at < cutoff))
            | ((r.state == "implemented") & (r.implemented_at < cutoff)
               & r.account.in_(ended)))


def _superseded_status_changes(cutoff):
    change = AccountStatusChange
    newest = change.select(pw.fn.MAX(change.id)).group_by(change.user)
    return (change.changed_at < cutoff) & change.id.not_in(newest)


def _ended_sessions(cutoff):
    s = UserSession
    return (s.last_seen_at < cutoff) & (s.revoked_at.is_null() | (s.revoked_at < cutoff))


# kind → (model, its key, the condition of the rows due)
_TABLES = {
    "inspection_requests": (InspectionRequest, InspectionRequest.id, _closed_inspections),
    "rectification_requests": (RectificationRequest, RectificationRequest.id,
                               _closed_rectifications),
    "access_requests": (AccessRequest, AccessRequest.id, _old_access_requests),
    "account_status_changes": (AccountStatusChange, AccountStatusChange.id,
                               _superseded_status_changes),
    "login_failures": (LoginFailure, LoginFailure.id, lambda c: LoginFailure.at < c),
    "ended_sessions": (UserSession, UserSession.token_hash, _ended_sessions),
}


def count_due(cutoffs):
    """Return ``{kind: rows its rule would wipe or remove}`` for ``{kind: cutoff}``."""
    counts = {}
    for kind, cutoff in cutoffs.items():
        if kind == "audit_log":
            counts[kind] = audit.removable_through(cutoff)[1]
        elif kind in _TABLES:
            model, _key, condition = _TABLES[kind]
            counts[kind] = model.select().where(condition(cutoff)).count()
    return counts


def apply_batch(cutoffs, limit, keys, run_id=None, now=None):
    """Apply the first rule of ``cutoffs`` that has rows due to at most ``limit`` of them,
    in the caller's transaction; return ``(kind, count)``, or ``(None, 0)`` when no rule
    has anything left to do."""
    for kind, cutoff in cutoffs.items():
        done = _apply(kind, cutoff, limit, keys, run_id, now or utcnow())
        if done:
            return kind, done
    return None, 0


def _apply(kind, cutoff, limit, keys, run_id, now):
    if kind == "audit_log":
        last_id, count = audit.removable_through(cutoff)
        if not count:
            return 0
        return audit.prune(last_id, _keys(keys).checkpoint, run_id=run_id, limit=limit, now=now)
    if kind not in _TABLES:
        return 0
    model, key, condition = _TABLES[kind]
    if kind == "inspection_requests":
        return _wipe(model, condition(cutoff), limit, keys, now,
                     requester_contact=None, identity_note=None)
    if kind == "rectification_requests":
        return _wipe(model, condition(cutoff), limit, keys, now, verification_result=None)
    ids = [row[0] for row in model.select(key).where(condition(cutoff)).order_by(key)
           .limit(limit).tuples()]
    if not ids:
        return 0
    if model is AccessRequest:
        AccessRequestSection.delete().where(AccessRequestSection.request.in_(ids)).execute()
    return model.delete().where(key.in_(ids)).execute()


def _wipe(model, condition, limit, keys, now, **emptied):
    """Wipe the requester of at most ``limit`` requests due; keep the name's pseudonym."""
    rows = list(model.select(model.id, model.requester_name).where(condition)
                .order_by(model.id).limit(limit).tuples())
    if not rows:
        return 0
    key = _keys(keys).pseudonym
    by_pseudonym = collections.defaultdict(list)
    for request_id, name in rows:
        by_pseudonym[pseudonym(name, key)].append(request_id)
    wiped = 0
    for value, ids in by_pseudonym.items():
        wiped += (model.update(requester_pseudonym=value, requester_name=WIPED_NAME,
                               wiped_at=now, **emptied)
                  .where(model.id.in_(ids) & model.wiped_at.is_null()).execute())
    return wiped


def _keys(keys):
    if not isinstance(keys, RecordKeys):
        raise RegisterError(N_("The purge needs the register's keys for the pseudonyms and the "
                               "audit log's checkpoints: run it from the purge page or the "
                               "command line of the register."))
    return keys


def requester_counts(model, key):
    """Return ``{pseudonym: requests}`` of ``model`` (InspectionRequest or
    RectificationRequest): a wiped request counts by its kept pseudonym, any other by its
    name's, so the counts of one person are the same before and after the wiping."""
    counts = collections.Counter()
    for name, kept in model.select(model.requester_name, model.requester_pseudonym).tuples():
        counts[kept or pseudonym(name, key)] += 1
    return dict(counts)
