"""The customer form in a real browser, in Finnish, at a desktop's 1280 × 800 and a
phone's 390 × 844: with JavaScript the kind decides which fields show, switching it keeps
what was typed, another kind's fields are neither shown nor sent, and a row added inline
does not reload the page; without JavaScript every field shows and the server checks the
kind. The form passes axe-core (WCAG 2.0/2.1 A and AA) with a kind chosen and with a row
added."""

import re

import pytest
from playwright.sync_api import expect

from models import Address, Customer
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import assert_accessible, log_in, screenshot
from tests.conftest import typed_now

pytestmark = pytest.mark.browser

SIZES = [pytest.param((1280, 800), id="1280x800"), pytest.param((390, 844), id="390x844")]
PERSON_FIELDS = ("Etunimet", "Sukunimi", "Syntymäaika")
COMPANY_FIELDS = ("Yrityksen tai yhteisön nimi", "Y-tunnus")


def field(page, label):
    return page.get_by_label(label, exact=True)


def fill_informed(page):
    """The informing record a new customer needs (seed §13)."""
    page.locator("#informed_how").select_option(label="annettu henkilökohtaisesti")
    page.locator("#informed_at").fill(typed_now(minutes_ago=1))


def fieldset_box(page, code):
    return page.locator(f"#fieldset-{code}").bounding_box()


