"""Accounts under overlapping work and odd input: a login or a password change while the
account's access ends or its role changes writes back nothing read before; a code in other
digits is a wrong code; the last controller stays open; a password of spaces is too short;
wrong codes to turn the second factor off count as failed logins; a change of an ended
account cannot be approved, nor a change of one's own account."""

import datetime

import pytest

from models import AccessRequest, LoginFailure, LoginLock, User, utcnow
from services import access, accounts, totp
from services.errors import RegisterError
from tests.conftest import PASSWORD, csrf_token, login, new_session
from tests.test_security import _enrol, _post_code

PEOPLE = ("eero", "nyrki", "tuulikki", "susanna", "anna", "ylla")


def end_anna(people):
    access.end_access(people["tuulikki"], User.get_by_id(people["anna"].id),
                      access.helsinki_date(utcnow()), "Työsuhde päättyi")


def meanwhile(monkeypatch, name, work):
    """Run ``work()`` after ``accounts.name`` returns: another request done while this one
    hashed the password, outside its transaction."""
    original = getattr(accounts, name)

    def then_work(*args, **kwargs):
        result = original(*args, **kwargs)
        work()
        return result

    monkeypatch.setattr(accounts, name, then_work)


def test_access_ended_while_logging_in_stays_ended(app, people, monkeypatch):
    meanwhile(monkeypatch, "authenticate", lambda: end_anna(people))
    client = app.test_client()
    login(client, "anna")
    row = User.get_by_id(people["anna"].id)
    assert (row.username, row.active) == (None, False)
    assert client.get("/").status_code == 302  # no session was opened
    assert LoginFailure.select().count() == 1  # a refused login, counted as one


def test_a_role_changed_while_logging_in_stays_changed(app, people, monkeypatch):
    asked = access.request_access(people["eero"], "staff", ["business"], "Tehtävät muuttuivat",
                                  account_id=people["susanna"].id)
    access.decide(people["eero"], asked, True)
    meanwhile(monkeypatch, "authenticate", lambda: access.implement(
        people["eero"], AccessRequest.get_by_id(asked.id)))
    assert login(app.test_client(), "susanna").status_code == 302
    assert User.get_by_id(people["susanna"].id).role == "staff"


def test_access_ended_while_changing_the_password_stays_ended(app, people, monkeypatch):
    client = new_session(app, "anna")
    meanwhile(monkeypatch, "check_current_password", lambda: end_anna(people))
    page = client.get("/password").get_data(as_text=True)
    new = "a brand new passphrase"
    client.post("/password", data={"csrf_token": csrf_token(page), "current_password": PASSWORD,
                                   "new_password": new, "confirm": new})
    row = User.get_by_id(people["anna"].id)
    assert (row.username, row.active) == (None, False)


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12345٦"])
def test_a_code_in_other_digits_is_a_wrong_code(app, client, make_user, clock, code):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    _enrol(client, user, clock)
    assert login(client, "anna").location == "/login/code"
    answer = _post_code(client, "/login/code", code)
    assert answer.status_code == 200 and client.get("/").status_code == 302


def test_an_enrolment_code_in_other_digits_is_a_wrong_code(app, client, make_user):
    app.config["TOTP_ENABLED"] = True
    make_user("anna", "staff", ["tourism"])
    assert login(client, "anna").location == "/"
    assert _post_code(client, "/account/second-factor", "١٢٣٤٥٦").status_code == 200


@pytest.mark.clock
def test_the_last_controller_is_not_disabled_as_idle(app, people, runner):
    now = utcnow()
    User.update(last_login_at=now - datetime.timedelta(days=100)).execute()
    result = runner.invoke(args=["users", "disable-idle"])
    assert result.exit_code == 0, result.output
    open_accounts = {u.username for u in User.open_accounts()}
    assert open_accounts == {"eero"}  # every other idle account was disabled


def test_a_password_of_spaces_is_too_short(app, people, runner):
    result = runner.invoke(args=["users", "create", "uusi", "--role", "staff", "--section",
                                 "tourism", "--reason", "Asiakaspalvelu",
                                 "--password", " " * 12])
    assert result.exit_code != 0 and User.by_username("uusi") is None
    with pytest.raises(RegisterError):
        accounts.check_password_policy("   " + "x" * 10 + "  ")


def test_wrong_codes_to_turn_the_second_factor_off_count_as_failed_logins(
        app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    secret = _enrol(client, user, clock)
    login(client, "anna")
    _post_code(client, "/login/code", totp.current_code(secret))
    guesses = 0
    while client.get("/account/second-factor").status_code == 200 and guesses < 10:
        guesses += 1
        _post_code(client, "/account/second-factor/remove", f"{guesses:06d}",
                   page_url="/account/second-factor")
    assert guesses == app.config["LOGIN_MAX_FAILURES"]
    assert LoginLock.select().where(LoginLock.kind == "username").exists()
    assert client.get("/").status_code == 302  # the guessing session ended at the lock
    assert totp.is_enrolled(user)


def test_a_change_of_an_ended_account_cannot_be_approved(app, people):
    asked = access.request_access(people["tuulikki"], "handler", ["tourism"], "Ylennys",
                                  account_id=people["anna"].id)
    end_anna(people)
    with pytest.raises(RegisterError, match="ended"):
        access.decide(people["eero"], AccessRequest.get_by_id(asked.id), True)
    access.decide(people["eero"], AccessRequest.get_by_id(asked.id), False, "Päättyi")
    assert AccessRequest.get_by_id(asked.id).state == "refused"


def test_a_controller_does_not_approve_a_change_of_their_own_account(app, people, make_user):
    asked = access.request_access(people["nyrki"], "staff", ["tourism"], "Vähemmän oikeuksia",
                                  account_id=people["eero"].id)
    address = f"/access/requests/{asked.id}/"
    client = new_session(app, "eero")
    page = client.get(address).get_data(as_text=True)
    assert 'id="own-change-note"' in page and 'value="approve"' not in page
    sent = client.post(address + "decide/", data={
        "csrf_token": csrf_token(page), "decision": "approve", "reason": ""})
    assert sent.status_code == 200 and "hyväksyy toinen rekisterinpitäjä" in sent.get_data(as_text=True)
    assert AccessRequest.get_by_id(asked.id).state == "requested"
    other = make_user("outi", "controller", [])
    client = new_session(app, "outi")
    assert 'value="approve"' in client.get(address).get_data(as_text=True)
    access.decide(other, AccessRequest.get_by_id(asked.id), True)
    assert AccessRequest.get_by_id(asked.id).state == "approved"
