"""The customer form's rows as a script would post them, on SQLite and PostgreSQL: a gap in
the rows' numbers keeps each delete tick with its row; a row's fields not posted come from
the stored row of its own id (a new row's are empty), never from another row; an id
written otherwise (01) is the same row; a row posted twice, or too many rows, are refused;
staff delete no invoices or purchases from the form (only a handler does, as on the
invoices' own page); a company becomes a person only without its contact persons, posted
or not."""

import datetime

import pytest

from admin_views.base import inline_rows
from bench.operations import form_fields
from models import Address, ContactEvent, ContactPerson, Customer, Invoice, Purchase, Section
from tests.conftest import informed

PEOPLE = ("staff_t", "handler_t")


@pytest.fixture
def company(app):
    """A tourism company with three contact persons, an address, a contact, a purchase and
    an invoice."""
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Rivit Oy", language="fi")
    for first, email in (("Aino", "aino@example.fi"), ("Bea", "bea@example.fi"),
                         ("Cecilia", "cecilia@example.fi")):
        ContactPerson.create(customer=customer, first_name=first, last_name="Rivi",
                             email=email)
    Address.create(customer=customer, street="Rivikatu 1", postal_code="00100",
                   city="Helsinki")
    ContactEvent.create(customer=customer, direction="in", channel="phone", summary="Soitto",
                        occurred_at=datetime.datetime(2026, 1, 5, 10))
    Purchase.create(customer=customer, service="Messuosasto",
                    purchased_on=datetime.date(2026, 1, 5), amount="500")
    Invoice.create(customer=customer, number="R-1", invoice_date=datetime.date(2026, 1, 5),
                   due_date=datetime.date(2026, 1, 19), amount="500")
    return customer


def person(first_name):
    return ContactPerson.get_or_none(ContactPerson.first_name == first_name)


def edit_fields(client, customer):
    page = client.get(f"/customers/edit/?id={customer.id}")
    assert page.status_code == 200
    return form_fields(page.get_data(as_text=True))


def without(fields, prefix):
    """Return ``fields`` without the rows (and ticks) of the list ``prefix``."""
    for key in list(fields.keys()):
        if key.startswith((f"{prefix}-", f"del-{prefix}-")):
            del fields[key]
    return fields


def save(client, customer, fields):
    return client.post(f"/customers/edit/?id={customer.id}", data=fields)


def test_a_gap_in_the_row_numbers_keeps_each_tick_with_its_row(client, auth, people, company):
    auth.login_as("staff_t")
    fields = without(edit_fields(client, company), "contact_persons")
    bea, cecilia = person("Bea"), person("Cecilia")
    fields.update({"contact_persons-1-id": str(bea.id), "contact_persons-1-first_name": "Bea",
                   "contact_persons-1-last_name": "Rivi", "del-contact_persons-1": "y",
                   "contact_persons-2-id": str(cecilia.id),
                   "contact_persons-2-first_name": "Cecilia",
                   "contact_persons-2-last_name": "Rivi"})
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    assert person("Bea") is None
    assert person("Cecilia") is not None and person("Aino") is not None


def test_a_row_without_some_field_keeps_its_own_value(client, auth, people, company):
    auth.login_as("staff_t")
    fields = without(edit_fields(client, company), "contact_persons")
    fields.update({"contact_persons-0-id": str(person("Cecilia").id),
                   "contact_persons-0-first_name": "Cecilia",
                   "contact_persons-0-last_name": "Rivinen"})
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    assert person("Cecilia").last_name == "Rivinen"
    assert person("Cecilia").email == "cecilia@example.fi"  # not Aino's, the first row's
    assert person("Aino").last_name == "Rivi"


def test_a_row_without_an_id_is_a_new_row(client, auth, people, company):
    auth.login_as("staff_t")
    fields = without(edit_fields(client, company), "contact_persons")
    fields.update({"contact_persons-0-first_name": "Uusi", "contact_persons-0-last_name": "Rivi",
                   **informed("contact_persons-0-")})
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    new = person("Uusi")
    assert new is not None and new.email is None  # nothing of Aino's
    assert person("Aino").first_name == "Aino" and ContactPerson.select().count() == 4



