"""The register screens: the role × section × endpoint matrix, validation, locking,
transactions, deletes and the audit trail of reads — on SQLite and PostgreSQL."""

import datetime
import decimal
import re

import pytest

import database
from services.customers import refresh_city
from services.localtime import helsinki_today, to_helsinki

from models import (
    Address,
    AuditEvent,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Purchase,
    Section,
)
from tests.conftest import csrf_token, informed

HETU = "131052-308T"


# One account of each role; staff and handlers in one section each.
PEOPLE = ("staff_t", "staff_b", "handler_t", "controller", "responsible", "maint")


@pytest.fixture
def rows(app):
    """A tourism company with an invoice and a business person with demographics."""
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    t = Customer.create(section=tourism, kind="company", name="Matkailu Oy",
                        business_id="0737546-2")
    Address.create(customer=t, street="Aleksanterinkatu 1", postal_code="00100", city="Helsinki")
    refresh_city(t.id)
    inv = Invoice.create(customer=t, number="T-100", invoice_date="2026-10-01",
                         due_date="2026-10-15", amount="100.00")
    b = Customer.create(section=business, kind="person", first_name="Bertta",
                        last_name="Bisnes")
    Demographics.create(customer=b, profession="Insinööri", education="DI")
    bare_b = Customer.create(section=business, kind="person", first_name="Tyhjä",
                             last_name="Tietue")
    bare_t = Customer.create(section=tourism, kind="person", first_name="Tyhjä",
                             last_name="Matkailija")
    return {"t": t.id, "b": b.id, "inv": inv.id, "bare_b": bare_b.id, "bare_t": bare_t.id}


def token(client):
    return csrf_token(client.get("/").get_data(as_text=True))


# --- the matrix -----------------------------------------------------------------------
# (role, what, expected status). "own" is a customer of the user's section (tourism for
# staff_t/handler_t), "other" one of a section the user does not have.

READERS = ["staff_t", "handler_t", "controller", "responsible"]

MATRIX = [
    *[(u, "list", 200) for u in READERS], ("maint", "list", 403),
    *[(u, "details_own", 200) for u in READERS], ("maint", "details_own", 403),
    ("staff_t", "details_other", 404), ("handler_t", "details_other", 404),
    ("controller", "details_other", 200), ("responsible", "details_other", 200),
    ("staff_t", "edit_own", 200), ("handler_t", "edit_own", 200),
    ("controller", "edit_own", 403), ("responsible", "edit_own", 403), ("maint", "edit_own", 403),
    ("staff_t", "edit_other", 404), ("handler_t", "edit_other", 404),
    ("staff_t", "create", 200), ("handler_t", "create", 200),
    ("controller", "create", 403), ("responsible", "create", 403), ("maint", "create", 403),
    ("staff_t", "delete_own", 403), ("handler_t", "delete_other", 404),
    ("controller", "delete_own", 403),
    *[(u, "export", 200) for u in READERS], ("maint", "export", 403),
    ("staff_t", "invoices", 200), ("staff_b", "invoices", 403), ("maint", "invoices", 403),
    ("staff_t", "invoice_edit_own", 200), ("staff_b", "invoice_edit_own", 403),
]


@pytest.mark.parametrize("username, what, expected", MATRIX)
def test_role_section_matrix(client, auth, people, rows, username, what, expected):
    auth.login_as(username)
    own = rows["t"]
    other = rows["b"]
    if what == "list":
        r = client.get("/customers/")
    elif what == "details_own":
        r = client.get(f"/customers/details/?id={own}")
    elif what == "details_other":
        r = client.get(f"/customers/details/?id={other}")
    elif what == "edit_own":
        r = client.get(f"/customers/edit/?id={own}")
    elif what == "edit_other":
        r = client.get(f"/customers/edit/?id={other}")
    elif what == "create":
        r = client.get("/customers/new/")
    elif what == "delete_own":
        r = client.post("/customers/delete/", data={"id": rows["bare_t"], "csrf_token": token(client)})
    elif what == "delete_other":
        r = client.post("/customers/delete/", data={"id": rows["bare_b"], "csrf_token": token(client)})
    elif what == "export":
        r = client.get("/customers/export/csv/")
    elif what == "invoices":
        r = client.get("/invoices/")
    elif what == "invoice_edit_own":
        r = client.get(f"/invoices/edit/?id={rows['inv']}")
    assert r.status_code == expected, r.get_data(as_text=True)[:500]
    if what.startswith("delete"):
        assert Customer.select().count() == 4  # nothing deleted


