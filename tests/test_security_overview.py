"""The security overview (issue 17; seed §3): who may open it, and each of its parts — the
second factor, accounts past their review, idle accounts, failed logins and lockouts per
week, the backups, the audit chain's last verification — with its link."""

import datetime
import re

import pytest

from models import (
    AccessReview,
    AccessReviewItem,
    AuditVerification,
    TotpCredential,
    User,
    utcnow,
)
from services import audit, backup, policy
from services import security_overview as overview
from services.localtime import from_helsinki, helsinki_today
from tests.conftest import user

PEOPLE = ("staff_t", "handler_t", "controller", "responsible", "maint", "eero", "nyrki",
          "anna")
PAGE = "/access/security/"


def part(page, name):
    """Return the HTML of the page's part ``name`` (a <section data-part=…>)."""
    match = re.search(rf'<section[^>]*data-part="{name}".*?</section>', page, re.S)
    assert match, f"no part {name}"
    return match.group(0)


def listed(html):
    return set(re.findall(r'data-account="([^"]+)"', html))


def week_row(page, day):
    match = re.search(rf'<tr data-week="{day.isoformat()}">(.*?)</tr>', page, re.S)
    assert match, f"no week {day}"
    return [int(n) for n in re.findall(r'<td class="text-right">(\d+)</td>', match.group(1))]


@pytest.mark.parametrize("username, status", [
    ("responsible", 200), ("controller", 200), ("handler_t", 403), ("staff_t", 403),
    ("maint", 403)])
def test_only_the_responsible_person_and_the_controller_open_it(client, auth, people,
                                                                  username, status):
    auth.login_as(username)
    assert client.get(PAGE).status_code == status
    menu = client.get("/").get_data(as_text=True)
    assert (PAGE in menu) == (status == 200)


def test_anonymous_is_sent_to_log_in(client, people):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_each_link_opens_for_whoever_sees_the_overview(client, auth, people):
    for role in policy.roles_with("see_security_overview"):
        name = {"controller": "controller", "responsible": "responsible"}[role]
        auth.login_as(name, switch=True)
        page = client.get(PAGE).get_data(as_text=True)
        links = set(re.findall(r'<p class="access-links"><a href="([^"]+)"', page))
        assert len(links) == 4
        for link in links:
            assert client.get(link).status_code == 200, (role, link)


def test_second_factor_required_and_advised(app, client, auth, people):
    app.config.update(TOTP_ENABLED=True, TOTP_REQUIRED_ROLES=["controller"])
    TotpCredential.create(user=people["controller"].id, secret="x",
                          created_at=utcnow(), confirmed_at=utcnow())
    TotpCredential.create(user=people["maint"].id, secret="x", created_at=utcnow())  # unconfirmed
    auth.login_as("responsible")
    html = part(client.get(PAGE).get_data(as_text=True), "second_factor")
    assert re.findall(r'data-account="([^"]+)" data-need="([^"]+)"', html) == [
        ("eero", "required"), ("handler_t", "advised"), ("maint", "advised")]
    assert "TOTP_ENABLED" not in html
    app.config.update(TOTP_ENABLED=False)
    assert "TOTP_ENABLED" in part(client.get(PAGE).get_data(as_text=True), "second_factor")


def test_accounts_past_their_review_and_idle_ones(client, auth, people):
    old = utcnow() - datetime.timedelta(days=400)
    User.update(created_at=old).where(User.username.in_(["anna", "staff_t", "maint"])).execute()
    review = AccessReview.create(reviewed_by=people["nyrki"].id,
                                 reviewed_at=utcnow() - datetime.timedelta(days=10))
    AccessReviewItem.create(review=review.id, user=people["staff_t"].id, role="staff",
                            active=True, outcome="keep")
    User.update(active=False).where(User.username == "maint").execute()
    User.update(last_login_at=utcnow() - datetime.timedelta(days=100)).where(
        User.username == "handler_t").execute()
    auth.login_as("responsible")
    page = client.get(PAGE).get_data(as_text=True)
    # anna: created 400 days ago, never reviewed; staff_t was reviewed; maint is closed.
    assert listed(part(page, "past_review")) == {"anna"}
    # Not used for 90 days: anna and staff_t (created 400 days ago, never logged in) and
    # handler_t (last login 100 days ago); not the closed account.
    assert listed(part(page, "idle")) == {"anna", "staff_t", "handler_t"}


def test_failed_logins_and_lockouts_per_helsinki_week(client, auth, people, clock):
    today = helsinki_today()
    monday = today - datetime.timedelta(days=today.weekday())
    three_weeks = monday - datetime.timedelta(weeks=3)
    # Monday 00:30 in Helsinki is still Sunday in UTC: it counts in the Helsinki week.
    start = from_helsinki(datetime.datetime.combine(three_weeks, datetime.time(0, 30)))
    for action in ("login_failed", "login_failed", "lockout"):
        audit.record(action, object_type="user", object_id=people["anna"].id, at=start)
    audit.record("login_failed", at=start - datetime.timedelta(hours=1))  # the week before
    audit.record("login_failed", at=start - datetime.timedelta(weeks=6))  # 9 weeks ago
    assert auth.login("anna", "wrong password").status_code == 200
    auth.login_as("responsible")
    page = client.get(PAGE).get_data(as_text=True)
    assert week_row(page, three_weeks) == [2, 1]
    assert week_row(page, three_weeks - datetime.timedelta(weeks=1)) == [1, 0]
    assert week_row(page, monday) == [1, 0]
    assert len(re.findall(r"<tr data-week=", page)) == overview.WEEKS
    found = overview.login_weeks(utcnow())
    assert (found[0].starts_on, found[-1].starts_on) == (
        monday - datetime.timedelta(weeks=7), monday)
    assert sum(w.failed for w in found) == 4 and sum(w.locked for w in found) == 1
    assert "<svg" in part(page, "logins") and 'role="img"' in part(page, "logins")
    # Counted in words that agree with the number (one lockout, not "1 lockouts").
    assert "4 epäonnistunutta kirjautumista ja 1 lukitus." in page


def test_the_audit_chains_verification_is_recorded_and_shown(client, auth, runner, people):
    auth.login_as("responsible")
    assert 'class="access-alert"' in re.search(
        r'data-line="verification">(.*?)</p>', client.get(PAGE).get_data(as_text=True),
        re.S).group(1)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    [check] = AuditVerification.select()
    assert check.intact and check.checked >= 1 and check.broken_id is None
    line = re.search(r'data-line="verification">(.*?)</p>',
                     client.get(PAGE).get_data(as_text=True), re.S).group(1)
    assert "access-alert" not in line and str(check.checked) in line


def test_the_backups_part_says_none_was_taken(client, auth, people):
    auth.login_as("controller")
    html = part(client.get(PAGE).get_data(as_text=True), "backup")
    assert 'data-line="last_backup"><span class="access-alert">' in html
    assert 'data-line="last_drill"><span class="access-alert">' in html
    assert 'href="/backups/"' in html


def test_the_overview_service_reads_a_handful_of_queries(app, people):
    with app.app_context():
        found = overview.overview(backup.Settings.from_app(app), totp_enabled=True,
                                  required_roles=["controller", "responsible"])
    assert {u.username for u, need in found.second_factor if need == "required"} == {
        "controller", "responsible", "eero", "nyrki"}
    assert found.verification is None and found.backup["last_good"] is None
    assert user("anna") not in [u for u, _day in found.past_review]
