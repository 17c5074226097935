"""Retention and purge (seed §12)."""

import peewee as pw

from models.base import BaseModel, choices, utcnow
from models.people import Section, User


# --- Retention and purge (seed §12) -------------------------------------------------
# Long-unused customers leave the register periodically (seed §12): a retention period
# per section, a purge the controller previews and confirms, run in batches, and its log.
# These tables hold no personal data: codes, counts and, while a run is under way, the
# ids of the customers it has still to purge (the work list goes as the run finishes).

DEFAULT_RETENTION_MONTHS = 60
PURGE_KINDS = ("purge", "erasure")  # erasure: one subject's request (GDPR Art. 17)
# previewed → confirmed → running → finished; a preview a newer one replaced is
# superseded, one whose customers changed before it was confirmed or started is stale.
PURGE_STATES = ("previewed", "superseded", "stale", "confirmed", "running", "finished")
PURGE_ACTIONS = ("delete", "minimise")


class RetentionPolicy(BaseModel):
    """How long a section keeps a customer with no activity: ``months`` (seed §12)."""

    section = pw.ForeignKeyField(Section, unique=True, backref="+", on_delete="CASCADE")
    months = pw.IntegerField(default=DEFAULT_RETENTION_MONTHS)
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "retention_policy"


class RetentionPolicyChange(BaseModel):
    """One change of a section's retention period, with the old and new months.

    The policy's history lives here: the audit log names changed fields, never values.
    """

    section = pw.ForeignKeyField(Section, backref="+", on_delete="RESTRICT")
    old_months = pw.IntegerField(null=True)
    new_months = pw.IntegerField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "retention_policy_change"


class PurgeRun(BaseModel):
    """One purge (or one subject's erasure): its preview, confirmation, progress and counts.

    ``policy`` is the JSON snapshot the preview was made with: per section code its months
    and the cut-off moment (naive UTC) a customer's last activity had to be before.
    ``planned`` and ``done`` are JSON counts per section code and action: customers and
    rows per data category — never a name or any other value of a customer.
    """

    kind = pw.CharField(max_length=16, choices=choices(PURGE_KINDS), default="purge")
    state = pw.CharField(max_length=16, choices=choices(PURGE_STATES), default="previewed",
                         index=True)
    sections = pw.TextField()  # space-separated section codes the run covers
    policy = pw.TextField(default="{}")
    # Invoices dated on or after this day are still kept (Accounting Act 2:10).
    keep_from = pw.DateField()
    accounting_years = pw.IntegerField()
    fingerprint = pw.CharField(max_length=64)
    planned = pw.TextField(default="{}")
    done = pw.TextField(default="{}")
    total = pw.IntegerField(default=0)  # customers on the work list when confirmed
    processed = pw.IntegerField(default=0)
    deleted = pw.IntegerField(default=0)
    minimised = pw.IntegerField(default=0)
    skipped = pw.IntegerField(default=0)  # active again, or gone, by the time of the purge
    previewed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    previewed_at = pw.DateTimeField(default=utcnow)
    confirmed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    confirmed_at = pw.DateTimeField(null=True)
    started_at = pw.DateTimeField(null=True)
    progress_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    request_received_on = pw.DateField(null=True)  # erasure: when the request came
    # The register's own records (migration 023): JSON rows per record kind its rules
    # would wipe or remove at the preview, and did.
    records_planned = pw.TextField(default="{}")
    records_done = pw.TextField(default="{}")

    class Meta:
        table_name = "purge_run"


class PurgeItem(BaseModel):
    """A customer a confirmed run has still to purge: the run's work list.

    Each item is removed in the transaction that deletes or minimises its customer, so a
    rerun after a crash goes on from what is left. ``customer_id`` is not a foreign key: a
    customer deleted meanwhile by other means is counted as skipped, not lost silently.
    """

    run = pw.ForeignKeyField(PurgeRun, backref="items", on_delete="CASCADE", index=False)
    customer_id = pw.IntegerField()
    action = pw.CharField(max_length=16, choices=choices(PURGE_ACTIONS))

    class Meta:
        table_name = "purge_item"
        indexes = ((("run", "customer_id"), True),)


# --- The register's own records (issue 14) ------------------------------------------
# The register keeps records of its own work that hold personal data too: each kind has a
# retention rule the controller sets, in months, applied by the purge
# (services/retention/records.py; the defaults and why in migration 023).
RECORD_KINDS = ("inspection_requests", "rectification_requests", "access_requests",
                "account_status_changes", "login_failures", "ended_sessions", "audit_log")


class RecordRetention(BaseModel):
    """How long the register keeps one kind of its own records: ``months``."""

    kind = pw.CharField(max_length=32, unique=True, choices=choices(RECORD_KINDS))
    months = pw.IntegerField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "record_retention"


class RecordRetentionChange(BaseModel):
    """One change of a record kind's retention rule, with the old and new months."""

    kind = pw.CharField(max_length=32, choices=choices(RECORD_KINDS))
    old_months = pw.IntegerField(null=True)
    new_months = pw.IntegerField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "record_retention_change"
