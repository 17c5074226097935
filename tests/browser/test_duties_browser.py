"""The duties page in a real browser, in Finnish: the responsible person opens it from the
menu, records a training (an error first, tied to its field), and sees the attendee's
mark cleared. axe-core checks the page (WCAG 2.x A/AA) before and after."""

import re

import pytest
from playwright.sync_api import expect

from models import TrainingSession
from services.localtime import helsinki_today
from tests.browser.helpers import assert_accessible, log_in, open_menu_item

pytestmark = pytest.mark.browser


def test_responsible_person_reads_duties_and_records_a_training(page, make_user, db_kind):
    make_user("nyrki", "responsible")
    make_user("anna", "staff", ["tourism"])
    log_in(page, "nyrki")
    open_menu_item(page, "Rekisterinpitäjä", "Määräaikaistehtävät")
    expect(page).to_have_url(re.compile(r"/duties/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Määräaikaistehtävät")
    duties = page.get_by_role("table", name="Määräaikaistehtävät")
    expect(duties.get_by_role("row")).to_have_count(6)
    expect(duties.get_by_role("link", name="Varmuuskopioiden palautusharjoitus")).to_be_visible()
    trained = page.get_by_role("table", name="Kunkin käyttäjätunnuksen viimeisin koulutus")
    expect(trained.get_by_role("row", name=re.compile("anna"))).to_contain_text(
        "Ei koulutusta")
    assert_accessible(page)

    # Without a topic: the error sits by the field, the other input stays.
    page.get_by_label("Koulutuksen päivä", exact=True).fill(helsinki_today().isoformat())
    page.get_by_label("anna", exact=True).check()
    page.get_by_role("button", name="Kirjaa koulutus").click()
    topic = page.get_by_label("Aihe", exact=True)
    expect(topic).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#topic-error")).to_have_text("Kirjoita koulutuksen aihe.")
    expect(page.get_by_label("anna", exact=True)).to_be_checked()
    assert_accessible(page)

    topic.fill("Tietosuoja ja rekisterin käyttö")
    page.get_by_role("button", name="Kirjaa koulutus").click()
    expect(page.get_by_text("Koulutus kirjattiin.")).to_be_visible()
    trained = page.get_by_role("table", name="Kunkin käyttäjätunnuksen viimeisin koulutus")
    expect(trained.get_by_role("row", name=re.compile("anna"))).not_to_contain_text(
        "Ei koulutusta")
    assert TrainingSession.select().count() == 1
    assert_accessible(page)
