"""The audit log (Act on Information Management in Public Administration 906/2019 §17).

Who did what to which record and when, as a hash chain: each event stores the hash of
the event before it (``prev_hash``) and ``hash = sha256(prev_hash + canonical(event))``.
Editing, removing or inserting a row behind the application's back breaks the chain, and
``verify()`` names the first event where it breaks. The chain alone cannot stop someone
who rewrites every hash after their change: keep a copy of ``verify()``'s count and the
head hash elsewhere (e.g. with the backups) to detect that as well.

Ids are the events' places in the chain (1, 2, 3 … with no gaps): ``record`` assigns
them under the lock of the ``audit_head`` row, which serialises concurrent appenders.
"""

import contextlib
import datetime
import hashlib
import hmac
import json
import re

import database
from models import (
    AUDIT_GENESIS_HASH,
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    AuditVerification,
    Section,
    db,
    utcnow,
)
from services.bulk import insert_dicts

# The actions the register records today; later features add codes of their own.
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "view",
    "create",
    "update",
    "delete",
    "export",
    "search",
)

# Codes (actions, object types, sections) and field names: identifiers, never free text,
# so that no value — a name, a typed username — can slip into the log through them.
_CODE = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
MAX_OBJECT_ID_LENGTH = 64

# verify() reads the chain in batches of this many events (constant memory).
VERIFY_BATCH_SIZE = 5000


