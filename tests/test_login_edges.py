"""The login's edges, each once a way round it: a username typed with a capital or a space
is the account's; a login waiting for its code ends when the password changes, and a
locked username cannot finish one by enrolling; a login over a live session ends that
session whatever step follows; a long ``next`` does not make the cookie too large for a
browser; a form too large is answered in Finnish; the public PDF is made once."""

import secrets
import warnings

import pytest

from models import LoginLock, UserSession
from services import totp
from tests.conftest import PASSWORD, csrf_token, login
from tests.test_security import _enrol, _enrolment_secret, _post_code

NEUTRAL = "Väärä käyttäjätunnus tai salasana."


# --- the typed username is read as the register stores usernames -----------------------


@pytest.mark.parametrize("typed", ["Anna", "ANNA", "anna ", " anna"])
def test_the_right_password_logs_in_whatever_the_case_or_spaces_of_the_username(
        client, make_user, typed):
    """Every username is stored lower-case and stripped (services/access/requests.py
    _USERNAME, `users create`), and the lockout counts a typed name case- and
    space-insensitively, yet the login looks the name up exactly: "Anna" (a phone's
    capital letter) or "anna " (pasted) with the right password is refused as a wrong
    password, and counts towards locking anna out."""
    make_user("anna", "staff", ["tourism"])
    response = login(client, typed, PASSWORD)
    assert NEUTRAL not in response.get_data(as_text=True)
    assert response.status_code == 302 and response.location == "/"


# --- a login waiting for its code outlives a password change ---------------------------


@pytest.mark.clock
def test_a_password_change_ends_a_login_that_waits_for_its_code(app, make_user, clock):
    """The password step of a two-step login lives only in the signed cookie
    (PENDING_KEY): a password change, which ends every other session of the account,
    does not end it, and a code typed within ten minutes completes a login made with
    the old password."""
    app.config["TOTP_ENABLED"] = True
    anna = make_user("anna", "staff", ["tourism"])
    owner = app.test_client()
    secret = _enrol(owner, anna, clock)
    # Someone who knows the old password gets past the password step.
    thief = app.test_client()
    assert login(thief, "anna").location == "/login/code"
    # Anna logs in and changes her password.
    assert login(owner, "anna").location == "/login/code"
    assert _post_code(owner, "/login/code", totp.current_code(secret)).location == "/"
    page = owner.get("/password").get_data(as_text=True)
    new = "an entirely different sentence"
    changed = owner.post("/password", data={
        "current_password": PASSWORD, "new_password": new, "confirm": new,
        "csrf_token": csrf_token(page)})
    assert changed.status_code == 302
    # A code of the next step finishes the thief's login made with the old password.
    clock.advance(seconds=30)
    waiting = thief.get("/login/code")
    assert waiting.status_code == 302 and waiting.location.startswith("/login")
    response = thief.post("/login/code", data={"code": totp.current_code(secret),
                                               "csrf_token": csrf_token(page)})
    assert response.status_code in (302, 400) and response.location != "/"
    assert thief.get("/").status_code != 200


# --- the enrolment at the login ignores the lock and the address's wait --------------


@pytest.mark.clock
def test_a_locked_username_cannot_finish_its_login_by_enrolling(app, client, make_user, clock):
    """Wrong enrolment codes at the login count as failed logins ("a wrong code counts
    like a wrong password"), and five lock the username; yet the next right code
    completes the login, and complete_login deletes the lock. At /login and /login/code
    a locked username is refused even with the right password or code."""
    app.config["TOTP_ENABLED"] = True
    make_user("eero", "controller")
    assert login(client, "eero").location == "/account/second-factor"
    secret = _enrolment_secret(client.get("/account/second-factor").get_data(as_text=True))
    for _ in range(5):
        assert _post_code(client, "/account/second-factor", "000000").status_code == 200
    assert LoginLock.select().where(LoginLock.kind == "username").count() == 1  # locked
    response = _post_code(client, "/account/second-factor", totp.current_code(secret))
    assert response.status_code == 200 and client.get("/").status_code != 200, \
        "a locked username logged in through the enrolment"


# --- a long `next` makes the two-step login's cookie too large for a browser ----------


def test_a_long_next_does_not_make_the_login_cookie_too_large(app, client, make_user, clock):
    """The login stores the typed ``next`` whole in the cookie while the code is awaited,
    although only a target of at most MAX_REDIRECT_LENGTH (2000) characters is ever
    followed. A link to /login?next=<4 400 characters> (or a long bookmarked address
    followed after the session ended) makes a Set-Cookie over the 4093 bytes browsers
    keep: the browser drops it, and the code page answers "log in first" for ever."""
    app.config["TOTP_ENABLED"] = True
    anna = make_user("anna", "staff", ["tourism"])
    _enrol(client, anna, clock)
    long_next = "/customers/?search=" + secrets.token_urlsafe(3300)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = login(client, "anna", next=long_next)
    assert response.location == "/login/code"
    cookie = response.headers.get("Set-Cookie", "")
    too_large = [w for w in caught if "too large" in str(w.message)]
    assert len(cookie) <= 4093 and not too_large, f"Set-Cookie of {len(cookie)} bytes"


# --- Werkzeug's own error pages, in English, for the public --------------------------


def test_a_form_too_large_is_answered_in_finnish(client):
    """A multipart form with over 1 000 parts, or a field over 500 kB, answers 413
    with Werkzeug's English page ("Request Entity Too Large"): app._error_pages
    handles 400, 403, 404 and 405 only (the same for 500)."""
    page = client.get("/login").get_data(as_text=True)
    data = {f"field{i}": "1" for i in range(1001)}
    data.update({"username": "anna", "password": "x", "csrf_token": csrf_token(page)})
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Request Entity Too Large" not in text and 'lang="fi"' in text
    assert "Liikaa kerralla" in text


# --- the public PDF is rendered again for every anonymous request --------------------


def test_the_public_pdf_is_not_rendered_anew_for_each_anonymous_request(client, monkeypatch):
    """A publication never changes, yet each anonymous GET of …/<n>.pdf renders the PDF
    again (~0.6 s of CPU here), with no cache and no limit: a few visitors fetching it in
    a loop keep every worker busy."""
    from admin_views import public

    renders = []
    original = public.render_pdf
    monkeypatch.setattr(public, "render_pdf",
                        lambda document: renders.append(1) or original(document))
    client.get("/register-description/")  # the first publication
    for _ in range(5):
        assert client.get("/register-description/1.pdf").status_code in (200, 429)
    assert len(renders) <= 1, f"rendered {len(renders)} times for 5 requests"


# --- a login that goes on to the second factor leaves the earlier session live ----------


@pytest.mark.clock
def test_a_login_over_a_live_session_ends_it_also_when_a_code_follows(app, client, make_user,
                                                                       clock):
    """_logged_in ends the session the cookie carried ("replaced") before starting a new
    one, but a login whose password step leads on to /login/code or the enrolment only
    empties the cookie: the earlier session stays live on the server until it idles out,
    so a copy of its cookie keeps working although the browser has moved on."""
    app.config["TOTP_ENABLED"] = True
    bob = make_user("bob", "staff", ["tourism"])
    _enrol(app.test_client(), bob, clock)
    make_user("anna", "staff", ["tourism"])
    assert login(client, "anna").location == "/"
    copied = client.get_cookie("session").value
    # At the same browser, bob logs in: the password step is passed, the code is awaited.
    assert login(client, "bob").location == "/login/code"
    assert client.get("/").status_code == 302  # anna is no longer logged in here
    assert UserSession.select().where(UserSession.revoked_at.is_null()).count() == 0
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code != 200
