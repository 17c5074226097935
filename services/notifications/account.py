"""A user's own notification settings: the address, the language of the mail and the kinds
turned off (the account page).

A new address is not taken at once: a link is sent to it, and the address is the account's
when its owner, logged in, opens the link within CONFIRM_WITHIN. Emptying the address
takes effect at once (no mail is sent to none).
"""

import datetime
import hashlib
import secrets

from database import write_transaction
from models import EmailConfirmation, OutboxMessage, User, utcnow
from models.people import MAIL_LANGUAGES
from services import audit
from services.access.common import USER_OBJECT_TYPE, InvalidField, clean_email
from services.errors import N_, RegisterError
from services.notifications.messages import ACCOUNT_PATH, OPTIONAL_KINDS
from services.notifications.writing import write

CONFIRM_WITHIN = datetime.timedelta(hours=48)
# At most this many confirmation links an hour for one account: the page mails any address.
CONFIRMATIONS_AN_HOUR = 5
CONFIRM_PATH = ACCOUNT_PATH + "/confirm/"
MAX_TOKEN_LENGTH = 100


def save_settings(user, *, email, language, kinds_off=(), daily_digest=False, now=None):
    """Save ``user``'s mail language, the optional kinds turned off and the choice of the
    daily digest; empty the address, or send a confirmation link to a new one. Return the
    address waiting for confirmation (None when the address did not change)."""
    now = now or utcnow()
    email = (email or "").strip()
    email = clean_email(email) if email else None
    if language not in MAIL_LANGUAGES:
        raise InvalidField("language", N_("Choose the language from the list."))
    kinds_off = sorted(set(kinds_off or ()))
    if not set(kinds_off) <= set(OPTIONAL_KINDS):
        raise InvalidField("kinds_off", N_(
            "Only the notifications that are no legal deadline can be turned off: choose "
            "them from the list."))
    current = User.get_by_id(user.id)
    if email is not None and email != current.email and _confirmations_sent(user, now) >= (
            CONFIRMATIONS_AN_HOUR):
        raise InvalidField("email", N_(
            "A confirmation link was sent %(count)d times within the hour. Open the link of "
            "the last one, or give the address again after an hour.",
        ), count=CONFIRMATIONS_AN_HOUR)
    values = {"language": language, "notifications_off": " ".join(kinds_off),
              "daily_digest": bool(daily_digest)}
    if email is None:
        values["email"] = None
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    waiting = email if email is not None and email != current.email else None
    with write_transaction():
        if changed:
            User.update(**values).where(User.id == user.id).execute()
            audit.record("update", actor=user, object_type=USER_OBJECT_TYPE,
                         object_id=user.id, fields=changed, at=now)
        if waiting:
            _send_confirmation(User.get_by_id(user.id), waiting, now)
    return waiting


def _confirmations_sent(user, now):
    """Return how many confirmation links were written for ``user`` within the hour."""
    return OutboxMessage.select().where(
        (OutboxMessage.recipient == user.id) & (OutboxMessage.kind == "email_confirmation")
        & (OutboxMessage.created_at > now - datetime.timedelta(hours=1))).count()


def _send_confirmation(user, address, now):
    """Replace the user's waiting confirmation with one of ``address``; mail its link."""
    token = secrets.token_urlsafe(32)
    EmailConfirmation.delete().where(EmailConfirmation.user == user.id).execute()
    EmailConfirmation.create(user=user.id, address=address, token_hash=_hash(token),
                             created_at=now, expires_at=now + CONFIRM_WITHIN)
    write("email_confirmation", user, address, {"path": CONFIRM_PATH + token}, now=now)


def confirm_email(user, token, now=None):
    """Make the address of ``user``'s confirmation with ``token`` the account's; return it.

    Refused when the token is not this user's, or has expired.
    """
    now = now or utcnow()
    token = str(token or "")[:MAX_TOKEN_LENGTH]
    with write_transaction():
        found = EmailConfirmation.get_or_none(
            (EmailConfirmation.token_hash == _hash(token))
            & (EmailConfirmation.user == user.id) & (EmailConfirmation.expires_at > now))
        if found is None:
            raise RegisterError(N_(
                "The confirmation link is not valid or has expired. Give the address again "
                "on this page to get a new link, and open it logged in as yourself."))
        User.update(email=found.address).where(User.id == user.id).execute()
        EmailConfirmation.delete().where(EmailConfirmation.user == user.id).execute()
        audit.record("update", actor=user, object_type=USER_OBJECT_TYPE, object_id=user.id,
                     fields=["email"], at=now)
    return found.address


def waiting_address(user, now=None):
    """Return the address waiting for ``user``'s confirmation, or None."""
    found = EmailConfirmation.get_or_none(
        (EmailConfirmation.user == user.id) & (EmailConfirmation.expires_at > (now or utcnow())))
    return found.address if found else None


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
