"""Sections and their data categories, edited by the controller (seed §1, §6, §17): a
category added to or removed from a section changes the customer form, its page, the
inspection report, the statistics, the marketing list and the purge; a third section is a
row; removing a category whose data exists asks what to do with it. On both databases."""

import datetime
import json

import pytest

from models import (
    Address,
    AuditEvent,
    RectificationRequest,
    ContactEvent,
    Customer,
    Demographics,
    ImportRun,
    Invoice,
    RetentionPolicy,
    Section,
    SectionChange,
    db,
    utcnow,
)
from services import marketing, report, retention, statistics
from services import sections as rules
from services.customers import refresh_city, refresh_last_activity
from services.retention import leftover
from tests.conftest import csrf_token, informed, new_session

PEOPLE = ("controller", "responsible", "handler_t", "staff_t", "staff_b", "maint")
PAGE = "/settings/sections/"
NOW = utcnow()
KEEP_FROM = retention.keeping_starts(retention.helsinki_today(NOW))
OLD_INVOICE_DAY = KEEP_FROM - datetime.timedelta(days=400)  # past the keeping period
KEPT_INVOICE_DAY = KEEP_FROM + datetime.timedelta(days=30)  # under it: never deleted early
TOURISM = ("identity birth_or_business_id address phone fax email language own_info history "
           "contact_persons billing record").split()
BUSINESS = ("identity birth_or_business_id address demographics phone fax email language "
            "own_info history contact_persons record").split()


def _section(code):
    return Section.get(Section.code == code)


def _save(client, code, categories, choice=None, **names):
    """Post the section's form as the page would, with the version it shows."""
    section = _section(code)
    data = {"csrf_token": csrf_token(client.get(PAGE).get_data(as_text=True)),
            "version": str(section.version), "categories": list(categories),
            "name_fi": section.name_fi, "name_sv": section.name_sv,
            "name_en": section.name_en, **names}
    if choice:
        data["choice"] = choice
    return client.post(f"{PAGE}{section.id}", data=data)


def _add(client, code, categories, **names):
    data = {"csrf_token": csrf_token(client.get(PAGE).get_data(as_text=True)), "code": code,
            "categories": list(categories), "name_fi": "Tapahtumat",
            "name_sv": "Evenemang", "name_en": "Events", **names}
    return client.post(f"{PAGE}new", data=data)


def _customer(code, **fields):
    fields.setdefault("kind", "person")
    return Customer.create(section=_section(code), **fields)


def _report_categories(customer_id):
    """Return the report's categories with data ({code: note}) and those it names empty."""
    built = report.build_report_for(customer_ids=[customer_id], language="en")
    subject = built["subjects"][0]
    return {c["code"]: c["note"] for c in subject["categories"]}, subject["empty_categories"]


def _person_form(client, **extra):
    data = {"csrf_token": csrf_token(client.get("/").get_data(as_text=True)), "version": "",
            "kind": "person", "first_name": "Åsa", "last_name": "Öberg",
            "birth_date": "1980-05-17", "language": "sv", **informed()}
    data.update(extra)
    return data


# --- a category added, removed ------------------------------------------------------------


def test_a_category_added_to_a_section_appears_in_the_form_the_page_and_the_report(
        app, client, auth, people):
    staff = new_session(app, "staff_b")
    assert 'id="invoices"' not in staff.get("/customers/new/").get_data(as_text=True)
    auth.login_as("controller")
    answer = _save(client, "business", BUSINESS + ["billing"])
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert "billing" in _section("business").category_set

    page = staff.get("/customers/new/").get_data(as_text=True)
    assert 'id="invoices"' in page
    answer = staff.post("/customers/new/", data=_person_form(staff, **{
        "invoices-0-number": "B-77", "invoices-0-invoice_date": "2026-11-01",
        "invoices-0-due_date": "2026-11-15", "invoices-0-amount": "10.00",
        "invoices-0-collection_state": "open"}))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    customer = Customer.get(Customer.last_name == "Öberg")
    assert customer.invoices.get().number == "B-77"
    details = staff.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "B-77" in details
    shown, _empty = _report_categories(customer.id)
    assert shown["billing"] == ""
    other = _customer("business", first_name="Ilman", last_name="Laskuja")
    assert "Billing and collection" in _report_categories(other.id)[1]  # held, nothing in it


