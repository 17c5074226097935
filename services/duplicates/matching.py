"""The duplicate check of one customer: who in the same section is probably the same.

At most two queries, whatever the values (no query per candidate), each a UNION of one
SELECT per key so that every key uses its own index (migrations/026_duplicates.py):

1. Exact keys: the same Y-tunnus, the same email (``lower(email)``), the same birth date
   (the names are then compared here).
2. Likely matches: customers of the same postal code whose sort name contains a word
   token of the name (services/duplicates/normalise.py name_tokens), read from the index
   ``(section_id, postal_code, sort_name)`` alone; or with the same phone or mobile
   number. Only their id and sort name are read: the sort name ("Last, First" or the
   company's name, casefolded) has the words of the compared name, so the same trigrams,
   and a common name in a large postal area (hundreds of candidates at 1 000 000
   customers) reads no customer row. Their names are scored here by trigram similarity
   (name_similarity, the same measure as pg_trgm's), so SQLite and PostgreSQL give the
   same answer; ``SIMILAR_NAME_THRESHOLD`` (0.5) or more is similar.

Only as many matches as asked for are looked for: a likely match ranks after every exact
one, so with ``limit`` exact matches found the likely ones are not read.
"""

import datetime
from collections import namedtuple
from dataclasses import dataclass


import database
import services.duplicates.normalise as norm
from models import FIELD_CATEGORIES, Customer, Section
from services.inputs import iso_date

# The reasons, strongest first (labels: services/vocabulary/customers.py).
DUPLICATE_REASONS = ("business_id", "email", "name_and_birth_date", "similar_name")

# The values the check reads: the customer form's field names (``values`` of find_duplicates).
CHECKED_FIELDS = ("kind", "first_name", "last_name", "name", "birth_date", "business_id",
                  "email", "phone", "mobile", "postal_code", "city")

# Candidates read per query at most: a postal area full of namesakes cannot flood the check.
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class Match:
    """A customer that may be the same as the one checked: why, and how surely (0..1)."""

    customer_id: int
    reason: str
    score: float


# The columns read of a candidate, in the order of ``Candidate``.
_COLUMNS = ("id", "kind", "first_name", "last_name", "name", "birth_date", "business_id",
            "email", "phone", "mobile", "postal_code")


# A candidate customer's row: its columns as attributes, no model object built.
Candidate = namedtuple("Candidate", _COLUMNS)


def _birth_date(value):
    """Return a birth date given as a date or as ISO text (an import row), else None."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return iso_date(value) if isinstance(value, str) else None


def held_values(section_id, values):
    """Return ``values`` without the fields of the categories section ``section_id`` does
    not hold."""
    section = Section.get_or_none(Section.id == section_id)
    if section is None:
        return values
    held, mapped = section.category_set, FIELD_CATEGORIES[Customer]
    return {name: value for name, value in values.items()
            if mapped.get(name) is None or mapped[name] in held}


def _keys(values):
    """Return the normalised keys of a customer's form values."""
    return {
        "business_id": norm.normalise_business_id(values.get("business_id")),
        "email": norm.normalise_email(values.get("email")),
        # A kind not given may be a person's (the JSON check's ``kind`` is optional).
        "birth_date": _birth_date(values.get("birth_date"))
        if values.get("kind") in (None, "", "person") else None,
        "person_name": norm.full_name({**values, "kind": "person"}),
        "name": norm.full_name(values),
        "postal_code": norm.normalise_postal_code(values.get("postal_code")),
        "phones": sorted({p for p in (norm.normalise_phone(values.get("phone")),
                                      norm.normalise_phone(values.get("mobile"))) if p}),
    }


def _marks(count):
    return ", ".join([database.db.param] * count)


def _exact_conditions(keys):
    """Return ``[(SQL condition, parameters)]`` of the exact keys."""
    p = database.db.param
    conditions = []
    if keys["business_id"]:
        conditions.append((f"business_id = {p}", [keys["business_id"]]))
    if keys["email"]:
        conditions.append((f"lower(email) = {p}", [keys["email"]]))
    if keys["birth_date"] and keys["person_name"]:
        conditions.append((f"birth_date = {p}", [keys["birth_date"]]))
    return conditions


