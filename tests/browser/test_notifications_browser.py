"""The outbox page and the account page of one's email notifications in a real browser, in
Finnish: technical maintenance sends a failed message again; a handler changes the
address, corrects a refused one, and is told a confirmation link was sent. axe-core checks
every page on the way (WCAG 2.x A/AA)."""

import datetime

import pytest
from playwright.sync_api import expect

from models import OutboxMessage, User, utcnow
from tests.browser.helpers import assert_accessible, log_in, log_out, open_account_item

pytestmark = pytest.mark.browser


def test_maintenance_resends_failed_mail_and_a_handler_changes_the_address(
        page, make_user, db_kind):
    make_user("ylla", "maintenance")
    handler = make_user("tuulikki", "handler", ["tourism"])
    User.update(email="tuulikki@hel.fi").where(User.id == handler.id).execute()
    OutboxMessage.create(
        recipient=handler.id, address="tuulikki@hel.fi", language="fi",
        kind="inspection_request", state="failed", attempts=8, last_error="OSError: down",
        params='{"due": "2026-12-12", "path": "/requests/1/", "section": "tourism"}',
        created_at=utcnow(), next_attempt_at=utcnow() + datetime.timedelta(hours=1))

    log_in(page, "ylla", front_page=True)
    page.goto("/outbox/?state=failed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lähtevät viestit")
    row = page.get_by_role("row").filter(has_text="tuulikki@hel.fi")
    expect(row).to_contain_text("Uusi tarkastuspyyntö osaan Matkailu- ja kongressitoimisto")
    expect(row).to_contain_text("Epäonnistui")
    assert_accessible(page)
    row.get_by_role("button", name="Lähetä viesti nro 1 uudelleen").click()
    expect(page.locator(".alert-success")).to_contain_text("lähetetään uudelleen")
    assert OutboxMessage.get().state == "pending"
    assert_accessible(page)
    log_out(page)

    log_in(page, "tuulikki", front_page=True)
    open_account_item(page, "Sähköposti-ilmoitukset")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sähköposti-ilmoitukset")
    field = page.get_by_label("Työsähköposti")
    expect(field).to_have_value("tuulikki@hel.fi")
    assert_accessible(page)
    field.fill("ei osoite")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_label("Työsähköposti")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Työsähköposti").fill("tuulikki.uusi@hel.fi")
    page.get_by_label("Käyttöoikeuspyyntö hyväksytty").check()
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".alert-info").first).to_contain_text("tuulikki.uusi@hel.fi")
    assert User.get_by_id(handler.id).email == "tuulikki@hel.fi"  # until confirmed
    assert User.get_by_id(handler.id).notifications_off == "access_approved"
    assert_accessible(page)
