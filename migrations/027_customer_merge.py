"""Merging two customers of a section (issue 15): ``customer_merge`` notes each merge on
the customer kept — the number of the customer merged into it and deleted, when, by whom,
and the names of the fields whose value the merge changed — so that the customer's
inspection report says it. Nothing was merged before this migration: the table starts
empty.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create customer_merge."""

    @migrator.create_model
    class CustomerMerge(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id',
                                      model=migrator.orm['customer'], on_delete='CASCADE')
        merged_id = pw.BigIntegerField()
        merged_at = pw.DateTimeField()
        merged_by = pw.ForeignKeyField(column_name='merged_by_id', field='id',
                                       model=migrator.orm['app_user'], null=True,
                                       on_delete='SET NULL')
        changed_fields = pw.TextField(default='')

        class Meta:
            table_name = "customer_merge"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the table (its index goes with it)."""
    migrator.remove_model('customer_merge')
