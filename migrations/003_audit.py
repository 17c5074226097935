"""The audit log (Act on Information Management in Public Administration 906/2019 §17).

``audit_event`` is an append-only hash chain; ``audit_head`` is its one-row head (the
newest event's id and hash), seeded with the genesis hash. Every append locks and moves
the head, which serialises concurrent appenders (``services/audit.py``).

Triggers refuse UPDATE and DELETE of audit events (and TRUNCATE on PostgreSQL), so not
even a bug in the application can rewrite history. Someone with the database owner's
rights can drop the triggers; ``flask audit verify`` still finds what they changed.
"""

import peewee as pw
from peewee_migrate import Migrator

GENESIS_HASH = "0" * 64
MESSAGE = "audit log is append-only"


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the audit tables, seed the head and forbid changing events."""
    @migrator.create_model
    class AuditEvent(pw.Model):
        id = pw.IntegerField(primary_key=True)
        at = pw.DateTimeField(index=True)
        actor = pw.CharField(max_length=32, null=True)
        actor_role = pw.CharField(max_length=16, null=True)
        action = pw.CharField(max_length=32)
        object_type = pw.CharField(max_length=32, null=True)
        object_id = pw.CharField(max_length=64, null=True)
        section = pw.CharField(max_length=32, null=True)
        fields = pw.TextField(default='')
        prev_hash = pw.CharField(max_length=64)
        hash = pw.CharField(max_length=64)

        class Meta:
            table_name = "audit_event"
            indexes = [(('actor', 'at'), False), (('object_type', 'object_id'), False), (('action', 'at'), False)]

    @migrator.create_model
    class AuditHead(pw.Model):
        id = pw.IntegerField(primary_key=True)
        last_id = pw.IntegerField()
        last_hash = pw.CharField(max_length=64)

        class Meta:
            table_name = "audit_head"

    migrator.sql(
        "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, %s)".replace(
            "%s", database.param
        ),
        GENESIS_HASH,
    )
    if _is_sqlite(database):
        for event in ("UPDATE", "DELETE"):
            migrator.sql(
                f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event"
                f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        migrator.sql(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        migrator.sql(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
            " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        migrator.sql(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the triggers, then the audit tables."""
    if _is_sqlite(database):
        migrator.sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
        migrator.sql("DROP TRIGGER IF EXISTS audit_event_no_update")
    else:
        migrator.sql("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        migrator.sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    migrator.remove_model('audit_head')
    migrator.remove_model('audit_event')
    if not _is_sqlite(database):
        migrator.sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
