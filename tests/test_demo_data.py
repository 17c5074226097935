"""Demo data: realistic, reproducible, spread by section, and never a henkilötunnus."""

import datetime
import re

import peewee as pw
import pytest
from stdnum.fi import ytunnus

from models import (
    REGISTER_MODELS,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    MarketingConsent,
    Purchase,
    Section,
    db,
)
from services import demo_data
from services.hetu import contains_hetu

COUNT = 300
SEED = 7


def _sections():
    return list(Section.select().order_by(Section.id))


def _dump():
    """Return every row of every register table, in id order, as tuples."""
    return {
        model.__name__: list(model.select().order_by(model.id).tuples())
        for model in REGISTER_MODELS
    }


def _empty_register():
    """Delete every register row, children first."""
    with db.atomic():
        for model in reversed(REGISTER_MODELS):
            model.delete().execute()


@pytest.fixture
def generated(db_url):
    """300 customers made with seed 7; the counts that generate() returned."""
    return demo_data.generate(COUNT, seed=SEED, sections=_sections())


def test_the_command_fills_the_register(runner):
    result = runner.invoke(args=["demo-data", "--customers", str(COUNT), "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    reported = dict(re.findall(r"(\w+): (\d+)", result.output.splitlines()[-1]))
    tables = {
        "customers": Customer,
        "addresses": Address,
        "demographics": Demographics,
        "contact_persons": ContactPerson,
        "contact_events": ContactEvent,
        "purchases": Purchase,
        "invoices": Invoice,
        "marketing_consents": MarketingConsent,
    }
    assert set(reported) == set(tables)
    assert Customer.select().count() == COUNT
    for name, model in tables.items():
        assert model.select().count() == int(reported[name]) > 0, name


def test_progress_is_reported_per_chunk(db_url):
    steps = []
    demo_data.generate(demo_data.CHUNK + 5, seed=SEED, sections=_sections(), progress=steps.append)
    assert steps == [demo_data.CHUNK, 5]


def test_the_same_seed_gives_the_same_rows(generated):
    first = _dump()
    _empty_register()
    assert demo_data.generate(COUNT, seed=SEED, sections=_sections()) == generated
    assert _dump() == first


def test_another_seed_gives_other_rows(generated):
    first = _dump()
    _empty_register()
    demo_data.generate(COUNT, seed=SEED + 1, sections=_sections())
    second = _dump()
    assert second["Customer"] != first["Customer"]
    assert second["Address"] != first["Address"]


def test_a_second_run_appends_and_the_app_can_still_add(generated):
    again = demo_data.generate(COUNT, seed=SEED, sections=_sections())
    assert Customer.select().count() == 2 * COUNT
    assert Invoice.select().count() == generated["invoices"] + again["invoices"]
    # The id sequences (PostgreSQL) moved past the assigned ids: a normal save works.
    customer = Customer.create(
        section=_sections()[0], kind="person", first_name="Uusi", last_name="Asiakas"
    )
    assert customer.id == 2 * COUNT + 1
    Address.create(customer=customer, street="Katu 1", postal_code="00100", city="Helsinki")


def test_no_text_column_holds_a_henkilotunnus(generated):
    checked = 0
    for model in REGISTER_MODELS:
        columns = [
            f for f in model._meta.sorted_fields if isinstance(f, (pw.CharField, pw.TextField))
        ]
        for row in model.select(*columns).tuples():
            for value in row:
                assert not contains_hetu(value), f"{model.__name__}: {value!r}"
                checked += value is not None
    assert checked > 5000


def test_customers_look_real(generated):
    customers = list(Customer.select())
    kinds = [c.kind for c in customers]
    assert 0.45 < kinds.count("person") / COUNT < 0.75
    assert 0.18 < kinds.count("company") / COUNT < 0.42
    assert kinds.count("organisation") > 5
    assert {c.language for c in customers} == {"fi", "sv", "en", "other"}
    reference = demo_data.REFERENCE
    for c in customers:
        assert c.sort_name == c.display_name.casefold() != ""
        if c.kind == "person":
            assert c.first_name and c.last_name and c.name is None and c.business_id is None
            age = (reference.date() - c.birth_date).days / 365.25
            assert 18 <= age <= 90
        else:
            assert c.name and c.first_name is None and c.birth_date is None
        if c.kind == "company":
            assert ytunnus.is_valid(c.business_id), c.business_id
        elif c.business_id is not None:
            assert ytunnus.is_valid(c.business_id), c.business_id
        for number in (c.phone, c.mobile, c.fax):
            assert number is None or re.fullmatch(r"\+358\d{7,10}", number), number
        assert c.created_at <= c.updated_at <= reference
        assert c.informed_at is None or c.created_at <= c.informed_at <= reference
    emails = [c.email for c in customers if c.email]
    assert len(emails) > COUNT // 2 and len(set(emails)) == len(emails)
    assert all(e.isascii() and e.count("@") == 1 for e in emails)
    assert all(
        re.fullmatch(r"\d{5}", a.postal_code) and a.city and a.street for a in Address.select()
    )


def test_section_categories_decide_billing_and_demographics(generated):
    tourism = Section.get(Section.code == "tourism")
    business = Section.get(Section.code == "business")
    invoiced = {i.customer.section_id for i in Invoice.select(Invoice, Customer).join(Customer)}
    assert invoiced == {tourism.id}
    with_demographics = Demographics.select(Demographics, Customer).join(Customer)
    assert {d.customer.section_id for d in with_demographics} == {business.id}
    assert {d.customer.kind for d in with_demographics} == {"person"}
    # Every person of the business section has demographics; companies have contact people.
    assert with_demographics.count() == (
        Customer.select()
        .where((Customer.section == business) & (Customer.kind == "person"))
        .count()
    )
    contacts = ContactPerson.select(ContactPerson, Customer).join(Customer)
    assert {p.customer.kind for p in contacts} == {"company", "organisation"}
    # Both sections got customers.
    assert {c.section_id for c in Customer.select()} == {tourism.id, business.id}


def test_invoices_are_consistent(generated):
    invoices = list(Invoice.select())
    assert len({i.number for i in invoices}) == len(invoices)
    states = {i.collection_state for i in invoices}
    assert {"paid", "reminded", "in_collection"} <= states
    for i in invoices:
        assert (i.due_date - i.invoice_date).days in (14, 30)
        assert (i.paid_on is not None) == (i.collection_state == "paid")
        assert i.paid_on is None or i.invoice_date <= i.paid_on <= demo_data.REFERENCE.date()
        assert i.amount > 0


def test_last_activity_is_the_newest_contact_purchase_or_invoice(generated):
    def midnight(day):
        return datetime.datetime.combine(day, datetime.time())

    newest = {}
    for customer_id, moment in ContactEvent.select(
        ContactEvent.customer, ContactEvent.occurred_at
    ).tuples():
        newest[customer_id] = max(newest.get(customer_id, moment), moment)
    for model, column in ((Purchase, Purchase.purchased_on), (Invoice, Invoice.invoice_date)):
        for customer_id, day in model.select(model.customer, column).tuples():
            newest[customer_id] = max(newest.get(customer_id, midnight(day)), midnight(day))
    customers = list(Customer.select(Customer.id, Customer.last_activity_at).tuples())
    assert {cid: last for cid, last in customers} == {
        cid: newest.get(cid) for cid, _ in customers
    }
    # Some customers never had any activity, some have been quiet for over five years:
    # the retention purge has something to find.
    assert any(last is None for _, last in customers)
    five_years_ago = demo_data.REFERENCE - datetime.timedelta(days=5 * 365)
    quiet = Customer.inactive_since(five_years_ago).where(Customer.last_activity_at.is_null(False))
    assert quiet.count() > COUNT // 20
