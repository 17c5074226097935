"""Bad input answers 400 or a form error, never 500 (DESIGN.md §4 item 17): characters
no form can carry, page numbers and offsets out of every range, and months and dates
far outside the register's years — on SQLite and PostgreSQL."""

import datetime

import pytest

from models import (
    Customer,
    DisclosureRecipient,
    InspectionRequest,
    Invoice,
    Section,
    utcnow,
)
from services import disclosures, statistics
from services import requests as inspection
from services.errors import RegisterError
from services.search import customer_search_condition
from tests.conftest import csrf_token

HUGE = "99999999999999999999"  # 20 digits: over SQLite's and PostgreSQL's integers


PEOPLE = ("staff_t", "handler_t", "controller", "responsible", "maint")


@pytest.fixture
def rows(app, people):
    """A tourism customer with an invoice, an open inspection request and a prepared
    disclosure of the tourism handler."""
    tourism = Section.get(code="tourism")
    anna = Customer.create(section=tourism, kind="person", first_name="Anna",
                           last_name="Äijälä", email="anna@example.fi",
                           birth_date=datetime.date(1980, 5, 1))
    Invoice.create(customer=anna, number="T-1", invoice_date=datetime.date(2026, 2, 1),
                   due_date=datetime.date(2026, 2, 15), amount="10.00")
    request = inspection.register(people["handler_t"], received_at=utcnow(),
                                  channel="written", requester_name="Anna Äijälä",
                                  section="tourism")
    recipient = DisclosureRecipient.select().order_by(DisclosureRecipient.id).first()
    disclosure = disclosures.prepare(people["handler_t"], recipient.id, "Ostoreskontra",
                                     "Kirjanpitolaki 1336/1997")
    return {"customer": anna.id, "request": request.id, "disclosure": disclosure.id}


def counts():
    """Row counts of the tables a form could write (the audit log may grow)."""
    return {m.__name__: m.select().count() for m in (Customer, Invoice, InspectionRequest)}


def assert_refused_page(response):
    """A 400 with the register's error page, in the user's language."""
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert '<html lang="fi"' in response.get_data(as_text=True)


# --- characters no form can carry ---------------------------------------------------------

NUL_GETS = [
    ("staff_t", "/customers/?search=anna%00virtanen"),
    ("staff_t", "/invoices/?search=T-%001"),
    ("staff_t", "/invoices/ajax/lookup/?name=customer&query=anna%00"),
    ("responsible", "/retention/erasure/?q=anna%00"),
    ("handler_t", "/disclosures/{disclosure}/?q=%C3%A4ij%00l%C3%A4"),
    ("handler_t", "/requests/?page=1%00"),
    ("staff_t", "/customers/?search=anna%01virtanen"),
]


@pytest.mark.parametrize("who, url", NUL_GETS)
def test_nul_and_control_characters_in_a_query_answer_400(client, auth, rows, who, url):
    auth.login_as(who)
    assert_refused_page(client.get(url.format(**rows)))


def test_nul_in_the_on_site_form_answers_400_and_stores_nothing(client, auth, rows):
    token = auth.login_as("handler_t", token_from="/password")
    before = counts()
    response = client.post("/requests/on-site/", data={
        "csrf_token": token, "requester_name": "Anna\x00 Äijälä", "email": "anna@example.fi",
        "section": "tourism", "language": "fi", "identity_method": "id_card",
        "action": "serve", "record": f"customer:{rows['customer']}"})
    assert_refused_page(response)
    assert counts() == before


def test_nul_in_the_subject_search_answers_400(client, auth, rows):
    token = auth.login_as("handler_t", token_from="/password")
    response = client.post(f"/requests/{rows['request']}/subjects", data={
        "csrf_token": token, "subjects-name": "Anna\x00", "subjects-email": "anna@example.fi",
        "subjects-version": "1"})
    assert_refused_page(response)