def test_a_removed_category_is_gone_from_the_form_the_page_and_the_report(
        app, client, auth, people):
    customer = _customer("tourism", first_name="Laura", last_name="Laskutettu")
    Invoice.create(customer=customer, number="OLD-1", invoice_date=OLD_INVOICE_DAY,
                   due_date=OLD_INVOICE_DAY, amount="20.00", collection_state="paid")
    staff = new_session(app, "staff_t")
    assert "OLD-1" in staff.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "billing" in _report_categories(customer.id)[0]

    auth.login_as("controller")
    without = [c for c in TOURISM if c != "billing"]
    asked = _save(client, "tourism", without)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="choice"' in text
    assert _section("tourism").category_set == frozenset(TOURISM)  # not saved before the choice
    assert "Invoices" in text or "Laskut" in text
    answer = _save(client, "tourism", without, choice="keep")
    assert answer.status_code == 302
    assert "billing" not in _section("tourism").category_set

    assert Invoice.select().count() == 1  # kept until the purge
    assert 'id="invoices"' not in staff.get(
        f"/customers/edit/?id={customer.id}").get_data(as_text=True)
    assert "OLD-1" not in staff.get(
        f"/customers/details/?id={customer.id}").get_data(as_text=True)
    # The report shows what the register holds: the kept data, saying it goes at the purge.
    shown, empty = _report_categories(customer.id)
    assert "the purge removes this data" in shown["billing"]
    assert "Billing and collection" not in empty
    bare = _customer("tourism", first_name="Ei", last_name="Laskuja")
    shown, empty = _report_categories(bare.id)
    assert "billing" not in shown and "Billing and collection" not in empty
    assert "Email" in empty  # a category the section holds, with nothing in it
    assert staff.get("/invoices/").status_code == 403  # no section of the user keeps billing
    change = SectionChange.get(SectionChange.action == "categories")
    assert "billing" in change.old_value and "billing" not in change.new_value
    assert json.loads(change.detail) == {"choice": "keep", "counts": {"invoice": 1}}
    assert change.changed_by_id == people["controller"].id
    event = AuditEvent.select().where(AuditEvent.object_type == "section").order_by(
        AuditEvent.id.desc()).get()
    assert (event.action, event.object_id, event.fields) == ("update", "tourism", "categories")


def _purge(controller):
    snapshot = retention.Snapshot.now(list(Section.select()))
    result = retention.preview(snapshot)
    run = retention.start_preview(snapshot, result, controller)
    retention.confirm(run.id, controller)
    return retention.execute(run.id, batch_size=1, actor=controller)


def test_data_kept_until_the_purge_is_removed_by_the_purge(app, client, auth, people, runner):
    customers = []
    for number in range(3):
        c = _customer("tourism", first_name=f"Aktiivi{number}", last_name="Asiakas",
                      email=f"a{number}@example.com")
        ContactEvent.create(customer=c, occurred_at=NOW - datetime.timedelta(days=10),
                            direction="in", channel="phone", summary="Soitto")
        Invoice.create(customer=c, number=f"OLD-{number}", invoice_date=OLD_INVOICE_DAY,
                       due_date=OLD_INVOICE_DAY, amount="20.00", collection_state="paid")
        refresh_last_activity(c.id)
        customers.append(c)
    Invoice.create(customer=customers[0], number="KEPT-1", invoice_date=KEPT_INVOICE_DAY,
                   due_date=KEPT_INVOICE_DAY, amount="30.00", collection_state="paid")
    auth.login_as("controller", language="en")
    without = [c for c in TOURISM if c not in ("billing", "email")]
    counts = leftover.data_counts(_section("tourism"), ("billing", "email"))
    assert counts == {"customer.email": 3, "invoice": 3}  # the kept invoice is not counted
    assert _save(client, "tourism", without, choice="keep").status_code == 302
    preview = client.get("/retention/").get_data(as_text=True)
    assert "Data of categories the section no longer holds" in preview
    assert "Email 3" in preview and "Invoices 3" in preview
    printed = runner.invoke(args=["retention", "preview", "--section", "tourism"]).output
    assert "no longer held: invoice" in printed and "no longer held: customer.email" in printed

    run = _purge(people["controller"])
    shown = client.get(f"/retention/runs/{run.id}").get_data(as_text=True)
    assert "no longer holds, removed: Email 3, Invoices 3" in shown
    assert run.state == "finished" and run.deleted == 0  # every customer is in use
    done = json.loads(run.done)
    assert done["tourism"]["categories_removed"] == {"customer.email": 3, "invoice": 3}
    assert [i.number for i in Invoice.select()] == ["KEPT-1"]  # the Accounting Act's
    assert Customer.select().where(Customer.email.is_null(False)).count() == 0
    assert Customer.select().count() == 3
    assert leftover.data_counts(_section("tourism"), ("billing", "email")) == {}
    shown, empty = _report_categories(customers[1].id)
    assert "billing" not in shown and "email" not in shown and "Email" not in empty
    assert "the purge removes this data" in _report_categories(customers[0].id)[0]["billing"]