def test_in_list_editing_is_not_offered(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post("/customers/ajax/update/", data={
        "csrf_token": token(client), "list_form_pk": str(rows["b"]), "last_name": "X"})
    assert r.status_code == 404
    assert Customer.get_by_id(rows["b"]).last_name == "Bisnes"


def test_list_sorts_by_each_sortable_column(client, auth, people, rows):
    auth.login_as("controller")
    for index in range(8):
        for desc in ("0", "1"):
            r = client.get(f"/customers/?sort={index}&desc={desc}")
            assert r.status_code == 200
    page = client.get("/customers/?sort=0").get_data(as_text=True)
    assert page.index("Bisnes, Bertta") < page.index("Matkailu Oy")
    # Y-tunnus or birth date: persons by birth date among themselves
    Customer.update(birth_date="1990-01-01").where(Customer.id == rows["bare_t"]).execute()
    Customer.update(birth_date="1950-01-01").where(Customer.id == rows["b"]).execute()
    page = client.get("/customers/?sort=2").get_data(as_text=True)
    assert page.index("1.1.1950") < page.index("1.1.1990")


def test_list_headers_say_which_column_sorts_and_how(client, auth, people, rows):
    auth.login_as("controller")
    page = client.get("/customers/?sort=5&desc=1").get_data(as_text=True)
    sorted_headers = re.findall(r'<th scope="col" class="[^"]*col-(\w+)" aria-sort="(\w+)"', page)
    assert sorted_headers == [("last_activity_at", "descending")]
    page = client.get("/customers/?sort=0").get_data(as_text=True)
    assert re.findall(r'col-(\w+)" aria-sort="(\w+)"', page) == [("sort_name", "ascending")]
    # Every cell of a header row is a column header, the actions column included.
    header_row = page[page.index("<thead>"):page.index("</thead>")]
    assert header_row.count("<th ") == header_row.count('<th scope="col"') == 9


def test_logged_out_gets_login_on_every_register_path(client, rows):
    for path in ["/customers/", f"/customers/details/?id={rows['t']}",
                 f"/customers/edit/?id={rows['t']}", "/customers/new/",
                 "/customers/export/csv/", "/invoices/"]:
        r = client.get(path)
        assert r.status_code == 302 and r.location.startswith("/login"), path


def test_list_shows_only_own_section(client, auth, people, rows):
    auth.login_as("staff_t")
    page = client.get("/customers/").get_data(as_text=True)
    assert "Matkailu Oy" in page and "Bisnes" not in page
    auth.logout()
    auth.login_as("controller")
    page = client.get("/customers/").get_data(as_text=True)
    assert "Matkailu Oy" in page and "Bisnes" in page


def test_list_has_no_count_query_pager(client, auth, people, rows):
    auth.login_as("controller")
    page = client.get("/customers/").get_data(as_text=True)
    assert "Helsinki" in page  # city joined in
    assert "0737546-2" in page


@pytest.mark.parametrize("bad_id", ["999999", "abc", "99999999999999999999", "-1", "1.5", ""])
def test_missing_or_malformed_id_is_404(client, auth, people, rows, bad_id):
    auth.login_as("staff_t")
    for path in ("/customers/details/", "/customers/edit/"):
        assert client.get(f"{path}?id={bad_id}").status_code == 404


def test_edit_post_other_section_is_404_and_changes_nothing(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(f"/customers/edit/?id={rows['b']}", data={
        "csrf_token": token(client), "kind": "person", "last_name": "Hacked", "language": "fi",
        "version": "1"})
    assert r.status_code == 404
    assert Customer.get_by_id(rows["b"]).last_name == "Bisnes"


def test_bulk_delete_ignores_other_section(client, auth, people, rows, make_user):
    auth.login_as("handler_t")
    r = client.post("/customers/action/", data={
        "csrf_token": token(client), "action": "delete",
        "rowid": [str(rows["bare_b"]), str(rows["bare_t"])]})
    assert r.status_code == 302
    assert Customer.get_or_none(Customer.id == rows["bare_b"]) is not None
    assert Customer.get_or_none(Customer.id == rows["bare_t"]) is None


def test_delete_refused_when_customer_has_history(client, auth, people, rows):
    auth.login_as("handler_t")
    r = client.post("/customers/delete/", data={"id": rows["t"], "csrf_token": token(client)},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "laskuja" in page  # says why: it has invoices
    assert Customer.get_or_none(Customer.id == rows["t"]) is not None
    assert Invoice.select().count() == 1 and Address.select().count() == 1


def test_delete_without_history_removes_customer_and_addresses(client, auth, people, rows):
    Address.create(customer=rows["bare_t"], street="Katu 2", postal_code="00200", city="Espoo")
    auth.login_as("handler_t")
    r = client.post("/customers/delete/", data={"id": rows["bare_t"], "csrf_token": token(client)})
    assert r.status_code == 302
    assert Customer.get_or_none(Customer.id == rows["bare_t"]) is None
    assert Address.select().where(Address.customer == rows["bare_t"]).count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "delete").count() == 1


def test_export_is_scoped_and_audited(client, auth, people, rows):
    auth.login_as("staff_t")
    body = client.get("/customers/export/csv/").get_data(as_text=True)
    assert "Matkailu Oy" in body and "Bisnes" not in body
    assert AuditEvent.select().where(AuditEvent.action == "export").count() == 1


def test_export_search_and_filter_keep_scope(client, auth, people, rows):
    auth.login_as("staff_t")
    body = client.get("/customers/export/csv/?search=bisnes").get_data(as_text=True)
    assert "Bisnes" not in body
    page = client.get("/customers/?flt0_0=business").get_data(as_text=True)
    assert "Bisnes" not in page


def test_invoice_ajax_lookup_is_scoped(client, auth, people, rows, make_user):
    make_user("staff_tb", "staff", ["tourism", "business"])
    auth.login_as("staff_tb")
    r = client.get("/invoices/ajax/lookup/?name=customer&query=bis")
    assert r.status_code == 200 and r.get_json() == []  # a business customer: no billing
    r = client.get("/invoices/ajax/lookup/?name=customer&query=matkailu")
    assert [row[0] for row in r.get_json()] == [rows["t"]]


def test_invoice_posted_customer_of_other_section_refused(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post("/invoices/new/", data={
        "csrf_token": token(client), "customer": str(rows["b"]), "number": "X-1",
        "invoice_date": "2026-11-01", "due_date": "2026-11-15", "amount": "10",
        "collection_state": "open"})
    assert r.status_code == 200  # the form again, with an error
    assert Invoice.get_or_none(Invoice.number == "X-1") is None
    r = client.post("/invoices/new/", data={
        "csrf_token": token(client), "customer": str(rows["t"]), "number": "X-2",
        "invoice_date": "2026-11-01", "due_date": "2026-11-15", "amount": "10",
        "collection_state": "open"})
    assert r.status_code == 302
    assert Invoice.get(Invoice.number == "X-2").customer_id == rows["t"]


@pytest.mark.clock
@pytest.mark.parametrize("wrong, field", [
    ({"collection_state": "paid"}, "paid_on"),  # paid, but no day of payment
    ({"collection_state": "paid", "paid_on": 21}, "paid_on"),  # paid tomorrow
    ({"collection_state": "paid", "paid_on": -1}, "paid_on"),  # before invoicing
    ({"due_date": -1}, "due_date"),  # due before it was invoiced
    ({"number": " T-100 "}, "number"),  # the number of another invoice, with spaces
    ({"invoice_date": 21, "due_date": 35}, "invoice_date"),  # dated tomorrow
    ({"paid_on": 1}, "paid_on"),  # open, yet a day of payment (counted as collected)
    ({"collection_state": "written_off", "paid_on": 1}, "paid_on"),
])
def test_an_invoice_that_contradicts_itself_is_refused(client, auth, people, rows, wrong,
                                                       field):
    """Days are counted from the invoice's date, 20 days before Helsinki's today."""
    invoiced = helsinki_today() - datetime.timedelta(days=20)

    def day(days):
        return (invoiced + datetime.timedelta(days=days)).isoformat()

    wrong = {name: day(value) if isinstance(value, int) else value
             for name, value in wrong.items()}
    auth.login_as("staff_t")
    r = client.post("/invoices/new/", data={
        "csrf_token": token(client), "customer": str(rows["t"]), "number": "X-3",
        "invoice_date": day(0), "due_date": day(14), "amount": "10",
        "collection_state": "open", **wrong})
    assert r.status_code == 200, wrong
    assert Invoice.select().count() == 1
    if field != "number":
        assert f'id="{field}"' in r.get_data(as_text=True)
    fine = {"number": "X-3", "collection_state": "paid", "paid_on": day(0)}
    r = client.post("/invoices/new/", data={
        "csrf_token": token(client), "customer": str(rows["t"]), "invoice_date": day(0),
        "due_date": day(14), "amount": "10", **fine})
    assert r.status_code == 302 and Invoice.get(Invoice.number == "X-3").paid_on


@pytest.mark.clock
def test_an_amount_and_a_date_are_read_as_people_write_them(client, auth, people, rows):
    """"1 000,50" and "1.11.2026" were refused as missing ("Pakollinen."): the amount's own
    advice wrote its example with a comma. What cannot be read says how to write it."""
    invoiced = helsinki_today() - datetime.timedelta(days=20)
    auth.login_as("staff_t")
    form = {"csrf_token": token(client), "customer": str(rows["t"]), "number": "X-4",
            "invoice_date": invoiced.strftime("%d.%m.%Y"),
            "due_date": (invoiced + datetime.timedelta(days=14)).isoformat(),
            "amount": "1\u00a0000,50", "collection_state": "open"}
    assert client.post("/invoices/new/", data=form).status_code == 302
    stored = Invoice.get(Invoice.number == "X-4")
    assert (stored.amount, stored.invoice_date) == (decimal.Decimal("1000.50"), invoiced)
    for name, typed, message in (("amount", "kymppi", "Kirjoita summa euroina"),
                                 ("invoice_date", "31.2.2026", "Kirjoita päivämäärä")):
        r = client.post("/invoices/new/", data={**form, "number": "X-5", name: typed})
        page = r.get_data(as_text=True)
        error = re.search(rf'id="{name}-error"[^>]*>(.*?)</', page, re.S)
        assert r.status_code == 200 and error and message in error.group(1), name
        assert f'value="{typed}"' in page


def test_a_stale_invoice_form_changes_nothing(client, auth, people, rows):
    """The invoice has no version: its edit form carries what the row was, and a save
    after anyone changed the row meanwhile (here: marked paid) is refused."""
    auth.login_as("staff_t")
    url = f"/invoices/edit/?id={rows['inv']}"
    page = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    form = {"csrf_token": csrf_token(page), "seen": seen, "customer": str(rows["t"]),
            "number": "T-100", "invoice_date": "2026-10-01", "due_date": "2026-10-15",
            "amount": "110.00", "collection_state": "open", "paid_on": ""}
    Invoice.update(collection_state="paid", paid_on=datetime.date(2026, 10, 10)).where(
        Invoice.id == rows["inv"]).execute()
    r = client.post(url, data=form)
    assert r.status_code == 200 and "Joku muu muutti" in r.get_data(as_text=True)
    kept = Invoice.get_by_id(rows["inv"])
    assert (kept.collection_state, kept.amount) == ("paid", 100)
    without = {name: value for name, value in form.items() if name != "seen"}
    assert client.post(url, data=without).status_code == 200
    # Opened again, the form saves.
    page = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    r = client.post(url, data={**form, "csrf_token": csrf_token(page), "seen": seen,
                               "collection_state": "paid", "paid_on": "2026-10-10"})
    assert r.status_code == 302
    assert Invoice.get_by_id(rows["inv"]).amount == 110


def test_maintenance_sees_no_register_menu(client, auth, people):
    auth.login_as("maint")
    page = client.get("/").get_data(as_text=True)
    assert "/customers/" not in page and "/invoices/" not in page


# --- create, validation ---------------------------------------------------------------

def days_ago(days):
    """Return the Helsinki date ``days`` before the register's today."""
    return helsinki_today() - datetime.timedelta(days=days)


def company_form(**extra):
    data = {"version": "", "kind": "company", "name": "Äijälän Puu Oy",
            "business_id": "0737546-2", "phone": "040 123 4567", "email": "info@aijala.fi",
            "language": "fi", **informed(), **informed("contact_persons-0-"),
            "addresses-0-kind": "postal", "addresses-0-street": "Mannerheimintie 1",
            "addresses-0-postal_code": "00100", "addresses-0-city": "Helsinki",
            "addresses-0-country": "FI",
            "contact_persons-0-first_name": "Anna", "contact_persons-0-last_name": "Äijälä",
            "contact_persons-0-role": "toimitusjohtaja", "contact_persons-0-phone": "0501234567",
            "contact_persons-0-email": "anna@aijala.fi", "contact_persons-0-user_details": "",
            "invoices-0-number": "T-1", "invoices-0-invoice_date": str(days_ago(35)),
            "invoices-0-due_date": str(days_ago(21)), "invoices-0-amount": "120.50",
            "invoices-0-collection_state": "open",
            "events-0-occurred_at": f"{days_ago(34)} 10:00:00", "events-0-direction": "in",
            "events-0-channel": "phone", "events-0-summary": "Kysyi messuista",
            "purchases-0-service": "Messuosasto", "purchases-0-purchased_on": str(days_ago(47)),
            "purchases-0-amount": "500"}
    data.update(extra)
    return data


def person_form_business(**extra):
    data = {"version": "", "kind": "person", "first_name": "Åsa", "last_name": "Öberg",
            "birth_date": "1980-05-17", "language": "sv", "informed_how": "post",
            "informed_at": "2026-01-10 12:00:00", "own_info": "Toivoo ruotsinkielistä postia",
            "demographics-0-profession": "Arkkitehti", "demographics-0-education": "TkK",
            "addresses-0-kind": "postal", "addresses-0-street": "Runebergsgatan 3",
            "addresses-0-postal_code": "00100", "addresses-0-city": "Helsingfors",
            "addresses-0-country": "FI"}
    data.update(extra)
    return data


@pytest.mark.clock
def test_create_company_with_rows(client, auth, people):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client)))
    assert r.status_code == 302, r.get_data(as_text=True)
    c = Customer.get(Customer.name == "Äijälän Puu Oy")
    assert c.section.code == "tourism" and c.phone == "+358401234567" and c.version == 1
    assert c.contact_persons.get().phone == "+358501234567"
    assert c.invoices.count() == 1 and c.events.count() == 1 and c.purchases.count() == 1
    assert c.events.get().staff.username == "staff_t"
    assert to_helsinki(c.last_activity_at).date() == days_ago(34)
    assert AuditEvent.select().where(AuditEvent.action == "create",
                                     AuditEvent.object_id == str(c.id)).count() == 1


