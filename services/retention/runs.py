"""Runs of a purge: preview recorded, confirmed by the controller, running in batches,
finished."""

import json

import database
from models import DEFAULT_RETENTION_MONTHS, PurgeItem, PurgeRun, Section, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.retention.leftover import kept_categories, remove_batch
from services.retention.previews import Snapshot, kept_now, preview
from services.retention.purging import _purge_items
from services.retention.record_purge import apply_batch
from services.retention.records import record_months
from services.retention.settings import (
    AUDIT_OBJECT_TYPE,
    BATCH_SIZE,
    DELETE,
    MINIMISE,
    policy_months,
)


# --- Runs: preview, confirm, execute --------------------------------------------------------


def start_preview(snapshot, result, actor):
    """Record a controller's preview as a run waiting for confirmation; return the run.

    The actor's earlier unconfirmed previews are superseded. Audited as "preview".
    """
    with database.write_transaction():
        PurgeRun.update(state="superseded").where(
            (PurgeRun.state == "previewed") & (PurgeRun.previewed_by == actor.id)
            & (PurgeRun.kind == "purge")).execute()
        run = PurgeRun.create(
            kind="purge", state="previewed", sections=" ".join(snapshot.codes),
            policy=snapshot.policy_json(), keep_from=snapshot.keep_from,
            accounting_years=snapshot.accounting_years, fingerprint=result.fingerprint,
            planned=json.dumps(result.planned(), sort_keys=True),
            records_planned=json.dumps(result.records, sort_keys=True),
            total=result.to_delete + result.to_minimise,
            previewed_by=actor.id, previewed_at=snapshot.as_of)
        record_preview(actor, snapshot, run)
    return run


def record_preview(actor, snapshot, run=None):
    """Audit a look at a preview (inside the caller's transaction, or its own)."""
    codes = snapshot.codes
    audit.record("preview", actor, object_type=AUDIT_OBJECT_TYPE,
                 object_id=run.id if run is not None else None,
                 section=codes[0] if len(codes) == 1 else None)


class SetChanged(RegisterError):
    """The customers to purge are no longer those the preview showed."""

    def __init__(self):
        super().__init__(N_("The customers to purge have changed since the preview, so it was "
                            "not confirmed. Check the fresh preview below and confirm it if it "
                            "is right."))


class PolicyChanged(RegisterError):
    """A retention period changed after the preview was made."""

    def __init__(self):
        super().__init__(N_("A retention period has changed since the preview, so it was not "
                            "confirmed. Check the fresh preview below and confirm it if it is "
                            "right."))


def _check_unchanged(run, snapshot):
    """Return the fresh preview of ``run``; raise PolicyChanged or SetChanged when it differs."""
    current = policy_months()
    for section in snapshot.sections:
        if current.get(section.id, DEFAULT_RETENTION_MONTHS) != snapshot.months.get(section.code):
            raise PolicyChanged()
    if snapshot.records and record_months() != snapshot.records:
        raise PolicyChanged()
    if snapshot.kept is not None and kept_now(snapshot.sections) != snapshot.kept:
        raise SetChanged()  # a category kept until the purge since: not previewed
    result = preview(snapshot)
    if result.fingerprint != run.fingerprint:
        raise SetChanged()
    return result


def _locked_run(run_id):
    """Read the run, locking it until the transaction ends (PostgreSQL; SQLite holds the
    database's write lock already)."""
    query = PurgeRun.select().where(PurgeRun.id == run_id)
    if not database.is_sqlite():
        query = query.for_update()
    run = query.first()
    if run is None:
        raise RegisterError(N_("There is no such purge run."))
    return run


def unfinished_run(exclude=None):
    """Return a confirmed or running purge that has not finished, or None."""
    query = PurgeRun.select().where(PurgeRun.state.in_(("confirmed", "running"))
                                    & (PurgeRun.kind == "purge"))
    if exclude is not None:
        query = query.where(PurgeRun.id != exclude)
    return query.order_by(PurgeRun.id).first()


