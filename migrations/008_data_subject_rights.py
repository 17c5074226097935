"""Data subject rights (seed §14–§16): inspection requests, rectification, prohibitions."""

import peewee as pw
from peewee_migrate import Migrator


def _user(migrator, column):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=True, on_delete='SET NULL')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables of prohibitions, rectification and inspection requests."""
    customer_model = migrator.orm['customer']
    contact_person_model = migrator.orm['contact_person']

    @migrator.create_model
    class Prohibition(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=customer_model,
                                      on_delete='CASCADE')
        contact_person = pw.ForeignKeyField(column_name='contact_person_id', field='id',
                                            model=contact_person_model, null=True, on_delete='CASCADE')
        purpose = pw.CharField(max_length=24)
        action = pw.CharField(max_length=16)
        effective_on = pw.DateField()
        source = pw.CharField(max_length=16)
        note = pw.TextField(null=True)
        recorded_by = _user(migrator, 'recorded_by_id')
        recorded_at = pw.DateTimeField()

        class Meta:
            table_name = "prohibition"
            indexes = [(('customer', 'purpose', 'recorded_at'), False),
                       (('purpose', 'customer'), False)]

    @migrator.create_model
    class RectificationRequest(pw.Model):
        id = pw.AutoField()
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=customer_model,
                                      on_delete='CASCADE')
        contact_person = pw.ForeignKeyField(column_name='contact_person_id', field='id',
                                            model=contact_person_model, null=True, on_delete='CASCADE')
        received_at = pw.DateTimeField()
        requester_name = pw.CharField(max_length=200)
        description = pw.TextField()
        requested = pw.TextField(default='{}')
        verification_source = pw.CharField(max_length=24, null=True)
        verification_result = pw.TextField(null=True)
        verified_by = _user(migrator, 'verified_by_id')
        verified_at = pw.DateTimeField(null=True)
        decision = pw.CharField(max_length=16, null=True)
        decision_reason = pw.TextField(null=True)
        decided_by = _user(migrator, 'decided_by_id')
        decided_at = pw.DateTimeField(null=True)
        before = pw.TextField(null=True)
        after = pw.TextField(null=True)
        applied_by = _user(migrator, 'applied_by_id')
        applied_at = pw.DateTimeField(null=True)
        registered_by = _user(migrator, 'registered_by_id')
        registered_at = pw.DateTimeField()
        version = pw.IntegerField(default=1)

        class Meta:
            table_name = "rectification_request"

    @migrator.create_model
    class InspectionRequest(pw.Model):
        id = pw.AutoField()
        received_at = pw.DateTimeField()
        due_at = pw.DateTimeField(index=True)
        channel = pw.CharField(max_length=16)
        requester_name = pw.CharField(max_length=200)
        requester_contact = pw.TextField(null=True)
        description = pw.TextField(null=True)
        language = pw.CharField(max_length=8, default='fi')
        section = pw.ForeignKeyField(column_name='section_id', field='id',
                                     model=migrator.orm['section'], on_delete='RESTRICT')
        on_site = pw.BooleanField(default=False)
        registered_by = _user(migrator, 'registered_by_id')
        registered_at = pw.DateTimeField()
        identity_method = pw.CharField(max_length=24, null=True)
        identity_note = pw.TextField(null=True)
        identity_checked_by = _user(migrator, 'identity_checked_by_id')
        identity_checked_at = pw.DateTimeField(null=True)
        decision = pw.CharField(max_length=16, null=True)
        decision_reason = pw.TextField(null=True)
        decided_by = _user(migrator, 'decided_by_id')
        decided_at = pw.DateTimeField(null=True)
        delivered_at = pw.DateTimeField(null=True)
        delivery_method = pw.CharField(max_length=16, null=True)
        delivered_by = _user(migrator, 'delivered_by_id')
        reviewed_by = _user(migrator, 'reviewed_by_id')
        reviewed_at = pw.DateTimeField(null=True)
        version = pw.IntegerField(default=1)

        class Meta:
            table_name = "inspection_request"

    @migrator.create_model
    class InspectionSubject(pw.Model):
        id = pw.AutoField()
        request = pw.ForeignKeyField(column_name='request_id', field='id',
                                     model=migrator.orm['inspection_request'], on_delete='CASCADE')
        customer = pw.ForeignKeyField(column_name='customer_id', field='id', model=customer_model,
                                      null=True, on_delete='CASCADE')
        contact_person = pw.ForeignKeyField(column_name='contact_person_id', field='id',
                                            model=contact_person_model, null=True, on_delete='CASCADE')
        confirmed_by = _user(migrator, 'confirmed_by_id')
        confirmed_at = pw.DateTimeField()

        class Meta:
            table_name = "inspection_subject"
            indexes = [(('request', 'customer', 'contact_person'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables (their indexes go with them)."""
    for table in ("inspection_subject", "inspection_request", "rectification_request",
                  "prohibition"):
        migrator.remove_model(table)
