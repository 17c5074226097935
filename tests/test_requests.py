"""Inspection requests (seed §14): register → identity → records → decision → delivery, the
one-week deadline in Helsinki time, the on-site path, who may do what, optimistic locking,
the audit trail and `flask requests overdue` — on SQLite and PostgreSQL."""

import datetime
import re

import pytest

from models import (
    AuditEvent,
    ContactPerson,
    Customer,
    InspectionRequest,
    InspectionSubject,
    Section,
    utcnow,
)
from services import requests as rules
from services.errors import RegisterError
from tests.conftest import csrf_token, helsinki_days_ago, typed, typed_now, user

HETU = "131052-308T"
# A request received some weeks ago, as the register form takes it.
RECEIVED_TYPED = typed(helsinki_days_ago(16, 10, 0))
UTC = datetime.timezone.utc


def helsinki_to_utc(*args):
    """Return the naive UTC time of a Helsinki wall-clock time."""
    return rules.from_helsinki(datetime.datetime(*args))


# One account of each role; handlers and staff in one section each.
PEOPLE = ("handler_t", "handler_b", "staff_t", "responsible", "controller", "maint")


@pytest.fixture
def register_data(app):
    """The requester Anna Äijälä as a tourism customer and as a business company's contact
    person, a namesake with other details, and an unrelated customer."""
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    anna = Customer.create(section=tourism, kind="person", first_name="Anna",
                           last_name="Äijälä", birth_date=datetime.date(1980, 5, 1),
                           email="anna.aijala@example.fi", mobile="+358401234567")
    company = Customer.create(section=business, kind="company", name="Äijälän Puutarha Oy",
                              business_id="0737546-2")
    contact = ContactPerson.create(customer=company, first_name="Anna", last_name="Äijälä",
                                   role="Toimitusjohtaja", email="anna@puutarha.fi",
                                   phone="+358401234567")
    namesake = Customer.create(section=business, kind="person", first_name="Anna",
                               last_name="Äijälä", birth_date=datetime.date(1955, 1, 1))
    other = Customer.create(section=tourism, kind="person", first_name="Bertta",
                            last_name="Bisnes", birth_date=datetime.date(1980, 5, 1))
    return {"anna": anna.id, "company": company.id, "contact": contact.id,
            "namesake": namesake.id, "other": other.id}


def page_token(client, path="/"):
    return csrf_token(client.get(path).get_data(as_text=True))


def new_request(username="handler_t", section="tourism", received_at=None, **extra):
    """Register a request through the service; return it."""
    return rules.register(
        user(username),
        received_at=received_at or utcnow() - datetime.timedelta(hours=1),
        channel=extra.pop("channel", "written"),
        requester_name=extra.pop("requester_name", "Anna Äijälä"),
        requester_contact=extra.pop("requester_contact", "Mannerheimintie 1, 00100 Helsinki"),
        section=section,
        **extra,
    )


def reload(row):
    return InspectionRequest.get_by_id(row.id)


def events(request_id, action=None):
    query = AuditEvent.select().where((AuditEvent.object_type == "inspection_request")
                                      & (AuditEvent.object_id == str(request_id)))
    if action:
        query = query.where(AuditEvent.action == action)
    return list(query.order_by(AuditEvent.id))


def text(response):
    return response.get_data(as_text=True)


# --- the deadline ---------------------------------------------------------------------------


@pytest.mark.clock
def test_due_one_week_later_across_a_week_boundary(app):
    """Received on Monday at 10:00 → due on the next Monday at 10:00; overdue a second later."""
    received = helsinki_to_utc(2026, 11, 23, 10, 0)  # Monday
    due = rules.due_from(received)
    assert rules.helsinki(due).replace(tzinfo=None) == datetime.datetime(2026, 11, 30, 10, 0)
    assert rules.helsinki(due).strftime("%A") == "Monday"

    row = InspectionRequest(received_at=received, due_at=due, delivered_at=None)
    sunday = helsinki_to_utc(2026, 11, 29, 23, 59)
    assert rules.deadline(row, sunday).days_left == 1
    assert not rules.deadline(row, sunday).overdue
    on_time = rules.deadline(row, due)
    assert on_time.days_left == 0 and not on_time.overdue
    late = rules.deadline(row, due + datetime.timedelta(seconds=1))
    assert late.overdue and late.days_over == 0
    tuesday = rules.deadline(row, helsinki_to_utc(2026, 12, 1, 9, 0))
    assert tuesday.overdue and tuesday.days_over == 1


@pytest.mark.clock
def test_due_keeps_the_helsinki_clock_over_the_end_of_summer_time(app):
    """Summer time ends on 25.10.2026: a week is then 169 hours, and still 10:00 to 10:00."""
    received = helsinki_to_utc(2026, 10, 19, 10, 0)
    due = rules.due_from(received)
    assert rules.helsinki(due).replace(tzinfo=None) == datetime.datetime(2026, 10, 26, 10, 0)
    assert due - received == datetime.timedelta(days=7, hours=1)


