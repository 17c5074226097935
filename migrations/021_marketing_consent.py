"""A private person's consent to direct marketing by email and SMS (seed §16; Act on
Electronic Communications Services 917/2014 §200).

One row a consent given; a withdrawal fills the row's ``withdrawn_*`` columns, and a
consent given again is a new row. The partial unique index allows one consent in force per
customer and channel, and is what the marketing list's ``EXISTS`` reads for each private
person. Nobody has a consent before this migration: a private person's email and mobile
number leave the marketing list only once a consent is recorded.
"""

import peewee as pw
from peewee_migrate import Migrator


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create marketing_consent and its indexes."""

    @migrator.create_model
    class MarketingConsent(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id',
                                      model=migrator.orm['customer'], on_delete='CASCADE')
        channel = pw.CharField(max_length=8)
        given_on = pw.DateField()
        given_how = pw.CharField(max_length=16)
        wording_version = pw.CharField(max_length=16)
        recorded_by = _user(migrator, 'recorded_by_id')
        recorded_at = pw.DateTimeField()
        withdrawn_at = pw.DateTimeField(null=True)
        withdrawn_how = pw.CharField(max_length=16, null=True)
        withdrawn_by = _user(migrator, 'withdrawn_by_id')

        class Meta:
            table_name = "marketing_consent"

    migrator.sql("CREATE UNIQUE INDEX marketing_consent_in_force ON marketing_consent "
                 "(customer_id, channel) WHERE withdrawn_at IS NULL")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the table (its indexes go with it)."""
    migrator.remove_model('marketing_consent')
