"""Rectification requests (seed §15): register → check → decision → apply, with the values
before and after kept, refusals with their reason, the register's validators and optimistic
locking, the henkilötunnus guard, and who may do what — on SQLite and PostgreSQL."""

import datetime
import json
import re
from decimal import Decimal

import pytest

from forms.data_rights import check_changes
from models import (
    Address,
    AuditEvent,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Prohibition,
    RectificationRequest,
    Section,
)
from services import rectification
from services.errors import RegisterError
from services.localtime import from_helsinki
from tests.conftest import AuthActions, csrf_token, helsinki_days_ago, typed, user

HETU = "131052-308T"
# When the requests of these tests were received: a Helsinki time some weeks ago.
RECEIVED = helsinki_days_ago(34)


PEOPLE = ("staff_t", "handler_t", "handler_b", "controller", "responsible", "maint")


@pytest.fixture
def rows(app, people):
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    person = Customer.create(section=tourism, kind="person", first_name="Matti",
                             last_name="Meikäläinen", email="matti@example.fi",
                             birth_date=datetime.date(1970, 5, 17))
    company = Customer.create(section=tourism, kind="company", name="Matkailu Oy",
                              business_id="0737546-2")
    anna = ContactPerson.create(customer=company, first_name="Anna", last_name="Äijälä",
                                email="anna@matkailu.fi")
    other = Customer.create(section=business, kind="person", first_name="Bertta",
                            last_name="Bisnes")
    return {"person": person.id, "company": company.id, "anna": anna.id, "other": other.id}


def register(customer_id, requested, person=None, **extra):
    """Register a request through the service (no form checks), as staff_t."""
    return rectification.register(
        Customer.get_by_id(customer_id),
        contact_person=ContactPerson.get_by_id(person) if person else None,
        actor=extra.pop("actor", None) or user("staff_t"),
        received_at=RECEIVED,
        requester_name=extra.pop("requester_name", "Matti Meikäläinen"),
        description=extra.pop("description", "Sukunimi muuttunut avioliiton myötä"),
        requested=requested, **extra)


def approved(request_id, actor="handler_t"):
    """Check and approve a request through the service; return it."""
    row = RectificationRequest.get_by_id(request_id)
    row = rectification.verify(row, actor=user("staff_t"), source="population_register",
                               result="Väestötietojärjestelmän mukaan oikein",
                               version=row.version)
    return rectification.decide(row, actor=user(actor), decision="approved", reason=None,
                                version=row.version)


def value_input(model, row_id, field):
    """Return the name of the register page's input for a new value of a row's field."""
    return f"new-{model._meta.table_name}.{row_id}-{field}"


def key(model, row_id, field):
    """Return the target of a change as a request stores it."""
    return f"{model._meta.table_name}.{row_id}.{field}"


def apply(row, customer_version=None):
    if customer_version is None:
        customer_version = Customer.get_by_id(row.customer_id).version
    return rectification.apply(row, actor=user("handler_t"), version=row.version,
                               customer_version=customer_version, validate=check_changes)


def page_of(client, request_id):
    return client.get(f"/rectification/{request_id}/").get_data(as_text=True)


def hidden(page, name):
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', page).group(1)


def post_step(client, request_id, step, data):
    page = page_of(client, request_id)
    prefix = {"verify": "verify", "decide": "decide", "apply": "apply"}[step]
    form = {"csrf_token": csrf_token(page)}
    version = re.search(rf'name="{prefix}-version" type="hidden" value="(\d+)"', page)
    form[f"{prefix}-version"] = version.group(1) if version else "1"
    if step == "apply":
        match = re.search(r'name="apply-customer_version" type="hidden" value="(\d+)"', page)
        form["apply-customer_version"] = match.group(1) if match else "1"
    form.update({f"{prefix}-{k}": v for k, v in data.items()})
    return client.post(f"/rectification/{request_id}/{step}/", data=form)


# --- the whole flow through the pages --------------------------------------------------------

@pytest.mark.clock
def test_register_check_decide_apply_keeps_before_and_after(client, auth, rows):
    auth.login_as("staff_t")
    url = f"/rectification/new/?customer={rows['person']}"
    page = client.get(url).get_data(as_text=True)
    assert "Rekisteröi korjauspyyntö" in page

    def field(name):
        return value_input(Customer, rows["person"], name)
    r = client.post(url, data={
        "csrf_token": csrf_token(page), "received_at": typed(RECEIVED),
        "requester_name": "Matti Virtanen", "description": "Sukunimi ja sähköposti muuttuneet",
        field("last_name"): "Virtanen", field("email"): "Matti.Virtanen@Example.fi",
        field("phone"): "040 765 4321", field("first_name"): "", field("language"): ""})
    assert r.status_code == 302, r.get_data(as_text=True)
    row = RectificationRequest.get()
    person = rows["person"]
    assert json.loads(row.requested) == {key(Customer, person, "last_name"): "Virtanen",
                                         key(Customer, person, "phone"): "+358407654321",
                                         key(Customer, person, "email"):
                                             "Matti.Virtanen@example.fi"}
    # 09.30 in Helsinki is stored in UTC (07.30 in winter, 06.30 in summer)
    assert row.received_at == from_helsinki(RECEIVED)
    assert row.registered_by.username == "staff_t"

    r = post_step(client, row.id, "verify", {"verification_source": "population_register",
                                             "verification_result": "Nimi muuttunut 1.10."})
    assert r.status_code == 302
    assert post_step(client, row.id, "decide", {"decision": "approved"}).status_code == 403

    auth.logout()
    auth.login_as("handler_t")
    assert post_step(client, row.id, "decide", {"decision": "approved"}).status_code == 302
    before = Customer.get_by_id(rows["person"])
    r = post_step(client, row.id, "apply", {})
    assert r.status_code == 302, r.get_data(as_text=True)

    customer = Customer.get_by_id(rows["person"])
    assert (customer.last_name, customer.email, customer.phone) == (
        "Virtanen", "Matti.Virtanen@example.fi", "+358407654321")
    assert customer.sort_name == "virtanen, matti"
    assert customer.version == before.version + 1
    assert customer.updated_at > before.updated_at
    row = RectificationRequest.get_by_id(row.id)
    assert rectification.state(row) == "applied"
    assert json.loads(row.before) == {key(Customer, person, "last_name"): "Meikäläinen",
                                      key(Customer, person, "phone"): None,
                                      key(Customer, person, "email"): "matti@example.fi"}
    assert json.loads(row.after) == {key(Customer, person, "last_name"): "Virtanen",
                                     key(Customer, person, "phone"): "+358407654321",
                                     key(Customer, person, "email"): "Matti.Virtanen@example.fi"}
    assert row.applied_by.username == "handler_t"
    page = page_of(client, row.id)
    assert "Meikäläinen" in page and "Toteutettu" in page

    events = list(AuditEvent.select().where(AuditEvent.object_type == "rectification_request")
                  .order_by(AuditEvent.id))
    assert [e.action for e in events if e.action != "view"] == [
        "create", "update", "update", "update"]
    assert events[0].fields == (
        f"received_at,requester_name,description,requested.customer.{person}.last_name,"
        f"requested.customer.{person}.phone,requested.customer.{person}.email")
    customer_event = AuditEvent.get((AuditEvent.object_type == "customer")
                                    & (AuditEvent.action == "update"))
    assert customer_event.fields == "last_name,phone,email"
    everything = " ".join(f"{e.object_id} {e.fields}" for e in AuditEvent.select())
    assert "Virtanen" not in everything and "example.fi" not in everything