@pytest.mark.clock
def test_overdue_lists_open_requests_past_due(app, people):
    received = rules.from_helsinki(helsinki_days_ago(13, 10, 0))
    late = new_request(received_at=received)
    new_request(received_at=received + datetime.timedelta(days=2))
    delivered = new_request(received_at=received)
    InspectionRequest.update(delivered_at=received + datetime.timedelta(days=1),
                             decision="approved").where(
        InspectionRequest.id == delivered.id).execute()
    due = rules.due_from(received)
    assert rules.overdue(due) == []
    assert [r.id for r in rules.overdue(due + datetime.timedelta(seconds=1))] == [late.id]


# --- the whole flow in the browser's shoes ---------------------------------------------------


@pytest.mark.clock
def test_whole_flow_register_identity_records_decision_delivery(client, auth, people,
                                                                register_data):
    # A handler registers a written request.
    auth.login_as("handler_t")
    token = page_token(client, "/requests/new/")
    received = typed_now(minutes_ago=120)
    r = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": received,
        "channel": "written", "requester_name": "Anna Äijälä",
        "requester_contact": "anna.aijala@example.fi", "description": "Kaikki tietoni",
        "sections": "tourism", "language": "fi"})
    assert r.status_code == 302, text(r)
    row = InspectionRequest.get()
    assert r.location.endswith(f"/requests/{row.id}/")
    assert row.registered_by_id == user("handler_t").id
    assert rules.helsinki(row.received_at).strftime("%Y-%m-%dT%H:%M") == received
    assert row.due_at == rules.due_from(row.received_at)
    page = text(client.get(r.location))
    assert "Tarkastuspyyntö nro %d: Anna Äijälä" % row.id in page
    assert "7 päivää jäljellä" in page or "6 päivää jäljellä" in page

    # Deciding before the identity is checked is refused.
    auth.logout()
    auth.login_as("responsible")
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": token, "decision-version": "1", "decision": "approved"})
    assert r.status_code == 200
    assert "henkilöllisyyttä ei ole tarkistettu" in text(r)
    assert reload(row).decision is None

    # The handler records the identity check and finds the records of the own section.
    auth.logout()
    auth.login_as("handler_t")
    token = page_token(client, f"/requests/{row.id}/")
    now_local = typed_now()
    r = client.post(f"/requests/{row.id}/identity", data={
        "csrf_token": token, "identity-version": "1", "identity-method": "passport",
        "identity-note": "Passi nähty", "identity-checked_at": now_local})
    assert r.status_code == 302, text(r)
    row = reload(row)
    assert rules.state_of(row) == "identified" and row.version == 2
    assert row.identity_checked_by_id == user("handler_t").id

    search = {"csrf_token": token, "subjects-version": "2", "subjects-name": "anna äijälä",
              "subjects-email": "", "subjects-phone": "040 123 4567",
              "subjects-birth_date": "", "subjects-business_id": ""}
    r = client.post(f"/requests/{row.id}/subjects", data={**search, "action": "search"})
    assert r.status_code == 200
    found = set(re.findall(r'name="record" value="([^"]+)"', text(r)))
    anna, contact = f"customer:{register_data['anna']}", \
        f"contact_person:{register_data['contact']}"
    assert found == {anna}  # not the business contact person: another section's part
    assert "Äijälän Puutarha" not in text(r)
    r = client.post(f"/requests/{row.id}/subjects",
                    data={**search, "action": "confirm", "record": [anna, contact]})
    assert r.status_code == 200 and InspectionSubject.select().count() == 0
    r = client.post(f"/requests/{row.id}/subjects",
                    data={**search, "action": "confirm", "record": [anna]})
    assert r.status_code == 302, text(r)
    subjects = list(InspectionSubject.select().where(InspectionSubject.request == row.id))
    assert {(s.customer_id, s.contact_person_id) for s in subjects} == {
        (register_data["anna"], None)}

    # Neither the handler nor staff may decide.
    row = reload(row)
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": token, "decision-version": str(row.version), "decision": "approved"})
    assert r.status_code == 403
    auth.logout()
    auth.login_as("staff_t")
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": page_token(client), "decision-version": str(row.version),
        "decision": "approved"})
    assert r.status_code == 403
    assert reload(row).decision is None

    # The responsible person approves.
    auth.logout()
    auth.login_as("responsible")
    page = text(client.get(f"/requests/{row.id}/"))
    assert "Hyväksy pyyntö" in page
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": csrf_token(page), "decision-version": str(row.version),
        "decision": "approved"})
    assert r.status_code == 302, text(r)
    row = reload(row)
    assert row.decision == "approved" and row.decided_by_id == user("responsible").id

    # The handler delivers it.
    auth.logout()
    auth.login_as("handler_t")
    page = text(client.get(f"/requests/{row.id}/"))
    assert "Hyväksy pyyntö" not in page
    r = client.post(f"/requests/{row.id}/delivery", data={
        "csrf_token": csrf_token(page), "delivery-version": str(row.version),
        "delivery-method": "post",
        "delivery-delivered_at": typed_now()})
    assert r.status_code == 302, text(r)
    row = reload(row)
    assert rules.state_of(row) == "delivered" and row.delivery_method == "post"
    assert row.delivered_by_id == user("handler_t").id
    assert rules.overdue(row.due_at + datetime.timedelta(days=30)) == []

    # Every step and every view is in the audit log, with no personal data.
    actions = [e.action for e in events(row.id)]
    for action in ("create", "view", "identify", "search", "link_subject", "approve",
                   "deliver"):
        assert action in actions, action
    assert actions.index("create") < actions.index("identify") < actions.index("approve") \
        < actions.index("deliver")
    for event in events(row.id):
        assert event.section == "tourism"
        assert "Äijälä" not in (event.fields or "")
    assert [e.actor_role for e in events(row.id, "approve")] == ["responsible"]


