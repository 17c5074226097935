"""Section isolation in the data-subject flows (seed §9, §14; DESIGN.md §4.14): the on-site
path, the handlers' subject search, a request's records after the decision, an audit event
on every customer read, disclosures, statistics row labels and uniform 404s — on SQLite and
PostgreSQL, through HTTP where a user would notice."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from models import (
    AccessRequest,
    AuditEvent,
    ContactPerson,
    Customer,
    Disclosure,
    DisclosureRecipient,
    InspectionRequest,
    InspectionSubject,
    Purchase,
    Section,
    utcnow,
)
from services import disclosures
from services import requests as rules
from services import statistics as stats
from services.localtime import helsinki_date, to_helsinki
from tests.conftest import csrf_token, user

BIRTH = datetime.date(1961, 3, 14)


PEOPLE = ("handler_t", "handler_b", "staff_t", "responsible", "controller")


@pytest.fixture
def register(app, people):
    """Pekka Palm as a tourism customer and as a business customer (another email and phone),
    a business company with a contact person, and a tourism company."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    palm_t = Customer.create(section=tourism, kind="person", first_name="Pekka",
                             last_name="Palm", birth_date=BIRTH, email="pekka@matkailu.example")
    palm_b = Customer.create(section=business, kind="person", first_name="Pekka",
                             last_name="Palm", birth_date=BIRTH, email="palm@salainen.example",
                             phone="+358409998877")
    firm = Customer.create(section=business, kind="company", name="Palmin Konepaja Oy",
                           business_id="0737546-2", email="info@konepaja.example")
    contact = ContactPerson.create(customer=firm, first_name="Pekka", last_name="Palm",
                                   role="Toimitusjohtaja", email="pekka@konepaja.example",
                                   phone="+358401112233")
    return {"palm_t": palm_t.id, "palm_b": palm_b.id, "firm": firm.id, "contact": contact.id}


def login(auth, username):
    """Log in as ``username`` (logging out whoever was in), pages in English; return a token."""
    return auth.login_as(username, switch=True, language="en", token_from="/")


def text(response):
    return response.get_data(as_text=True)


def customer_events(customer_id, action=None):
    query = AuditEvent.select().where((AuditEvent.object_type == "customer")
                                      & (AuditEvent.object_id == str(customer_id)))
    if action:
        query = query.where(AuditEvent.action == action)
    return list(query.order_by(AuditEvent.id))


def written_request(username="handler_t", sections=("tourism",), **extra):
    """Register a request through the service, identified; return its parts."""
    parts = rules.register_parts(
        user(username), received_at=utcnow() - datetime.timedelta(hours=1),
        channel="written", requester_name=extra.pop("requester_name", "Pekka Palm"),
        requester_contact="Mannerheimintie 1, 00100 Helsinki", sections=list(sections),
        **extra)
    for part in parts:
        handler = "handler_t" if part.section.code == "tourism" else "handler_b"
        rules.record_identity(user(handler), part, method="passport")
    return [InspectionRequest.get_by_id(p.id) for p in parts]


# --- on site ----------------------------------------------------------------------------------


