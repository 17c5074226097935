"""Phone numbers as people read them (services/phones.py): grouped in the international
format on every page that shows one, stored as E.164, and a value stored before numbers
were checked shown as it is, never an error — on SQLite and PostgreSQL."""

import json

import pytest

from models import ContactPerson, Customer, RectificationRequest, Section, utcnow
from services.phones import display_phone

PEOPLE = ("staff_t",)


@pytest.mark.parametrize("stored, shown", [
    ("+358403806251", "+358 40 380 6251"),  # a Finnish mobile number
    ("+358501112223", "+358 50 111 2223"),
    ("+35891234567", "+358 9 123 4567"),  # a Helsinki landline
    ("+358931012345", "+358 9 3101 2345"),  # eight digits after the area code
    ("+358201234567", "+358 20 123 4567"),  # a service number
    ("+358800123456", "+358 800 123 456"),
    ("+46701234567", "+46 70 123 45 67"),  # Swedish, grouped as Sweden does
    ("+12025550123", "+1 202 555 0123"),  # no hyphens
    ("+4930123456", "+49 30 123456"),
])
def test_numbers_are_grouped_in_the_international_format(stored, shown):
    assert display_phone(stored) == shown


@pytest.mark.parametrize("stored", [
    "040-123 45 67 (ilt.)", "ask at the desk", "0401234567", "+3581234", "+358 40 380 6251",
    "+99999999999999999999", "+", "\x00", "4" * 32,
])
def test_anything_but_a_valid_e164_number_is_shown_as_stored(stored):
    assert display_phone(stored) == stored


def test_a_finnish_number_is_taken_apart_as_the_library_parses_it():
    """Every Finnish number of 1 to 12 digits after +358 (each first two digits, with
    random rest), the short and trunk-0 ones included: the hand-made parse gives the
    library's PhoneNumber, or both refuse."""
    import random

    import phonenumbers

    from services.phones import _parsed

    rng = random.Random(358)
    numbers = [f"+358{first}{second}" + "".join(rng.choice("0123456789")
                                                for _ in range(rng.randrange(0, 11)))
               for first in "0123456789" for second in "0123456789" for _ in range(30)]
    numbers += ["+3584", "+35840", "+3589", "+358" + "9" * 12]
    for text in numbers:
        try:
            expected = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            expected = None
        try:
            found = _parsed(text)
        except phonenumbers.NumberParseException:
            found = None
        assert found == expected, text
        if expected is not None:
            assert (phonenumbers.format_number(found, phonenumbers.PhoneNumberFormat.E164)
                    == phonenumbers.format_number(expected,
                                                  phonenumbers.PhoneNumberFormat.E164))


def test_a_finnish_number_of_a_shape_seen_before_is_shown_as_the_library_shows_it():
    """The shape kept per first five digits and length gives the library's reading for
    every other number of that shape: for every first four digits (a random fifth, a
    random length), two numbers alike in their first five digits and length, the first
    read by the library and kept, the second shown from what was kept."""
    import random

    from services import phones

    rng = random.Random(2026)
    phones._FINNISH_SHAPES.clear()

    def digits(count):
        return "".join(rng.choice("0123456789") for _ in range(count))

    for prefix in range(1000, 10000):
        length = rng.randrange(6, 13)
        head = f"{prefix}{digits(1)}"
        first, second = (f"+358{head}{digits(length - 5)}" for _ in range(2))
        assert display_phone(first) == phones._by_library(first), first
        assert (head, length) in phones._FINNISH_SHAPES
        assert display_phone(second) == phones._by_library(second), (first, second)
    assert display_phone("+358403806251") == "+358 40 380 6251"  # kept: shown again alike


def test_nothing_stored_shows_nothing():
    assert display_phone(None) == "" and display_phone("") == ""


@pytest.fixture
def customers(app):
    tourism = Section.get(code="tourism")
    company = Customer.create(section=tourism, kind="company", name="Soittorasia Oy",
                              sort_name="soittorasia oy", phone="+35891234567",
                              mobile="+358403806251", fax="+358931012345")
    ContactPerson.create(customer=company, first_name="Kalle", last_name="Kontakti",
                         phone="+46701234567")
    # Stored before numbers were checked: shown as it is.
    old = Customer.create(section=tourism, kind="person", first_name="Vanha",
                          last_name="Tieto", sort_name="tieto vanha",
                          phone="09-123 456 (vaihde)", mobile="+358 (0)40 ilt.")
    return company.id, old.id


def test_the_customers_page_and_its_contact_persons_show_grouped_numbers(
        client, auth, people, customers):
    company, old = customers
    auth.login("staff_t")
    page = client.get(f"/customers/details/?id={company}").get_data(as_text=True)
    for shown in ("+358 9 123 4567", "+358 40 380 6251", "+358 9 3101 2345",
                  "+46 70 123 45 67"):
        assert shown in page
    assert "+358403806251" not in page
    response = client.get(f"/customers/details/?id={old}")
    assert response.status_code == 200
    assert "09-123 456 (vaihde)" in response.get_data(as_text=True)


def test_the_customer_list_shows_the_phone_and_the_mobile_grouped(
        client, auth, people, customers):
    auth.login("staff_t")
    response = client.get("/customers/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "+358 9 123 4567, +358 40 380 6251" in page
    assert "09-123 456 (vaihde), +358 (0)40 ilt." in page


def test_the_phone_filter_of_the_templates_is_the_same_function(app):
    assert app.jinja_env.filters["phone"] is display_phone


def test_the_merge_page_shows_both_numbers_grouped(client, auth, people, customers):
    company, _old = customers
    twin = Customer.create(section=Section.get(code="tourism"), kind="company",
                           name="Soittorasia Oy", sort_name="soittorasia oy",
                           mobile="+358 (0)40 ilt.")
    auth.login("staff_t")
    page = client.get(f"/customers/merge/?a={company}&b={twin.id}").get_data(as_text=True)
    assert "+358 40 380 6251" in page and "+358 (0)40 ilt." in page
    assert "+358403806251" not in page


def test_a_rectification_request_shows_the_numbers_grouped(client, auth, people, customers):
    company, _old = customers
    found = RectificationRequest.create(
        customer=company, received_at=utcnow(), requester_name="Kalle Kontakti",
        description="Uusi numero", requested=json.dumps({"mobile": "+358501112223"}),
        registered_by=people["staff_t"], registered_at=utcnow())
    auth.login("staff_t")
    page = client.get(f"/rectification/{found.id}/").get_data(as_text=True)
    assert "+358 40 380 6251" in page and "+358 50 111 2223" in page  # now, and asked for
