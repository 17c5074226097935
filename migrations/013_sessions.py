"""Login security (OWASP ASVS 4.0 level 2, V2 and V3): failed logins and lockouts counted in
the database (so every process sees them), server-side sessions, and the encrypted keys of
the optional second factor (TOTP).

A user's sessions, locks and second-factor key go with the account row (ON DELETE
CASCADE); accounts are closed, not deleted, so this happens only to an account removed
by hand.
"""

import peewee as pw
from peewee_migrate import Migrator

TABLES = ("totp_credential", "user_session", "login_lock", "login_failure")


def _user(migrator, **kwargs):
    return pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['app_user'],
                              on_delete='CASCADE', **kwargs)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the tables of login failures, locks, sessions and second-factor keys."""

    @migrator.create_model
    class LoginFailure(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        username_key = pw.CharField(max_length=64)
        address = pw.CharField(max_length=45, null=True)

        class Meta:
            table_name = "login_failure"
            indexes = [(('username_key', 'at'), False), (('address', 'at'), False)]

    @migrator.create_model
    class LoginLock(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=16)
        key = pw.CharField(max_length=64)
        user = _user(migrator, null=True)
        locked_at = pw.DateTimeField()
        until = pw.DateTimeField()

        class Meta:
            table_name = "login_lock"
            indexes = [(('kind', 'key'), True)]

    @migrator.create_model
    class UserSession(pw.Model):
        token_hash = pw.CharField(max_length=64, primary_key=True)
        user = _user(migrator, index=False)  # the (user, revoked_at) index serves it
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()
        revoked_at = pw.DateTimeField(null=True)
        revoked_reason = pw.CharField(max_length=16, null=True)

        class Meta:
            table_name = "user_session"
            indexes = [(('user', 'revoked_at'), False)]

    @migrator.create_model
    class TotpCredential(pw.Model):
        id = pw.AutoField()
        user = _user(migrator, unique=True)
        secret = pw.TextField()
        created_at = pw.DateTimeField()
        confirmed_at = pw.DateTimeField(null=True)
        last_step = pw.BigIntegerField(default=0)

        class Meta:
            table_name = "totp_credential"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables (their indexes go with them)."""
    for table in TABLES:
        migrator.remove_model(table)
