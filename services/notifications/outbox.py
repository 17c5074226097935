"""The outbox: writing notifications with their event, sending those due, retrying.

Sending claims a message before handing it to the mail server (its next attempt is moved
CLAIM_FOR ahead, on the condition that no other process moved it first), so two senders
never send one message twice; a sender that dies after sending and before marking the
message sent leaves it to be sent again once the claim runs out (at least once, never
lost).
"""

import datetime
import re
import smtplib
from collections import Counter

from peewee import fn

from models import OutboxMessage, User, UserSection, utcnow
from services.notifications.digest import gather_digests
from services.notifications.messages import OPTIONAL_KINDS, render
from services.notifications.writing import write
from services.policy import roles_with

MAX_ATTEMPTS = 8
# The wait after the first failed attempt; it doubles after each one, up to MAX_DELAY:
# 1, 2, 4, 8, 16, 32 and 64 minutes, then failed (about two hours in all).
FIRST_DELAY = datetime.timedelta(minutes=1)
MAX_DELAY = datetime.timedelta(hours=6)
CLAIM_FOR = datetime.timedelta(minutes=10)
SEND_BATCH = 500
MAX_ERROR_LENGTH = 255
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


def recipients(capability=None, section_ids=(), exclude=None):
    """Return the open accounts with an email address whose role holds ``capability``
    (None: every role) and who have every section of ``section_ids`` (none: whatever
    their sections), but ``exclude``."""
    query = User.open_accounts().where(User.email.is_null(False) & (User.email != ""))
    if capability is not None:
        query = query.where(User.role.in_(roles_with(capability)))
    for section_id in section_ids:
        query = query.where(User.id.in_(
            UserSection.select(UserSection.user).where(UserSection.section == section_id)))
    if exclude is not None:
        query = query.where(User.id != exclude.id)
    return list(query.order_by(User.id))


def notify(kind, accounts, params, *, dedupe_key=None, now=None):
    """Write a ``kind`` notification to each of ``accounts`` that has an address and has
    not turned the kind off, inside the caller's transaction; return how many.

    ``params`` says what the message tells (no person's data); ``dedupe_key`` makes a
    second call with the same key write nothing to an account that already has it.
    """
    now = now or utcnow()
    written = 0
    seen = set()
    for account in accounts:
        if account.id in seen or not account.email:
            continue
        seen.add(account.id)
        if kind in OPTIONAL_KINDS and kind in (account.notifications_off or "").split():
            continue
        key = f"{dedupe_key}:{account.id}"[:128] if dedupe_key else None
        if key and OutboxMessage.select().where(OutboxMessage.dedupe_key == key).exists():
            continue
        write(kind, account, account.email, params, key, now)
        written += 1
    return written


def retry_delay(attempts):
    """Return the wait before the next attempt after ``attempts`` failed ones."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def send_due(settings, now=None):
    """Write the morning's digests (``digest``), then send every pending message due at
    ``now`` once; return the counts of "sent", "retry" (failed, tried again later) and
    "failed" (no attempts left).

    With mail off (no server set) nothing is sent and the messages stay pending.
    """
    now = now or utcnow()
    result = Counter(sent=0, retry=0, failed=0)
    if not settings.enabled:
        return result
    gather_digests(now)
    due = list(OutboxMessage.select()
               .where((OutboxMessage.state == "pending")
                      & (OutboxMessage.next_attempt_at <= now))
               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(SEND_BATCH))
    connection = None
    try:
        for message in due:
            if not _claim(message, now):
                continue
            subject, body = render(message, settings.base_url)
            try:
                connection = connection or settings.connect()
                connection.send(message.address, subject, body, message.language)
            except (OSError, smtplib.SMTPException) as error:
                result[_attempt_failed(message, error, now)] += 1
                if not isinstance(error, smtplib.SMTPRecipientsRefused) and connection:
                    connection.close()
                    connection = None
                continue
            _mark_sent(message, subject, now)
            result["sent"] += 1
    finally:
        if connection is not None:
            connection.close()
    return result


def _claim(message, now):
    """Take ``message`` for this sender; tell whether no other sender took it first."""
    return OutboxMessage.update(next_attempt_at=now + CLAIM_FOR).where(
        (OutboxMessage.id == message.id) & (OutboxMessage.state == "pending")
        & (OutboxMessage.next_attempt_at == message.next_attempt_at)).execute() == 1


def _mark_sent(message, subject, now):
    OutboxMessage.update(state="sent", sent_at=now, subject=subject[:255],
                         attempts=OutboxMessage.attempts + 1, last_error=None).where(
        OutboxMessage.id == message.id).execute()


def _attempt_failed(message, error, now):
    """Count the failed attempt; return "retry" or "failed" (no attempts left)."""
    attempts = message.attempts + 1
    state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    OutboxMessage.update(state=state, attempts=attempts, last_error=error_text(error),
                         next_attempt_at=now + retry_delay(attempts)).where(
        OutboxMessage.id == message.id).execute()
    return "failed" if state == "failed" else "retry"


def error_text(error):
    """Return what the mail server (or the network) answered, without any address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in error.recipients.values()})
        text = "recipient refused " + " ".join(str(code) for code in codes)
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        text = f"{error.smtp_code} {reply}"
    else:
        text = str(error) or ""
    text = _ADDRESS.sub("<address>", " ".join(text.split()))
    return f"{type(error).__name__}: {text}"[:MAX_ERROR_LENGTH]


def retry(message_id, now=None):
    """Make the failed message ``message_id`` pending again, due at once; tell whether it
    was failed (a message sent or pending meanwhile is left as it is)."""
    now = now or utcnow()
    return OutboxMessage.update(state="pending", next_attempt_at=now).where(
        (OutboxMessage.id == message_id) & (OutboxMessage.state == "failed")).execute() == 1


def listing(state=None, limit=200):
    """Return the newest messages (of ``state``), newest first."""
    query = OutboxMessage.select()
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                .limit(limit))


def counts():
    """Return ``{state: number of messages}``."""
    return {row.state: row.n for row in OutboxMessage.select(
        OutboxMessage.state, fn.COUNT(OutboxMessage.id).alias("n"))
        .group_by(OutboxMessage.state)}