def test_report_links_once_decided_for_who_may_read_them(client, auth, people):
    row = new_request(username="staff_t")
    rules.record_identity(user("handler_t"), row, method="id_card")
    auth.login_as("handler_t")
    page = text(client.get(f"/requests/{row.id}/"))
    assert "report.pdf" not in page
    rules.decide(user("responsible"), row, decision="approved")
    page = text(client.get(f"/requests/{row.id}/"))
    for fmt in ("html", "pdf", "json"):
        assert f'href="/requests/{row.id}/report.{fmt}"' in page
    pdf = client.get(f"/requests/{row.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # Staff who registered a written request sees it, but the handler produces its report.
    auth.logout()
    auth.login_as("staff_t")
    page = text(client.get(f"/requests/{row.id}/"))
    assert "report.pdf" not in page and "tuottaa tarkastusotteen" in page
    # A refused request links its refusal letter.
    refused = new_request()
    rules.record_identity(user("handler_t"), refused, method="id_card")
    rules.decide(user("controller"), refused, decision="refused", reason="Ei oikeutta.")
    auth.logout()
    auth.login_as("handler_t")
    page = text(client.get(f"/requests/{refused.id}/"))
    assert f'href="/requests/{refused.id}/report.pdf"' in page and "epäämispäätös" in page


# --- refusal and the rules of each step ---------------------------------------------------


def test_refusal_needs_a_reason(client, auth, people):
    row = new_request()
    rules.record_identity(user("handler_t"), row, method="known_in_person")
    auth.login_as("controller")
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": token, "decision-version": str(reload(row).version),
        "decision": "refused", "decision-reason": "  "})
    assert r.status_code == 200
    assert "Kirjoita epäämisen syy" in text(r)
    assert 'aria-invalid="true"' in text(r)
    assert reload(row).decision is None

    reason = "Pyyntö koskee toisen henkilön tietoja."
    r = client.post(f"/requests/{row.id}/decision", data={
        "csrf_token": token, "decision-version": str(reload(row).version),
        "decision": "refused", "decision-reason": reason})
    assert r.status_code == 302, text(r)
    row = reload(row)
    assert row.decision == "refused" and row.decision_reason == reason
    assert row.decided_by_id == user("controller").id
    assert len(events(row.id, "refuse")) == 1

    # Refused requests are delivered too (the refusal letter), by the handler.
    rules.record_delivery(user("handler_t"), row, method="secure_email")
    assert rules.state_of(reload(row)) == "delivered"


def test_service_rules_of_each_step(app, people):
    row = new_request()
    handler = user("handler_t")
    with pytest.raises(RegisterError, match="identity"):
        rules.decide(user("responsible"), row, decision="approved")
    with pytest.raises(RegisterError, match="not been decided"):
        rules.record_delivery(handler, row, method="post")
    with pytest.raises(rules.NotAllowed):
        rules.record_identity(user("handler_b"), row, method="passport")
    with pytest.raises(rules.NotAllowed):
        rules.record_identity(user("staff_t"), row, method="passport")
    with pytest.raises(RegisterError, match="note"):
        rules.record_identity(handler, row, method="other")
    rules.record_identity(handler, row, method="other", note="Kela-kortti ja kuvallinen kortti")
    for who in ("handler_t", "staff_t"):
        with pytest.raises(rules.NotAllowed):
            rules.decide(user(who), row, decision="approved")
    with pytest.raises(RegisterError, match="reason"):
        rules.decide(user("responsible"), row, decision="refused", reason="")
    rules.decide(user("responsible"), row, decision="approved")
    with pytest.raises(RegisterError, match="already been decided"):
        rules.decide(user("controller"), row, decision="refused", reason="x")
    with pytest.raises(RegisterError, match="decided"):
        rules.record_identity(handler, row, method="passport")
    with pytest.raises(RegisterError, match="before the decision"):
        rules.record_delivery(handler, row, method="post",
                              delivered_at=row.decided_at - datetime.timedelta(hours=1))
    rules.record_delivery(handler, row, method="post")
    with pytest.raises(RegisterError, match="already been delivered"):
        rules.record_delivery(handler, row, method="handed_over")
    with pytest.raises(RegisterError):
        new_request(requester_name=f"Anna {HETU}")
    with pytest.raises(rules.NotAllowed):
        new_request(username="maint")


