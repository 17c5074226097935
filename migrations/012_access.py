"""Access grants, account closures, yearly access reviews and the internal guidance
(seed §3, §4, §9, §17, §18).

Nothing is seeded: the guidance has no version until the controller publishes one, and
the first review falls due a year after the first account was created.
"""

import peewee as pw
from peewee_migrate import Migrator

TABLES = (
    "access_request",
    "access_request_section",
    "account_status_change",
    "access_review",
    "access_review_item",
    "guidance_version",
    "guidance_acknowledgement",
)


def _user(migrator, column, null=True, on_delete='SET NULL', index=True):
    return pw.ForeignKeyField(column_name=column, field='id', model=migrator.orm['app_user'],
                              null=null, on_delete=on_delete, index=index)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables of access requests, closures, reviews and guidance."""
    section_model = migrator.orm['section']

    @migrator.create_model
    class AccessRequest(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=8, default='new')
        account = _user(migrator, 'account_id', on_delete='RESTRICT')
        person_name = pw.CharField(max_length=200, null=True)
        email = pw.CharField(max_length=254, null=True)
        role = pw.CharField(max_length=16)
        reason = pw.TextField()
        state = pw.CharField(max_length=16, default='requested', index=True)
        requested_by = _user(migrator, 'requested_by_id')
        requested_at = pw.DateTimeField()
        decision_reason = pw.TextField(null=True)
        decided_by = _user(migrator, 'decided_by_id')
        decided_at = pw.DateTimeField(null=True)
        implemented_by = _user(migrator, 'implemented_by_id')
        implemented_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "access_request"

    @migrator.create_model
    class AccessRequestSection(pw.Model):
        id = pw.AutoField()
        request = pw.ForeignKeyField(column_name='request_id', field='id',
                                     model=migrator.orm['access_request'], on_delete='CASCADE',
                                     index=False)
        section = pw.ForeignKeyField(column_name='section_id', field='id', model=section_model,
                                     on_delete='RESTRICT')

        class Meta:
            table_name = "access_request_section"
            indexes = [(('request', 'section'), True)]

    @migrator.create_model
    class AccountStatusChange(pw.Model):
        id = pw.AutoField()
        user = _user(migrator, 'user_id', null=False, on_delete='RESTRICT', index=False)
        kind = pw.CharField(max_length=16)
        effective_on = pw.DateField()
        reason = pw.TextField(null=True)
        idle_days = pw.IntegerField(null=True)
        changed_by = _user(migrator, 'changed_by_id')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "account_status_change"
            indexes = [(('user', 'changed_at'), False)]

    @migrator.create_model
    class AccessReview(pw.Model):
        id = pw.AutoField()
        reviewed_by = _user(migrator, 'reviewed_by_id')
        reviewed_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "access_review"

    @migrator.create_model
    class AccessReviewItem(pw.Model):
        id = pw.AutoField()
        review = pw.ForeignKeyField(column_name='review_id', field='id',
                                    model=migrator.orm['access_review'], on_delete='CASCADE',
                                    index=False)
        user = _user(migrator, 'user_id', null=False, on_delete='RESTRICT')
        role = pw.CharField(max_length=16)
        sections = pw.TextField(default='')
        active = pw.BooleanField()
        last_login_at = pw.DateTimeField(null=True)
        idle = pw.BooleanField(default=False)
        guidance_version = pw.IntegerField(null=True)
        outcome = pw.CharField(max_length=8)
        comment = pw.TextField(null=True)

        class Meta:
            table_name = "access_review_item"
            indexes = [(('review', 'user'), True)]

    @migrator.create_model
    class GuidanceVersion(pw.Model):
        id = pw.AutoField()
        number = pw.IntegerField(unique=True)
        text = pw.TextField()
        published_by = _user(migrator, 'published_by_id')
        published_at = pw.DateTimeField()

        class Meta:
            table_name = "guidance_version"

    @migrator.create_model
    class GuidanceAcknowledgement(pw.Model):
        id = pw.AutoField()
        user = _user(migrator, 'user_id', null=False, on_delete='RESTRICT', index=False)
        version = pw.ForeignKeyField(column_name='version_id', field='id',
                                     model=migrator.orm['guidance_version'],
                                     on_delete='RESTRICT')
        acknowledged_at = pw.DateTimeField()

        class Meta:
            table_name = "guidance_acknowledgement"
            indexes = [(('user', 'version'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables, the dependent ones first."""
    for table in reversed(TABLES):
        migrator.remove_model(table)
