"""Customer search: Unicode case-insensitive substring search over names, email, Y-tunnus
and phone numbers, served by an index on both databases (DESIGN.md §3 item 7).

``customer_search_condition(term)`` returns a condition for ``Customer.select().where()``
— ``None`` for an empty term, which ``.where(None)`` takes as no condition. It combines
with other conditions (``&``, a section scope) and with any ORDER BY and LIMIT/OFFSET.
Building it may query the database (PostgreSQL asks the planner for an estimate), so
build it per request with the database bound, not once at import or on a shared object.

The indexes come from ``migrations/004_search.py``:

- SQLite: the FTS5 trigram table ``customer_fts`` (kept in step by triggers), matched
  through ``Customer.id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?
  ORDER BY rowid DESC LIMIT ?)``.
  The trigram tokenizer folds case for Unicode (ä/Ä, å/Å, ö/Ö), where SQLite's own
  ``lower()`` and ``LIKE`` fold only ASCII.
- PostgreSQL: ``LIKE`` over the lowered concatenation of the columns, exactly the
  expression of the GIN ``gin_trgm_ops`` index. The database's LC_CTYPE must be a UTF-8
  locale (C.UTF-8, fi_FI.UTF-8 …): under plain "C", ``lower()`` folds only ASCII.

How a term is read:

- It is split into words at whitespace; a customer must match every word (AND), each
  anywhere in first name, last name, company name, email, Y-tunnus, phone or mobile.
  Words are literal: ``%``, ``_``, ``"``, ``*``, ``-``, ``OR``, ``NEAR`` … are plain
  characters (quoted for FTS5, escaped for LIKE), never syntax. A control character
  (a NUL …, see services/inputs.py) separates words like a space.
- Consecutive words made only of digits and ``+ - ( ) /`` are one phone-like word
  ("040 123 4567"), matched as written without spaces, as bare digits, or normalised:
  a whole valid number (``phonenumbers``, region FI) as its E.164 digits without the
  country code ("040 123 4567", "0401234567", "+358 40 123 4567" → "401234567", which
  the stored "+358401234567" contains; leaving out "358", present in nearly every
  stored number, makes the index lookup several times cheaper), a partial one of four
  or more digits by its dialling prefix ("040 123" → "35840123").
- Words of one or two characters cannot use a trigram index. Alone, a short word finds
  the customers whose sort name starts with it — "last, first" of a person, the name of
  a company or organisation, casefolded — or, if it is digits, whose Y-tunnus does,
  through their B-tree indexes: "vi" finds "Virtanen, Anna" and "Viking Line Oy" but
  not Olavi Lehtonen, "07" finds Y-tunnus 0737546-2. Next to a longer word (or after
  another short word) it keeps the matches with *a word* of the sort name (or the
  Y-tunnus) starting with it: "virtanen a" and "vi an" find Anna Virtanen.
- Only the first ``MAX_WORDS`` words count.

Common terms, the trade-off. To show a page sorted by sort name, the database either
fetches every match and sorts them (time grows with the number of matches: about
1.5 µs a match on SQLite, 5 µs on PostgreSQL at 1 000 000 customers), or walks the
sort_name index testing customers until the page is full (instant when matches are
everywhere, seconds when they all sort late: PostgreSQL's own plan for "Töölön",
6 006 matches, took 2–5 s). So:

- At most ``max_candidates()`` matches are taken from the index — 10 000 on SQLite
  (the newest, by id), 5 000 on PostgreSQL (in table order) — and sorted. Up to that
  the result is exact. A term matching more lists only those candidates: the first page
  is then the first by name *among them*, not among all matches, and a count stops at
  the cap. Tell the user when the count reaches ``max_candidates()`` ("over 5 000
  matches: add a word").
- PostgreSQL exception: when the planner expects a term to match at least
  ``VERY_COMMON_SHARE`` (5 %) of all customers, the plain trigram ``LIKE`` is used and
  PostgreSQL walks the sort_name index: exact, and about 1–20 ms because the matches
  are everywhere. The risk left is a term matching 5 % or more whose matches all sort
  late (say 10 % of the customers named "Kiinteistö Oy …"): the walk passes everything
  before them.

Measured at 1 000 000 customers (demo data, 2 cores shared with other work; median and
p95 of 20 runs of search + ``ORDER BY sort_name LIMIT 20``, condition building included):
    term (matches)             SQLite          PostgreSQL
    "fogel" (5)                0.4 / 0.4 ms    1.6 / 1.8 ms
    "040 970 8246" (1)         1.9 / 2.1       3.0 / 3.2
    "anna virtanen" (23)       7.3 / 7.5       5.9 / 6.1
    "virtanen" (2 983)        10.2 / 10.8     19.7 / 22.7
    "Töölön" (6 006)           8.6 / 9.8      26.3 / 27.2   PostgreSQL: capped
    "sson" (31 449)           11.6 / 11.9     25.0 / 26.7   both capped
    "säätiö" (57 132)         12.0 / 12.7     23.2 / 28.1   SQLite capped, PG walks
    "nen" (401 943)            6.8 / 7.8       1.8 / 2.1    SQLite capped, PG walks
    "example" (790 036)        7.4 / 7.7       1.7 / 2.3    SQLite capped, PG walks
    "vi" (9 762; short word)   0.6 / 0.7      15.9 / 17.0
    "07" (11 211; short word) 16.1 / 27.3     38.7 / 43.4

The naive ``LIKE``/``ILIKE '%fogel%'`` over the same columns, same ORDER BY and LIMIT:
2 013 / 3 755 ms on SQLite, 2 254 / 2 515 ms on PostgreSQL (a plain scan without the
ORDER BY: 307 and 711 ms). Of 100 terms of 3–8 characters cut from random customers,
every one had p95 ≤ 27 ms on SQLite; on PostgreSQL 99 of them ≤ 44 ms and one,
"3@exa", 447 ms: pg_trgm indexes runs of letters and digits only, so "3@exa" is looked
up as "exa" (in every demo email) and 450 000 rows are rechecked to find 5 000. A term
whose letter-and-digit runs are all very common costs that on PostgreSQL. Counting
the matches (Flask-Admin's pager) is cheap for a capped term but 0.1–0.5 s for a very
common one on PostgreSQL: use ``simple_list_pager``.
"""

