"""The second login factor in a real browser: a controller enrols right after the password,
logs out and logs in with a code; every page accessible and free of CSP violations (the
`page` fixture fails on any)."""

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import expect

from models import utcnow
from services import totp
from tests.browser.helpers import assert_accessible, log_in, log_out, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def stopped_clock():
    """The server's clock (models.utcnow), stopped, to be moved by hand."""
    start = utcnow().replace(tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_controller_enrols_then_logs_in_with_a_code(app, page, make_user, db_kind,
                                                    stopped_clock):
    app.config["TOTP_ENABLED"] = True
    make_user("eero", "controller")

    log_in(page, "eero")
    expect(page).to_have_url(re.compile(r"/account/second-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kaksivaiheinen kirjautuminen")
    expect(page.get_by_role("img", name="Todennussovelluksen avaimen QR-koodi")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"totp-enrol-{db_kind}")
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Todennussovelluksen koodi").fill("000000")
    page.get_by_role("button", name="Vahvista ja ota käyttöön").click()
    expect(page.get_by_text("Koodi on väärä.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Todennussovelluksen koodi").fill(totp.current_code(secret))
    page.get_by_role("button", name="Vahvista ja ota käyttöön").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status").first).to_contain_text("Kaksivaiheinen kirjautuminen on käytössä")

    log_out(page)
    log_in(page, "eero")
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_label("Todennussovelluksen koodi")).to_be_focused()
    assert_accessible(page)
    screenshot(page, f"totp-code-{db_kind}")
    # The enrolment's code is used up; half a minute later the app shows the next one.
    page.get_by_label("Todennussovelluksen koodi").fill(totp.current_code(secret))
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_text("Koodi on väärä tai jo käytetty.")).to_be_visible()
    stopped_clock.shift(datetime.timedelta(seconds=30))
    page.get_by_label("Todennussovelluksen koodi").fill(totp.current_code(secret))
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Käyttäjätili: eero")).to_be_visible()