def test_contact_person_is_rectified_and_the_customer_version_moves(client, auth, rows):
    row = register(rows["company"], {"email": "anna.aijala@matkailu.fi", "role": "myyntijohtaja"},
                   person=rows["anna"])
    row = apply(approved(row.id))
    anna = ContactPerson.get_by_id(rows["anna"])
    assert (anna.email, anna.role) == ("anna.aijala@matkailu.fi", "myyntijohtaja")
    assert json.loads(row.before) == {key(ContactPerson, anna.id, "email"): "anna@matkailu.fi",
                                      key(ContactPerson, anna.id, "role"): None}
    assert Customer.get_by_id(rows["company"]).version == 2
    event = AuditEvent.get(AuditEvent.object_type == "customer")
    assert event.fields == "contact_person.email,contact_person.role"


# --- every data category of the subject ----------------------------------------------------

@pytest.fixture
def firm(rows):
    """A Business Development company with rows in its data categories, and an address of
    another customer of the same section."""
    business = Section.get(code="business")
    firm = Customer.create(section=business, kind="company", name="Kehitys Oy",
                           business_id="0737546-2", email="info@kehitys.fi")
    ids = {
        "id": firm.id,
        "address": Address.create(customer=firm, kind="postal", street="Vanhatie 1",
                                  postal_code="00100", city="Helsinki").id,
        "visiting": Address.create(customer=firm, kind="visiting", street="Käyntikatu 2",
                                   postal_code="00200", city="Helsinki").id,
        "demographics": Demographics.create(customer=firm, profession="Kirvesmies",
                                            education="Ammattikoulu").id,
        "kaisa": ContactPerson.create(customer=firm, first_name="Kaisa", last_name="Kontakti",
                                      email="kaisa@vanha.fi").id,
        "event": ContactEvent.create(customer=firm, occurred_at=datetime.datetime(2026, 3, 2, 8),
                                     direction="in", channel="phone",
                                     summary="Kysyi messupaikasta").id,
        "prohibition": Prohibition.create(customer=firm, purpose="direct_marketing",
                                          action="given", effective_on=datetime.date(2026, 1, 5),
                                          source="letter", note="Kirje").id,
        "stranger": Address.create(customer=rows["other"], street="Toisenkatu 9",
                                   city="Espoo").id,
    }
    return ids


def registration(client, customer_id, values, **extra):
    """Post the register page of ``customer_id`` with the new ``values`` ({input: text})."""
    url = f"/rectification/new/?customer={customer_id}"
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "received_at": typed(RECEIVED),
            "requester_name": "Kaisa Kontakti", "description": "Tiedot vanhentuneet"}
    return client.post(url, data=form | extra | values)


