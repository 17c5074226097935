"""What every part of the access rules shares: object types, limits, errors and the small
helpers for time, text and audit sections."""

import datetime
import re
from email.errors import HeaderParseError
from email.headerregistry import Address

from email_validator import EmailNotValidError, validate_email

from models import utcnow
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.inputs import has_unstorable


REQUEST_OBJECT_TYPE = "access_request"
REVIEW_OBJECT_TYPE = "access_review"
GUIDANCE_OBJECT_TYPE = "guidance"
USER_OBJECT_TYPE = "user"

IDLE_DAYS = 90  # an account unused this long is flagged, and disable_idle closes it
REMINDER_DAYS = 30  # the review is reminded of this many days before it is due

MAX_TEXT = 2000
MAX_GUIDANCE = 50000
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class InvalidField(RegisterError):
    """A value the user gave is refused; ``field`` names the form field it came from."""

    def __init__(self, field, message, **params):
        super().__init__(message, **params)
        self.field = field


def clean_email(value, field="email"):
    """Return the work email address ``value`` as stored, or refuse it with what to do.

    A plain address only, as the mail's header reads it back: one that a header would read
    as a group, a list or another address ("a,b@hel.fi", "a:b;@hel.fi", an encoded word)
    would send the register's mail elsewhere than the address shown."""
    email = (value or "").strip()
    if not plain_address(email) or len(email) > 254:
        raise InvalidField(field, N_(
            "Give the person's work email address, e.g. etunimi.sukunimi@hel.fi."))
    message = refusal(email)
    if message:
        raise InvalidField(field, message)
    return email


def plain_address(email):
    """Tell whether ``email`` is a valid address that a mail header holds as it is."""
    try:
        validate_email(email, check_deliverability=False)
        return Address(addr_spec=email).addr_spec == email
    except (EmailNotValidError, HeaderParseError, ValueError):
        return False


class ReviewError(RegisterError):
    """A review that cannot be saved; ``problems`` maps account ids to (msgid, params)."""

    def __init__(self, message, problems=None, **params):
        super().__init__(message, **params)
        self.problems = problems or {}


def _naive_utc(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _now(now):
    return _naive_utc(now) if now is not None else utcnow()


def add_year(day):
    """Return the same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _single_code(sections):
    """The section code an audit event carries: the only one, or none for several."""
    codes = {s.code for s in sections}
    return codes.pop() if len(codes) == 1 else None


def _origin(actor):
    """Where a step was taken: the pages (an actor), or the server's command line (None)."""
    return "web" if actor is not None else "cli"


def _clean_text(field, value, required_message):
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, required_message)
    if len(text) > MAX_TEXT:
        raise InvalidField(field, N_("Shorten the text to at most %(max)s characters."),
                           max=MAX_TEXT)
    message = refusal(text)
    if message:
        raise InvalidField(field, message)
    if has_unstorable(text):  # the pages refuse it whole (400); the command line here
        raise InvalidField(field, N_("Remove the control characters (invisible characters "
                                     "such as NUL or escape) from the text."))
    return text
