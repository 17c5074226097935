"""Logging in with a real browser: a new user's first login, password change and front
page, in Finnish, with every page checked by axe-core (WCAG 2.0/2.1 A and AA)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, log_in, log_out, open_drop_down, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Kesäkuun kolmas lauantai 2026"  # 29 characters, with a non-ASCII letter


def test_new_user_logs_in_changes_password_and_sees_front_page(page, make_user, db_kind):
    make_user("uusi.kayttaja", "staff", ["tourism"], must_change=True)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page).to_have_title(re.compile("^Kirjaudu sisään"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu sisään")
    expect(page.get_by_label("Käyttäjätunnus", exact=True)).to_be_focused()  # autofocus
    assert_accessible(page)
    screenshot(page, f"login-{db_kind}")

    log_in(page, "uusi.kayttaja", PASSWORD, open_form=False)

    # A new user must choose an own password before anything else.
    expect(page).to_have_url(re.compile(r"/password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vaihda salasana")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/password$"))
    assert_accessible(page)

    # A too short and mismatching new password: the errors are shown and tied to the fields.
    page.get_by_label("Nykyinen salasana", exact=True).fill(PASSWORD)
    page.get_by_label("Uusi salasana", exact=True).fill("lyhyt")
    page.get_by_label("Uusi salasana uudelleen", exact=True).fill("toinen")
    page.get_by_role("button", name="Vaihda salasana").click()
    new_password = page.get_by_label("Uusi salasana", exact=True)
    expect(new_password).to_have_attribute("aria-invalid", "true")
    expect(new_password).to_have_accessible_description(re.compile("12"))  # the minimum length
    expect(page.get_by_label("Uusi salasana uudelleen", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page)
    screenshot(page, f"change-password-errors-{db_kind}")

    page.get_by_label("Nykyinen salasana", exact=True).fill(PASSWORD)
    page.get_by_label("Uusi salasana", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Uusi salasana uudelleen", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Vaihda salasana").click()

    # The front page, in Finnish: the work list; who is logged in, the role and the
    # section are in the account menu.
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Etusivu")
    expect(page.get_by_role("region", name=re.compile("^Sinua odottavat tehtävät"))
           ).to_contain_text("Ei tehtävää.")
    menu = page.locator(".account-menu .dropdown-menu")
    open_drop_down(page, page.get_by_role("button", name="Käyttäjätili: uusi.kayttaja"), None)
    expect(menu).to_contain_text("Kirjautuneena: uusi.kayttaja")
    expect(menu).to_contain_text("Henkilökunta")
    expect(menu).to_contain_text("Matkailu- ja kongressitoimisto")
    page.keyboard.press("Escape")
    assert_accessible(page)
    screenshot(page, f"dashboard-{db_kind}")

    # The new password is the one that works now, and no change is asked for any more.
    log_out(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, "uusi.kayttaja", PASSWORD, open_form=False)
    expect(page.get_by_role("alert")).to_have_text("Väärä käyttäjätunnus tai salasana.")
    log_in(page, "uusi.kayttaja", NEW_PASSWORD, open_form=False)
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Etusivu")


def test_wrong_password_says_so_in_finnish_and_keeps_the_username(page, make_user):
    make_user("anna", "staff", ["tourism"])

    page.goto("/login")
    log_in(page, "anna", "ei tämä ole oikea salasana", open_form=False)

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("Väärä käyttäjätunnus tai salasana.")
    expect(page.get_by_label("Käyttäjätunnus", exact=True)).to_have_value("anna")
    expect(page.get_by_label("Salasana", exact=True)).to_have_value("")  # never sent back
    assert_accessible(page)


def test_accessibility_check_fails_on_a_violation(browser):
    """assert_accessible, which every page's test relies on, does catch violations."""
    page = browser.new_page()
    try:
        page.set_content('<html lang="fi"><title>Testi</title><main><input type="text"></main></html>')
        with pytest.raises(AssertionError, match=r"label \(critical\)"):
            assert_accessible(page)
    finally:
        page.close()