def test_delete_now_removes_the_data_at_once_with_counts_and_audit(app, client, auth, people):
    for number in range(3):
        c = _customer("business", first_name=f"Bea{number}", last_name="Bisnes",
                      email=f"b{number}@example.org" if number else None)
        Demographics.create(customer=c, profession="Arkkitehti", education="TkK")
    other = _customer("tourism", first_name="Toinen", last_name="Osasto",
                      email="toinen@example.org")
    auth.login_as("controller")
    without = [c for c in BUSINESS if c not in ("demographics", "email")]
    asked = _save(client, "business", without).get_data(as_text=True)
    assert 'value="delete"' in asked
    answer = _save(client, "business", without, choice="delete")
    assert answer.status_code == 302
    assert Demographics.select().count() == 0
    assert Customer.select().where(Customer.email.is_null(False)).count() == 1  # tourism's
    assert Customer.get_by_id(other.id).email == "toinen@example.org"
    shown, empty = _report_categories(Customer.get(Customer.first_name == "Bea1").id)
    assert "demographics" not in shown and "email" not in shown
    assert "Demographics" not in empty and "Email" not in empty
    change = SectionChange.get(SectionChange.action == "delete_data")
    assert json.loads(change.detail) == {"counts": {"customer.email": 2, "demographics": 3}}
    events = list(AuditEvent.select().where((AuditEvent.object_type == "section")
                                            & (AuditEvent.action == "delete")))
    assert len(events) == 1 and events[0].fields == "customer.email,demographics"
    flashed = client.get(PAGE).get_data(as_text=True)
    assert "Data of removed categories deleted" in flashed or "poistettiin" in flashed


def test_delete_now_goes_in_batches_and_leaves_held_customers(app, people):
    made = [_customer("business", first_name=f"N{n}", last_name="Erä") for n in range(6)]
    for c in made:
        Demographics.create(customer=c, profession="Opettaja")
    RectificationRequest.create(customer=made[0], received_at=NOW, requester_name="N0 Erä",
                                description="Ammatti väärin")  # open: the customer is held
    without = [c for c in BUSINESS if c != "demographics"]
    removed, counts, held = rules.removal(_section("business"), without)
    assert (removed, counts, held) == (("demographics",), {"demographics": 6}, 1)
    Section.update(categories=" ".join(c for c in without if c != "record")).where(
        Section.code == "business").execute()
    totals = rules.delete_data(_section("business"), removed, people["controller"],
                               batch_size=2)
    assert totals == {"demographics": 5}  # the held customer keeps its row until the hold ends
    assert [d.customer_id for d in Demographics.select()] == [made[0].id]
    assert AuditEvent.select().where((AuditEvent.object_type == "section")
                                     & (AuditEvent.action == "delete")).count() == 3
    assert _section("tourism").categories == " ".join(c for c in TOURISM if c != "record")


# --- a third section -----------------------------------------------------------------------


