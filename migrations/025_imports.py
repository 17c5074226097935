"""Imports of customers from a file (issue 15): ``import_run`` (one dry run or commit, its
mapping, state, counts and the last row its committed batches covered), ``import_refusal``
(a refused or matching row: its number, column and the message) and ``import_mapping``
(a named mapping of column headers, for reuse). New tables: no existing row changes.
"""

import peewee as pw
from peewee_migrate import Migrator


def _fk(migrator, table, column, on_delete, null=False):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm[table],
                              null=null, on_delete=on_delete)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the three tables."""
    @migrator.create_model
    class ImportMapping(pw.Model):
        id = pw.AutoField()
        section = _fk(migrator, 'section', 'section_id', 'CASCADE')
        name = pw.CharField(max_length=100)
        columns = pw.TextField()
        created_by = _fk(migrator, 'app_user', 'created_by_id', 'SET NULL', null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "import_mapping"
            indexes = ((("section", "name"), True),)

    @migrator.create_model
    class ImportRun(pw.Model):
        id = pw.AutoField()
        section = _fk(migrator, 'section', 'section_id', 'RESTRICT')
        user = _fk(migrator, 'app_user', 'user_id', 'SET NULL', null=True)
        kind = pw.CharField(max_length=16)
        file_name = pw.CharField(max_length=255)
        file_hash = pw.CharField(max_length=64)
        mapping = pw.TextField()
        options = pw.TextField()
        state = pw.CharField(max_length=16)
        total = pw.IntegerField()
        accepted = pw.IntegerField()
        refused = pw.IntegerField()
        duplicates = pw.IntegerField()
        updated = pw.IntegerField()
        skipped = pw.IntegerField()
        progress_row = pw.IntegerField()
        started_at = pw.DateTimeField()
        finished_at = pw.DateTimeField(null=True)
        cancelled_at = pw.DateTimeField(null=True)
        commit_key = pw.CharField(max_length=80, null=True, unique=True)

        class Meta:
            table_name = "import_run"
            indexes = ((("section", "started_at"), False),)

    @migrator.create_model
    class ImportRefusal(pw.Model):
        id = pw.AutoField()
        run = _fk(migrator, 'import_run', 'run_id', 'CASCADE')
        row_number = pw.IntegerField()
        column = pw.CharField(max_length=255)
        message = pw.TextField()
        params = pw.TextField()
        duplicate = pw.BooleanField()

        class Meta:
            table_name = "import_refusal"
            indexes = ((("run", "row_number"), False),)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables."""
    migrator.remove_model('import_refusal')
    migrator.remove_model('import_run')
    migrator.remove_model('import_mapping')
