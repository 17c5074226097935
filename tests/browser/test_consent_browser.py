"""Marketing consent with a real browser, in Finnish: a tourism staff member opens a private
person's page, records an email marketing consent from the consent page (a date in the
future refused first, with the input kept), sees it on the customer's page and withdraws it
there with one click. Every page is checked by axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from models import Customer, MarketingConsent, Section
from services.localtime import helsinki_today
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def person(app):
    return Customer.create(section=Section.get(code="tourism"), kind="person",
                           first_name="Aino", last_name="Äijälä", email="aino@example.fi",
                           mobile="+358401234567").id


def test_staff_records_and_withdraws_a_consent(page, make_user, person, db_kind):
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    page.goto(f"/customers/details/?id={person}")
    consents = page.get_by_role("region", name="Markkinointisuostumukset")
    expect(consents).to_contain_text("Sähköpostimarkkinointi: Ei suostumusta")
    assert_accessible(page)
    consents.get_by_role("link", name="Markkinointisuostumukset: kirjaus ja historia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Markkinointisuostumukset: Äijälä, Aino")
    assert_accessible(page)

    tomorrow = helsinki_today() + datetime.timedelta(days=1)
    page.get_by_label("Suostumus koskee", exact=True).select_option(
        label="Sähköpostimarkkinointi")
    page.get_by_label("Suostumus annettu", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("Miten henkilö antoi suostumuksen", exact=True).select_option(
        label="Verkkolomakkeella")
    page.get_by_role("button", name="Kirjaa", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ei voi olla tulevaisuudessa")
    expect(page.get_by_label("Miten henkilö antoi suostumuksen", exact=True)).to_have_value(
        "web_form")
    assert_accessible(page)

    page.get_by_label("Suostumus annettu", exact=True).fill(helsinki_today().isoformat())
    page.get_by_role("button", name="Kirjaa", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Suostumus kirjattu: Äijälä, Aino")
    assert MarketingConsent.select().count() == 1
    assert_accessible(page)
    screenshot(page, f"consents-{db_kind}")

    page.get_by_role("link", name="Takaisin asiakkaaseen").click()
    consents = page.get_by_role("region", name="Markkinointisuostumukset")
    expect(consents).to_contain_text("Sähköpostimarkkinointi: Voimassa")
    assert_accessible(page)
    consents.get_by_role("button", name="Peruuta: Sähköpostimarkkinointi").click()
    expect(page.get_by_role("status")).to_contain_text("Suostumus peruutettu: Äijälä, Aino")
    history = page.get_by_role("region", name="Historia")
    expect(history.get_by_role("row")).to_have_count(2)  # heading row and the consent
    assert MarketingConsent.get().withdrawn_at is not None
    assert_accessible(page)
