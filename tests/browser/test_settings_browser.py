"""The controller's settings in a real browser, in Finnish: the controller opens them from
the menu, corrects a refused field (the rest of the input kept), saves a new version and
publishes it. axe-core checks every page on the way (WCAG 2.x A/AA)."""

import re

import pytest
from playwright.sync_api import expect

from services import register_settings as settings
from tests.browser.helpers import assert_accessible, log_in, open_menu_item, screenshot

pytestmark = pytest.mark.browser


def test_controller_changes_and_publishes_the_settings(page, make_user, db_kind):
    make_user("eero", "controller")
    log_in(page, "eero", front_page=True)

    open_menu_item(page, "Rekisterinpitäjä", "Rekisterinpitäjän asetukset")
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekisterinpitäjän asetukset")
    assert_accessible(page)
    screenshot(page, "settings")

    responsible = page.get_by_role("group", name="Rekisterin vastuuhenkilö")
    responsible.get_by_label("Nimi (pakollinen)").fill("Maija Meikäläinen")
    decision_maker = page.get_by_role("group", name="Rekisterinpitäjän päätösvallan käyttäjä")
    decision_maker.get_by_label("Nimi (pakollinen)").fill("")
    page.get_by_role("button", name="Tallenna uutena versiona").click()

    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text(
        "korjaa alla merkityt kentät")
    name = decision_maker.get_by_label("Nimi (pakollinen)")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(responsible.get_by_label("Nimi (pakollinen)")).to_have_value("Maija Meikäläinen")  # kept
    assert_accessible(page)

    name.fill("Eero Holstila")
    page.get_by_role("button", name="Tallenna uutena versiona").click()
    expect(page.locator(".alert-success")).to_contain_text("versioksi 2")
    assert settings.document()["responsible"]["name"] == "Maija Meikäläinen"

    page.get_by_role("button", name="Julkaise rekisteriseloste ja tietosuojaseloste").click()
    expect(page.locator(".alert-success")).to_contain_text("versiona 1")
    expect(page.get_by_text("Julkiset sivut ovat ajan tasalla.")).to_be_visible()
    assert settings.latest().data["settings"]["responsible"]["name"] == "Maija Meikäläinen"
    assert_accessible(page)
