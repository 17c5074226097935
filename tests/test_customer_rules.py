"""The customer rules the form and the list filter use (services/customers.py): what each
kind of customer must have, who has contact persons, a city in any case, and the stamps of
a save — through the real form and on both databases."""

import pytest

from models import Address, Customer, Section
from services import customers as rules
from tests.conftest import csrf_token, informed


@pytest.fixture
def staff(logged_in_user):
    logged_in_user("kirjaaja", "staff", ["business"])


def _post(client, **fields):
    page = client.get("/customers/new/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "version": "", "language": "fi",
            **informed(), **fields}
    return client.post("/customers/new/", data=data)


@pytest.mark.parametrize("kind, fields, message", [
    ("company", {"name": ""}, "Täytä tämä kenttä tämänlaiselle asiakkaalle."),
    ("person", {"first_name": "Aino", "last_name": ""},
     "Täytä tämä kenttä tämänlaiselle asiakkaalle."),
    ("person", {"last_name": "Aalto", "business_id": "0737546-2"},
     "Kenttä ei koske asiakasta, jonka laji on yksityishenkilö"),
    ("company", {"name": "Aalto Oy", "birth_date": "1980-01-01"},
     "Kenttä ei koske asiakasta, jonka laji on yritys"),
    ("person", {"last_name": "Aalto", "contact_persons-0-first_name": "Anna",
                "contact_persons-0-last_name": "Äijälä"},
     "Vain yrityksellä tai yhteisöllä on yhteyshenkilöitä: poista ne ensin"),
])
def test_the_form_says_what_a_kind_needs_and_saves_nothing(client, staff, kind, fields,
                                                           message):
    response = _post(client, kind=kind, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Customer.select().count() == 0


def test_a_company_with_a_contact_person_is_saved_and_stamped(client, staff):
    response = _post(client, kind="company", name="Aalto Oy",
                     **{"contact_persons-0-first_name": "Anna",
                        "contact_persons-0-last_name": "Äijälä",
                        **informed("contact_persons-0-")})
    assert response.status_code == 302
    saved = Customer.get()
    assert saved.section.code == "business" and saved.version == 1
    assert saved.created_at is not None and saved.updated_at == saved.created_at
    assert [p.last_name for p in saved.contact_persons] == ["Äijälä"]


def test_kind_problems_name_each_field_once():
    assert rules.kind_problems("company", {"name": " ", "birth_date": None}) == {
        "name": "required"}
    assert rules.kind_problems("person", {"last_name": "A", "name": "X Oy"}, 1) == {
        "name": "not_for_kind", "contact_persons": "not_for_kind"}
    # A field the section's form does not show is not asked for.
    assert rules.kind_problems("person", {}) == {}
    assert rules.kind_problems("organisation", {"name": "Seura ry"}, 2) == {}


@pytest.mark.parametrize("typed", ["helsinki", "HELSINKI", " Helsinki ", "Helsinki"])
def test_a_city_matches_as_written_on_the_address_in_any_case(app, typed):
    section = Section.get(code="tourism")
    inside = Customer.create(section=section, kind="company", name="Keskusta Oy")
    Address.create(customer=inside, street="Katu 1", postal_code="00100", city="Helsinki")
    outside = Customer.create(section=section, kind="company", name="Espoo Oy")
    Address.create(customer=outside, street="Tie 2", postal_code="02100", city="Espoo")
    found = Customer.select().where(rules.in_city(typed))
    assert [c.name for c in found] == ["Keskusta Oy"]