def record(action, actor=None, object_type=None, object_id=None, section=None, fields=(),
           at=None):
    """Append one event to the audit log and return it.

    Call it inside the transaction of the change it records, so the event commits or
    rolls back with that change; every write path opens that transaction with
    ``database.write_transaction()`` (on SQLite a DEFERRED transaction that has read first
    may fail to take the write lock here). Called outside a transaction, it opens one.

    ``actor`` is a ``models.User`` (its pseudonym and role are stored) or None for an
    anonymous event; ``section`` a section code (or a Section); ``fields`` the NAMES of the
    changed fields, never their values; ``at`` a datetime (default now), stored as naive UTC.
    """
    if not isinstance(action, str) or not _CODE.fullmatch(action):
        raise ValueError(f"audit action must be a short lower-case code, not {action!r}")
    object_type = _code("object_type", object_type)
    section = _code("section", getattr(section, "code", section))
    object_id = None if object_id in (None, "") else str(object_id)
    if object_id is not None and len(object_id) > MAX_OBJECT_ID_LENGTH:
        raise ValueError(f"audit object_id is longer than {MAX_OBJECT_ID_LENGTH} characters")
    actor_pseudonym, actor_role = _actor(actor)

    with _the_change_transaction():
        head = _locked_head()
        event = AuditEvent(
            id=head.last_id + 1,
            at=_utc_naive(at or utcnow()),
            actor=actor_pseudonym,
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            section=section,
            fields=_field_list(fields),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        _append(head, [event.__data__])
    return event


def record_many(action, actor=None, objects=(), fields=(), at=None):
    """Append one event a ``(object_type, object_id, section)`` of ``objects``; return how many.

    The same as calling ``record`` for each, in one append: the head is locked and moved
    once and the events are inserted in batches, so that a disclosure of thousands of
    customers writes one event on each of them in a fraction of a second. An object with
    a fourth item, ``(object_type, object_id, section, fields)``, has those fields instead
    of the call's.
    """
    if not isinstance(action, str) or not _CODE.fullmatch(action):
        raise ValueError(f"audit action must be a short lower-case code, not {action!r}")
    actor_pseudonym, actor_role = _actor(actor)
    field_list = _field_list(fields)
    moment = _utc_naive(at or utcnow())
    rows = []
    for item in objects:
        object_type, object_id, section = item[:3]
        object_id = None if object_id in (None, "") else str(object_id)
        if object_id is not None and len(object_id) > MAX_OBJECT_ID_LENGTH:
            raise ValueError(f"audit object_id is longer than {MAX_OBJECT_ID_LENGTH} characters")
        rows.append((_code("object_type", object_type), object_id,
                     _code("section", getattr(section, "code", section)),
                     _field_list(item[3]) if len(item) > 3 else field_list))
    if not rows:
        return 0
    with _the_change_transaction():
        head = _locked_head()
        last_id, last_hash, events = head.last_id, head.last_hash, []
        for object_type, object_id, section, names in rows:
            event = AuditEvent(id=last_id + 1, at=moment, actor=actor_pseudonym,
                               actor_role=actor_role, action=action, object_type=object_type,
                               object_id=object_id, section=section, fields=names,
                               prev_hash=last_hash)
            event.hash = event_hash(event)
            events.append(event.__data__)
            last_id, last_hash = event.id, event.hash
        _append(head, events)
    return len(events)


def _the_change_transaction():
    """The transaction of the change an append records: the caller's when there is one
    (no savepoint: an append that fails fails the change with it, and a page saves two
    round trips), else a write transaction of its own."""
    if db.in_transaction():
        return contextlib.nullcontext()
    return database.write_transaction()


# At most this many events are appended in one statement with the head's move
# (PostgreSQL); more go in as bulk inserts.
_ONE_STATEMENT_EVENTS = 100


def _append(head, events):
    """Insert ``events`` (AuditEvent field dicts in chain order, each with every field) and
    move the locked ``head`` to the last; raise if the head moved meanwhile (the caller's
    transaction then rolls the events back).

    PostgreSQL: one statement, the insert a data-modifying WITH of the head's update: a
    round trip fewer on every audited page."""
    last = events[-1]
    if database.is_sqlite() or len(events) > _ONE_STATEMENT_EVENTS:
        insert_dicts(AuditEvent, events)
        moved = (
            AuditHead.update(last_id=last["id"], last_hash=last["hash"])
            .where((AuditHead.id == 1) & (AuditHead.last_id == head.last_id))
            .execute()
        )
    else:
        fields = [AuditEvent._meta.fields[name] for name in sorted(last)]
        columns = ", ".join(f'"{field.column_name}"' for field in fields)
        group = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (f'WITH e AS (INSERT INTO "audit_event" ({columns}) VALUES '
               + ", ".join([group] * len(events)) + ' RETURNING 1) UPDATE "audit_head"'
               ' SET "last_id" = %s, "last_hash" = %s WHERE "id" = 1 AND "last_id" = %s'
               ' AND (SELECT COUNT(*) FROM e) = %s')
        params = [field.db_value(event[field.name]) for event in events for field in fields]
        moved = db.execute_sql(sql, params + [last["id"], last["hash"], head.last_id,
                                              len(events)]).rowcount
    if moved != 1:
        raise RuntimeError("the audit log's head moved during an append; nothing was saved")


def record_reads(action, actor, customers, via_type, via_id=None, first=()):
    """Record ``action`` on each customer of ``customers`` (rows or ``(id, section_id)``
    pairs; each once) whose data ``actor`` read through ``via_type`` number ``via_id``.

    The event is on the customer — filtering the log for customer N shows every read of
    it — and names the path in its fields: ``via.<type>.<number>``. ``first``:
    ``(object_type, object_id, section_id)`` of events of the same action (without fields)
    recorded before them in the same append, such as the one on the request itself.
    """
    ids = {}
    for customer in customers:
        customer_id, section_id = (customer if isinstance(customer, tuple)
                                   else (customer.id, customer.section_id))
        ids.setdefault(customer_id, section_id)
    if not ids and not first:
        return 0
    codes = dict(Section.select(Section.id, Section.code).tuples())
    via = f"via.{via_type}" if via_id is None else f"via.{via_type}.{via_id}"
    return record_many(action, actor=actor, objects=[
        *((object_type, object_id, codes.get(section_id), ())
          for object_type, object_id, section_id in first),
        *(("customer", customer_id, codes.get(section_id), (via,))
          for customer_id, section_id in ids.items())])


def verify(batch_size=VERIFY_BATCH_SIZE, checkpoint_key=None):
    """Check the whole chain; return ``(ok, first_broken_id or None, checked_count)``.

    Walks the events in id order, a batch at a time, inside one read snapshot. An event is
    broken when its id does not follow the previous one, its ``prev_hash`` is not the
    previous event's hash, or its ``hash`` does not match its content. Finally the head must
    name the last event: if events are missing at the end the first missing id is reported,
    if events follow the head the first of them, otherwise the last event.

    When the oldest events were removed (``prune``), the chain starts from the newest
    checkpoint: the first event kept must follow its ``last_id`` and ``last_hash``. With
    ``checkpoint_key`` the checkpoint's signature is checked too, and a checkpoint that
    fails it is reported as broken at its ``last_id``; without the key (a restored backup's
    check) only the chain from the checkpoint is.
    """
    with _read_snapshot():
        head = AuditHead.get_or_none(AuditHead.id == 1)
        checkpoint = AuditCheckpoint.newest()
        prev_id, prev_hash, checked = 0, AUDIT_GENESIS_HASH, 0
        if checkpoint is not None:
            if not checkpoint_intact(checkpoint, checkpoint_key):
                return False, checkpoint.last_id, 0
            prev_id, prev_hash = checkpoint.last_id, checkpoint.last_hash
        for event in _events(batch_size, prev_id):
            checked += 1
            if (
                event.id != prev_id + 1
                or event.prev_hash != prev_hash
                or event.hash != event_hash(event)
            ):
                return False, event.id, checked
            prev_id, prev_hash = event.id, event.hash
        if head is None or head.last_id > prev_id:
            return False, prev_id + 1, checked
        if head.last_id < prev_id:
            return False, head.last_id + 1, checked
        if head.last_hash != prev_hash:
            return False, prev_id, checked
    return True, None, checked


def record_verification(ok, broken_id, checked, at=None):
    """Keep the result of one check of the whole chain (``flask --app app audit verify``),
    which the security overview shows; return the row."""
    with database.write_transaction():
        return AuditVerification.create(at=at or utcnow(), intact=bool(ok), checked=checked,
                                        broken_id=broken_id)


def last_verification():
    """Return the newest recorded check of the chain, or None."""
    return (AuditVerification.select()
            .order_by(AuditVerification.at.desc(), AuditVerification.id.desc()).first())


def canonical(event):
    """Return the text an event's hash covers: a JSON list of its fields, None as ""."""
    values = (
        event.id,
        _format_at(event.at),
        event.actor,
        event.actor_role,
        event.action,
        event.object_type,
        event.object_id,
        event.section,
        event.fields,
    )
    return json.dumps(
        ["" if v is None else str(v) for v in values], ensure_ascii=False, separators=(",", ":")
    )


def event_hash(event):
    """Return the hex SHA-256 of the event's ``prev_hash`` followed by its canonical text."""
    return hashlib.sha256((event.prev_hash + canonical(event)).encode("utf-8")).hexdigest()


# --- checkpoints: removing the oldest events (issue 14) -----------------------------------


def checkpoint_signature(checkpoint, key):
    """Return the hex HMAC-SHA256 with ``key`` over the checkpoint and its predecessor's
    signature."""
    text = json.dumps([checkpoint.id, checkpoint.last_id, checkpoint.last_hash,
                       checkpoint.removed_count, _format_at(checkpoint.at),
                       "" if checkpoint.run_id is None else checkpoint.run_id,
                       checkpoint.prev_signature], separators=(",", ":"))
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def checkpoint_intact(checkpoint, key):
    """Tell whether ``checkpoint`` is consistent and, given ``key``, signed with it."""
    if checkpoint.removed_count != checkpoint.last_id:  # ids run 1, 2, 3 … without gaps
        return False
    if key is None:
        return True
    return hmac.compare_digest(checkpoint.signature, checkpoint_signature(checkpoint, key))


def removable_through(cutoff):
    """Return the id of the newest event that removing the events before ``cutoff`` (naive
    UTC) would remove, and how many events that is: ``(last_id, count)``.

    The events go as a prefix of the chain, up to the first event at or after ``cutoff``
    in time; the ids have no gaps, so the count is the difference of two ids (no scan).
    """
    checkpoint = AuditCheckpoint.newest()
    start = checkpoint.last_id if checkpoint is not None else 0
    first_kept = (AuditEvent.select(AuditEvent.id).where(AuditEvent.at >= cutoff)
                  .order_by(AuditEvent.at, AuditEvent.id).limit(1).scalar())
    if first_kept is None:
        head = AuditHead.get_or_none(AuditHead.id == 1)
        first_kept = (head.last_id if head is not None else 0) + 1
    last_id = max(start, first_kept - 1)
    return last_id, last_id - start


def prune(through_id, key, run_id=None, limit=None, now=None):
    """Remove the oldest events up to ``through_id`` (at most ``limit`` of them) behind a
    new signed checkpoint; return how many were removed.

    Runs in the caller's write transaction (or its own): the checkpoint and the removal
    commit together, so the chain always starts from a checkpoint that names the last
    event removed. Appenders wait on the head meanwhile.
    """
    with database.write_transaction():
        _locked_head()
        previous = AuditCheckpoint.newest()
        start = previous.last_id if previous is not None else 0
        last_id = through_id if limit is None else min(through_id, start + limit)
        last = AuditEvent.get_or_none(AuditEvent.id == last_id)
        if last_id <= start or last is None:
            return 0
        checkpoint = AuditCheckpoint(
            id=(previous.id + 1) if previous is not None else 1, last_id=last_id,
            last_hash=last.hash, removed_count=(previous.removed_count if previous else 0)
            + (last_id - start), at=_utc_naive(now or utcnow()).replace(microsecond=0),
            run_id=run_id,
            prev_signature=previous.signature if previous is not None else AUDIT_GENESIS_HASH)
        checkpoint.signature = checkpoint_signature(checkpoint, key)
        checkpoint.save(force_insert=True)
        removed = AuditEvent.remove_range(start, last_id)
    return removed


# --- helpers ------------------------------------------------------------------------


def _locked_head():
    """Read the head row, locking it until the transaction ends.

    PostgreSQL: ``SELECT … FOR UPDATE`` (a second appender waits here, then reads the
    moved head), after the register's write lock (``database.WRITE_LOCK_KEY``: always that
    lock first, then the head). SQLite: the write transaction already holds the
    database's write lock.
    """
    if database.is_sqlite():
        return AuditHead.select().where(AuditHead.id == 1).get()
    # One statement: the row is locked (FOR UPDATE, at the top of the plan) only once the
    # join has its row, so after the advisory lock is taken; a head moved meanwhile is
    # read again as it is now (READ COMMITTED).
    row = db.execute_sql(
        'SELECT h."id", h."last_id", h."last_hash" FROM (SELECT pg_advisory_xact_lock(%s))'
        ' AS l, "audit_head" AS h WHERE h."id" = 1 FOR UPDATE OF h',
        (database.WRITE_LOCK_KEY,)).fetchone()
    if row is None:
        raise AuditHead.DoesNotExist("the audit log has no head row")
    return AuditHead(id=row[0], last_id=row[1], last_hash=row[2])


def _read_snapshot():
    """Return a transaction in which every read sees the same committed state."""
    if database.is_sqlite():
        return db.atomic()  # WAL: a read transaction keeps the snapshot of its first read
    return db.atomic("REPEATABLE READ")


def _events(batch_size, last_id=0):
    """Yield every event after ``last_id`` in id order, reading ``batch_size`` rows at a
    time."""
    while True:
        batch = list(
            AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
            .namedtuples()
        )
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def _actor(actor):
    """Return ``(pseudonym, role)`` of a user, ``(None, None)`` for nobody."""
    if actor is None or getattr(actor, "is_anonymous", False):
        return None, None
    return actor.pseudonym, actor.role


def _code(name, value):
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValueError(f"audit {name} must be a short lower-case code, not {value!r}")
    return value


def _field_list(fields):
    """Return the field names as "a,b,c" (each once, in order); refuse anything but names."""
    if isinstance(fields, str):
        fields = fields.split(",") if fields else ()
    names = []
    for name in fields:
        name = getattr(name, "name", name)  # a peewee or WTForms field: its name
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise ValueError("audit fields are field names, never values")
        if name not in names:
            names.append(name)
    return ",".join(names)


def _utc_naive(moment):
    """Return ``moment`` as a naive UTC datetime (an aware one is converted)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _format_at(value):
    """Format a timestamp the same way whichever database returned it."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return str(value)