@pytest.mark.parametrize("size", SIZES)
def test_the_kind_decides_the_fields_and_switching_keeps_them(page, make_user, size, db_kind):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    page.goto("/customers/new/")

    # A new customer is a private person until the kind is changed: the person's fields.
    kind = field(page, "Laji")
    expect(kind).to_have_value("person")
    for label in PERSON_FIELDS:
        expect(field(page, label)).to_be_visible()
    for label in COMPANY_FIELDS:
        expect(field(page, label)).to_be_hidden()
    expect(page.locator("summary", has_text="Yhteyshenkilöt")).to_be_hidden()
    # The help line is the field's description for screen readers.
    expect(field(page, "Syntymäaika")).to_have_accessible_description(
        re.compile("vuosi-kuukausi-päivä"))

    field(page, "Etunimet").fill("Maija")
    field(page, "Sukunimi").fill("Meikäläinen")
    field(page, "Syntymäaika").fill("1980-05-17")
    field(page, "Puhelin").fill("040 123 4567")
    field(page, "Sähköposti").fill("maija@example.fi")

    # A company: its name and Y-tunnus; the person's fields hidden and not sent.
    kind.select_option("company")
    for label in COMPANY_FIELDS:
        expect(field(page, label)).to_be_visible()
    for label in PERSON_FIELDS:
        expect(field(page, label)).to_be_hidden()
    expect(page.locator("#birth_date")).to_be_disabled()
    expect(page.locator("summary", has_text="Yhteyshenkilöt (0)")).to_be_visible()
    expect(field(page, "Puhelin")).to_have_value("040 123 4567")
    expect(field(page, "Sähköposti")).to_have_value("maija@example.fi")
    field(page, "Yrityksen tai yhteisön nimi").fill("Meikäläisen Kahvila Oy")
    field(page, "Y-tunnus").fill("0737546-2")

    # Back to a person and again to a company: nothing typed is lost on the way.
    kind.select_option("person")
    expect(field(page, "Syntymäaika")).to_have_value("1980-05-17")
    expect(field(page, "Sukunimi")).to_have_value("Meikäläinen")
    kind.select_option("company")
    expect(field(page, "Yrityksen tai yhteisön nimi")).to_have_value("Meikäläisen Kahvila Oy")
    fill_informed(page)
    # Flask-Admin's date picker stays open after typing a date; a click elsewhere closes it.
    page.get_by_role("heading", level=1).click()
    expect(page.locator(".daterangepicker").first).to_be_hidden()

    # Two columns on a desktop, one on a phone.
    identity, contact = fieldset_box(page, "identity"), fieldset_box(page, "contact")
    if width >= 992:
        assert abs(identity["y"] - contact["y"]) < 2 and contact["x"] > identity["x"]
    else:
        assert contact["y"] > identity["y"] and abs(contact["x"] - identity["x"]) < 2
    assert_accessible(page)
    screenshot(page, f"customer-form-company-{width}-{db_kind}")

    # An address added inline: no reload (the page's own mark survives), the rest kept.
    page.evaluate("window.notReloaded = true")
    page.locator("summary", has_text="Osoitteet (0)").click()
    addresses = page.get_by_role("group", name="Osoitteet", exact=True)
    addresses.get_by_role("button", name="Lisää: Osoitteet").click()
    row = addresses.get_by_role("group", name="Osoitteet #1 (uusi)", exact=True)
    expect(row.get_by_role("combobox", name="Laji", exact=True)).to_be_focused()
    row.get_by_role("textbox", name="Katuosoite", exact=True).fill("Mannerheimintie 1")
    row.get_by_role("textbox", name="Postinumero", exact=True).fill("00100")
    row.get_by_role("textbox", name="Kunta", exact=True).fill("Helsinki")
    assert page.evaluate("window.notReloaded") is True
    expect(field(page, "Yrityksen tai yhteisön nimi")).to_have_value("Meikäläisen Kahvila Oy")
    assert_accessible(page)
    screenshot(page, f"customer-form-address-{width}-{db_kind}")

    page.get_by_role("button", name="Tallenna", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Tietue on luotu.")
    saved = Customer.get(Customer.name == "Meikäläisen Kahvila Oy")
    # The person's fields were disabled: neither the birth date nor the names were sent.
    assert (saved.kind, saved.birth_date, saved.last_name, saved.first_name) == (
        "company", None, None, None)
    assert saved.phone == "+358401234567" and saved.email == "maija@example.fi"
    assert [a.street for a in Address.select().where(Address.customer == saved)] == [
        "Mannerheimintie 1"]


@pytest.mark.parametrize("size", SIZES)
def test_without_javascript_every_field_shows_and_the_server_checks(
        browser, live_server, make_user, size, db_kind):
    width, height = size
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        make_user("tiina", "staff", ["tourism"])
        log_in(page, "tiina")
        page.goto("/customers/new/")
        # Every kind's fields, each group headed by whom it is for.
        for label in PERSON_FIELDS + COMPANY_FIELDS:
            expect(field(page, label)).to_be_visible()
            expect(field(page, label)).to_be_enabled()
        expect(page.get_by_role("group", name="Yksityishenkilön tiedot")).to_be_visible()
        expect(page.get_by_role("group", name="Yrityksen tai yhteisön tiedot")).to_be_visible()
        expect(page.locator("summary", has_text="Yhteyshenkilöt (0)")).to_be_visible()
        # (axe-core is a script itself: the page with scripts is checked above.)
        screenshot(page, f"customer-form-no-script-{width}-{db_kind}")

        # A company with a birth date: refused by the server, the input kept.
        field(page, "Laji").select_option("company")
        field(page, "Yrityksen tai yhteisön nimi").fill("Skriptitön Oy")
        field(page, "Syntymäaika").fill("1980-05-17")
        page.locator("#informed_how").select_option(label="annettu henkilökohtaisesti")
        page.locator("#informed_at").fill(typed_now(minutes_ago=1))
        page.get_by_role("button", name="Tallenna", exact=True).click()
        birth_date = field(page, "Syntymäaika")
        expect(birth_date).to_have_attribute("aria-invalid", "true")
        expect(birth_date).to_have_accessible_description(
            re.compile("Kenttä ei koske asiakasta, jonka laji on yritys"))
        expect(field(page, "Yrityksen tai yhteisön nimi")).to_have_value("Skriptitön Oy")
        assert not Customer.select().where(Customer.name == "Skriptitön Oy").exists()

        birth_date.fill("")
        page.get_by_role("button", name="Tallenna", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Tietue on luotu.")
        assert Customer.get(Customer.name == "Skriptitön Oy").birth_date is None
    finally:
        context.close()
