"""The retention purge in a real browser, in Finnish: the controller opens the preview from
the menu, reads what would go, confirms it, runs the purge from the run page (its script
posts the steps and reads the progress out), finds it in the purge log and changes a rule
of the register's own records. axe-core checks every page on the way (WCAG 2.x A/AA)."""

import re

import pytest
from playwright.sync_api import expect

from models import Customer, PurgeRun
from tests.browser.helpers import assert_accessible, log_in, open_menu_item, screenshot
from tests.test_retention import register  # noqa: F401 (the customers of both sections)

pytestmark = pytest.mark.browser


def open_from_menu(page, item):
    """Open ``item`` of the main menu's "Rekisterinpitäjä" drop-down (its part "Säilytys
    ja poisto")."""
    open_menu_item(page, "Rekisterinpitäjä", item)


def test_controller_previews_confirms_and_reads_the_log(page, make_user, register, db_kind):  # noqa: F811
    make_user("eero", "controller")
    log_in(page, "eero", front_page=True)

    open_from_menu(page, "Poiston esikatselu")
    expect(page).to_have_url(re.compile(r"/retention/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Poiston esikatselu")
    sections = page.get_by_role("table", name="Asiakkaat osastoittain")
    expect(sections.get_by_role("row", name=re.compile("Matkailu- ja kongressitoimisto"))
           ).to_contain_text("60 kuukautta")
    page.get_by_role("link", name="Näytä asiakkaat: Matkailu- ja kongressitoimisto").click()
    expect(page.get_by_role("table", name="Poistettavat asiakkaat")).to_contain_text(
        "Vanhanen, Aino")
    minimised = page.get_by_role("table", name="Minimoitavat asiakkaat")
    expect(minimised.get_by_role("row", name=re.compile("Laskulan Kongressit Oy"))
           ).to_contain_text("Laskuja kirjanpitolain säilytysajan piirissä")
    assert_accessible(page)
    screenshot(page, "retention-preview")

    page.get_by_role("button", name="Vahvista poisto").click()
    expect(page).to_have_url(re.compile(r"/retention/runs/\d+$"))
    expect(page.locator(".alert-success")).to_contain_text("vahvistettu")
    assert_accessible(page)

    page.get_by_role("button", name="Aloita poisto").click()
    status = page.locator("#purge-status")
    expect(status).to_contain_text("Valmis: 3 asiakasta poistettu, 2 minimoitu", timeout=30_000)
    expect(page.locator("#purge-state")).to_have_text("Valmis")
    assert_accessible(page)
    screenshot(page, "retention-run")
    run = PurgeRun.select().where(PurgeRun.state == "finished").get()
    assert Customer.get_or_none(Customer.id == register["delete_person"].id) is None

    open_from_menu(page, "Poistoloki")
    expect(page.get_by_role("heading", level=1)).to_have_text("Poistoloki")
    log = page.get_by_role("table", name="Poistot")
    row = log.get_by_role("row", name=re.compile(f"Poisto {run.id}"))
    expect(row.first).to_contain_text("eero")
    expect(row.first).to_contain_text("Valmis")
    expect(page.locator("main")).not_to_contain_text("Vanhanen")
    page.get_by_text(f"Poiston {run.id} lukumäärät osastoittain ja tietoryhmittäin").click()
    expect(page.get_by_role("table", name="Matkailu- ja kongressitoimisto").first
           ).to_contain_text("Asiakashistoria")
    assert_accessible(page)
    screenshot(page, "retention-log")

    # The rules of the register's own records, beside the periods.
    open_from_menu(page, "Rekisterin omien tietojen säilytys")
    audit_log = page.get_by_label("Tapahtumalokin tapahtumat (kuukautta)")
    expect(audit_log).to_have_value("60")
    audit_log.fill("84")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".alert-success")).to_contain_text("Tapahtumalokin tapahtumat")
    expect(page.get_by_label("Tapahtumalokin tapahtumat (kuukautta)")).to_have_value("84")
    assert_accessible(page)
