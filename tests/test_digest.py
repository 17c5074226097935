"""The daily digest of notifications and the notification of new guidance (issue 17), with
the real SMTP server on loopback of tests/test_notifications.py and the register's clock
moved across the morning hour and across midnight in Helsinki."""

import datetime
import re

import pytest

from database import write_transaction
from models import OutboxMessage, User
from services import notifications
from services.access import guidance
from services.localtime import from_helsinki, helsinki_today
from tests.conftest import csrf_token, user
from tests.test_notifications import (  # noqa: F401 (fixtures)
    BASE_URL,
    CONTACT,
    REQUESTER,
    addresses,
    new_inspection_request,
    rows,
    send,
    smtp,
    text_of,
)

PEOPLE = ("staff_t", "handler_t", "handler_b", "controller", "responsible", "maint")
HOUR = notifications.DIGEST_HOUR


@pytest.fixture
def day(clock):
    """Tomorrow in Helsinki; ``day.at(hour, minute, days=0)`` moves the clock there."""

    class Day:
        date = helsinki_today() + datetime.timedelta(days=1)

        def at(self, hour, minute=0, days=0):
            local = datetime.datetime.combine(self.date + datetime.timedelta(days=days),
                                              datetime.time(hour, minute))
            clock.traveller.move_to(from_helsinki(local).replace(tzinfo=datetime.timezone.utc))

    return Day()


def choose_digest(*usernames, chosen=True):
    User.update(daily_digest=chosen).where(User.username.in_(usernames)).execute()


def publish(text):
    return guidance.publish_guidance(user("controller"), text)


def states(username):
    return sorted((m.kind, m.state) for m in rows(recipient=user(username).id))


def test_held_until_the_first_send_after_the_morning_hour_legal_deadlines_at_once(
        day, runner, smtp, addresses):
    choose_digest("handler_t", "responsible")
    day.at(HOUR - 2)
    publish("Ohje 1")
    request = new_inspection_request()
    # The digest's owners get the new request at once, the guidance is held; the others
    # get the guidance at once.
    assert send(runner).startswith("outbox: 5 sent")
    [first] = smtp.inbox.to(addresses["handler_t"])
    assert first["Subject"].startswith("Ny begäran om granskning")
    assert len(smtp.inbox.to(addresses["staff_t"])) == 1
    assert ("guidance_published", "held") in states("handler_t")

    day.at(HOUR - 1, 59)
    assert send(runner).startswith("outbox: 0 sent")
    day.at(HOUR, 3)
    assert send(runner).startswith("outbox: 2 sent")
    [swedish] = smtp.inbox.to(addresses["handler_t"])[1:]
    [english] = smtp.inbox.to(addresses["responsible"])[1:]
    assert swedish["Subject"] == ("Dagligt sammandrag av dina meddelanden från kundregistret "
                                  "(1)")
    assert swedish["Content-Language"] == "sv"
    assert "1. Nya anvisningar för kundregistrets användare (version 1)" in text_of(swedish)
    assert f"{BASE_URL}/access/guidance/" in text_of(swedish)
    assert english["Subject"].startswith("The daily digest of your notifications")
    assert "New guidance for the users of the customer register" in text_of(english)
    for message in (swedish, english):
        for personal in (REQUESTER, CONTACT, "controller", "Ohje 1", f"/requests/{request.id}/"):
            assert personal not in text_of(message)
    assert ("guidance_published", "digested") in states("handler_t")
    # Once a day: the next runs of the morning send nothing more.
    day.at(HOUR, 10)
    assert send(runner).startswith("outbox: 0 sent")


def test_a_notification_after_the_hour_waits_across_midnight_for_the_next_morning(
        day, runner, smtp, addresses):
    choose_digest("handler_t")
    day.at(HOUR, 30)
    publish("Ohje 1")
    for hour, minute, days in ((HOUR, 35, 0), (12, 0, 0), (23, 59, 0), (0, 1, 1),
                               (HOUR - 1, 59, 1)):
        day.at(hour, minute, days)
        send(runner)
        assert smtp.inbox.to(addresses["handler_t"]) == []
    day.at(HOUR, 0, 1)
    send(runner)
    [digest] = smtp.inbox.to(addresses["handler_t"])
    assert "1. Nya anvisningar för kundregistrets användare (version 1)" in text_of(digest)
    [row] = rows(kind="daily_digest")
    assert row.dedupe_key == f"digest:{(day.date + datetime.timedelta(days=1))}:" \
        f"{user('handler_t').id}"


def test_two_held_items_in_one_digest_and_the_server_down_loses_nothing(
        day, runner, smtp, addresses):
    choose_digest("handler_t")
    day.at(HOUR - 5)
    publish("Ohje 1")
    day.at(HOUR - 4)
    publish("Ohje 2")
    smtp.stop()
    day.at(HOUR, 1)
    assert send(runner).startswith("outbox: 0 sent")
    [digest] = rows(kind="daily_digest")
    assert digest.state == "pending" and digest.attempts == 1
    smtp.start()
    day.at(HOUR, 3)
    send(runner)
    [message] = smtp.inbox.to(addresses["handler_t"])
    text = text_of(message)
    assert message["Subject"].endswith("(2)")
    assert text.index("(version 1)") < text.index("(version 2)")
    day.at(HOUR, 30)
    send(runner)
    assert len(smtp.inbox.to(addresses["handler_t"])) == 1


