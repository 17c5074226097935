"""The register's own records get retention rules too (issue 14, seed §12, §17).

``record_retention`` holds one rule a kind of record the register keeps about its own
work, in months; ``record_retention_change`` its history (old and new months, who,
when). The purge applies them (services/retention/records.py). The defaults, and why:

- ``inspection_requests`` and ``rectification_requests``, 60 months after the request
  closed (delivered, refused or applied): the requester's name, contact details and
  identity note (for a rectification the name and the note of the check) are wiped, a
  keyed pseudonym of the name stays for the counts. Five years covers the general
  limitation period of a claim for damages (3 years from learning of it, Act on the
  Limitation of Debts 728/2003 §4 and §7) with time to handle it, a complaint to the Data
  Protection Ombudsman about the answer, and a repeated request's history (GDPR Art. 12(5));
  the rest of the request (dates, decision, what was asked) stays as the register's record.
- ``access_requests``, 60 months after the account's access ended (or the request was
  refused): who was granted access and why explains the audit log's events, which are
  kept as long; a grant of an account still in use stays.
- ``account_status_changes``, 60 months: changes older than that which a later change of
  the same account superseded; each account's newest change stays (it says why the
  account is closed now).
- ``login_failures``, 1 month: the lockout needs 15 minutes of them; the login itself
  removes them a day after at the next failure, the rule is the longest they stay when
  nobody fails to log in.
- ``ended_sessions``, 3 months: who was logged in when, as the login removes them (90
  days) at the next login; the audit log keeps every login and logout for its own period.
- ``audit_log``, 60 months: as long as the default retention of an unused customer, so
  that every read and change of a customer kept can be shown (GDPR Art. 15, C-579/21) and
  misuse found (Act 906/2019 §17). Older events are removed as a prefix of the chain, and a
  signed checkpoint (``audit_checkpoint``) records the last removed event's hash and the
  count removed: ``flask audit verify`` starts from it.

The audit log refuses DELETE unless the events are covered by a checkpoint (the trigger
of migration 003 is replaced); checkpoints are append-only. Both request tables gain
``requester_pseudonym`` and ``wiped_at``; ``purge_run`` the counts of records planned and
done; the timestamps the rules select on get indexes.
"""

import datetime

import peewee as pw
from peewee_migrate import Migrator

MESSAGE = "audit log is append-only"
CHECKPOINT_MESSAGE = "audit checkpoints are append-only"
DEFAULTS = (
    ("inspection_requests", 60),
    ("rectification_requests", 60),
    ("access_requests", 60),
    ("account_status_changes", 60),
    ("login_failures", 1),
    ("ended_sessions", 3),
    ("audit_log", 60),
)
INDEXES = (
    ("inspection_request", "delivered_at"),
    ("inspection_request", "decided_at"),
    ("rectification_request", "applied_at"),
    ("rectification_request", "decided_at"),
    ("access_request", "decided_at"),
    ("account_status_change", "changed_at"),
    ("user_session", "last_seen_at"),
)
REQUEST_TABLES = ("inspection_request", "rectification_request")


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the rule tables and the checkpoints; let checkpointed events be removed."""
    @migrator.create_model
    class RecordRetention(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32, unique=True)
        months = pw.IntegerField()
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "record_retention"

    @migrator.create_model
    class RecordRetentionChange(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=32)
        old_months = pw.IntegerField(null=True)
        new_months = pw.IntegerField()
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "record_retention_change"

    @migrator.create_model
    class AuditCheckpoint(pw.Model):
        id = pw.IntegerField(primary_key=True)
        last_id = pw.IntegerField(unique=True)
        last_hash = pw.CharField(max_length=64)
        removed_count = pw.IntegerField()
        at = pw.DateTimeField()
        run_id = pw.IntegerField(null=True)
        prev_signature = pw.CharField(max_length=64)
        signature = pw.CharField(max_length=64)

        class Meta:
            table_name = "audit_checkpoint"

    for column in ("records_planned", "records_done"):
        migrator.sql(f"ALTER TABLE purge_run ADD COLUMN {column} TEXT NOT NULL DEFAULT '{{}}'")
    kind = "DATETIME" if _is_sqlite(database) else "TIMESTAMP"
    for table in REQUEST_TABLES:
        migrator.sql(f"ALTER TABLE {table} ADD COLUMN requester_pseudonym VARCHAR(64)")
        migrator.sql(f"ALTER TABLE {table} ADD COLUMN wiped_at {kind}")
    for table, column in INDEXES:
        migrator.sql(f"CREATE INDEX {table}_{column} ON {table} ({column})")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    for code, months in DEFAULTS:
        migrator.sql("INSERT INTO record_retention (kind, months, changed_at) VALUES (%s, %s, %s)"
                     .replace("%s", database.param), code, months, now)
    if _is_sqlite(database):
        _sqlite_triggers(migrator)
    else:
        _postgres_triggers(migrator)


def _sqlite_triggers(migrator):
    migrator.sql("DROP TRIGGER audit_event_no_delete")
    migrator.sql(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event"
        " WHEN OLD.id > (SELECT COALESCE(MAX(last_id), 0) FROM audit_checkpoint)"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    for event in ("UPDATE", "DELETE"):
        migrator.sql(
            f"CREATE TRIGGER audit_checkpoint_no_{event.lower()} BEFORE {event}"
            f" ON audit_checkpoint BEGIN SELECT RAISE(ABORT, '{CHECKPOINT_MESSAGE}'); END")


def _postgres_triggers(migrator):
    migrator.sql(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'DELETE' THEN"
        "  IF OLD.id <= (SELECT COALESCE(MAX(last_id), 0) FROM audit_checkpoint) THEN"
        "   RETURN OLD; END IF; END IF;"
        f" RAISE EXCEPTION '{MESSAGE}'; END $$")
    migrator.sql(
        "CREATE FUNCTION audit_checkpoint_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        f" $$ BEGIN RAISE EXCEPTION '{CHECKPOINT_MESSAGE}'; END $$")
    migrator.sql(
        "CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint"
        " FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only()")
    migrator.sql(
        "CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_append_only()")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Put the audit log's guard back as migration 003 made it; drop what was added."""
    if _is_sqlite(database):
        migrator.sql("DROP TRIGGER IF EXISTS audit_checkpoint_no_update")
        migrator.sql("DROP TRIGGER IF EXISTS audit_checkpoint_no_delete")
        migrator.sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
        migrator.sql("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event"
                     f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    else:
        migrator.sql("CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger"
                     f" LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$")
        migrator.sql("DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_checkpoint")
        migrator.sql("DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_checkpoint")
    for table, column in INDEXES:
        migrator.sql(f"DROP INDEX {table}_{column}")
    for column in ("records_done", "records_planned"):
        migrator.sql(f"ALTER TABLE purge_run DROP COLUMN {column}")
    for table in REQUEST_TABLES:
        migrator.sql(f"ALTER TABLE {table} DROP COLUMN wiped_at")
        migrator.sql(f"ALTER TABLE {table} DROP COLUMN requester_pseudonym")
    for table in ("audit_checkpoint", "record_retention_change", "record_retention"):
        migrator.remove_model(table)
    if not _is_sqlite(database):
        migrator.sql("DROP FUNCTION IF EXISTS audit_checkpoint_append_only()")
