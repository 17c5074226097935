"""The marketing list (seed §5, §16): prohibited customers and contact persons left out and
counted, only the fields a mailing needs, formula escaping, scope, audit — on SQLite and
PostgreSQL."""

import codecs
import csv
import io

import pytest

from models import Address, AuditEvent, ContactPerson, Customer, Section, User
from services import consent, marketing, prohibitions
from services.customers import refresh_city
from services.errors import RegisterError
from services.localtime import helsinki_today
from tests.conftest import csrf_token

HEADER = ["Nimi", "Yhteyshenkilö", "Katuosoite", "Postinumero", "Kunta", "Sähköposti",
          "Matkapuhelin", "Kieli"]


PEOPLE = ("staff_t", "handler_b", "controller", "responsible", "maint")


def _customer(section, address=None, **fields):
    customer = Customer.create(section=section, **fields)
    if address:
        street, postal_code, city = address
        Address.create(customer=customer, kind="visiting", street="Käyntiosoite 9",
                       postal_code="00990", city="Helsinki")
        Address.create(customer=customer, kind="postal", street=street,
                       postal_code=postal_code, city=city)
        refresh_city(customer.id)
    return customer


def _prohibit(customer, purpose="direct_marketing", person=None, action="given"):
    prohibitions.record(customer, purpose=purpose, action=action, effective_on=helsinki_today(),
                        source="letter", contact_person=person,
                        actor=User.get(User.username == "staff_t"))


@pytest.fixture
def rows(app, people):
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    made = {
        "aino": _customer(tourism, ("Mannerheimintie 1", "00100", "Helsinki"), kind="person",
                          first_name="Aino", last_name="Aalto", email="aino@example.fi",
                          phone="+358401234567", own_info="Pitää kissoista"),
        "kielto": _customer(tourism, ("Kieltotie 2", "00200", "Helsinki"), kind="person",
                            first_name="Kalle", last_name="Kieltäjä"),
        "tutkimus": _customer(tourism, ("Tutkijankatu 3", "02100", "Espoo"), kind="person",
                              first_name="Tuula", last_name="Tutkimaton"),
        "yritys": _customer(tourism, ("Yrityskatu 4", "00150", "Helsinki"), kind="company",
                            name="=HYPERLINK(\"http://x\")", business_id="0737546-2",
                            email="info@yritys.fi"),
        "peruttu": _customer(tourism, ("Perutuntie 5", "00500", "Helsinki"), kind="person",
                             first_name="Pertti", last_name="Peruttu"),
        "ruotsi": _customer(tourism, ("Runebergsgatan 6", "00100", "Helsingfors"),
                            kind="person", first_name="Åsa", last_name="Öberg", language="sv"),
        "bisnes": _customer(business, ("Bisneskatu 7", "00100", "Helsinki"), kind="person",
                            first_name="Bertta", last_name="Bisnes"),
    }
    anna = ContactPerson.create(customer=made["yritys"], first_name="Anna",
                                last_name="Äijälä", email="anna@yritys.fi")
    bertil = ContactPerson.create(customer=made["yritys"], first_name="@Bertil",
                                  last_name="Berg", phone="+358501234567")
    # A private person's email is on the list only with an email marketing consent.
    consent.record(made["aino"], channel="email", given_on=helsinki_today(),
                   given_how="web_form", wording_version=consent.CURRENT_WORDING,
                   actor=User.get(User.username == "staff_t"))
    _prohibit(made["kielto"])
    _prohibit(made["tutkimus"], purpose="market_research")
    _prohibit(made["yritys"], person=anna)
    _prohibit(made["peruttu"])
    _prohibit(made["peruttu"], action="withdrawn")
    return {"tourism": tourism.id, "business": business.id, "anna": anna, "bertil": bertil,
            **{k: v.id for k, v in made.items()}}


def choices(section_id, **extra):
    data = {"section": str(section_id), "language": "fi", "kind": "", "postal_prefix": "",
            "purpose": "direct_marketing", "counted": ""}
    data.update(extra)
    return data


