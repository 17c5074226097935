"""What the register takes in at all: the characters a text may hold, the numbers that can
name a row and the years a date or month may fall in (DESIGN.md §4 item 17). No Flask
here: the pages and the command line share these rules.

Characters. A NUL byte ends an SQLite FTS5 query string ("unterminated string") and
PostgreSQL refuses it in any text value; the other C0 control characters (all but tab,
line feed and carriage return) are not allowed in XML 1.0, so an XLSX export holding one
could not be written (openpyxl refuses it). Nobody types them: they come from pasted
binary or a crafted request. So every request carrying one in its address or form is
refused whole (``app.py`` answers 400 before any view runs), and the search reads one as
a word break (``services/search.py``) for callers outside a request. Tab, line feed and
carriage return are ordinary text (text areas hold them). Lone surrogates and
U+FFFE/U+FFFF belong to the same class; they cannot arrive over HTTP (Werkzeug keeps an
invalid UTF-8 sequence as its %-escapes), only from Python callers.

Ids. A row's id is a positive 64-bit signed integer; a longer number overflows SQLite's
integer ("Python int too large to convert to SQLite INTEGER") before any row is looked
at. ``parse_id`` turns what was typed or sent into an id, or None.

Years. Python's dates end at 9999-12-31, so "the month after December 9999" overflows, and
a date near year 1 overflows when a time zone or a period is subtracted. Dates and months
typed in are bounded to ``FIRST_YEAR``–``LAST_YEAR``: wide enough for any birth date,
invoice or period of the register, far from either end of the calendar.
"""

import datetime
import re

from services.errors import N_

MAX_ID = 2**63 - 1
MAX_DIGITS = 30

UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FIRST_YEAR = 1900
LAST_YEAR = 2100
# What a form says of a date outside them (parameters: first, last).
YEAR_MESSAGE = N_("Check the year: give a date from %(first)s to %(last)s.")


def has_unstorable(text):
    """Tell whether ``text`` holds a character no field may hold (see above)."""
    return UNSTORABLE.search(text) is not None


def unstorable_as_spaces(text):
    """Return ``text`` with each character no field may hold replaced by a space."""
    return UNSTORABLE.sub(" ", text)


def _integer(value):
    """Return ``value`` (text or a number) as an integer written in ASCII digits (a sign
    allowed), or None: ``int`` would also take "٣٦", "３６" and "3_6"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    # At most MAX_DIGITS: no id or period is longer, and Python refuses to read over 4300.
    if len(digits) > MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


def parse_id(value):
    """Return ``value`` (text or a number; a one-item list as its item) as a row id, or None
    when it cannot be one."""
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else None
    number = _integer(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def whole_number(value, low, high):
    """Return ``value`` (text or a number) as a whole number from ``low`` to ``high``, or
    None when it is not one."""
    number = _integer(value)
    return number if number is not None and low <= number <= high else None


def year_in_range(value):
    """Tell whether the date (or datetime) ``value`` falls in FIRST_YEAR … LAST_YEAR."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text):
    """Return the date written ``YYYY-MM-DD`` in ``text`` (spaces around allowed), or None.

    Only that form: Python's ``date.fromisoformat`` also reads "2026-W01-1" (a day of an ISO
    week) and "20260101", which nobody means when a form asks for a day."""
    text = str(text if text is not None else "").strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
