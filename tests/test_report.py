"""The inspection report (seed §14; GDPR Art. 15): complete in HTML, PDF and JSON, nothing of
anyone else, fields added later included, Swedish and English, the refusal letter, and who
may produce it — on SQLite and PostgreSQL."""

import datetime
import decimal
import html
import io
import json
import logging
import re
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from pypdf import PdfReader

import models
from models import (
    FIELD_CATEGORIES,
    Address,
    AuditEvent,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Disclosure,
    DisclosureCustomer,
    DisclosureRecipient,
    InspectionRequest,
    InspectionSubject,
    Invoice,
    Prohibition,
    Purchase,
    RectificationRequest,
    Section,
    db,
)
from services import report as report_service
from services import report_texts
from tests.conftest import user

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime.datetime(2026, 11, 20, 10, 0)


# --- data ---------------------------------------------------------------------------------


PEOPLE = ("handler_t", "handler_b", "staff_t", "controller", "responsible", "maint")


@pytest.fixture
def subject(app, people):
    """A business customer with every data category filled, and what was stored for it.

    Every field of the customer holds a value (a form would not take a company's first name
    and birth date, but the report shows whatever the register holds).
    """
    business = Section.get(code="business")
    staff = user("staff_t")
    c = Customer.create(
        section=business, kind="company", first_name="Åsa", last_name="Öhman",
        name="Äijälän Öljy Oy", birth_date=datetime.date(1971, 4, 3), business_id="0737546-2",
        phone="+358401234567", mobile="+358457654321", fax="+35891234567",
        email="tilaukset@aijalan-oljy.fi", language="sv",
        own_info="Haluaa tiedotteet ruotsiksi – ei puheluita € -asioissa",
        city="Helsinki", informed_at=datetime.datetime(2025, 3, 1, 8, 30),
        informed_how="post", last_activity_at=datetime.datetime(2026, 10, 5, 12, 0))
    Address.create(customer=c, kind="postal", street="Mannerheimintie 12 B 7",
                   postal_code="00100", city="Helsinki", country="FI")
    Address.create(customer=c, kind="visiting", street="Fredrikinkatu 41", postal_code="00120",
                   city="Helsingfors", country="FI")
    Demographics.create(customer=c, profession="Insinööri", education="Diplomi-insinööri")
    cp = ContactPerson.create(customer=c, first_name="Jörö", last_name="Müller",
                              role="Toimitusjohtaja", phone="+358501112223",
                              email="joro.muller@aijalan-oljy.fi", user_details="asiakas-4711")
    for i in range(10):
        ContactEvent.create(customer=c, occurred_at=datetime.datetime(2026, 9, 1 + i, 9, 15),
                            direction="in" if i % 2 else "out", channel="phone",
                            summary=f"Yhteydenotto {i + 1}: hinnasto käyty läpi", staff=staff)
    Purchase.create(customer=c, service="Messuosasto Wanha Satama",
                    purchased_on=datetime.date(2026, 8, 14), amount=decimal.Decimal("1250.50"))
    Invoice.create(customer=c, number="MK-2026-0042", invoice_date=datetime.date(2026, 8, 15),
                   due_date=datetime.date(2026, 8, 29), amount=decimal.Decimal("1250.50"),
                   paid_on=datetime.date(2026, 8, 27), collection_state="paid")
    Prohibition.create(customer=c, purpose="direct_marketing", action="given",
                       effective_on=datetime.date(2026, 1, 10), source="letter",
                       note="Kirje saapui tammikuussa", recorded_by=staff,
                       recorded_at=datetime.datetime(2026, 1, 10, 11, 0))
    Prohibition.create(customer=c, purpose="direct_marketing", action="withdrawn",
                       effective_on=datetime.date(2026, 6, 2), source="email",
                       note="Peruttu sähköpostilla", recorded_by=staff,
                       recorded_at=datetime.datetime(2026, 6, 2, 9, 0))
    Prohibition.create(customer=c, contact_person=cp, purpose="opinion_research",
                       action="given", effective_on=datetime.date(2026, 3, 3), source="own_word",
                       recorded_by=staff, recorded_at=datetime.datetime(2026, 3, 3, 14, 0))
    RectificationRequest.create(
        customer=c, received_at=datetime.datetime(2026, 5, 4, 7, 0),
        requester_name="Åsa Öhman", description="Puhelinnumero on vaihtunut",
        requested=json.dumps({"phone": "+358401234567"}),
        verification_source="trade_register", verification_result="Täsmää kaupparekisteriin",
        verified_by=staff, verified_at=datetime.datetime(2026, 5, 5, 8, 0),
        decision="approved", decision_reason="Tieto tarkistettu", decided_by=staff,
        decided_at=datetime.datetime(2026, 5, 5, 9, 0),
        before=json.dumps({"phone": "+358409999999"}),
        after=json.dumps({"phone": "+358401234567"}), applied_by=staff,
        applied_at=datetime.datetime(2026, 5, 5, 9, 30), registered_by=staff,
        registered_at=datetime.datetime(2026, 5, 4, 7, 5))
    return {"customer": c.id, "contact_person": cp.id}