def count_page(client, data):
    token = csrf_token(client.get("/marketing/").get_data(as_text=True))
    r = client.post("/marketing/", data=data | {"csrf_token": token})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def download(client, data):
    """Count, then download with the choices the page counted; return the response."""
    page = count_page(client, data)
    counted = page.split('name="counted" type="hidden" value="', 1)[1].split('"', 1)[0]
    return client.post("/marketing/download/",
                       data=data | {"counted": counted, "csrf_token": csrf_token(page)})


def read_csv(response):
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- the export -----------------------------------------------------------------------------

@pytest.mark.clock
def test_list_leaves_out_prohibited_customers_and_contact_persons(client, auth, rows):
    auth.login_as("staff_t")
    page = count_page(client, choices(rows["tourism"]))
    assert "4 asiakasta on listalla" in page
    assert "1 asiakas jätettiin pois voimassa olevan kiellon vuoksi" in page
    assert "1 yhteyshenkilö jätettiin pois oman kieltonsa vuoksi" in page
    assert "Vain sisäiseen käyttöön" in page

    r = download(client, choices(rows["tourism"]))
    assert r.status_code == 200 and r.is_streamed
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    table = read_csv(r)
    assert table[0] == HEADER
    names = [row[0] for row in table[1:]]
    assert "Kalle Kieltäjä" not in names  # prohibition in force
    assert "Aino Aalto" in names and "Tuula Tutkimaton" in names  # other purpose only
    assert "Pertti Peruttu" in names  # withdrawn
    assert "Åsa Öberg" not in names and "Bertta Bisnes" not in names  # language, section
    company = next(row for row in table[1:] if "HYPERLINK" in row[0])
    assert company[1] == "'@Bertil Berg"  # Anna has her own prohibition; escaped
    assert "Äijälä" not in r.get_data(as_text=True)


def test_list_has_only_mailing_fields(client, auth, rows):
    auth.login_as("staff_t")
    table = read_csv(download(client, choices(rows["tourism"])))
    aino = next(row for row in table[1:] if row[0] == "Aino Aalto")
    assert aino == ["Aino Aalto", "", "Mannerheimintie 1", "00100", "Helsinki",
                    "aino@example.fi", "", "fi"]
    text = "\n".join(",".join(row) for row in table)
    for never in ("+358401234567", "+358501234567", "0737546-2", "Pitää kissoista",
                  "Käyntiosoite", "00990"):
        assert never not in text


def test_formula_cells_are_escaped(client, auth, rows):
    auth.login_as("staff_t")
    table = read_csv(download(client, choices(rows["tourism"])))
    company = next(row for row in table[1:] if "HYPERLINK" in row[0])
    assert company[0] == "'=HYPERLINK(\"http://x\")"
    for value in ("=1+1", "+1", "-1", "@x", "\tx"):
        assert marketing.escape_formula(value) == "'" + value
    assert marketing.escape_formula("Aino") == "Aino"


def test_every_csv_cell_is_quoted_so_the_other_separator_splits_nothing(client, auth, rows):
    """Finnish Excel reads a comma-separated file by ";": a name "Acme;=cmd…" written
    unquoted would become a cell "=cmd…". Every cell of every CSV is quoted, the customer
    list's export (Flask-Admin's writer replaced) and the marketing list alike."""
    Customer.create(section=rows["tourism"], kind="company", name="Acme;=cmd|' /C calc'!A0",
                    email="acme@example.fi")
    auth.login_as("staff_t")
    for text in (download(client, choices(rows["tourism"])).get_data().decode("utf-8-sig"),
                 client.get("/customers/export/csv/").get_data(as_text=True)):
        line = next(line for line in text.splitlines() if "Acme" in line)
        assert line.startswith('"'), line
        for separator in (";", ","):
            cells = next(csv.reader(io.StringIO(line), delimiter=separator))
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells


@pytest.mark.clock
def test_each_purpose_has_its_own_exclusions(client, auth, rows):
    auth.login_as("staff_t")
    table = read_csv(download(client, choices(rows["tourism"], purpose="market_research")))
    names = [row[0] for row in table[1:]]
    assert "Tuula Tutkimaton" not in names and "Kalle Kieltäjä" in names
    company = next(row for row in table[1:] if "HYPERLINK" in row[0])
    assert company[1] == "Anna Äijälä"  # her prohibition is of direct marketing only