def test_two_handlers_cannot_overwrite_each_other(client, auth, people):
    """Both open the request at version 1; the second save is refused and nothing changes."""
    row = new_request()
    rules.record_identity(user("responsible"), row, method="passport", version=1)
    auth.login_as("handler_t")
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/identity", data={
        "csrf_token": token, "identity-version": "1", "identity-method": "id_card",
        "identity-note": "Myöhästynyt tallennus",
        "identity-checked_at": typed_now()})
    assert r.status_code == 200
    page = text(r)
    assert "Joku muu muutti tätä pyyntöä sillä välin" in page
    assert "Myöhästynyt tallennus" in page  # the typed input stays in the form
    row = reload(row)
    assert row.identity_method == "passport" and row.version == 2
    # The service itself refuses an old version, even one that passed the first check.
    stale = reload(row)
    rules.record_identity(user("handler_t"), row, method="id_card", version=2)
    with pytest.raises(RegisterError, match="Someone else"):
        rules.record_identity(user("handler_t"), stale, method="driving_licence")
    assert reload(row).identity_method == "id_card"


def test_a_step_sent_without_its_version_is_stale(client, auth, people):
    """A form without the version it was shown at is refused as an old one would be: the
    version is what keeps a decision from being made on records the person never saw."""
    row = new_request()
    rules.record_identity(user("handler_t"), row, method="passport")
    auth.login_as("responsible")
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/decision",
                    data={"csrf_token": token, "decision": "approved"})
    assert r.status_code == 200 and "Joku muu muutti tätä pyyntöä sillä välin" in text(r)
    assert reload(row).decision is None
    rules.decide(user("responsible"), reload(row), decision="approved")
    auth.login_as("handler_t", switch=True)
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/delivery", data={
        "csrf_token": token, "delivery-method": "post", "delivery-delivered_at": typed_now()})
    assert r.status_code == 200 and reload(row).delivered_at is None


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\t"])
def test_a_blank_time_is_no_time(client, auth, people, blank):
    """A time of spaces is empty: the form says so, as for an empty one (it was a server
    error when registering, and "now" when delivering or checking the identity)."""
    auth.login_as("staff_t")
    token = page_token(client, "/requests/new/")
    r = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": blank, "channel": "written",
        "requester_name": "Anna A", "requester_contact": "x", "description": "Kuvaus",
        "sections": "tourism", "language": "fi"})
    assert r.status_code == 200 and "Kuvaus" in text(r)  # the form again, as typed
    assert InspectionRequest.select().count() == 0
    row = new_request()
    rules.record_identity(user("handler_t"), row, method="passport")
    rules.decide(user("responsible"), reload(row), decision="approved")
    auth.login_as("handler_t", switch=True)
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/delivery", data={
        "csrf_token": token, "delivery-method": "post", "delivery-delivered_at": blank,
        "delivery-version": str(reload(row).version)})
    assert r.status_code == 200 and reload(row).delivered_at is None


# --- the requester's records -------------------------------------------------------------------


def test_subject_search_matches_whole_names_and_details(app, people, register_data):
    every = [s.id for s in Section.select()]

    def keys(**query):
        return {c.key for c in rules.find_subjects(rules.SubjectQuery(**query), every)}

    anna = f"customer:{register_data['anna']}"
    contact = f"contact_person:{register_data['contact']}"
    namesake = f"customer:{register_data['namesake']}"
    # Birth date: both Anna Äijälä customers, each by their own; lower case finds Ä.
    assert keys(name="anna äijälä", birth_date=datetime.date(1980, 5, 1)) == {anna}
    assert keys(name="ÄIJÄLÄ", birth_date=datetime.date(1955, 1, 1)) == {namesake}
    # Email in any case; the contact person's own email.
    assert keys(name="Anna Äijälä", email="ANNA.AIJALA@example.fi") == {anna}
    assert keys(name="Anna Äijälä", email="anna@puutarha.fi") == {contact}
    # Phone however written: the customer's mobile and the contact person's phone.
    assert keys(name="Äijälä", phone="+358 40 123 4567") == {anna, contact}
    # Y-tunnus: the company's contact person of that name.
    assert keys(name="Anna", business_id="0737546-2") == {contact}
    # Another name with the same details finds nothing.
    assert keys(name="Bertta Äijälä", birth_date=datetime.date(1980, 5, 1)) == set()
    # Names are whole words: a part of a name, or one letter with a company's public
    # business ID, finds no one.
    assert keys(name="Äijä", birth_date=datetime.date(1980, 5, 1)) == set()
    assert keys(name="a", business_id="0737546-2") == set()
    assert keys(name="n", business_id="0737546-2") == set()
    with pytest.raises(RegisterError, match="at least one"):
        keys(name="Anna Äijälä")


def test_subject_search_reaches_only_the_sections_given(app, people, register_data):
    tourism, business = Section.get(code="tourism").id, Section.get(code="business").id

    def keys(sections, **query):
        return {c.key for c in rules.find_subjects(rules.SubjectQuery(**query), sections)}

    anna = f"customer:{register_data['anna']}"
    contact = f"contact_person:{register_data['contact']}"
    namesake = f"customer:{register_data['namesake']}"
    assert keys([tourism], name="Äijälä", phone="+358 40 123 4567") == {anna}
    assert keys([business], name="Äijälä", phone="+358 40 123 4567") == {contact}
    assert keys([tourism], name="Anna", business_id="0737546-2") == set()
    assert keys([tourism], name="Anna Äijälä", email="anna@puutarha.fi") == set()
    assert keys([tourism], name="Äijälä", birth_date=datetime.date(1955, 1, 1)) == set()
    assert keys([business], name="Äijälä", birth_date=datetime.date(1955, 1, 1)) == {namesake}
    assert keys([], name="Äijälä", phone="+358 40 123 4567") == set()