# What a person reads for the subject's values (each must be in every rendering).
SUBJECT_TEXTS = [
    "Åsa", "Öhman", "Äijälän Öljy Oy", "3.4.1971", "0737546-2", "+358 40 123 4567",
    "+358 45 765 4321", "+358 9 123 4567", "tilaukset@aijalan-oljy.fi",
    "Haluaa tiedotteet ruotsiksi – ei puheluita € -asioissa", "Mannerheimintie 12 B 7", "00100",
    "Fredrikinkatu 41", "Helsingfors", "Insinööri", "Diplomi-insinööri", "Jörö", "Müller",
    "Toimitusjohtaja", "+358 50 111 2223", "joro.muller@aijalan-oljy.fi", "asiakas-4711",
    "Yhteydenotto 1: hinnasto käyty läpi", "Yhteydenotto 10: hinnasto käyty läpi",
    "Messuosasto Wanha Satama", "1 250,50", "MK-2026-0042", "15.8.2026", "29.8.2026",
    "27.8.2026", "14.8.2026", "Kirje saapui tammikuussa", "Peruttu sähköpostilla",
    "Puhelinnumero on vaihtunut", "Täsmää kaupparekisteriin", "Tieto tarkistettu",
    "+358409999999", "1.3.2025 klo 10.30",  # informed, in Helsinki time
]


@pytest.fixture
def other(app):
    """Another customer, with values of its own: none may appear in the subject's report."""
    tourism = Section.get(code="tourism")
    o = Customer.create(section=tourism, kind="person", first_name="Zacharias",
                        last_name="Quist", birth_date=datetime.date(1960, 12, 31),
                        phone="+358409876543", email="zq@toinen.example",
                        own_info="Toisen asiakkaan lisätieto")
    Address.create(customer=o, street="Quistinpolku 99", postal_code="00990", city="Vuosaari")
    ContactEvent.create(customer=o, direction="in", channel="email",
                        summary="Quistin oma yhteydenotto")
    Invoice.create(customer=o, number="QQ-999", invoice_date=datetime.date(2026, 2, 2),
                   due_date=datetime.date(2026, 2, 16), amount=decimal.Decimal("77.70"))
    Prohibition.create(customer=o, purpose="market_research", action="given",
                       effective_on=datetime.date(2026, 2, 2), source="form",
                       note="Quistin kielto")
    return o.id


OTHER_TEXTS = ["Zacharias", "Quist", "31.12.1960", "+358409876543", "zq@toinen.example",
               "Toisen asiakkaan lisätieto", "Quistinpolku", "Vuosaari", "QQ-999", "77,70"]


def make_request(subjects=(), section="tourism", decision="approved", language="fi",
                 on_site=False, registered_by=None, reason=None):
    """Create an inspection request with its confirmed subjects, as the request pages would."""
    req = InspectionRequest.create(
        received_at=datetime.datetime(2026, 11, 17, 9, 0),
        due_at=datetime.datetime(2026, 11, 24, 9, 0), channel="written",
        requester_name="Pyytäjä Pia", language=language,
        section=Section.get(code=section), on_site=on_site,
        registered_by=registered_by, decision=decision, decision_reason=reason,
        decided_at=datetime.datetime(2026, 11, 18, 12, 0) if decision else None)
    for kind, row_id in subjects:
        InspectionSubject.create(request=req, **{kind: row_id})
    return req


