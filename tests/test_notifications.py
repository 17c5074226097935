"""Email notifications through the outbox (issue 17), with a real SMTP server on loopback
(aiosmtpd): who gets what, in their language, with no personal data; the mail server down
loses nothing; a rolled-back event sends nothing; the outbox page and the account page."""

import datetime
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from database import write_transaction
from models import Customer, InspectionRequest, OutboxMessage, Section, User, db, utcnow
from services import access, notifications, rectification
from services import requests as inspection
from services.localtime import helsinki_date
from tests.conftest import PASSWORD, csrf_token, typed_now, user

PEOPLE = ("staff_t", "handler_t", "handler_b", "controller", "responsible", "maint")
BASE_URL = "https://rekisteri.example.fi"
REQUESTER = "Anna Äijälä"
CONTACT = "anna.aijala@example.fi"


class Inbox:
    """What the SMTP server received: (recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


class SmtpServer:
    """An SMTP server on a free loopback port that can be stopped and started again."""

    def __init__(self):
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running SMTP server the app sends to; ``smtp.stop()`` takes it down."""
    server = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, BASE_URL=BASE_URL,
                      MAIL_DEFAULT_SENDER="asiakasrekisteri@hel.fi")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def addresses(people):
    """Give every account an address and a language (handler_t Swedish, the responsible
    person English, the rest Finnish); return the addresses by username."""
    languages = {"handler_t": "sv", "responsible": "en"}
    found = {}
    for name in PEOPLE:
        found[name] = f"{name.replace('_', '.')}@hel.fi"
        User.update(email=found[name], language=languages.get(name, "fi")).where(
            User.username == name).execute()
    return found


def send(runner):
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def new_inspection_request(username="staff_t", section="tourism"):
    return inspection.register(
        user(username), received_at=utcnow() - datetime.timedelta(hours=1),
        channel="written", requester_name=REQUESTER, requester_contact=CONTACT,
        description="Kaikki tietoni", section=section)


def text_of(message):
    return message["Subject"] + "\n" + message.get_body(("plain",)).get_content()


def rows(**where):
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(query)


# --- who gets what, in which language --------------------------------------------------


def test_a_new_inspection_request_mails_its_sections_handler_and_the_responsible_person(
        client, auth, runner, smtp, addresses):
    auth.login_as("staff_t")
    token = csrf_token(client.get("/requests/new/").get_data(as_text=True))
    answer = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": typed_now(minutes_ago=60), "channel": "written",
        "requester_name": REQUESTER, "requester_contact": CONTACT,
        "description": "Kaikki tietoni", "sections": "tourism", "language": "fi"})
    assert answer.status_code == 302
    request = InspectionRequest.get()
    # Written with the request: to the tourism handler and the responsible person only.
    assert {r.address for r in rows()} == {addresses["handler_t"], addresses["responsible"]}
    assert send(runner).startswith("outbox: 2 sent")

    got = {tuple(rcpt): m for rcpt, m in smtp.inbox.messages}
    assert set(got) == {(addresses["handler_t"],), (addresses["responsible"],)}
    swedish, english = got[(addresses["handler_t"],)], got[(addresses["responsible"],)]
    link = f"{BASE_URL}/requests/{request.id}/"
    assert swedish["Subject"].startswith(
        "Ny begäran om granskning till avdelningen Turist- och kongressbyrån, tidsfrist")
    assert swedish["Content-Language"] == "sv" and link in text_of(swedish)
    assert english["Subject"].startswith(
        "New inspection request for the section Tourism and Convention Bureau, due")
    assert link in text_of(english)
    assert swedish["From"] == "asiakasrekisteri@hel.fi"
    for message in got.values():
        text = text_of(message)
        for personal in (REQUESTER, "Äijälä", CONTACT, "Kaikki tietoni", "staff_t"):
            assert personal not in text
    # Sent once: a second run sends nothing more.
    assert send(runner).startswith("outbox: 0 sent")
    assert len(smtp.inbox.messages) == 2
    assert {r.state for r in rows()} == {"sent"} and {r.attempts for r in rows()} == {1}


