"""The customer screens with a real browser, in Finnish: a staff member creates a company
with a contact person and an invoice through Flask-Admin's JavaScript inline rows, gets a
wrong Y-tunnus back with the input kept, finds the company by a lower-case search,
reads its details and cannot open another section's customer. Every screen on the way
is checked by axe-core (WCAG 2.0/2.1 A and AA)."""

import re

import pytest
from playwright.sync_api import expect

from models import Customer, Section
from tests.browser.helpers import assert_accessible, log_in, open_drop_down, open_menu_item, screenshot
from tests.conftest import typed_now

pytestmark = pytest.mark.browser

COMPANY = "Äijälän Puutarha Oy"
Y_TUNNUS = "0737546-2"
TOURISM = "Matkailu- ja kongressitoimisto"


def textbox(scope, name):
    """Return the text box named ``name`` (as a screen reader names it) inside ``scope``."""
    return scope.get_by_role("textbox", name=name, exact=True)


def fill_informed(how, at, label="annettu henkilökohtaisesti"):
    """Fill the informing record a new customer or contact person needs (seed §13)."""
    how.select_option(label=label)
    at.fill(typed_now(minutes_ago=1))


def add_filter(page, name):
    """Add the list filter ``name`` from the "Lisää suodatin" menu."""
    open_drop_down(page, page.get_by_role("link", name="Lisää suodatin"),
                   page.locator(".field-filters").get_by_role("link", name=name, exact=True))


@pytest.fixture
def others(app):
    """Another tourism customer (the search must leave it out) and a business customer."""
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    Customer.create(section=tourism, kind="company", name="Matkailu Oy",
                    business_id="1572860-0")
    secret = Customer.create(section=business, kind="company", name="Bisnes Salainen Oy")
    return {"business_id": secret.id}