def report_url(req_id, fmt):
    return f"/requests/{req_id}/report.{fmt}"


def fetch_all(client, req_id):
    """Return the report as (HTML text, PDF text, JSON dict), each through the real view."""
    page = client.get(report_url(req_id, "html"))
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    pdf = client.get(report_url(req_id, "pdf"))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    data = client.get(report_url(req_id, "json"))
    assert data.status_code == 200
    assert data.headers["Content-Type"] == "application/json; charset=utf-8"
    raw = data.get_data()
    assert b"\\u00" not in raw  # characters as UTF-8, not \u escapes
    return page_text(page.get_data(as_text=True)), pdf_text(pdf.get_data()), json.loads(raw)


def page_text(markup):
    """The page as a person reads it: tags removed, entities decoded, spaces collapsed."""
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def pdf_text(data):
    """The PDF's text, its pages' running footers ("… · Page 1 of 2") after the body, so
    that a sentence broken by a page break reads whole."""
    body, footers = [], []
    for page in PdfReader(io.BytesIO(data)).pages:
        for line in page.extract_text().splitlines():
            (footers if PAGE_FOOTER.search(line) else body).append(line)
    return squash(" ".join(body + footers))


PAGE_FOOTER = re.compile(r" · (Sivu|Sida|Page) \d+ (/|av|of) \d+$")


def squash(text):
    return " ".join(text.split())


