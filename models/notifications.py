"""The outbox of email notifications (issue 17)."""

import peewee as pw

from models.base import BaseModel, choices, utcnow
from models.people import User

# pending (waiting for its next attempt) → sent, or failed after the last attempt; a failed
# message is pending again when someone retries it from the outbox page. A notification of
# an account that chose the daily digest is held until the morning's digest takes it
# (digested); the digest itself is a pending message like any other. A message no longer
# for its recipient when its turn comes (the account closed, the address emptied, the kind
# turned off, the section no longer theirs) is dropped, unsent.
OUTBOX_STATES = ("pending", "sent", "failed", "held", "digested", "dropped")
# What a notification tells (services/notifications/messages.py writes each). The kinds a
# user may turn off are those that are no legal deadline of theirs (OPTIONAL_KINDS there).
NOTIFICATION_KINDS = ("inspection_request", "rectification_request", "access_request",
                      "access_approved", "inspection_due", "inspection_overdue",
                      "email_confirmation", "purge_review_due", "access_review_due",
                      "guidance_published", "daily_digest", "backup_problem",
                      "drill_failed")


class OutboxMessage(BaseModel):
    """One email to one account, written in the transaction of the event that causes it.

    ``params`` is the JSON of what the message says — a section code, a date, a count, the
    path of the page — never a person's data; subject and body are written from it in
    ``language`` when the message is sent, and ``subject`` is kept then. ``last_error`` is
    the mail server's answer, without addresses. ``dedupe_key``, when set, makes a second
    notification of the same thing a no-op.
    """

    recipient = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    address = pw.CharField(max_length=254)
    language = pw.CharField(max_length=8)
    kind = pw.CharField(max_length=32, choices=choices(NOTIFICATION_KINDS))
    params = pw.TextField(default="{}")
    dedupe_key = pw.CharField(max_length=128, null=True, unique=True)
    subject = pw.CharField(max_length=255, null=True)
    state = pw.CharField(max_length=16, choices=choices(OUTBOX_STATES), default="pending")
    attempts = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)
    last_error = pw.CharField(max_length=255, null=True)

    class Meta:
        table_name = "outbox_message"
        indexes = ((("state", "next_attempt_at"), False),)


class EmailConfirmation(BaseModel):
    """A new address a user gave on the account page, waiting for the link sent to it to be
    opened (by the same user, before ``expires_at``). Only the token's SHA-256 is kept."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    address = pw.CharField(max_length=254)
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()

    class Meta:
        table_name = "email_confirmation"
