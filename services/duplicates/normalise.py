"""How the duplicate check reads a value: the normalised keys two customers are compared by.

Every function takes what a form or an import row holds (any text, ``None``) and returns
the key, or ``None`` when there is nothing to compare (empty or unreadable). The keys are
the ones the database is queried with, so a stored value and a typed one meet:

- email: trimmed, ASCII letters lowered (``lower(email)`` on both databases; SQLite's
  ``lower`` folds only ASCII, so only ASCII is folded here too, and both agree).
- Y-tunnus: ``1234567-8`` (python-stdnum's ``fi.ytunnus``: "12345678", "1234567 8",
  "FI12345678" all read the same); an invalid one is no key.
- phone: E.164 (``+358401234567``), as the customer form stores it; Finnish by default.
- name: casefolded, whitespace runs as one space, trimmed.
"""

import functools
import re

import phonenumbers
from stdnum.fi import ytunnus

from services.inputs import unstorable_as_spaces

# The trigram similarity (0..1) from which two names count as similar: see name_similarity.
SIMILAR_NAME_THRESHOLD = 0.5

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as pg_trgm reads words
# Longer values are not a customer's: no key (and no huge query parameter).
_MAX_LENGTH = 320


def _text(value):
    if value is None:
        return None
    text = unstorable_as_spaces(str(value)).strip()
    if not text or len(text) > _MAX_LENGTH:
        return None
    return text


def normalise_email(text):
    """Return the email as compared: trimmed, ASCII letters lowered; None if empty."""
    text = _text(text)
    return text.translate(_ASCII_LOWER) if text and "@" in text else None


def normalise_business_id(text):
    """Return the Y-tunnus as stored (``1234567-8``), or None if empty or invalid."""
    text = _text(text)
    if not text:
        return None
    try:
        return ytunnus.format(text) if ytunnus.is_valid(text) else None
    except Exception:  # stdnum raises its own ValidationError subclasses on odd input
        return None


def normalise_phone(text):
    """Return the phone number in E.164 as stored, or None if empty or not a number."""
    text = _text(text)
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_name(text):
    """Return a name as compared: casefolded, whitespace runs as one space; None if empty."""
    text = _text(text)
    return " ".join(text.casefold().split()) if text else None


def normalise_postal_code(text):
    """Return the postal code as compared (trimmed), or None if empty."""
    text = _text(text)
    return text if text and len(text) <= 10 else None


def full_name(values):
    """Return the normalised name of a customer's values: "first last" of a person, else
    the company or organisation name (either when the kind is not known)."""
    kind = values.get("kind")
    person = " ".join(filter(None, (normalise_name(values.get("first_name")),
                                    normalise_name(values.get("last_name")))))
    company = normalise_name(values.get("name")) or ""
    if kind == "person":
        return person or None
    if kind in ("company", "organisation"):
        return company or None
    return person or company or None


@functools.lru_cache(maxsize=65536)  # names repeat: an import compares each many times
def trigrams(name):
    """Return the trigrams of a normalised name as pg_trgm forms them: each word of letters
    and digits, padded with two spaces before and one after."""
    grams = set()
    for word in _WORD.findall(name or ""):
        padded = "  " + word + " "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def name_similarity(a, b):
    """Return the trigram similarity of two normalised names: shared trigrams over all
    trigrams (Jaccard), as pg_trgm's ``similarity``; 0.0 if either is empty."""
    return trigram_similarity(trigrams(a), trigrams(b))


def trigram_similarity(first, second):
    """Return the similarity of two sets of trigrams (``trigrams``): shared over all."""
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def name_tokens(name):
    """Return the substrings a similar name is looked for by: of each word of three or more
    characters its first and its last four characters (a typo in the middle of every word
    still finds the customer; see services/duplicates/matching.py)."""
    tokens = set()
    for word in _WORD.findall(name or ""):
        if len(word) >= 3:
            tokens.add(word[:4])
            tokens.add(word[-4:])
    return sorted(tokens)[:MAX_NAME_TOKENS]


# A name of many words is looked for by at most this many substrings.
MAX_NAME_TOKENS = 12
