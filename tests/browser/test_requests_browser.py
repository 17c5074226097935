"""An inspection request with a real browser, in Finnish: a tourism handler registers a
written request (an error first, with the input kept), records the identity check and
confirms the requester's records; the responsible person approves it from the front page;
the handler downloads the PDF report and records the delivery. Every page on the way is
checked by axe-core (WCAG 2.0/2.1 A and AA)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from models import Customer, InspectionRequest, Section, User, utcnow
from services import requests as rules
from tests.browser import helpers
from tests.browser.helpers import assert_accessible, log_in, open_menu_item, screenshot
from tests.conftest import typed_now

pytestmark = pytest.mark.browser

TOURISM = "Matkailu- ja kongressitoimisto"
BUSINESS = "Elinkeinokehitys"


def log_out(page):
    helpers.log_out(page)
    expect(page).to_have_url(re.compile(r"/login"))


@pytest.fixture
def requester(app):
    """The requester as a tourism customer, and a namesake the search must leave out."""
    tourism = Section.get(code="tourism")
    Customer.create(section=tourism, kind="person", first_name="Anna", last_name="Äijälä",
                    birth_date=datetime.date(1980, 5, 1), email="anna@example.fi")
    Customer.create(section=tourism, kind="person", first_name="Anna", last_name="Äijälä",
                    birth_date=datetime.date(1955, 1, 1))


def test_handler_registers_responsible_approves_handler_downloads_pdf(page, make_user,
                                                                       requester, db_kind):
    make_user("hanna", "handler", ["tourism"])
    make_user("vastaava", "responsible")

    # The handler opens the requests from the main menu.
    log_in(page, "hanna", front_page=True)
    open_menu_item(page, "Rekisteröidyn oikeudet", "Tarkastuspyynnöt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tarkastuspyynnöt")
    assert_accessible(page)
    page.get_by_role("link", name="Kirjaa pyyntö").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaa tarkastuspyyntö")
    assert_accessible(page)

    # A written request, first without the requester's name: the error is tied to the
    # field and what was typed stays.
    received = typed_now(minutes_ago=90)
    page.get_by_label("Saapunut", exact=True).fill(received)
    page.get_by_label("Miten pyyntö esitettiin", exact=True).select_option(label="kirjallisesti")
    page.get_by_label("Pyytäjän yhteystiedot", exact=True).fill(
        "Mannerheimintie 1 A 2, 00100 Helsinki")
    page.get_by_label("Mitä pyytäjä pyytää", exact=True).fill("Kaikki minusta tallennetut tiedot")
    # Every section is chosen at first; this request concerns tourism only.
    sections = page.get_by_role("group", name="Osastot, joita pyyntö koskee")
    expect(sections.get_by_role("checkbox", name=BUSINESS)).to_be_checked()
    sections.get_by_role("checkbox", name=BUSINESS).uncheck()
    page.get_by_role("button", name="Kirjaa pyyntö").click()
    expect(page.get_by_role("alert")).to_be_visible()
    name = page.get_by_label("Pyytäjän nimi", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Kirjoita pyytäjän nimi.")
    expect(page.get_by_label("Saapunut", exact=True)).to_have_value(received)
    sections = page.get_by_role("group", name="Osastot, joita pyyntö koskee")
    expect(sections.get_by_role("checkbox", name=TOURISM)).to_be_checked()
    expect(sections.get_by_role("checkbox", name=BUSINESS)).not_to_be_checked()
    expect(page.get_by_label("Mitä pyytäjä pyytää", exact=True)).to_have_value(
        "Kaikki minusta tallennetut tiedot")
    assert_accessible(page)
    screenshot(page, f"request-new-error-{db_kind}")
    name.fill("Anna Äijälä")
    page.get_by_role("button", name="Kirjaa pyyntö").click()

    # The request page: registered, due in a week, its identity not yet checked.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Tarkastuspyyntö nro \d+: Anna Äijälä$"))
    expect(page.get_by_role("status")).to_contain_text("on kirjattu")
    expect(page.locator("main")).to_contain_text("päivää jäljellä")
    request_id = InspectionRequest.get().id
    assert_accessible(page)

    # The identity check.
    identity = page.get_by_role("region", name="1. Henkilöllisyyden tarkistus")
    identity.get_by_label("Miten henkilöllisyys tarkistettiin", exact=True).select_option(
        label="passi")
    identity.get_by_label("Lisätietoja tarkistuksesta", exact=True).fill("Passi nähty")
    identity.get_by_role("button", name="Kirjaa henkilöllisyyden tarkistus").click()
    expect(page.get_by_role("status")).to_have_text("Henkilöllisyyden tarkistus on kirjattu.")
    expect(identity).to_contain_text("passi")

    # The records: the name is filled in from the request; the birth date tells the two
    # Anna Äijäläs apart.
    records = page.get_by_role("region", name="2. Pyytäjän tietueet")
    expect(records.get_by_label("Nimi", exact=True)).to_have_value("Anna Äijälä")
    records.get_by_label("Syntymäaika", exact=True).fill("1980-05-01")
    records.get_by_role("button", name="Hae tietueita").click()
    records = page.get_by_role("region", name="2. Pyytäjän tietueet")
    found = records.get_by_role("group", name=re.compile("^Löydetyt tietueet"))
    expect(found.get_by_role("checkbox")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, f"request-search-{db_kind}")
    found.get_by_role("checkbox", name="Äijälä, Anna").check()
    records.get_by_role("button", name="Vahvista valitut tietueet pyytäjän tiedoiksi").click()
    expect(page.get_by_role("status")).to_contain_text("vahvistettu pyytäjän tiedoiksi")
    confirmed = page.get_by_role("table", name="Vahvistetut tietueet")
    expect(confirmed.get_by_role("row")).to_have_count(2)
    # No decision buttons for the handler.
    expect(page.get_by_role("button", name="Hyväksy pyyntö")).to_have_count(0)
    expect(page.get_by_role("region", name="3. Päätös")).to_contain_text(
        "Odottaa rekisterin vastuuhenkilön tai rekisterinpitäjän päätöstä.")
    assert_accessible(page)
    log_out(page)

    # The responsible person finds it on the front page and approves it.
    log_in(page, "vastaava", front_page=True)
    waiting = page.get_by_role("region", name=re.compile("^Sinua odottavat tehtävät"))
    expect(waiting.get_by_role("row", name=re.compile("Odottaa päätöstäsi"))).to_contain_text(
        "Anna Äijälä")
    assert_accessible(page)
    screenshot(page, f"request-dashboard-{db_kind}")
    waiting.get_by_role("link", name=f"Tarkastuspyyntö nro {request_id}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Äijälä")
    assert_accessible(page)
    page.get_by_role("button", name="Hyväksy pyyntö").click()
    expect(page.get_by_role("status")).to_contain_text("Pyyntö on hyväksytty.")
    expect(page.get_by_role("region", name="3. Päätös")).to_contain_text("hyväksytty")
    log_out(page)

    # The handler downloads the PDF report and records the delivery.
    log_in(page, "hanna", front_page=True)
    page.goto(f"/requests/{request_id}/")
    report = page.get_by_role("region", name="Tarkastusote")
    pdf_link = report.get_by_role("link", name="Lataa tarkastusote PDF-tiedostona")
    expect(pdf_link).to_have_attribute("href", f"/requests/{request_id}/report.pdf")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200, response.text()[:500]
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    assert_accessible(page)
    screenshot(page, f"request-approved-{db_kind}")

    delivery = page.get_by_role("region", name="4. Toimittaminen")
    delivery.get_by_label("Miten toimitettiin", exact=True).select_option(label="postitse")
    delivery.get_by_label("Toimitusaika", exact=True).fill(typed_now())
    delivery.get_by_role("button", name="Kirjaa toimittaminen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Toimittaminen on kirjattu. Pyyntö on valmis.")
    expect(page.get_by_role("region", name="4. Toimittaminen")).to_contain_text("postitse")
    assert_accessible(page)
    row = InspectionRequest.get_by_id(request_id)
    assert rules.state_of(row) == "delivered" and row.delivery_method == "post"

    # Delivered: listed among the delivered ones.
    page.goto("/requests/")
    delivered = page.get_by_role("region", name="Toimitetut pyynnöt")
    expect(delivered).to_contain_text("Anna Äijälä")
    assert_accessible(page)


def test_on_site_page_and_overdue_list_are_accessible(page, make_user, requester, db_kind):
    """Staff serves an oral request on site; an overdue request shows the word, not red alone."""
    make_user("tiina", "staff", ["tourism"])
    make_user("hanna", "handler", ["tourism"])
    late = rules.register(User.by_username("hanna"),
                          received_at=utcnow() - datetime.timedelta(days=9),
                          channel="in_person", requester_name="Myöhäinen Pyytäjä",
                          section="tourism")

    log_in(page, "tiina", front_page=True)
    page.goto("/requests/on-site/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Palvele suullinen pyyntö paikan päällä")
    assert_accessible(page)
    page.get_by_label("Pyytäjän nimi", exact=True).fill("Anna Äijälä")
    # Only the staff member's own section can be served now; the page says where the
    # other section's part goes.
    expect(page.get_by_label("Nyt palveltava osasto", exact=True)).to_have_value("tourism")
    expect(page.locator("#on-site-scope")).to_contain_text(f"muiden osastojen ({BUSINESS})")
    expect(page.get_by_role("checkbox", name="Kirjaa pyyntö myös muille osastoille")
           ).to_be_checked()
    page.get_by_label("Miten henkilöllisyys tarkistettiin", exact=True).select_option(
        label="henkilökortti")
    page.get_by_label("Sähköposti", exact=True).fill("anna@example.fi")
    page.get_by_role("button", name="Hae tietueita").click()
    page.get_by_role("checkbox", name="Äijälä, Anna").check()
    assert_accessible(page)
    screenshot(page, f"request-on-site-{db_kind}")
    page.get_by_role("button", name="Palvele nyt: kirjaa ja tuota tarkastusote").click()
    expect(page.get_by_role("status").first).to_contain_text("on palveltu paikan päällä")
    expect(page.get_by_role("status").nth(1)).to_contain_text(f"({BUSINESS})")
    expect(page.get_by_role("region", name="Palveltu paikan päällä")).to_be_visible()
    expect(page.get_by_role("region", name="4. Toimittaminen")).to_contain_text(
        "luovutettu henkilökohtaisesti")
    assert_accessible(page)
    log_out(page)

    log_in(page, "hanna", front_page=True)
    work = page.get_by_role("region", name=re.compile("^Sinua odottavat tehtävät"))
    row = work.get_by_role("row", name=re.compile(f"Tarkastuspyyntö nro {late.id}"))
    expect(row).to_contain_text("Odottaa henkilöllisyyden tarkistusta")
    expect(row).to_contain_text(re.compile(r"Myöhässä \d+ päivää"))
    assert_accessible(page)
    page.goto("/requests/")
    expect(page.get_by_role("row", name=re.compile("Myöhäinen Pyytäjä"))).to_contain_text(
        "Myöhässä")
    assert_accessible(page)
