"""Where the data came from (seed §7; GDPR Art. 14(2)(f), 15(1)(g)): the source of a
customer, a contact person and an address is saved from the form, shown on the details and
stated in the inspection report (HTML, PDF and JSON) — on SQLite and PostgreSQL."""

import datetime

import pytest

from models import Address, ContactPerson, Customer, Section
from services.localtime import helsinki_today
from tests.conftest import csrf_token
from tests.test_report import fetch_all, make_request
from tests.test_screens import company_form

PEOPLE = ("staff_t", "staff_b", "handler_t")
HETU = "131052-308T"
# When the addresses of these tests were last checked: some weeks ago.
CHECKED_ON = helsinki_today() - datetime.timedelta(days=34)


def token(client):
    return csrf_token(client.get("/").get_data(as_text=True))


def sourced_form(client, **extra):
    return company_form(csrf_token=token(client), **{
        "data_source": "trade_register",
        "addresses-0-data_source": "posti", "addresses-0-checked_on": str(CHECKED_ON),
        "contact_persons-0-data_source": "other",
        "contact_persons-0-data_source_note": "Messujen osallistujalista 2026",
        **extra})


def test_sources_are_saved_and_shown(client, auth, people):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=sourced_form(client))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    customer = Customer.get()
    assert customer.data_source == "trade_register"
    assert (Address.get().data_source, Address.get().checked_on) == (
        "posti", CHECKED_ON)
    person = ContactPerson.get()
    assert (person.data_source, person.data_source_note) == ("other",
                                                             "Messujen osallistujalista 2026")
    page = client.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    for text in ("Tietojen lähde", "Kaupparekisteri", "Postin osoitepalvelu", FI_DATE,
                 "Messujen osallistujalista 2026", "Tarkistettu viimeksi"):
        assert text in page, text


def test_a_new_row_starts_from_the_customer_itself(client, auth, people):
    auth.login_as("staff_t")
    page = client.get("/customers/new/").get_data(as_text=True)
    assert '<option selected value="customer">Asiakas itse</option>' in page
    assert "Ei kirjattu" in page  # the blank choice of a row recorded before sources


def test_other_needs_a_note(client, auth, people):
    auth.login_as("staff_t")
    data = sourced_form(client, **{"contact_persons-0-data_source_note": " "})
    r = client.post("/customers/new/", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Kirjoita kenttään Lisätieto lähteestä, mistä tiedot on saatu" in page
    assert Customer.select().count() == 0
    data = sourced_form(client, data_source="other", data_source_note="")
    assert "lähde ”Muu lähde” vaatii lisätiedon" in client.post(
        "/customers/new/", data=data).get_data(as_text=True)
    assert Customer.select().count() == 0


def test_an_import_file_note_is_welcome_but_not_required(client, auth, people):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=sourced_form(client, data_source="import_file"))
    assert r.status_code == 302 and Customer.get().data_source == "import_file"


def test_rows_recorded_before_sources_read_not_recorded(client, auth, people):
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Vanha Oy")
    Address.create(customer=customer, street="Vanhatie 1", postal_code="00100",
                   city="Helsinki")
    auth.login_as("staff_t")
    page = client.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert page.count("Ei kirjattu") == 2


@pytest.mark.parametrize("field", ["data_source_note", "addresses-0-data_source_note",
                                   "contact_persons-0-data_source_note",
                                   "addresses-0-postal_check_reason"])
def test_a_henkilotunnus_in_a_note_is_refused(client, auth, people, field):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=sourced_form(
        client, **{field: f"Tuotu listalta, hetu {HETU.lower()}"}))
    assert r.status_code == 200
    assert "Henkilötunnusta ei saa tallentaa" in r.get_data(as_text=True)
    assert Customer.select().count() == 0


@pytest.mark.parametrize("field, value", [
    ("data_source", "hacked"), ("addresses-0-data_source", "\x00"),
    ("data_source_note", "x" * 201), ("addresses-0-checked_on", "9999-12-31"),
])
def test_bad_values_are_refused_not_crashed(client, auth, people, field, value):
    auth.login_as("staff_t")
    r = client.post("/customers/new/", data=sourced_form(client, **{field: value}))
    # A NUL byte is refused before the form (400); anything else gets the form back.
    assert r.status_code == (400 if "\x00" in value else 200)
    assert Customer.select().count() == 0


def test_another_section_cannot_read_or_write_the_sources(client, auth, people):
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Lähde Oy", data_source="trade_register")
    auth.login_as("staff_b")
    assert client.get(f"/customers/details/?id={customer.id}").status_code == 404
    data = {"csrf_token": token(client), "version": "1", "kind": "company",
            "name": "Lähde Oy", "language": "fi", "data_source": "other",
            "data_source_note": "muutettu"}
    assert client.post(f"/customers/edit/?id={customer.id}", data=data).status_code == 404
    assert Customer.get_by_id(customer.id).data_source == "trade_register"


# --- the inspection report ---------------------------------------------------------------


@pytest.fixture
def sourced(app, people):
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Lähteellinen Oy", data_source="import_file",
                               data_source_note="Messukävijät 2025.xlsx")
    Address.create(customer=customer, street="Aleksanterinkatu 1", postal_code="00100",
                   city="Helsinki", data_source="posti",
                   checked_on=CHECKED_ON)
    Address.create(customer=customer, kind="billing", street="PL 100", postal_code="00101",
                   city="Helsinki")
    person = ContactPerson.create(customer=customer, first_name="Liisa", last_name="Lähde",
                                  data_source="customer")
    return customer, person


FI_DATE = f"{CHECKED_ON.day}.{CHECKED_ON.month}.{CHECKED_ON.year}"
EN_DATE = f"{CHECKED_ON.day} {CHECKED_ON:%B} {CHECKED_ON.year}"  # the C locale's month
REPORT_TEXTS = {
    "fi": ["Mistä tiedot on saatu", "Perustiedot", "Tuontitiedosto (Messukävijät 2025.xlsx)",
           "Osoite 1", f"Postin osoitepalvelu, tarkistettu {FI_DATE}", "Osoite 2",
           "Ei kirjattu", "Yhteyshenkilö 1", "Asiakas itse"],
    "sv": ["Varifrån uppgifterna kommer", "Grunduppgifter",
           "Importfil (Messukävijät 2025.xlsx)", f"Postens adresstjänst, kontrollerad {FI_DATE}",
           "Inte antecknat", "Kunden själv"],
    "en": ["Where the data came from", "Basic data", "Import file (Messukävijät 2025.xlsx)",
           f"Posti address service, checked on {EN_DATE}", "Not recorded",
           "The customer itself"],
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_report_states_the_sources(client, auth, sourced, language):
    customer, _person = sourced
    req = make_request([("customer", customer.id)], language=language)
    auth.login_as("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    for text in REPORT_TEXTS[language]:
        assert text in page and text in pdf, text
    sources = data["subjects"][0]["sources"]
    assert [line["value"] for line in sources["lines"]] == [
        "import_file", "posti", None, "customer"]


def test_a_contact_persons_report_states_its_source(client, auth, sourced):
    _customer, person = sourced
    req = make_request([("contact_person", person.id)])
    auth.login_as("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    assert "Mistä tiedot on saatu Perustiedot Asiakas itse" in page
    assert "Asiakas itse" in pdf
    assert "Postin osoitepalvelu" not in page  # the company's address is not the person's