def test_the_rows_keep_their_order_after_an_edit(client, auth, people, company):
    """PostgreSQL reads a row updated where it wrote its new version (last, when an
    indexed column changed): the form lists the rows in the order they were added."""
    other = Customer.create(section=company.section, kind="person", first_name="Toinen",
                            last_name="Asiakas", language="fi")
    for owner in (other, company):  # Aino's row written again, at the end of the table
        ContactPerson.update(customer=owner).where(ContactPerson.first_name == "Aino").execute()
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    fields["contact_persons-0-last_name"] = "Rivinen"
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    fields = edit_fields(client, company)
    names = [fields[f"contact_persons-{index}-first_name"] for index in range(3)]
    assert names == ["Aino", "Bea", "Cecilia"]
    assert fields["contact_persons-0-last_name"] == "Rivinen"

@pytest.mark.parametrize("spelling", ["0{}", " {}", "{} "])
def test_an_id_written_otherwise_is_the_same_row(client, auth, people, company, spelling):
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    index = next(key.split("-")[1] for key, value in fields.items()
                 if key.startswith("contact_persons-") and key.endswith("-id")
                 and value == str(person("Bea").id))
    fields[f"contact_persons-{index}-id"] = spelling.format(person("Bea").id)
    fields[f"contact_persons-{index}-last_name"] = "Rivimäki"
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    assert ContactPerson.select().where(ContactPerson.first_name == "Bea").count() == 1
    assert person("Bea").last_name == "Rivimäki"
    fields = edit_fields(client, company)
    fields[f"contact_persons-{index}-id"] = spelling.format(person("Bea").id)
    fields[f"del-contact_persons-{index}"] = "y"
    assert save(client, company, fields).status_code == 302
    assert person("Bea") is None


def test_a_row_sent_twice_is_refused(client, auth, people, company):
    auth.login_as("staff_t")
    fields = without(edit_fields(client, company), "contact_persons")
    bea = str(person("Bea").id)
    fields.update({"contact_persons-0-id": bea, "contact_persons-0-first_name": "Bea",
                   "contact_persons-0-last_name": "Rivi", "del-contact_persons-0": "y",
                   "contact_persons-1-id": bea, "contact_persons-1-first_name": "Bea",
                   "contact_persons-1-last_name": "Muutettu"})
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert "Sama rivi lähetettiin kahdesti" in answer.get_data(as_text=True)
    assert person("Bea").last_name == "Rivi"


def test_more_rows_than_a_post_may_hold_are_refused(client, auth, people, company,
                                                    monkeypatch):
    monkeypatch.setattr(inline_rows, "MAX_POSTED_ROWS", 3)
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    for n in range(1, 4):
        fields.update({f"addresses-{n}-street": f"Uusikatu {n}",
                       f"addresses-{n}-postal_code": "00100",
                       f"addresses-{n}-city": "Helsinki"})
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert "Enintään 3 riviä" in answer.get_data(as_text=True)
    assert Address.select().count() == 1


@pytest.mark.parametrize("rows", ["invoices", "purchases"])
def test_only_a_handler_deletes_invoices_and_purchases_from_the_form(
        app, client, auth, people, company, rows):
    model = {"invoices": Invoice, "purchases": Purchase}[rows]
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    page = client.get(f"/customers/edit/?id={company.id}").get_data(as_text=True)
    assert f'name="del-{rows}-0"' not in page
    assert 'name="del-events-0"' in page  # a contact a staff member may delete
    fields[f"del-{rows}-0"] = "y"
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert "Vain rekisterinkäsittelijä poistaa" in answer.get_data(as_text=True)
    assert model.select().count() == 1
    handler = app.test_client()
    type(auth)(handler).login_as("handler_t")
    fields = edit_fields(handler, company)
    fields[f"del-{rows}-0"] = "y"
    assert save(handler, company, fields).status_code == 302
    assert model.select().count() == 0