def confirm(run_id, actor):
    """Confirm the previewed run ``run_id``: its customers become its work list.

    Refused (RegisterError) unless the run is a preview waiting for confirmation and no
    other purge is unfinished. When the policy or the customers changed since the preview,
    the run is marked stale and PolicyChanged or SetChanged is raised.
    """
    refusal = None
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.kind != "purge" or run.state != "previewed":
            raise RegisterError(N_("This preview can no longer be confirmed: it was confirmed "
                                   "already or replaced by a newer one. Make a new preview."))
        other = unfinished_run(exclude=run.id)
        if other is not None:
            raise RegisterError(N_("Purge %(id)s has not finished yet. Finish it first, then "
                                   "make a new preview."), id=other.id)
        snapshot = Snapshot.of_run(run)
        try:
            result = _check_unchanged(run, snapshot)
        except RegisterError as error:
            refusal = error
        if refusal is None:
            _insert_items(run.id, result.items())
            now = utcnow()
            run.state, run.confirmed_by, run.confirmed_at = "confirmed", actor.id, now
            run.total = result.to_delete + result.to_minimise
            run.save()
            audit.record("confirm", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
    if refusal is not None:
        _mark_stale(run.id, actor, "confirm_refused")
        raise refusal
    return run


def _mark_stale(run_id, actor, action):
    with database.write_transaction():
        PurgeRun.update(state="stale").where(PurgeRun.id == run_id).execute()
        PurgeItem.delete().where(PurgeItem.run == run_id).execute()
        audit.record(action, actor, object_type=AUDIT_OBJECT_TYPE, object_id=run_id)


def _insert_items(run_id, items, chunk=1000):
    rows = []
    for customer_id, action in items:
        rows.append((run_id, customer_id, action))
        if len(rows) >= chunk:
            PurgeItem.insert_many(rows, fields=[PurgeItem.run, PurgeItem.customer_id,
                                                PurgeItem.action]).execute()
            rows = []
    if rows:
        PurgeItem.insert_many(rows, fields=[PurgeItem.run, PurgeItem.customer_id,
                                            PurgeItem.action]).execute()


def _audit_section(run):
    codes = run.sections.split()
    return codes[0] if len(codes) == 1 else None


def start(run_id, actor=None, record_resume=True):
    """Make a confirmed run running; a running one (interrupted) is resumed as it is.

    ``record_resume``: audit going on with a running run as "purge_resume" (the page,
    which purges in many short steps, records only the start).

    Before the first batch the customers are checked once more against the preview: a run
    whose set changed meanwhile is marked stale and SetChanged (or PolicyChanged) raised.
    Refused for a run that is not confirmed. Returns the run.
    """
    refusal = None
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.state in ("running", "finished"):
            if run.state == "running" and record_resume:
                audit.record("purge_resume", actor, object_type=AUDIT_OBJECT_TYPE,
                             object_id=run.id, section=_audit_section(run))
            return run
        if run.state != "confirmed":
            raise RegisterError(N_("Purge %(id)s has not been confirmed: only a purge the "
                                   "controller confirmed on the preview page can be run."),
                                id=run.id)
        if run.kind == "purge":
            try:
                _check_unchanged(run, Snapshot.of_run(run))
            except RegisterError as error:
                refusal = error
        if refusal is None:
            now = utcnow()
            run.state, run.started_at, run.progress_at = "running", now, now
            run.save()
            audit.record("purge_start", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
    if refusal is not None:
        _mark_stale(run.id, actor, "purge_refused")
        raise refusal
    return run


def run_batch(run_id, batch_size=BATCH_SIZE, actor=None, inside_batch=None, keys=None):
    """Purge the next ``batch_size`` customers of a running run in one transaction; once
    they are all done, apply the rules of the register's own records, a batch of one kind
    of record at a time (``keys``: ``records.RecordKeys``).

    Returns the run; its state is "finished" when the work list is empty and no record
    rule has anything left to do. ``inside_batch`` (for tests of crash safety) is called
    inside the transaction after the first group of customers (or records) was purged,
    before the batch commits.
    """
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.state != "running":
            return run
        items = list(PurgeItem.select().where(PurgeItem.run == run.id)
                     .order_by(PurgeItem.customer_id).limit(batch_size))
        # After the customers: the data of categories kept until the purge, then the
        # register's own records.
        if not items and run.kind == "purge" and (
                _remove_leftover(run, batch_size)
                or _record_batch(run, batch_size, actor, keys, inside_batch)):
            run.progress_at = utcnow()
            run.save()
            return run
        if items:
            snapshot = Snapshot.of_run(run)
            done = json.loads(run.done or "{}")
            counts = _purge_items(run, snapshot, items, done, inside_batch)
            PurgeItem.delete().where((PurgeItem.run == run.id) & PurgeItem.customer_id.in_(
                [i.customer_id for i in items])).execute()
            run.done = json.dumps(done, sort_keys=True)
            run.processed += len(items)
            run.deleted += counts[DELETE]
            run.minimised += counts[MINIMISE]
            run.skipped += counts["skipped"] + counts["held"]
        now = utcnow()
        run.progress_at = now
        if not PurgeItem.select().where(PurgeItem.run == run.id).exists():
            run.state, run.finished_at = "finished", now
            audit.record("purge_end", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
        run.save()
    return run


def _remove_leftover(run, batch_size):
    """After the run's customers: remove one batch of the data of the categories taken from
    a section of the run to be kept until the purge (``leftover.kept_categories``); tell
    whether a batch was removed. The counts go to the run's ``done`` under
    ``categories_removed`` (place → count)."""
    planned = Snapshot.of_run(run).kept  # what the preview counted (None: of old)
    for code in run.sections.split():
        section = Section.get_or_none(Section.code == code)
        if section is None:
            continue
        missing = planned.get(code, ()) if planned is not None else kept_categories(section)
        # Only what is still kept until the purge (a category added back stays).
        missing = tuple(c for c in missing if c in kept_categories(section))
        if not missing:
            continue
        customers, removed = remove_batch(section, missing, batch_size)
        if not customers:
            continue
        done = json.loads(run.done or "{}")
        into = done.setdefault(code, {}).setdefault("categories_removed", {})
        for key, number in removed.items():
            into[key] = into.get(key, 0) + number
        run.done = json.dumps(done, sort_keys=True)
        return True
    return False


def _record_batch(run, batch_size, actor, keys, inside_batch):
    """Apply one batch of the record rules the run was previewed with; return whether
    there was anything to do. Audited as "purge_records" naming the kind."""
    cutoffs = Snapshot.of_run(run).ordered_record_cutoffs()
    if not cutoffs:
        return False
    kind, count = apply_batch(cutoffs, batch_size, keys, run_id=run.id)
    if not count:
        return False
    if inside_batch is not None:
        inside_batch()
    done = json.loads(run.records_done or "{}")
    done[kind] = done.get(kind, 0) + count
    run.records_done = json.dumps(done, sort_keys=True)
    audit.record("purge_records", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                 fields=[kind])
    return True


def execute(run_id, batch_size=BATCH_SIZE, actor=None, seconds=None, progress=None,
            inside_batch=None, clock=None, record_resume=True, keys=None):
    """Start or resume the run and purge batch after batch; return the run.

    Stops when the run finishes or, with ``seconds``, once that long has passed (the page
    purges in such steps). ``progress(run)`` is called after each batch.
    """
    import time

    clock = clock or time.monotonic
    deadline = None if seconds is None else clock() + seconds
    run = start(run_id, actor, record_resume)
    while run.state == "running":
        run = run_batch(run_id, batch_size, actor, inside_batch, keys)
        if progress is not None:
            progress(run)
        if deadline is not None and clock() >= deadline:
            break
    return run