def test_create_in_business_keeps_to_business_categories(client, auth, people):
    auth.login_as("staff_b")
    page = client.get("/customers/new/").get_data(as_text=True)
    assert "demographics" in page and "invoices" not in page
    r = client.post("/customers/new/", data=person_form_business(
        csrf_token=token(client), **{"invoices-0-number": "SNEAK", "invoices-0-amount": "1",
                                     "invoices-0-invoice_date": "2026-11-01",
                                     "invoices-0-due_date": "2026-11-02"}))
    assert r.status_code == 302, r.get_data(as_text=True)
    c = Customer.get(Customer.last_name == "Öberg")
    assert c.section.code == "business" and c.demographics.get().profession == "Arkkitehti"
    assert Invoice.select().count() == 0  # billing is not a business category


def test_tourism_form_has_no_demographics(client, auth, people, rows):
    auth.login_as("staff_t")
    page = client.get(f"/customers/edit/?id={rows['t']}").get_data(as_text=True)
    assert "invoices" in page and "demographics" not in page


def test_posted_section_is_ignored(client, auth, people):
    auth.login_as("staff_t")
    business = Section.get(code="business")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client),
                                                         section=str(business.id)))
    assert r.status_code == 302
    assert Customer.get(Customer.name == "Äijälän Puu Oy").section.code == "tourism"


