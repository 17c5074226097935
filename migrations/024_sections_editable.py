"""Sections and their data categories are edited by the controller (seed §6, §17).

``section.version`` guards a change against another made meanwhile; ``section_change``
keeps every change of a section — added, renamed, its categories changed, the data of a
removed category deleted, the section deleted — with who, when, and the old and new
value. It names the section by its code, so the history stays when a section is deleted.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add section.version and create section_change."""
    migrator.sql("ALTER TABLE section ADD COLUMN version INTEGER NOT NULL DEFAULT 1")

    @migrator.create_model
    class SectionChange(pw.Model):
        id = pw.AutoField()
        section_code = pw.CharField(max_length=32, index=True)
        action = pw.CharField(max_length=16)
        old_value = pw.TextField(null=True)
        new_value = pw.TextField(null=True)
        detail = pw.TextField(null=True)
        changed_by = pw.ForeignKeyField(column_name='changed_by_id', field='id',
                                        model=migrator.orm['app_user'], null=True,
                                        on_delete='SET NULL')
        changed_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "section_change"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop section_change and section.version."""
    migrator.remove_model('section_change')
    migrator.sql("ALTER TABLE section DROP COLUMN version")