def test_a_control_character_in_a_new_customer_stores_nothing(client, auth, rows):
    token = auth.login_as("staff_t", token_from="/password")
    before = counts()
    response = client.post("/customers/new/?section=tourism", data={
        "csrf_token": token, "kind": "person", "first_name": "Ville\x0b", "last_name": "Valo"})
    assert_refused_page(response)
    assert counts() == before


def test_tabs_and_line_breaks_are_ordinary_text(client, auth, rows):
    """What a person types in a text area (tab, CR, LF) passes the guard."""
    auth.login_as("staff_t")
    assert client.get("/customers/?search=anna%09%C3%A4ij%C3%A4l%C3%A4%0D%0A").status_code == 200


def test_the_search_service_reads_a_nul_as_a_word_break(app, rows):
    """Services are called from the command line too: a NUL there is no error either."""
    with app.app_context():
        found = Customer.select().where(customer_search_condition("anna\x00äijälä"))
        assert [c.id for c in found] == [rows["customer"]]
        assert customer_search_condition("\x00\x01 ") is None


# --- page numbers and offsets ---------------------------------------------------------------

LISTS = [
    ("staff_t", "/customers/"),
    ("staff_t", "/invoices/"),
    ("controller", "/audit/"),
    ("handler_t", "/requests/"),
    ("handler_t", "/rectification/"),
    ("handler_t", "/disclosures/"),
    ("handler_t", "/disclosures/{disclosure}/"),
    ("controller", "/access/accounts/"),
    ("controller", "/access/requests/"),
    ("controller", "/retention/log/"),
]


PAGES = [HUGE, "-" + HUGE, str(2**63 - 1), "-1", "²"]


@pytest.mark.parametrize("who, url", LISTS)
def test_a_page_number_out_of_range_shows_a_page(client, auth, rows, who, url):
    auth.login_as(who)
    for page in PAGES:
        response = client.get(url.format(**rows), query_string={"page": page})
        assert response.status_code == 200, page


def test_a_purge_preview_page_out_of_range_shows_a_page(client, auth, rows):
    auth.login_as("controller")
    for name in ("page", "mpage"):
        for page in PAGES:
            response = client.get("/retention/", query_string={name: page})
            assert response.status_code == 200, (name, page)


def test_an_ajax_lookup_offset_or_limit_out_of_range_answers_a_list(client, auth, rows):
    auth.login_as("staff_t")
    for args in ({"offset": HUGE}, {"offset": "-" + HUGE}, {"offset": str(2**63 - 1)},
                 {"limit": HUGE}, {"limit": "-" + HUGE}, {"offset": "-5", "limit": "0"}):
        response = client.get("/invoices/ajax/lookup/",
                              query_string={"name": "customer", "query": "anna", **args})
        assert response.status_code == 200, args
        assert response.is_json, args


# --- months and dates -------------------------------------------------------------------------


def test_statistics_months_outside_the_years_are_a_form_error(client, auth, rows):
    auth.login_as("controller")
    assert client.post("/language", data={
        "lang": "en", "csrf_token": csrf_token(client.get("/password").get_data(as_text=True))
    }).status_code == 302
    for first, last in (("9999-12", "9999-12"), ("9999-11", "9999-12"), ("0000-01", "2026-01"),
                        ("0001-01", "0001-02"), ("1899-12", "1900-01")):
        args = {"first": first, "last": last}
        assert client.get("/statistics/export.csv", query_string=args).status_code == 200
        page = client.get("/statistics/", query_string=args)
        assert page.status_code == 200, args
        assert "between 1900-01 and 2100-12" in page.get_data(as_text=True), args
    # A month not written as one is told how to write it, a final line break too.
    for first in ("2026-01\n", "2026-1", "٢٠٢٦-01"):
        page = client.get("/statistics/", query_string={"first": first})
        assert "e.g. 2026-01" in page.get_data(as_text=True), repr(first)
        assert "between 1900-01" not in page.get_data(as_text=True), repr(first)