@pytest.mark.clock
def test_on_site_finds_and_serves_only_the_staff_members_own_section(client, auth, register):
    token = login(auth, "staff_t")
    page = text(client.get("/requests/on-site/"))
    # Only the own section can be served now; the page says where the rest goes.
    assert re.findall(r'<option[^>]*value="(tourism|business)"', page) == ["tourism"]
    scope_note = re.search(r'<p id="on-site-scope">(.*?)</p>', page, re.S).group(1)
    assert "Tourism and Convention Bureau" in scope_note
    assert "other sections (Business Development)" in scope_note
    form = {"csrf_token": token, "requester_name": "Pekka Palm", "section": "tourism",
            "language": "fi", "identity_method": "id_card", "birth_date": "1961-03-14",
            "other_parts": "y"}
    found = text(client.post("/requests/on-site/", data={**form, "action": "search"}))
    assert f'value="customer:{register["palm_t"]}"' in found
    assert f'customer:{register["palm_b"]}' not in found
    assert "palm@salainen.example" not in found and "+358409998877" not in found
    # Asking for the other section by hand is refused; nothing is recorded.
    r = client.post("/requests/on-site/", data={**form, "section": "business",
                                                "action": "search"})
    assert r.status_code == 200 and "palm@salainen.example" not in text(r)
    r = client.post("/requests/on-site/", data={
        **form, "section": "business", "action": "serve",
        "record": f"customer:{register['palm_b']}"})
    assert r.status_code == 200 and InspectionRequest.select().count() == 0
    # Posting the other section's record with the own section: refused, nothing served.
    r = client.post("/requests/on-site/", data={
        **form, "action": "serve", "record": f"customer:{register['palm_b']}"})
    assert r.status_code == 200 and InspectionRequest.select().count() == 0

    # Serving: the own section's record at once, the other section's part for its handler.
    r = client.post("/requests/on-site/", data={
        **form, "action": "serve", "record": f"customer:{register['palm_t']}"})
    assert r.status_code == 302, text(r)
    served = InspectionRequest.get(InspectionRequest.on_site == True)  # noqa: E712
    assert rules.state_of(served) == "delivered"
    assert [s.customer_id for s in rules.subjects_of(served)] == [register["palm_t"]]
    report = client.get(f"/requests/{served.id}/report.json")
    assert report.status_code == 200
    assert "pekka@matkailu.example" in text(report)
    assert "palm@salainen.example" not in text(report)
    (part,) = rules.parts_of(served)
    assert part.section.code == "business" and not part.on_site
    assert part.channel == "in_person" and rules.state_of(part) == "identified"
    assert part.identity_method == "id_card" and part.identity_checked_by_id == user(
        "staff_t").id
    assert part.due_at == rules.due_from(part.received_at)
    assert part.group_id == served.id and served.group_id == served.id
    # The staff member sees the part exists, but no record of it.
    page = text(client.get(f"/requests/{part.id}/"))
    assert "palm@salainen.example" not in page and "Konepaja" not in page
    # The business handler has it on the work list and finds the business records.
    login(auth, "handler_b")
    assert rules.worklist(user("handler_b"))["subjects"] == [part]
    found = rules.search_subjects(user("handler_b"), part,
                                  rules.SubjectQuery(name="Pekka Palm", birth_date=BIRTH))
    assert [c.customer.id for c in found] == [register["palm_b"]]


def test_on_site_without_the_other_parts_registers_only_the_own_section(app, register):
    served, _report, parts = rules.serve_on_site(
        user("staff_t"), requester_name="Pekka Palm", section="tourism",
        identity_method="id_card", other_parts=False, produce_report=lambda r: {})
    assert parts == [] and served.group_id is None
    with pytest.raises(rules.RegisterError, match="sections you work in"):
        rules.serve_on_site(user("staff_t"), requester_name="Pekka Palm", section="business",
                            identity_method="id_card", produce_report=lambda r: {})
    assert InspectionRequest.select().count() == 1


def test_a_company_id_with_a_one_letter_name_finds_no_one(client, auth, register):
    token = login(auth, "handler_b")
    form = {"csrf_token": token, "requester_name": "a", "section": "business",
            "language": "fi", "identity_method": "", "business_id": "0737546-2",
            "action": "search"}
    page = text(client.post("/requests/on-site/", data=form))
    assert "Palmin Konepaja" not in page and "pekka@konepaja.example" not in page
    page = text(client.post("/requests/on-site/", data={**form, "requester_name": "Pekka Palm"}))
    assert f'value="contact_person:{register["contact"]}"' in page


# --- handlers and parts -----------------------------------------------------------------------


