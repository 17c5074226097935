"""Prohibitions, the marketing list and rectification with a real browser, in Finnish: a
tourism staff member records a contact person's prohibition from the customer's page,
gets a refusal back with the input kept, counts a marketing list that leaves the person
out, and registers a rectification request of the company's and its contact person's
email (chosen from the company's data by category, a row opened with the keyboard) that
the section's handler approves and applies. Every page is checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from models import ContactPerson, Customer, Prohibition, RectificationRequest, Section
from tests.browser.helpers import assert_accessible, log_in, log_out, open_menu_item, screenshot

pytestmark = pytest.mark.browser

COMPANY = "Äijälän Puutarha Oy"


@pytest.fixture
def company(app):
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name=COMPANY, business_id="0737546-2", email="info@aijala.fi")
    ContactPerson.create(customer=customer, first_name="Maija", last_name="Meikäläinen")
    return customer.id


def test_staff_records_a_prohibition_and_counts_the_list(page, make_user, company, db_kind):
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    page.goto(f"/customers/details/?id={company}")
    page.get_by_role("link", name="Kiellot", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kiellot: {COMPANY}")
    assert_accessible(page)

    # Withdrawing what is not in force is refused, and what was typed stays.
    page.get_by_label("Kenen kielto", exact=True).select_option(
        label="Maija Meikäläinen (yhteyshenkilö)")
    page.get_by_label("Kielletty käyttö", exact=True).select_option(label="Suoramarkkinointi")
    page.get_by_label("Kirjattava asia", exact=True).select_option(label="Kielto peruttu")
    page.get_by_label("Miten henkilö ilmoitti", exact=True).select_option(label="kirjeellä")
    page.get_by_label("Huomautus (vapaaehtoinen)", exact=True).fill("Kirje 2.11.")
    page.get_by_role("button", name="Kirjaa", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ei ole voimassa")
    expect(page.get_by_label("Huomautus (vapaaehtoinen)", exact=True)).to_have_value(
        "Kirje 2.11.")
    assert_accessible(page)

    page.get_by_label("Kirjattava asia", exact=True).select_option(label="Kielto annettu")
    page.get_by_role("button", name="Kirjaa", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Kirjattu henkilölle Maija Meikäläinen")
    in_force = page.get_by_role("region", name="Voimassa nyt")
    expect(in_force.get_by_role("row", name=re.compile("^Maija Meikäläinen"))).to_contain_text(
        "Kielletty")
    history = page.get_by_role("region", name="Historia")
    expect(history.get_by_role("row")).to_have_count(2)
    assert Prohibition.select().count() == 1
    assert_accessible(page)
    screenshot(page, f"prohibitions-{db_kind}")

    # The customer's page names the prohibition in force.
    page.get_by_role("link", name="Takaisin asiakkaaseen").click()
    expect(page.get_by_role("region", name="Voimassa olevat kiellot")).to_contain_text(
        "Maija Meikäläinen: Suoramarkkinointi")
    assert_accessible(page)

    # The marketing list leaves her out and says so before any download.
    open_menu_item(page, "Rekisteröidyn oikeudet", "Markkinointilista")
    expect(page.get_by_role("note")).to_contain_text("Vain sisäiseen käyttöön")
    page.get_by_role("button", name="Laske", exact=True).click()
    counts = page.get_by_role("region", name="Lista")
    expect(counts).to_contain_text("1 asiakas on listalla")
    expect(counts).to_contain_text("1 yhteyshenkilö jätettiin pois oman kieltonsa vuoksi")
    expect(counts.get_by_role("button", name="Lataa lista (CSV)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"marketing-list-{db_kind}")


def test_rectification_request_from_registering_to_applying(page, make_user, company, db_kind):
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    page.goto(f"/customers/details/?id={company}")
    page.get_by_role("link", name="Rekisteröi korjauspyyntö").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rekisteröi korjauspyyntö")
    assert_accessible(page)
    page.get_by_label("Pyytäjän nimi", exact=True).fill("Maija Meikäläinen")
    page.get_by_label("Mitä pyydetään korjaamaan", exact=True).fill(
        "Sähköposti vaihtunut, myös yhteyshenkilön")
    # The data by category, as in the report; a contact person's row opens from its summary.
    email = page.get_by_role("group", name="Sähköposti", exact=True).get_by_label(
        "Sähköposti", exact=True)
    email.fill("ei osoite")
    people = page.get_by_role("group", name="Yhteyshenkilöt", exact=True)
    people.get_by_text("Yhteyshenkilö 1: Maija, Meikäläinen").focus()
    page.keyboard.press("Enter")
    maija = people.get_by_role("group", name=re.compile("^Yhteyshenkilö 1"))
    maija.get_by_label("Sähköposti", exact=True).fill("maija@aijala.fi")
    page.get_by_role("button", name="Kirjaa pyyntö").click()
    email = page.get_by_role("group", name="Sähköposti", exact=True).get_by_label(
        "Sähköposti", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("ei osoite")
    expect(page.get_by_role("group", name=re.compile("^Yhteyshenkilö 1")).get_by_label(
        "Sähköposti", exact=True)).to_have_value("maija@aijala.fi")
    assert RectificationRequest.select().count() == 0
    assert_accessible(page)
    screenshot(page, f"rectification-new-{db_kind}")

    email.fill("myynti@aijala.fi")
    page.get_by_role("button", name="Kirjaa pyyntö").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Korjauspyyntö nro \d+$"))
    expect(page.get_by_role("status")).to_contain_text("Korjauspyyntö kirjattiin")
    changes = page.get_by_role("region", name="Pyydetyt uudet arvot")
    expect(changes.get_by_role("row", name=re.compile("^Sähköposti info@"))).to_contain_text(
        "info@aijala.fi myynti@aijala.fi")
    expect(changes.get_by_role("row", name="Sähköposti (Yhteyshenkilö 1)")).to_contain_text(
        "maija@aijala.fi")
    # Staff record the check; the decision is not theirs.
    page.get_by_label("Tarkistuslähde", exact=True).select_option(label="Kaupparekisteri")
    page.get_by_label("Tarkistuksen tulos", exact=True).fill("Yhteystiedot tarkistettu")
    page.get_by_role("button", name="Kirjaa tarkistus").click()
    expect(page.get_by_role("status")).to_contain_text("Tarkistus kirjattiin")
    expect(page.get_by_role("button", name="Kirjaa päätös")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"rectification-request-{db_kind}")
    request_url = page.url

    # The section's handler approves and applies it; the page keeps before and after.
    make_user("tuulikki", "handler", ["tourism"])
    log_out(page)
    log_in(page, "tuulikki", front_page=True)
    open_menu_item(page, "Rekisteröidyn oikeudet", "Korjauspyynnöt")
    expect(page.get_by_role("row", name=re.compile("Maija Meikäläinen"))).to_contain_text(
        "Tarkistettu, odottaa päätöstä")
    assert_accessible(page)
    page.goto(request_url)
    page.get_by_label("Päätös", exact=True).select_option(label="Hyväksy")
    page.get_by_role("button", name="Kirjaa päätös").click()
    expect(page.get_by_role("status")).to_contain_text("Pyyntö hyväksyttiin")
    assert_accessible(page)
    page.get_by_role("button", name="Toteuta muutos").click()
    expect(page.get_by_role("status")).to_contain_text("Pyyntö toteutettiin")
    changes = page.get_by_role("region", name="Pyydetyt uudet arvot")
    expect(changes.get_by_role("columnheader", name="Ennen")).to_be_visible()
    expect(changes.get_by_role("row", name=re.compile("^Sähköposti info@"))).to_contain_text(
        "info@aijala.fi myynti@aijala.fi")
    expect(changes.get_by_role("row", name="Sähköposti (Yhteyshenkilö 1)")).to_contain_text(
        "— maija@aijala.fi")
    assert Customer.get_by_id(company).email == "myynti@aijala.fi"
    assert ContactPerson.get(customer=company).email == "maija@aijala.fi"
    assert_accessible(page)
    screenshot(page, f"rectification-applied-{db_kind}")
