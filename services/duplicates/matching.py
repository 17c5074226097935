"""The duplicate check of one customer: who in the same section is probably the same.

Two queries, whatever the values (no query per candidate), each a UNION of one SELECT
per key so that every key uses its own index (migrations/026_duplicates.py):

1. Exact keys: the same Y-tunnus, the same email (``lower(email)``), the same birth date
   (the names are then compared here).
2. Likely matches: customers of the same postal code whose sort name contains a word
   token of the name (services/duplicates/normalise.py name_tokens), found by a subquery
   that the index ``(section_id, postal_code, sort_name)`` answers alone; or with the same
   phone or mobile number. Their names are scored here by trigram similarity
   (name_similarity, the same measure as pg_trgm's), so SQLite and PostgreSQL give the
   same answer; ``SIMILAR_NAME_THRESHOLD`` (0.5) or more is similar.
"""

import datetime
from dataclasses import dataclass

import peewee as pw

import database
from models import Customer
import services.duplicates.normalise as norm

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


_FIELDS = (Customer.id, Customer.kind, Customer.first_name, Customer.last_name, Customer.name,
           Customer.birth_date, Customer.business_id, Customer.email, Customer.phone,
           Customer.mobile, Customer.postal_code)


def _birth_date(value):
    """Return a birth date given as a date or as ISO text (an import row), else None."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _keys(values):
    """Return the normalised keys of a customer's form values."""
    return {
        "business_id": norm.normalise_business_id(values.get("business_id")),
        "email": norm.normalise_email(values.get("email")),
        "birth_date": _birth_date(values.get("birth_date"))
        if values.get("kind", "person") == "person" else None,
        "person_name": norm.full_name({**values, "kind": "person"}),
        "name": norm.full_name(values),
        "postal_code": norm.normalise_postal_code(values.get("postal_code")),
        "phones": sorted({p for p in (norm.normalise_phone(values.get("phone")),
                                      norm.normalise_phone(values.get("mobile"))) if p}),
    }


def _exact_conditions(keys):
    conditions = []
    if keys["business_id"]:
        conditions.append(Customer.business_id == keys["business_id"])
    if keys["email"]:
        conditions.append(pw.fn.LOWER(Customer.email) == keys["email"])
    if keys["birth_date"] and keys["person_name"]:
        conditions.append(Customer.birth_date == keys["birth_date"])
    return conditions


def _likely_conditions(section_id, keys):
    conditions = []
    tokens = norm.name_tokens(keys["name"])
    if keys["postal_code"] and tokens:
        position = pw.fn.INSTR if database.is_sqlite() else pw.fn.STRPOS
        # A subquery of index columns only: the index (section_id, postal_code, sort_name)
        # answers it without reading the rows of the whole postal area.
        Inner = Customer.alias()
        inner_contains = _any([position(Inner.sort_name, t) > 0 for t in tokens])
        conditions.append(Customer.id.in_(
            Inner.select(Inner.id).where((Inner.section == section_id)
                                         & (Inner.postal_code == keys["postal_code"])
                                         & inner_contains)))
    if keys["phones"] and keys["name"]:
        conditions.append(Customer.phone.in_(keys["phones"]))
        conditions.append(Customer.mobile.in_(keys["phones"]))
    return conditions


def _any(conditions):
    result = None
    for condition in conditions:
        result = condition if result is None else (result | condition)
    return result


def _exact_reason(keys, row):
    if keys["business_id"] and row.business_id == keys["business_id"]:
        return "business_id"
    if keys["email"] and norm.normalise_email(row.email) == keys["email"]:
        return "email"
    if (keys["birth_date"] and row.kind == "person" and row.birth_date == keys["birth_date"]
            and norm.full_name(_row_values(row)) == keys["person_name"]):
        return "name_and_birth_date"
    return None


def _row_values(row):
    return {"kind": row.kind, "first_name": row.first_name, "last_name": row.last_name,
            "name": row.name}


def _likely_score(keys, row):
    same_place = keys["postal_code"] and row.postal_code == keys["postal_code"]
    same_phone = bool({row.phone, row.mobile} & set(keys["phones"]))
    if not (same_place or same_phone):
        return None
    score = norm.name_similarity(keys["name"], norm.full_name(_row_values(row)))
    return score if score >= norm.SIMILAR_NAME_THRESHOLD else None


def _rows(section_id, conditions, exclude_id):
    """Return the section's customers meeting any of ``conditions``: one statement, a UNION
    of one SELECT per condition, so that each uses its own index (an OR under the section's
    condition would walk the whole section on SQLite)."""
    queries = []
    for condition in conditions:
        query = Customer.select(*_FIELDS).where((Customer.section == section_id) & condition)
        if exclude_id is not None:
            query = query.where(Customer.id != exclude_id)
        queries.append(query)
    if not queries:
        return []
    union = queries[0]
    for query in queries[1:]:
        union = union | query
    return list(union.limit(MAX_CANDIDATES).objects())


def find_duplicates(section_id, values, exclude_id=None, limit=10):
    """Return the customers of section ``section_id`` that may be the customer of ``values``
    (the customer form's field names; any may be missing), strongest reason first, then
    the most similar, at most ``limit``. ``exclude_id`` leaves out the customer itself."""
    keys = _keys(values)
    found = {}
    for row in _rows(section_id, _exact_conditions(keys), exclude_id):
        reason = _exact_reason(keys, row)
        if reason:
            found[row.id] = Match(row.id, reason, 1.0)
    for row in _rows(section_id, _likely_conditions(section_id, keys), exclude_id):
        if row.id in found:
            continue
        score = _likely_score(keys, row)
        if score is not None:
            found[row.id] = Match(row.id, "similar_name", round(score, 3))
    order = {reason: i for i, reason in enumerate(DUPLICATE_REASONS)}
    matches = sorted(found.values(), key=lambda m: (order[m.reason], -m.score, m.customer_id))
    return matches[:max(int(limit), 0)]