def test_segment_by_kind_and_postal_code(client, auth, rows):
    criteria = marketing.Criteria(section_id=rows["tourism"], language="fi", kind="person",
                                  postal_prefix="00")
    names = [row["name"] for row in marketing.rows(criteria)]
    assert names == ["Aino Aalto", "Pertti Peruttu"]  # Tuula lives at 02100
    counts = marketing.count(criteria)
    assert (counts.included, counts.excluded, counts.contact_persons_skipped) == (2, 1, 0)
    company = marketing.Criteria(section_id=rows["tourism"], language="fi", kind="company")
    assert marketing.count(company).contact_persons_skipped == 1


def test_rows_are_read_in_batches_without_losing_any(rows):
    criteria = marketing.Criteria(section_id=rows["tourism"], language="fi")
    whole = list(marketing.rows(criteria))
    assert list(marketing.rows(criteria, batch_size=1)) == whole
    assert list(marketing.rows(criteria, batch_size=3)) == whole
    chunks = list(marketing.csv_chunks(criteria, marketing.COLUMNS, batch_size=2))
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == len(whole) + 1


@pytest.mark.parametrize("bad", [
    {"language": "de"}, {"purpose": "telemarketing"}, {"kind": "robot"},
    {"postal_prefix": "00a"}, {"postal_prefix": "001001"}])
def test_criteria_are_checked(rows, bad):
    with pytest.raises(RegisterError):
        marketing.Criteria(**({"section_id": rows["tourism"], "language": "fi"} | bad))


def test_export_is_audited_with_counts_not_names(client, auth, rows):
    auth.login_as("staff_t")
    download(client, choices(rows["tourism"])).get_data()
    event = AuditEvent.get(AuditEvent.object_type == "marketing_list")
    assert (event.action, event.section, event.actor_role) == ("export", "tourism", "staff")
    assert event.object_id == "in=4;out=1;cp=1;noemail=0;nosms=0"
    assert event.fields == ",".join(marketing.COLUMNS)
    assert "Aalto" not in event.object_id + event.fields


def test_counting_alone_writes_no_export_event(client, auth, rows):
    auth.login_as("staff_t")
    count_page(client, choices(rows["tourism"]))
    assert not AuditEvent.select().where(AuditEvent.action == "export").exists()


def test_changed_choices_are_counted_again_before_download(client, auth, rows):
    auth.login_as("staff_t")
    page = count_page(client, choices(rows["tourism"]))
    counted = page.split('name="counted" type="hidden" value="', 1)[1].split('"', 1)[0]
    r = client.post("/marketing/download/", data=choices(rows["tourism"], kind="company")
                    | {"counted": counted, "csrf_token": csrf_token(page)})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "1 asiakas on listalla" in r.get_data(as_text=True)
    assert not AuditEvent.select().where(AuditEvent.action == "export").exists()


# --- scope and roles ----------------------------------------------------------------------

def test_staff_chooses_only_own_sections(client, auth, rows):
    auth.login_as("staff_t")
    page = client.get("/marketing/").get_data(as_text=True)
    assert "Matkailu- ja kongressitoimisto" in page and "Elinkeinokehitys" not in page
    r = download(client, choices(rows["business"]))
    assert r.mimetype == "text/html"  # not a valid choice: the form says so
    assert "Bertta" not in r.get_data(as_text=True)
    assert not AuditEvent.select().where(AuditEvent.action == "export").exists()


@pytest.mark.parametrize("username, section, expected", [
    ("staff_t", "tourism", 200), ("handler_b", "business", 200),
    ("controller", "business", 200), ("responsible", "tourism", 200)])
def test_who_may_download(client, auth, rows, username, section, expected):
    auth.login_as(username)
    r = download(client, choices(rows[section]))
    assert r.status_code == expected and r.mimetype == "text/csv"
    assert AuditEvent.get(AuditEvent.action == "export").section == section


def test_maintenance_is_refused(client, auth, rows):
    auth.login_as("maint")
    assert client.get("/marketing/").status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    r = client.post("/marketing/download/", data=choices(rows["tourism"]) | {"csrf_token": token})
    assert r.status_code == 403
    assert "/marketing/" not in client.get("/").get_data(as_text=True)