def test_a_third_section_is_a_row_everywhere(app, client, auth, people, make_user):
    auth.login_as("controller")
    answer = _add(client, "events", ["identity", "record", "email", "history", "billing"])
    assert answer.status_code == 302, answer.get_data(as_text=True)
    events = _section("events")
    assert events.category_set == {"identity", "email", "history", "billing", "record"}
    assert RetentionPolicy.get(RetentionPolicy.section == events.id).months == 60
    # Users can be given it: the access request form offers it.
    form = client.get("/access/requests/new/").get_data(as_text=True)
    assert 'value="events"' in form
    make_user("staff_e", "staff", ["events"])
    staff = new_session(app, "staff_e")
    page = staff.get("/customers/new/").get_data(as_text=True)
    assert 'name="email"' in page and 'id="invoices"' in page
    assert 'name="phone"' not in page and 'id="addresses"' not in page
    answer = staff.post("/customers/new/", data=_person_form(staff, email="e@example.org",
                                                             phone="040 123 4567"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    customer = Customer.get(Customer.last_name == "Öberg")
    assert customer.section_id == events.id and customer.phone is None  # not its category
    # Its customers are its users' only.
    tourism_staff = new_session(app, "staff_t")
    assert tourism_staff.get(f"/customers/details/?id={customer.id}").status_code == 404
    assert "Öberg" not in tourism_staff.get("/customers/").get_data(as_text=True)
    assert staff.get(f"/customers/details/?id={customer.id}").status_code == 200
    # Statistics and the purge preview count it.
    tables = statistics.build(statistics.default_filters())
    assert "events" in tables["customers_by_kind"].rows
    assert "events" not in tables["customers_by_postal_area"].columns  # no addresses
    assert "Tapahtumat" in client.get("/statistics/").get_data(as_text=True)
    result = retention.preview(retention.Snapshot.now(list(Section.select())))
    assert "events" in [part.section.code for part in result.sections]
    assert "Tapahtumat" in client.get("/retention/").get_data(as_text=True)


def test_a_section_in_use_cannot_be_deleted_an_unused_one_can(app, client, auth, people):
    _customer("tourism", first_name="Pysyvä", last_name="Asiakas")
    auth.login_as("controller", language="en")
    page = client.get(PAGE).get_data(as_text=True)
    assert f'action="{PAGE}{_section("tourism").id}/delete"' not in page  # it says why
    assert "It has customers" in page and "Users have it" in page
    token = csrf_token(page)
    answer = client.post(f"{PAGE}{_section('tourism').id}/delete", data={"csrf_token": token},
                         follow_redirects=True)
    assert "cannot be deleted. It has customers" in answer.get_data(as_text=True)
    answer = client.post(f"{PAGE}{_section('business').id}/delete", data={"csrf_token": token},
                         follow_redirects=True)
    assert "cannot be deleted. Users have it" in answer.get_data(as_text=True)
    assert Section.select().count() == 2
    assert _add(client, "spare", ["identity", "record"]).status_code == 302
    spare = _section("spare").id
    assert f'action="{PAGE}{spare}/delete"' in client.get(PAGE).get_data(as_text=True)
    answer = client.post(f"{PAGE}{spare}/delete", data={"csrf_token": token})
    assert answer.status_code == 302
    assert not Section.select().where(Section.code == "spare").exists()
    assert not RetentionPolicy.select().where(RetentionPolicy.section.is_null()).exists()
    assert [c.action for c in SectionChange.select().where(SectionChange.section_code == "spare")
            .order_by(SectionChange.id)] == ["create", "delete"]
    assert AuditEvent.select().where((AuditEvent.object_type == "section")
                                     & (AuditEvent.object_id == "spare")).count() == 2
    # An import's report names its section: that history is kept too.
    assert _add(client, "events", ["identity", "record"]).status_code == 302
    ImportRun.create(section=_section("events"), user=people["controller"], kind="dry_run",
                     file_name="x.csv", file_hash="0" * 64, mapping="{}", state="checked")
    answer = client.post(f"{PAGE}{_section('events').id}/delete", data={"csrf_token": token},
                         follow_redirects=True)
    assert "cannot be deleted. Imports name it" in answer.get_data(as_text=True)


# --- who may, and bad input ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["responsible", "handler_t", "staff_t", "maint"])
def test_only_the_controller_may(client, auth, people, username):
    auth.login_as(username)
    token = auth.token()
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}new", data={"csrf_token": token, "code": "x",
                                           "name_fi": "X", "categories": ["identity",
                                                                          "record"]}
                       ).status_code == 403
    tourism = _section("tourism").id
    assert client.post(f"{PAGE}{tourism}", data={"csrf_token": token, "version": "1",
                                                 "name_fi": "X", "categories": ["identity",
                                                                                "record"]}
                       ).status_code == 403
    assert client.post(f"{PAGE}{tourism}/delete", data={"csrf_token": token}).status_code == 403
    assert "/settings/sections/" not in client.get("/").get_data(as_text=True)
    assert Section.select().count() == 2 and _section("tourism").category_set == set(TOURISM)


