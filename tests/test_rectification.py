"""Rectification requests (seed §15): register → check → decision → apply, with the values
before and after kept, refusals with their reason, the register's validators and optimistic
locking, the henkilötunnus guard, and who may do what — on SQLite and PostgreSQL."""

import datetime
import json
import re

import pytest

from forms.data_rights import check_values
from models import AuditEvent, ContactPerson, Customer, RectificationRequest, Section, User
from services import rectification
from services.errors import RegisterError
from tests.conftest import AuthActions, csrf_token

HETU = "131052-308T"


@pytest.fixture
def people(make_user):
    make_user("staff_t", "staff", ["tourism"])
    make_user("handler_t", "handler", ["tourism"])
    make_user("handler_b", "handler", ["business"])
    make_user("controller", "controller")
    make_user("responsible", "responsible")
    make_user("maint", "maintenance")


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


def user(username):
    return User.get(User.username == username)


def login(auth, username):
    assert auth.login(username).status_code == 302


def register(customer_id, requested, person=None, **extra):
    """Register a request through the service (no form checks), as staff_t."""
    return rectification.register(
        Customer.get_by_id(customer_id),
        contact_person=ContactPerson.get_by_id(person) if person else None,
        actor=extra.pop("actor", None) or user("staff_t"),
        received_at=datetime.datetime(2026, 11, 2, 9, 30),
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


def apply(row, customer_version=None):
    if customer_version is None:
        customer_version = Customer.get_by_id(row.customer_id).version
    return rectification.apply(row, actor=user("handler_t"), version=row.version,
                               customer_version=customer_version, validate=check_values)


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
    login(auth, "staff_t")
    url = f"/rectification/new/?customer={rows['person']}"
    page = client.get(url).get_data(as_text=True)
    assert "Rekisteröi korjauspyyntö" in page
    r = client.post(url, data={
        "csrf_token": csrf_token(page), "received_at": "2026-11-02T09:30",
        "requester_name": "Matti Virtanen", "description": "Sukunimi ja sähköposti muuttuneet",
        "new-last_name": "Virtanen", "new-email": "Matti.Virtanen@Example.fi",
        "new-phone": "040 765 4321", "new-first_name": "", "new-language": ""})
    assert r.status_code == 302, r.get_data(as_text=True)
    row = RectificationRequest.get()
    assert json.loads(row.requested) == {"last_name": "Virtanen",
                                         "phone": "+358407654321",
                                         "email": "Matti.Virtanen@example.fi"}
    # 09.30 in Helsinki (winter) is 07.30 UTC
    assert row.received_at == datetime.datetime(2026, 11, 2, 7, 30)
    assert row.registered_by.username == "staff_t"

    r = post_step(client, row.id, "verify", {"verification_source": "population_register",
                                             "verification_result": "Nimi muuttunut 1.10."})
    assert r.status_code == 302
    assert post_step(client, row.id, "decide", {"decision": "approved"}).status_code == 403

    auth.logout()
    login(auth, "handler_t")
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
    assert json.loads(row.before) == {"last_name": "Meikäläinen", "phone": None,
                                      "email": "matti@example.fi"}
    assert json.loads(row.after) == {"last_name": "Virtanen", "phone": "+358407654321",
                                     "email": "Matti.Virtanen@example.fi"}
    assert row.applied_by.username == "handler_t"
    page = page_of(client, row.id)
    assert "Meikäläinen" in page and "Toteutettu" in page

    events = list(AuditEvent.select().where(AuditEvent.object_type == "rectification_request")
                  .order_by(AuditEvent.id))
    assert [e.action for e in events if e.action != "view"] == [
        "create", "update", "update", "update"]
    assert events[0].fields == ("received_at,requester_name,description,requested.last_name,"
                                "requested.phone,requested.email")
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
    assert json.loads(row.before) == {"role": None, "email": "anna@matkailu.fi"}
    assert Customer.get_by_id(rows["company"]).version == 2
    event = AuditEvent.get(AuditEvent.object_type == "customer")
    assert event.fields == "contact_person.role,contact_person.email"


def test_refused_request_keeps_its_reason_and_is_never_applied(client, auth, rows):
    row = register(rows["person"], {"last_name": "Keksitty"})
    login(auth, "handler_t")
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
                            customer_version=1, validate=check_values)
    assert Customer.get_by_id(rows["person"]).last_name == "Meikäläinen"


# --- validators -----------------------------------------------------------------------------