def test_user_with_two_sections_chooses_one(client, auth, people, make_user):
    make_user("staff_tb", "staff", ["tourism", "business"])
    auth.login_as("staff_tb")
    page = client.get("/customers/new/").get_data(as_text=True)
    assert "section=tourism" in page and "section=business" in page
    r = client.post("/customers/new/?section=business",
                    data=person_form_business(csrf_token=token(client)))
    assert r.status_code == 302
    assert Customer.get(Customer.last_name == "Öberg").section.code == "business"


# Every text field of every register model that a form shows, as it is posted.
TEXT_FIELDS = [
    ("tourism", "first_name"), ("tourism", "last_name"), ("tourism", "name"),
    ("tourism", "business_id"), ("tourism", "phone"), ("tourism", "mobile"),
    ("tourism", "fax"), ("tourism", "email"), ("tourism", "own_info"),
    ("tourism", "addresses-0-street"), ("tourism", "addresses-0-postal_code"),
    ("tourism", "addresses-0-city"), ("tourism", "addresses-0-country"),
    ("tourism", "contact_persons-0-first_name"), ("tourism", "contact_persons-0-last_name"),
    ("tourism", "contact_persons-0-role"), ("tourism", "contact_persons-0-phone"),
    ("tourism", "contact_persons-0-email"), ("tourism", "contact_persons-0-user_details"),
    ("tourism", "events-0-summary"), ("tourism", "purchases-0-service"),
    ("tourism", "invoices-0-number"),
    ("business", "demographics-0-profession"), ("business", "demographics-0-education"),
]


