"""The customer form and the customer's details page (issue 16), in Finnish, on SQLite and
PostgreSQL: the form's fieldsets in order with the kind first, each kind's own fields in a
group marked with the kinds it is for, the help lines tied to their fields, the required
fields marked in text, the rows as disclosures with their counts, the server's refusal of
another kind's fields; the details' summary (scoped to the section and to what the reader
may open) and the history as a timeline, newest first, a page at a time."""

import datetime
import re

import pytest

from admin_views.customers import EDIT_HISTORY_ROWS
from bench.operations import form_fields
from models import (
    Address,
    ContactEvent,
    Customer,
    InspectionRequest,
    InspectionSubject,
    Prohibition,
    Purchase,
    RectificationRequest,
    Section,
    utcnow,
)
from services.customer_overview import HISTORY_PAGE_SIZE
from tests.conftest import csrf_token, informed

PEOPLE = ("staff_t", "staff_b", "handler_t")


@pytest.fixture
def company(app):
    """A tourism company with two addresses, 25 contacts and a purchase."""
    tourism = Section.get(code="tourism")
    customer = Customer.create(section=tourism, kind="company", name="Kaisaniemen Kala Oy",
                               business_id="0737546-2", language="sv")
    for street in ("Kaisaniemenkatu 1", "Unioninkatu 2"):
        Address.create(customer=customer, street=street, postal_code="00100", city="Helsinki")
    start = utcnow() - datetime.timedelta(days=400)
    for number in range(25):
        ContactEvent.create(customer=customer, direction="in", channel="phone",
                            summary=f"Yhteydenotto {number:02d}",
                            occurred_at=start + datetime.timedelta(days=10 * number))
    # Between contacts 09 and 10: the timeline mixes the two kinds of row by time.
    Purchase.create(customer=customer, service="Messuosasto",
                    purchased_on=(start + datetime.timedelta(days=95)).date(), amount="500")
    return customer


def page_of(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def tag(html, element_id):
    """Return the opening tag of the element ``element_id``."""
    match = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    return match.group(0)


# --- the form ---------------------------------------------------------------------------

def test_the_form_is_in_fieldsets_with_the_kind_first(client, auth, people):
    auth.login_as("staff_t")
    html = page_of(client, "/customers/new/")
    legends = re.findall(r'<legend class="h5">([^<]+)</legend>', html)
    assert legends == ["Tunnistetiedot", "Yhteystiedot", "Kieli ja informointi",
                       "Omat lisätiedot"]
    form = html[html.index('id="fieldset-identity"'):]
    names = re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)"', form)
    assert names[:6] == ["kind", "first_name", "last_name", "birth_date", "name",
                         "business_id"]
    assert names.index("phone") < names.index("language") < names.index("own_info")
    # Each kind's own fields in a group saying whom it is for; shared fields in none.
    person = html[html.index('id="group-person"'):html.index('id="group-company_organisation"')]
    assert 'data-kinds="person"' in person and "Yksityishenkilön tiedot" in person
    assert all(f'name="{name}"' in person for name in ("first_name", "last_name",
                                                       "birth_date"))
    assert 'name="name"' not in person and 'name="phone"' not in person
    company = html[html.index('id="group-company_organisation"'):
                   html.index('id="fieldset-contact"')]
    assert 'data-kinds="company organisation"' in company
    assert 'name="name"' in company and 'name="business_id"' in company
    assert 'name="birth_date"' not in company
    # The script is a file of the site (the Content-Security-Policy refuses inline ones).
    assert re.search(r"<script [^>]*src=\"[^\"]*/customer_form.js\"></script>", html)


def test_help_lines_and_required_marks(client, auth, people):
    auth.login_as("staff_t")
    html = page_of(client, "/customers/new/")
    for name, words in (("business_id", "Seitsemän numeroa"), ("birth_date", "1980-05-17"),
                        ("phone", "040 123 4567"), ("mobile", "040 123 4567")):
        assert f'aria-describedby="{name}-help"' in tag(html, name)
        assert words in html[html.index(f'id="{name}-help"'):][:300]
    # In text as well as by colour; a kind's own required field says it to screen readers.
    for name in ("kind", "last_name", "name"):
        label = html.index(f'<label for="{name}"')
        assert "(pakollinen)" in html[label:html.index(f'id="{name}"', label)]
    assert 'aria-required="true"' in tag(html, "last_name")
    assert 'aria-required="true"' in tag(html, "name")
    # Not enforced by the browser: without JavaScript both kinds' fields are on the form.
    assert " required" not in tag(html, "last_name") and " required" not in tag(html, "name")
    first_names = html.index('<label for="first_name"')
    assert "(pakollinen)" not in html[first_names:html.index('id="first_name"', first_names)]


