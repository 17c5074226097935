"""Finding Finnish personal identity codes (henkilötunnus) in free text.

The register must never store a henkilötunnus (seed §6), free text included. A code is
``DDMMYYCNNNX``: birth date, century sign, individual number and check character. People
write it in many ways, so a candidate is found loosely (any case, any dash, spaces around
or instead of the sign) and then confirmed by its date and check character with
python-stdnum. A Y-tunnus (``0737546-2``), a phone number, a date or a code with a wrong
check character is not a henkilötunnus.
"""

import re

from stdnum.fi import hetu

# Century signs: "+" (1800s), "-" and Y X W V U (1900s), A B C D E F (2000s).
_LETTER_SIGNS = "ABCDEFUVWXY"
# Characters people type (or word processors substitute) for the hyphen: hyphen-minus,
# hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign,
# small and fullwidth hyphen-minus.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_DASH_TRANSLATION = str.maketrans({dash: "-" for dash in _DASHES})

# At most this much whitespace around the sign, or instead of it.
_GAP = r"\s{0,3}"

_CANDIDATE = re.compile(
    r"(?<![^\W_])"  # not glued to a letter or digit on the left
    r"[0-9]{6}"  # DDMMYY
    rf"(?:{_GAP}[+{re.escape(_DASHES)}{_LETTER_SIGNS}]{_GAP}|\s{{1,3}})"  # century sign
    r"[0-9]{3}"  # individual number
    r"[0-9A-Y]"  # check character
    r"(?![^\W_])",  # not glued to a letter or digit on the right
    re.IGNORECASE,
)

# When the sign is missing (only a space between the halves) the century is unknown; the
# check character does not depend on it, but the date does (29 February).
_SIGNS_TO_TRY = ("-", "A", "+")


def _normalise_candidate(candidate):
    """Return ``candidate`` in upper case with dashes unified and whitespace removed."""
    return "".join(candidate.translate(_DASH_TRANSLATION).upper().split())


def _is_hetu(candidate):
    """Tell whether a candidate found by the pattern is a valid henkilötunnus."""
    code = _normalise_candidate(candidate)
    if len(code) == 11:
        return _is_valid(code)
    # Ten characters: the sign was written as whitespace.
    return any(_is_valid(code[:6] + sign + code[6:]) for sign in _SIGNS_TO_TRY)


def _is_valid(code):
    """Check one normalised code; temporary ids (individual number 900–999) count too."""
    return hetu.is_valid(code, allow_temporary=True)


def find_hetu(text):
    """Return every substring of ``text`` that is a valid henkilötunnus, as written."""
    if not text:
        return []
    return [m.group(0) for m in _CANDIDATE.finditer(text) if _is_hetu(m.group(0))]


def contains_hetu(text):
    """Tell whether ``text`` contains a valid henkilötunnus."""
    if not text:
        return False
    return any(_is_hetu(m.group(0)) for m in _CANDIDATE.finditer(text))