def test_in_the_menu_for_register_users(client, auth, rows):
    auth.login_as("staff_t")
    page = client.get("/").get_data(as_text=True)
    assert "/marketing/" in page and "Markkinointilista" in page


def test_logged_out_goes_to_login(client, rows):
    r = client.get("/marketing/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_withdrawn_consent_holds_after_the_record_is_made_a_company(app, people):
    """A private person withdrew her email consent; her record is then made a company's:
    the list still leaves her email out (a company's email needs no consent, but she said
    no)."""
    tourism = Section.get(code="tourism")
    pia = _customer(tourism, ("X 1", "00100", "Helsinki"), kind="person", first_name="Pia",
                    last_name="Privaatti", email="pia@example.fi", mobile="+358401234567")
    actor = people["staff_t"]
    for channel in ("email", "sms"):
        given = consent.record(pia, channel=channel, given_on=helsinki_today(),
                               given_how="web_form", wording_version=consent.CURRENT_WORDING,
                               actor=actor)
        if channel == "email":
            consent.withdraw(pia, given, how="email", actor=actor)
    Customer.update(kind="company", name="Pia Privaatti", first_name=None,
                    last_name=None).where(Customer.id == pia.id).execute()
    [row] = [r for r in marketing.rows(marketing.Criteria(section_id=tourism.id,
                                                          language="fi"))
             if r["name"] == "Pia Privaatti"]
    assert row["email"] == "" and row["mobile"] == "+358401234567"  # SMS consent in force


def _give(customer, channel="email"):
    consent.record(customer, channel=channel, given_on=helsinki_today(), given_how="web_form",
                   wording_version=consent.CURRENT_WORDING,
                   actor=User.get(User.username == "staff_t"))


def test_a_prohibition_holds_on_the_persons_other_records_too(app, people):
    """A prohibition is the person's: their second record, with its own consents (newer
    than the prohibition or not), in the same section or as another section's company's
    contact person, reached them all the same."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    address = ("Katu 1", "00100", "Helsinki")
    first = _customer(tourism, address, kind="person", first_name="Matti", last_name="K",
                      email="Matti@X.fi", mobile="+358401111111")
    _prohibit(first)
    second = _customer(tourism, address, kind="person", first_name="Matti", last_name="K",
                       email="matti@x.fi")
    by_number = _customer(tourism, address, kind="person", first_name="M", last_name="K",
                          mobile="+358401111111")
    for record in (second, by_number):
        _give(record), _give(record, "sms")
    other = _customer(tourism, address, kind="person", first_name="Olli", last_name="O",
                      email="olli@x.fi")
    _give(other)
    firm = _customer(business, address, kind="company", name="Firma Oy", email="matti@x.fi",
                     mobile="+358401111111")
    ContactPerson.create(customer=firm, first_name="Matti", last_name="K", email="MATTI@x.fi")
    listed = list(marketing.rows(marketing.Criteria(section_id=tourism.id, language="fi")))
    assert [row["name"] for row in listed] == ["Olli O"]
    counts = marketing.count(marketing.Criteria(section_id=tourism.id, language="fi"))
    assert (counts.included, counts.excluded) == (1, 3)
    # The company stays (it prohibited nothing), without the person's address and number.
    [row] = marketing.rows(marketing.Criteria(section_id=business.id, language="fi"))
    assert (row["name"], row["email"], row["mobile"]) == ("Firma Oy", "", "")


def test_a_companys_own_email_of_its_prohibited_contact_person_is_left_out(app, people):
    tourism = Section.get(code="tourism")
    firm = _customer(tourism, ("Katu 1", "00100", "Helsinki"), kind="company",
                     name="Yhden hengen Oy", email="liisa@firma.fi", mobile="+358402222222")
    liisa = ContactPerson.create(customer=firm, first_name="Liisa", last_name="L",
                                 email="liisa@firma.fi", phone="+358402222222")
    _prohibit(firm, person=liisa)
    [row] = marketing.rows(marketing.Criteria(section_id=tourism.id, language="fi"))
    assert (row["email"], row["mobile"], row["contact_person"]) == ("", "", "")
