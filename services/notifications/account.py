"""A user's own notification settings: the address, the language of the mail and the kinds
turned off (the account page).

The address is a plain validated field: a change takes effect at once, with no
confirmation link sent to the new address (yet).
"""

from database import write_transaction
from models import User
from models.people import MAIL_LANGUAGES
from services import audit
from services.access.common import USER_OBJECT_TYPE, InvalidField, clean_email
from services.errors import N_
from services.notifications.messages import OPTIONAL_KINDS


def save_settings(user, *, email, language, kinds_off=(), now=None):
    """Set ``user``'s own address (empty: none), mail language and the optional kinds
    turned off; return the account as saved."""
    email = (email or "").strip()
    email = clean_email(email) if email else None
    if language not in MAIL_LANGUAGES:
        raise InvalidField("language", N_("Choose the language from the list."))
    kinds_off = sorted(set(kinds_off or ()))
    if not set(kinds_off) <= set(OPTIONAL_KINDS):
        raise InvalidField("kinds_off", N_(
            "Only the notifications that are no legal deadline can be turned off: choose "
            "them from the list."))
    values = {"email": email, "language": language, "notifications_off": " ".join(kinds_off)}
    current = User.get_by_id(user.id)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if changed:
        with write_transaction():
            User.update(**values).where(User.id == user.id).execute()
            audit.record("update", actor=user, object_type=USER_OBJECT_TYPE,
                         object_id=user.id, fields=changed, at=now)
    return User.get_by_id(user.id)
