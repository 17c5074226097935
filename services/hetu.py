"""Finding Finnish personal identity codes (henkilötunnus) in free text.

The register must never store a henkilötunnus (seed §6), free text included. A code is
``DDMMYYCNNNX``: birth date, century sign, individual number and check character.

People and copy-paste write it in many ways (DESIGN.md §4 item 18), so the text is first
read as a person sees it: Unicode NFKC (full-width digits and letters become ASCII),
invisible format characters dropped (zero-width space, word joiner, soft hyphen, BOM …),
every dash a hyphen and every space a plain space. In that text a candidate is found
loosely and then confirmed by its check character, individual number and date — the rules
of python-stdnum's ``stdnum.fi.hetu``, temporary numbers 900–999 included (a test holds
the two the same; stdnum itself is ten times slower here):

- with a century sign (any case, any dash, spaces around it) it is a code wherever it is,
  glued to a word too (``HETU131052-308T``): nine digits, a sign in its place and a check
  character that fits are no accident. Only a longer run of digits (``9131052-308T``) is
  another number;
- without it — ``131052308T``, or ``131052 308T`` with a space for the sign — it is a code
  when it stands as a word of its own and its date is valid in some century. Glued to
  letters (``PO2403151234``) or after a ``+`` (``+4681234567``, a phone number in
  E.164) ten such characters are taken for another number.

A Y-tunnus (``0737546-2``), a phone number as people write one (``040 123 4567``,
``+358 40 123 4567``), a date or a code with a wrong check character is not a
henkilötunnus. Ten digits written together can be one, whatever they were meant as: the
refusal then says how to write a phone number so that it passes (``refusal``).
"""

import bisect
import datetime
import itertools
import re
import unicodedata
from typing import NamedTuple

from services.errors import N_

HETU_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in the "
                  "register: remove it from the text.")
NO_SIGN_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in the "
                     "register: remove it. If it is a phone number, write it with spaces "
                     "between the groups, e.g. 040 123 4567 (ten digits written together can "
                     "be a henkilötunnus).")

# Read as dashes besides Unicode's dash punctuation (category Pd): minus signs and the
# hyphen bullet.
_OTHER_DASHES = frozenset("\u02d7\u2043\u2212\u2796")
# Invisible characters that are not format characters (category Cf) but are ignored in
# display all the same (Unicode's Default_Ignorable_Code_Point): the combining grapheme
# joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation selectors.
_OTHER_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)
# How many characters' readings are kept; past that they are worked out each time.
_TABLE_LIMIT = 20000


def _read(char):
    """Return ``char`` as the detector reads it: NFKC, no format character, one dash, one
    space."""
    if unicodedata.category(char) == "Cf" or char in _OTHER_IGNORABLE:
        return ""
    read = []
    for c in unicodedata.normalize("NFKC", char):
        if c.isspace():
            c = " "
        elif c in _OTHER_DASHES or unicodedata.category(c) == "Pd":
            c = "-"
        read.append(c)
    return "".join(read)


class _ReadingTable(dict):
    """A ``str.translate`` table giving each character's reading, worked out once."""

    def __missing__(self, code_point):
        reading = _read(chr(code_point))
        if len(self) < _TABLE_LIMIT:
            self[code_point] = reading
        return reading


_READING = _ReadingTable()


def normalise(text):
    """Return ``text`` as the detector reads it (see the module docstring)."""
    return text.translate(_READING)


# Century signs: "+" (1800s), "-" and Y X W V U (1900s), A B C D E F (2000s).
_CODE = re.compile(
    r"(?<![0-9])"  # not the end of a longer number
    r"([0-9]{6})"  # DDMMYY
    r"(?:( {0,3}[-+A-FU-Ya-fu-y] {0,3})"  # the century sign, maybe spaced
    r"|( {1,3})"  # a space written for the sign
    r"|)"  # no sign at all
    r"([0-9]{3}[0-9A-Ya-y])"  # individual number and check character
    r"(?![0-9])"  # not the start of a longer number
)
# With a sign that is no letter, a code written in groups is one too: the date in pairs
# ("13 10 52-308T", "13.10.52-308T", "1310 52-308T"), the sign doubled ("131052--308T"),
# the check character apart ("131052-308 T"). Letters are not taken as the sign here
# ("12.03.26 A 123 4" is an order line as likely as a code), nor a slash (a serial number
# "SN 131052/3083").
_GROUPED = re.compile(
    r"(?<![0-9])"
    r"([0-9]{2})[ .]?([0-9]{2})[ .]?([0-9]{2})"
    r" {0,3}(--|[-+]) {0,3}"
    r"([0-9]{3}) ?([0-9A-Ya-y])"
    r"(?![0-9])"
)
_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
# Without its sign a code's century is unknown; the check character does not depend on
# it, but the date does (29 February).
_SIGNS_TO_TRY = ("-", "A", "+")
_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