@pytest.mark.clock
def test_a_request_for_both_sections_is_one_part_a_section(client, auth, register):
    token = login(auth, "staff_t")
    r = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": to_helsinki(utcnow() - datetime.timedelta(
            hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "written", "requester_name": "Pekka Palm", "sections": ["tourism",
                                                                             "business"],
        "language": "fi"})
    assert r.status_code == 302, text(r)
    tourism, business = InspectionRequest.select().order_by(InspectionRequest.id)
    assert tourism.section.code == "tourism" and business.section.code == "business"
    assert tourism.group_id == business.group_id == tourism.id
    assert business.due_at == tourism.due_at
    for part in (tourism, business):
        rules.record_identity(user("responsible"), part, method="passport")
    # Each handler finds and links the records of the own section only.
    query = rules.SubjectQuery(name="Pekka Palm", birth_date=BIRTH,
                               phone="040 111 2233")
    handler_t, handler_b = user("handler_t"), user("handler_b")
    assert {c.key for c in rules.search_subjects(handler_t, tourism, query)} == {
        f"customer:{register['palm_t']}"}
    assert {c.key for c in rules.search_subjects(handler_b, business, query)} == {
        f"customer:{register['palm_b']}", f"contact_person:{register['contact']}"}
    with pytest.raises(rules.NotAllowed):
        rules.search_subjects(handler_t, business, query)
    with pytest.raises(rules.RegisterError, match="search results"):
        rules.link_subjects(handler_t, tourism, query, [f"customer:{register['palm_b']}"])
    rules.link_subjects(handler_t, tourism, query, [f"customer:{register['palm_t']}"])
    rules.link_subjects(handler_b, business, query,
                        [f"customer:{register['palm_b']}",
                         f"contact_person:{register['contact']}"])
    # The tourism handler gets 404 for the business part; the staff member who registered
    # it sees it, but none of its records.
    login(auth, "handler_t")
    assert client.get(f"/requests/{business.id}/").status_code == 404
    assert client.get(f"/requests/{business.id}/report.html").status_code == 404
    page = text(client.get(f"/requests/{tourism.id}/"))
    assert f"/requests/{business.id}/" in page  # the other part is named, with its state
    assert "palm@salainen.example" not in page and "Konepaja" not in page
    login(auth, "staff_t")
    page = text(client.get(f"/requests/{business.id}/"))
    assert "Konepaja" not in page and "Toimitusjohtaja" not in page
    # The responsible person sees every part and its records.
    login(auth, "responsible")
    page = text(client.get(f"/requests/{business.id}/"))
    assert "Palmin Konepaja Oy" in page


def test_the_confirmed_records_are_frozen_by_the_decision(client, auth, register):
    (row,) = written_request()
    query = rules.SubjectQuery(name="Pekka Palm", birth_date=BIRTH)
    handler = user("handler_t")
    rules.link_subjects(handler, row, query, [f"customer:{register['palm_t']}"])
    rules.decide(user("responsible"), InspectionRequest.get_by_id(row.id), decision="approved")
    token = login(auth, "handler_t")
    row = InspectionRequest.get_by_id(row.id)
    assert client.get(f"/requests/{row.id}/report.json").status_code == 200
    page = text(client.get(f"/requests/{row.id}/"))
    assert "Confirming or removing a record takes the decision back" in page
    # Removing the record after the approval takes the approval back.
    subject = InspectionSubject.get(InspectionSubject.request == row.id)
    r = client.post(f"/requests/{row.id}/subjects/{subject.id}/remove",
                    data={"csrf_token": token, "version": str(row.version)})
    assert r.status_code == 302
    row = InspectionRequest.get_by_id(row.id)
    assert row.decision is None and row.decided_by_id is None
    assert rules.state_of(row) == "identified"
    assert client.get(f"/requests/{row.id}/report.json").status_code == 409
    event = AuditEvent.select().where((AuditEvent.object_type == "inspection_request")
                                      & (AuditEvent.action == "unlink_subject")).get()
    assert "decision" in event.fields.split(",")
    # Decided again, then a record added: back to the decision once more.
    rules.decide(user("controller"), row, decision="approved")
    rules.link_subjects(handler, InspectionRequest.get_by_id(row.id), query,
                        [f"customer:{register['palm_t']}"])
    assert InspectionRequest.get_by_id(row.id).decision is None


# --- every read is an event on the customer ---------------------------------------------------


