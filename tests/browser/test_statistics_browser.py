"""Statistics in a real browser, in Finnish: a handler opens the page from the menu,
narrows it to a section and a period, reads a table with a hidden small cell, and
downloads the XLSX, which opens and matches. axe-core checks the page (WCAG 2.x A/AA)."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from models import Address, Customer, Section
from services.customers import refresh_city
from services.localtime import helsinki_today
from tests.browser.helpers import assert_accessible, log_in, open_menu_item, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def customers(app):
    """Twelve tourism customers in 00100 this month and three in 00990."""
    tourism = Section.get(code="tourism")
    # 10:00 UTC on the first of Helsinki's month (the register's own clock).
    now = datetime.datetime.combine(helsinki_today().replace(day=1), datetime.time(10))
    for i in range(15):
        c = Customer.create(section=tourism, kind="person", first_name=f"Etu{i}",
                            last_name="Åkerlund", created_at=now)
        Address.create(customer=c, postal_code="00100" if i < 12 else "00990", city="Helsinki")
        refresh_city(c.id)


def test_handler_reads_statistics_and_downloads_xlsx(page, make_user, customers, db_kind):
    from openpyxl import load_workbook

    make_user("hanna", "handler", ["tourism"])
    log_in(page, "hanna", front_page=True)
    open_menu_item(page, "Rekisterinpitäjä", "Tilastot")
    expect(page).to_have_url(re.compile(r"/statistics/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilastot")

    this_month = helsinki_today().strftime("%Y-%m")
    page.get_by_label("Osasto", exact=True).select_option(label="Matkailu- ja kongressitoimisto")
    page.get_by_label("Alkukuukausi", exact=True).fill(this_month)
    page.get_by_label("Loppukuukausi", exact=True).fill(this_month)
    page.get_by_role("button", name="Näytä", exact=True).click()
    expect(page).to_have_url(re.compile(r"section=tourism"))

    new = page.get_by_role("table", name="Uudet asiakkaat kuukausittain")
    expect(new.get_by_role("row", name=re.compile(this_month))).to_contain_text("15")
    postal = page.get_by_role("table", name="Asiakkaat postinumeroalueittain")
    expect(postal.get_by_role("row", name=re.compile("00990"))).to_contain_text("< 5")
    expect(page.locator("body")).not_to_contain_text("Åkerlund")
    assert_accessible(page)
    screenshot(page, "statistics")

    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa XLSX").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    first = book[book.sheetnames[0]]
    assert first["A1"].value == "Asiakkaat osastoittain ja lajeittain"
    rows = [[c.value for c in row] for row in first.iter_rows(min_row=3, max_row=3)]
    assert rows == [["Matkailu- ja kongressitoimisto", 15, 0, 0, 15]]
