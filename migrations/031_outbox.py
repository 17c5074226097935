"""Email notifications (issue 17): each account gets an email address, the language its
mail is written in and the notification kinds it has turned off; ``outbox_message`` holds
every notification from the moment the event that causes it is written (in the same
transaction) until it is sent, with its attempts and the time of the next one;
``email_confirmation`` a new address waiting for its owner to open the link sent to it.

Existing accounts get no address (nobody has given one yet), Finnish as the language of
their mail (the register's default) and every kind on. The outbox starts empty.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the account's columns and create outbox_message."""
    migrator.sql("ALTER TABLE app_user ADD COLUMN email VARCHAR(254)")
    migrator.sql("ALTER TABLE app_user ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT 'fi'")
    migrator.sql("ALTER TABLE app_user ADD COLUMN notifications_off TEXT NOT NULL DEFAULT ''")

    @migrator.create_model
    class OutboxMessage(pw.Model):
        id = pw.AutoField()
        recipient = pw.ForeignKeyField(column_name='recipient_id', field='id',
                                       model=migrator.orm['app_user'], null=True,
                                       on_delete='SET NULL')
        address = pw.CharField(max_length=254)
        language = pw.CharField(max_length=8)
        kind = pw.CharField(max_length=32)
        params = pw.TextField(default='{}')
        dedupe_key = pw.CharField(max_length=128, null=True, unique=True)
        subject = pw.CharField(max_length=255, null=True)
        state = pw.CharField(max_length=16, default='pending')
        attempts = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()
        next_attempt_at = pw.DateTimeField()
        sent_at = pw.DateTimeField(null=True)
        last_error = pw.CharField(max_length=255, null=True)

        class Meta:
            table_name = "outbox_message"
            indexes = ((("state", "next_attempt_at"), False),)


    @migrator.create_model
    class EmailConfirmation(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id',
                                  model=migrator.orm['app_user'], on_delete='CASCADE')
        address = pw.CharField(max_length=254)
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()

        class Meta:
            table_name = "email_confirmation"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables and the account's columns."""
    migrator.remove_model("email_confirmation")
    migrator.remove_model("outbox_message")
    for column in ("notifications_off", "language", "email"):
        migrator.sql(f"ALTER TABLE app_user DROP COLUMN {column}")
