"""A model's whole row selected writes its columns once (models/base.py
``KeptColumnsSelect``): every query gives exactly the SQL and the rows peewee's own
select gives — at the top, joined, as a subquery, in a union, counted, aliased — for
every model, on SQLite and PostgreSQL."""

import peewee as pw
import pytest

import models
from models import Customer, Section, db
from models.base import BaseModel, KeptColumnsSelect

# Every model of the register (derived, so that a new one is compared too).
ALL_MODELS = sorted({value for value in vars(models).values()
                     if isinstance(value, type) and issubclass(value, BaseModel)
                     and value is not BaseModel}, key=lambda model: model.__name__)


def stock(model, *fields):
    """Return the select peewee's own ``Model.select(*fields)`` makes."""
    return pw.ModelSelect(model, fields or model._meta.sorted_fields, is_default=not fields)


def shapes(select):
    """Return the queries to compare, each made from ``select(model)``."""
    tourism = Section.select(Section.id).where(Section.code == "tourism")
    return {
        "plain": lambda model: select(model).where(model._meta.primary_key == 1),
        "twice": lambda model: select(model).order_by(model._meta.primary_key).limit(3),
        "joined": lambda model: select(Customer).join(Section).where(Section.code == "t"),
        "second": lambda model: Section.select(Section.id).where(
            Section.id.in_(select(Customer).where(Customer.section.in_(tourism)))),
        "union": lambda model: select(model).union_all(select(model)),
        "from": lambda model: pw.Select([select(model).alias("inner")],
                                        [pw.SQL("*")]),
        "exists": lambda model: Section.select().where(pw.fn.EXISTS(
            select(Customer).where(Customer.section == Section.id))),
        "count": lambda model: pw.Select([select(model).alias("counted")],
                                         [pw.fn.COUNT(pw.SQL("1"))]),
    }


def test_chosen_fields_write_peewees_own_sql(app):
    """Fields chosen (of one model or joined ones, in any order), a model alias, an
    expression among them, and the choice changed on a kept select."""
    from models import User, UserSession

    other = Customer.alias()
    choices = [
        (UserSession, (UserSession, User), lambda q: q.join(User)),
        (UserSession, (User, UserSession), lambda q: q.join(User)),
        (Customer, (Customer.id, Customer.name), lambda q: q),
        (Customer, (Customer.name, Section.code), lambda q: q.join(Section)),
        (Customer, (Section.code, Customer.name), lambda q: q.join(Section)),
        (Customer, (pw.fn.COUNT(Customer.id), Customer.name), lambda q: q.group_by(Customer.name)),
        (Customer, (Customer.id.alias("key"), Customer.name), lambda q: q),
        (Customer, (Customer.name, other.name), lambda q: q.join(
            other, on=(other.section == Customer.section))),
        (Customer, (Customer.id,), lambda q: Section.select().where(Section.id.in_(q))),
    ]
    with app.app_context():
        database = db.obj

        def sql(query):
            return database.get_sql_context().sql(query).query()

        for model, fields, shape in choices:
            for _ in range(2):  # written, then copied
                assert sql(shape(model.select(*fields))) == sql(shape(stock(model, *fields))), \
                    fields
        assert sql(Customer.select().select(Customer.id, Customer.name)) == \
            sql(stock(Customer).select(Customer.id, Customer.name))
        # A row of a joined select as peewee reads it.
        tourism = Section.get(code="tourism")
        Customer.create(section=tourism, kind="company", name="Liitos Oy", version=1)
        row = Customer.select(Customer, Section).join(Section).where(
            Customer.name == "Liitos Oy").get()
        assert row.section.code == "tourism" and row.name == "Liitos Oy"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_and_shape_writes_peewees_own_sql(app, model):
    with app.app_context():
        database = db.obj
        ours, theirs = shapes(lambda m: m.select()), shapes(stock)
        for name in ours:
            for _ in range(2):  # written, then copied
                found = ours[name](model)
                assert database.get_sql_context().sql(found).query() == \
                    database.get_sql_context().sql(theirs[name](model)).query(), (model, name)
        assert isinstance(model.select(), KeptColumnsSelect)
        assert isinstance(model.select(model._meta.primary_key), KeptColumnsSelect)


def test_the_rows_are_peewees_own(app):
    with app.app_context():
        tourism = Section.get(code="tourism")
        for name in ("Kaksi Oy", "Yksi Oy"):
            Customer.create(section=tourism, kind="company", name=name, version=1)
        ours = [row.__data__ for row in Customer.select().order_by(Customer.id)]
        theirs = [row.__data__ for row in stock(Customer).order_by(Customer.id)]
        assert ours == theirs and len(ours) >= 2
        first = Customer.get_by_id(ours[0]["id"])
        assert first.__data__ == ours[0] and first.section.code  # a related row as well