def test_logged_out_goes_to_the_login(client):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("code, names, message", [
    ("tourism", {}, "exists already"),
    ("Events", {}, "lowercase"),
    ("ev-1", {}, "lowercase"),
    ("äö", {}, "lowercase"),
    ("", {}, "lowercase"),
    ("x" * 33, {}, "lowercase"),
    ("2026", {}, "starting with a letter"),  # the audit log names sections by their code
    ("1tapahtumat", {}, "starting with a letter"),
    ("events", {"name_fi": ""}, "in Finnish"),
    ("events", {"name_fi": "N" * 201}, "at most 200"),
    ("events", {"name_en": "N" * 201}, "at most 200"),
])
def test_a_bad_new_section_is_refused_and_nothing_stored(client, auth, people, code, names,
                                                         message):
    auth.login_as("controller", language="en")
    answer = _add(client, code, ["identity", "record"], **names)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert Section.select().count() == 2 and SectionChange.select().count() == 0


def test_bad_categories_and_stale_saves_are_refused(client, auth, people):
    auth.login_as("controller", language="en")
    before = _section("tourism").categories
    for categories, message in ((["identity", "email"], "cannot be removed"),
                                (["record", "email"], "cannot be removed"),
                                (["identity", "record", "nonsense"], "no data category")):
        answer = _save(client, "tourism", categories)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    tourism = _section("tourism").id
    stale = client.post(f"{PAGE}{tourism}", data={
        "csrf_token": token, "version": "0", "name_fi": "Uusi nimi",
        "categories": TOURISM})
    assert stale.status_code == 400 and "Someone else" in stale.get_data(as_text=True)
    assert "Uusi nimi" in stale.get_data(as_text=True)  # the input is kept
    for bad in ("tourism", "9" * 25, "-1", "abc"):
        assert client.post(f"{PAGE}{bad}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{PAGE}{tourism}", data={"csrf_token": token, "version": "1",
                                               "name_fi": "Nul\x00", "categories": TOURISM}
                       ).status_code == 400
    assert client.post(f"{PAGE}999999/delete", data={"csrf_token": token}).status_code == 404
    assert _section("tourism").categories == before and _section("tourism").name_fi != "Uusi nimi"


def test_renaming_is_versioned_and_shown(client, auth, people):
    auth.login_as("controller")
    assert _save(client, "business", BUSINESS, name_sv="Näringslivsutveckling",
                 name_en="Enterprise Development").status_code == 302
    business = _section("business")
    assert business.name_en == "Enterprise Development" and business.version == 2
    change = SectionChange.get(SectionChange.action == "names")
    assert json.loads(change.old_value)["en"] == "Business Development"
    assert json.loads(change.new_value)["en"] == "Enterprise Development"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Enterprise Development" in page
    # Saving the same again changes nothing and writes no history.
    assert _save(client, "business", BUSINESS).status_code == 302
    assert SectionChange.select().count() == 1


def test_schema_matches_the_models(db_url):
    for model in (Section, SectionChange):
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        assert columns == {f.column_name for f in model._meta.sorted_fields}