def text_of(page):
    """Return what a page reads as: its text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def in_english(client):
    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(page)})


def test_every_category_of_the_subject_is_corrected_through_a_request(client, auth, firm):
    auth.login_as("handler_b")
    page = client.get(f"/rectification/new/?customer={firm['id']}").get_data(as_text=True)
    # The data by category, as in the report: each row with its values now.
    for text in ("Osoitteet", "Demografiatiedot", "Yhteyshenkilöt", "Asiakashistoria",
                 "Osoite 1: postiosoite, Vanhatie 1", "Osoite 2: käyntiosoite, Käyntikatu 2",
                 "Yhteyshenkilö 1: Kaisa, Kontakti", "Nyt: Kysyi messupaikasta",
                 "Nyt: kaisa@vanha.fi", "Nyt: Kirvesmies"):
        assert text in page, text
    r = registration(client, firm["id"], {
        value_input(Address, firm["address"], "street"): "Uusitie 2",
        value_input(Demographics, firm["demographics"], "profession"): "Puuseppä",
        value_input(ContactPerson, firm["kaisa"], "email"): "Kaisa@Uusi.fi",
        value_input(ContactEvent, firm["event"], "summary"): "Kysyi messuosastosta",
        value_input(Address, firm["visiting"], "street"): "",
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    row = RectificationRequest.get()
    targets = {
        key(Address, firm["address"], "street"): ("Vanhatie 1", "Uusitie 2"),
        key(Demographics, firm["demographics"], "profession"): ("Kirvesmies", "Puuseppä"),
        key(ContactPerson, firm["kaisa"], "email"): ("kaisa@vanha.fi", "Kaisa@uusi.fi"),
        key(ContactEvent, firm["event"], "summary"): ("Kysyi messupaikasta",
                                                      "Kysyi messuosastosta"),
    }
    assert json.loads(row.requested) == {target: new for target, (_old, new) in targets.items()}
    page = text_of(page_of(client, row.id))
    assert "Katuosoite (Osoite 1)" in page and "Sähköposti (Yhteyshenkilö 1)" in page
    assert "Vanhatie 1" in page and "Uusitie 2" in page

    assert post_step(client, row.id, "verify", {
        "verification_source": "trade_register",
        "verification_result": "Kaupparekisterin mukaan"}).status_code == 302
    # The controller decides (seed §17); applying is the handler's.
    auth.logout()
    auth.login_as("controller")
    assert post_step(client, row.id, "decide", {"decision": "approved"}).status_code == 302
    assert RectificationRequest.get_by_id(row.id).decided_by.username == "controller"
    assert post_step(client, row.id, "apply", {}).status_code == 403
    auth.logout()
    auth.login_as("handler_b")
    r = post_step(client, row.id, "apply", {})
    assert r.status_code == 302, r.get_data(as_text=True)

    assert Address.get_by_id(firm["address"]).street == "Uusitie 2"
    assert Address.get_by_id(firm["visiting"]).street == "Käyntikatu 2"
    assert Demographics.get_by_id(firm["demographics"]).profession == "Puuseppä"
    assert Demographics.get_by_id(firm["demographics"]).education == "Ammattikoulu"
    assert ContactPerson.get_by_id(firm["kaisa"]).email == "Kaisa@uusi.fi"
    assert ContactEvent.get_by_id(firm["event"]).summary == "Kysyi messuosastosta"
    customer = Customer.get_by_id(firm["id"])
    assert (customer.version, customer.city, customer.email) == (2, "Helsinki", "info@kehitys.fi")
    row = RectificationRequest.get_by_id(row.id)
    assert json.loads(row.before) == {target: old for target, (old, _new) in targets.items()}
    assert json.loads(row.after) == {target: new for target, (_old, new) in targets.items()}
    page = page_of(client, row.id)
    assert "Ennen" in page and "Jälkeen" in page
    assert "Kirvesmies" in page and "Puuseppä" in page and "kaisa@vanha.fi" in page

    event = AuditEvent.get((AuditEvent.object_type == "customer")
                           & (AuditEvent.action == "update"))
    assert event.fields == ("address.street,demographics.profession,contact_person.email,"
                            "contact_event.summary")
    everything = " ".join(f"{e.object_id} {e.fields}" for e in AuditEvent.select())
    assert "Uusitie" not in everything and "uusi.fi" not in everything


def test_billing_and_history_times_are_corrected_in_helsinki_time(client, auth, rows):
    customer = Customer.get_by_id(rows["company"])
    invoice = Invoice.create(customer=customer, number="2026-001",
                             invoice_date=datetime.date(2026, 2, 1),
                             due_date=datetime.date(2026, 2, 15), amount="249.90")
    Invoice.create(customer=customer, number="2026-002", invoice_date=datetime.date(2026, 2, 1),
                   due_date=datetime.date(2026, 2, 15), amount="10.00")
    event = ContactEvent.create(customer=customer, occurred_at=datetime.datetime(2026, 1, 2, 8),
                                direction="out", channel="email", summary="Tarjous")
    auth.login_as("handler_t")
    page = client.get(f"/rectification/new/?customer={customer.id}").get_data(as_text=True)
    assert "Nyt: 02.01.2026 10:00" in page  # 08.00 UTC is 10.00 in Helsinki in winter
    assert "Nyt: 249,90" in page and "Lasku 1: 2026-001" in page
    r = registration(client, customer.id, {
        value_input(ContactEvent, event.id, "occurred_at"): "2026-01-02T12:30",
        value_input(ContactEvent, event.id, "channel"): "phone",
        value_input(Invoice, invoice.id, "amount"): "199.90",
        value_input(Invoice, invoice.id, "due_date"): "2026-03-01",
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    row = apply(approved(RectificationRequest.get().id))
    event = ContactEvent.get_by_id(event.id)
    assert (event.occurred_at, event.channel) == (datetime.datetime(2026, 1, 2, 10, 30), "phone")
    invoice = Invoice.get_by_id(invoice.id)
    assert (invoice.amount, invoice.due_date) == (Decimal("199.90"), datetime.date(2026, 3, 1))
    assert json.loads(row.before)[key(ContactEvent, event.id, "occurred_at")] == "2026-01-02T10:00"
    assert json.loads(row.after)[key(ContactEvent, event.id, "occurred_at")] == "2026-01-02T12:30"
    page = page_of(client, row.id)
    assert "02.01.2026 10:00" in page and "02.01.2026 12:30" in page and "199,90" in page
    # The customer's last activity follows its history.
    assert Customer.get_by_id(customer.id).last_activity_at == datetime.datetime(2026, 2, 1)

    # An invoice number another invoice has is refused, and nothing is written.
    row = approved(register(rows["company"], {
        key(Invoice, invoice.id, "number"): "2026-002",
        key(Invoice, invoice.id, "amount"): "1.00"}).id)
    with pytest.raises(RegisterError) as refused:
        apply(row)
    assert refused.value.message == rectification.CLASH
    invoice = Invoice.get_by_id(invoice.id)
    assert (invoice.number, invoice.amount) == ("2026-001", Decimal("199.90"))
    assert RectificationRequest.get_by_id(row.id).applied_at is None


def test_the_page_offers_the_sections_categories_and_no_register_entries(client, auth, firm):
    customer = Customer.get_by_id(firm["id"])
    # A business customer's invoice (a category business does not hold) is not offered.
    invoice = Invoice.create(customer=customer, number="B-1", amount="5.00",
                             invoice_date=datetime.date(2026, 1, 1),
                             due_date=datetime.date(2026, 1, 15))
    auth.login_as("handler_b")
    page = client.get(f"/rectification/new/?customer={firm['id']}").get_data(as_text=True)
    inputs = set(re.findall(r'name="(new-[^"]+)"', page))
    assert value_input(Address, firm["address"], "city") in inputs
    assert value_input(ContactEvent, firm["event"], "occurred_at") in inputs
    assert value_input(Customer, firm["id"], "business_id") in inputs
    for name in inputs:
        assert not re.search(r"new-(invoice|purchase|prohibition|rectification_request)\.", name)
        assert not name.endswith(("-id", "-version", "-sort_name", "-created_at", "-staff",
                                  "-kind", "-informed_at", "-birth_date", "-first_name")) \
            or name.startswith("new-contact_person.") or name.startswith("new-address."), name
    assert value_input(Customer, firm["id"], "city") not in inputs  # follows the addresses
    assert "B-1" not in page
    # Nor can they be asked through the service.
    for target in (key(Invoice, invoice.id, "amount"), key(Customer, firm["id"], "version"),
                   key(Prohibition, firm["prohibition"], "note"),
                   key(ContactEvent, firm["event"], "staff"), key(Customer, firm["id"], "city")):
        with pytest.raises(RegisterError) as refused:
            register(firm["id"], {target: "1"}, actor=user("handler_b"))
        assert refused.value.message == rectification.NOT_A_TARGET


def test_a_long_history_lists_the_newest_rows_and_all_on_request(client, auth, firm,
                                                                  monkeypatch):
    from admin_views import rectification as pages

    monkeypatch.setattr(pages, "ROWS_LISTED", 2)
    events = [firm["event"]] + [ContactEvent.create(
        customer=firm["id"], occurred_at=datetime.datetime(2026, 3, 3 + n, 8), direction="out",
        channel="email", summary=f"Viesti {n}").id for n in range(3)]
    auth.login_as("handler_b")
    in_english(client)
    url = f"/rectification/new/?customer={firm['id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Contacts: the newest 2 of 4 are listed." in page
    assert "Contact 3: " in page and "Contact 4: " in page and "Contact 1: " not in page
    assert "Address 2: " in page  # two addresses: both listed
    page = client.get(url + "&all=1").get_data(as_text=True)
    assert "Contact 1: " in page and "the newest" not in page
    # A row typed on the full list stays on the page when it comes back with an error.
    r = registration(client, firm["id"], {
        value_input(ContactEvent, events[0], "summary"): "Korjattu",
        value_input(ContactPerson, firm["kaisa"], "email"): "ei osoite"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Contact 1: " in page and "Korjattu</textarea>" in page
    r = registration(client, firm["id"], {
        value_input(ContactEvent, events[0], "summary"): "Korjattu"})
    assert r.status_code == 302
    assert json.loads(RectificationRequest.get().requested) == {
        key(ContactEvent, events[0], "summary"): "Korjattu"}


def test_a_request_about_a_contact_person_corrects_that_persons_row(client, auth, firm,
                                                                      monkeypatch):
    from admin_views import rectification as pages

    monkeypatch.setattr(pages, "ROWS_LISTED", 1)
    other = ContactPerson.create(customer=firm["id"], first_name="Olli", last_name="Muu")
    auth.login_as("handler_b")
    in_english(client)
    url = f"/rectification/new/?customer={firm['id']}&contact_person={firm['kaisa']}"
    page = client.get(url).get_data(as_text=True)
    inputs = set(re.findall(r'name="(new-[^"]+)"', page))
    assert inputs == {value_input(ContactPerson, firm["kaisa"], name) for name in (
        "first_name", "last_name", "role", "phone", "email", "user_details")}
    assert "<details class=\"inline-row\" open>" in page and "the newest" not in page
    form = {"csrf_token": csrf_token(page), "received_at": typed(RECEIVED),
            "requester_name": "Kaisa Kontakti", "description": "Sähköposti"}
    # The company's own fields and the other contact person are not this subject's.
    for tampered in (value_input(Customer, firm["id"], "email"),
                     value_input(ContactPerson, other.id, "email")):
        r = client.post(url, data=form | {tampered: "x@example.fi"})
        assert r.status_code == 200 and "not among this customer" in r.get_data(as_text=True)
    r = client.post(url, data=form | {
        value_input(ContactPerson, firm["kaisa"], "email"): "kaisa@uusi.fi"})
    assert r.status_code == 302, r.get_data(as_text=True)
    row = RectificationRequest.get()
    assert row.contact_person_id == firm["kaisa"]
    apply(approved(row.id, actor="handler_b"))
    assert ContactPerson.get_by_id(firm["kaisa"]).email == "kaisa@uusi.fi"
    assert ContactPerson.get_by_id(other.id).email is None


def test_a_handler_of_another_section_gets_404(client, auth, firm):
    row = register(firm["id"], {key(Address, firm["address"], "street"): "Uusitie 2"},
                   actor=user("handler_b"))
    row = rectification.verify(row, actor=user("handler_b"), source="trade_register",
                               result="Tarkistettu", version=row.version)
    for username in ("handler_t", "staff_t"):
        auth.login_as(username)
        assert client.get(f"/rectification/new/?customer={firm['id']}").status_code == 404
        assert client.get(f"/rectification/{row.id}/").status_code == 404
        token = csrf_token(client.get("/").get_data(as_text=True))
        for step in ("verify", "decide", "apply"):
            r = client.post(f"/rectification/{row.id}/{step}/", data={
                "csrf_token": token, f"{step}-version": str(row.version),
                "decide-decision": "approved", "apply-customer_version": "1"})
            # A step the role may not take is 403 whatever the request: no oracle either way.
            assert r.status_code in (403, 404)
            missing = client.post(f"/rectification/999999/{step}/", data={"csrf_token": token})
            assert missing.status_code == r.status_code
        assert "Kehitys Oy" not in client.get("/rectification/").get_data(as_text=True)
        auth.logout()
    assert RectificationRequest.get_by_id(row.id).version == row.version
    assert Address.get_by_id(firm["address"]).street == "Vanhatie 1"


def test_invalid_values_of_any_row_are_refused_with_the_input_kept(client, auth, firm):
    auth.login_as("handler_b")
    phone = value_input(ContactPerson, firm["kaisa"], "phone")
    summary = value_input(ContactEvent, firm["event"], "summary")
    postal = value_input(Address, firm["visiting"], "postal_code")
    r = registration(client, firm["id"], {phone: "soita minulle", summary: f"Hetu {HETU}",
                                          postal: "1234",
                                          value_input(Address, firm["address"], "street"):
                                              "Uusitie 2"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tarkista alla merkityt kentät" in page
    assert "Tarkista puhelinnumero" in page and "Henkilötunnusta ei saa tallentaa" in page
    assert "viisi numeroa" in page
    assert 'value="soita minulle"' in page and f"Hetu {HETU}</textarea>" in page
    assert 'value="1234"' in page and 'value="Uusitie 2"' in page
    assert 'value="Kaisa Kontakti"' in page  # the request's own fields too
    # The rows with an error are open, so the error is seen.
    assert len(re.findall(r"<details[^>]* open>", page)) == 4
    assert RectificationRequest.select().count() == 0


def test_a_postal_code_is_checked_against_the_rows_country(client, auth, firm):
    Address.update(country="SE").where(Address.id == firm["visiting"]).execute()
    auth.login_as("handler_b")
    r = registration(client, firm["id"], {
        value_input(Address, firm["visiting"], "postal_code"): "123 45"})
    assert r.status_code == 302, r.get_data(as_text=True)
    row = apply(approved(RectificationRequest.get().id, actor="handler_b"))
    assert Address.get_by_id(firm["visiting"]).postal_code == "123 45"
    assert rectification.state(row) == "applied"


def test_a_country_typed_makes_the_stored_postal_code_wrong(client, auth, firm):
    """The row as it would be: Finland typed with a Swedish postal code kept is refused on
    the postal code, as the screen refuses it; a postal code wrong as stored, with nothing
    typed that reads it, is not the request's to mend."""
    Address.update(country="SE", postal_code="123 45").where(
        Address.id == firm["visiting"]).execute()
    auth.login_as("handler_b")
    r = registration(client, firm["id"], {
        value_input(Address, firm["visiting"], "country"): "FI"})
    assert r.status_code == 200 and "viisi numeroa" in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0
    r = registration(client, firm["id"], {
        value_input(Address, firm["visiting"], "street"): "Uusikatu 2"})
    assert r.status_code == 302  # the Swedish code stays right in Sweden