def test_staff_creates_finds_and_reads_a_company(page, make_user, others, db_kind):
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    # The list, from the main menu: the own section's customers only.
    open_menu_item(page, "Rekisteri", "Asiakkaat")
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Asiakkaat")
    table = page.locator("table.model-list")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Matkailu Oy
    expect(table).not_to_contain_text("Bisnes Salainen Oy")

    # An empty create form: one section, so no section question first.
    page.get_by_role("link", name="Luo", exact=True).click()
    expect(page).to_have_url(re.compile(r"/customers/new/"))
    assert_accessible(page)

    page.get_by_label("Laji", exact=True).select_option(label="yritys")
    page.get_by_label("Yrityksen tai yhteisön nimi", exact=True).fill(COMPANY)
    page.get_by_label("Y-tunnus", exact=True).fill("1234567-8")  # wrong check digit
    page.get_by_label("Puhelin", exact=True).fill("040 123 4567")
    page.get_by_label("Sähköposti", exact=True).fill("info@aijalanpuutarha.fi")
    fill_informed(page.locator("#informed_how"), page.locator("#informed_at"),
                  label="lähetetty sähköpostitse")

    # The inline rows: Flask-Admin's form.js copies a row from its template on "Lisää".
    # Each list is a disclosure, closed until opened, its count in its summary.
    page.locator("summary", has_text="Yhteyshenkilöt (0)").click()
    contacts = page.get_by_role("group", name="Yhteyshenkilöt", exact=True)
    contacts.get_by_role("button", name="Lisää: Yhteyshenkilöt").click()
    person = contacts.get_by_role("group", name="Yhteyshenkilöt #1 (uusi)", exact=True)
    expect(textbox(person, "Etunimet")).to_be_focused()
    textbox(person, "Etunimet").fill("Maija")
    textbox(person, "Sukunimi").fill("Meikäläinen")
    textbox(person, "Tehtävä organisaatiossa").fill("Toimitusjohtaja")
    textbox(person, "Sähköposti").fill("maija@aijalanpuutarha.fi")
    fill_informed(page.locator("#contact_persons-0-informed_how"),
                  page.locator("#contact_persons-0-informed_at"))
    # The copied row's labels name its own inputs, not the main form's of the same name.
    expect(page.locator("#contact_persons-0-first_name")).to_have_value("Maija")
    expect(page.locator("#first_name")).to_have_value("")
    assert_accessible(page)
    screenshot(page, f"customer-create-inline-{db_kind}")

    page.locator("summary", has_text="Laskut (0)").click()
    invoices = page.get_by_role("group", name="Laskut", exact=True)
    invoices.get_by_role("button", name="Lisää: Laskut").click()
    invoice = invoices.get_by_role("group", name="Laskut #1 (uusi)", exact=True)
    textbox(invoice, "Laskun numero").fill("MK-2026-17")
    textbox(invoice, "Laskun päiväys").fill("2026-11-02")
    textbox(invoice, "Eräpäivä").fill("2026-11-16")
    amount = invoice.get_by_role("spinbutton", name="Summa (EUR)", exact=True)
    amount.fill("249.90")
    expect(invoice.get_by_role("combobox", name="Perintä", exact=True)).to_have_value("open")
    page.get_by_role("button", name="Tallenna", exact=True).click()

    # Re-shown with an alert, the error tied to its field, and everything typed kept.
    expect(page).to_have_url(re.compile(r"/customers/new/"))
    expect(page.get_by_role("alert")).to_be_visible()
    business_id = page.get_by_label("Y-tunnus", exact=True)
    expect(business_id).to_have_attribute("aria-invalid", "true")
    expect(business_id).to_have_accessible_description(
        re.compile(r"^Tarkista Y-tunnus: siinä on seitsemän numeroa")
    )
    expect(page.get_by_text(re.compile(r"^Tarkista Y-tunnus"))).to_be_visible()
    expect(business_id).to_have_value("1234567-8")
    expect(page.get_by_label("Yrityksen tai yhteisön nimi", exact=True)).to_have_value(COMPANY)
    expect(page.get_by_label("Laji", exact=True)).to_have_value("company")
    expect(page.get_by_label("Sähköposti", exact=True).first).to_have_value(
        "info@aijalanpuutarha.fi"
    )
    person = contacts.get_by_role("group", name="Yhteyshenkilöt #1", exact=True)
    expect(textbox(person, "Sukunimi")).to_have_value("Meikäläinen")
    invoice = invoices.get_by_role("group", name="Laskut #1", exact=True)
    expect(textbox(invoice, "Laskun numero")).to_have_value("MK-2026-17")
    expect(invoice.get_by_role("spinbutton", name="Summa (EUR)", exact=True)).to_have_value(
        re.compile(r"^249\.90?$")
    )
    assert_accessible(page)
    screenshot(page, f"customer-create-error-{db_kind}")

    business_id.fill(Y_TUNNUS)
    page.get_by_role("button", name="Tallenna", exact=True).click()

    # Saved: back on the list, with the success message and the new company in it.
    expect(page).to_have_url(re.compile(r"/customers/(\?|$)"))
    expect(page.get_by_role("status")).to_have_text("Tietue on luotu.")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row", name=re.compile(COMPANY))).to_contain_text(Y_TUNNUS)
    assert_accessible(page)
    screenshot(page, f"customer-list-{db_kind}")

    # The filters, as bs4_filters.js builds them: a select2 choice, a text box, a date range.
    add_filter(page, "Osasto")
    add_filter(page, "Kunta")
    add_filter(page, "Viimeisin asiointi")
    filters = page.locator("#filter_form")
    expect(textbox(filters, "Kunta")).to_be_visible()
    expect(textbox(filters, "Viimeisin asiointi")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"customer-list-filters-{db_kind}")
    # Applied, the filter is drawn again when the page loads, and labelled again.
    filters.get_by_role("link", name="Poista: Kunta").click()
    filters.get_by_role("link", name="Poista: Viimeisin asiointi").click()
    expect(textbox(filters, "Kunta")).to_have_count(0)
    filters.get_by_role("button", name="Käytä").click()
    expect(page).to_have_url(re.compile(r"flt\d+_\d+=tourism"))
    expect(table.get_by_role("row")).to_have_count(3)
    expect(filters.get_by_role("link", name="Poista: Osasto")).to_be_visible()
    expect(filters.get_by_role("button", name=f"Osasto {TOURISM}")).to_be_attached()
    assert_accessible(page)

    # A lower-case search finds the company (Unicode case folding on both databases).
    page.get_by_role("searchbox", name="Etsi").fill("äijälän")
    page.get_by_role("button", name="Etsi", exact=True).click()
    expect(page).to_have_url(re.compile(r"search=%C3%A4ij%C3%A4l%C3%A4n"))
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table.get_by_role("row").nth(1)).to_contain_text(COMPANY)
    expect(page.get_by_role("searchbox", name="Etsi")).to_have_value("äijälän")
    assert_accessible(page)  # with the search's "clear" link

    # Its details: the contact person and the invoice are there.
    table.get_by_role("link", name=f"Näytä tietue: {COMPANY}").click()
    expect(page).to_have_url(re.compile(r"/customers/details/\?.*\bid=\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    expect(page.locator("dt:has-text('Y-tunnus') + dd")).to_have_text(Y_TUNNUS)
    people = page.get_by_role("region", name="Yhteyshenkilöt")
    expect(people.get_by_role("row", name=re.compile("^Maija Meikäläinen Toimitusjohtaja"))
           ).to_be_visible()
    bills = page.get_by_role("region", name="Laskut")
    expect(bills.get_by_role("row", name=re.compile(r"^MK-2026-17 2\.11\.2026 16\.11\.2026 "
                                                     r"249,90 +avoin$"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"customer-details-{db_kind}")

    # The invoice list shows the new invoice with its customer.
    open_menu_item(page, "Rekisteri", "Laskut")
    expect(page.get_by_role("heading", level=1)).to_have_text("Laskut")
    expect(page.get_by_role("row", name=re.compile("MK-2026-17"))).to_contain_text(COMPANY)
    assert_accessible(page)

    # Another section's customer, by a typed URL: not found, and nothing of it shown.
    response = page.goto(f"/customers/details/?id={others['business_id']}")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Bisnes Salainen")


def test_handler_list_row_buttons_and_delete(page, make_user, others):
    """A handler's list has row selection and delete buttons: named, and deleting works."""
    make_user("hanna", "handler", ["tourism"])
    Customer.create(section=Section.get(code="tourism"), kind="person",
                    first_name="Tyhjä", last_name="Matkailija")
    log_in(page, "hanna", front_page=True)
    page.goto("/customers/")

    table = page.locator("table.model-list")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("checkbox", name="Valitse kaikki tietueet")).to_be_visible()
    row = table.get_by_role("row", name=re.compile("Matkailija, Tyhjä"))
    expect(row.get_by_role("link", name="Näytä tietue: Matkailija, Tyhjä")).to_be_visible()
    expect(row.get_by_role("link", name=re.compile(r"^Muokkaa tietuetta: Matkailija, Tyhjä$"))
           ).to_be_visible()
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Poista tietue: Matkailija, Tyhjä").click()
    expect(page.get_by_role("status")).to_have_text("Tietue on poistettu.")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).not_to_contain_text("Matkailija")


def test_a_second_company_with_a_y_tunnus_of_the_section(page, make_user, others, db_kind):
    """The existing customer is named with a link, the box to confirm sits under the
    Y-tunnus, and the page passes axe with them; ticked, the company is saved."""
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina", front_page=True)
    page.goto("/customers/new/")
    page.get_by_label("Laji", exact=True).select_option(label="yritys")
    page.get_by_label("Yrityksen tai yhteisön nimi", exact=True).fill("Matkailu Ab")
    page.get_by_label("Y-tunnus", exact=True).fill("1572860-0")  # Matkailu Oy's
    fill_informed(page.locator("#informed_how"), page.locator("#informed_at"))
    page.get_by_role("button", name="Tallenna", exact=True).click()

    expect(page).to_have_url(re.compile(r"/customers/new/"))
    existing = page.locator("#duplicate-customers").get_by_role("link", name="Matkailu Oy")
    expect(existing).to_have_attribute("href", re.compile(r"/customers/details/\?id=\d+$"))
    business_id = page.get_by_label("Y-tunnus", exact=True)
    expect(business_id).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Yrityksen tai yhteisön nimi", exact=True)).to_have_value(
        "Matkailu Ab")
    confirm = page.locator("input[name=different_company]")
    expect(confirm).not_to_be_checked()
    assert_accessible(page)
    screenshot(page, f"customer-create-same-y-tunnus-{db_kind}")

    confirm.check()
    page.get_by_role("button", name="Tallenna", exact=True).click()
    expect(page).to_have_url(re.compile(r"/customers/(\?|$)"))
    assert Customer.select().where(Customer.business_id == "1572860-0").count() == 2