def json_cells(node):
    """Every {name, label, value, text} cell of a report, wherever it is."""
    if isinstance(node, dict):
        if {"name", "label", "value", "text"} <= node.keys():
            yield node
        for value in node.values():
            yield from json_cells(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_cells(value)


def expected_value(value):
    """A stored value as the JSON report carries it."""
    if isinstance(value, datetime.datetime):
        aware = value.replace(tzinfo=datetime.timezone.utc).astimezone(HELSINKI)
        return aware.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    return value


def stored_rows(customer_id):
    """Every stored (model, field, value) of the customer, read straight from the tables."""
    found = []
    for model, mapping in FIELD_CATEGORIES.items():
        links = [f for f in model._meta.sorted_fields
                 if isinstance(f, pw.ForeignKeyField) and f.rel_model is Customer]
        if model is Customer:
            rows = Customer.select().where(Customer.id == customer_id)
        elif links:
            rows = model.select().where(links[0] == customer_id)
        else:
            continue
        for row in rows:
            for name in mapping:
                field = model._meta.fields[name]
                if model is not Customer and (name == "id" or field in links):
                    continue  # the row's own id and its link to the subject: the table itself
                value = row.__data__.get(name)
                if value not in (None, ""):
                    found.append((model, field, value))
    return found


# --- completeness -------------------------------------------------------------------------


@pytest.mark.clock
def test_every_stored_value_in_html_pdf_and_json(client, auth, subject, other):
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")  # tourism handler; the subject is business development's
    page, pdf, data = fetch_all(client, req.id)

    assert data["document"] == "inspection_report" and data["language"] == "fi"
    cells = list(json_cells(data["subjects"]))
    # Every stored field of every table is in the JSON with its value.
    for model, field, value in stored_rows(subject["customer"]):
        named = [c for c in cells if c["name"] == field.name]
        assert named, f"{model.__name__}.{field.name} missing"
        if not isinstance(field, pw.ForeignKeyField):
            assert expected_value(value) in [c["value"] for c in named], \
                f"{model.__name__}.{field.name}={value!r}"
    # What the JSON says is what the page and the PDF show.
    for cell in cells:
        if cell["text"]:
            assert squash(cell["text"]) in page, cell
            assert squash(cell["text"]) in pdf, cell
    # And the values as typed, å, ä, ö, é, ü, – and € included, in all three.
    dumped = squash(json.dumps(data, ensure_ascii=False))
    for text in SUBJECT_TEXTS:
        assert text in page, text
        assert text in pdf, text
        assert text in dumped, text
    # Each data category of the register description is there, with or without data.
    subject_json = data["subjects"][0]
    shown = [c["label"] for c in subject_json["categories"]] + subject_json["empty_categories"]
    assert len(shown) == len(models.CATEGORIES)
    # The statutory information: purposes, sources, recipients, retention, rights, controller.
    for code in ("controller", "purposes", "sources", "recipients", "retention", "rights"):
        assert code in [s["code"] for s in data["information"]]
    for text in ("tietosuojavaltuutetulle", "hallintokeskuksen oikeuspalvelut", "ostoreskontra",
                 "kirjanpitolain (1336/1997)", "Väestörekisterikeskus", "Eero Holstila",
                 "viikon kuluessa", "Kielto-oikeus", "tietojen poistamiseen"):
        assert text in page and text in pdf and text in dumped, text
    # When and how the subject was informed of the registration (seed §13).
    assert "1.3.2025 klo 10.30 (lähetetty postitse)" in page
    # Nobody else's data.
    for text in OTHER_TEXTS:
        assert text not in page, text
        assert text not in pdf, text
        assert text not in dumped, text


def test_contact_person_subject(client, auth, subject, other):
    """A contact person's report: the person's own row, the company and role, own prohibitions."""
    req = make_request([("contact_person", subject["contact_person"])])
    # Even a subject row that names the company as well is the contact person's only.
    InspectionSubject.update(customer=subject["customer"]).where(
        InspectionSubject.request == req.id).execute()
    auth.login("responsible")
    page, pdf, data = fetch_all(client, req.id)
    person = data["subjects"][0]
    assert person["kind"] == "contact_person"
    assert person["organisation"] == "Äijälän Öljy Oy" and person["role"] == "Toimitusjohtaja"
    for text in ("Jörö", "Müller", "Toimitusjohtaja", "+358 50 111 2223", "asiakas-4711",
                 "Äijälän Öljy Oy"):
        assert text in page and text in pdf, text
    assert "mielipidetutkimus" in page.lower() and "mielipidetutkimus" in pdf.lower()
    # The company's own data and other people's are not the contact person's.
    for text in ("Mannerheimintie", "MK-2026-0042", "Yhteydenotto 1", "Kirje saapui",
                 "tilaukset@aijalan-oljy.fi", *OTHER_TEXTS):
        assert text not in page and text not in pdf, text
        assert text not in json.dumps(data, ensure_ascii=False), text


def test_a_contact_persons_report_names_the_disclosures_of_their_data(client, auth, subject):
    """A disclosure of the company that chose the contact persons' category handed the
    person's name, phone and email over: their report names it (GDPR Art. 15(1)(c)); one
    of the company's identity only did not, and is not named."""
    recipient = DisclosureRecipient.select().order_by(DisclosureRecipient.id).first()
    for purpose, categories in (("Yhteyshenkilöiden luovutus", "identity contact_persons"),
                                ("Yhtiön tunnistetiedot", "identity")):
        made = Disclosure.create(
            recipient=recipient, purpose=purpose, legal_basis="Laki X",
            categories=categories, state="carried_out",
            decided_at=datetime.datetime(2026, 10, 1, 9, 0),
            carried_out_at=datetime.datetime(2026, 10, 2, 9, 0))
        DisclosureCustomer.create(disclosure=made, customer=subject["customer"])
    req = make_request([("contact_person", subject["contact_person"])])
    auth.login("responsible")
    page, pdf, data = fetch_all(client, req.id)
    for text in (page, pdf, json.dumps(data, ensure_ascii=False)):
        assert "Yhteyshenkilöiden luovutus" in text
        assert "Yhtiön tunnistetiedot" not in text


def test_the_report_says_how_a_contact_person_was_informed_or_why_not(client, auth, subject):
    """Seed §13 with the codes of migration 022: a contact person informed by email, and the
    company that could not be reached, with the reason."""
    ContactPerson.update(informed_how="email",
                         informed_at=datetime.datetime(2026, 2, 3, 10, 0)).execute()
    Customer.update(informed_how="not_reachable", not_reachable_reason="Kirje palautui.").where(
        Customer.id == subject["customer"]).execute()
    req = make_request([("contact_person", subject["contact_person"]),
                        ("customer", subject["customer"])])
    auth.login("responsible")
    page, pdf, data = fetch_all(client, req.id)
    informed_sentence = "rekisteröinnistä 3.2.2026 klo 12.00 (lähetetty sähköpostitse)."
    not_reached = ("Sinua ei tavoitettu, kun tietojesi rekisteröinnistä yritettiin ilmoittaa "
                   "1.3.2025 klo 10.30. Syy: Kirje palautui.")
    for text in (informed_sentence, not_reached):
        assert text in page and text in pdf, text
    assert [s["informed"].endswith(("sähköpostitse).", "palautui.")) for s in data["subjects"]
            ] == [True, True]


def test_json_is_stable_utf8(app, subject):
    with app.app_context():
        db.connect(reuse_if_open=True)
        first = report_service.build_report_for([subject["customer"]], now=NOW)
        second = report_service.build_report_for([subject["customer"]], now=NOW)
    text = report_service.render_json(first)
    assert text == report_service.render_json(second)
    assert "Äijälän Öljy Oy" in text and "\\u00c4" not in text
    assert list(json.loads(text)) == list(first)  # keys keep the document's order


def _queries(app, *args):
    """Return how many statements building the report runs."""
    statements = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = statements.append
    logger = logging.getLogger("peewee")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with app.app_context():
            db.connect(reuse_if_open=True)
            report_service.build_report_for(*args, now=NOW)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return len(statements)


def test_fixed_number_of_queries(app, subject, other):
    """One query per related model, not one per row: more rows cost no more queries."""
    ids = ([subject["customer"]], [subject["contact_person"]])
    before = _queries(app, *ids)
    for i in range(15):
        ContactEvent.create(customer=subject["customer"], direction="in", channel="web",
                            summary=f"Lisää {i}")
        Address.create(customer=subject["customer"], street=f"Katu {i}", city="Espoo")
    assert _queries(app, *ids) == before
    # The subjects, one query per model referencing them, one per kind of row referenced,
    # three for the facts of the statutory sections (settings, sections, recipients),
    # one for the privacy notice in force and one for the disclosures of the contact
    # persons' organisations: 21 with the models of the map before the marketing
    # consents, one more for each since.
    from services.categories import linked_models

    added_since = len(linked_models(Customer)) - 8
    assert before <= 21 + added_since


def test_field_added_later_appears_everywhere(client, auth, subject):
    """A column added by a migration and mapped to a category shows with no report change."""
    db.execute_sql('ALTER TABLE customer ADD COLUMN nickname VARCHAR(100)')
    db.execute_sql('ALTER TABLE contact_event ADD COLUMN mood VARCHAR(100)')
    added = [(Customer, "nickname", "own_info"), (ContactEvent, "mood", "history")]
    for model, name, category in added:
        model._meta.add_field(name, pw.CharField(max_length=100, null=True))
        FIELD_CATEGORIES[model][name] = category
    try:
        assert models.unmapped_fields() == []
        Customer.update(nickname="Öljy-Åke").where(Customer.id == subject["customer"]).execute()
        ContactEvent.update(mood="Tyytyväinen – erittäin").where(
            ContactEvent.customer == subject["customer"]).execute()
        req = make_request([("customer", subject["customer"])])
        auth.login("controller")
        page, pdf, data = fetch_all(client, req.id)
        for text in ("nickname", "Öljy-Åke", "mood", "Tyytyväinen – erittäin"):
            assert text in page and text in pdf, text
        cells = list(json_cells(data))
        assert {"name": "nickname", "label": "nickname", "value": "Öljy-Åke",
                "text": "Öljy-Åke"} in cells
        assert any(c["name"] == "mood" and c["value"] == "Tyytyväinen – erittäin" for c in cells)
    finally:
        for model, name, _category in added:
            model._meta.remove_field(name)
            del FIELD_CATEGORIES[model][name]
    assert models.unmapped_fields() == []


# --- languages ------------------------------------------------------------------------------


@pytest.mark.parametrize("language, texts", [
    ("sv", ["Utdrag ur Helsingfors stads näringslivsservices kundregister", "Förnamn",
            "Dataombudsmannens byrå", "rätt till tillgång", "bokföringslagen (1336/1997)",
            "Sida 1 av", "1 250,50", "Jörö"]),
    ("en", ["Extract from the customer register", "First names",
            "Office of the Data Protection Ombudsman", "Right to rectification",
            "Accounting Act (1336/1997)", "Page 1 of", "1,250.50", "Jörö"]),
])
def test_swedish_and_english(client, auth, subject, language, texts):
    req = make_request([("customer", subject["customer"])], language=language)
    auth.login("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    assert data["language"] == language
    markup = client.get(report_url(req.id, "html")).get_data(as_text=True)
    assert f'<article class="report" lang="{language}"' in markup
    for text in texts:
        assert text in page or text.startswith(("Sida", "Page")), text
        assert text in pdf, text
    assert "Tietosuojavaltuutetun toimisto" not in page  # no Finnish statutory text
    for text in report_texts.DOCUMENT_TEXTS[language]["sections"][0][2]:
        for words in re.split(r"\{\w+\}", text):  # placeholders: the settings' words
            assert squash(words) in page


def test_other_language_is_finnish(app, subject):
    with app.app_context():
        db.connect(reuse_if_open=True)
        req = make_request([("customer", subject["customer"])], language="other")
        assert report_service.build_report(req)["language"] == "fi"


# --- the refusal letter ----------------------------------------------------------------------


def test_refusal_letter_has_the_reason_and_no_register_data(client, auth, subject):
    req = make_request([("customer", subject["customer"])], decision="refused",
                       reason="Henkilöllisyyttä ei voitu todentaa luotettavasti.")
    auth.login("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    assert data["document"] == "refusal_letter"
    assert "subjects" not in data
    for text in ("Päätös tarkastuspyyntöön", "Henkilöllisyyttä ei voitu todentaa luotettavasti.",
                 "tietosuojavaltuutetulle", "Tietosuojavaltuutetun toimisto, PL 800",
                 "18.11.2026"):
        assert text in page and text in pdf, text
    dumped = squash(json.dumps(data, ensure_ascii=False))
    for text in SUBJECT_TEXTS:
        assert text not in page and text not in pdf and text not in dumped, text


# --- who may produce it --------------------------------------------------------------------

# A report the user may not read answers 404 like one that does not exist (no id oracle);
# maintenance is refused by its role before any request is looked up.
ACCESS = [
    ("handler_t", 200), ("controller", 200), ("responsible", 200),
    ("handler_b", 404), ("staff_t", 404), ("maint", 403),
]


@pytest.mark.parametrize("fmt", ["html", "pdf", "json"])
@pytest.mark.parametrize("username, status", ACCESS)
def test_who_may_produce_it(client, auth, subject, username, status, fmt):
    req = make_request([("customer", subject["customer"])], section="tourism")
    auth.login(username)
    assert client.get(report_url(req.id, fmt)).status_code == status


def test_on_site_server_may_produce_it(client, auth, subject):
    staff = user("staff_t")
    served = make_request([("customer", subject["customer"])], on_site=True,
                          registered_by=staff)
    not_served = make_request([("customer", subject["customer"])], on_site=True,
                              registered_by=user("handler_t"))
    auth.login("staff_t")
    assert client.get(report_url(served.id, "pdf")).status_code == 200
    assert client.get(report_url(not_served.id, "pdf")).status_code == 404


def test_not_found_and_not_decided(client, auth, subject):
    auth.login("handler_t")
    req = make_request([("customer", subject["customer"])])
    assert client.get(report_url(999999, "html")).status_code == 404
    assert client.get(report_url(req.id, "xml")).status_code == 404
    assert client.get(f"/requests/{'9' * 25}/report.pdf").status_code == 404
    assert client.get("/requests/abc/report.pdf").status_code == 404
    undecided = make_request([("customer", subject["customer"])], decision=None)
    answer = client.get(report_url(undecided.id, "pdf"))
    assert answer.status_code == 409
    assert "Pyynnöstä ei ole vielä päätöstä" in answer.get_data(as_text=True)
    auth.logout()
    auth.login("maint")
    assert client.get(report_url(undecided.id, "pdf")).status_code == 403


def test_logged_out_goes_to_login(client, subject):
    req = make_request([("customer", subject["customer"])])
    answer = client.get(report_url(req.id, "pdf"))
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_every_report_is_audited(client, auth, subject):
    req = make_request([("customer", subject["customer"])])
    undecided = make_request([("customer", subject["customer"])], decision=None)

    def events(request_id, object_type="inspection_request"):
        return list(AuditEvent.select().where((AuditEvent.action == "report")
                                              & (AuditEvent.object_type == object_type)
                                              & (AuditEvent.object_id == str(request_id))))

    auth.login("handler_b")
    client.get(report_url(req.id, "html"))  # 404: nothing produced, nothing recorded
    auth.logout()
    auth.login("handler_t")
    client.get(report_url(undecided.id, "html"))  # 409
    assert events(req.id) == [] and events(undecided.id) == []
    for n, fmt in enumerate(("html", "pdf", "json"), start=1):
        assert client.get(report_url(req.id, fmt)).status_code == 200
        found = events(req.id)
        assert len(found) == n
    event = found[-1]
    assert event.object_type == "inspection_request"
    assert event.section == "tourism"
    assert event.actor == user("handler_t").pseudonym
    assert event.actor_role == "handler"
    # Each report is a read of the subject's data: an event on the customer too, naming
    # the request it was read through.
    on_customer = events(subject["customer"], "customer")
    assert len(on_customer) == 3
    assert {e.fields for e in on_customer} == {f"via.inspection_request.{req.id}"}
    home = Customer.get_by_id(subject["customer"]).section.code
    assert {e.section for e in on_customer} == {home}
    assert event.fields == "" and event.id == on_customer[-1].id - 1  # the request's first
    # A contact person's record is the company's: the read is on the company.
    by_person = make_request([("contact_person", subject["contact_person"])])
    assert client.get(report_url(by_person.id, "html")).status_code == 200
    assert [(e.object_id, e.fields) for e in AuditEvent.select().where(
        (AuditEvent.action == "report") & (AuditEvent.object_type == "customer")
        & AuditEvent.fields.endswith(f".{by_person.id}"))] == [
        (str(ContactPerson.get_by_id(subject["contact_person"]).customer_id),
         f"via.inspection_request.{by_person.id}")]


def test_report_page_is_accessible_markup(client, auth, subject):
    """Headings in order, captions and header cells on tables, the document's language set."""
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")
    markup = client.get(report_url(req.id, "html")).get_data(as_text=True)
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", markup)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    assert markup.count("<table") == markup.count("<caption")
    assert 'scope="col"' in markup and 'scope="row"' in markup
    assert "@media print" in markup
    assert 'lang="fi"' in markup


def test_long_text_flows_across_pages(client, auth, subject):
    """A value longer than a page (or padded with line breaks) still renders, and reads well."""
    long_summary = " ".join(f"Sana{i}" for i in range(1500)) + " Loppu – ÅÄÖ"
    ContactEvent.create(customer=subject["customer"], direction="in", channel="email",
                        summary=long_summary)
    ContactPerson.update(user_details="\r\n" * 150 + "tunnus-99").where(
        ContactPerson.id == subject["contact_person"]).execute()
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    assert "Sana1499 Loppu – ÅÄÖ" in pdf and "Sana1499 Loppu – ÅÄÖ" in page
    assert "tunnus-99" in pdf
    details = [c for c in json_cells(data) if c["name"] == "user_details"]
    assert details[0]["value"] == "\r\n" * 150 + "tunnus-99"  # stored as it is
    assert details[0]["text"] == "tunnus-99"  # shown as it reads


def test_a_long_table_repeats_its_heading_on_every_page_and_wraps_its_cells(
        client, auth, subject):
    """Hundreds of contact events run over pages: each page of them starts with the
    table's heading row, and a summary wrapped on several lines in its column reads whole."""
    ContactEvent.insert_many([
        {"customer": subject["customer"], "direction": "in", "channel": "email",
         "summary": f"Tapahtuma{i:03d} " + ("pitkä kuvaus " * (i % 7)) + f"loppu{i:03d}"}
        for i in range(300)]).execute()
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")
    data = client.get(report_url(req.id, "pdf")).get_data()
    pages = [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    with_events = [text for text in pages if "Tapahtuma" in text]
    assert len(with_events) >= 4
    for text in with_events:
        assert "Suunta Kanava Yhteenveto" in text
        assert text.index("Suunta Kanava Yhteenveto") < text.index("Tapahtuma")
    whole = " ".join(pages)
    for i in range(300):
        summary = f"Tapahtuma{i:03d} " + ("pitkä kuvaus " * (i % 7)) + f"loppu{i:03d}"
        assert squash(summary) in whole, summary


def test_disclosures_of_the_subject(client, auth, subject, other):
    """The disclosures that included the customer: to whom, why, what and when (Art. 15(1)(c))."""
    recipient = DisclosureRecipient.select().order_by(DisclosureRecipient.id).first()
    made = Disclosure.create(
        recipient=recipient, purpose="Ostoreskontran täsmäytys – syksy",
        legal_basis="Kirjanpitolaki 1336/1997", categories="identity billing",
        state="carried_out", decided_at=datetime.datetime(2026, 10, 1, 9, 0),
        carried_out_at=datetime.datetime(2026, 10, 2, 9, 0))
    DisclosureCustomer.create(disclosure=made, customer=subject["customer"])
    refused = Disclosure.create(recipient=recipient, purpose="Hylätty luovutus Öö",
                                legal_basis="-", categories="identity", state="refused")
    DisclosureCustomer.create(disclosure=refused, customer=subject["customer"])
    others = Disclosure.create(recipient=recipient, purpose="Quistin luovutus",
                               legal_basis="-", categories="identity", state="carried_out",
                               decided_at=datetime.datetime(2026, 9, 1, 9, 0))
    DisclosureCustomer.create(disclosure=others, customer=other)
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")
    page, pdf, data = fetch_all(client, req.id)
    for text in (recipient.name_fi, "Ostoreskontran täsmäytys – syksy",
                 "Kirjanpitolaki 1336/1997", "Nimi, Laskutus ja perintä", "2.10.2026 klo 12.00"):
        assert text in page and text in pdf, text
    assert len(data["subjects"][0]["disclosures"]["rows"]) == 1
    for text in ("Hylätty luovutus", "Quistin luovutus"):
        assert text not in page and text not in pdf, text


def test_no_disclosures_is_said(client, auth, subject):
    req = make_request([("customer", subject["customer"])])
    auth.login("handler_t")
    page, pdf, _data = fetch_all(client, req.id)
    text = "Rekisteristä ei ole luovutettu sinua koskevia tietoja."
    assert text in page and text in pdf


def test_each_columns_reader_reads_as_the_general_reading(app, subject):
    """A table's cells are read by a reader chosen once per column; each reads every kind
    of stored value (a time, a choice, a line, lines, a JSON object, a number, nothing) as
    the general ``value_and_text`` reads it, in the three languages."""
    from services.categories import mapped_fields
    from services.report.context import _Context

    raws = [None, "", " ", "x", " padded ", "two\nlines", "a\r\nb", "{\"email\": \"a@b.fi\"}",
            "{not json", "email", "in", "out", "phone", "person", "+358401234567", 0, 7,
            True, False, decimal.Decimal("12.50"), datetime.date(2026, 3, 29),
            datetime.datetime(2026, 3, 29, 0, 59), datetime.datetime(2026, 10, 25, 1, 30),
            "2026-12-06 10:30:00", subject["customer"]]
    with app.app_context():
        for language in ("fi", "sv", "en"):
            ctx = _Context(language, None)
            ctx.refs.know(Customer, [Customer.get_by_id(subject["customer"])])
            for model in models.FIELD_CATEGORIES:
                for field in mapped_fields(model):
                    read = ctx.reader(model, field)
                    for raw in raws:
                        assert read(raw) == ctx.value_and_text(model, field, raw), (
                            language, model.__name__, field.name, raw)
