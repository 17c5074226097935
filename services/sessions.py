"""Server-side login sessions (OWASP ASVS 4.0 V3) and the clock of login security.

A login creates a ``UserSession`` row with a random token; the signed session cookie
carries only the token, the table only its SHA-256. Every request resumes the session
from the token: a revoked, idle (30 minutes by default) or too old (12 hours) session,
or one of a closed account, is refused, so a copied cookie stops working as soon as the
session ends on the server — at logout, at closing the account, at a password change.
"""

import datetime
import hashlib
import secrets

from models import User, UserSession, utcnow

IDLE_MINUTES = 30
ABSOLUTE_HOURS = 12
# ``last_seen_at`` is written at most this often: not a write per request.
TOUCH_INTERVAL = datetime.timedelta(seconds=60)
# Ended sessions are kept this long (who was logged in when), then deleted.
KEEP_ENDED = datetime.timedelta(days=90)
MAX_TOKEN_LENGTH = 100


def start(user):
    """Create a new session for ``user`` and return its token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    moment = utcnow()
    UserSession.create(token_hash=_hash(token), user=user, created_at=moment,
                       last_seen_at=moment)
    cutoff = moment - KEEP_ENDED  # ended, or left idle and never resumed
    UserSession.delete().where((UserSession.revoked_at < cutoff)
                               | (UserSession.last_seen_at < cutoff)).execute()
    return token


def resume(token, user_id, idle_minutes=IDLE_MINUTES, absolute_hours=ABSOLUTE_HOURS):
    """Return ``(user, None)`` for a live session, else ``(None, reason)``.

    ``reason`` is "missing", "unknown", "revoked", "inactive", "idle" or "absolute"; a
    session found idle, too old or of a closed account is revoked on the way.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None, "missing"
    row = (UserSession.select(UserSession, User).join(User)
           .where(UserSession.token_hash == _hash(token)).first())
    if row is None or str(row.user_id) != str(user_id):
        return None, "unknown"
    if row.revoked_at is not None:
        return None, "revoked"
    moment = utcnow()
    if not row.user.is_active:
        reason = "inactive"
    elif moment - row.created_at >= datetime.timedelta(hours=absolute_hours):
        reason = "absolute"
    elif moment - row.last_seen_at >= datetime.timedelta(minutes=idle_minutes):
        reason = "idle"
    else:
        if moment - row.last_seen_at >= TOUCH_INTERVAL:
            (UserSession.update(last_seen_at=moment)
             .where((UserSession.token_hash == row.token_hash)
                    & UserSession.revoked_at.is_null())
             .execute())
        return row.user, None
    _revoke(UserSession.token_hash == row.token_hash, reason)
    return None, reason


def touch(token):
    """Start the idle time of the live session of ``token`` again now (the page's "go on
    working" before the session would end idle); return whether one was live."""
    if not isinstance(token, str) or not token:
        return False
    return (UserSession.update(last_seen_at=utcnow())
            .where((UserSession.token_hash == _hash(token)) & UserSession.revoked_at.is_null())
            .execute()) > 0


def revoke(token, reason):
    """End the session of ``token`` (at logout); return whether one was live."""
    if not isinstance(token, str) or not token:
        return False
    return _revoke(UserSession.token_hash == _hash(token), reason) > 0


def revoke_all(user, reason, keep_token=None):
    """End every live session of ``user`` (but ``keep_token``'s); return how many ended.

    Call it when the account is closed or its access ends, and at a password change
    (keeping the session that changed it).
    """
    condition = UserSession.user == user
    if keep_token:
        condition &= UserSession.token_hash != _hash(keep_token)
    return _revoke(condition, reason)


def live_count(user):
    """Return how many sessions of ``user`` are not revoked (idle ones included)."""
    return (UserSession.select()
            .where((UserSession.user == user) & UserSession.revoked_at.is_null())
            .count())


def _revoke(condition, reason):
    return (UserSession.update(revoked_at=utcnow(), revoked_reason=reason[:16])
            .where(condition & UserSession.revoked_at.is_null())
            .execute())


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