def test_the_list_its_export_and_the_marketing_list_leave_out_a_removed_category(
        app, client, auth, people):
    # A company: its email is listed without a consent (a private person's is not).
    customer = _customer("business", kind="company", name="Poistuu Oy",
                         business_id="0737546-2", email="poistuu@example.org")
    Address.create(customer=customer, kind="postal", street="Vuosaarentie 1",
                   postal_code="00980", city="Vuosaari")
    refresh_city(customer.id)
    staff = new_session(app, "staff_b")
    assert "Vuosaari" in staff.get("/customers/").get_data(as_text=True)
    criteria = marketing.Criteria(section_id=_section("business").id, language="fi")
    assert [(r["email"], r["city"]) for r in marketing.rows(criteria)] == [
        ("poistuu@example.org", "Vuosaari")]
    auth.login_as("controller")
    without = [c for c in BUSINESS if c not in ("address", "birth_or_business_id", "email")]
    assert _save(client, "business", without, choice="keep").status_code == 302
    listed = staff.get("/customers/").get_data(as_text=True)
    exported = staff.get("/customers/export/csv/").get_data(as_text=True)
    for text in (listed, exported):
        assert "Poistuu Oy" in text and "Vuosaari" not in text and "0737546-2" not in text
    assert Address.select().count() == 1  # until the purge
    assert [(r["name"], r["email"], r["city"]) for r in marketing.rows(criteria)] == [
        ("Poistuu Oy", "", "")]


def test_contact_persons_of_a_removed_category_get_no_new_prohibition(app, client, auth,
                                                                      people):
    """The customer's page hides a contact person the section no longer holds; so does the
    prohibitions page, which records nothing for them (they wait for the purge)."""
    from models import ContactPerson, Prohibition
    from services.localtime import helsinki_today

    company = Customer.create(section=_section("tourism"), kind="company", name="Oy Yhteys Ab")
    person = ContactPerson.create(customer=company, first_name="Salainen",
                                  last_name="Yhteyshenkilö")
    auth.login_as("controller")
    without = [c for c in TOURISM if c != "contact_persons"]
    assert _save(client, "tourism", without, choice="keep").status_code == 302
    staff = new_session(app, "staff_t")
    page = staff.get(f"/prohibitions/?customer={company.id}").get_data(as_text=True)
    assert "Salainen" not in page
    answer = staff.post(f"/prohibitions/?customer={company.id}", data={
        "csrf_token": csrf_token(page), "subject": str(person.id),
        "purpose": "direct_marketing", "action": "given",
        "effective_on": str(helsinki_today()), "source": "letter"})
    assert answer.status_code in (200, 404)
    assert not Prohibition.select().where(Prohibition.contact_person == person.id).exists()


def test_the_duplicate_checks_compare_no_data_of_a_removed_category(app, client, auth,
                                                                    people):
    """Two customers sharing an email the section no longer holds: the possible-duplicates
    page does not pair them by it, and the create form's check does not tell who has it."""
    hidden = _customer("tourism", first_name="Eka", last_name="Asiakas",
                       email="same@example.com")
    _customer("tourism", first_name="Toka", last_name="Henkilö", email="same@example.com")
    auth.login_as("controller")
    assert _save(client, "tourism", [c for c in TOURISM if c != "email"],
                 choice="keep").status_code == 302
    staff = new_session(app, "staff_t")
    page = staff.get("/customers/duplicates/?reason=email").get_data(as_text=True)
    assert "Eka" not in page and "Toka" not in page
    answer = staff.get("/customers/duplicates/check/", query_string={
        "section": "tourism", "kind": "person", "first_name": "X", "last_name": "Y",
        "email": "same@example.com"})
    assert answer.status_code == 200
    assert hidden.id not in [m["customer_id"] for m in answer.get_json()]
    # The business section still holds email: there the check compares it.
    from services.duplicates import find_duplicates
    other = _customer("business", first_name="Kolmas", last_name="Yritys",
                      email="same@example.com")
    assert [m.customer_id for m in find_duplicates(
        _section("business").id, {"email": "same@example.com"})] == [other.id]


