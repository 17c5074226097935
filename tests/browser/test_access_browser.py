"""Granting access with a real browser, in Finnish: a tourism handler asks access for a new
colleague (an error first, with the input kept), the controller approves it from the front
page, the handler creates the account and sees its one-time password once, and the new
user logs in with it and must choose a password of their own. Every page on the way is
checked by axe-core (WCAG 2.0/2.1 A and AA)."""

import re

import pytest
from playwright.sync_api import expect

from models import AccessRequest, User
from tests.browser import helpers
from tests.browser.helpers import assert_accessible, log_in, open_menu_item, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Marraskuun ensimmäinen tiistai"


def log_out(page):
    helpers.log_out(page)
    expect(page).to_have_url(re.compile(r"/login"))


def test_controller_approves_handler_creates_new_user_changes_password(page, make_user, db_kind):
    make_user("eero", "controller")
    make_user("tuulikki", "handler", ["tourism"])

    # The handler asks access for a new colleague from the menu "Rekisterinpitäjä".
    log_in(page, "tuulikki")
    expect(page.get_by_role("heading", level=1)).to_have_text("Etusivu")
    open_menu_item(page, "Rekisterinpitäjä", "Käyttöoikeuspyynnöt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Käyttöoikeuspyynnöt")
    assert_accessible(page)
    page.get_by_role("link", name="Pyydä käyttöoikeutta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pyydä käyttöoikeutta")
    assert_accessible(page)

    # First without the email: the error is tied to the field and the input stays.
    page.get_by_label("Henkilön nimi", exact=True).fill("Pekka Äijälä")
    page.get_by_label("Rooli", exact=True).select_option(label="Henkilökunta")
    page.get_by_role("group", name="Osastot").get_by_label(
        "Matkailu- ja kongressitoimisto").check()
    page.get_by_label("Miksi käyttöoikeutta tarvitaan", exact=True).fill(
        "Asiakaspalvelu matkailuneuvonnassa 1.12. alkaen")
    page.get_by_role("button", name="Lähetä pyyntö rekisterinpitäjälle").click()
    email = page.get_by_label("Työsähköposti", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("työsähköpostiosoite"))
    expect(page.get_by_label("Henkilön nimi", exact=True)).to_have_value("Pekka Äijälä")
    expect(page.get_by_role("group", name="Osastot").get_by_label(
        "Matkailu- ja kongressitoimisto")).to_be_checked()
    assert_accessible(page)
    screenshot(page, f"access-request-error-{db_kind}")
    email.fill("pekka.aijala@hel.fi")
    page.get_by_role("button", name="Lähetä pyyntö rekisterinpitäjälle").click()
    expect(page.get_by_role("status")).to_contain_text("lähetettiin rekisterinpitäjän")
    request_id = AccessRequest.get().id
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Käyttöoikeuspyyntö nro {request_id}")
    # Nothing to implement before the decision.
    expect(page.get_by_role("button", name="Luo käyttäjätili")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # The controller finds it on the front page and approves it.
    log_in(page, "eero")
    waiting = page.get_by_role("region", name=re.compile("^Sinua odottavat tehtävät"))
    expect(waiting).to_contain_text("Pekka Äijälä")
    expect(waiting).to_contain_text("Päätä käyttöoikeuspyynnöstä")
    assert_accessible(page)
    screenshot(page, f"access-dashboard-{db_kind}")
    waiting.get_by_role("link", name=f"Käyttöoikeuspyyntö nro {request_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Käyttöoikeuspyyntö nro {request_id}")
    assert_accessible(page)
    page.get_by_role("button", name="Hyväksy pyyntö").click()
    expect(page.get_by_role("status")).to_contain_text("Pyyntö hyväksyttiin.")
    assert User.by_username("pekka.aijala") is None
    log_out(page)

    # The handler sees it waiting for implementation and creates the account.
    log_in(page, "tuulikki")
    waiting = page.get_by_role("region", name=re.compile("^Sinua odottavat tehtävät"))
    expect(waiting).to_contain_text("Toteuta hyväksytty käyttöoikeus")
    waiting.get_by_role("link", name=f"Käyttöoikeuspyyntö nro {request_id}").click()
    username = page.get_by_label("Käyttäjätunnus", exact=True)
    expect(username).to_have_value("pekka.aijala")  # offered from the email
    assert_accessible(page)
    page.get_by_role("button", name="Luo käyttäjätili").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Käyttäjätili luotiin")
    expect(page.locator("#new-username")).to_have_text("pekka.aijala")
    expect(page.get_by_role("status")).to_contain_text("Salasana näytetään vain nyt.")
    one_time = page.locator("#one-time-password").inner_text().strip()
    assert len(one_time) >= 12
    assert_accessible(page)
    screenshot(page, f"access-account-created-{db_kind}")
    # Shown once: the request's page does not show it again.
    page.goto(f"/access/requests/{request_id}/")
    expect(page.locator("main")).to_contain_text("Toteutettu")
    expect(page.locator("main")).not_to_contain_text(one_time)
    log_out(page)

    # The new user logs in with the one-time password and must choose their own.
    log_in(page, "pekka.aijala", one_time)
    expect(page).to_have_url(re.compile(r"/password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vaihda salasana")
    assert_accessible(page)
    page.get_by_label("Nykyinen salasana", exact=True).fill(one_time)
    page.get_by_label("Uusi salasana", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Uusi salasana uudelleen", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Vaihda salasana").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Etusivu")
    expect(page.get_by_role("button", name="Käyttäjätili: pekka.aijala")).to_be_visible()
    assert not User.by_username("pekka.aijala").must_change_password


def test_accounts_review_and_guidance_pages_are_accessible(page, make_user, db_kind):
    """The handler ends a colleague's access; the controller publishes guidance, which the
    responsible person must acknowledge before the review page opens."""
    make_user("eero", "controller")
    make_user("nyrki", "responsible")
    make_user("tuulikki", "handler", ["tourism"])
    anna = make_user("anna", "staff", ["tourism"])

    log_in(page, "tuulikki")
    page.goto("/access/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Käyttäjätilit")
    assert_accessible(page)
    page.get_by_role("link", name="Päätä käyttöoikeus: anna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Päätä käyttäjän anna käyttöoikeus")
    page.get_by_label("Perustelu", exact=True).fill("")
    page.get_by_role("button", name="Päätä käyttöoikeus nyt").click()
    reason = page.get_by_label("Perustelu", exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    reason.fill("Siirtyi muihin tehtäviin")
    page.get_by_role("button", name="Päätä käyttöoikeus nyt").click()
    expect(page.get_by_role("status")).to_contain_text("käyttäjätunnus poistettiin")
    expect(page.locator("main")).to_contain_text(anna.pseudonym)
    assert User.get_by_id(anna.id).username is None
    log_out(page)

    log_in(page, "eero")
    page.goto("/access/guidance/")
    page.get_by_label("Ohjeen teksti", exact=True).fill(
        "Rekisteriin ei kirjata henkilötunnuksia.\n\nLukitse näyttö, kun lähdet.")
    page.get_by_role("button", name="Julkaise uusi versio").click()
    expect(page.get_by_role("status")).to_contain_text("Ohjeen versio 1 julkaistiin.")
    assert_accessible(page)
    screenshot(page, f"access-guidance-{db_kind}")
    log_out(page)

    log_in(page, "nyrki")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kuittaa ohje luetuksi")
    expect(page.locator("main")).to_contain_text("Lukitse näyttö, kun lähdet.")
    assert_accessible(page)
    page.goto("/access/review/")  # not before the acknowledgement
    expect(page.get_by_role("heading", level=1)).to_have_text("Kuittaa ohje luetuksi")
    page.get_by_role("button", name="Olen lukenut ohjeen ja noudatan sitä").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Käyttöoikeuksien tarkistus")
    expect(page.get_by_role("group", name="Tulos: tuulikki").get_by_label("Säilytetään")
           ).to_be_checked()
    assert_accessible(page)
    screenshot(page, f"access-review-{db_kind}")
    page.get_by_role("group", name="Tulos: tuulikki").get_by_label("Muutetaan").check()
    page.get_by_role("button", name="Tallenna tarkistus").click()
    comment = page.get_by_label("Kommentti: tuulikki", exact=True)
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_have_accessible_description(re.compile("Kirjoita kommentti"))
    assert_accessible(page)
    comment.fill("Myös elinkeinokehitys")
    page.get_by_role("button", name="Tallenna tarkistus").click()
    expect(page.get_by_role("status")).to_contain_text("tallennettiin")
    expect(page.locator("main")).to_contain_text("Myös elinkeinokehitys")
    assert_accessible(page)
    page.goto("/access/review/")
    expect(page.get_by_role("region", name="Aiemmat tarkistukset")).to_contain_text("Tarkistus")
    assert_accessible(page)