def test_an_invoice_dated_after_its_stored_due_date_is_refused(client, auth, rows):
    invoice = Invoice.create(customer=rows["company"], number="2026-001",
                             invoice_date=datetime.date(2026, 2, 1),
                             due_date=datetime.date(2026, 2, 15), amount="249.90")
    auth.login_as("handler_t")
    r = registration(client, rows["company"], {
        value_input(Invoice, invoice.id, "invoice_date"): "2026-03-01"})
    assert r.status_code == 200 and "ennen laskun päivämäärää" in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0


def test_a_value_is_written_with_the_screens_filters(client, auth, rows):
    """The invoices' screen collapses the spaces of a number: so does a rectification, and
    the collapsed number of another invoice is refused as taken."""
    for number in ("2026-001", "2026 002"):
        Invoice.create(customer=rows["company"], number=number,
                       invoice_date=datetime.date(2026, 2, 1),
                       due_date=datetime.date(2026, 2, 15), amount="10")
    first = Invoice.get(Invoice.number == "2026-001")
    auth.login_as("handler_t")
    registration(client, rows["company"], {
        value_input(Invoice, first.id, "number"): "2026    002"})
    requested = json.loads(RectificationRequest.get().requested) if (
        RectificationRequest.select().exists()) else {}
    assert "2026    002" not in requested.values()
    if requested:
        with pytest.raises(RegisterError):
            apply(approved(RectificationRequest.get().id))
    assert sorted(n for (n,) in Invoice.select(Invoice.number).tuples()) == [
        "2026 002", "2026-001"]


