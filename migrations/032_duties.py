"""Duties that come due (issue 17): the duty settings and the training records.

``duty_setting`` holds the months of each periodic duty the register lets be set — the
purge review's cadence (the controller) and how long a training counts (the responsible
person) — one row a setting; a setting without a row has its default (12 months), so
existing registers start with a yearly purge review and a yearly training.
``training_session`` is a training the responsible person arranged (seed §3, §18) and
``training_attendance`` who attended it. Both start empty.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create duty_setting, training_session and training_attendance."""

    @migrator.create_model
    class DutySetting(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=32, unique=True)
        months = pw.IntegerField()
        changed_by = pw.ForeignKeyField(column_name='changed_by_id', field='id',
                                        model=migrator.orm['app_user'], null=True,
                                        on_delete='SET NULL')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "duty_setting"

    @migrator.create_model
    class TrainingSession(pw.Model):
        id = pw.AutoField()
        held_on = pw.DateField(index=True)
        topic = pw.CharField(max_length=200)
        material_url = pw.CharField(max_length=500, null=True)
        recorded_by = pw.ForeignKeyField(column_name='recorded_by_id', field='id',
                                         model=migrator.orm['app_user'], null=True,
                                         on_delete='SET NULL')
        recorded_at = pw.DateTimeField()

        class Meta:
            table_name = "training_session"

    @migrator.create_model
    class TrainingAttendance(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id',
                                     model=migrator.orm['training_session'],
                                     on_delete='CASCADE')
        user = pw.ForeignKeyField(column_name='user_id', field='id',
                                  model=migrator.orm['app_user'], on_delete='CASCADE')

        class Meta:
            table_name = "training_attendance"
            indexes = ((("session", "user"), True), (("user",), False))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables."""
    migrator.remove_model("training_attendance")
    migrator.remove_model("training_session")
    migrator.remove_model("duty_setting")