import json
import re

import peewee as pw
import phonenumbers

import database
from models import FIELD_CATEGORIES, Customer, db
from services.inputs import unstorable_as_spaces

# The searched columns, in the order of the index in migrations/004_search.py.
SEARCH_COLUMNS = ("first_name", "last_name", "name", "email", "business_id", "phone", "mobile")

# A trigram index needs three characters; shorter words take the prefix route.
MIN_INDEXED_LENGTH = 3
# Words beyond this are ignored (a pasted paragraph must not become a huge query).
MAX_WORDS = 8
# A phone-like word of at least this many digits is also tried normalised.
MIN_PHONE_DIGITS = 4
# At most this many matches are taken from the index and sorted by sort name (see
# "Common terms" above): 15–25 ms of work at 1 000 000 customers.
SQLITE_MAX_CANDIDATES = 10000
POSTGRES_MAX_CANDIDATES = 5000
# PostgreSQL: a term the planner expects to match at least this share of all customers
# is left to walk the sort_name index.
VERY_COMMON_SHARE = 0.05

_PHONE_WORD = re.compile(r"[+\d()/-]*\d[+\d()/-]*")
_NON_DIGIT = re.compile(r"\D")
_Y_TUNNUS_START = re.compile(r"[\d-]+")

# --- Reading the term ----------------------------------------------------------------