class Found(NamedTuple):
    """A henkilötunnus found in normalised text: where, the code, and whether it had its
    century sign (without it, ten digits of a phone number may be one)."""

    start: int
    end: int
    code: str
    signed: bool


def _check_fits(date, rest):
    """Tell whether the check character of ``rest`` (NNNX, upper case) fits and the
    individual number is one ever given (from 002; 900–999 are temporary ones)."""
    return _CHECK_CHARACTERS[int(date + rest[:3]) % 31] == rest[3] and int(rest[:3]) >= 2


def _born(date, sign):
    """Tell whether ``date`` (DDMMYY) is a day of the century of ``sign``."""
    try:
        datetime.date(_CENTURIES[sign] + int(date[4:]), int(date[2:4]), int(date[:2]))
    except ValueError:
        return False
    return True


def _stands_alone(read, start, end):
    """Tell whether ``read[start:end]`` is a word of its own (and no E.164 number)."""
    before = read[start - 1] if start else " "
    after = read[end] if end < len(read) else " "
    return not (before.isalnum() or before == "+" or after.isalnum())


def _found(read):
    """Yield every henkilötunnus in ``read``, a normalised text."""
    plain = list(_found_plain(read))
    yield from plain
    seen = {(f.start, f.end) for f in plain}
    for match in _GROUPED.finditer(read):
        day, month, year, sign, number, check = match.groups()
        date, rest = day + month + year, (number + check).upper()
        if (match.start(), match.end()) in seen or not _check_fits(date, rest):
            continue
        sign = sign[0]  # "--" is "-"
        if _born(date, sign):
            yield Found(match.start(), match.end(), date + sign + rest, True)


def _found_plain(read):
    """Yield every henkilötunnus of ``_CODE`` in ``read``."""
    for match in _CODE.finditer(read):
        date, sign, _space, rest = match.groups()
        rest = rest.upper()
        if not _check_fits(date, rest):
            continue
        if sign is not None:
            sign = sign.strip().upper()
            if _born(date, sign):
                yield Found(match.start(), match.end(), date + sign + rest, True)
        elif _stands_alone(read, match.start(), match.end()):
            sign = next((s for s in _SIGNS_TO_TRY if _born(date, s)), None)
            if sign is not None:
                yield Found(match.start(), match.end(), date + sign + rest, False)


def find_codes(*texts):
    """Return every henkilötunnus in ``texts`` (None and non-text ignored)."""
    texts = dict.fromkeys(text for text in texts if isinstance(text, str) and text)
    return [found for text in texts for found in _found(normalise(text))]


def find_hetu(text):
    """Return every substring of ``text`` that is a valid henkilötunnus, as written."""
    if not isinstance(text, str) or not text:
        return []
    read = normalise(text)
    found = list(_found(read))
    if not found or text.isascii():  # an ASCII character reads as one character
        return [text[f.start:f.end] for f in found]
    # Where each character's reading starts in the normalised text.
    starts = list(itertools.accumulate(
        map(len, map(_READING.__getitem__, map(ord, text))), initial=0))
    return [text[bisect.bisect_right(starts, f.start) - 1:bisect.bisect_left(starts, f.end)]
            for f in found]


def contains_hetu(text):
    """Tell whether ``text`` contains a valid henkilötunnus."""
    return bool(isinstance(text, str) and text and next(_found(normalise(text)), None))


def refusal(*texts, message=HETU_MESSAGE, no_sign_message=NO_SIGN_MESSAGE):
    """Return the msgid refusing ``texts``, or None when none holds a henkilötunnus.

    ``message`` says to remove the code; ``no_sign_message`` — used when every code found
    lacks its century sign, as ten digits of a phone number may — also says how to write
    a phone number so that it passes.
    """
    found = find_codes(*texts)
    if not found:
        return None
    return message if any(f.signed for f in found) else no_sign_message
