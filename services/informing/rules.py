"""The informing rule (seed §13): what a record of how and when a person was informed of
the registration must hold, for a customer and for a contact person alike.

A new customer or contact person must have it: how (given in person, sent by email or by
post, via the privacy notice's link at a web form, or not reachable) and when; when the
person could not be reached, also why. A customer or contact person recorded before the
rule without it is "not yet informed": saving it leaves the record optional, but a record
once given (or begun) is checked whole. No Flask here.
"""

from models import INFORMED_HOW, utcnow
from services.errors import N_
from services.localtime import CLOCK_SLACK, helsinki_date

# The fields of the record, on Customer and ContactPerson alike.
HOW, AT, REASON = "informed_how", "informed_at", "not_reachable_reason"
RECORD_FIELDS = (HOW, AT, REASON)
# The code that needs a reason.
NOT_REACHABLE = "not_reachable"
REASON_MAX_LENGTH = 500

# What is wrong, as messages (msgids with %(count)s, the reason's longest length).
HOW_REQUIRED = N_("Record how the person was informed of the registration, or that they "
                  "could not be reached.")
HOW_UNKNOWN = N_("Choose one of the ways offered.")
AT_REQUIRED = N_("Record when the person was informed (or when they were tried to be "
                 "reached), e.g. 25.11.2026 14:30.")
AT_FUTURE = N_("The time of informing cannot be in the future: check the date and the time.")
AT_BEFORE_BIRTH = N_("The time of informing is before the person's birth date: check the "
                     "year.")
REASON_REQUIRED = N_("Say why the person could not be reached, e.g. no address known or the "
                     "letter came back.")
REASON_NOT_NEEDED = N_("A reason is recorded only when the person could not be reached: "
                       "empty this field or choose \"Not reachable\".")
REASON_TOO_LONG = N_("Shorten the reason to at most %(count)s characters.")


def is_recorded(row):
    """Tell whether ``row`` (a customer or a contact person) has an informing record."""
    return bool(getattr(row, HOW, None)) and getattr(row, AT, None) is not None


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def informing_problems(values, required=True, birth_date=None, now=None):
    """Return ``{field: message}`` of what is wrong with an informing record.

    ``values`` maps ``informed_how``, ``informed_at`` (naive UTC) and
    ``not_reachable_reason`` to what was given. ``required``: a new customer or contact
    person, or one that already has a record; otherwise an empty record is no problem, but
    a record begun is checked whole. ``birth_date``: the person's, when known.
    """
    how, at, reason = (values.get(name) for name in RECORD_FIELDS)
    if not required and all(_blank(v) for v in (how, at, reason)):
        return {}
    problems = {}
    if _blank(how):
        problems[HOW] = HOW_REQUIRED
    elif how not in INFORMED_HOW:
        problems[HOW] = HOW_UNKNOWN
    if at is None:
        problems[AT] = AT_REQUIRED
    elif at > (now or utcnow()) + CLOCK_SLACK:
        problems[AT] = AT_FUTURE
    elif birth_date is not None and helsinki_date(at) < birth_date:
        problems[AT] = AT_BEFORE_BIRTH
    if how == NOT_REACHABLE and _blank(reason):
        problems[REASON] = REASON_REQUIRED
    elif how != NOT_REACHABLE and not _blank(reason) and HOW not in problems:
        problems[REASON] = REASON_NOT_NEEDED
    elif not _blank(reason) and len(reason) > REASON_MAX_LENGTH:
        problems[REASON] = REASON_TOO_LONG
    return problems


def message(msgid):
    """Return ``(msgid, params)`` of a problem of ``informing_problems``, to translate."""
    return msgid, {"count": REASON_MAX_LENGTH}


def record_values(how, at, reason):
    """Return the record's field values as stored: no reason unless not reachable."""
    reason = (reason or "").strip() or None
    return {HOW: how, AT: at, REASON: reason if how == NOT_REACHABLE else None}