def test_only_found_records_can_be_confirmed_and_removed(client, auth, people, register_data):
    row = new_request()
    auth.login_as("handler_t")
    token = page_token(client, f"/requests/{row.id}/")
    query = {"csrf_token": token, "subjects-version": "1", "subjects-name": "Anna Äijälä",
             "subjects-birth_date": "1980-05-01", "action": "confirm"}
    # A record the search does not find (posted by hand) is refused.
    r = client.post(f"/requests/{row.id}/subjects",
                    data={**query, "record": f"customer:{register_data['other']}"})
    assert r.status_code == 200 and "ei ole enää hakutuloksissa" in text(r)
    assert InspectionSubject.select().count() == 0
    r = client.post(f"/requests/{row.id}/subjects",
                    data={**query, "record": f"customer:{register_data['anna']}"})
    assert r.status_code == 302
    subject = InspectionSubject.get()
    # Removing a wrong one.
    version = reload(row).version
    r = client.post(f"/requests/{row.id}/subjects/{subject.id}/remove",
                    data={"csrf_token": token, "version": str(version)})
    assert r.status_code == 302
    assert InspectionSubject.select().count() == 0
    assert [e.action for e in events(row.id)][-2:] == ["link_subject", "unlink_subject"]
    r = client.post(f"/requests/{row.id}/subjects/abc/remove",
                    data={"csrf_token": token, "version": str(version + 1)})
    assert r.status_code == 404


def test_search_form_needs_a_detail_and_refuses_a_hetu(client, auth, people):
    row = new_request()
    auth.login_as("handler_t")
    token = page_token(client, f"/requests/{row.id}/")
    r = client.post(f"/requests/{row.id}/subjects", data={
        "csrf_token": token, "subjects-version": "1", "subjects-name": "Anna Äijälä",
        "action": "search"})
    assert r.status_code == 200 and "Anna myös vähintään yksi" in text(r)
    r = client.post(f"/requests/{row.id}/subjects", data={
        "csrf_token": token, "subjects-version": "1", "subjects-name": f"Anna {HETU}",
        "subjects-birth_date": "1980-05-01", "action": "search"})
    assert r.status_code == 200 and "henkilötunnus" in text(r).lower()
    assert not events(row.id, "search")


def test_register_form_errors_keep_the_input(client, auth, people):
    auth.login_as("staff_t")
    token = page_token(client, "/requests/new/")
    r = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": RECEIVED_TYPED, "channel": "",
        "requester_name": "Anna Äijälä", "requester_contact": f"hetu {HETU}",
        "sections": "tourism", "language": "sv"})
    assert r.status_code == 200
    page = text(r)
    assert "Valitse, miten pyyntö esitettiin." in page
    assert "henkilötunnus" in page.lower()
    assert 'value="Anna Äijälä"' in page and f'value="{RECEIVED_TYPED}"' in page
    assert re.search(r'<option selected value="sv">|<option value="sv" selected>', page)
    assert InspectionRequest.select().count() == 0


# --- who may see and do what ----------------------------------------------------------------


def test_unknown_and_out_of_scope_ids_answer_404(client, auth, people):
    business = new_request(username="handler_b", section="business")
    auth.login_as("handler_t")
    token = page_token(client)
    for bad in ("999999", "abc", "0", "-1", "99999999999999999999999", str(business.id)):
        assert client.get(f"/requests/{bad}/").status_code == 404, bad
        for step in ("identity", "subjects", "delivery"):
            r = client.post(f"/requests/{bad}/{step}", data={"csrf_token": token})
            assert r.status_code == 404, (bad, step)
    # Responsible: every section, but still 404 for an id that is no request.
    auth.logout()
    auth.login_as("responsible")
    assert client.get(f"/requests/{business.id}/").status_code == 200
    r = client.post("/requests/999999/decision", data={"csrf_token": page_token(client)})
    assert r.status_code == 404


@pytest.mark.clock
def test_staff_registers_and_sees_only_own_requests(client, auth, people):
    others = new_request(username="handler_t")
    auth.login_as("staff_t")
    token = page_token(client, "/requests/new/")
    r = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": RECEIVED_TYPED, "channel": "in_person",
        "requester_name": "Kalle Kävijä", "sections": "business", "language": "fi"})
    assert r.status_code == 302
    own = InspectionRequest.get(InspectionRequest.requester_name == "Kalle Kävijä")
    assert client.get(f"/requests/{own.id}/").status_code == 200
    assert client.get(f"/requests/{others.id}/").status_code == 404
    listing = text(client.get("/requests/"))
    assert "Kalle Kävijä" in listing and f"Tarkastuspyyntö nro {others.id}<" not in listing
    # Staff registers but does not handle.
    for step in ("identity", "subjects", "delivery"):
        r = client.post(f"/requests/{own.id}/{step}", data={"csrf_token": token})
        assert r.status_code == 403, step
    r = client.post(f"/requests/{own.id}/review", data={"csrf_token": token})
    assert r.status_code == 403


