"""Writing one outbox row, inside the transaction of the event that causes it."""

import json

from models import OutboxMessage, utcnow
from services.notifications.messages import SENT_AT_ONCE


def write(kind, account, address, params, dedupe_key=None, now=None):
    """Write one ``kind`` message to ``address`` on behalf of ``account`` (in its
    language), inside the caller's transaction: held for the daily digest when the account
    chose it and the kind is no legal deadline, otherwise pending at once."""
    now = now or utcnow()
    held = getattr(account, "daily_digest", False) and kind not in SENT_AT_ONCE
    OutboxMessage.insert(
        recipient=account.id, address=address, language=account.language or "fi",
        kind=kind, params=json.dumps(params, sort_keys=True), created_at=now,
        next_attempt_at=now, state="held" if held else "pending", attempts=0,
        dedupe_key=dedupe_key,
    ).on_conflict_ignore().execute()
