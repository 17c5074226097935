"""The controller's settings and the published register description (seed §13, §17).

Creates the versioned settings and the publications, and stores the register description
of the seed as settings version 1 (``services/register_settings/seed.py``). The first
publication is made from it the first time the public description is asked for.
"""

import datetime
import json

import peewee as pw
from peewee_migrate import Migrator

from services.register_settings.seed import SEED_DOCUMENT


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables and store settings version 1."""

    @migrator.create_model
    class ControllerSettings(pw.Model):
        id = pw.AutoField()
        number = pw.IntegerField(unique=True)
        document = pw.TextField()
        saved_by = _user(migrator, 'saved_by_id')
        saved_at = pw.DateTimeField()

        class Meta:
            table_name = "controller_settings"

    @migrator.create_model
    class Publication(pw.Model):
        id = pw.AutoField()
        number = pw.IntegerField(unique=True)
        settings_number = pw.IntegerField()
        snapshot = pw.TextField()
        published_by = _user(migrator, 'published_by_id')
        published_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "register_publication"

    migrator.sql(
        "INSERT INTO controller_settings (number, document, saved_at) VALUES (1, %s, %s)"
        .replace("%s", database.param),
        json.dumps(SEED_DOCUMENT, ensure_ascii=False),
        datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables."""
    migrator.remove_model("register_publication")
    migrator.remove_model("controller_settings")
