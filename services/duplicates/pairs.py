"""The possible duplicates already in a section's register, as pairs of customers, paged.

Set-based SQL on the indexes of migrations/026_duplicates.py, one query a page, no loop
over the customers in Python:

- ``business_id``, ``email`` (lowered), ``name_and_birth_date`` (the same sort name and
  birth date): the keys held by more than one customer of the section
  (``GROUP BY key HAVING count(*) > 1``), joined back to their customers, each pair once
  (``a.id < b.id``), in key order.
- ``similar_name``: the customers in (postal code, sort name) order — the order of the
  index ``(section_id, postal_code, sort_name)`` — each paired with the next one in the
  same postal code when their names start with the same three characters and their
  trigram similarity reaches ``SIMILAR_NAME_THRESHOLD`` (pg_trgm's ``similarity`` on
  PostgreSQL, the same measure in Python, services/duplicates/normalise.py, on SQLite).
  Comparing neighbours only (the "sorted neighbourhood" method) keeps it one ordered walk
  of the index that stops when the page is full; two similar names far apart in the
  order (their first letters differ) are not paired here, the check of a new customer
  still finds them.

A page asks for one row more than it shows, to tell whether there is a next one; there is
no total count (it would read the whole section every time).
"""

from dataclasses import dataclass

import database
from models import FIELD_CATEGORIES, Customer, Section, db
from services.duplicates.normalise import SIMILAR_NAME_THRESHOLD, name_similarity

PAGE_SIZE = 25

# Each exact reason's key columns ({t} is the table alias) and which rows have the key.
_EXACT_KEYS = {
    "business_id": (("{t}business_id",), "business_id IS NOT NULL"),
    "email": (("lower({t}email)",), "lower(email) IS NOT NULL"),
    # Only a person has a birth date (services/customers.py refuses it of others); the
    # index holds both key columns, so the grouping reads no row.
    "name_and_birth_date": (("{t}birth_date", "{t}sort_name"), "birth_date IS NOT NULL"),
}


@dataclass(frozen=True)
class Pair:
    """Two customers of a section that may be the same: why, and how surely (0..1)."""

    first_id: int
    second_id: int
    reason: str
    score: float


def _section(reason):
    """The section column as the grouping subquery tests it. SQLite would take an index
    starting with the section and read every row of it (1.5 s at 1 000 000 customers);
    ``section_id + 0`` leaves it the key's own index, read alone (its second column is
    the section). The birth date's index starts with the section: it stays."""
    if database.is_sqlite() and reason != "name_and_birth_date":
        return "section_id + 0"
    return "section_id"


def _exact_sql(reason, p):
    columns, present = _EXACT_KEYS[reason]
    key = ", ".join(c.format(t="") for c in columns)
    first = ", ".join(c.format(t="a.") for c in columns)
    same = " AND ".join(f"{c.format(t='b.')} = {c.format(t='a.')}" for c in columns)
    return (
        f"SELECT a.id, b.id FROM customer a JOIN customer b ON b.section_id = a.section_id"
        f" AND {same} AND b.id > a.id"
        f" WHERE a.section_id = {p} AND ({first}) IN (SELECT {key} FROM customer"
        f" WHERE {_section(reason)} = {p} AND {present} GROUP BY {key} HAVING count(*) > 1)"
        f" ORDER BY {first}, a.id, b.id LIMIT {p} OFFSET {p}")


def _similar_sql(p):
    similarity = "dup_similarity" if database.is_sqlite() else "similarity"
    return (
        "SELECT id, next_id, sort_name, next_name FROM ("
        " SELECT id, sort_name, postal_code,"
        "  lead(id) OVER w AS next_id, lead(sort_name) OVER w AS next_name"
        f" FROM customer WHERE section_id = {p} AND postal_code IS NOT NULL"
        " WINDOW w AS (PARTITION BY postal_code ORDER BY sort_name, id)) AS ordered"
        " WHERE next_id IS NOT NULL AND substr(sort_name, 1, 3) = substr(next_name, 1, 3)"
        f" AND {similarity}(sort_name, next_name) >= {p}"
        # No ORDER BY: the rows come in the window's order, and an ORDER BY over the
        # subquery would sort all of them before the first page (SQLite and PostgreSQL
        # alike); both walk the index in that order and stop at the LIMIT.
        f" LIMIT {p} OFFSET {p}")


def _sqlite_similarity(a, b):
    return name_similarity(a, b)


def _holds(section_id, columns):
    """Tell whether section ``section_id`` holds the categories of the key ``columns``."""
    section = Section.get_or_none(Section.id == section_id)
    mapped = FIELD_CATEGORIES[Customer]
    names = [column.format(t="").removeprefix("lower(").removesuffix(")") for column in columns]
    return section is not None and all(mapped[name] in section.category_set for name in names)


def possible_pairs(section_id, reason, page=0, page_size=PAGE_SIZE):
    """Return (pairs, more) of section ``section_id`` for ``reason`` (one of
    DUPLICATE_REASONS): page ``page`` (from 0) of at most ``page_size`` pairs, and whether
    another page follows."""
    if reason in _EXACT_KEYS and not _holds(section_id, _EXACT_KEYS[reason][0]):
        return [], False  # the key's category is not the section's: its data waits unseen
    p = db.param
    limit, offset = page_size + 1, page * page_size
    if reason == "similar_name":
        if database.is_sqlite():
            # On the database, so every connection (of every thread) has it from now on.
            db.obj.register_function(_sqlite_similarity, "dup_similarity", 2,
                                     deterministic=True)
        params = (section_id, SIMILAR_NAME_THRESHOLD, limit, offset)
        rows = [(a, b, round(name_similarity(x, y), 3))
                for a, b, x, y in db.execute_sql(_similar_sql(p), params).fetchall()]
    else:
        params = (section_id, section_id, limit, offset)
        rows = [(a, b, 1.0) for a, b in db.execute_sql(_exact_sql(reason, p), params)]
    pairs = [Pair(a, b, reason, score) for a, b, score in rows]
    return pairs[:page_size], len(pairs) > page_size