def test_reads_through_a_request_are_audit_events_on_the_customer(client, auth, register):
    (row,) = written_request()
    token = login(auth, "handler_t")
    search = {"csrf_token": token, "subjects-version": str(row.version),
              "subjects-name": "Pekka Palm", "subjects-birth_date": "1961-03-14"}
    client.post(f"/requests/{row.id}/subjects", data={**search, "action": "search"})
    assert [e.action for e in customer_events(register["palm_t"])] == ["search"]
    assert customer_events(register["palm_b"]) == []
    client.post(f"/requests/{row.id}/subjects", data={
        **search, "action": "confirm", "record": f"customer:{register['palm_t']}"})
    client.get(f"/requests/{row.id}/")
    rules.decide(user("responsible"), InspectionRequest.get_by_id(row.id), decision="approved")
    assert client.get(f"/requests/{row.id}/report.pdf").status_code == 200
    events = customer_events(register["palm_t"])
    assert [e.action for e in events][-2:] == ["view", "report"]
    assert {e.fields for e in events} == {f"via.inspection_request.{row.id}"}
    assert {e.section for e in events} == {"tourism"}
    assert {e.actor for e in events} == {user("handler_t").pseudonym}
    # The audit log viewer filtered for the customer shows them.
    login(auth, "controller")
    page = text(client.get("/audit/", query_string={"flt0_3": "customer",
                                                     "flt1_4": str(register["palm_t"])}))
    assert page.count(f"via.inspection_request.{row.id}") == len(events)
    assert "Produced an inspection report" in page


def test_reads_through_a_disclosure_are_audit_events_on_the_customer(app, register):
    controller = user("controller")
    recipient = DisclosureRecipient.select().first()
    found = disclosures.prepare(controller, recipient.id, "Riita", "Laki")
    disclosures.find_customers(controller, "Palm", found)
    assert {e.action for e in customer_events(register["palm_b"])} == {"search"}
    disclosures.add_customers(controller, found, [register["palm_t"], register["palm_b"]])
    disclosures.customers_of(found, controller)
    disclosures.choose_categories(controller, Disclosure.get_by_id(found.id), ["identity"])
    current = Disclosure.get_by_id(found.id)
    disclosures.decide(controller, current, True, version=current.version)
    disclosures.carry_out(controller, Disclosure.get_by_id(found.id), "csv")
    for customer in (register["palm_t"], register["palm_b"]):
        actions = [e.action for e in customer_events(customer)]
        assert "view" in actions and actions[-1] == "export", actions
        assert customer_events(customer)[-1].fields == f"via.disclosure.{found.id}"


# --- disclosures ------------------------------------------------------------------------------


def test_a_handler_sees_only_the_own_sections_customers_of_a_disclosure(client, auth,
                                                                       register):
    handler = user("handler_t")
    recipient = DisclosureRecipient.select().first()
    found = disclosures.prepare(handler, recipient.id, "Riita", "Laki")
    disclosures.add_customers(handler, found, [register["palm_t"]])
    # The controller adds a business customer to the handler's disclosure.
    disclosures.add_customers(user("controller"), Disclosure.get_by_id(found.id),
                              [register["palm_b"]])
    assert [c.id for c in disclosures.customers_of(found, handler)] == [register["palm_t"]]
    assert {c.id for c in disclosures.customers_of(found, user("controller"))} == {
        register["palm_t"], register["palm_b"]}
    login(auth, "handler_t")
    page = text(client.get(f"/disclosures/{found.id}/"))
    assert "palm@salainen.example" not in page
    assert f'value="{register["palm_b"]}"' not in page
    # Removing every customer removes the handler's own ones only.
    disclosures.remove_customers(handler, Disclosure.get_by_id(found.id))
    assert disclosures.customer_count(found) == 1
    assert disclosures.customers_of(found, user("controller"))[0].id == register["palm_b"]
    # A disclosure with other sections' customers is carried out by the controller only.
    controller = user("controller")
    disclosures.add_customers(handler, Disclosure.get_by_id(found.id), [register["palm_t"]])
    disclosures.choose_categories(controller, Disclosure.get_by_id(found.id), ["identity"])
    current = Disclosure.get_by_id(found.id)
    disclosures.decide(controller, current, True, version=current.version)
    with pytest.raises(disclosures.NotAllowed):
        disclosures.carry_out(handler, Disclosure.get_by_id(found.id), "csv")
    content = disclosures.carry_out(controller, Disclosure.get_by_id(found.id), "csv").content
    assert b"Palm" in content