def _phone_forms(word):
    """Return the forms a phone-like ``word`` is matched in (any one of them will do)."""
    digits = _NON_DIGIT.sub("", word)
    forms = [word, digits]
    if len(digits) >= MIN_PHONE_DIGITS:
        number = None
        try:
            number = phonenumbers.parse(word, "FI")
        except phonenumbers.NumberParseException:
            pass
        if number is not None and phonenumbers.is_valid_number(number):
            # The E.164 form without its country code: "040 123 4567" → "401234567",
            # which "+358401234567" contains. Leaving out "358" (in nearly every stored
            # number) makes the trigram lookup several times cheaper.
            forms.append(phonenumbers.national_significant_number(number))
        elif word.startswith("+"):
            forms.append(digits)
        elif digits.startswith("00"):
            forms.append(digits[2:])
        elif digits.startswith("0"):  # a partial national number: "040 123" → "35840123"
            forms.append("358" + digits[1:])
    # Spaces would let a form match across two columns of the concatenation.
    forms = sorted({f for f in forms if f and " " not in f}, key=len)
    # A text containing a longer form contains any shorter form inside it: keep the shorter.
    kept = []
    for form in forms:
        if not any(shorter in form for shorter in kept):
            kept.append(form)
    return tuple(kept)


def search_words(term):
    """Split ``term`` into words, each a tuple of the alternative forms it may match in."""
    words = []
    phone = []
    # A NUL would end the FTS5 query string and is refused in a PostgreSQL value; no stored
    # text holds one (services/inputs.py), so such a character can only separate words.
    # The pages refuse it before this; callers outside a request meet it here.
    for part in unstorable_as_spaces(term or "").split():
        if _PHONE_WORD.fullmatch(part):
            phone.append(part)
            continue
        if phone:
            words.append(_phone_forms("".join(phone)))
            phone = []
        words.append((part,))
    if phone:
        words.append(_phone_forms("".join(phone)))
    return [w for w in words if w][:MAX_WORDS]


# --- Building the condition ----------------------------------------------------------


def _or(conditions):
    result = None
    for condition in conditions:
        result = condition if result is None else (result | condition)
    return result


def _and(conditions):
    result = None
    for condition in conditions:
        result = condition if result is None else (result & condition)
    return result


def _fts_phrase(text):
    """Quote ``text`` as one FTS5 string: no operator, column filter or prefix syntax."""
    return '"' + text.replace('"', '""') + '"'


def _fts_query(words):
    """Return an FTS5 query matching every word (each in any of its forms)."""
    parts = []
    for forms in words:
        phrases = [_fts_phrase(f) for f in forms]
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return " AND ".join(parts)


def _fts_condition(words):
    """Customers matching every word, through the FTS5 trigram index (SQLite)."""
    # The parentheses are part of the SQL: peewee does not add them around an SQL node.
    return Customer.id.in_(
        pw.SQL(
            "(SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?)",
            [_fts_query(words), SQLITE_MAX_CANDIDATES],
        )
    )


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _SearchText(pw.ColumnBase):
    """The lowered concatenation of ``SEARCH_COLUMNS``, the expression the PostgreSQL
    trigram index is built on (migrations/004_search.py), as one node.

    Built of peewee's nodes it was 29 of them, written again every time a search's SQL is
    (about 0.35 ms each time, three times a search). Its text depends only on the table's
    alias in the statement and the quote characters, and holds no value: it is written
    once for each and kept. ``tests/test_search.py`` compares it with peewee's writing.
    """

    _written = {}

    def __sql__(self, ctx):
        quote = ctx.state.quote or '""'
        alias = ctx.alias_manager[Customer._meta.table]
        text = self._written.get((alias, quote))
        if text is None:
            table = quote[0] + alias + quote[1]
            parts = [f"COALESCE({table}.{quote[0]}{getattr(Customer, c).column_name}"
                     f"{quote[1]}, '')" for c in SEARCH_COLUMNS]
            text = parts[0]
            for part in parts[1:]:
                text = f"({text} || ' ') || {part}"
                text = text if part is parts[-1] else f"({text})"
            text = self._written.setdefault((alias, quote), f"LOWER({text})")
        return ctx.literal(text)


_SEARCH_TEXT = _SearchText()


def _trigram_condition(text):
    pattern = pw.NodeList(
        (pw.fn.LOWER("%" + _escape_like(text) + "%"), pw.SQL("ESCAPE"), pw.Value("\\"))
    )
    return pw.Expression(_SEARCH_TEXT, pw.OP.LIKE, pattern)


