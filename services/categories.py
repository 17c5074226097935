"""The register's data as the category map describes it, derived from ``models`` alone.

The one source is ``models.FIELD_CATEGORIES`` (every field of the register data with its
data category) with the few declarations beside it (``MAINTAINED_FIELDS``,
``NOT_FOR_KIND``, ``ACCOUNTING_RECORD_FIELDS``, ``REFERENCES_NOT_DATA``), and the models'
foreign keys: which tables hold a customer's rows. What the purge deletes and minimises
(services/retention/), what the inspection report shows (services/report.py), what a
rectification request offers (services/rectification.py), what a disclosure hands over
(services/disclosures.py) and what the customer's screens show (admin_views/customers.py)
is read from here, so a field or a model added to the map needs no change in any of them.
A merge of two customers moves the rows of every model in :func:`references`.

No Flask, no other service: plain functions of the models.
"""

import functools
from collections import Counter

import peewee as pw

from models import (
    CATEGORIES,
    FIELD_CATEGORIES,
    MAINTAINED_FIELDS,
    REFERENCES_NOT_DATA,
    Customer,
)


def mapped_fields(model):
    """Return the model's fields that the map names, in the model's order."""
    mapping = FIELD_CATEGORIES.get(model, {})
    return [f for f in model._meta.sorted_fields if f.name in mapping]


def links(model, target=Customer):
    """Return the foreign keys of mapped ``model`` to ``target``, in the model's order."""
    return [f for f in mapped_fields(model)
            if isinstance(f, pw.ForeignKeyField) and f.rel_model is target]


def linked_models(target=Customer):
    """Return ``(model, foreign key)`` of every mapped model whose rows belong to a row of
    ``target``, in the map's order (the model's first key to ``target``)."""
    found = []
    for model in FIELD_CATEGORIES:
        keys = links(model, target) if model is not target else []
        if keys:
            found.append((model, keys[0]))
    return found


@functools.lru_cache(maxsize=None)
def _home_category_cached(model, fields_key):
    counts = Counter(FIELD_CATEGORIES[model][name] for name in fields_key)
    counts.pop("record", None)
    if not counts:
        return "record"
    best = max(counts.values())
    return next(code for code in CATEGORIES if counts.get(code) == best)


def home_category(model):
    """Return the data category a model's rows go under: its fields' commonest one.

    A model whose fields are all ``record`` (the person's own prohibitions and requests)
    is ``record``; a tie goes to the category first in the register description.
    """
    return _home_category_cached(model, tuple(sorted(FIELD_CATEGORIES[model])))


def own_fields(model=Customer):
    """Return ``{category: field names}``: the fields of ``model``'s own row holding data of
    their own — every mapped field but the ``record`` ones, the foreign keys and those the
    register keeps in step (``MAINTAINED_FIELDS``). Categories in the order of CATEGORIES,
    fields in the model's."""
    mapping = FIELD_CATEGORIES.get(model, {})
    maintained = MAINTAINED_FIELDS.get(model, ())
    found = {}
    for field in mapped_fields(model):
        category = mapping[field.name]
        if (category == "record" or isinstance(field, pw.ForeignKeyField)
                or field.name in maintained):
            continue
        found.setdefault(category, []).append(field.name)
    return {code: tuple(found[code]) for code in CATEGORIES if code in found}


def deletion_order(models):
    """Return ``models`` so that each comes before the ones it references (rows naming a
    contact person before the contact persons), otherwise in the order given."""
    remaining, ordered = list(models), []
    while remaining:
        free = next(m for m in remaining
                    if not any(_references(other, m) for other in remaining if other is not m))
        ordered.append(free)
        remaining.remove(free)
    return ordered


def _references(model, target):
    return any(isinstance(f, pw.ForeignKeyField) and f.rel_model is target
               for f in model._meta.sorted_fields)


def references(target=Customer):
    """Return ``(model, foreign key)`` of every model referencing ``target``: its data (the
    mapped models) and the rows that only name it (``REFERENCES_NOT_DATA``).

    What a merge of two customers moves to the one kept, and what deleting one removes.
    """
    return [(field.model, field) for field in target._meta.backrefs
            if field.model is not target]


def unclassified_references():
    """Return ``Model.field`` of each foreign key to a mapped model from a model that is
    neither in the map nor in ``REFERENCES_NOT_DATA``: rows of the register data that the
    purge, the report, a rectification and a merge would not know of."""
    found = []
    for target in FIELD_CATEGORIES:
        for model, field in references(target):
            if model not in FIELD_CATEGORIES and model not in REFERENCES_NOT_DATA:
                found.append(f"{model.__name__}.{field.name}")
    return found
