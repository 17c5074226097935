"""The security overview in a real browser, in Finnish: the responsible person opens it
from the menu, reads the weeks' failed logins (a chart and its table) and follows a part's
link. axe-core checks the page (WCAG 2.x A/AA)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, log_in, open_menu_item

pytestmark = pytest.mark.browser


def test_responsible_person_reads_the_security_overview(page, make_user, db_kind):
    make_user("nyrki", "responsible")
    make_user("anna", "staff", ["tourism"])
    log_in(page, "anna", password="väärä salasana")  # a failed login of this week
    expect(page).to_have_url(re.compile(r"/login"))
    log_in(page, "nyrki")
    open_menu_item(page, "Rekisterinpitäjä", "Tietoturvakatsaus")
    expect(page).to_have_url(re.compile(r"/access/security/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tietoturvakatsaus")
    weeks = page.get_by_role("table",
                             name="Epäonnistuneet kirjautumiset ja lukitukset viikoittain")
    expect(weeks.get_by_role("row")).to_have_count(9)
    expect(page.locator("#logins-summary")).to_contain_text("1 epäonnistunut kirjautuminen")
    chart = page.get_by_role("img", name=re.compile("Epäonnistuneet kirjautumiset"))
    expect(chart).to_be_visible()
    expect(page.get_by_text("Tapahtumalokin tiivisteketju")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Avaa varmuuskopiot").click()
    expect(page).to_have_url(re.compile(r"/backups/$"))