def _trigram_matches(words):
    """Customers matching every word (each in one of its forms), as trigram LIKEs."""
    return _and(_or(_trigram_condition(f) for f in forms) for forms in words)


def _customer_total(estimates):
    """Return the planner's count of customers (``pg_class.reltuples``), once per
    ``estimates`` (a dict the caller keeps for one request, or None)."""
    if estimates is not None and "total" in estimates:
        return estimates["total"]
    total = db.execute_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'customer'::regclass").fetchone()[0]
    if estimates is not None:
        estimates["total"] = total
    return total


def _estimated_share(words, estimates=None):
    """Return the share of all customers the PostgreSQL planner expects to match every
    word of ``words``; asked once per ``estimates`` (see ``_customer_total``)."""
    key = ("share", tuple(tuple(forms) for forms in words))
    if estimates is not None and key in estimates:
        return estimates[key]
    sql, params = Customer.select(pw.SQL("1")).where(_trigram_matches(words)).sql()
    plan = db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = plan[0]["Plan"]["Plan Rows"]
    total = _customer_total(estimates)
    share = rows / total if total and total > 0 else 0.0
    if estimates is not None:
        estimates[key] = share
    return share


def _trigram_index_condition(words, estimates=None):
    """Customers matching every word, through the pg_trgm GIN index (PostgreSQL)."""
    matches = _trigram_matches(words)
    if _estimated_share(words, estimates) >= VERY_COMMON_SHARE:
        # Matches are everywhere: PostgreSQL walks the sort_name index and stops at the
        # first page, exact and fast.
        return matches
    # Otherwise take at most POSTGRES_MAX_CANDIDATES ids from the GIN index first. The
    # planner cannot see into the array, so it never walks the sort_name index hoping to
    # meet matches early (seconds when they all sort late, as for "Töölön").
    candidates = Customer.select(Customer.id).where(matches).limit(POSTGRES_MAX_CANDIDATES)
    return Customer.id == pw.fn.ANY(pw.fn.ARRAY(candidates))


def search_is_capped(term, estimates=None):
    """Tell, cheaply, whether ``term`` matches more customers than a search takes in.

    SQLite counts the FTS5 index entries up to the cap (no table rows are read);
    PostgreSQL asks the planner for its estimate (``estimates``: a dict kept for the
    request, shared with ``customer_search_condition``, so the planner is asked once).
    The section scope is not applied: the cap is taken before it.
    """
    words = [w for w in search_words(term) if all(len(f) >= MIN_INDEXED_LENGTH for f in w)]
    if not words:
        return False
    if database.is_sqlite():
        found = db.execute_sql(
            "SELECT count(*) FROM (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?"
            " LIMIT ?)", (_fts_query(words), SQLITE_MAX_CANDIDATES)).fetchone()[0]
        return found >= SQLITE_MAX_CANDIDATES
    total = _customer_total(estimates)
    share = _estimated_share(words, estimates)
    # A very common term is searched exactly (see _trigram_index_condition).
    return share < VERY_COMMON_SHARE and share * max(total or 0, 0) >= POSTGRES_MAX_CANDIDATES


def max_candidates():
    """Return how many matches a search takes from the index at most (see "Common terms")."""
    return SQLITE_MAX_CANDIDATES if database.is_sqlite() else POSTGRES_MAX_CANDIDATES


def _indexed_condition(words, estimates=None):
    """Customers matching every word (each in one of its forms, all of 3+ characters)."""
    if database.is_sqlite():
        return _fts_condition(words)
    return _trigram_index_condition(words, estimates)


