"""The daily digest: one message a day of the notifications that are no legal deadline.

An account that chose it (``User.daily_digest``, the account page) gets those notifications
written as *held* rows (``writing.write``), in the transaction of their event as any other:
a rolled-back event holds nothing. The first ``outbox send`` run at or after DIGEST_HOUR in
Helsinki takes each account's rows held before that hour into one ``daily_digest``
message — a pending outbox row like any other, so it is retried while the mail server is
down — and marks them *digested*, in one transaction. A row held after the hour waits for
the next morning. The legal deadlines (``messages.SENT_AT_ONCE``) are never held.

Rows held for an account that no longer chose the digest (or no longer exists) are made
pending again and sent one by one.
"""

import datetime
import json

from database import write_transaction
from models import OutboxMessage, User
from services.localtime import from_helsinki, helsinki_today
from services.notifications.writing import write

# The hour (Helsinki time) from which a day's digest is written.
DIGEST_HOUR = 7


class _Taken(Exception):
    """Another sender took some of the held rows first: this digest is left to it."""


def digest_moment(now):
    """Return the naive UTC moment of the newest digest hour at or before ``now``."""
    today = helsinki_today(now)
    moment = from_helsinki(datetime.datetime.combine(today, datetime.time(DIGEST_HOUR)))
    if moment > now:  # before the hour: yesterday's
        moment = from_helsinki(datetime.datetime.combine(
            today - datetime.timedelta(days=1), datetime.time(DIGEST_HOUR)))
    return moment


def gather_digests(now):
    """Write the digest of every account with rows held before the morning's digest hour;
    return how many digests were written."""
    release_held()
    moment = digest_moment(now)
    waiting = (OutboxMessage.select(OutboxMessage.recipient).distinct()
               .where((OutboxMessage.state == "held") & (OutboxMessage.created_at < moment)))
    written = 0
    for recipient_id in sorted(row.recipient_id for row in waiting):
        try:
            written += _digest_of(recipient_id, moment, now)
        except _Taken:
            continue
    return written


def _digest_of(recipient_id, moment, now):
    """Write ``recipient_id``'s digest of the rows held before ``moment``; return 1, or 0
    when there is nothing (left) to gather."""
    day = helsinki_today(moment).isoformat()
    key = f"digest:{day}:{recipient_id}"
    with write_transaction():
        if OutboxMessage.select().where(OutboxMessage.dedupe_key == key).exists():
            return 0  # today's digest is written; a late row waits for tomorrow's
        held = list(OutboxMessage.select().where(
            (OutboxMessage.recipient == recipient_id) & (OutboxMessage.state == "held")
            & (OutboxMessage.created_at < moment)).order_by(OutboxMessage.created_at,
                                                            OutboxMessage.id))
        if not held:
            return 0
        taken = OutboxMessage.update(state="digested", sent_at=now).where(
            OutboxMessage.id.in_([m.id for m in held])
            & (OutboxMessage.state == "held")).execute()
        if taken != len(held):
            raise _Taken()  # rolls the transaction back
        account = User.get_by_id(recipient_id)
        items = [{"kind": m.kind, "params": json.loads(m.params or "{}")} for m in held]
        write("daily_digest", account, account.email or held[-1].address,
              {"day": day, "items": items}, dedupe_key=key, now=now)
    return 1


def release_held():
    """Make pending (due at once) the held rows of accounts that no longer chose the digest
    or no longer exist; return how many."""
    choosing = User.select(User.id).where(User.daily_digest == True)  # noqa: E712
    return OutboxMessage.update(state="pending").where(
        (OutboxMessage.state == "held")
        & (OutboxMessage.recipient.is_null() | OutboxMessage.recipient.not_in(choosing))
    ).execute()