def test_maintenance_gets_403_everywhere_and_no_menu_item(client, auth, people):
    row = new_request()
    auth.login_as("maint")
    token = page_token(client)
    front = text(client.get("/"))
    assert "/requests/" not in front and "Tarkastuspyynnöt" not in front
    for path in ("/requests/", "/requests/new/", "/requests/on-site/", f"/requests/{row.id}/",
                 "/requests/999999/"):
        assert client.get(path).status_code == 403, path
    for path in ("/requests/new/", "/requests/on-site/", f"/requests/{row.id}/identity",
                 f"/requests/{row.id}/subjects", f"/requests/{row.id}/decision",
                 f"/requests/{row.id}/delivery", f"/requests/{row.id}/review",
                 f"/requests/{row.id}/subjects/1/remove"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_menu_item_for_register_roles(client, auth, people):
    for username in ("staff_t", "handler_t", "responsible", "controller"):
        auth.login_as(username)
        front = text(client.get("/"))
        assert 'href="/requests/"' in front and "Tarkastuspyynnöt" in front, username
        auth.logout()


def test_logged_out_goes_to_login(client, people):
    row = new_request()
    for path in ("/requests/", f"/requests/{row.id}/", "/requests/new/"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.location


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_each_role_what_to_act_on(client, auth, people):
    received = utcnow() - datetime.timedelta(days=8)
    late = new_request(received_at=received, requester_name="Myöhässä Oleva")
    fresh = new_request(requester_name="Tuore Pyytäjä")
    business = new_request(section="business", username="handler_b",
                           requester_name="Bisnes Pyytäjä")
    rules.record_identity(user("handler_t"), fresh, method="passport")

    auth.login_as("handler_t")
    page = text(client.get("/"))
    identity = work_rows(page, "identity")
    assert "Myöhässä Oleva" in identity and "Myöhässä</span>" in identity
    subjects = work_rows(page, "subjects")
    assert "Tuore Pyytäjä" in subjects and "päivää jäljellä" in subjects
    assert "Bisnes Pyytäjä" not in page  # another section's
    # The oldest first: the late request's row comes before the fresh one's.
    assert page.index("Myöhässä Oleva") < page.index("Tuore Pyytäjä")

    auth.logout()
    auth.login_as("responsible")
    page = text(client.get("/"))
    decision = work_rows(page, "decision")
    assert "Tuore Pyytäjä" in decision and "Myöhässä Oleva" not in decision
    overdue = work_rows(page, "overdue")
    assert "Myöhässä Oleva" in overdue and "Bisnes Pyytäjä" not in overdue
    assert late.id and business.id

    auth.logout()
    auth.login_as("staff_t")
    page = text(client.get("/"))
    assert "Tuore Pyytäjä" not in page and "Kirjaa tarkastuspyyntö" in page


def work_rows(page, task):
    """Return the front page's work list rows of ``task``, as one text."""
    return "".join(row for found, row in
                   re.findall(r'<tr data-task="([^"]+)">(.*?)</tr>', page, re.S) if found == task)


# --- on site, at once -----------------------------------------------------------------------


def test_on_site_service_records_every_step_in_one_go(app, people, register_data):
    produced = []
    staff = user("staff_t")
    query = rules.SubjectQuery(name="Anna Äijälä", birth_date=datetime.date(1980, 5, 1))
    row, report, parts = rules.serve_on_site(
        staff, requester_name="Anna Äijälä", section="tourism", identity_method="id_card",
        query=query, keys=[f"customer:{register_data['anna']}"], other_parts=False,
        produce_report=lambda r: produced.append(r.id) or {"ok": True})
    assert parts == []
    row = reload(row)
    assert report == {"ok": True} and produced == [row.id]
    assert row.on_site and row.channel == "oral_on_site"
    assert rules.state_of(row) == "delivered" and row.delivery_method == "handed_over"
    assert row.decision == "approved" and row.decided_by_id == staff.id
    assert row.identity_checked_by_id == staff.id and row.delivered_by_id == staff.id
    assert [(s.customer_id, s.contact_person_id) for s in rules.subjects_of(row)] == [
        (register_data["anna"], None)]
    assert [e.action for e in events(row.id)] == [
        "create", "identify", "link_subject", "approve", "report", "deliver"]
    assert [r.id for r in rules.to_review()] == [row.id]

    # A failing report leaves nothing behind.
    def broken(_request):
        raise RegisterError("no report")

    with pytest.raises(RegisterError):
        rules.serve_on_site(staff, requester_name="Anna Äijälä", section="tourism",
                            identity_method="id_card", produce_report=broken)
    assert InspectionRequest.select().count() == 1

    # The responsible person reviews it; then it leaves the list.
    with pytest.raises(rules.NotAllowed):
        rules.review(user("handler_t"), row)
    rules.review(user("responsible"), row)
    assert rules.to_review() == []
    assert events(row.id)[-1].action == "review"


@pytest.mark.clock
def test_on_site_page_serves_at_once_and_the_responsible_reviews(client, auth, people,
                                                                 register_data, app):
    auth.login_as("staff_t")
    page = text(client.get("/requests/on-site/"))
    token = csrf_token(page)
    form = {"csrf_token": token, "requester_name": "Anna Äijälä", "section": "tourism",
            "language": "fi", "identity_method": "", "birth_date": "1980-05-01"}
    # Without "other_parts" posted: only this section's request is registered.
    # The search needs only the name and a detail; serving needs the identity check too.
    r = client.post("/requests/on-site/", data={**form, "action": "search"})
    assert r.status_code == 200
    assert f'value="customer:{register_data["anna"]}"' in text(r)
    r = client.post("/requests/on-site/", data={
        **form, "action": "serve", "record": f"customer:{register_data['anna']}"})
    assert r.status_code == 200 and "Valitse, miten pyytäjän henkilöllisyys" in text(r)
    assert InspectionRequest.select().count() == 0

    r = client.post("/requests/on-site/", data={
        **form, "identity_method": "driving_licence", "action": "serve",
        "record": f"customer:{register_data['anna']}"})
    assert r.status_code == 302, text(r)
    row = InspectionRequest.get()
    assert row.on_site and rules.state_of(row) == "delivered"
    assert row.delivery_method == "handed_over"
    page = text(client.get(r.location))
    assert "Palveltu paikan päällä" in page

    auth.logout()
    auth.login_as("responsible")
    front = text(client.get("/"))
    assert "Anna Äijälä" in work_rows(front, "review")
    r = client.post(f"/requests/{row.id}/review", data={
        "csrf_token": csrf_token(front), "version": str(row.version)})
    assert r.status_code == 302
    assert reload(row).reviewed_by_id == user("responsible").id
    front = text(client.get("/"))
    assert "Anna Äijälä" not in work_rows(front, "review")


# --- the command ------------------------------------------------------------------------------


@pytest.mark.clock
def test_cli_overdue_exit_codes(runner, people):
    result = runner.invoke(args=["requests", "overdue"])
    assert result.exit_code == 0 and "no overdue" in result.output
    new_request()  # received an hour ago: not overdue
    result = runner.invoke(args=["requests", "overdue"])
    assert result.exit_code == 0, result.output
    late = new_request(section="business", username="handler_b",
                       received_at=utcnow() - datetime.timedelta(days=9))
    result = runner.invoke(args=["requests", "overdue"])
    assert result.exit_code == 1
    assert "1 overdue" in result.output
    line = [ln for ln in result.output.splitlines() if ln.strip().startswith(str(late.id))][0]
    assert line.split()[-1] == "business" and line.split()[-2] == "2"
    assert "Anna" not in result.output  # no requester names


def test_subject_search_finds_by_email_or_y_tunnus_whatever_the_name_index_says(
        app, people, register_data):
    """Email and Y-tunnus are looked up by their own indexes; a stored email in mixed case
    is found by the name search."""
    Customer.update(email="Anna.Aijala@Example.fi").where(
        Customer.id == register_data["anna"]).execute()
    every = [s.id for s in Section.select()]
    found = rules.find_subjects(rules.SubjectQuery(name="anna", email="anna.aijala@example.fi"),
                                every)
    assert [c.key for c in found] == [f"customer:{register_data['anna']}"]
    assert found[0].matched == ("email",)
    sole_trader = Customer.create(section=Section.get(code="business"), kind="company",
                                  name="Toiminimi Anna Äijälä", business_id="1572860-0")
    found = rules.find_subjects(rules.SubjectQuery(name="Äijälä", business_id="15728600"),
                                every)
    assert [c.key for c in found] == [f"customer:{sole_trader.id}"]


def test_list_pages_delivered_requests_after_the_open_ones(client, auth, people):
    received = utcnow() - datetime.timedelta(days=3)
    for number in range(27):
        row = new_request(received_at=received, requester_name=f"Vanha Pyytäjä {number:02d}")
        InspectionRequest.update(decision="approved", decided_at=received,
                                 delivered_at=received + datetime.timedelta(minutes=number)
                                 ).where(InspectionRequest.id == row.id).execute()
    new_request(requester_name="Avoin Pyytäjä")
    auth.login_as("handler_t")
    first = text(client.get("/requests/"))
    assert first.index("Avoin Pyytäjä") < first.index("Vanha Pyytäjä 26")
    second = text(client.get("/requests/?page=2"))
    shown = re.findall(r"Vanha Pyytäjä \d\d", first) + re.findall(r"Vanha Pyytäjä \d\d", second)
    assert sorted(shown) == [f"Vanha Pyytäjä {n:02d}" for n in range(27)]  # none twice or lost
    assert "Vanhemmat" in first and "Vanhemmat" not in second
    for bad in ("abc", "0", "99999999999999999999"):
        assert client.get(f"/requests/?page={bad}").status_code == 200


@pytest.mark.parametrize("lang, heading", [("sv", "Begäranden om insyn"),
                                           ("en", "Inspection requests")])
def test_pages_in_swedish_and_english(client, auth, people, lang, heading):
    row = new_request(received_at=utcnow() - datetime.timedelta(days=8))
    auth.login_as("responsible")
    client.post("/language", data={"csrf_token": page_token(client), "lang": lang})
    assert heading in text(client.get("/requests/"))
    for path in ("/", "/requests/new/", "/requests/on-site/", f"/requests/{row.id}/"):
        r = client.get(path)
        assert r.status_code == 200 and f'lang="{lang}"' in text(r), path
    assert {"sv": "Försenad", "en": "Overdue"}[lang] in text(client.get("/"))


def test_a_view_is_a_read_of_the_customers_the_viewer_sees_in_one_append(people):
    """Opening a request records the view on it and a read of each subject's customer
    (a contact person's company) — of the sections the viewer reads only, right after it."""
    row = new_request()
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    own = Customer.create(section=tourism, kind="person", first_name="Anna", last_name="Äijälä")
    company = Customer.create(section=tourism, kind="company", name="Äijälä Oy")
    person = ContactPerson.create(customer=company, first_name="Anna", last_name="Äijälä")
    elsewhere = Customer.create(section=business, kind="person", first_name="Anna",
                                last_name="Äijälä")
    for subject in ({"customer": own}, {"contact_person": person}, {"customer": elsewhere}):
        InspectionSubject.create(request=row, **subject)

    def reads():
        return [(e.object_id, e.section, e.fields) for e in AuditEvent.select().where(
            (AuditEvent.action == "view") & (AuditEvent.object_type == "customer"))
            .order_by(AuditEvent.id)]

    rules.record_view(user("handler_t"), row)
    view = events(row.id, "view")[-1]
    via = f"via.inspection_request.{row.id}"
    assert reads() == [(str(own.id), "tourism", via), (str(company.id), "tourism", via)]
    assert view.fields == "" and AuditEvent.select().where(
        AuditEvent.id == view.id + 1).get().object_id == str(own.id)
    rules.record_view(user("handler_b"), row)  # reads business only: the other customer
    assert reads()[2:] == [(str(elsewhere.id), "business", via)]


def test_a_contact_persons_email_is_found_in_any_case(app):
    """A customer's email was matched in any case, a contact person's only as stored."""
    tourism = Section.get(code="tourism")
    firm = Customer.create(section=tourism, kind="company", name="Firma Oy",
                           business_id="0737546-2")
    kaisa = ContactPerson.create(customer=firm, first_name="Kaisa", last_name="Kontakti",
                                 email="Kaisa.Kontakti@firma.fi")
    found = rules.find_subjects(rules.SubjectQuery(name="Kaisa Kontakti",
                                                   email="kaisa.kontakti@firma.fi"),
                                [tourism.id])
    assert [(c.key, c.matched) for c in found] == [(f"contact_person:{kaisa.id}", ("email",))]


def test_a_name_of_no_letters_finds_nobody(app):
    """"-" passed the form and matched every record with the detail: the company and each
    of its contact persons by the company's public business ID."""
    tourism = Section.get(code="tourism")
    firm = Customer.create(section=tourism, kind="company", name="Firma Oy",
                           business_id="0737546-2")
    ContactPerson.create(customer=firm, first_name="Kaisa", last_name="Kontakti")
    for name in ("-", " - ", "--", "\u2013"):
        with pytest.raises(RegisterError, match="name in letters"):
            rules.find_subjects(rules.SubjectQuery(name=name, business_id="0737546-2"),
                                [tourism.id])


def test_a_parts_report_says_which_part_of_the_register_it_covers(client, auth, people):
    """A request for both sections is two parts, each reported by its own section: the
    tourism part's report said it held everything "from all parts of the register"."""
    parts = rules.register_parts(user("handler_t"), sections=["tourism", "business"],
                                 received_at=utcnow() - datetime.timedelta(hours=1),
                                 channel="written", requester_name="Anna Aalto")
    part = parts[0]
    rules.record_identity(user("handler_t"), part, method="passport", version=part.version)
    part = InspectionRequest.get_by_id(part.id)
    rules.decide(user("responsible"), part, decision="approved", version=part.version)
    auth.login_as("handler_t")
    page = client.get(f"/requests/{part.id}/report.html").get_data(as_text=True)
    assert "kaikista rekisterin osista" not in page
    assert "asiakasrekisterin osaan ”Matkailu- ja kongressitoimisto”" in page
    assert "ne toimitetaan erikseen" in page


def test_a_name_of_short_words_is_found_in_the_order_the_form_asks_for(app):
    """The form asks for the first and the last name: "Wu Li" found Li Wu, "Li Wu" did not
    (the first short word had to start the sort name, "wu, li")."""
    tourism = Section.get(code="tourism")
    born = datetime.date(1970, 1, 1)
    li = Customer.create(section=tourism, kind="person", first_name="Li", last_name="Wu",
                         birth_date=born)
    Customer.create(section=tourism, kind="person", first_name="Li", last_name="Wong",
                    birth_date=born)
    for name in ("Li Wu", "Wu Li"):
        found = rules.find_subjects(rules.SubjectQuery(name=name, birth_date=born),
                                    [tourism.id])
        assert [c.key for c in found] == [f"customer:{li.id}"], name