def _successor(prefix):
    """Return the smallest string above every string that starts with ``prefix``, or None."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:
        code = 0xE000
    if code > 0x10FFFF:
        return None
    return prefix[:-1] + chr(code)


def _starts_with_indexed(field, prefix):
    """``field`` starts with ``prefix``, as a range its B-tree index can serve."""
    condition = field >= prefix
    upper = _successor(prefix)
    if upper is not None:
        condition &= field < upper
    # The range is exact for SQLite and C collations; the LIKE keeps it exact for others.
    return condition & field.startswith(prefix)


def _short_anchor(text):
    """A short word alone: the sort name (or, for digits, the Y-tunnus) starts with it."""
    if _Y_TUNNUS_START.fullmatch(text):
        return _starts_with_indexed(Customer.business_id, text)
    return _starts_with_indexed(Customer.sort_name, text.casefold())


def _short_filter(text):
    """A short word next to others: a word of the sort name, or the Y-tunnus, starts with it."""
    folded = text.casefold()
    condition = Customer.sort_name.startswith(folded) | Customer.sort_name.contains(" " + folded)
    if _Y_TUNNUS_START.fullmatch(text):
        condition |= Customer.business_id.startswith(text)
    return condition


def customer_search_condition(term, estimates=None, sections=None):
    """Return a condition for ``Customer.select().where()`` matching ``term``, or None if
    empty. ``estimates``: a dict the caller keeps for one request (see
    ``search_is_capped``), or None. ``sections``: every section, when a customer is to
    match only in the columns of the categories its section holds (the pages that show a
    customer as its section shows it; data of a removed category waits for the purge
    unseen, and a match on it would tell whose it is)."""
    words = search_words(term)
    if not words:
        return None
    held = _held_columns_filter(words, sections) if sections is not None else None
    found = _matching(words, estimates)
    return found if held is None else found & held


def _column_condition(column, form):
    """``column`` holds ``form`` (case-insensitively), as the trigram match reads it."""
    pattern = pw.NodeList(
        (pw.fn.LOWER("%" + _escape_like(form) + "%"), pw.SQL("ESCAPE"), pw.Value("\\"))
    )
    # ILIKE: peewee writes LIKE as SQLite's case-sensitive GLOB, ILIKE as its LIKE.
    return pw.Expression(pw.fn.LOWER(getattr(Customer, column)), pw.OP.ILIKE, pattern)


def _held_columns_filter(words, sections):
    """Return the condition that a customer of a section not holding every searched
    column's category matches every word in the columns its section holds; None when
    every section holds them all."""
    mapped = FIELD_CATEGORIES[Customer]
    partial = [(section.id, [c for c in SEARCH_COLUMNS if mapped[c] in section.category_set])
               for section in sections
               if any(mapped[c] not in section.category_set for c in SEARCH_COLUMNS)]
    if not partial:
        return None
    alternatives = [Customer.section.not_in([section_id for section_id, _c in partial])]
    for section_id, columns in partial:
        alternatives.append((Customer.section == section_id) & _and(
            _or(_column_condition(c, f) for c in columns for f in forms) for forms in words))
    return _or(alternatives)


def _matching(words, estimates):
    """Return the condition of the customers matching every one of ``words``."""

    def short(forms):
        return [f for f in forms if len(f) < MIN_INDEXED_LENGTH]

    # Words whose every form can use the trigram index narrow the candidates through it.
    fully_indexed = [w for w in words if not short(w)]
    conditions = [_indexed_condition(fully_indexed, estimates)] if fully_indexed else []
    partly_short = [(forms, [f for f in forms if f not in short(forms)]) for forms in words
                    if short(forms)]
    if not fully_indexed:
        # Short words only: the sort name starts with one of them (or a long form of one
        # matches), whichever order they were typed in ("Li Wu" is "wu, li"; only the
        # first was the sort name's start); then each is a word of it.
        conditions.append(_or(
            [_indexed_condition([long_forms], estimates)
             for _forms, long_forms in partly_short if long_forms]
            + [_short_anchor(f) for forms, _long in partly_short for f in short(forms)]))
    for forms, long_forms in partly_short:
        alternatives = [_indexed_condition([long_forms], estimates)] if long_forms else []
        alternatives.extend(_short_filter(f) for f in short(forms))
        conditions.append(_or(alternatives))
    return _and(conditions)