def test_the_finnish_message_names_the_section_and_the_deadline(app, runner, smtp, addresses):
    User.update(language="fi").where(User.username == "handler_b").execute()
    request = new_inspection_request(section="business")
    send(runner)
    [message] = smtp.inbox.to(addresses["handler_b"])
    day = helsinki_date(request.due_at)
    assert message["Subject"] == (f"Uusi tarkastuspyyntö osaan Elinkeinokehitys, määräaika "
                                  f"{day.day}.{day.month}.{day.year}")
    # The tourism handler is told nothing of the business section's request.
    assert smtp.inbox.to(addresses["handler_t"]) == []


def test_a_rectification_request_mails_the_handler_and_the_responsible_person(
        app, runner, smtp, addresses):
    customer = Customer.create(section=Section.get(code="tourism"), kind="person",
                               first_name="Matti", last_name="Meikäläinen")
    request = rectification.register(
        customer, actor=user("staff_t"), received_at=utcnow() - datetime.timedelta(hours=1),
        requester_name="Matti Meikäläinen", description="Sukunimi muuttunut",
        requested={"last_name": "Virtanen"})
    assert {r.address for r in rows()} == {addresses["handler_t"], addresses["responsible"]}
    send(runner)
    [message] = smtp.inbox.to(addresses["handler_t"])
    assert message["Subject"] == ("Ny begäran om rättelse till avdelningen Turist- och "
                                  "kongressbyrån")
    assert f"{BASE_URL}/rectification/{request.id}/" in text_of(message)
    for personal in ("Matti", "Meikäläinen", "Virtanen", "Sukunimi"):
        assert personal not in text_of(message)


def test_an_access_request_mails_the_controller_and_its_approval_the_handler(
        app, runner, smtp, addresses):
    asked = access.request_access(user("staff_t"), "staff", ["tourism"],
                                  "Asiakaspalvelu", person_name="Pekka Uusi",
                                  email="pekka.uusi@hel.fi")
    assert [r.address for r in rows()] == [addresses["controller"]]
    approved = access.decide(user("controller"), asked, approve=True)
    assert [r.address for r in rows(kind="access_approved")] == [addresses["handler_t"]]
    send(runner)
    [decide] = smtp.inbox.to(addresses["controller"])
    assert decide["Subject"] == "Uusi käyttöoikeuspyyntö odottaa päätöstäsi"
    assert f"{BASE_URL}/access/requests/{asked.id}/" in text_of(decide)
    [implement] = smtp.inbox.to(addresses["handler_t"])
    assert implement["Subject"] == ("En godkänd begäran om behörighet väntar på att "
                                    "genomföras")
    for message in (decide, implement):
        assert "Pekka" not in text_of(message) and "pekka.uusi" not in text_of(message)
    assert smtp.inbox.to(addresses["handler_b"]) == []
    # Implemented, the new account has the address the request carried.
    account, _password = access.implement(user("handler_t"), approved,
                                           username="pekka.uusi")
    assert User.get_by_id(account.id).email == "pekka.uusi@hel.fi"


def test_no_address_no_mail_and_optional_kinds_can_be_turned_off(app, addresses):
    User.update(email=None).where(User.username == "responsible").execute()
    User.update(notifications_off="access_request").where(
        User.username == "controller").execute()
    new_inspection_request()
    access.request_access(user("staff_t"), "staff", ["tourism"], "Asiakaspalvelu",
                          person_name="Pekka Uusi", email="pekka.uusi@hel.fi")
    assert [r.address for r in rows()] == [addresses["handler_t"]]


# --- nothing lost, nothing sent twice, nothing sent for a rolled-back event --------------


def test_a_rolled_back_event_leaves_nothing_in_the_outbox(app, addresses):
    class Undone(Exception):
        pass

    with pytest.raises(Undone), write_transaction():
        new_inspection_request()
        assert OutboxMessage.select().count() == 2  # written with the request …
        raise Undone()
    assert InspectionRequest.select().count() == 0
    assert OutboxMessage.select().count() == 0  # … and gone with it


