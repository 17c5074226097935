"""Forms that made something, by their token: a form sent twice makes it once.

A double click on "Register", or a page sent again after a slow answer, registered the
inspection request twice (two requests, two deadlines, two notifications). The pages that
make something now give their form a random token; ``sent_form`` keeps, for two days,
which token made which row (services/once.py). It starts empty.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create sent_form."""

    @migrator.create_model
    class SentForm(pw.Model):
        token = pw.CharField(max_length=32, primary_key=True)
        user = pw.ForeignKeyField(migrator.orm["app_user"], backref="+", on_delete="CASCADE",
                                  column_name="user_id")
        kind = pw.CharField(max_length=32)
        made_id = pw.IntegerField()
        sent_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "sent_form"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop sent_form."""
    migrator.remove_model("sent_form")