# --- statistics -------------------------------------------------------------------------------


@pytest.mark.clock
def test_a_typed_service_name_is_shown_only_when_enough_customers_bought_it(app, register):
    tourism = Section.get(code="tourism")
    day = helsinki_date(utcnow()).replace(day=1)
    buyers = [Customer.create(section=tourism, kind="person", first_name="Osta",
                              last_name=f"Ja{n}") for n in range(6)]
    for buyer in buyers:
        Purchase.create(customer=buyer, service="Opastettu kävely", purchased_on=day)
    # Typed for one customer, bought by them seven times: its name would tell who.
    for _ in range(7):
        Purchase.create(customer=register["palm_t"], service="Pekka Palmin yksityiskierros",
                        purchased_on=day)
    table = stats.purchases(stats.default_filters(helsinki_date(utcnow())))
    assert "Pekka Palmin yksityiskierros" not in table.rows
    assert table.rows == ["Opastettu kävely", stats.OTHER]
    assert table.values[(stats.OTHER, stats.TOTAL)] == 7
    assert "yksityiskierros" not in stats.to_csv([stats.table_rows(table, "t", "r", str, str)])


@pytest.mark.clock
def test_the_statistics_page_folds_rare_service_names(client, auth, register):
    day = helsinki_date(utcnow())
    Purchase.create(customer=register["palm_t"], service="Salainen palvelu", purchased_on=day)
    for n in range(5):
        buyer = Customer.create(section=Section.get(code="tourism"), kind="person",
                                first_name="Osta", last_name=f"Ja{n}")
        Purchase.create(customer=buyer, service="Opastettu kävely", purchased_on=day)
    login(auth, "responsible")
    page = text(client.get("/statistics/"))
    assert "Opastettu kävely" in page
    assert "Salainen palvelu" not in page and "Other services" in page
    export = client.get("/statistics/export.csv")
    assert export.status_code == 200 and "Opastettu kävely" in text(export)
    assert "Salainen palvelu" not in text(export)
    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx").data))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
    assert "Opastettu kävely" in cells and "Salainen palvelu" not in cells


# --- uniform 404 ------------------------------------------------------------------------------


def test_what_the_user_may_not_see_answers_404_like_what_does_not_exist(client, auth,
                                                                        register):
    (business,) = written_request(username="handler_b", sections=("business",))
    rules.decide(user("responsible"), business, decision="approved")
    login(auth, "handler_t")
    for rid in (business.id, 999999):
        for path in (f"/requests/{rid}/", f"/requests/{rid}/report.html",
                     f"/requests/{rid}/report.pdf"):
            assert client.get(path).status_code == 404, path
    # An access request of another section: 404 whatever its state, like none at all.
    tourism_handler_token = csrf_token(client.get("/").get_data(as_text=True))
    other = AccessRequest.create(kind="new", person_name="X", role="staff", reason="r",
                                 state="approved", requested_by=user("handler_b").id)
    from models import AccessRequestSection
    AccessRequestSection.create(request=other, section=Section.get(code="business"))
    for rid in (other.id, 999999):
        r = client.post(f"/access/requests/{rid}/implement/",
                        data={"csrf_token": tourism_handler_token, "username": "x.y"})
        assert r.status_code == 404, rid


def test_an_erasure_search_is_an_audit_event_on_each_customer_found(client, auth, register):
    login(auth, "responsible")
    page = text(client.get("/retention/erasure/", query_string={"q": "Palm"}))
    assert "Palmin Konepaja Oy" in page
    for customer in (register["palm_t"], register["palm_b"], register["firm"]):
        (event,) = customer_events(customer, "search")
        assert event.fields == "via.erasure" and event.actor_role == "responsible"