def test_a_refused_form_writes_no_notification(client, auth, addresses):
    auth.login_as("staff_t")
    token = csrf_token(client.get("/requests/new/").get_data(as_text=True))
    answer = client.post("/requests/new/", data={
        "csrf_token": token, "received_at": typed_now(minutes_ago=60), "channel": "",
        "requester_name": REQUESTER, "sections": "tourism", "language": "fi"})
    assert answer.status_code == 200
    assert OutboxMessage.select().count() == 0


@pytest.mark.clock
def test_the_server_down_keeps_the_message_and_tries_again_later(
        app, runner, smtp, addresses, clock):
    smtp.stop()
    new_inspection_request()
    start = clock()
    assert send(runner).startswith("outbox: 0 sent, 2 to be tried again later")
    for row in rows():
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == start + datetime.timedelta(minutes=1)
        assert row.last_error and "@" not in row.last_error
    assert send(runner).startswith("outbox: 0 sent, 0 to be tried")  # not due yet
    clock.advance(minutes=1)
    send(runner)
    for row in rows():
        assert (row.state, row.attempts) == ("pending", 2)
        assert row.next_attempt_at == clock() + datetime.timedelta(minutes=2)
    smtp.start()
    clock.advance(minutes=1)
    assert send(runner).startswith("outbox: 0 sent")  # the doubled wait is not over
    clock.advance(minutes=1)
    assert send(runner).startswith("outbox: 2 sent")
    assert len(smtp.inbox.messages) == 2
    assert [(r.state, r.attempts, r.sent_at) for r in rows()] == [("sent", 3, clock())] * 2
    assert send(runner).startswith("outbox: 0 sent") and len(smtp.inbox.messages) == 2


def test_two_senders_at_once_send_each_message_once(app, smtp, addresses, monkeypatch):
    """`outbox send` from cron on two hosts at once (README "More than one server"): both
    read the same due messages before either claims one, and each message goes once."""
    from services.notifications import outbox

    accounts = [user(name) for name in PEOPLE]
    with write_transaction():
        for n in range(10):
            notifications.notify("access_request", accounts, {})
    assert len(rows(state="pending")) == 10 * len(PEOPLE)
    settings = notifications.MailSettings.from_config(app.config)
    both_read = threading.Barrier(2, timeout=30)
    claim, waited = outbox._claim, threading.local()

    def claim_once_both_have_read(message, now):
        if not getattr(waited, "done", False):
            waited.done = True
            both_read.wait()
        return claim(message, now)

    monkeypatch.setattr(outbox, "_claim", claim_once_both_have_read)
    results = []

    def sender():
        try:
            results.append(notifications.send_due(settings))
        finally:
            db.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2
    assert sum(result["sent"] for result in results) == 10 * len(PEOPLE)  # none twice
    assert len(smtp.inbox.messages) == len(rows(state="sent")) == 10 * len(PEOPLE)