@pytest.mark.parametrize("section, field", TEXT_FIELDS)
def test_henkilotunnus_refused_in_every_text_field(client, auth, people, section, field):
    auth.login_as("staff_t" if section == "tourism" else "staff_b")
    form = company_form if section == "tourism" else person_form_business
    value = f"hlö {HETU.lower().replace('-', '–')}" if field.endswith("summary") else HETU
    data = form(csrf_token=token(client), **{field: value})
    if field in ("first_name", "last_name") and section == "tourism":
        data["kind"] = "person"
        data.pop("name"), data.pop("business_id")
        for key in [k for k in data if k.startswith("contact_persons")]:
            data.pop(key)
    r = client.post("/customers/new/", data=data)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Henkilötunnusta ei saa tallentaa" in page
    assert Customer.select().count() == 0
    assert Address.select().count() == 0 and ContactEvent.select().count() == 0


def test_input_kept_after_error(client, auth, people):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client),
                                                         business_id="0737546-3"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tarkista Y-tunnus" in page
    assert 'value="Äijälän Puu Oy"' in page and "Mannerheimintie 1" in page
    assert Customer.select().count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("business_id", "1234567-8", "Tarkista Y-tunnus"),
    ("email", "not an address", "Tarkista sähköpostiosoite"),
    ("phone", "12", "Tarkista puhelinnumero"),
    ("addresses-0-postal_code", "1000", "viisi numeroa"),
])
def test_validation_messages(client, auth, people, field, value, message):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client), **{field: value}))
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert Customer.select().count() == 0


@pytest.mark.parametrize("birth_date, ok", [
    ("1980-05-17", True), ("2999-01-01", False), ("1850-01-01", False)])
@pytest.mark.clock
def test_birth_date_range(client, auth, people, birth_date, ok):
    auth.login_as("staff_b")
    r = client.post("/customers/new/", data=person_form_business(csrf_token=token(client),
                                                                 birth_date=birth_date))
    assert (r.status_code == 302) == ok
    assert Customer.select().count() == (1 if ok else 0)


@pytest.mark.parametrize("value", ["0737546-2", "2617416-4", "+358 40 123 4567",
                                   "13.10.1952", "1952-10-13", "00100"])
def test_non_hetu_values_accepted_in_free_text(client, auth, people, value):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client),
                                                         own_info=f"Muistiinpano {value}"))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]


# --- the same Y-tunnus twice in a section ------------------------------------------------


def english(client):
    client.post("/language", data={"lang": "en", "csrf_token": token(client)})


