"""Direct marketing consent (seed §16; Act 917/2014 §200): a private person's consent per
channel recorded and shown, withdrawn with one click and audited with its history kept; the
marketing list's gate and its counts; who may record, section isolation and bad input; the
inspection report — on SQLite and PostgreSQL."""

import datetime

import pytest

import database
from models import (
    AuditEvent,
    ContactPerson,
    Customer,
    MarketingConsent,
    Section,
    User,
    db,
)
from services import consent, demo_data, marketing, prohibitions
from services.errors import RegisterError
from services.localtime import helsinki_today
from tests.conftest import csrf_token
from tests.test_marketing import choices, count_page, download, read_csv
from tests.test_report import fetch_all, make_request

pytestmark = pytest.mark.clock

PEOPLE = ("staff_t", "handler_t", "staff_b", "controller", "responsible", "maint")


def today():
    """Helsinki's today, from the register's own clock."""
    return helsinki_today()


@pytest.fixture
def rows(app):
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    person = Customer.create(section=tourism, kind="person", first_name="Pekka",
                             last_name="Pohjola", email="pekka@example.fi",
                             mobile="+358401111111")
    company = Customer.create(section=tourism, kind="company", name="Matkailu Oy",
                              email="info@matkailu.fi", mobile="+358402222222")
    other = Customer.create(section=business, kind="person", first_name="Bertta",
                            last_name="Bisnes", email="bertta@example.fi")
    return {"person": person.id, "company": company.id, "other": other.id}


def give(customer_id, channel="email", given_on=None, how="web_form", actor="staff_t"):
    return consent.record(Customer.get_by_id(customer_id), channel=channel,
                          given_on=given_on or today(), given_how=how,
                          wording_version=consent.CURRENT_WORDING,
                          actor=User.get(User.username == actor))


def url(customer_id):
    return f"/consents/?customer={customer_id}"


def record_form(client, customer_id, **values):
    data = {"channel": "email", "given_on": today().isoformat(), "given_how": "paper_form",
            "wording_version": consent.CURRENT_WORDING}
    data.update(values)
    data["csrf_token"] = csrf_token(client.get(url(customer_id)).get_data(as_text=True))
    return data


def withdraw(client, customer_id, consent_id, how="email"):
    token = csrf_token(client.get(url(customer_id)).get_data(as_text=True))
    return client.post(f"/consents/withdraw/?customer={customer_id}",
                       data={"consent": str(consent_id), "how": how, "csrf_token": token})


# --- recording and showing --------------------------------------------------------------------


def test_a_consent_recorded_on_the_page_is_shown_and_audited(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["person"]), data=record_form(client, rows["person"]))
    assert r.status_code == 302
    row = MarketingConsent.get(MarketingConsent.customer == rows["person"])
    assert (row.channel, row.given_on, row.given_how, row.wording_version) == (
        "email", today(), "paper_form", consent.CURRENT_WORDING)
    assert row.recorded_by.username == "staff_t" and row.withdrawn_at is None
    page = client.get(url(rows["person"])).get_data(as_text=True)
    assert "Suostumus kirjattu: Pohjola, Pekka, Sähköpostimarkkinointi." in page
    assert "Voimassa" in page and f"suostumusteksti {consent.CURRENT_WORDING}" in page
    assert "Suostun siihen, että Helsingin kaupungin elinkeinopalvelut" in page  # the text
    details = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert "Markkinointisuostumukset" in details
    assert "Sähköpostimarkkinointi:" in details and "paperilomakkeella" in details
    assert "Tekstiviestimarkkinointi:" in details and "Ei suostumusta" in details
    event = AuditEvent.get(AuditEvent.object_type == "marketing_consent")
    assert (event.action, event.object_id, event.section, event.actor_role) == (
        "create", str(row.id), "tourism", "staff")
    assert event.fields == "channel,given_on,given_how,wording_version"


def test_a_company_has_no_consents_its_contacts_follow_prohibitions(client, auth, people, rows):
    with pytest.raises(RegisterError, match="private persons only"):
        give(rows["company"])
    auth.login_as("staff_t")
    details = client.get(f"/customers/details/?id={rows['company']}").get_data(as_text=True)
    assert "Markkinointisuostumukset" not in details
    page = client.get(url(rows["company"])).get_data(as_text=True)
    assert "Asiakas ei ole yksityishenkilö" in page and 'name="channel"' not in page
    token = csrf_token(page)
    r = client.post(url(rows["company"]), data=record_form(client, rows["person"])
                    | {"csrf_token": token})
    assert r.status_code == 200 and "vain yksityishenkilöille" in r.get_data(as_text=True)
    assert MarketingConsent.select().count() == 0