def _likely_conditions(keys):
    """Return ``[(table, SQL condition, parameters)]`` of the likely matches."""
    p = database.db.param
    conditions = []
    tokens = norm.name_tokens(keys["name"])
    if keys["postal_code"] and tokens:
        sqlite = database.is_sqlite()
        position = "instr" if sqlite else "strpos"
        # Index columns only: the index (section_id, postal_code, sort_name) answers it
        # without reading the rows of the whole postal area. SQLite is told so: with
        # sampled statistics its planner took the index (postal_code, section_id) and read
        # every customer of the area (3–8 ms instead of 1 at 1 000 000 customers). That
        # index is gone since migration 047; the hint keeps any later one from being taken.
        table = "customer INDEXED BY customer_dup_postal_name" if sqlite else "customer"
        contains = " OR ".join([f"{position}(sort_name, {p}) > 0"] * len(tokens))
        conditions.append((table, f"postal_code = {p} AND ({contains})",
                           [keys["postal_code"], *tokens]))
    if keys["phones"] and keys["name"]:
        marks = _marks(len(keys["phones"]))
        conditions.append(("customer", f"phone IN ({marks})", list(keys["phones"])))
        conditions.append(("customer", f"mobile IN ({marks})", list(keys["phones"])))
    return conditions


def _exact_reason(keys, row):
    if keys["business_id"] and row.business_id == keys["business_id"]:
        return "business_id"
    if keys["email"] and norm.normalise_email(row.email) == keys["email"]:
        return "email"
    if (keys["birth_date"] and row.kind == "person"
            and Customer.birth_date.python_value(row.birth_date) == keys["birth_date"]
            and norm.full_name(_row_values(row)) == keys["person_name"]):
        return "name_and_birth_date"
    return None


def _row_values(row):
    return {"kind": row.kind, "first_name": row.first_name, "last_name": row.last_name,
            "name": row.name}


def _rows(section_id, conditions, exclude_id, columns):
    """Return the ``columns`` of the section's customers meeting any of ``conditions``
    (``(table, condition, parameters)``): one statement, a UNION of one SELECT per
    condition, so that each uses its own index (an OR under the section's condition would
    walk the whole section on SQLite). Written as SQL, not built by the query builder: the
    check runs for every imported row, and building the statement cost more than running
    it. A birth date stays as the database gives it (``_exact_reason`` reads it when it
    compares one)."""
    if not conditions:
        return []
    p = database.db.param
    columns = ", ".join(columns)
    selects, params = [], []
    for table, condition, values in conditions:
        other = f" AND id <> {p}" if exclude_id is not None else ""
        selects.append(f"SELECT {columns} FROM {table} WHERE section_id = {p} AND "
                       f"{condition}{other}")
        params += [section_id, *values, *([exclude_id] if exclude_id is not None else [])]
    sql = " UNION ".join(selects) + f" LIMIT {MAX_CANDIDATES}"
    return database.db.execute_sql(sql, params).fetchall()


def find_duplicates(section_id, values, exclude_id=None, limit=10):
    """Return the customers of section ``section_id`` that may be the customer of ``values``
    (the customer form's field names; any may be missing), strongest reason first, then
    the most similar, at most ``limit``. ``exclude_id`` leaves out the customer itself.
    A value of a category the section does not hold is not compared (its customers' data
    of a removed category waits for the purge, unseen: the check must not tell it)."""
    keys = _keys(held_values(section_id, values))
    found = {}
    exact = [("customer", condition, params) for condition, params in _exact_conditions(keys)]
    for row in map(Candidate._make, _rows(section_id, exact, exclude_id, _COLUMNS)):
        reason = _exact_reason(keys, row)
        if reason:
            found[row.id] = Match(row.id, reason, 1.0)
    # A likely match ranks after every exact one: with ``limit`` exact ones found already,
    # none would be returned.
    likely = _likely_conditions(keys) if len(found) < limit else []
    grams = norm.trigrams(keys["name"])
    for customer_id, sort_name in _rows(section_id, likely, exclude_id, ("id", "sort_name")):
        if customer_id in found:
            continue
        other = norm.trigrams(sort_name)
        # The shared trigrams are at most the fewer: a name of under half the trigrams of
        # the other (or over twice) cannot reach the threshold, and is not compared.
        if (min(len(grams), len(other))
                < norm.SIMILAR_NAME_THRESHOLD * max(len(grams), len(other))):
            continue
        score = norm.trigram_similarity(grams, other)
        if score >= norm.SIMILAR_NAME_THRESHOLD:
            found[customer_id] = Match(customer_id, "similar_name", round(score, 3))
    order = {reason: i for i, reason in enumerate(DUPLICATE_REASONS)}
    matches = sorted(found.values(), key=lambda m: (order[m.reason], -m.score, m.customer_id))
    return matches[:max(int(limit), 0)]