def test_invalid_value_is_refused_at_registration_with_input_kept(client, auth, rows):
    login(auth, "staff_t")
    url = f"/rectification/new/?customer={rows['company']}"
    page = client.get(url).get_data(as_text=True)
    r = client.post(url, data={
        "csrf_token": csrf_token(page), "received_at": "2026-11-02T09:30",
        "requester_name": "Anna Äijälä", "description": "Y-tunnus väärin",
        "new-business_id": "1234567-8", "new-name": "Matkailu Äijälä Oy"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tarkista Y-tunnus" in page
    assert 'value="1234567-8"' in page and 'value="Matkailu Äijälä Oy"' in page
    assert RectificationRequest.select().count() == 0


def test_invalid_value_is_refused_at_apply_and_nothing_is_written(client, auth, rows):
    row = approved(register(rows["person"], {"last_name": "Virtanen", "email": "ei-osoite"}).id)
    with pytest.raises(RegisterError, match="Email"):
        apply(row)
    login(auth, "handler_t")
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
    login(handler, "handler_t")
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
    login(auth, "staff_t")
    url = f"/rectification/new/?customer={rows['person']}"
    page = client.get(url).get_data(as_text=True)
    for data in ({"description": f"Hetu on {HETU}"}, {"new-own_info": f"hetu {HETU}"},
                 {"requester_name": HETU.replace("-", "\u2013")}):
        form = {"csrf_token": csrf_token(page), "received_at": "2026-11-02T09:30",
                "requester_name": "Matti", "description": "Korjaus",
                "new-last_name": "Virtanen"} | data
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
    assert rectification.rectifiable_fields(customer) == ("first_name", "last_name", "email")
    assert rectification.rectifiable_fields(customer, ContactPerson()) == ()
    login(auth, "responsible")
    page = client.get(f"/rectification/new/?customer={customer.id}").get_data(as_text=True)
    assert 'name="new-email"' in page and 'name="new-phone"' not in page


# --- the list and roles ----------------------------------------------------------------------

def test_list_shows_open_requests_first(client, auth, rows):
    old_open = register(rows["person"], {"last_name": "A"}, requester_name="Vanha Avoin")
    refused = register(rows["person"], {"last_name": "B"}, requester_name="Hylätty Pyytäjä")
    rectification.decide(refused, actor=user("handler_t"), decision="refused",
                         reason="Ei perustetta", version=refused.version)
    new_open = rectification.register(
        Customer.get_by_id(rows["person"]), actor=user("staff_t"),
        received_at=datetime.datetime(2026, 11, 20, 9, 0), requester_name="Uusi Avoin",
        description="Korjaus", requested={"last_name": "C"})
    other = register(rows["other"], {"last_name": "D"}, requester_name="Toinen Osasto",
                     actor=user("handler_b"))
    login(auth, "handler_t")
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
    login(auth, username)
    assert client.get(f"/rectification/{row.id}/").status_code == expected
    assert client.get("/rectification/").status_code == (403 if username == "maint" else 200)


@pytest.mark.parametrize("username, expected", [
    ("staff_t", 200), ("handler_t", 200), ("responsible", 200), ("controller", 403),
    ("maint", 403), ("handler_b", 404)])
def test_who_registers(client, auth, rows, username, expected):
    login(auth, username)
    assert client.get(f"/rectification/new/?customer={rows['person']}").status_code == expected


@pytest.mark.parametrize("username, step, expected", [
    ("staff_t", "decide", 403), ("controller", "decide", 403), ("maint", "decide", 403),
    ("controller", "verify", 403), ("staff_t", "apply", 403), ("controller", "apply", 403),
    ("handler_b", "decide", 404), ("responsible", "decide", 302), ("handler_t", "decide", 302),
    ("staff_t", "verify", 302)])
def test_who_takes_each_step(client, auth, rows, username, step, expected):
    row = register(rows["person"], {"last_name": "X"})
    if step == "decide":
        row = rectification.verify(row, actor=user("staff_t"), source="own_document",
                                   result="Passi nähty", version=row.version)
    login(auth, username)
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
    login(auth, "controller")
    assert client.get(f"/rectification/{bad}/").status_code == 404
    login(auth, "responsible")
    assert client.get(f"/rectification/new/?customer={bad}").status_code == 404


def test_customer_page_links_to_registering(client, auth, rows):
    login(auth, "staff_t")
    page = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert f"/rectification/new/?customer={rows['person']}" in page
    login(auth, "controller")
    page = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert "/rectification/new/" not in page


def test_in_the_menu(client, auth, rows):
    login(auth, "staff_t")
    page = client.get("/").get_data(as_text=True)
    assert "/rectification/" in page and "Korjauspyynnöt" in page