def test_the_wait_doubles_up_to_its_limit():
    waits = [notifications.retry_delay(n) for n in range(1, 12)]
    assert waits[:4] == [datetime.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == datetime.timedelta(hours=6) == waits[-1]


def test_mail_off_sends_nothing_and_keeps_the_messages(app, runner, addresses):
    assert app.config["MAIL_SERVER"] is None
    new_inspection_request()
    assert "mail is off" in send(runner)
    assert {(r.state, r.attempts) for r in rows()} == {("pending", 0)}


# --- the outbox page ------------------------------------------------------------------


def test_the_outbox_page_shows_failed_mail_and_sends_it_again(
        app, client, auth, runner, smtp, addresses):
    smtp.stop()
    new_inspection_request()
    OutboxMessage.update(attempts=notifications.MAX_ATTEMPTS - 1).execute()
    assert send(runner).startswith("outbox: 0 sent, 0 to be tried again later, 2 failed")
    failed = rows(address=addresses["handler_t"])[0]
    assert failed.state == "failed"

    auth.login_as("maint")
    page = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert addresses["handler_t"] in page and "Epäonnistui" in page
    assert "Ny begäran om granskning" in page  # the subject, in the recipient's language
    assert REQUESTER not in page and CONTACT not in page
    assert client.post(f"/outbox/{failed.id}/retry").status_code == 400  # no CSRF token
    token = csrf_token(page)
    answer = client.post(f"/outbox/{failed.id}/retry", data={"csrf_token": token})
    assert answer.status_code == 303
    assert OutboxMessage.get_by_id(failed.id).state == "pending"
    # A second retry of the same message changes nothing and says so.
    again = client.post(f"/outbox/{failed.id}/retry", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Lataa sivu uudelleen" in again.get_data(as_text=True)
    for bad in ("abc", "99999999999999999999", "0"):
        assert client.post(f"/outbox/{bad}/retry",
                           data={"csrf_token": token}).status_code == 404
    assert client.get("/outbox/?state=%00").status_code == 400
    assert client.get("/outbox/?state=nonsense").status_code == 200

    smtp.start()
    assert send(runner).startswith("outbox: 1 sent")
    assert [rcpt for rcpt, _m in smtp.inbox.messages] == [[addresses["handler_t"]]]


@pytest.mark.parametrize("username, status", [
    ("maint", 200), ("controller", 200), ("responsible", 403), ("handler_t", 403),
    ("staff_t", 403)])
def test_who_sees_the_outbox(client, auth, people, username, status):
    auth.login_as(username)
    assert client.get("/outbox/").status_code == status


def test_the_outbox_needs_a_login(client, people):
    answer = client.get("/outbox/")
    assert answer.status_code == 302 and "/login" in answer.location


# --- the account page and the command line ---------------------------------------------


def test_the_account_page_sets_the_address_language_and_kinds_off(client, auth, people):
    auth.login_as("handler_t")
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert 'for="email"' in page and 'for="language"' in page
    token = csrf_token(page)

    def save(**form):
        return client.post("/account/notifications/", data={"csrf_token": token, **form})

    refused = save(email="ei osoite", language="sv")
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert user("handler_t").email is None
    assert save(email="x@" + "a" * 260 + ".fi", language="fi").status_code == 200
    assert save(email="tuu@hel.fi", language="de").status_code == 200
    assert save(email="tuu@hel.fi", language="fi",
                kinds_off="inspection_request").status_code == 200
    assert user("handler_t").email is None
    assert save(email="131052-308T@hel.fi", language="fi").status_code == 200
    assert user("handler_t").email is None

    assert save(email=" tuulikki@hel.fi ", language="sv",
                kinds_off="access_approved").status_code == 303
    saved = user("handler_t")
    # The language and the kinds at once; the address once its link is opened.
    assert (saved.email, saved.language, saved.notifications_off) == (
        None, "sv", "access_approved")
    [link] = rows(kind="email_confirmation")
    assert (link.address, link.language) == ("tuulikki@hel.fi", "sv")
    assert "tuulikki@hel.fi" in client.get("/account/notifications/").get_data(as_text=True)
    # Emptied: no address, no mail.
    User.update(email="vanha@hel.fi").where(User.username == "handler_t").execute()
    assert save(email="", language="sv").status_code == 303
    assert user("handler_t").email is None


@pytest.mark.clock
def test_a_new_address_is_taken_once_its_owner_opens_the_link(
        app, client, auth, runner, smtp, addresses, clock):
    auth.login_as("handler_b")
    token = csrf_token(client.get("/account/notifications/").get_data(as_text=True))

    def change(address):
        answer = client.post("/account/notifications/", data={
            "csrf_token": token, "email": address, "language": "fi"})
        assert answer.status_code == 303
        send(runner)
        [message] = smtp.inbox.to(address)
        assert message["Subject"] == "Vahvista sähköpostiosoitteesi asiakasrekisteriin"
        link = next(word for word in text_of(message).split()
                    if word.startswith(f"{BASE_URL}/account/notifications/confirm/"))
        return link.removeprefix(BASE_URL)

    path = change("susanna@hel.fi")
    assert user("handler_b").email == addresses["handler_b"]  # not yet
    # Another user's link does nothing, nor does a made-up one or a long one.
    other = app.test_client()
    other_auth = type(auth)(other)
    other_auth.login_as("handler_t")
    page = other.get(path, follow_redirects=True).get_data(as_text=True)
    assert "ei ole voimassa" in page
    assert user("handler_t").email == addresses["handler_t"]
    for bad in ("x", "a" * 5000):
        client.get(f"/account/notifications/confirm/{bad}")
    assert user("handler_b").email == addresses["handler_b"]

    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "susanna@hel.fi" in page and user("handler_b").email == "susanna@hel.fi"
    assert "ei ole voimassa" in client.get(path, follow_redirects=True).get_data(
        as_text=True)  # used once

    late = change("susanna.toinen@hel.fi")
    clock.advance(hours=48, minutes=1)
    client.get(late)
    assert user("handler_b").email == "susanna@hel.fi"


def test_users_create_sets_the_address(app, runner):
    result = runner.invoke(args=[
        "users", "create", "pekka", "--role", "staff", "--section", "tourism",
        "--password", PASSWORD, "--reason", "Asiakaspalvelu", "--email", "pekka@hel.fi"])
    assert result.exit_code == 0, result.output
    assert user("pekka").email == "pekka@hel.fi"
    refused = runner.invoke(args=[
        "users", "create", "paavo", "--role", "staff", "--section", "tourism",
        "--password", PASSWORD, "--reason", "Asiakaspalvelu", "--email", "ei osoite"])
    assert refused.exit_code == 1 and user("paavo") is None


# --- the due-date notifications (duties check) -----------------------------------------


def duties_check(runner):
    result = runner.invoke(args=["duties", "check"])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1])