def test_a_row_of_another_customer_is_refused(client, auth, firm):
    auth.login_as("handler_b")
    in_english(client)
    stranger = value_input(Address, firm["stranger"], "street")
    r = registration(client, firm["id"], {
        stranger: "Kaapattu 1", value_input(Address, firm["address"], "street"): "Uusitie 2"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f"names address.{firm['stranger']}.street, which is not among this customer" in page
    assert 'value="Uusitie 2"' in page
    for tampered in (f"new-customer.{firm['id']}-version",
                     f"new-prohibition.{firm['prohibition']}-note", "new-customer.1x-name",
                     "new-nosuch.1-name", f"new-address.{'9' * 25}-street"):
        r = registration(client, firm["id"], {tampered: "7"})
        assert r.status_code == 200 and "not among this customer" in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0
    assert Address.get_by_id(firm["stranger"]).street == "Toisenkatu 9"
    # A request naming another customer's row (a tampered stored request) is not applied.
    row = approved(register(firm["id"], {key(Address, firm["address"], "street"): "Uusitie 2"},
                            actor=user("handler_b")).id, actor="handler_b")
    RectificationRequest.update(requested=json.dumps({
        key(Address, firm["stranger"], "street"): "Kaapattu 1"})).where(
        RectificationRequest.id == row.id).execute()
    with pytest.raises(RegisterError) as refused:
        apply(RectificationRequest.get_by_id(row.id))
    assert refused.value.message == rectification.TARGET_GONE
    assert Address.get_by_id(firm["stranger"]).street == "Toisenkatu 9"


def test_a_nul_character_is_refused_not_a_server_error(client, auth, firm):
    auth.login_as("handler_b")
    in_english(client)
    for values, extra in (({value_input(Address, firm["address"], "street"): "Uusi\x00tie"}, {}),
                          ({}, {"description": "Katu\x00osoite"}),
                          ({}, {"requester_name": "Kaisa\x00"})):
        # Refused before the page runs, as every request with a control character is
        # (app.py); the service refuses it too, for its other callers.
        r = registration(client, firm["id"], values, **extra)
        assert r.status_code == 400
        assert "control character" in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0
    with pytest.raises(RegisterError, match="control character"):
        register(firm["id"], {key(Address, firm["address"], "street"): "Uusitie 3"},
                 actor=user("handler_b"), requester_name="Kaisa\x00")
    assert RectificationRequest.select().count() == 0


def test_a_row_deleted_meanwhile_is_a_clear_error_and_nothing_is_applied(client, auth, firm):
    row = approved(register(firm["id"], {
        key(Demographics, firm["demographics"], "profession"): "Puuseppä",
        key(Address, firm["address"], "street"): "Uusitie 2"}, actor=user("handler_b")).id,
        actor="handler_b")
    Address.delete().where(Address.id == firm["address"]).execute()
    auth.login_as("handler_b")
    in_english(client)
    page = page_of(client, row.id)
    assert "no longer in the register" in page
    r = post_step(client, row.id, "apply", {})
    assert r.status_code == 200
    assert (f"The data the request would change (address.{firm['address']}.street) is no "
            "longer in the register") in r.get_data(as_text=True)
    assert Demographics.get_by_id(firm["demographics"]).profession == "Kirvesmies"
    assert Customer.get_by_id(firm["id"]).version == 1
    assert RectificationRequest.get_by_id(row.id).applied_at is None


def test_requests_stored_before_targets_were_named_are_read_and_applied(client, auth, rows):
    """Requests registered before hold {field: value} of their own row."""
    old = [RectificationRequest.create(
        customer=rows["person"], received_at=datetime.datetime(2026, 5, 4, 7),
        requester_name="Matti", description="Sukunimi", requested=json.dumps(
            {"last_name": "Virtanen"}), registered_at=datetime.datetime(2026, 5, 4, 7)),
        RectificationRequest.create(
        customer=rows["company"], contact_person=rows["anna"],
        received_at=datetime.datetime(2026, 5, 4, 7), requester_name="Anna",
        description="Sähköposti", requested=json.dumps({"email": "anna@uusi.fi"}),
        registered_at=datetime.datetime(2026, 5, 4, 7))]
    auth.login_as("handler_t")
    assert "Sukunimi" in page_of(client, old[0].id) and "Virtanen" in page_of(client, old[0].id)
    assert "anna@uusi.fi" in page_of(client, old[1].id)
    done = [apply(approved(row.id)) for row in old]
    assert Customer.get_by_id(rows["person"]).last_name == "Virtanen"
    assert ContactPerson.get_by_id(rows["anna"]).email == "anna@uusi.fi"
    assert json.loads(done[0].before) == {"last_name": "Meikäläinen"}
    assert json.loads(done[1].after) == {"email": "anna@uusi.fi"}
    assert "Meikäläinen" in page_of(client, old[0].id)


def test_the_inspection_report_reads_the_changes(firm):
    from services.report import build_report_for, render_json

    row = apply(approved(register(firm["id"], {
        key(Address, firm["address"], "street"): "Uusitie 2"}, actor=user("handler_b")).id,
        actor="handler_b"))
    text = render_json(build_report_for(customer_ids=[firm["id"]], language="en"))
    assert "Street address: Uusitie 2" in text and "Street address: Vanhatie 1" in text
    assert rectification.state(row) == "applied"


def test_refused_request_keeps_its_reason_and_is_never_applied(client, auth, rows):
    row = register(rows["person"], {"last_name": "Keksitty"})
    auth.login_as("handler_t")
    r = post_step(client, row.id, "decide", {"decision": "refused", "decision_reason": ""})
    assert r.status_code == 200
    assert "Kirjoita hylkäyksen syy" in r.get_data(as_text=True)
    assert RectificationRequest.get_by_id(row.id).decision is None

    r = post_step(client, row.id, "decide", {"decision": "refused",
                                             "decision_reason": "Väestötiedoissa ei muutosta"})
    assert r.status_code == 302
    row = RectificationRequest.get_by_id(row.id)
    assert (row.decision, row.decision_reason) == ("refused", "Väestötiedoissa ei muutosta")
    assert row.decided_by.username == "handler_t"
    page = page_of(client, row.id)
    assert "Väestötiedoissa ei muutosta" in page and "hylätty" in page
    with pytest.raises(RegisterError, match="approved"):
        apply(row)
    r = client.post(f"/rectification/{row.id}/apply/", data={
        "csrf_token": csrf_token(page), "apply-version": str(row.version),
        "apply-customer_version": "1"})
    assert r.status_code == 200
    assert Customer.get_by_id(rows["person"]).last_name == "Meikäläinen"
    assert RectificationRequest.get_by_id(row.id).applied_at is None


def test_approval_needs_the_check_first(rows):
    row = register(rows["person"], {"last_name": "Virtanen"})
    with pytest.raises(RegisterError, match="check"):
        rectification.decide(row, actor=user("handler_t"), decision="approved", reason=None,
                             version=row.version)


def test_a_step_on_an_old_version_of_the_request_is_refused(rows):
    row = approved(register(rows["person"], {"last_name": "Virtanen"}).id)
    with pytest.raises(RegisterError, match="meanwhile"):
        rectification.apply(row, actor=user("handler_t"), version=row.version - 1,
                            customer_version=1, validate=check_changes)
    assert Customer.get_by_id(rows["person"]).last_name == "Meikäläinen"


# --- validators -----------------------------------------------------------------------------

def test_invalid_value_is_refused_at_registration_with_input_kept(client, auth, rows):
    auth.login_as("staff_t")
    url = f"/rectification/new/?customer={rows['company']}"
    page = client.get(url).get_data(as_text=True)
    r = client.post(url, data={
        "csrf_token": csrf_token(page), "received_at": typed(RECEIVED),
        "requester_name": "Anna Äijälä", "description": "Y-tunnus väärin",
        value_input(Customer, rows["company"], "business_id"): "1234567-8",
        value_input(Customer, rows["company"], "name"): "Matkailu Äijälä Oy"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tarkista Y-tunnus" in page
    assert 'value="1234567-8"' in page and 'value="Matkailu Äijälä Oy"' in page
    assert RectificationRequest.select().count() == 0


def test_invalid_value_is_refused_at_apply_and_nothing_is_written(client, auth, rows):
    row = approved(register(rows["person"], {"last_name": "Virtanen", "email": "ei-osoite"}).id)
    with pytest.raises(RegisterError, match="Email"):
        apply(row)
    auth.login_as("handler_t")
    r = post_step(client, row.id, "apply", {})
    assert r.status_code == 200
    assert "Sähköposti" in r.get_data(as_text=True)
    assert "Mitään ei muutettu" in r.get_data(as_text=True)
    customer = Customer.get_by_id(rows["person"])
    assert (customer.last_name, customer.version) == ("Meikäläinen", 1)
    assert RectificationRequest.get_by_id(row.id).applied_at is None
    assert not AuditEvent.select().where(AuditEvent.object_type == "customer").exists()


@pytest.mark.parametrize("field, value", [
    ("birth_date", "2999-01-01"), ("birth_date", "17.5.1970"), ("phone", "soita minulle"),
    ("business_id", "0737546-3")])
def test_register_validators_apply(rows, field, value):
    customer = "company" if field == "business_id" else "person"
    row = approved(register(rows[customer], {field: value}).id)
    with pytest.raises(RegisterError):
        apply(row)
    assert Customer.get_by_id(rows[customer]).version == 1


def test_stale_customer_is_refused_and_nothing_is_written(client, auth, rows):
    row = approved(register(rows["person"], {"last_name": "Virtanen"}).id)
    handler = AuthActions(client)
    handler.login_as("handler_t")
    page = page_of(client, row.id)
    # Someone saves the customer through the register screen meanwhile.
    other = client.application.test_client()
    AuthActions(other).login("staff_t")
    edit = other.get(f"/customers/edit/?id={rows['person']}").get_data(as_text=True)
    r = other.post(f"/customers/edit/?id={rows['person']}", data={
        "csrf_token": csrf_token(edit), "version": hidden(edit, "version"), "kind": "person",
        "first_name": "Matti", "last_name": "Meikäläinen", "email": "uusi@example.fi",
        "birth_date": "1970-05-17", "language": "fi", "informed_how": ""})
    assert r.status_code == 302
    r = client.post(f"/rectification/{row.id}/apply/", data={
        "csrf_token": csrf_token(page), "apply-version": hidden(page, "apply-version"),
        "apply-customer_version": hidden(page, "apply-customer_version")})
    assert r.status_code == 200
    assert "muutti tätä tietuetta sillä välin" in r.get_data(as_text=True)
    customer = Customer.get_by_id(rows["person"])
    assert (customer.last_name, customer.email) == ("Meikäläinen", "uusi@example.fi")
    assert RectificationRequest.get_by_id(row.id).before is None
    # Reloading shows the new version; applying then succeeds.
    assert post_step(client, row.id, "apply", {}).status_code == 302
    assert Customer.get_by_id(rows["person"]).last_name == "Virtanen"


def test_henkilotunnus_is_refused_everywhere(client, auth, rows):
    auth.login_as("staff_t")
    url = f"/rectification/new/?customer={rows['person']}"
    page = client.get(url).get_data(as_text=True)
    own_info = value_input(Customer, rows["person"], "own_info")
    for data in ({"description": f"Hetu on {HETU}"}, {own_info: f"hetu {HETU}"},
                 {"requester_name": HETU.replace("-", "\u2013")}):
        form = {"csrf_token": csrf_token(page), "received_at": typed(RECEIVED),
                "requester_name": "Matti", "description": "Korjaus",
                value_input(Customer, rows["person"], "last_name"): "Virtanen"} | data
        r = client.post(url, data=form)
        assert r.status_code == 200
        assert "Henkilötunnusta ei saa tallentaa" in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0
    with pytest.raises(RegisterError, match="henkilötunnus"):
        register(rows["person"], {"own_info": f"Hetu {HETU.lower()}"})
    # A value smuggled into a stored request is refused when applied.
    row = approved(register(rows["person"], {"last_name": "Virtanen"}).id)
    RectificationRequest.update(requested=json.dumps({"own_info": HETU})).where(
        RectificationRequest.id == row.id).execute()
    with pytest.raises(RegisterError, match="henkilötunnus"):
        apply(RectificationRequest.get_by_id(row.id))
    assert Customer.get_by_id(rows["person"]).own_info is None


def test_only_fields_of_the_section_and_kind_can_be_asked(client, auth, rows):
    with pytest.raises(RegisterError):
        register(rows["person"], {"business_id": "0737546-2"})  # a person has none
    with pytest.raises(RegisterError):
        register(rows["person"], {"version": "7"})
    narrow = Section.create(code="narrow", name_fi="Kapea", name_sv="Smal", name_en="Narrow",
                            categories="identity email")
    customer = Customer.create(section=narrow, kind="person", last_name="Kapea")
    person = ContactPerson.create(customer=customer, first_name="Ei", last_name="Näy")
    Address.create(customer=customer, street="Ei näy 1")
    assert [(r.model, r.fields) for r in rectification.subject_rows(customer)] == [
        (Customer, ("first_name", "last_name", "email"))]
    assert rectification.subject_rows(customer, person) == []
    auth.login_as("responsible")
    page = client.get(f"/rectification/new/?customer={customer.id}").get_data(as_text=True)
    assert f'name="{value_input(Customer, customer.id, "email")}"' in page
    assert "-phone" not in page and "-street" not in page and "Ei näy" not in page
    with pytest.raises(RegisterError):
        register(customer.id, {key(Address, Address.get().id, "street"): "Uusi 1"})


# --- the list and roles ----------------------------------------------------------------------

def test_list_shows_open_requests_first(client, auth, rows):
    old_open = register(rows["person"], {"last_name": "A"}, requester_name="Vanha Avoin")
    refused = register(rows["person"], {"last_name": "B"}, requester_name="Hylätty Pyytäjä")
    rectification.decide(refused, actor=user("handler_t"), decision="refused",
                         reason="Ei perustetta", version=refused.version)
    new_open = rectification.register(
        Customer.get_by_id(rows["person"]), actor=user("staff_t"),
        received_at=helsinki_days_ago(16, 9, 0), requester_name="Uusi Avoin",
        description="Korjaus", requested={"last_name": "C"})
    other = register(rows["other"], {"last_name": "D"}, requester_name="Toinen Osasto",
                     actor=user("handler_b"))
    auth.login_as("handler_t")
    page = client.get("/rectification/").get_data(as_text=True)
    assert (page.index("Vanha Avoin") < page.index("Uusi Avoin")
            < page.index("Hylätty Pyytäjä"))
    assert "Toinen Osasto" not in page
    assert client.get(f"/rectification/{other.id}/").status_code == 404
    assert {old_open.id, new_open.id}


READ = [("staff_t", "own", 200), ("handler_t", "own", 200), ("controller", "own", 200),
        ("responsible", "other", 200), ("controller", "other", 200), ("maint", "own", 403),
        ("staff_t", "other", 404), ("handler_t", "other", 404), ("handler_b", "own", 404)]


@pytest.mark.parametrize("username, which, expected", READ)
def test_who_reads_a_request(client, auth, rows, username, which, expected):
    row = register(rows["person"] if which == "own" else rows["other"], {"last_name": "X"})
    auth.login_as(username)
    assert client.get(f"/rectification/{row.id}/").status_code == expected
    assert client.get("/rectification/").status_code == (403 if username == "maint" else 200)


@pytest.mark.parametrize("username, expected", [
    ("staff_t", 200), ("handler_t", 200), ("responsible", 200), ("controller", 403),
    ("maint", 403), ("handler_b", 404)])
def test_who_registers(client, auth, rows, username, expected):
    auth.login_as(username)
    assert client.get(f"/rectification/new/?customer={rows['person']}").status_code == expected


@pytest.mark.parametrize("username, step, expected", [
    ("staff_t", "decide", 403), ("controller", "decide", 302), ("maint", "decide", 403),
    ("controller", "verify", 403), ("staff_t", "apply", 403), ("controller", "apply", 403),
    ("handler_b", "decide", 404), ("responsible", "decide", 302), ("handler_t", "decide", 302),
    ("staff_t", "verify", 302)])
def test_who_takes_each_step(client, auth, rows, username, step, expected):
    row = register(rows["person"], {"last_name": "X"})
    if step == "decide":
        row = rectification.verify(row, actor=user("staff_t"), source="own_document",
                                   result="Passi nähty", version=row.version)
    auth.login_as(username)
    token = csrf_token(client.get("/").get_data(as_text=True))
    data = {"csrf_token": token, f"{step}-version": str(row.version),
            "decide-decision": "approved", "verify-verification_source": "trade_register",
            "verify-verification_result": "Kaupparekisteri tarkistettu",
            "apply-customer_version": "1"}
    r = client.post(f"/rectification/{row.id}/{step}/", data=data)
    assert r.status_code == expected
    if expected != 302:
        assert RectificationRequest.get_by_id(row.id).version == row.version


@pytest.mark.parametrize("bad", ["abc", "0", "99999999", "1" * 20])
def test_bad_ids_are_404(client, auth, rows, bad):
    auth.login_as("controller")
    assert client.get(f"/rectification/{bad}/").status_code == 404
    auth.login_as("responsible")
    assert client.get(f"/rectification/new/?customer={bad}").status_code == 404


def test_customer_page_links_to_registering(client, auth, rows):
    auth.login_as("staff_t")
    page = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert f"/rectification/new/?customer={rows['person']}" in page
    auth.login_as("controller")
    page = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert "/rectification/new/" not in page


def test_in_the_menu(client, auth, rows):
    auth.login_as("staff_t")
    page = client.get("/").get_data(as_text=True)
    assert "/rectification/" in page and "Korjauspyynnöt" in page


def test_a_birth_date_after_the_informing_is_refused_as_on_the_screen(app, rows):
    """A corrected birth date goes through the customer form's rules, the informing record
    among them: nobody is informed before they were born."""
    person = Customer.create(section=Section.get(code="tourism"), kind="person",
                             first_name="Iida", last_name="Ilmoitettu",
                             birth_date=datetime.date(1970, 5, 17), informed_how="in_person",
                             informed_at=datetime.datetime(2020, 1, 1, 10))
    row = approved(register(person.id, {"birth_date": "2022-06-01"}).id)
    with pytest.raises(RegisterError, match="before the person's birth date"):
        apply(row)
    assert Customer.get_by_id(person.id).birth_date == datetime.date(1970, 5, 17)
    row = approved(register(person.id, {"birth_date": "1971-06-01"}).id)
    apply(row)
    assert Customer.get_by_id(person.id).birth_date == datetime.date(1971, 6, 1)


def test_a_stored_request_naming_another_customers_contact_person_writes_nothing(app, rows):
    """The service refuses to register such a request; a stored one (an old or altered row)
    is refused at the apply as well, and the other customer's contact person stays."""
    person = Customer.create(section=Section.get(code="tourism"), kind="person",
                             first_name="Oma", last_name="Asiakas")
    company = Customer.create(section=Section.get(code="tourism"), kind="company",
                              name="Toinen Oy")
    theirs = ContactPerson.create(customer=company, first_name="Vieras", last_name="Henkilö")
    row = RectificationRequest.create(customer=person, contact_person=theirs,
                                      received_at=RECEIVED, requester_name="Oma Asiakas",
                                      description="Nimi", requested='{"first_name": "Z"}')
    with pytest.raises(RegisterError):
        apply(approved(row.id))
    assert ContactPerson.get_by_id(theirs.id).first_name == "Vieras"


def test_an_invoice_saved_on_its_own_screen_meanwhile_makes_the_page_stale(client, auth, rows):
    """The request's page is opened; someone corrects the invoice on the invoices' screen;
    the page's apply is refused rather than written over the newer amount."""
    customer = Customer.get_by_id(rows["company"])
    invoice = Invoice.create(customer=customer, number="2026-001",
                             invoice_date=datetime.date(2026, 2, 1),
                             due_date=datetime.date(2026, 2, 15), amount="249.90")
    row = approved(register(customer.id, {key(Invoice, invoice.id, "amount"): "199.90"}).id)
    auth.login_as("handler_t")
    page = page_of(client, row.id)
    other = client.application.test_client()
    AuthActions(other).login("staff_t")
    edit = other.get(f"/invoices/edit/?id={invoice.id}").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', edit).group(1)
    answer = other.post(f"/invoices/edit/?id={invoice.id}", data={
        "csrf_token": csrf_token(edit), "seen": seen, "customer": str(customer.id),
        "number": "2026-001", "invoice_date": "2026-02-01", "due_date": "2026-02-15",
        "amount": "300.00", "paid_on": "", "collection_state": "open"})
    assert answer.status_code == 302
    answer = client.post(f"/rectification/{row.id}/apply/", data={
        "csrf_token": csrf_token(page), "apply-version": hidden(page, "apply-version"),
        "apply-customer_version": hidden(page, "apply-customer_version")})
    assert answer.status_code == 200 and "Joku muu muutti" in answer.get_data(as_text=True)
    assert Invoice.get_by_id(invoice.id).amount == Decimal("300.00")
    assert RectificationRequest.get_by_id(row.id).applied_at is None


def test_a_target_deleted_shows_no_other_customers_row_that_took_its_id(client, auth, people):
    """A request names an address; the address is deleted and SQLite gives the next one
    saved, a Business Development customer's, the same id: the tourism request's page
    showed that street as the target's value now."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    anna = Customer.create(section=tourism, kind="person", first_name="Anna", last_name="Aalto")
    bob = Customer.create(section=business, kind="person", first_name="Bob", last_name="Beta")
    address = Address.create(customer=anna, street="Vanhatie 1", postal_code="00100",
                             city="Helsinki")
    request = rectification.register(
        anna, actor=user("staff_t"), received_at=helsinki_days_ago(1),
        requester_name="Anna Aalto", description="Katuosoite muuttunut",
        requested={f"address.{address.id}.street": "Uusitie 2"})
    Address.delete().where(Address.id == address.id).execute()
    Address.create(id=address.id, customer=bob, street="Salainen Bisneskatu 7",
                   postal_code="00100", city="Helsinki")  # as SQLite numbers the next one
    auth.login_as("staff_t")
    page = client.get(f"/rectification/{request.id}/").get_data(as_text=True)
    assert "ei enää rekisterissä" in page
    assert "Salainen Bisneskatu 7" not in page
