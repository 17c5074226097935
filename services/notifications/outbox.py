"""The outbox: writing notifications with their event, sending those due, retrying.

Sending claims a message before handing it to the mail server (its next attempt is moved
CLAIM_FOR ahead, on the condition that no other process moved it first), so two senders
never send one message twice; a sender that dies after sending and before marking the
message sent leaves it to be sent again once the claim runs out (at least once, never
lost).
"""

import datetime
import json
import re
import smtplib
from collections import Counter

from peewee import fn

from models import OutboxMessage, Section, User, UserSection, utcnow
from services.errors import N_
from services.notifications.digest import gather_digests
from services.notifications.messages import OPTIONAL_KINDS, render
from services.notifications.smtp import compose
from services.notifications.writing import write
from services.policy import readable_section_ids, roles_with

# Why a message was dropped unsent (``last_error`` of a dropped message; the outbox page
# translates it).
DROPPED_CLOSED = N_("Not sent: the account is closed.")
DROPPED_NO_ADDRESS = N_("Not sent: the account has no address.")
DROPPED_NOT_THEIRS = N_("Not sent: the notification is no longer for the account (the kind "
                        "turned off, or the section no longer theirs).")
DROPPED_EMPTY_DIGEST = N_("Not sent: nothing in the digest is for the account any more.")

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
    """Write the morning's digests (``digest``), then send every pending message due once;
    return the counts of "sent", "retry" (failed, tried again later), "failed" (no attempts
    left, or no mail can be written of it) and "dropped" (no longer for its recipient).

    Each message is claimed, tried and marked at the time of its own turn (``now``, when
    given, for every one): a long run does not send a message whose claim ran out, nor
    retry one at once. A message goes to its account as it is when sent (``_addressee``).
    When the mail server cannot be reached, the run's other messages count the same failed
    attempt without connecting again (500 messages would wait out 500 timeouts). With
    mail off (no server set) nothing is sent.
    """
    clock = utcnow if now is None else (lambda: now)
    result = Counter(sent=0, retry=0, failed=0, dropped=0)
    if not settings.enabled:
        return result
    gather_digests(clock())
    due = list(OutboxMessage.select()
               .where((OutboxMessage.state == "pending")
                      & (OutboxMessage.next_attempt_at <= clock()))
               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(SEND_BATCH))
    connection = _Connection(settings)
    try:
        for message in due:
            if not _claim(message, clock()):
                continue
            result[_send_one(message, connection, settings.base_url, clock)] += 1
    finally:
        connection.close()
    return result


class _Connection:
    """The run's session with the mail server: opened for the first message, opened again
    after a failure that ended it; once the server could not be reached (``unreachable``,
    the error) every later message of the run fails with that error at once."""

    def __init__(self, settings):
        self.settings = settings
        self.session = None
        self.unreachable = None

    def send(self, composed, address):
        if self.unreachable is not None:
            raise self.unreachable
        if self.session is None:
            try:
                self.session = self.settings.connect()
            except (OSError, smtplib.SMTPException) as error:
                self.unreachable = error
                raise
        try:
            self.session.send(composed, address)
        except OSError as error:
            if not isinstance(error, smtplib.SMTPException):  # the network, not the server
                self.unreachable = error
            raise

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None


def _send_one(message, connection, base_url, clock):
    """Send the claimed ``message``; return its outcome (a key of ``send_due``'s counts)."""
    reason = _addressee(message)
    if reason:
        _drop(message, reason, clock())
        return "dropped"
    try:
        subject, body = render(message, base_url)
        composed = compose(connection.settings, message.address, subject, body,
                           message.language)
    except Exception as error:  # noqa: BLE001 - one row no mail can be written of
        # must not stop the others' sending; trying it again would fail the same way.
        return _attempt_failed(message, error, clock(), last=True)
    try:
        connection.send(composed, message.address)
    except (OSError, smtplib.SMTPException) as error:
        if not isinstance(error, smtplib.SMTPRecipientsRefused):
            connection.close()
        return _attempt_failed(message, error, clock())
    _mark_sent(message, subject, clock())
    return "sent"


def _addressee(message):
    """Address ``message`` to its account as it is now — its address and language, the
    digest's notifications still for it; return why it is no longer for the account, or
    None. An address's confirmation link goes to the address it confirms."""
    if message.kind == "email_confirmation":
        return None
    account = User.get_or_none(User.id == message.recipient_id) if message.recipient_id else None
    if account is None or not account.active or account.username is None:
        return DROPPED_CLOSED
    if not account.email:
        return DROPPED_NO_ADDRESS
    message.address, message.language = account.email, account.language or message.language
    params = json.loads(message.params or "{}")
    if message.kind != "daily_digest":
        return None if _still_for(account, message.kind, params) else (
            DROPPED_NOT_THEIRS)
    items = [item for item in params.get("items", ())
             if _still_for(account, item.get("kind"), item.get("params") or {})]
    if not items:
        return DROPPED_EMPTY_DIGEST
    message.params = json.dumps({**params, "items": items}, sort_keys=True)
    return None


def _still_for(account, kind, params):
    """Tell whether a ``kind`` notification of ``params`` is still for ``account``: a kind
    it has not turned off since, of a section it still reads."""
    if kind in OPTIONAL_KINDS and kind in (account.notifications_off or "").split():
        return False
    if "section" not in params:
        return True
    section = Section.get_or_none(Section.code == params["section"])
    return section is not None and section.id in readable_section_ids(account)


def _drop(message, reason, now):
    OutboxMessage.update(state="dropped", sent_at=now, last_error=reason).where(
        OutboxMessage.id == message.id).execute()


def _claim(message, now):
    """Take ``message`` for this sender; tell whether no other sender took it first."""
    return OutboxMessage.update(next_attempt_at=now + CLAIM_FOR).where(
        (OutboxMessage.id == message.id) & (OutboxMessage.state == "pending")
        & (OutboxMessage.next_attempt_at == message.next_attempt_at)).execute() == 1


def _mark_sent(message, subject, now):
    """Mark ``message`` sent, with the address and language it went in."""
    OutboxMessage.update(state="sent", sent_at=now, subject=subject[:255],
                         address=message.address, language=message.language,
                         attempts=OutboxMessage.attempts + 1, last_error=None).where(
        OutboxMessage.id == message.id).execute()


def _attempt_failed(message, error, now, last=False):
    """Count the failed attempt; return "retry" or "failed" (no attempts left, or
    ``last``)."""
    attempts = message.attempts + 1
    state = "failed" if last or attempts >= MAX_ATTEMPTS else "pending"
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
