"""Sending the outbox when things go wrong (issue 17), with a real SMTP server on loopback:
an address a mail header reads otherwise is refused and never sent elsewhere; a row no mail
can be written of fails alone; a message goes to its account as it is when sent; a long
run claims each message at its own time; an unreachable server is connected to once a
run; one run at a time; confirmation links are limited."""

import datetime
import json
import socket
import threading

import pytest

from database import write_transaction
from models import OutboxMessage, Section, User, UserSection
from services import notifications
from services.joblock import job_lock
from services.notifications.account import CONFIRMATIONS_AN_HOUR
from tests.conftest import csrf_token, user
from tests.test_notifications import (  # noqa: F401 - the fixtures
    Inbox,
    SmtpServer,
    addresses,
    new_inspection_request,
    rows,
    send,
    smtp,
)

PEOPLE = ("staff_t", "handler_t", "handler_b", "controller", "responsible", "maint")

# Each one a valid address to a loose check, and another address, a group or nothing to
# the mail header that carries it.
HEADER_READS_OTHERWISE = ("a:b;@hel.fi", ":x;@hel.fi", "x<@hel.fi:", "a,b@hel.fi",
                          "a;b@hel.fi", '"x"@hel.fi', "<a@hel.fi>", "a@hel.fi,",
                          "=?utf-8?q?a?=@hel.fi")


@pytest.mark.parametrize("address", HEADER_READS_OTHERWISE)
def test_an_address_a_header_reads_otherwise_is_refused(client, auth, people, address):
    auth.login_as("handler_t")
    token = csrf_token(client.get("/account/notifications/").get_data(as_text=True))
    answer = client.post("/account/notifications/", data={
        "csrf_token": token, "email": address, "language": "fi"})
    assert answer.status_code == 200
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    assert rows(kind="email_confirmation") == []


def test_a_plain_work_address_is_taken(client, auth, people):
    auth.login_as("handler_t")
    token = csrf_token(client.get("/account/notifications/").get_data(as_text=True))
    for address in ("etunimi.sukunimi@hel.fi", "a+b@hel.fi", "o'brien@hel.fi"):
        answer = client.post("/account/notifications/", data={
            "csrf_token": token, "email": address, "language": "fi"})
        assert answer.status_code == 303, address


def _stored(address, params=None, kind="email_confirmation", recipient=None):
    """Write an outbox row as it may be stored from before the address check."""
    return OutboxMessage.create(recipient=recipient, address=address, language="fi",
                                kind=kind, params=json.dumps(params or {"path": "/"}))


def test_a_row_no_mail_can_be_written_of_fails_alone(app, runner, smtp, addresses):
    bad = [_stored(address) for address in ("a:b;@hel.fi", "x<@hel.fi:")]
    unreadable = _stored("responsible@hel.fi", {"path": "/", "section": "tourism",
                                          "due": "24.12.2026"},
                         kind="inspection_request", recipient=user("responsible").id)
    good = _stored("staff.t@hel.fi")
    output = send(runner)
    assert output.startswith("outbox: 1 sent, 0 to be tried again later, 3 failed")
    assert [rcpt for rcpt, _m in smtp.inbox.messages] == [["staff.t@hel.fi"]]
    for row in (*bad, unreadable):
        found = OutboxMessage.get_by_id(row.id)
        assert (found.state, found.attempts) == ("failed", 1) and found.last_error
    assert OutboxMessage.get_by_id(good.id).state == "sent"
    assert send(runner).startswith("outbox: 0 sent")  # failed ones are not tried again


def test_the_outbox_page_lists_a_row_no_mail_can_be_written_of(client, auth, people):
    """It was a 500: the page rendered each unsent row's subject, and this one has none."""
    unreadable = _stored("responsible@hel.fi", {"path": "/", "section": "tourism",
                                                "due": "24.12.2026"},
                         kind="inspection_request", recipient=user("responsible").id)
    OutboxMessage.update(state="failed").where(OutboxMessage.id == unreadable.id).execute()
    auth.login_as("maint")
    page = client.get("/outbox/")
    assert page.status_code == 200
    assert "(tästä viestistä ei voi kirjoittaa postia)" in page.get_data(as_text=True)


def test_the_envelope_names_the_stored_address_only(app, runner, smtp, addresses):
    """A header reading "a,b@hel.fi" as two addresses does not make two recipients."""
    _stored("a,b@hel.fi")
    send(runner)
    delivered = [address for rcpt, _m in smtp.inbox.messages for address in rcpt]
    assert "b@hel.fi" not in delivered and "a" not in delivered


def _one_request_each(addresses):
    """A new tourism inspection request: the tourism handler and the responsible person
    are written to."""
    with write_transaction():
        new_inspection_request()
    return {m.recipient.username: m for m in rows(kind="inspection_request")}