@pytest.mark.clock
def test_duties_check_tells_of_a_deadline_once_and_of_an_overdue_request_once(
        app, runner, smtp, addresses, clock):
    soon = inspection.register(
        user("staff_t"), received_at=clock() - datetime.timedelta(days=5), channel="written",
        requester_name=REQUESTER, section="tourism")
    later = inspection.register(  # due in six days: nothing yet
        user("staff_t"), received_at=clock() - datetime.timedelta(days=1), channel="written",
        requester_name=REQUESTER, section="business")
    OutboxMessage.delete().execute()  # the new-request notifications are tested above
    told = {addresses[name] for name in ("handler_t", "responsible", "controller")}

    assert duties_check(runner) == 3
    assert {r.address for r in rows(kind="inspection_due")} == told
    assert duties_check(runner) == 0  # idempotent: no second mail of the same due date
    send(runner)
    [message] = smtp.inbox.to(addresses["controller"])
    assert message["Subject"].startswith("Tarkastuspyyntö osassa Matkailu- ja "
                                         "kongressitoimisto, määräaika")
    assert f"/requests/{soon.id}/" in text_of(message) and REQUESTER not in text_of(message)
    assert smtp.inbox.to(addresses["handler_b"]) == []

    # Just past the due time (two days on, or a day of 25 hours more across the change
    # of daylight saving time: the deadline is kept in Helsinki time).
    due_at = InspectionRequest.get_by_id(soon.id).due_at
    clock.advance(seconds=(due_at - clock()).total_seconds() + 60)
    assert duties_check(runner) == 3
    assert {r.address for r in rows(kind="inspection_overdue")} == told
    assert duties_check(runner) == 0
    assert not any(f"/requests/{later.id}/" in r.params for r in rows())
    send(runner)
    [english] = [m for m in smtp.inbox.to(addresses["responsible"])
                 if "overdue" in m["Subject"]]
    assert english["Subject"].startswith(
        "Inspection request for the section Tourism and Convention Bureau is overdue")
