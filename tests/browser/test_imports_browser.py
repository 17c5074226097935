"""The import of customers in a real browser, in Finnish: upload a file, read the dry
run's report, download the refused rows, fix them and import again, and watch the import
run to the end (the page's script posts the steps). axe-core checks every page."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from models import Customer, ImportRun
from tests.browser.helpers import assert_accessible, log_in, screenshot
from tests.conftest import typed_now
from tests.test_imports import HEADER, good_row

pytestmark = pytest.mark.browser


def _file(path, rows):
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def _upload_and_check(page, path):
    page.goto("/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Asiakkaiden tuonti")
    page.locator("#import-file").set_input_files(path)
    page.get_by_role("button", name="Lataa ja määritä sarakkeet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("sarakkeiden määritys")
    expect(page.get_by_role("combobox", name="Sähköposti", exact=True)).to_have_value("email")
    assert_accessible(page)
    page.locator("#informed_how").select_option("in_person")
    page.locator("#informed_at").fill(typed_now(minutes_ago=1))
    page.get_by_role("button", name="Tarkista tiedosto (koeajo)").click()
    expect(page).to_have_url(re.compile(r"/imports/runs/\d+$"))
    # The page's script checks the file in steps, then shows the report.
    expect(page.locator("#import-state")).to_have_text("Tarkistettu", timeout=30_000)
    expect(page.locator("#import-form")).to_have_count(0)


def test_upload_report_fix_and_import_to_done(page, make_user, tmp_path):
    make_user("anna", "staff", ["tourism"])
    log_in(page, "anna")
    rows = [HEADER, good_row(1), ["Virtanen", "Matti", "ei-osoite", "", "", "", ""],
            good_row(3)]
    _upload_and_check(page, _file(tmp_path / "asiakkaat.csv", rows))
    refused = page.get_by_role("table", name="Hylätyt rivit")
    expect(refused.get_by_role("row", name=re.compile("Sähköposti"))).to_contain_text("3")
    assert_accessible(page)
    screenshot(page, "import-dry-run")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Lataa hylätyt rivit")).click()
    lines = list(csv.reader(io.StringIO(
        open(download.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert lines[0][-1] == "error" and lines[1][2] == "ei-osoite"

    page.get_by_role("button", name="Tuo hyväksytyt rivit").click()
    expect(page.locator("#import-state")).to_have_text("Valmis", timeout=30_000)
    expect(page.locator("#import-form")).to_have_count(0)
    assert Customer.select().count() == 2

    fixed = [lines[0][:-1], lines[1][:2] + ["matti@example.com"] + lines[1][3:-1]]
    _upload_and_check(page, _file(tmp_path / "korjatut.csv", fixed))
    expect(page.get_by_text("Yhtään riviä ei hylätty.")).to_be_visible()
    page.get_by_role("button", name="Tuo hyväksytyt rivit").click()
    expect(page.locator("#import-state")).to_have_text("Valmis", timeout=30_000)
    expect(page.locator("#import-form")).to_have_count(0)
    expect(page.locator("#import-status")).to_contain_text("1 / 1 riviä käsitelty")
    assert_accessible(page)
    assert Customer.select().count() == 3
    page.get_by_role("link", name="Tuonnit").click()
    expect(page.get_by_role("table", name="Tuonnit").get_by_role("row")).to_have_count(5)
    assert ImportRun.select().where(ImportRun.state == "finished").count() == 2