def test_statistics_months_at_the_edges_are_counted(client, auth, rows):
    auth.login_as("controller")
    response = client.get("/statistics/", query_string={"first": "2091-01", "last": "2100-12"})
    assert response.status_code == 200
    assert "2100-12" in response.get_data(as_text=True)


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/retention/runs/{huge}", "/retention/runs/{huge}/status",
                                 "/requests/{huge}/report.html", "/retention/runs/0"])
def test_an_id_out_of_range_in_an_address_is_not_found(client, auth, rows, url):
    auth.login_as("controller")
    assert client.get(url.format(huge=HUGE)).status_code == 404


def test_a_recipient_out_of_range_is_refused_as_unlisted(client, auth, rows):
    token = auth.login_as("handler_t", token_from="/password")
    response = client.post("/disclosures/new/", data={
        "csrf_token": token, "recipient": HUGE, "purpose": "Ostoreskontra",
        "legal_basis": "Kirjanpitolaki"})
    assert response.status_code == 200
    assert "alert-danger" in response.get_data(as_text=True)


def test_the_months_of_statistics_are_bounded_for_every_caller():
    """The command line and the pages call the same parser."""
    assert statistics.month_range("1900-01", "2100-12").end == datetime.date(2101, 1, 1)
    for first, last in (("9999-12", "9999-12"), ("2026-01", "9999-12"), ("0000-01", "2026-01"),
                        ("2026-13", "2027-01"), ("", "2026-02"), (None, "2026-02")):
        with pytest.raises(RegisterError):
            statistics.month_range(first, last)


def test_the_refusal_says_what_to_do(client, auth, rows):
    token = auth.login_as("staff_t", token_from="/password")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    page = client.get("/customers/?search=anna%00").get_data(as_text=True)
    assert "control character" in page and "Type the text again" in page


@pytest.mark.parametrize("section", [" ", "nope", "TOURISM"])
def test_statistics_of_an_unknown_section_are_a_form_error(client, auth, rows, section):
    auth.login_as("controller")
    for url in ("/statistics/", "/statistics/export.csv"):
        response = client.get(url, query_string={"section": section})
        assert response.status_code == 200, url
    page = client.get("/statistics/", query_string={"section": section}).get_data(as_text=True)
    assert "alert-danger" in page


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_a_date_outside_the_years_is_a_form_error_and_stores_nothing(client, auth, rows, day):
    token = auth.login_as("staff_t", token_from="/password")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    before = counts()
    response = client.post("/invoices/new/", data={
        "csrf_token": token, "customer": str(rows["customer"]), "number": "T-2",
        "invoice_date": day, "due_date": "2026-02-15", "amount": "10.00",
        "collection_state": "open"})
    assert response.status_code == 200
    assert "give a date from 1900 to 2100" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_erasure_received_outside_the_years_is_refused(client, auth, rows, day):
    token = auth.login_as("responsible", token_from="/password")
    before = counts()
    response = client.post(f"/retention/erasure/?customer={rows['customer']}", data={
        "csrf_token": token, "received_on": day, "confirmed": "yes"})
    assert response.status_code == 200
    assert "alert-danger" in response.get_data(as_text=True)
    assert counts() == before


# --- line breaks in redirect targets, far years in typed times --------------------------------


def test_a_line_break_in_next_is_not_followed(client, auth, rows):
    token = auth.login_as("staff_t", token_from="/password")
    response = client.post("/language", data={"lang": "en", "next": "/\r\nx",
                                               "csrf_token": token})
    assert response.status_code in (302, 400)
    assert "\n" not in (response.location or "")


def test_a_line_break_in_the_return_address_is_not_followed(client, auth, rows):
    auth.login_as("staff_t")
    response = client.get("/invoices/export/-/", query_string={"url": "/\r\nx"})
    assert response.status_code in (302, 400, 404)
    assert "\n" not in (response.location or "")


def test_a_date_time_in_year_1_is_a_form_error(client, auth, rows):
    token = auth.login_as("handler_t", token_from="/password")
    before = counts()
    response = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": "01.01.0001 00:00", "channel": "written",
        "requester_name": "Anna Äijälä", "sections": "tourism", "language": "fi"})
    assert response.status_code == 200
    assert counts() == before