def test_a_category_kept_after_the_preview_is_not_removed_by_its_run(app, client, auth,
                                                                     people):
    """The purge is previewed with nothing of a removed category in it; another controller
    then takes email from tourism, kept until the purge: the old preview is not confirmed
    (what the run would remove changed), and nothing is removed unpreviewed."""
    from models import ContactEvent, PurgeRun
    from services.customers import refresh_last_activity

    made = []
    for number in range(3):
        customer = _customer("tourism", first_name=f"Aktiivi{number}", last_name="Asiakas",
                             email=f"a{number}@example.com")
        ContactEvent.create(customer=customer, occurred_at=utcnow(), direction="in",
                            channel="phone", summary="Soitto")
        refresh_last_activity(customer.id)
        made.append(customer)
    auth.login_as("controller", language="en")
    preview = client.get("/retention/").get_data(as_text=True)
    run = PurgeRun.select().order_by(PurgeRun.id.desc()).first()
    other = new_session(app, "controller")
    assert _save(other, "tourism", [c for c in TOURISM if c != "email"],
                 choice="keep").status_code == 302
    client.post(f"/retention/runs/{run.id}/confirm", data={"csrf_token": csrf_token(preview)})
    assert PurgeRun.get_by_id(run.id).state != "confirmed"
    assert [Customer.get_by_id(c.id).email for c in made] == [c.email for c in made]
    # A fresh preview counts the kept email, and its run removes it.
    fresh = client.get("/retention/").get_data(as_text=True)
    run = PurgeRun.select().order_by(PurgeRun.id.desc()).first()
    assert '"kept": {"tourism": ["email"]}' in run.policy
    client.post(f"/retention/runs/{run.id}/confirm", data={"csrf_token": csrf_token(fresh)})
    assert PurgeRun.get_by_id(run.id).state == "confirmed"


def test_billing_removed_with_only_kept_invoices_goes_with_a_later_purge(app, client, auth,
                                                                        people):
    """Billing taken from a section whose only billing data is an invoice the Accounting
    Act keeps: nothing is asked (nothing may go yet), but the removal is recorded as kept
    until the purge, so the purge takes the invoice once its keeping ends."""
    import time_machine
    from services import retention

    keep_from = retention.keeping_starts(retention.helsinki_today(utcnow()))
    customer = _customer("tourism", first_name="Käytössä", last_name="Asiakas")
    Invoice.create(customer=customer, number="KEPT-1",
                   invoice_date=keep_from + datetime.timedelta(days=30),
                   due_date=keep_from + datetime.timedelta(days=60), amount="10.00",
                   collection_state="paid", paid_on=keep_from + datetime.timedelta(days=40))
    auth.login_as("controller")
    assert _save(client, "tourism", [c for c in TOURISM if c != "billing"]).status_code == 302
    assert leftover.kept_categories(_section("tourism")) == ("billing",)
    assert leftover.data_counts(_section("tourism"), ("billing",)) == {}  # not yet
    later = utcnow().replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(days=8 * 366)
    with time_machine.travel(later, tick=False):
        assert leftover.data_counts(_section("tourism"), ("billing",)) == {"invoice": 1}


def test_the_search_matches_no_data_of_a_removed_category(app, client, auth, people):
    """A customer's email and phone the section no longer holds are not searched: a match
    would tell whose they are. Its name still is, and another section's email too."""
    hidden = _customer("tourism", first_name="Piilo", last_name="Sähköposti",
                       email="piilotettu.osoite@example.com", phone="+358401234567")
    shown = _customer("business", first_name="Näkyvä", last_name="Yritys",
                      email="piilotettu.toinen@example.com")
    auth.login_as("controller")
    assert _save(client, "tourism", [c for c in TOURISM if c not in ("email", "phone")],
                 choice="keep").status_code == 302
    staff = new_session(app, "staff_t")

    def found(session, term):
        page = session.get(f"/customers/?search={term}").get_data(as_text=True)
        return {c.id for c in (hidden, shown) if f'&amp;id={c.id}"' in page}

    for term in ("piilotettu.osoite", "0401234567", "Piilo piilotettu"):
        assert found(staff, term) == set(), term
    assert found(staff, "Piilo Sähköposti") == {hidden.id}
    assert found(new_session(app, "controller"), "piilotettu") == {shown.id}


