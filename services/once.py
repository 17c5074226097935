"""A form sent twice makes its thing once.

A page that makes something — an inspection request, an access request — gives its form a
random token (``new_token``). ``run`` makes the thing and keeps, in the same transaction,
which row the token made; the same form sent again (a double click, a page sent again
after a slow answer, the browser's back button and "send again") makes nothing and
raises ``SentBefore`` naming that row, for the page to show it. Two sendings at the same
instant are told apart by the token's key: the second transaction's insert fails and is
rolled back whole. A form sent without a token (a script) makes its thing each time.
Tokens are kept two days.
"""

import datetime
import re
import secrets

import peewee as pw

from database import write_transaction
from models import SentForm, utcnow
from services.errors import N_, RegisterError

KEPT = datetime.timedelta(days=2)
_TOKEN = re.compile(r"[0-9a-f]{32}")

STALE_FORM = N_("The form is out of date. Open the page again and fill it in anew.")


def new_token():
    """Return a token for a form that makes something."""
    return secrets.token_hex(16)


class SentBefore(RegisterError):
    """The form was sent before and made ``made_id``; nothing was made now."""

    def __init__(self, made_id):
        super().__init__(N_("This form was sent already; it was not sent again."))
        self.made_id = made_id


def _token(token):
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def _earlier(user, kind, token):
    """Return the id the form with ``token`` made before, or None; refuse a token another
    form made something with."""
    found = SentForm.get_or_none(SentForm.token == token)
    if found is None:
        return None
    if found.user_id != user.id or found.kind != kind:
        raise RegisterError(STALE_FORM)
    return found.made_id


def run(user, kind, token, make, made_id=lambda made: made.id, now=None):
    """Return ``make()``, run once for the form's ``token`` (``kind`` names what it makes,
    ``made_id(result)`` the row to show when it is sent again); raise ``SentBefore``."""
    token = _token(token)
    if token is None:
        return make()
    now = now or utcnow()
    try:
        with write_transaction():
            earlier = _earlier(user, kind, token)
            if earlier is not None:
                raise SentBefore(earlier)
            made = make()
            SentForm.delete().where(SentForm.sent_at < now - KEPT).execute()
            SentForm.insert(token=token, user=user.id, kind=kind, made_id=made_id(made),
                            sent_at=now).execute()
            return made
    except pw.IntegrityError:
        earlier = _earlier(user, kind, token)  # the other sending committed first
        if earlier is None:
            raise
        raise SentBefore(earlier) from None
