"""The public privacy notice in a real browser: a visitor who is not logged in opens it in
Finnish, switches to Swedish, reads it, prints it (print styles) and downloads its PDF,
which holds the Swedish text. axe-core checks both languages' pages (WCAG 2.x A/AA)."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from services.register_settings import live_configuration
from tests.browser.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_swedish_privacy_notice_and_downloads_it(page, app, db_kind):
    page.goto("/privacy-notice/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tietosuojaseloste")
    expect(page.get_by_role("link", name="Kirjaudu sisään")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("navigation", name="Kieli").get_by_role("link", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dataskyddsbeskrivning")
    rights = page.get_by_role("region", name="Den registrerades rättigheter och hur de utövas")
    expect(rights).to_contain_text("Rätt till tillgång")
    expect(page.get_by_role("region", name="Rätt att lämna klagomål till tillsynsmyndigheten")
           ).to_contain_text("Dataombudsmannens byrå")
    categories = page.get_by_role("region", name="Registrerade och kategorier av personuppgifter")
    for section in live_configuration()["sections"]:
        expect(categories).to_contain_text(section["name"]["sv"])
    assert_accessible(page)
    screenshot(page, f"privacy-notice-sv-{db_kind}")

    # On paper only the document: no header, no buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Språk")).to_be_hidden()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som PDF").click()
    assert download.value.suggested_filename == "dataskyddsbeskrivning-1-sv.pdf"
    with open(download.value.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Dataskyddsbeskrivning" in text and "Rätt till tillgång" in text
    assert "Version 1, publicerad" in text
