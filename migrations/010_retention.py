"""Retention and purge (seed §12): retention periods, their history, purge runs and work lists.

Every section gets the default period of 60 months without activity; a section added
later has no row and uses the same default until the controller sets one.
"""

import datetime

import peewee as pw
from peewee_migrate import Migrator

DEFAULT_MONTHS = 60


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the retention tables and give every section the default period."""
    section_model = migrator.orm['section']

    @migrator.create_model
    class RetentionPolicy(pw.Model):
        id = pw.AutoField()
        section = pw.ForeignKeyField(column_name='section_id', field='id', model=section_model,
                                     unique=True, on_delete='CASCADE')
        months = pw.IntegerField(default=DEFAULT_MONTHS)
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "retention_policy"

    @migrator.create_model
    class RetentionPolicyChange(pw.Model):
        id = pw.AutoField()
        section = pw.ForeignKeyField(column_name='section_id', field='id', model=section_model,
                                     on_delete='RESTRICT')
        old_months = pw.IntegerField(null=True)
        new_months = pw.IntegerField()
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "retention_policy_change"

    @migrator.create_model
    class PurgeRun(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=16, default='purge')
        state = pw.CharField(max_length=16, default='previewed', index=True)
        sections = pw.TextField()
        policy = pw.TextField(default='{}')
        keep_from = pw.DateField()
        accounting_years = pw.IntegerField()
        fingerprint = pw.CharField(max_length=64)
        planned = pw.TextField(default='{}')
        done = pw.TextField(default='{}')
        total = pw.IntegerField(default=0)
        processed = pw.IntegerField(default=0)
        deleted = pw.IntegerField(default=0)
        minimised = pw.IntegerField(default=0)
        skipped = pw.IntegerField(default=0)
        previewed_by = _user(migrator, 'previewed_by_id')
        previewed_at = pw.DateTimeField()
        confirmed_by = _user(migrator, 'confirmed_by_id')
        confirmed_at = pw.DateTimeField(null=True)
        started_at = pw.DateTimeField(null=True)
        progress_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)
        request_received_on = pw.DateField(null=True)

        class Meta:
            table_name = "purge_run"

    @migrator.create_model
    class PurgeItem(pw.Model):
        id = pw.AutoField()
        run = pw.ForeignKeyField(column_name='run_id', field='id', model=migrator.orm['purge_run'],
                                 on_delete='CASCADE', index=False)
        customer_id = pw.IntegerField()
        action = pw.CharField(max_length=16)

        class Meta:
            table_name = "purge_item"
            indexes = [(('run', 'customer_id'), True)]

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    migrator.sql(
        "INSERT INTO retention_policy (section_id, months, changed_at)"
        " SELECT id, %s, %s FROM section".replace("%s", database.param),
        DEFAULT_MONTHS, now,
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables (their indexes go with them)."""
    for table in ("purge_item", "purge_run", "retention_policy_change", "retention_policy"):
        migrator.remove_model(table)
