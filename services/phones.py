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
test compares the two over every kind of Finnish number): showing one then takes 18 µs
instead of 40. Every other number is parsed by the library.
"""

import re

import phonenumbers

E164 = re.compile(r"^\+[1-9]\d{4,14}$")
# A Finnish subscriber number of this many digits, in groups of these sizes.
FINNISH_GROUPS = {5: (5,), 6: (3, 3), 7: (3, 4), 8: (4, 4), 9: (3, 3, 3), 10: (3, 3, 4)}


def display_phone(value):
    """Return a stored phone number for reading; anything not E.164 as stored ("" for None)."""
    if value is None:
        return ""
    text = str(value)
    if not E164.match(text):
        return text
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
