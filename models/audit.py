"""The audit log (Act on Information Management in Public Administration 906/2019
§17)."""

import peewee as pw

from models.base import BaseModel, utcnow


# --- The audit log (Act on Information Management in Public Administration 906/2019 §17)
# Who did what to which record and when — never the personal data itself (changed
# fields are named, their values are not), so the log is not register data and is not in
# FIELD_CATEGORIES. Rows are appended by services/audit.py only and never changed: each
# carries the SHA-256 of its predecessor's hash and its own content, so a row edited or
# removed behind the application's back breaks the chain (``flask audit verify``).

AUDIT_GENESIS_HASH = "0" * 64


class AuditAppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""

    def __init__(self):
        super().__init__("the audit log is append-only: events are never changed or deleted")


class AuditEvent(BaseModel):
    """One event of the audit log, chained to the event before it."""

    # Assigned by services/audit.record under the head lock: 1, 2, 3 … with no gaps, so
    # the number is the event's place in the chain.
    id = pw.IntegerField(primary_key=True)
    at = pw.DateTimeField(default=utcnow, index=True)  # naive UTC
    actor = pw.CharField(max_length=32, null=True)  # User.pseudonym; None: anonymous
    actor_role = pw.CharField(max_length=16, null=True)
    action = pw.CharField(max_length=32)
    object_type = pw.CharField(max_length=32, null=True)
    object_id = pw.CharField(max_length=64, null=True)
    section = pw.CharField(max_length=32, null=True)  # Section.code
    fields = pw.TextField(default="")  # comma-separated field NAMES, never values
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_event"
        indexes = (
            (("actor", "at"), False),
            (("object_type", "object_id"), False),
            (("action", "at"), False),
        )

    # The application-level guard; the database has triggers as well (migration 003).
    def save(self, force_insert=False, only=None):
        if not force_insert:
            raise AuditAppendOnlyError()
        return super().save(force_insert=True, only=only)

    def delete_instance(self, *args, **kwargs):
        raise AuditAppendOnlyError()

    @classmethod
    def update(cls, *args, **kwargs):
        raise AuditAppendOnlyError()

    @classmethod
    def delete(cls):
        raise AuditAppendOnlyError()

    @classmethod
    def remove_range(cls, after_id, last_id):
        """Delete events ``after_id`` < id <= ``last_id``: only those a checkpoint covers
        (services/audit.prune writes it first; the database refuses any other)."""
        return (pw.ModelDelete(cls)
                .where((cls.id > after_id) & (cls.id <= last_id)).execute())


class AuditHead(BaseModel):
    """The chain's newest event (one row, id 1): every append locks and moves it."""

    id = pw.IntegerField(primary_key=True)
    last_id = pw.IntegerField()
    last_hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_head"


class AuditCheckpoint(BaseModel):
    """Where the chain starts after its oldest events were removed (issue 14).

    Events 1 … ``last_id`` were removed (``removed_count`` of them); ``last_hash`` is the
    hash of event ``last_id``, so the first event kept must carry it as its ``prev_hash``.
    ``signature`` is an HMAC-SHA256, with a key kept outside the database, over the
    checkpoint and the signature of the one before it (services/audit.py). Append-only,
    like the events (triggers of migration 023).
    """

    id = pw.IntegerField(primary_key=True)  # 1, 2, 3 …
    last_id = pw.IntegerField(unique=True)
    last_hash = pw.CharField(max_length=64)
    removed_count = pw.IntegerField()
    at = pw.DateTimeField(default=utcnow)
    run_id = pw.IntegerField(null=True)  # the purge run that removed them
    prev_signature = pw.CharField(max_length=64)
    signature = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_checkpoint"

    @classmethod
    def newest(cls):
        """Return the newest checkpoint, or None while nothing was removed."""
        return cls.select().order_by(cls.id.desc()).first()


class AuditVerification(BaseModel):
    """One run of ``flask --app app audit verify``: when, whether the chain was intact, how
    many events it checked and where it broke (migration 034). The security overview
    shows the newest."""

    at = pw.DateTimeField(default=utcnow, index=True)
    intact = pw.BooleanField()
    checked = pw.IntegerField()
    broken_id = pw.IntegerField(null=True)

    class Meta:
        table_name = "audit_verification"