def test_a_company_with_contact_persons_becomes_a_person_only_without_them(
        client, auth, people, company):
    """The page hides a person's contact persons, so their rows are not posted: the stored
    ones still count."""
    auth.login_as("staff_t")
    fields = without(edit_fields(client, company), "contact_persons")
    for key, value in {"kind": "person", "name": "", "first_name": "Maija",
                       "last_name": "Rivi"}.items():
        fields[key] = value
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert "Vain yrityksellä tai yhteisöllä on yhteyshenkilöitä" in answer.get_data(as_text=True)
    assert Customer.get_by_id(company.id).kind == "company"
    fields = edit_fields(client, company)
    for key, value in list(fields.items()):
        if key.startswith("contact_persons-") and key.endswith("-id"):
            fields[f"del-{key[:-3]}"] = "y"
    for key, value in {"kind": "person", "name": "", "first_name": "Maija",
                       "last_name": "Rivi"}.items():
        fields[key] = value
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    assert Customer.get_by_id(company.id).kind == "person"
    assert ContactPerson.select().count() == 0


@pytest.mark.parametrize("rows, values, message", [
    ("events", {"occurred_at": "2099-12-31T23:59", "direction": "in", "channel": "phone",
                "summary": "Tuleva"}, "Tämä ei voi olla tulevaisuudessa."),
    ("events", {"occurred_at": "", "direction": "in", "channel": "phone", "summary": "Milloin"},
     "Kirjoita, milloin yhteydenotto oli."),
    ("purchases", {"purchased_on": "2099-01-01", "service": "Messut", "amount": "10"},
     "Tämä ei voi olla tulevaisuudessa."),
])
def test_a_contact_or_purchase_is_not_dated_ahead_nor_undated(client, auth, people, company,
                                                              rows, values, message):
    """A row dated ahead would hold the customer's last activity in the future, kept from
    the purge for ever; a contact without a time failed in the database."""
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    fields.update({f"{rows}-1-{name}": value for name, value in values.items()})
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert ContactEvent.select().count() == 1 and Purchase.select().count() == 1


def test_a_text_column_takes_at_most_ten_thousand_characters(client, auth, people, company):
    """A script's 400 kB note was stored, and every page showing it carried it."""
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    fields["own_info"] = "x" * 10_001
    fields["events-0-summary"] = "y" * 10_001
    answer = save(client, company, fields)
    assert answer.status_code == 200
    assert answer.get_data(as_text=True).count("10000") >= 2
    assert Customer.get_by_id(company.id).own_info is None
    fields = edit_fields(client, company)
    fields["own_info"] = "x" * 10_000
    assert save(client, company, fields).status_code == 302


def test_a_register_form_sent_back_lists_its_errors_as_links(client, auth, people, company):
    """Every register form (here an invoice's): the summary of its errors, each a link to
    its field, first on the form (the browser test checks the focus)."""
    auth.login_as("handler_t")
    invoice = Invoice.get()
    fields = form_fields(client.get(f"/invoices/edit/?id={invoice.id}").get_data(as_text=True))
    fields["amount"] = "abc"
    answer = client.post(f"/invoices/edit/?id={invoice.id}", data=fields)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="error-summary"' in page
    assert 'href="#amount" data-error-link>Summa (EUR): ' in page
    assert page.index('id="error-summary"') < page.index('name="amount"')



def test_an_older_row_posted_by_its_id_keeps_what_was_not_posted(client, auth, people, company):
    """The form holds a history list's latest rows only; a row read on a page loaded
    earlier (or a script's) posted by its id without some field: that field keeps its
    stored value (it was emptied)."""
    first = Purchase.get(Purchase.service == "Messuosasto")
    for day in range(1, 21):
        Purchase.create(customer=company, service=f"Opastus {day}",
                        purchased_on=datetime.date(2026, 2, day), amount="80")
    auth.login_as("staff_t")
    fields = edit_fields(client, company)
    assert str(first.id) not in [fields[key] for key in fields if key.startswith("purchases-")
                                 and key.endswith("-id")]
    fields.update({"purchases-20-id": str(first.id), "purchases-20-service": "Messuosasto B",
                   "purchases-20-purchased_on": "2026-01-05"})
    answer = save(client, company, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    first = Purchase.get_by_id(first.id)
    assert (first.service, first.amount) == ("Messuosasto B", 500)
    assert Purchase.select().where(Purchase.customer == company).count() == 21