def test_a_message_goes_in_the_language_and_to_the_address_of_the_account_when_sent(
        app, runner, smtp, addresses):
    written = _one_request_each(addresses)
    assert written["handler_t"].language == "sv"
    User.update(language="fi", email="uusi.osoite@hel.fi").where(
        User.username == "handler_t").execute()
    send(runner)
    [message] = smtp.inbox.to("uusi.osoite@hel.fi")
    assert message["Content-Language"] == "fi"
    assert message["Subject"].startswith("Uusi tarkastuspyyntö")
    assert smtp.inbox.to(addresses["handler_t"]) == []
    sent = OutboxMessage.get_by_id(written["handler_t"].id)
    assert (sent.address, sent.language) == ("uusi.osoite@hel.fi", "fi")


@pytest.mark.parametrize("change", ["closed", "ended", "no address", "other section"])
def test_a_message_no_longer_for_its_account_is_dropped(app, runner, smtp, addresses, change):
    written = _one_request_each(addresses)
    handler = User.username == "handler_t"
    if change == "closed":
        User.update(active=False).where(handler).execute()
    elif change == "ended":
        User.update(active=False, username=None).where(handler).execute()
    elif change == "no address":
        User.update(email=None).where(handler).execute()
    else:
        account = user("handler_t")
        UserSection.delete().where(UserSection.user == account.id).execute()
        UserSection.create(user=account.id, section=Section.get(code="business"))
    output = send(runner)
    assert output.endswith("1 sent, 0 to be tried again later, 0 failed, 1 no longer for "
                           "their recipient\n") or "1 no longer" in output, output
    assert smtp.inbox.to(addresses["handler_t"]) == []
    assert len(smtp.inbox.to(addresses["responsible"])) == 1
    dropped = OutboxMessage.get_by_id(written["handler_t"].id)
    assert dropped.state == "dropped" and dropped.last_error.startswith("Not sent:")
    # The outbox page says why, in the reader's language.
    from tests.conftest import new_session
    page = new_session(app, "maint").get("/outbox/?state=dropped").get_data(as_text=True)
    assert "Ei lähetetty:" in page and "Not sent:" not in page


def test_a_kind_turned_off_after_it_was_written_is_not_sent(app, runner, smtp, addresses):
    with write_transaction():
        notifications.notify("guidance_published", [user("staff_t")],
                             {"path": "/access/guidance/", "version": 2})
    User.update(notifications_off="guidance_published").where(
        User.username == "staff_t").execute()
    send(runner)
    assert smtp.inbox.messages == [] and rows()[0].state == "dropped"


def test_each_message_is_claimed_and_marked_at_its_own_time(app, smtp, addresses, clock):
    """A run taking longer than a claim: every message's claim, sending and retry are of
    its own moment, so none is left claimable by the next run while this one sends it."""
    class SlowInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):
            clock.advance(minutes=11)  # the mail server takes its time
            return await super().handle_DATA(server, session, envelope)

    smtp.stop()
    smtp.inbox = SlowInbox()
    smtp.start()
    with write_transaction():
        for n in range(3):
            notifications.notify("access_request", [user("controller")], {"path": f"/{n}"})
    start = clock()
    settings = notifications.MailSettings.from_config(app.config)
    assert notifications.send_due(settings)["sent"] == 3
    sent_at = [row.sent_at for row in rows()]
    assert sent_at == [start + datetime.timedelta(minutes=11 * n) for n in (1, 2, 3)]


def test_an_unreachable_server_is_connected_to_once_a_run(app, runner, addresses):
    """A host that takes the connection and never answers: one timeout, not one a message."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1],
                      MAIL_TIMEOUT=0.5)
    try:
        with write_transaction():
            for n in range(5):
                notifications.notify("access_request", [user("controller")], {"path": f"/{n}"})
        assert send(runner).startswith("outbox: 0 sent, 5 to be tried again later")
        assert len(accepted) == 1
        assert all((r.state, r.attempts) == ("pending", 1) for r in rows())
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


def test_one_run_sends_at_a_time(app, runner, smtp, addresses):
    with write_transaction():
        notifications.notify("access_request", [user("controller")], {"path": "/"})
    with job_lock("outbox-send", app.config["DATABASE_URL"]) as held:
        assert held
        assert "another run is sending" in send(runner)
    assert smtp.inbox.messages == []
    assert send(runner).startswith("outbox: 1 sent")


def test_confirmation_links_are_limited_an_hour(client, auth, people, clock):
    auth.login_as("handler_t")
    token = csrf_token(client.get("/account/notifications/").get_data(as_text=True))

    def give(n):
        return client.post("/account/notifications/", data={
            "csrf_token": token, "email": f"osoite{n}@hel.fi", "language": "fi"})

    for n in range(CONFIRMATIONS_AN_HOUR):
        assert give(n).status_code == 303
    refused = give("x")
    assert refused.status_code == 200 and "tunnin" in refused.get_data(as_text=True)
    assert len(rows(kind="email_confirmation")) == CONFIRMATIONS_AN_HOUR
    OutboxMessage.update(created_at=clock() - datetime.timedelta(hours=1, minutes=1)).execute()
    assert give("y").status_code == 303  # an hour later
