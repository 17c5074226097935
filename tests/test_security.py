"""Login and session security (OWASP ASVS 4.0 level 2), security headers and formula
escaping in exports. Time moves by the `clock` fixture, never by sleeping."""

import csv
import datetime
import io
import logging
import pathlib
import re
import subprocess
import sys

import pytest
from argon2 import PasswordHasher, Type
from openpyxl import load_workbook

from models import (
    AuditEvent,
    Customer,
    Invoice,
    LoginFailure,
    LoginLock,
    Purchase,
    Section,
    TotpCredential,
    User,
    UserSection,
    UserSession,
)
from services import accounts, sessions, totp
from services.errors import RegisterError
from services.exports import CSV_CONTENT_TYPE, FORMULA_STARTS, XLSX_CONTENT_TYPE, safe_cell
from services.localtime import helsinki_today
from tests.conftest import PASSWORD, csrf_token, login

ROOT = pathlib.Path(__file__).resolve().parent.parent
NEUTRAL = "Väärä käyttäjätunnus tai salasana."
WRONG = "not the password at all"


def logged_in(client, address="127.0.0.1"):
    return client.get("/password", environ_base={"REMOTE_ADDR": address}).status_code == 200


def actions(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# --- lockout ----------------------------------------------------------------------------


@pytest.mark.clock
def test_five_failures_lock_the_username_for_fifteen_minutes(client, make_user, clock):
    anna = make_user("anna", "staff", ["tourism"])
    for _ in range(5):
        page = login(client, "anna", WRONG).get_data(as_text=True)
        assert NEUTRAL in page
    assert [e.object_id for e in actions("lockout")] == [str(anna.id)]
    assert len(actions("login_failed")) == 5
    # The right password is refused with the same words while the lock lasts.
    clock.advance(minutes=14, seconds=59)
    page = login(client, "ANNA ", PASSWORD).get_data(as_text=True)  # any case, spaces
    assert NEUTRAL in page and not logged_in(client)
    assert len(actions("login_failed")) == 6
    clock.advance(seconds=2)
    assert login(client, "anna").location == "/"
    assert logged_in(client)
    # The successful login resets the count and ends the lock, audited.
    assert [e.object_id for e in actions("lockout_reset")] == [str(anna.id)]
    assert LoginLock.select().count() == 0 and LoginFailure.select().count() == 0


def test_an_unknown_username_locks_alike_and_the_message_tells_nothing(client, make_user, clock):
    make_user("anna", "staff", ["tourism"])
    pages = [login(client, name, WRONG).get_data(as_text=True)
             for name in ["nobody"] * 6 + ["anna"]]
    assert all(NEUTRAL in page for page in pages)
    lock = LoginLock.get()
    assert lock.kind == "username" and lock.user is None
    assert "nobody" not in lock.key and "nobody" not in LoginFailure.get().username_key
    # Five failures, then an attempt while locked; the unknown name never reaches the log.
    assert [e.object_id for e in actions("login_failed")] == [None] * 6 + [
        str(User.by_username("anna").id)]


@pytest.mark.clock
def test_failures_older_than_the_window_do_not_count(client, make_user, clock):
    make_user("anna", "staff", ["tourism"])
    for _ in range(4):
        login(client, "anna", WRONG)
    clock.advance(minutes=15, seconds=1)
    login(client, "anna", WRONG)
    assert LoginLock.select().count() == 0
    assert login(client, "anna").location == "/"


WAIT = re.compile(r"Wait (\d+) s, then try again")
OFFICE = "198.51.100.7"  # a city office: every member of its staff behind one NAT address


def english_client(app):
    """A new browser whose pages are in English (the wait message is asserted in words)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(page)})
    return client


def attempt(app, clock, username, password, address=OFFICE):
    """Log in as a person would: told to wait, wait that long and try again.

    Returns the client, the final response and the seconds told to wait on the way.
    """
    client = english_client(app)
    waits = []
    while True:
        response = login(client, username, password, address=address)
        told = WAIT.search(response.get_data(as_text=True))
        if told is None:
            return client, response, waits
        waits.append(int(told.group(1)))
        clock.advance(seconds=int(told.group(1)))


def make_staff(count):
    """Create ``count`` staff accounts quickly: one password hash shared by all."""
    hashed = accounts.hash_password(PASSWORD)
    tourism = Section.get(code="tourism")
    names = [f"staff{i:02}" for i in range(count)]
    for name in names:
        user = User.create(username=name, role="staff", password_hash=hashed,
                           must_change_password=False)
        UserSection.create(user=user, section=tourism)
    return names


def test_an_address_is_slowed_down_never_locked(app, make_user, clock):
    """50 people behind one address: 20 mistype twice, then 30 others log in at once."""
    assert (app.config["LOGIN_ADDRESS_MAX_FAILURES"], app.config["LOGIN_ADDRESS_DELAY_SECONDS"],
            app.config["LOGIN_ADDRESS_MAX_DELAY_SECONDS"]) == (20, 1, 30)  # the defaults
    names = make_staff(50)
    waits = []
    for name in names[:20] * 2:
        _, response, told = attempt(app, clock, name, WRONG)
        assert "Wrong username or password." in response.get_data(as_text=True)
        waits += told
    # From the 20th failure on, each failure doubles the wait, up to 30 seconds.
    assert waits == [1, 2, 4, 8, 16] + [30] * 15
    assert LoginFailure.select().count() == 40 and LoginLock.select().count() == 1
    assert not actions("lockout")  # no username has five failures; the address is not locked
    assert [e.object_id for e in actions("login_slowdown")] == [OFFICE]

    # An attempt before the address's time is refused with the same words whether its
    # password is right or not (it is not even checked), and it is not counted.
    early = [login(english_client(app), names[20], password, address=OFFICE)
             for password in (PASSWORD, WRONG)]
    answers = [WAIT.search(r.get_data(as_text=True)).group(0) for r in early]
    assert answers[0] == answers[1] == "Wait 30 s, then try again"
    assert all(r.status_code == 200 for r in early)
    assert LoginFailure.select().count() == 40 and not actions("login") \
        and len(actions("login_failed")) == 40

    # The other 30 log in with their passwords: only the first waits, once.
    waited = 0
    for name in names[20:]:
        client, response, told = attempt(app, clock, name, PASSWORD)
        assert response.location == "/" and logged_in(client, OFFICE), name
        waited += sum(told)
    assert waited == 30
    # So do the 20 who mistyped, and nobody else is held up by the office meanwhile.
    for name in names[:20]:
        client, response, told = attempt(app, clock, name, PASSWORD)
        assert response.location == "/" and not told
    assert login(app.test_client(), names[0], address="192.0.2.8").location == "/"
    assert len(actions("login")) == 51


def test_the_wait_of_an_address(app):
    limits = accounts.LoginLimits(secret="s")
    assert [accounts.address_delay(n, limits) for n in (0, 19, 20, 21, 24, 25, 10**6)] == [
        0, 0, 1, 2, 16, 30, 30]


def test_wrong_current_passwords_count_towards_the_lockout(app, client, make_user, clock):
    """A live session cannot guess the password on: the login's five failures lock it."""
    anna = make_user("anna", "staff", ["tourism"])
    other_session = english_client(app)
    login(other_session, "anna")
    client = english_client(app)
    login(client, "anna")
    for _ in range(2):  # two failed logins elsewhere …
        login(app.test_client(), "anna", WRONG, address="192.0.2.9")

    def change(browser, current):
        page = browser.get("/password").get_data(as_text=True)
        new = "a brand new passphrase"
        return browser.post("/password", data={
            "csrf_token": csrf_token(page), "current_password": current,
            "new_password": new, "confirm": new})

    for _ in range(2):  # … and two wrong current passwords: the same count
        response = change(client, WRONG)
        assert response.status_code == 200 and "The current password is wrong" in \
            response.get_data(as_text=True)
    assert [e.object_id for e in actions("login_failed")] == [str(anna.id)] * 4
    assert LoginFailure.select().where(LoginFailure.address == "127.0.0.1").count() == 2
    # The fifth failure locks the username, and the session that guessed ends.
    response = change(client, WRONG)
    assert response.status_code == 302 and response.location == "/login"
    assert "your session has ended" in client.get("/login").get_data(as_text=True)
    assert not logged_in(client)
    assert [e.object_id for e in actions("lockout")] == [str(anna.id)]
    assert UserSession.select().where(UserSession.revoked_reason == "locked").count() == 1
    # Locked like at the login: the right password is refused, at the login …
    assert NEUTRAL in login(app.test_client(), "anna").get_data(as_text=True)
    # … and at a password change of another session, which ends as well.
    assert change(other_session, PASSWORD).location == "/login"
    assert not logged_in(other_session)
    assert accounts.authenticate("anna", PASSWORD) is not None  # nothing was changed
    clock.advance(minutes=15, seconds=1)
    assert login(client, "anna").location == "/"
    assert change(client, PASSWORD).location == "/"


def test_wrong_second_factor_codes_lock_too(app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    secret = _enrol(client, user, clock)
    for _ in range(5):
        assert login(client, "anna").location == "/login/code"
        page = _post_code(client, "/login/code", "000000").get_data(as_text=True)
        assert "Koodi on väärä" in page
    assert [e.fields for e in actions("login_failed")] == ["totp"] * 5
    assert len(actions("lockout")) == 1
    assert NEUTRAL in login(client, "anna").get_data(as_text=True)
    clock.advance(minutes=16)
    assert login(client, "anna").location == "/login/code"
    assert _post_code(client, "/login/code", totp.current_code(secret)).location == "/"


# --- password policy and hashing ----------------------------------------------------------


@pytest.mark.parametrize("password, problem", [
    ("short pass", "at least"),
    ("QWERTY123456", "most common"),  # in the list, compared case-insensitively
    ("1q2w3e4r5t6y", "most common"),
    ("2026-anna.virtanen-x", "username"),
    ("ANNA.VIRTANEN", "username"),
    ("Virtanen Anna 1", None),
    ("correct horse battery", None),
])
def test_password_policy(app, password, problem):
    if problem is None:
        accounts.check_password_policy(password, "anna.virtanen")
        return
    with pytest.raises(RegisterError) as refused:
        accounts.check_password_policy(password, "anna.virtanen")
    assert problem in refused.value.message


def test_common_password_list_is_bundled():
    common = accounts.common_passwords()
    assert len(common) > 10_000 and "password" in common and "qwerty123456" in common


def test_change_password_page_says_what_to_do(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    for new, words in [("qwerty123456", "yleisimmistä"), ("anna anna anna 1", "käyttäjätunnustasi"),
                       ("lyhyt", "12")]:
        page = client.get("/password").get_data(as_text=True)
        r = client.post("/password", data={"csrf_token": csrf_token(page),
                                           "current_password": PASSWORD,
                                           "new_password": new, "confirm": new})
        assert r.status_code == 200 and words in r.get_data(as_text=True)
    assert accounts.authenticate("anna", PASSWORD) is not None


def test_the_register_hashes_with_owasps_argon2id_parameters(production_hashing):
    """A fresh process, without the test setup, hashes at argon2id's production cost: the
    cheap hasher of the tests (conftest.py) never reaches the register itself."""
    shown = ("from services import accounts; h = accounts.hasher; "
             "print(h.type.name, h.time_cost, h.memory_cost, h.parallelism, "
             "accounts._DUMMY_HASH.split('$')[3])")
    result = subprocess.run([sys.executable, "-c", shown], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.split() == ["ID", "2", "19456", "1", "m=19456,t=2,p=1"]
    assert (production_hashing.type, production_hashing.time_cost,
            production_hashing.memory_cost, production_hashing.parallelism) == (
        Type.ID, 2, 19456, 1)
    assert accounts.hasher is production_hashing
    assert "$m=19456,t=2,p=1$" in accounts.hash_password(PASSWORD)


def test_the_tests_hash_cheaply(make_user):
    assert accounts.hasher.time_cost == 1 and accounts.hasher.memory_cost == 8
    stored = User.get_by_id(make_user("anna", "staff", ["tourism"]).id).password_hash
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_argon2id_parameters_and_rehash_at_login(client, make_user, production_hashing):
    assert accounts.hasher.time_cost >= 2 and accounts.hasher.memory_cost >= 19456
    assert accounts.hasher.parallelism == 1
    user = make_user("anna", "staff", ["tourism"])
    assert re.match(r"\$argon2id\$v=19\$m=19456,t=2,p=1\$", User.get_by_id(user.id).password_hash)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    User.update(password_hash=weak).where(User.id == user.id).execute()
    assert login(client, "anna").location == "/"
    stored = User.get_by_id(user.id).password_hash
    assert stored != weak and "m=19456,t=2,p=1" in stored
    assert accounts.authenticate("anna", PASSWORD) is not None


# --- sessions ----------------------------------------------------------------------------


@pytest.mark.clock
def test_idle_timeout(client, make_user, clock):
    make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    for _ in range(3):  # activity keeps the session alive well past 30 minutes
        clock.advance(minutes=29)
        assert logged_in(client)
    clock.advance(minutes=30)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "30 minuuttiin" in client.get("/login").get_data(as_text=True)
    assert UserSession.get().revoked_reason == "idle"
    assert not logged_in(client)


@pytest.mark.clock
def test_absolute_timeout(app, client, make_user, clock):
    make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    for _ in range(12 * 2):
        clock.advance(minutes=29, seconds=59)
        assert logged_in(client)
    clock.advance(seconds=25)  # 12 hours since the login, though active
    assert not logged_in(client)
    assert UserSession.get().revoked_reason == "absolute"
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_ABSOLUTE_HOURS=1)  # configurable
    login(client, "anna")
    clock.advance(minutes=5)
    assert not logged_in(client)


def test_a_copied_cookie_stops_working_at_logout(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    stolen = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    auth.logout()
    client.set_cookie("session", stolen)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert UserSession.get().revoked_reason == "logout"


def test_closing_the_account_ends_its_sessions(app, client, make_user, runner):
    user = make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    other = app.test_client()
    login(other, "anna")
    assert sessions.live_count(user) == 2
    assert runner.invoke(args=["users", "deactivate", "anna", "--reason",
                               "Siirtyi muihin tehtäviin"]).exit_code == 0
    assert sessions.live_count(user) == 0
    assert not logged_in(client) and not logged_in(other)


def test_an_inactive_account_is_refused_even_with_a_live_session(client, make_user):
    user = make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    User.update(active=False).where(User.id == user.id).execute()  # behind the service
    assert not logged_in(client)


def test_login_rotates_the_session(client, make_user):
    make_user("anna", "staff", ["tourism"])
    with client.session_transaction() as s:
        s["sid"] = "chosen-by-an-attacker"
        s["planted"] = "x"
    login(client, "anna")
    with client.session_transaction() as s:
        token = s["sid"]
        assert token != "chosen-by-an-attacker" and "planted" not in s
    row = UserSession.get()
    assert row.token_hash != token and len(token) >= 40  # only its hash is stored
    # Logging in again over a live session replaces it.
    login(client, "anna")
    with client.session_transaction() as s:
        assert s["sid"] != token
    assert [r.revoked_reason for r in UserSession.select().order_by(UserSession.created_at)] == [
        "replaced", None]


def test_a_password_change_ends_the_other_sessions(app, client, make_user):
    make_user("anna", "staff", ["tourism"])
    thief = app.test_client()
    login(thief, "anna")
    login(client, "anna")
    page = client.get("/password").get_data(as_text=True)
    new = "a brand new passphrase"
    r = client.post("/password", data={"csrf_token": csrf_token(page), "current_password": PASSWORD,
                                       "new_password": new, "confirm": new})
    assert r.status_code == 302
    assert logged_in(client) and not logged_in(thief)
    assert actions("password_change")


def test_session_cookie_flags(app, client, make_user):
    assert app.config["SESSION_COOKIE_SECURE"] is True  # the default; `make run` turns it off
    make_user("anna", "staff", ["tourism"])
    cookie = login(client, "anna").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- the second factor --------------------------------------------------------------------


def _post_code(client, url, code, page_url=None):
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"code": code, "csrf_token": csrf_token(page)})


def _enrolment_secret(page):
    match = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', page)
    assert match, "no key on the enrolment page"
    return match.group(1).replace(" ", "")


def _enrol(client, user, clock):
    """Log in, enrol with a code, log out; return the secret."""
    assert login(client, user.username).location == "/"
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = _enrolment_secret(page)
    assert "<svg" in page and "otpauth://totp/" in page
    r = _post_code(client, "/account/second-factor", totp.current_code(secret))
    assert r.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/password").get_data(as_text=True))})
    clock.advance(seconds=30)
    return secret


def test_enrol_then_log_in_with_a_code_once(app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    secret = _enrol(client, user, clock)
    stored = TotpCredential.get(TotpCredential.user == user.id)
    assert stored.confirmed_at is not None and secret not in stored.secret  # encrypted
    assert actions("totp_enrol")
    # After the password the code is asked; the register is not open before it.
    assert login(client, "anna").location == "/login/code"
    assert client.get("/").location.startswith("/login")
    code = totp.current_code(secret)
    assert _post_code(client, "/login/code", code).location == "/"
    assert client.get("/").status_code == 200
    # The key is never shown again.
    assert secret[:8] not in client.get("/account/second-factor").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/password").get_data(as_text=True))})
    # The same code again: refused, even within its time step.
    login(client, "anna")
    assert _post_code(client, "/login/code", code).status_code == 200
    assert client.get("/").location.startswith("/login")
    # A code of the step before or after is accepted (clock drift).
    clock.advance(seconds=30)
    assert _post_code(client, "/login/code",
                      totp.current_code(secret, clock() + datetime.timedelta(seconds=30))
                      ).location == "/"


def test_required_roles_enrol_right_after_the_password(app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    assert app.config["TOTP_REQUIRED_ROLES"] == ["controller", "responsible"]
    make_user("eero", "controller")
    assert login(client, "eero").location == "/account/second-factor"
    assert client.get("/").location.startswith("/login")  # not logged in yet
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = _enrolment_secret(page)
    assert client.get("/account/second-factor").get_data(as_text=True).count(secret[:4]) >= 1
    r = _post_code(client, "/account/second-factor", totp.current_code(secret))
    assert r.location == "/"
    assert client.get("/").status_code == 200
    assert actions("login")
    # The controller may not turn it off; staff may.
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert client.post("/account/second-factor/remove",
                       data={"code": "123456", "csrf_token": csrf_token(page)}).status_code == 403


def test_staff_may_turn_the_second_factor_off_with_a_code(app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    secret = _enrol(client, user, clock)
    login(client, "anna")
    _post_code(client, "/login/code", totp.current_code(secret))
    clock.advance(seconds=30)
    r = _post_code(client, "/account/second-factor/remove", totp.current_code(secret),
                   page_url="/account/second-factor")
    assert r.status_code == 302 and not totp.is_enrolled(user)
    assert actions("totp_remove")


def test_second_factor_pages_absent_when_not_enabled(client, make_user):
    make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    assert client.get("/account/second-factor").status_code == 404


# --- headers on every response ---------------------------------------------------------------


def _urls(app):
    """Yield ``(url, is_static)`` for every GET rule, its arguments filled with 1."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            yield (re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule),
                   rule.endpoint == "static" or rule.endpoint.endswith(".static"))


def _assert_headers(response, url, static=False):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src, url
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), url
    assert "Strict-Transport-Security" not in headers, url  # plain HTTP here
    if not static:
        assert headers.get("Cache-Control") == "no-store", url


def _assert_no_inline_code(response, url):
    """Every inline script carries the response's nonce; no inline handler anywhere."""
    if not response.mimetype == "text/html":
        return
    page = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert f'nonce="{nonce}"' in tag, (url, tag)
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page), url


def test_headers_on_every_route(app, client, make_user):
    make_user("eero", "controller")
    make_user("tuulikki", "handler", ["tourism"])
    urls = sorted(set(_urls(app)))
    statuses = set()
    for who in (None, "eero", "tuulikki"):
        if who:
            assert login(client, who).location == "/"
        for url, static in urls:
            response = client.get(url)
            statuses.add(response.status_code)
            _assert_headers(response, url, static)
            _assert_no_inline_code(response, url)
        for url in ("/no-such-page", "/customers/details/?id=abc", "/customers/new/",
                    "/customers/edit/?id=999999"):
            response = client.get(url)
            statuses.add(response.status_code)
            _assert_headers(response, url)
            _assert_no_inline_code(response, url)
        if who:
            client.post("/logout", data={"csrf_token": csrf_token(client.get("/password").get_data(as_text=True))})
    assert {200, 302, 403, 404} <= statuses


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_proxy_that_is_not_trusted_is_warned_of_once(app, client, db_url, make_user, caplog):
    """Behind a proxy with PROXY_COUNT 0 every user has the proxy's address: say so."""
    assert app.config["PROXY_COUNT"] == 0
    forwarded = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    with caplog.at_level(logging.WARNING, logger="security"):
        client.get("/login")
        assert not caplog.records  # no proxy: nothing to say
        for _ in range(3):
            client.get("/login", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    warnings = [r for r in caplog.records if r.name == "security"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "REGISTER_PROXY_COUNT" in warnings[0].getMessage()
    assert "10.0.0.2" in warnings[0].getMessage()
    # With the proxy trusted: no warning, and the lockout counts the client's address.
    from app import create_app

    caplog.clear()
    behind = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test",
                         "PROXY_COUNT": 1})
    make_user("anna", "staff", ["tourism"])
    proxied = behind.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.5"}  # plain HTTP to the test client
    page = proxied.get("/login", headers=forwarded).get_data(as_text=True)
    with caplog.at_level(logging.WARNING, logger="security"):
        proxied.post("/login", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"},
                     data={"username": "anna", "password": WRONG,
                           "csrf_token": csrf_token(page)})
    assert not [r for r in caplog.records if r.name == "security"]
    assert [f.address for f in LoginFailure.select()] == ["203.0.113.5"]


def test_static_files_may_be_cached_but_carry_the_headers(client):
    response = client.get("/assets/register.js")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- formula escaping in every export --------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","x")'


def test_safe_cell():
    for start in FORMULA_STARTS:
        assert safe_cell(start + "1") == "'" + start + "1"
    assert safe_cell("Oy Ab") == "Oy Ab" and safe_cell(None) == "" and safe_cell(12) == "12"
    # A formula after spaces is one to a spreadsheet that trims the cell.
    for spaced in (' =HYPERLINK("http://x")', "\u00a0+1", "  @SUM(A1)"):
        assert safe_cell(spaced) == "'" + spaced
    assert safe_cell(" Oy Ab") == " Oy Ab"


def _cells_of(response):
    body = response.get_data()
    if body[:2] == b"PK":  # XLSX
        book = load_workbook(io.BytesIO(body))
        return [cell.value for sheet in book.worksheets for row in sheet.iter_rows()
                for cell in row if isinstance(cell.value, str)]
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.count(";") > text.count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _assert_escaped(response, what):
    assert response.status_code == 200, what
    # One charset, said once (it was "text/csv; charset=utf-8; charset=utf-8").
    assert response.headers.getlist("Content-Type") == [
        XLSX_CONTENT_TYPE if response.get_data()[:2] == b"PK" else CSV_CONTENT_TYPE], what
    assert CSV_CONTENT_TYPE == "text/csv; charset=utf-8"
    cells = _cells_of(response)
    assert "'" + EVIL in cells, what
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], what


def test_every_export_escapes_formulas(app, client, make_user):
    from services import disclosures

    tourism = Section.get(code="tourism")
    evil = Customer.create(section=tourism, kind="company", name=EVIL, email="evil@example.fi",
                           phone="+358401234567")
    Invoice.create(customer=evil, number="-1+2", invoice_date=helsinki_today(),
                   due_date=helsinki_today(), amount="10.00")
    # Five buyers: a service name fewer customers bought is not published at all.
    for n in range(5):
        buyer = evil if n == 0 else Customer.create(section=tourism, kind="person",
                                                    first_name="Osta", last_name=f"Ja{n}")
        Purchase.create(customer=buyer, service=EVIL, purchased_on=helsinki_today(),
                        amount="1.00")
    handler = make_user("tuulikki", "handler", ["tourism"])
    controller = make_user("eero", "controller")
    login(client, "tuulikki")

    _assert_escaped(client.get("/customers/export/csv/"), "customers")
    _assert_escaped(client.get("/invoices/export/csv/"), "invoices")
    for fmt in ("csv", "xlsx"):
        _assert_escaped(client.get(f"/statistics/export.{fmt}"), f"statistics {fmt}")

    data = {"section": str(tourism.id), "language": "fi", "kind": "", "postal_prefix": "",
            "purpose": "direct_marketing", "counted": ""}
    page = client.post("/marketing/", data=data | {"csrf_token": csrf_token(
        client.get("/marketing/").get_data(as_text=True))}).get_data(as_text=True)
    counted = page.split('name="counted" type="hidden" value="', 1)[1].split('"', 1)[0]
    _assert_escaped(client.post("/marketing/download/", data=data | {
        "counted": counted, "csrf_token": csrf_token(page)}), "marketing list")

    for fmt in ("csv", "xlsx"):
        recipient = disclosures.recipients(active_only=True)[0]
        handler = User.get_by_id(handler.id)
        found = disclosures.prepare(handler, recipient.id, "Tarkastus", "Laki")
        disclosures.add_customers(handler, found, [evil.id])
        disclosures.choose_categories(handler, disclosures.Disclosure.get_by_id(found.id),
                                      ["identity", "billing"])
        found = disclosures.Disclosure.get_by_id(found.id)
        disclosures.decide(User.get_by_id(controller.id), found, True, version=found.version)
        page = client.get(f"/disclosures/{found.id}/").get_data(as_text=True)
        _assert_escaped(client.post(f"/disclosures/{found.id}/export/", data={
            "csrf_token": csrf_token(page), "format": fmt}), f"disclosure {fmt}")