def test_rows_are_disclosures_with_their_counts(client, auth, people, company):
    auth.login_as("staff_t")
    html = page_of(client, f"/customers/edit/?id={company.id}")
    assert re.search(r'<details class="customer-rows[^"]*" id="addresses-section"'
                     r' data-kinds="person company organisation">\s*<summary[^>]*>'
                     r'Osoitteet \(2\)</summary>', html)
    assert re.search(r'id="events-section"[^>]*>\s*<summary[^>]*>Yhteydenotot \(25\)', html)
    # Closed until opened: a GET opens none; contact persons only for a company or one.
    assert not re.search(r"<details[^>]* open", html)
    assert 'id="contact_persons-section" data-kinds="company organisation"' in html
    assert 'data-inline-add="addresses"' in html


def test_a_business_form_has_its_own_categories(client, auth, people):
    auth.login_as("staff_b")
    html = page_of(client, "/customers/new/")
    assert 'id="demographics-section"' in html and 'id="invoices-section"' not in html


@pytest.mark.clock
def test_the_server_refuses_a_birth_date_on_a_company(client, auth, people):
    auth.login_as("staff_t")
    data = {"csrf_token": csrf_token(page_of(client, "/customers/new/")), "version": "",
            "kind": "company", "name": "Syntymäpäivä Oy", "business_id": "0737546-2",
            "birth_date": "1980-05-17", "language": "fi", **informed()}
    answer = client.post("/customers/new/", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'aria-invalid="true"' in tag(html, "birth_date")
    error = html[html.index('id="birth_date-error"'):][:400]
    assert "Kenttä ei koske asiakasta, jonka laji on yritys" in error
    assert not Customer.select().where(Customer.name == "Syntymäpäivä Oy").exists()
    # Re-shown after the refusal: the rows the user added stay open to be read.
    data |= {"birth_date": "", "addresses-0-kind": "postal", "addresses-0-street": "",
             "addresses-0-postal_code": "12", "addresses-0-city": "Helsinki",
             "addresses-0-country": "FI"}
    html = client.post("/customers/new/", data=data).get_data(as_text=True)
    assert re.search(r'id="addresses-section"[^>]* open>', html)
    assert not Customer.select().where(Customer.name == "Syntymäpäivä Oy").exists()


# --- the details: summary ---------------------------------------------------------------

def shown_rows(fields, name):
    """Return the ids of the rows of the inline list ``name`` in posted ``fields``, in order."""
    found = sorted((int(key.split("-")[1]), int(value)) for key, value in fields.items(multi=True)
                   if re.fullmatch(rf"{name}-\d+-id", key) and value)
    return [row_id for _, row_id in found]


def test_the_edit_form_holds_the_latest_contacts_and_a_save_keeps_the_older(
        client, auth, people, company):
    """A long history is not all in the edit form: the 20 latest recorded contacts are,
    with a note of the older ones and a link to them; a save changes and deletes only rows
    the form holds, and every older row stays as it was."""
    auth.login_as("staff_t")
    before = {e.id: e.summary for e in ContactEvent.select().where(
        ContactEvent.customer == company.id)}
    page = page_of(client, f"/customers/edit/?id={company.id}")
    fields = form_fields(page)
    assert shown_rows(fields, "events") == sorted(before)[-EDIT_HISTORY_ROWS:]
    assert shown_rows(fields, "purchases") == [p.id for p in company.purchases]  # one: all
    note = re.search(r'<p class="form-text text-muted inline-rows-not-shown">(.*?)</p>',
                     page, re.S).group(1)
    assert "20" in note and "5" in note
    assert f'href="/customers/details/?id={company.id}#history"' in note
    assert page.count("inline-rows-not-shown") == 1  # not under the one purchase

    # Change the first row the form holds, delete the second, save.
    first, second = shown_rows(fields, "events")[:2]
    fields.setlist("events-0-summary", ["Korjattu yhteenveto"])
    fields.setlist("del-events-1", ["y"])
    answer = client.post(f"/customers/edit/?id={company.id}", data=fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    after = {e.id: e.summary for e in ContactEvent.select().where(
        ContactEvent.customer == company.id)}
    assert set(after) == set(before) - {second}
    assert after[first] == "Korjattu yhteenveto"
    assert {i: after[i] for i in after if i != first} == \
        {i: before[i] for i in before if i not in (first, second)}


def test_a_save_reads_each_list_once_and_an_older_row_posted_is_still_the_customers(
        client, auth, people, company):
    """The save takes the rows the form was made from for its checks and its writes: each
    list's table read once. A posted id of a row the form did not hold (an older contact,
    typed in) is looked up among the customer's own rows, as before: it is updated."""
    from bench.replay import captured_sql

    auth.login_as("staff_t")
    fields = form_fields(page_of(client, f"/customers/edit/?id={company.id}"))
    fields.setlist("addresses-0-street", ["Kaisaniemenkatu 3"])
    with captured_sql() as statements:
        answer = client.post(f"/customers/edit/?id={company.id}", data=fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    # The rows themselves (a count of the older contacts and the newest moment aside).
    reads = [sql for sql, _params in statements
             if sql.startswith('SELECT "t1"."id", "t1"."customer_id"')]
    for table in ("address", "contact_person", "contact_event", "purchase", "invoice"):
        assert sum(f'FROM "{table}" AS' in sql for sql in reads) == 1, table
    assert Address.select().where(Address.street == "Kaisaniemenkatu 3").count() == 1

    oldest = min(e.id for e in company.events)
    fields = form_fields(page_of(client, f"/customers/edit/?id={company.id}"))
    fields.setlist("events-0-id", [str(oldest)])
    fields.setlist("events-0-summary", ["Vanhin korjattu"])
    answer = client.post(f"/customers/edit/?id={company.id}", data=fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert ContactEvent.get_by_id(oldest).summary == "Vanhin korjattu"
    assert ContactEvent.select().where(ContactEvent.customer == company.id).count() == 25


def test_a_short_history_is_all_in_the_edit_form(client, auth, people):
    tourism = Section.get(code="tourism")
    customer = Customer.create(section=tourism, kind="company", name="Lyhyt Oy")
    for number in range(3):
        ContactEvent.create(customer=customer, direction="in", channel="phone",
                            summary=f"Soitto {number}", occurred_at=utcnow())
    auth.login_as("staff_t")
    page = page_of(client, f"/customers/edit/?id={customer.id}")
    assert shown_rows(form_fields(page), "events") == [
        e.id for e in ContactEvent.select().where(ContactEvent.customer == customer.id)
        .order_by(ContactEvent.id)]
    assert "inline-rows-not-shown" not in page


def summary_of(html):
    start = html.index('id="summary-heading"')
    part = html[start:html.index("</section>", start)]
    return {dt: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dd)).strip()
            for dt, dd in re.findall(r"<dt[^>]*>([^<]+)</dt>\s*<dd[^>]*>(.*?)</dd>", part, re.S)}


def inspection_request_naming(customer, section):
    now = utcnow()
    request = InspectionRequest.create(received_at=now, due_at=now + datetime.timedelta(days=7),
                                       channel="letter", requester_name="Kalle Kala",
                                       section=section)
    InspectionSubject.create(request=request, customer=customer)
    return request


def test_the_summary_says_what_to_check_first(client, auth, people, company):
    company.informed_how, company.informed_at = "email", utcnow()
    company.last_activity_at = utcnow()
    company.save()
    tourism = Section.get(code="tourism")
    other = Customer.create(section=tourism, kind="person", last_name="Muu")
    mine = RectificationRequest.create(customer=company, received_at=utcnow(),
                                       requester_name="Kalle Kala", description="Nimi väärin")
    RectificationRequest.create(customer=other, received_at=utcnow(),
                                requester_name="Muu", description="Ei tämä")
    RectificationRequest.create(customer=company, received_at=utcnow(), applied_at=utcnow(),
                                requester_name="Kalle Kala", description="Jo korjattu")
    inspection = inspection_request_naming(company, tourism)
    auth.login_as("handler_t")
    summary = summary_of(page_of(client, f"/customers/details/?id={company.id}"))
    assert summary["Laji"] == "yritys"
    assert summary["Osasto"] == "Matkailu- ja kongressitoimisto"
    assert summary["Kieli"] == "ruotsi"
    assert summary["Informointi"].startswith("lähetetty sähköpostitse, ")
    assert re.match(r"\d{1,2}\.\d{1,2}\.\d{4}$", summary["Viimeisin asiointi"])
    requests = summary["Avoimet pyynnöt"]
    assert f"Oikaisupyyntö {mine.id}" in requests and f"Tarkastuspyyntö {inspection.id}" in requests
    assert requests.count("Oikaisupyyntö") == 1  # not the applied one, nor the other's
    assert summary["Kiellot"] == "Ei mitään"


def test_the_summary_names_the_prohibitions_in_force(client, auth, people, company):
    Prohibition.create(customer=company, purpose="direct_marketing", action="given",
                       effective_on=utcnow().date() - datetime.timedelta(days=2),
                       source="letter")
    auth.login_as("staff_t")
    html = page_of(client, f"/customers/details/?id={company.id}")
    assert summary_of(html)["Kiellot"] == "Suoramarkkinointi"
    assert '<a href="#prohibitions-heading">Suoramarkkinointi</a>' in html
    assert 'id="prohibitions-heading"' in html


def test_the_summary_shows_only_requests_the_reader_may_open(client, auth, people, company):
    inspection_request_naming(company, Section.get(code="tourism"))
    auth.login_as("staff_t")  # staff open only the inspection requests they registered
    summary = summary_of(page_of(client, f"/customers/details/?id={company.id}"))
    assert "Tarkastuspyyntö" not in summary["Avoimet pyynnöt"]


def test_the_summary_follows_the_sections_categories(client, auth, people, company):
    tourism = Section.get(code="tourism")
    tourism.categories = " ".join(c for c in tourism.categories.split()
                                  if c not in ("language", "history"))
    tourism.save()
    auth.login_as("staff_t")
    html = page_of(client, f"/customers/details/?id={company.id}")
    assert "Kieli" not in summary_of(html)
    assert 'id="history-heading"' not in html and "Yhteydenotto" not in html


# --- the details: history ---------------------------------------------------------------

def timeline(html):
    start = html.index('id="history-heading"')
    part = html[start:html.index("</section>", start)]
    return re.findall(r"Yhteydenotto \d\d|Messuosasto", part), part


def test_the_history_is_a_timeline_newest_first_a_page_at_a_time(client, auth, people, company):
    contacts = [f"Yhteydenotto {number:02d}" for number in range(24, -1, -1)]
    newest_first = contacts[:15] + ["Messuosasto"] + contacts[15:]  # bought on day 95
    assert HISTORY_PAGE_SIZE == 20
    auth.login_as("staff_t")
    rows, part = timeline(page_of(client, f"/customers/details/?id={company.id}"))
    assert rows == newest_first[:20]
    assert "sivu 1" in part and "Uudemmat" not in part
    older = re.search(r'href="([^"]+)#history">Vanhemmat</a>', part).group(1)
    rows, part = timeline(page_of(client, older.replace("&amp;", "&")))
    assert rows == newest_first[20:]
    assert "sivu 2" in part and "Vanhemmat" not in part
    newer = re.search(r'href="([^"]+)#history">Uudemmat</a>', part).group(1)
    rows, _part = timeline(page_of(client, newer.replace("&amp;", "&")))
    assert rows == newest_first[:20]


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "abc", "1e3", "²",
                                   "", "2" * 400])
def test_any_history_page_number_shows_a_page(client, auth, people, company, value):
    auth.login_as("staff_t")
    answer = client.get("/customers/details/",
                        query_string={"id": company.id, "history": value})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    rows, part = timeline(html)
    assert rows or "Vanhempaa asiakashistoriaa ei ole." in part


def test_a_nul_in_the_history_page_is_refused_not_a_500(client, auth, people, company):
    auth.login_as("staff_t")
    answer = client.get(f"/customers/details/?id={company.id}&history=1%00")
    assert answer.status_code == 400


def test_another_sections_customer_has_no_details_nor_history(client, auth, people, company):
    auth.login_as("staff_b")
    assert client.get(f"/customers/details/?id={company.id}&history=2").status_code == 404