def test_refusals_leave_nothing(people, rows):
    give(rows["person"])
    with pytest.raises(RegisterError, match="already in force"):
        give(rows["person"])
    tomorrow = today() + datetime.timedelta(days=1)
    for bad in ({"channel": "fax"}, {"given_how": "telepathy"}, {"wording_version": "1999-9"},
                {"given_on": "2026-01-01"}, {"given_on": tomorrow}):
        values = {"channel": "sms", "given_on": today(), "given_how": "letter",
                  "wording_version": consent.CURRENT_WORDING} | bad
        with pytest.raises(RegisterError):
            consent.record(Customer.get_by_id(rows["person"]), actor=None, **values)
    assert MarketingConsent.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.object_type == "marketing_consent").count() == 1


def test_a_date_in_the_future_is_refused_with_the_input_kept(client, auth, people, rows):
    auth.login_as("staff_t")
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    r = client.post(url(rows["person"]), data=record_form(client, rows["person"],
                                                          given_on=tomorrow, channel="sms"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Päivä ei voi olla tulevaisuudessa" in page
    assert f'value="{tomorrow}"' in page and '<option selected value="sms">' in page
    for far in ("9999-12-31", "0001-01-01"):
        r = client.post(url(rows["person"]), data=record_form(client, rows["person"],
                                                              given_on=far))
        assert r.status_code == 200 and "Tarkista vuosi" in r.get_data(as_text=True)
    assert MarketingConsent.select().count() == 0


# --- withdrawal ---------------------------------------------------------------------------------


def test_withdrawal_is_one_click_audited_and_keeps_the_history(client, auth, people, rows):
    first = give(rows["person"], how="in_person")
    auth.login_as("handler_t")
    details = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert f'name="consent" value="{first.id}"' in details  # the button on the customer's page
    r = withdraw(client, rows["person"], first.id, how="phone")
    assert r.status_code == 302
    page = client.get(url(rows["person"])).get_data(as_text=True)
    assert "Suostumus peruutettu: Pohjola, Pekka, Sähköpostimarkkinointi." in page
    row = MarketingConsent.get_by_id(first.id)  # kept, with the withdrawal on it
    assert row.withdrawn_at is not None and row.withdrawn_how == "phone"
    assert row.withdrawn_by.username == "handler_t" and row.given_how == "in_person"
    assert consent.in_force(Customer.get_by_id(rows["person"])) == {}
    event = AuditEvent.get((AuditEvent.object_type == "marketing_consent")
                           & (AuditEvent.action == "update"))
    assert (event.object_id, event.actor_role) == (str(first.id), "handler")
    assert event.fields == "withdrawn_at,withdrawn_how,withdrawn_by"

    # Withdrawn twice: refused, nothing changes.
    r = withdraw(client, rows["person"], first.id)
    assert r.status_code == 302
    assert "on jo peruutettu" in client.get(url(rows["person"])).get_data(as_text=True)
    assert MarketingConsent.get_by_id(first.id).withdrawn_how == "phone"
    # Given again: a new row, the old one stays.
    again = give(rows["person"], how="email")
    assert again.id != first.id
    assert [r.id for r in consent.history(Customer.get_by_id(rows["person"]))] == [
        again.id, first.id]
    page = client.get(url(rows["person"])).get_data(as_text=True)
    assert page.count("<td>Sähköpostimarkkinointi</td>") == 2  # both rows in the history


def test_withdrawal_needs_the_token_and_a_consent_of_this_customer(client, auth, people, rows):
    mine = give(rows["person"])
    others = give(rows["other"], actor="staff_b")
    auth.login_as("staff_t")
    r = client.post(f"/consents/withdraw/?customer={rows['person']}",
                    data={"consent": str(mine.id), "how": "email"})
    assert r.status_code == 400  # no CSRF token
    for bad in (str(others.id), "9" * 20, "abc", "", "-1", f"{mine.id}\x00"):
        r = withdraw(client, rows["person"], bad)
        assert r.status_code in (400, 404), bad
    r = withdraw(client, rows["person"], mine.id, how="telepathy")
    assert r.status_code == 302
    assert MarketingConsent.select().where(MarketingConsent.in_force()).count() == 2


# --- who may, and section isolation -----------------------------------------------------------


@pytest.mark.parametrize("username, expected", [
    ("staff_t", 200), ("handler_t", 200), ("controller", 200), ("responsible", 200),
    ("staff_b", 404), ("maint", 403)])
def test_who_reads(client, auth, people, rows, username, expected):
    auth.login_as(username)
    assert client.get(url(rows["person"])).status_code == expected


@pytest.mark.parametrize("username, expected", [
    ("staff_t", 302), ("handler_t", 302), ("controller", 403), ("responsible", 403),
    ("staff_b", 404), ("maint", 403)])
def test_who_records_and_withdraws(client, auth, people, rows, username, expected):
    given = give(rows["person"], channel="sms")
    auth.login_as(username)
    token = csrf_token(client.get("/").get_data(as_text=True))
    r = client.post(url(rows["person"]), data={
        "channel": "email", "given_on": today().isoformat(), "given_how": "letter",
        "wording_version": consent.CURRENT_WORDING, "csrf_token": token})
    assert r.status_code == expected
    r = client.post(f"/consents/withdraw/?customer={rows['person']}",
                    data={"consent": str(given.id), "how": "letter", "csrf_token": token})
    assert r.status_code == expected
    saved = expected == 302
    assert MarketingConsent.select().count() == (2 if saved else 1)
    assert (MarketingConsent.get_by_id(given.id).withdrawn_at is not None) == saved


def test_another_sections_customer_is_404_by_any_id(client, auth, people, rows):
    others = give(rows["other"], actor="staff_b")
    auth.login_as("handler_t")
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.get(url(rows["other"])).status_code == 404
    assert client.post(url(rows["other"]), data={"csrf_token": token}).status_code == 404
    r = client.post(f"/consents/withdraw/?customer={rows['other']}",
                    data={"consent": str(others.id), "how": "email", "csrf_token": token})
    assert r.status_code == 404
    # Another customer's consent through one's own customer's address: 404 as well.
    r = client.post(f"/consents/withdraw/?customer={rows['person']}",
                    data={"consent": str(others.id), "how": "email", "csrf_token": token})
    assert r.status_code == 404
    assert MarketingConsent.get_by_id(others.id).withdrawn_at is None
    for bad in ("9" * 20, "abc", "", "0", "1.5"):
        assert client.get(f"/consents/?customer={bad}").status_code == 404, bad
    assert client.get("/consents/?customer=1%00").status_code == 400
    assert "Bisnes" not in client.get(url(rows["person"])).get_data(as_text=True)


def test_viewing_is_audited_on_the_customer(client, auth, people, rows):
    auth.login_as("controller")
    client.get(url(rows["person"]))
    event = AuditEvent.get((AuditEvent.action == "view") & (AuditEvent.object_type == "customer")
                           & (AuditEvent.fields == "marketing_consents"))
    assert event.object_id == str(rows["person"]) and event.section == "tourism"


# --- the marketing list ---------------------------------------------------------------------


@pytest.fixture
def mailing(app, people):
    """Private persons with and without consents, a company with two contact persons."""
    tourism = Section.get(code="tourism")

    def person(first, email="", mobile=""):
        return Customer.create(section=tourism, kind="person", first_name=first,
                               last_name="Testi", email=email or None, mobile=mobile or None)

    made = {
        "both": person("Kaksi", "kaksi@example.fi", "+358401000001"),
        "email": person("Posti", "posti@example.fi", "+358401000002"),
        "sms": person("Teksti", "teksti@example.fi", "+358401000003"),
        "none": person("Ei", "ei@example.fi", "+358401000004"),
        "withdrawn": person("Peruttu", "peruttu@example.fi", "+358401000005"),
        "bare": person("Tyhjä"),  # nothing to leave out
    }
    for key, channels in (("both", ("email", "sms")), ("email", ("email",)),
                          ("sms", ("sms",)), ("withdrawn", ("email", "sms"))):
        for channel in channels:
            give(made[key].id, channel=channel)
    for row in consent.history(made["withdrawn"]):
        consent.withdraw(made["withdrawn"], row, how="email", actor=None)
    company = Customer.create(section=tourism, kind="company", name="Yritys Oy",
                              mobile="+358402000000")
    ContactPerson.create(customer=company, first_name="Kielto", last_name="Henkilö",
                         email="kielto@yritys.fi")
    ContactPerson.create(customer=company, first_name="Vapaa", last_name="Henkilö",
                         email="vapaa@yritys.fi")
    first = ContactPerson.get(ContactPerson.first_name == "Kielto")
    prohibitions.record(company, purpose="direct_marketing", action="given",
                        effective_on=today(), source="letter", contact_person=first,
                        actor=User.get(User.username == "staff_t"))
    return {"tourism": tourism.id, **{k: v.id for k, v in made.items()}}


def _by_first_name(table):
    return {row[0].split()[0]: row for row in table[1:]}


def test_the_list_gives_a_persons_email_and_mobile_only_with_consent(client, auth, mailing):
    auth.login_as("staff_t")
    table = read_csv(download(client, choices(mailing["tourism"])))
    email, mobile = table[0].index("Sähköposti"), table[0].index("Matkapuhelin")
    # An E.164 number starts with "+": escaped like every such cell (services/exports.py).
    found = {name: (row[email], row[mobile].removeprefix("'"))
             for name, row in _by_first_name(table).items()}
    assert found["Kaksi"] == ("kaksi@example.fi", "+358401000001")
    assert found["Posti"] == ("posti@example.fi", "")
    assert found["Teksti"] == ("", "+358401000003")
    assert found["Ei"] == ("", "") and found["Peruttu"] == ("", "") and found["Tyhjä"] == ("", "")
    # A company needs no consent: its own mobile, and the contact person without a
    # prohibition.
    company = next(row for row in table[1:] if row[0] == "Yritys Oy")
    assert (company[1], company[email], company[mobile].removeprefix("'")) == (
        "Vapaa Henkilö", "vapaa@yritys.fi", "+358402000000")
    assert "kielto@yritys.fi" not in "\n".join(",".join(row) for row in table)


def test_the_page_and_the_export_say_how_many_were_left_out_and_why(client, auth, mailing):
    auth.login_as("staff_t")
    page = count_page(client, choices(mailing["tourism"]))
    assert "7 asiakasta on listalla" in page
    assert ("joiden sähköpostiosoite jätettiin pois, koska sähköpostimarkkinoinnin "
            "suostumusta ei ole voimassa: 3.") in page  # Teksti, Ei, Peruttu
    assert ("joiden matkapuhelinnumero jätettiin pois, koska tekstiviestimarkkinoinnin "
            "suostumusta ei ole voimassa: 3.") in page  # Posti, Ei, Peruttu
    assert "1 yhteyshenkilö jätettiin pois oman kieltonsa vuoksi" in page
    download(client, choices(mailing["tourism"])).get_data()
    event = AuditEvent.get(AuditEvent.object_type == "marketing_list")
    assert event.object_id == "in=7;out=0;cp=1;noemail=3;nosms=3"
    counts = marketing.count(marketing.Criteria(section_id=mailing["tourism"], language="fi",
                                                kind="company"))
    assert counts.no_consent == {"email": 0, "sms": 0}


def test_a_prohibition_still_leaves_out_a_person_with_consents(client, auth, mailing):
    both = Customer.get_by_id(mailing["both"])
    prohibitions.record(both, purpose="direct_marketing", action="given",
                        effective_on=today(), source="letter",
                        actor=User.get(User.username == "staff_t"))
    counts = marketing.count(marketing.Criteria(section_id=mailing["tourism"], language="fi"))
    assert (counts.included, counts.excluded) == (6, 1)
    names = [row["name"] for row in marketing.rows(
        marketing.Criteria(section_id=mailing["tourism"], language="fi"))]
    assert "Kaksi Testi" not in names


def test_the_consent_gate_reads_the_partial_index(app):
    """The count's EXISTS is an index probe per person, not a scan of the consents."""
    query = (Customer.select(Customer.id)
             .where((Customer.kind == "person") & consent.has_consent("email")))
    sql, params = query.sql()
    if database.is_sqlite():
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    else:
        db.execute_sql("SET enable_seqscan = off")
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN " + sql, params))
        db.execute_sql("SET enable_seqscan = on")
    assert "marketing_consent_in_force" in plan, plan


# --- the inspection report --------------------------------------------------------------------


@pytest.mark.parametrize("language, texts", [
    ("fi", ["Suostumukset sähköposti- ja tekstiviestimarkkinointiin, annetut ja peruutetut",
            "Sähköpostimarkkinointi", "Tekstiviestimarkkinointi", "Verkkolomakkeella",
            "puhelimitse", "Suostumustekstin versio", "Suostumus peruutettu"]),
    ("sv", ["Samtycken till marknadsföring per e-post och sms, givna och återkallade",
            "E-postmarknadsföring", "Marknadsföring per textmeddelande (sms)",
            "Via ett webbformulär", "Samtyckestextens version", "Samtycket återkallat"]),
    ("en", ["Consents to email and SMS marketing, given and withdrawn", "Email marketing",
            "Text message (SMS) marketing", "On a web form", "Version of the consent text",
            "Consent withdrawn at"]),
])
def test_the_report_lists_the_consents_and_withdrawals(client, auth, people, rows, language,
                                                       texts):
    person = Customer.get_by_id(rows["person"])
    first = give(rows["person"], channel="sms", how="web_form",
                 given_on=today() - datetime.timedelta(days=30))
    consent.withdraw(person, first, how="phone", actor=User.get(User.username == "staff_t"))
    give(rows["person"], channel="email", how="web_form")
    req = make_request([("customer", rows["person"])], language=language)
    auth.login_as("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    for text in texts + [consent.CURRENT_WORDING]:
        assert text in page and text in pdf, text
    tables = [table for subject in data["subjects"] for category in subject["categories"]
              for table in category["tables"] if table["model"] == "marketing_consent"]
    assert len(tables) == 1 and len(tables[0]["rows"]) == 2


# --- demo data ----------------------------------------------------------------------------------


def test_demo_data_gives_some_persons_consents(app):
    counts = demo_data.generate(400, seed=3, sections=list(Section.select()))
    consents = list(MarketingConsent.select(MarketingConsent, Customer)
                    .join(Customer, on=(MarketingConsent.customer == Customer.id)))
    assert counts["marketing_consents"] == len(consents) > 20
    assert {c.customer.kind for c in consents} == {"person"}
    assert {c.channel for c in consents} == {"email", "sms"}
    for c in consents:
        address = c.customer.email if c.channel == "email" else c.customer.mobile
        assert address and c.wording_version == consent.CURRENT_WORDING
        assert datetime.date(2026, 1, 1) <= c.given_on <= demo_data.REFERENCE_DAY
        assert c.withdrawn_at is None or c.recorded_at <= c.withdrawn_at <= demo_data.REFERENCE
    withdrawn = [c for c in consents if c.withdrawn_at]
    assert 0 < len(withdrawn) < len(consents) / 3


def test_demo_consents_leave_every_other_row_of_a_seed_as_it_was(app, monkeypatch):
    sections = list(Section.select())

    def made():
        generator = demo_data.Generator(5, sections, {model: 1 for model in demo_data.FIELDS})
        rows = {model: [] for model in demo_data.FIELDS}
        for _ in range(150):
            generator.customer(rows)
        return rows

    with_consents = made()
    monkeypatch.setattr("services.demo_data.generator.CONSENT_SHARES", {"email": 0, "sms": 0})
    without = made()
    assert with_consents[MarketingConsent] and not without[MarketingConsent]
    for model in demo_data.FIELDS:
        if model is not MarketingConsent:
            assert with_consents[model] == without[model], model.__name__


@pytest.mark.clock
def test_a_consent_dated_before_its_last_withdrawal_or_the_birth_is_refused(people, rows):
    """A paper form signed before the person withdrew (posted late) brought the consent
    back into force; a consent dated before the person's birth was taken."""
    first = give(rows["person"], given_on=today() - datetime.timedelta(days=30))
    person = Customer.get_by_id(rows["person"])
    consent.withdraw(person, first, how="phone", actor=User.get(User.username == "staff_t"))
    with pytest.raises(RegisterError, match="withdrew this consent"):
        give(rows["person"], given_on=today() - datetime.timedelta(days=60))
    assert give(rows["person"], given_on=today()).withdrawn_at is None  # given again
    Customer.update(birth_date=datetime.date(1990, 5, 1)).where(
        Customer.id == rows["person"]).execute()
    with pytest.raises(RegisterError, match="birth date"):
        give(rows["person"], channel="sms", given_on=datetime.date(1950, 1, 1))