def test_a_second_company_with_the_same_y_tunnus_is_saved_only_when_confirmed(
        client, auth, people, rows):
    """The form names the existing customer, with a link, and keeps the input; the save
    goes through once the user ticks that this is a different company."""
    auth.login_as("staff_t")
    english(client)
    existing = Customer.get_by_id(rows["t"])  # Matkailu Oy, 0737546-2, tourism
    data = company_form(csrf_token=token(client), name="Toinen Matkailu Oy",
                        business_id="0737546 2")  # the same Y-tunnus, typed differently
    r = client.post("/customers/new/", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and Customer.select().where(
        Customer.business_id == "0737546-2").count() == 1
    assert "Another customer of this section already has this Y-tunnus" in page
    assert f'href="/customers/details/?id={existing.id}">Matkailu Oy</a>' in page
    assert 'name="different_company"' in page
    assert page.index('name="business_id"') < page.index('name="different_company"') \
        < page.index('name="phone"')  # right below the Y-tunnus
    assert 'value="Toinen Matkailu Oy"' in page and 'value="Mannerheimintie 1"' in page
    assert not AuditEvent.select().where(AuditEvent.action == "create").exists()
    r = client.post("/customers/new/", data=data | {"different_company": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    second = Customer.get(Customer.name == "Toinen Matkailu Oy")
    assert second.business_id == "0737546-2" and second.section.code == "tourism"
    # Editing it without touching the Y-tunnus is not asked again.
    page = client.get(f"/customers/edit/?id={second.id}").get_data(as_text=True)
    assert 'name="different_company"' not in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    edit = {"csrf_token": csrf_token(page), "version": version, "kind": "company",
            "name": "Toinen Matkailu Oy Ab", "business_id": "0737546-2", "language": "fi",
            **informed()}
    r = client.post(f"/customers/edit/?id={second.id}", data=edit)
    assert r.status_code == 302 and Customer.get_by_id(second.id).version == 2


def test_editing_to_a_y_tunnus_of_the_section_asks_too(client, auth, people, rows):
    auth.login_as("staff_t")
    english(client)
    other = Customer.create(section=Section.get(code="tourism"), kind="company",
                            name="Eri Oy", business_id="1234567-1", version=1)
    page = client.get(f"/customers/edit/?id={other.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "version": "1", "kind": "company",
            "name": "Eri Oy", "business_id": "0737546-2", "language": "fi", "informed_how": ""}
    r = client.post(f"/customers/edit/?id={other.id}", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "already has this Y-tunnus" in page
    assert f'/customers/details/?id={rows["t"]}"' in page
    assert f'/customers/details/?id={other.id}"' not in page  # not itself
    assert Customer.get_by_id(other.id).business_id == "1234567-1"
    r = client.post(f"/customers/edit/?id={other.id}", data=data | {"different_company": "y"})
    assert r.status_code == 302 and Customer.get_by_id(other.id).business_id == "0737546-2"


def test_the_same_y_tunnus_in_another_section_is_not_shown(client, auth, people, rows):
    """The check stays in the section: a business customer is neither named nor linked."""
    Customer.create(section=Section.get(code="business"), kind="company",
                    name="Salainen Bisnes Oy", business_id="1234567-1", version=1)
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client),
                                                         business_id="1234567-1"))
    assert r.status_code == 302
    assert Customer.select().where(Customer.business_id == "1234567-1").count() == 2


# --- optimistic locking and transactions -------------------------------------------------

def edit_data(client, customer_id):
    page = client.get(f"/customers/edit/?id={customer_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return {"csrf_token": csrf_token(page), "version": version, "kind": "person",
            "first_name": "Tyhjä", "last_name": "Matkailija", "language": "fi",
            "informed_how": ""}


def test_stale_save_refused_and_first_save_kept(app, auth, people, rows):
    first, second = app.test_client(), app.test_client()
    from tests.conftest import AuthActions
    AuthActions(first).login("staff_t")
    AuthActions(second).login("handler_t")
    a = edit_data(first, rows["bare_t"])
    b = edit_data(second, rows["bare_t"])
    r = first.post(f"/customers/edit/?id={rows['bare_t']}", data=a | {"last_name": "Ensimmäinen"})
    assert r.status_code == 302
    r = second.post(f"/customers/edit/?id={rows['bare_t']}", data=b | {"last_name": "Toinen"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "muutti tätä tietuetta" in page
    assert 'value="Toinen"' in page  # the second user's input is kept
    c = Customer.get_by_id(rows["bare_t"])
    assert c.last_name == "Ensimmäinen" and c.version == 2


def test_failing_inline_row_leaves_nothing(client, auth, people, rows):
    """A duplicate invoice number fails in the database: the customer is not created."""
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=company_form(csrf_token=token(client),
                                                         business_id="1234567-1",
                                                         **{"invoices-0-number": "T-100"}))
    assert r.status_code == 200
    assert "duplicate-customers" not in r.get_data(as_text=True)  # not for its Y-tunnus
    assert Customer.get_or_none(Customer.name == "Äijälän Puu Oy") is None
    assert Address.select().count() == 1 and ContactPerson.select().count() == 0
    assert Purchase.select().count() == 0


def test_failing_update_changes_nothing(client, auth, people, rows):
    auth.login_as("staff_t")
    data = edit_data(client, rows["bare_t"])
    data.update({"last_name": "Muutettu", "invoices-0-number": "T-100",
                 "invoices-0-invoice_date": "2026-11-01", "invoices-0-due_date": "2026-11-15",
                 "invoices-0-amount": "5", "invoices-0-collection_state": "open"})
    r = client.post(f"/customers/edit/?id={rows['bare_t']}", data=data)
    assert r.status_code == 200
    c = Customer.get_by_id(rows["bare_t"])
    assert c.last_name == "Matkailija" and c.version == 1


def test_last_activity_follows_newest_row(client, auth, people, rows):
    auth.login_as("staff_t")
    data = edit_data(client, rows["bare_t"])
    data.update({"purchases-0-service": "Opastus", "purchases-0-purchased_on": "2026-09-01",
                 "purchases-0-amount": "50"})
    assert client.post(f"/customers/edit/?id={rows['bare_t']}", data=data).status_code == 302
    assert Customer.get_by_id(rows["bare_t"]).last_activity_at.date().isoformat() == "2026-09-01"


def test_detail_view_writes_audit_event(client, auth, people, rows):
    auth.login_as("responsible")
    client.get(f"/customers/details/?id={rows['b']}")
    client.get(f"/customers/details/?id={rows['b']}")
    events = list(AuditEvent.select().where(AuditEvent.action == "view"))
    assert len(events) == 2
    assert events[0].object_id == str(rows["b"]) and events[0].section == "business"
    assert events[0].actor_role == "responsible"


def test_details_show_section_categories(client, auth, people, rows):
    auth.login_as("controller")
    page = client.get(f"/customers/details/?id={rows['b']}").get_data(as_text=True)
    assert "Insinööri" in page and 'id="invoices-heading"' not in page
    page = client.get(f"/customers/details/?id={rows['t']}").get_data(as_text=True)
    assert "T-100" in page and "Insinööri" not in page
    assert 'id="demographics-heading"' not in page and 'id="invoices-heading"' in page


def test_update_audit_names_changed_fields_not_values(client, auth, people, rows):
    auth.login_as("staff_t")
    data = edit_data(client, rows["bare_t"])
    client.post(f"/customers/edit/?id={rows['bare_t']}", data=data | {"last_name": "Uusinimi"})
    event = AuditEvent.get(AuditEvent.action == "update")
    assert "last_name" in event.fields.split(",")
    assert "Uusinimi" not in event.fields


@pytest.mark.parametrize("term, expected", [("äijä", "ÄIJÄLÄ OY"), ("ÅSTRÖM", "Åström")])
def test_unicode_search_in_list(client, auth, people, term, expected):
    tourism = Section.get(code="tourism")
    Customer.create(section=tourism, kind="company", name="ÄIJÄLÄ OY")
    Customer.create(section=tourism, kind="person", first_name="Åke", last_name="Åström")
    Customer.create(section=tourism, kind="person", first_name="Muu", last_name="Henkilö")
    auth.login_as("staff_t")
    page = client.get(f"/customers/?search={term}").get_data(as_text=True)
    listing = page[page.index("<main"):]  # the header's account menu names the role
    assert expected in listing and "Henkilö" not in listing


def test_search_over_the_cap_says_so(client, auth, people, monkeypatch):
    import services.search as search

    monkeypatch.setattr(search, "SQLITE_MAX_CANDIDATES", 30)
    monkeypatch.setattr(search, "POSTGRES_MAX_CANDIDATES", 30)
    monkeypatch.setattr(search, "VERY_COMMON_SHARE", 2)  # PostgreSQL: never the exact walk
    tourism = Section.get(code="tourism")
    for n in range(40):
        Customer.create(section=tourism, kind="company", name=f"Yleinen Yritys {n:02d} Oy")
    Customer.create(section=tourism, kind="company", name="Harvinainen Yritys Oy")
    for n in range(200):
        Customer.create(section=tourism, kind="person", first_name="Muu", last_name=f"Asiakas{n}")
    database.optimize()  # the planner's estimate is what PostgreSQL goes by
    auth.login_as("staff_t")
    page = client.get("/customers/?search=yleinen").get_data(as_text=True)
    assert "Tarkenna hakua" in page
    page = client.get("/customers/?search=harvinainen").get_data(as_text=True)
    assert "Harvinainen Yritys Oy" in page and "Tarkenna hakua" not in page


def test_rename_updates_sort_name_and_search(client, auth, people, rows):
    auth.login_as("staff_t")
    data = edit_data(client, rows["bare_t"])
    assert client.post(f"/customers/edit/?id={rows['bare_t']}",
                       data=data | {"last_name": "Örnberg"}).status_code == 302
    assert Customer.get_by_id(rows["bare_t"]).sort_name == "örnberg, tyhjä"
    page = client.get("/customers/?search=örnberg").get_data(as_text=True)
    assert "Örnberg, Tyhjä" in page


def test_unchanged_inline_rows_are_not_rewritten(client, auth, people, rows):
    """Posting the customer's address back unchanged records only the real change."""
    auth.login_as("staff_t")
    address = Address.create(customer=rows["bare_t"], street="Katu 1", postal_code="00100",
                             city="Helsinki")
    data = edit_data(client, rows["bare_t"]) | {
        "last_name": "Uusi", "addresses-0-id": str(address.id), "addresses-0-kind": "postal",
        "addresses-0-street": "Katu 1", "addresses-0-postal_code": "00100",
        "addresses-0-city": "Helsinki", "addresses-0-country": "FI"}
    assert client.post(f"/customers/edit/?id={rows['bare_t']}", data=data).status_code == 302
    assert AuditEvent.get(AuditEvent.action == "update").fields == "last_name"
    data = edit_data(client, rows["bare_t"]) | {
        "last_name": "Uusi", "addresses-0-id": str(address.id), "addresses-0-kind": "postal",
        "addresses-0-street": "Katu 2", "addresses-0-postal_code": "00100",
        "addresses-0-city": "Helsinki", "addresses-0-country": "FI"}
    assert client.post(f"/customers/edit/?id={rows['bare_t']}", data=data).status_code == 302
    assert Address.get_by_id(address.id).street == "Katu 2"
    assert AuditEvent.select().where(AuditEvent.action == "update").order_by(
        AuditEvent.id.desc()).get().fields == "addresses"


def test_the_form_posted_back_unchanged_writes_only_the_change(client, auth, people, rows):
    """The edit form posted back as the browser sends it (every inline row with it) with one
    field changed records that field alone: an amount stored as 37.8 (SQLite gives back
    no trailing zero) and shown as 37.80 is the same amount, so the customer's purchases and
    invoices are neither written again nor named in the audit, and its last activity is
    not recounted."""
    import decimal

    from bench.operations import form_fields

    auth.login_as("staff_t")
    customer = rows["bare_t"]
    Purchase.create(customer=customer, service="Messupaketti", amount=decimal.Decimal("37.80"),
                    purchased_on=datetime.date(2026, 3, 1))
    Invoice.create(customer=customer, number="T-3780", amount=decimal.Decimal("120.50"),
                   invoice_date=datetime.date(2026, 3, 2), due_date=datetime.date(2026, 3, 16))
    marked = datetime.datetime(2020, 1, 1)
    Customer.update(last_activity_at=marked).where(Customer.id == customer).execute()
    page = client.get(f"/customers/edit/?id={customer}").get_data(as_text=True)
    data = form_fields(page)
    assert data.get("purchases-0-amount") and data.get("invoices-0-amount")
    data.setlist("last_name", ["Muutettu"])
    assert client.post(f"/customers/edit/?id={customer}", data=data).status_code == 302
    assert AuditEvent.get(AuditEvent.action == "update").fields == "last_name"
    assert Customer.get_by_id(customer).last_activity_at == marked


def test_posted_inline_id_of_another_customer_makes_a_new_row(client, auth, people, rows):
    auth.login_as("staff_t")
    others = Address.get(Address.customer == rows["t"])
    data = edit_data(client, rows["bare_t"]) | {
        "addresses-0-id": str(others.id), "addresses-0-kind": "postal",
        "addresses-0-street": "Kaapattu 9", "addresses-0-postal_code": "00100",
        "addresses-0-city": "Helsinki", "addresses-0-country": "FI"}
    assert client.post(f"/customers/edit/?id={rows['bare_t']}", data=data).status_code == 302
    assert Address.get_by_id(others.id).street == "Aleksanterinkatu 1"
    assert Address.get(Address.customer == rows["bare_t"]).street == "Kaapattu 9"


def test_city_follows_the_postal_address_and_sorts(client, auth, people, rows):
    auth.login_as("staff_t")
    data = edit_data(client, rows["bare_t"]) | {
        "addresses-0-kind": "visiting", "addresses-0-street": "Torikatu 1",
        "addresses-0-postal_code": "20100", "addresses-0-city": "Turku",
        "addresses-0-country": "FI",
        "addresses-1-kind": "postal", "addresses-1-street": "Postikatu 2",
        "addresses-1-postal_code": "33100", "addresses-1-city": "Tampere",
        "addresses-1-country": "FI"}
    assert client.post(f"/customers/edit/?id={rows['bare_t']}", data=data).status_code == 302
    assert Customer.get_by_id(rows["bare_t"]).city == "Tampere"
    assert Customer.get_by_id(rows["t"]).city == "Helsinki"
    page = client.get("/customers/?sort=3").get_data(as_text=True)
    assert page.index("Helsinki") < page.index("Tampere")
    page = client.get("/customers/?sort=3&desc=1").get_data(as_text=True)
    assert page.index("Tampere") < page.index("Helsinki")
