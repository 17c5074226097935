"""The disclosure register (seed §8, §17): allowed recipients, disclosures and their customers.

Seeds the two recipients the register description names: the City's legal services and
financial administration for accounts payable. A customer's link rows go with the
customer (ON DELETE CASCADE), so the retention purge can still delete customers; the
disclosure itself stays.
"""

import datetime

import peewee as pw
from peewee_migrate import Migrator

RECIPIENTS = (
    (
        "Helsingin kaupungin hallintokeskuksen oikeuspalvelut",
        "Helsingfors stads förvaltningscentrals rättstjänster",
        "City of Helsinki Legal Services",
    ),
    (
        "Taloushallintopalvelu, ostoreskontra",
        "Ekonomiförvaltningen, leverantörsreskontra",
        "Financial Administration, accounts payable",
    ),
)


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables and seed the two allowed recipients."""

    @migrator.create_model
    class DisclosureRecipient(pw.Model):
        id = pw.AutoField()
        name_fi = pw.CharField(max_length=200, unique=True)
        name_sv = pw.CharField(max_length=200)
        name_en = pw.CharField(max_length=200)
        active = pw.BooleanField(default=True)
        created_by = _user(migrator, 'created_by_id')
        created_at = pw.DateTimeField()
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "disclosure_recipient"

    @migrator.create_model
    class Disclosure(pw.Model):
        id = pw.AutoField()
        recipient = pw.ForeignKeyField(column_name='recipient_id', field='id',
                                       model=migrator.orm['disclosure_recipient'],
                                       on_delete='RESTRICT')
        purpose = pw.TextField()
        legal_basis = pw.TextField()
        categories = pw.TextField(default='')
        invoices_from = pw.DateField(null=True)
        invoices_until = pw.DateField(null=True)
        state = pw.CharField(max_length=16, default='prepared', index=True)
        prepared_by = _user(migrator, 'prepared_by_id')
        prepared_at = pw.DateTimeField(index=True)
        decision_reason = pw.TextField(null=True)
        decided_by = _user(migrator, 'decided_by_id')
        decided_at = pw.DateTimeField(null=True)
        carried_out_by = _user(migrator, 'carried_out_by_id')
        carried_out_at = pw.DateTimeField(null=True)
        customer_count = pw.IntegerField(null=True)
        version = pw.IntegerField(default=1)

        class Meta:
            table_name = "disclosure"

    @migrator.create_model
    class DisclosureCustomer(pw.Model):
        id = pw.AutoField()
        disclosure = pw.ForeignKeyField(column_name='disclosure_id', field='id',
                                        model=migrator.orm['disclosure'], on_delete='CASCADE',
                                        index=False)
        customer = pw.ForeignKeyField(column_name='customer_id', field='id',
                                      model=migrator.orm['customer'], on_delete='CASCADE')

        class Meta:
            table_name = "disclosure_customer"
            indexes = [(('disclosure', 'customer'), True)]

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for names in RECIPIENTS:
        migrator.sql(
            "INSERT INTO disclosure_recipient (name_fi, name_sv, name_en, active, created_at)"
            " VALUES (%s, %s, %s, %s, %s)".replace("%s", database.param),
            *names, True, now,
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables (the seeded recipients and their indexes go with them)."""
    for table in ("disclosure_customer", "disclosure", "disclosure_recipient"):
        migrator.remove_model(table)
