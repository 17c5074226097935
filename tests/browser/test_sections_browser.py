"""Sections and data categories in a real browser, in Finnish: the controller opens the
page from the "Asetukset" menu, adds a section, takes a category holding data from a
section, reads the counts on the confirmation step and chooses to delete the data now.
axe-core checks every page on the way (WCAG 2.x A/AA)."""

import re

import pytest
from playwright.sync_api import expect

from models import Customer, Demographics, Section
from tests.browser.helpers import assert_accessible, log_in, open_menu_item

pytestmark = pytest.mark.browser


def test_controller_adds_a_section_and_removes_a_category(page, make_user, db_kind):
    make_user("eero", "controller")
    customer = Customer.create(section=Section.get(Section.code == "business"),
                               kind="person", first_name="Väinö", last_name="Väestö")
    Demographics.create(customer=customer, profession="Kirjastonhoitaja")
    log_in(page, "eero", front_page=True)

    open_menu_item(page, "Rekisterinpitäjä", "Osastot ja tietoryhmät")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Osastot ja tietoryhmät")
    assert_accessible(page)

    new = page.get_by_role("region", name="Lisää osasto")
    new.get_by_role("textbox", name="Tunnus").fill("events")
    new.get_by_role("textbox", name="Nimi suomeksi").fill("Tapahtumat")
    new.get_by_label("Sähköposti", exact=True).check()
    new.get_by_role("button", name="Lisää osasto").click()
    expect(page.locator(".alert-success")).to_contain_text("Tapahtumat")
    assert Section.get(Section.code == "events").category_set == {"identity", "email",
                                                                  "record"}

    business = page.get_by_role("region", name=re.compile("Elinkeinokehitys"))
    business.get_by_label("Demografiatiedot", exact=True).uncheck()
    business.get_by_role("button", name=re.compile("Tallenna")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tietoryhmien poistaminen")
    expect(page.get_by_role("table")).to_contain_text("Demografiatiedot")
    assert_accessible(page)
    page.get_by_label("Poista tiedot heti.").check()
    page.get_by_role("button", name="Tallenna osasto").click()
    expect(page.locator(".alert-success")).to_contain_text("Demografiatiedot 1")
    assert Demographics.select().count() == 0
    assert_accessible(page)
