"""Imports of customers from a CSV or XLSX file (issue 15): the runs, their refusals and
the saved column mappings.

These tables hold no value of a customer: the file's name and hash, the mapping of its
columns, counts, and per refused row its number, column and the form's message. The file
itself is kept only while its import is open (services/imports/).
"""

import peewee as pw

from models.base import BaseModel, choices, utcnow
from models.people import Section, User

IMPORT_KINDS = ("dry_run", "commit")
# A dry run is "checked" when done; a commit runs "running" → "finished", or "cancelled".
IMPORT_STATES = ("checked", "running", "finished", "cancelled")
# What a row matching an existing customer does: the choice for the whole file.
DUPLICATE_CHOICES = ("create", "update_empty", "update_chosen", "skip")


class ImportMapping(BaseModel):
    """A named mapping of a file's column headers to customer fields, for reuse."""

    section = pw.ForeignKeyField(Section, backref="+", on_delete="CASCADE")
    name = pw.CharField(max_length=100)
    columns = pw.TextField()  # JSON: {header: field}
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "import_mapping"
        indexes = ((("section", "name"), True),)


class ImportRun(BaseModel):
    """One import of a file into a section: a dry run or a commit, with its counts.

    A commit is one per section and file hash: running the same file again resumes (or
    finds finished) the same run, so no row is stored twice. ``progress_row`` is the last
    row of the file the committed batches covered.
    """

    section = pw.ForeignKeyField(Section, backref="+", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    kind = pw.CharField(max_length=16, choices=choices(IMPORT_KINDS))
    file_name = pw.CharField(max_length=255)
    file_hash = pw.CharField(max_length=64)
    mapping = pw.TextField()  # JSON: {header: field}
    options = pw.TextField(default="{}")  # JSON: duplicates choice, informing for the file
    state = pw.CharField(max_length=16, choices=choices(IMPORT_STATES))
    total = pw.IntegerField(default=0)
    accepted = pw.IntegerField(default=0)
    refused = pw.IntegerField(default=0)
    duplicates = pw.IntegerField(default=0)
    updated = pw.IntegerField(default=0)
    skipped = pw.IntegerField(default=0)
    progress_row = pw.IntegerField(default=0)
    started_at = pw.DateTimeField(default=utcnow)
    finished_at = pw.DateTimeField(null=True)
    cancelled_at = pw.DateTimeField(null=True)
    # A commit's dedup key: "<section id>:<hash>"; null for a dry run.
    commit_key = pw.CharField(max_length=80, null=True, unique=True)

    class Meta:
        table_name = "import_run"
        indexes = ((("section", "started_at"), False),)


class ImportRefusal(BaseModel):
    """A refused (or, with ``duplicate``, a matching) row of an import: where and why."""

    run = pw.ForeignKeyField(ImportRun, backref="refusals", on_delete="CASCADE")
    row_number = pw.IntegerField()
    column = pw.CharField(max_length=255)
    message = pw.TextField()  # the msgid, translated when shown
    params = pw.TextField(default="{}")  # JSON parameters of the message
    duplicate = pw.BooleanField(default=False)

    class Meta:
        table_name = "import_refusal"
        indexes = ((("run", "row_number"), False),)