@pytest.mark.parametrize("text", ["٣٦", "３６", "3_6", "36.0", "1e2", "", " ", "+", "-"])
def test_a_number_is_written_in_ascii_digits(text):
    """An id or a period is read from ASCII digits only: ``int`` alone takes Arabic-Indic
    and full-width digits and underscores, so "٣" would open row 3 of a page that
    refuses "x"."""
    from services.inputs import parse_id, whole_number

    assert parse_id(text) is None and whole_number(text, 0, 1000) is None
    assert parse_id(" 36 ") == 36 == whole_number("+36", 0, 1000) == parse_id(36)
    assert whole_number("-3", -5, 5) == -3 and parse_id(HUGE) is None
    assert parse_id("1" * 4301) is None  # int() itself refuses over 4300 digits


def test_an_id_in_other_digits_opens_nothing(client, auth, rows):
    auth.login_as("responsible")  # who erases a customer on request
    customer = Customer.select().order_by(Customer.id).first()
    arabic = "".join(chr(0x0660 + int(d)) for d in str(customer.id))
    assert client.get(f"/retention/erasure/?customer={arabic}").status_code == 404
    assert client.get(f"/retention/erasure/?customer={customer.id}").status_code == 200


@pytest.mark.parametrize("amount", ["sNaN", "NaN", "Infinity", "-Infinity", "1e30",
                                    "10000000000", "0.001", "١٠"])
def test_an_amount_the_column_cannot_hold_is_a_form_error(client, auth, rows, amount):
    """An amount is a finite number of at most ten digits and two decimals, in ASCII digits:
    "sNaN" or "1e30" was stored, and every page showing it failed afterwards."""
    token = auth.login_as("staff_t", token_from="/password")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    before = counts()
    response = client.post("/invoices/new/", data={
        "csrf_token": token, "customer": str(rows["customer"]), "number": "T-2",
        "invoice_date": "2026-02-01", "due_date": "2026-02-15", "amount": amount,
        "collection_state": "open"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Write an amount in euros" in page, amount
    assert f'value="{amount}"' in page  # as typed
    assert counts() == before
    assert client.get("/invoices/").status_code == 200


def test_an_edit_sent_without_its_version_is_stale(client, auth, rows):
    """A form without the version it was opened at is refused as an old one would be (its
    field would hold the row's own version, and someone's newer save be overwritten)."""
    auth.login_as("staff_t")
    customer = Customer.get_by_id(rows["customer"])
    page = client.get(f"/customers/edit/?id={customer.id}").get_data(as_text=True)
    Customer.update(version=Customer.version + 1, first_name="Joku Muu").where(
        Customer.id == customer.id).execute()
    response = client.post(f"/customers/edit/?id={customer.id}", data={
        "csrf_token": csrf_token(page), "kind": customer.kind, "first_name": "Päälle",
        "last_name": customer.last_name or "X", "language": "fi"})
    assert response.status_code == 200
    assert Customer.get_by_id(customer.id).first_name == "Joku Muu"


def test_a_list_takes_a_sort_it_cannot_do_and_too_many_filters_without_an_error(client, auth,
                                                                                rows):
    """A sort by a listed column that is not sortable is ignored (the audit log's gave a
    KeyError); more than twenty filters answer 400 (ninety overflowed SQLite's parser)."""
    auth.login_as("controller")
    for sort in range(10):
        assert client.get(f"/audit/?sort={sort}").status_code == 200, sort
    many = "&".join(f"flt{i}_0=1" for i in range(90))
    assert client.get("/audit/?" + many).status_code == 400
    assert client.get("/audit/?flt0_0=1").status_code == 200
    auth.login_as("staff_t", switch=True)
    assert client.get("/customers/?" + many).status_code == 400
    assert client.get("/customers/").status_code == 200  # the list memory keeps none of it
