"""models/kept_sql.py and KeptColumnsSelect: a plain select's text is kept per shape and
written again with the new values, exactly as peewee writes it; anything not plain is
written by peewee as before. (The whole suite also runs with ``VERIFY``: every kept
statement compared with peewee's.)"""

import datetime
from decimal import Decimal

import peewee as pw
import pytest
from peewee import SQL, fn

from models import Address, ContactEvent, Customer, Invoice, Section, db
from models.base import KeptColumnsSelect
from models.kept_sql import NotPlain, shape


def _peewee(query):
    """The statement as peewee writes it (its own Select, not the kept text)."""
    ctx = db.get_sql_context()
    pw.Select.__sql__(query, ctx)
    return ctx.query()


PLAIN = {
    "by id": lambda v: Customer.select().where(Customer.id == v["id"]),
    "get": lambda v: Customer.select().where(Customer.id == v["id"]).limit(1).offset(0),
    "and, or, order, page": lambda v: (
        Customer.select().where((Customer.section == v["id"])
                                & ((Customer.kind == v["text"]) | (Customer.id > v["id"])))
        .order_by(Customer.sort_name.desc(), Customer.id).limit(v["n"]).offset(v["n"] * 2)),
    "in": lambda v: ContactEvent.select().where(ContactEvent.id.in_(v["ids"])),
    "not in": lambda v: ContactEvent.select().where(ContactEvent.id.not_in(v["ids"])),
    "null": lambda v: Customer.select(Customer.id, Customer.email).where(
        Customer.email.is_null() & Customer.minimised_at.is_null(False)),
    "literal": lambda v: Customer.select().where(SQL("1 = 1") & (Customer.id == v["id"])),
    "dates and amounts": lambda v: Invoice.select().where(
        (Invoice.invoice_date >= v["day"]) & (Invoice.amount == v["amount"])
        & (Invoice.paid_on.is_null())),
    "a customer as the value": lambda v: Address.select().where(
        Address.customer == v["customer"]).order_by(Address.id),
    "join": lambda v: (Address.select(Address.id, Customer.sort_name).join(Customer)
                       .where((Customer.section == v["id"]) & (Address.postal_code == v["text"]))),
    "moment": lambda v: ContactEvent.select().where(ContactEvent.occurred_at < v["moment"]),
    "bool": lambda v: Section.select().where((Section.id == v["id"]) == v["flag"]),
}

NOT_PLAIN = {
    "function": lambda v: Customer.select().where(fn.lower(Customer.email) == v["text"]),
    "subquery": lambda v: Customer.select().where(Customer.id.in_(
        Address.select(Address.customer).where(Address.postal_code == v["text"]))),
    "group": lambda v: Customer.select(Customer.section, fn.COUNT(Customer.id)).group_by(
        Customer.section),
    "alias": lambda v: Customer.alias("c").select().where(Customer.alias("c").id == v["id"]),
    "distinct": lambda v: Customer.select(Customer.kind).distinct(),
}


def _values(customer, n):
    return {"id": n, "text": f"x{n}", "n": n + 1, "ids": list(range(n, n + n % 4)),
            "day": datetime.date(2026, 1, n), "amount": Decimal(f"{n}.50"),
            "customer": customer, "moment": datetime.datetime(2026, 2, n, 12, n),
            "flag": bool(n % 2)}


@pytest.fixture
def fresh(app, monkeypatch):
    """Kept statements written as they would be outside the tests (not verified), from
    nothing kept; the database's own answers checked too."""
    monkeypatch.setattr(KeptColumnsSelect, "VERIFY", False)
    KeptColumnsSelect._statements.clear()
    section = Section.get(code="tourism")
    return Customer.create(section=section, kind="person", first_name="Kim", last_name="Aho")


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_plain_select_is_written_as_peewee_writes_it(fresh, name):
    build = PLAIN[name]
    written = []
    for n in (1, 2, 3, 5, 8):
        query = build(_values(fresh, n))
        assert query.sql() == _peewee(query), (name, n)
        list(query)  # the database takes it
        written.append(query.sql())
    assert len(KeptColumnsSelect._statements) >= 1


def test_a_kept_shape_is_not_written_by_peewee_again(fresh, monkeypatch):
    build = PLAIN["and, or, order, page"]
    build(_values(fresh, 1)).sql()
    calls = []
    monkeypatch.setattr(pw.Select, "__sql__",
                        lambda self, ctx: calls.append(self) or pytest.fail("written anew"))
    query, expected = build(_values(fresh, 2)), None
    text, params = query.sql()
    assert calls == [] and params == [2, "x2", 2, 3, 6]
    monkeypatch.undo()
    expected = _peewee(build(_values(fresh, 2)))
    assert (text, params) == expected


@pytest.mark.parametrize("name", sorted(NOT_PLAIN))
def test_anything_else_is_written_by_peewee(fresh, name):
    query = NOT_PLAIN[name](_values(fresh, 1))
    with pytest.raises(NotPlain):
        shape(query)
    assert query.sql() == _peewee(query)
    list(query)


def test_a_statement_inside_another_is_written_by_peewee(fresh):
    """A select of a kept shape used as a subquery gets its parentheses from peewee."""
    inner = Address.select(Address.customer).where(Address.postal_code == "00100")
    inner.sql()  # kept as a statement of its own
    outer = Customer.select().where(Customer.id.in_(inner))
    assert outer.sql() == _peewee(outer)
    assert "IN (SELECT" in outer.sql()[0]


def test_an_empty_in_and_a_null_are_their_own_shapes(fresh):
    for ids in ([1, 2], [], [3]):
        query = ContactEvent.select().where(ContactEvent.id.in_(ids))
        assert query.sql() == _peewee(query)
    for email in ("a@b.fi", None, "c@d.fi"):
        query = Customer.select().where(Customer.email == email)
        assert query.sql() == _peewee(query)
    assert Customer.select().where(Customer.email == None).count() >= 1  # noqa: E711
