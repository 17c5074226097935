"""Informing at registration with a real browser, in Finnish: a staff member sees the
customers not yet informed on the front page, follows the count to the filtered list,
records the informing of one of them with the list's bulk action, and opens another's
informing notice in Swedish. Every page on the way is checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from models import Customer, Section
from tests.browser.helpers import assert_accessible, log_in, open_drop_down, screenshot
from tests.conftest import typed_now

pytestmark = pytest.mark.browser


@pytest.fixture
def customers(app):
    tourism = Section.get(code="tourism")
    return {name: Customer.create(section=tourism, kind="company", name=name, language=lang,
                                  version=1).id
            for name, lang in (("Alfa Matkat Oy", "fi"), ("Beta Resor Ab", "sv"))}


def test_staff_records_informing_from_the_front_page(page, make_user, customers, db_kind):
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    panel = page.get_by_role("region", name="Asiakkaat, joita ei vielä ole informoitu")
    link = panel.get_by_role("link", name=re.compile("^Matkailu.*: ei vielä informoitu: 2$"))
    assert_accessible(page)
    link.click()

    table = page.locator("table.model-list")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and the two
    table.get_by_role("row", name=re.compile("Alfa Matkat Oy")).get_by_role(
        "checkbox").check()
    open_drop_down(page, page.get_by_role("button", name="Valituille"),
                   page.get_by_text("Kirjaa informointi", exact=True))

    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaa informointi")
    expect(page.get_by_role("listitem").filter(has_text="Alfa Matkat Oy")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Informoinnin tapa", exact=True).select_option(label="ei tavoitettu")
    page.get_by_label("Rekisteröinnistä informoitu", exact=True).fill(typed_now(1))
    page.get_by_role("button", name="Kirjaa informointi").click()
    # Not reachable needs the reason: the error is tied to its field, the input kept.
    reason = page.get_by_label("Miksi ei tavoitettu", exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(
        re.compile("Kerro, miksi henkilöä ei tavoitettu"))
    assert_accessible(page)
    screenshot(page, f"informing-record-error-{db_kind}")
    reason.fill("Kirje palautui.")
    page.get_by_role("button", name="Kirjaa informointi").click()

    expect(page.get_by_text("Informointi kirjattiin asiakkaille: 1.")).to_be_visible()
    saved = Customer.get_by_id(customers["Alfa Matkat Oy"])
    assert (saved.informed_how, saved.not_reachable_reason) == ("not_reachable",
                                                                "Kirje palautui.")
    page.goto("/")
    expect(page.get_by_role("link", name=re.compile("ei vielä informoitu: 1$"))).to_be_visible()

    # The notice of the Swedish-speaking customer, from its page: in Swedish, with the link.
    page.goto(f"/customers/details/?id={customers['Beta Resor Ab']}")
    page.get_by_role("link", name="Ilmoitus rekisteröinnistä").click()
    notice = page.locator("article[lang=sv]")
    expect(notice).to_contain_text("Meddelande om registrering av personuppgifter")
    expect(notice.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"/privacy-notice/\?lang=sv$"))
    expect(page.get_by_label(re.compile("^Ilmoitus pelkkänä tekstinä"))).to_have_value(
        re.compile("Hela dataskyddsbeskrivningen: http"))
    assert_accessible(page)
    screenshot(page, f"informing-notice-{db_kind}")
