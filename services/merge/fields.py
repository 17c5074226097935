"""What a merge offers to choose: the two customers' own fields, side by side.

The fields are the map's (``services.categories.own_fields``) of the categories the
section holds, without the other kinds' (``NOT_FOR_KIND``) and those the register keeps in
step (``MAINTAINED_FIELDS``); and the own fields of each model a customer has at most one
row of (a unique foreign key to Customer: its demographics), named ``table.field``. A new
field or such a model added to the map is offered with no change here.
"""

import dataclasses

from models import NOT_FOR_KIND, Customer
from services.categories import home_category, own_fields, references

SURVIVOR, MERGED = "survivor", "merged"


def single_rows():
    """Return ``(model, foreign key)`` of every model a customer has at most one row of."""
    return [(model, field) for model, field in references(Customer) if field.unique]


def _empty(value):
    return value is None or value == ""


@dataclasses.dataclass
class Choice:
    """One field of the merge: its key, category, both values and the default side."""

    key: str  # "email", or "demographics.profession"
    category: str
    survivor: object
    merged: object

    @property
    def differs(self):
        return not (_empty(self.survivor) and _empty(self.merged)) and \
            self.survivor != self.merged

    @property
    def default(self):
        """The survivor's value when it has one, else the other's."""
        return MERGED if _empty(self.survivor) and not _empty(self.merged) else SURVIVOR

    def value(self, side):
        return self.merged if side == MERGED else self.survivor

    @property
    def field_name(self):
        return self.key.rpartition(".")[2]


def single_row(model, field, customer_id):
    """Return the customer's one row of ``model`` (linked by ``field``), or None."""
    return model.select().where(field == customer_id).first()


def choices(survivor, merged):
    """Return the :class:`Choice` of every field the merge of ``merged`` into ``survivor``
    offers, in the order of the categories and the models' fields."""
    held = survivor.section.category_set
    return _choices(survivor, merged, lambda category: category in held)


def kept_choices(survivor, merged):
    """Return the :class:`Choice` of every field of the categories the section no longer
    holds but keeps until the purge (a category taken out with its data kept): not offered,
    as the screens show none of them, but carried with their defaults (the survivor's
    value, else the other's), so that a merge loses nothing the purge is to decide on."""
    held = survivor.section.category_set
    return _choices(survivor, merged, lambda category: category not in held)


def _choices(survivor, merged, wanted):
    """Return the :class:`Choice` of every field of the categories ``wanted`` (a predicate
    on a category) tells, in the order of the categories and the models' fields."""
    left_out = set(NOT_FOR_KIND.get(survivor.kind, ()))
    found = []
    for category, names in own_fields(Customer).items():
        if not wanted(category):
            continue
        found.extend(Choice(name, category, getattr(survivor, name), getattr(merged, name))
                     for name in names if name not in left_out)
    for model, field in single_rows():
        if not wanted(home_category(model)):
            continue
        rows = (single_row(model, field, survivor.id), single_row(model, field, merged.id))
        for category, names in own_fields(model).items():
            found.extend(Choice(f"{model._meta.table_name}.{name}", category,
                                *(getattr(row, name) if row is not None else None
                                  for row in rows))
                         for name in names)
    return found
