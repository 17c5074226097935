"""The daily digest of notifications and the audit chain's verifications (issue 17).

An account may have its notifications that are no legal deadline gathered into one
message a day (``daily_digest``); existing accounts keep getting each one at once, as
before. ``audit_verification`` records each run of ``flask --app app audit verify`` — when,
whether the chain was intact, how many events it checked — so the security overview can
show the last one. It starts empty: no run was recorded before.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the account's digest choice and create audit_verification."""
    migrator.sql("ALTER TABLE app_user ADD COLUMN daily_digest BOOLEAN NOT NULL "
                 "DEFAULT FALSE")

    @migrator.create_model
    class AuditVerification(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        intact = pw.BooleanField()
        checked = pw.IntegerField()
        broken_id = pw.IntegerField(null=True)

        class Meta:
            table_name = "audit_verification"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop audit_verification and the account's digest choice."""
    migrator.remove_model("audit_verification")
    migrator.sql("ALTER TABLE app_user DROP COLUMN daily_digest")
