"""Phone numbers as a person reads them: ``+358 40 380 6251``.

Numbers are stored as E.164 (``+358403806251``, forms/validators.py). Every page that
shows one — the customer's page and its contact persons, the lists, the inspection
report in HTML and PDF — shows it through ``display_phone``, in the international format
with spaces (ITU-T E.123): the country code, the area or operator code, then the
subscriber number. A Finnish subscriber number is grouped from the end, the last group of
four (``+358 9 310 1641``, ``+358 40 380 6251``); other countries' numbers are grouped as
python-phonenumbers groups them, with spaces for its hyphens (``+1 202 555 0123``).

A value stored before numbers were checked ("040-123 45 67 (ilt.)", "ask at desk") is not
a stored E.164 number: it is shown exactly as stored, never guessed at and never an error.
Exports keep the stored E.164 (a spreadsheet or an SMS service reads that).

A list page shows a number on nearly every row: a Finnish number (``+358`` and no trunk
``0`` after it) is taken apart by hand, as ``phonenumbers.parse`` would take it apart (a
test compares the two over every kind of Finnish number): showing one then takes 14 µs
instead of 40. Every other number is parsed by the library. The library's answer for a
Finnish number — whether it is valid, and how long its area or operator code is — depends
on its first five digits and its length only (its Finnish rules look no further; a test
compares over thousands of numbers): that answer is kept per first five digits and length,
and a number of a shape seen before is shown in 2 µs.
"""

import re

import phonenumbers

E164 = re.compile(r"^\+[1-9]\d{4,14}$")
# A Finnish subscriber number of this many digits, in groups of these sizes.
FINNISH_GROUPS = {5: (5,), 6: (3, 3), 7: (3, 4), 8: (4, 4), 9: (3, 3, 3), 10: (3, 3, 4)}


# A Finnish number's shape → the lengths of its parts after +358 as the library writes
# them (() when the library finds the number invalid).
_FINNISH_SHAPES = {}
MAX_SHAPES = 50_000


def display_phone(value):
    """Return a stored phone number for reading; anything not E.164 as stored ("" for None)."""
    if value is None:
        return ""
    text = str(value)
    if not E164.match(text):
        return text
    if text.startswith("+358") and text[4:5] not in ("", "0"):
        return _finnish(text)
    return _by_library(text)


def _finnish(text):
    """Return the Finnish number ``text`` (E.164, no trunk 0) for reading, as
    ``_by_library`` would, from the shape kept for its first five digits and length."""
    national = text[4:]
    key = (national[:5], len(national))
    lengths = _FINNISH_SHAPES.get(key)
    if lengths is None:
        shown = _by_library(text)
        lengths = () if shown == text else tuple(len(part) for part in shown.split()[1:])
        if len(_FINNISH_SHAPES) >= MAX_SHAPES:
            _FINNISH_SHAPES.clear()
        _FINNISH_SHAPES[key] = lengths
        return shown
    if not lengths:
        return text
    return "+358 " + " ".join(_groups(national, lengths))


def _by_library(text):
    """Return the E.164 number ``text`` for reading as python-phonenumbers formats it (a
    Finnish subscriber number grouped as FINNISH_GROUPS), or ``text`` if it is not valid."""
    try:
        number = _parsed(text)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    parts = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL).replace("-", " ").split()
    if number.country_code == 358 and len(parts) == 3:
        parts[2:] = _groups(parts[2], FINNISH_GROUPS.get(len(parts[2]), (len(parts[2]),)))
    return " ".join(parts)


def _parsed(text):
    """Return the PhoneNumber of ``text`` (an E.164 number), as ``phonenumbers.parse``."""
    if text.startswith("+358") and len(text) > 5 and text[4] != "0":
        return phonenumbers.PhoneNumber(country_code=358, national_number=int(text[4:]))
    return phonenumbers.parse(text, None)


def _groups(digits, sizes):
    """Split ``digits`` into groups of ``sizes``."""
    groups, start = [], 0
    for size in sizes:
        groups.append(digits[start:start + size])
        start += size
    return groups