def test_the_outbox_page_shows_held_and_digested_messages(day, client, auth, runner, smtp,
                                                          addresses):
    choose_digest("handler_t")
    day.at(HOUR - 1)
    publish("Ohje 1")
    auth.login_as("controller")  # the publisher, who has acknowledged it
    held = client.get("/outbox/?state=held").get_data(as_text=True)
    assert addresses["handler_t"] in held and addresses["staff_t"] not in held
    day.at(HOUR, 1)
    send(runner)
    auth.login_as("controller")  # an hour later: the session has timed out
    digested = client.get("/outbox/?state=digested").get_data(as_text=True)
    assert addresses["handler_t"] in digested
    sent = client.get("/outbox/?state=sent").get_data(as_text=True)
    assert "Asiakasrekisterin ilmoitusten päivän kooste (1)" not in sent  # Swedish
    assert "Dagligt sammandrag av dina meddelanden" in sent


def test_a_rolled_back_event_adds_nothing_to_the_digest(day, runner, smtp, addresses):
    choose_digest("handler_t")
    day.at(HOUR - 1)
    with pytest.raises(RuntimeError), write_transaction():
        publish("Ohje, joka perutaan")
        raise RuntimeError("the event fails after the notification was written")
    assert rows() == []
    day.at(HOUR, 5)
    send(runner)
    assert smtp.inbox.messages == [] and rows(kind="daily_digest") == []


def test_turning_the_digest_off_sends_what_was_held_at_the_next_run(
        day, runner, smtp, addresses):
    choose_digest("handler_t")
    day.at(10)
    publish("Ohje 1")
    assert ("guidance_published", "held") in states("handler_t")
    choose_digest("handler_t", chosen=False)
    day.at(10, 5)
    send(runner)
    [message] = smtp.inbox.to(addresses["handler_t"])
    assert "version 1" in message["Subject"]
    assert rows(kind="daily_digest") == []


def digest_box(page):
    """Return the HTML of the digest's checkbox on the account page."""
    match = re.search(r'<input[^>]*name="daily_digest"[^>]*>', page)
    return match.group(0) if match else ""


def test_the_account_page_saves_the_choice(client, auth, addresses):
    auth.login_as("handler_b")
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert digest_box(page) and "checked" not in digest_box(page)
    answer = client.post("/account/notifications/", data={
        "csrf_token": csrf_token(page), "email": addresses["handler_b"], "language": "fi",
        "daily_digest": "y"})
    assert answer.status_code == 303
    assert user("handler_b").daily_digest is True
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "checked" in digest_box(page)
    client.post("/account/notifications/", data={
        "csrf_token": csrf_token(page), "email": addresses["handler_b"], "language": "fi"})
    assert user("handler_b").daily_digest is False


# --- new guidance → every user -----------------------------------------------------------


def test_new_guidance_is_told_to_every_open_account_in_its_language(
        client, auth, runner, smtp, addresses):
    User.update(notifications_off="guidance_published").where(
        User.username == "handler_b").execute()
    User.update(active=False).where(User.username == "maint").execute()
    auth.login_as("controller")
    page = client.get("/access/guidance/").get_data(as_text=True)
    answer = client.post("/access/guidance/publish/", data={
        "csrf_token": csrf_token(page), "text": "Käsittele vain oman osastosi asiakkaita."})
    assert answer.status_code == 303
    # Not the publisher, not one who turned the kind off, not a closed account.
    assert {m.address for m in rows(kind="guidance_published")} == {
        addresses[name] for name in ("staff_t", "handler_t", "responsible")}
    send(runner)
    [swedish] = smtp.inbox.to(addresses["handler_t"])
    [finnish] = smtp.inbox.to(addresses["staff_t"])
    assert swedish["Subject"] == "Nya anvisningar för kundregistrets användare (version 1)"
    assert finnish["Subject"].startswith("Asiakasrekisterin käyttäjien ohjeistus")
    for message in (swedish, finnish):
        assert f"{BASE_URL}/access/guidance/" in text_of(message)
        assert "oman osastosi" not in text_of(message)


def test_a_refused_guidance_notifies_nobody(client, auth, addresses):
    auth.login_as("controller")
    page = client.get("/access/guidance/").get_data(as_text=True)
    client.post("/access/guidance/publish/", data={
        "csrf_token": csrf_token(page), "text": "Hetu 131052-308T ei kuulu tänne"})
    assert OutboxMessage.select().count() == 0


def test_guidance_can_be_turned_off_but_a_legal_deadline_cannot():
    assert "guidance_published" in notifications.OPTIONAL_KINDS
    assert not set(notifications.OPTIONAL_KINDS) & set(notifications.SENT_AT_ONCE)
    assert set(notifications.LEGAL_DEADLINE_KINDS) <= set(notifications.SENT_AT_ONCE)