def _filter_arg(app, title):
    """Return the customer list's ``flt0_N`` of the filter titled ``title`` (English)."""
    from flask_babel import force_locale

    view = next(v for v in app.extensions["admin"][0]._views
                if getattr(v, "endpoint", None) == "customers")
    with app.test_request_context(), force_locale("en"):
        return next(f"flt0_{key}" for key, (_index, flt) in view._filter_args.items()
                    if str(flt.name) == title)


def test_the_list_filters_match_no_data_of_a_removed_category(app, client, auth, people):
    """The city and language filters do not match a customer by the address or language
    its section no longer holds (a match would tell them)."""
    hidden = _customer("tourism", first_name="Piilo", last_name="Osoite", language="sv")
    Address.create(customer=hidden, kind="postal", street="Katu 1", postal_code="00100",
                   city="Salakaupunki", country="FI")
    refresh_city(hidden.id)
    shown = _customer("business", first_name="Näkyvä", last_name="Yritys", language="sv")
    auth.login_as("controller")
    assert _save(client, "tourism", [c for c in TOURISM if c not in ("address", "language")],
                 choice="keep").status_code == 302
    controller = new_session(app, "controller")
    city, language = _filter_arg(app, "City"), _filter_arg(app, "Language")
    for query, expected in ((f"{city}=Salakaupunki", set()), (f"{language}=sv", {shown.id})):
        page = controller.get(f"/customers/?{query}").get_data(as_text=True)
        listed = {c.id for c in (hidden, shown) if f'&amp;id={c.id}"' in page}
        assert listed == expected, query


def test_a_henkilotunnus_is_no_section_name(client, auth, people):
    """A section's name is free text the register stores and shows everywhere: the
    henkilötunnus guard holds for it too, in each language, when adding and renaming."""
    auth.login_as("controller")
    before = (Section.select().count(), _section("tourism").name_fi)
    for names in ({"name_fi": "Matkailu 131052-308T"}, {"name_en": "131052A308T"}):
        response = _save(client, "tourism", TOURISM, **names)
        assert response.status_code == 400 and "henkilötunnus" in response.get_data(
            as_text=True).lower()
        assert _add(client, "uusi", TOURISM, **names).status_code == 400
    assert (Section.select().count(), _section("tourism").name_fi) == before
    assert not SectionChange.select().where(
        SectionChange.new_value.contains("131052")).exists()


def test_what_delete_now_leaves_with_a_held_customer_goes_with_the_purge(app, client, auth,
                                                                         people):
    """A held customer keeps the data of a category deleted now until the hold ends, and
    the purge takes it then (it stayed, hidden from the screens, for good)."""
    made = [_customer("business", first_name=f"Pidetty{n}", last_name="Asiakas",
                      email=f"p{n}@example.org") for n in range(3)]
    for c in made:
        ContactEvent.create(customer=c, occurred_at=NOW - datetime.timedelta(days=10),
                            direction="in", channel="phone", summary="Soitto")
        refresh_last_activity(c.id)
    held = RectificationRequest.create(customer=made[0], received_at=NOW,
                                       requester_name="Pidetty0 Asiakas",
                                       description="Sähköposti väärin")
    auth.login_as("controller")
    without = [c for c in BUSINESS if c != "email"]
    assert _save(client, "business", without, choice="delete").status_code == 302
    assert [c.id for c in Customer.select().where(Customer.email.is_null(False))] == \
        [made[0].id]
    assert leftover.kept_categories(_section("business")) == ("email",)
    RectificationRequest.update(decision="refused", decided_at=NOW,
                                decision_reason="Ei aihetta").where(
        RectificationRequest.id == held.id).execute()
    run = _purge(people["controller"])
    assert run.state == "finished"
    assert not Customer.select().where(Customer.email.is_null(False)).exists()
    assert leftover.data_counts(_section("business"), ("email",)) == {}
