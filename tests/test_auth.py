"""Logging in and out, password changes, CSRF, and that every page needs a login."""

import re

import pytest

from models import User
from tests.conftest import PASSWORD, csrf_token


def test_login_good(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    response = auth.login("anna")
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "anna" in page
    assert User.by_username("anna").last_login_at is not None


@pytest.mark.parametrize(
    "username, password",
    [("anna", "wrong password here"), ("nobody", PASSWORD), ("", PASSWORD), ("anna", "")],
)
def test_login_bad_says_only_wrong_username_or_password(client, auth, make_user, username, password):
    make_user("anna", "staff", ["tourism"])
    response = auth.login(username, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if username and password:
        assert "Väärä käyttäjätunnus tai salasana." in page
    assert client.get("/").status_code == 302  # still logged out


def test_login_keeps_username_after_error(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    page = auth.login("anna", "wrong password here").get_data(as_text=True)
    assert re.search(r'name="username"[^>]*value="anna"', page)


def test_inactive_user_cannot_log_in(client, auth, make_user, runner):
    make_user("anna", "staff", ["tourism"])
    assert runner.invoke(args=["users", "deactivate", "anna", "--reason",
                               "Siirtyi muihin tehtäviin"]).exit_code == 0
    page = auth.login("anna").get_data(as_text=True)
    assert "Väärä käyttäjätunnus tai salasana." in page
    assert client.get("/").status_code == 302


def test_deactivation_ends_a_live_session(client, auth, make_user, runner):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    assert client.get("/").status_code == 200
    runner.invoke(args=["users", "deactivate", "anna", "--reason", "Siirtyi muihin tehtäviin"])
    assert client.get("/").status_code == 302


def test_must_change_password_first(client, auth, make_user):
    make_user("uusi", "staff", ["tourism"], must_change=True)
    response = auth.login("uusi")
    assert response.location == "/password"
    # every other page sends back to the password change
    assert client.get("/").location == "/password"
    page = client.get("/password").get_data(as_text=True)
    new = "a brand new passphrase"
    data = {"csrf_token": csrf_token(page), "current_password": PASSWORD}
    # mismatch: refused, nothing changed
    r = client.post("/password", data=data | {"new_password": new, "confirm": new + "x"})
    assert r.status_code == 200 and "/password" not in (r.location or "")
    assert User.by_username("uusi").must_change_password
    # too short
    r = client.post("/password", data=data | {"new_password": "short", "confirm": "short"})
    assert "12" in r.get_data(as_text=True)
    # the same as before
    r = client.post("/password", data=data | {"new_password": PASSWORD, "confirm": PASSWORD})
    assert User.by_username("uusi").must_change_password
    r = client.post("/password", data=data | {"new_password": new, "confirm": new})
    assert r.status_code == 302 and r.location == "/"
    assert not User.by_username("uusi").must_change_password
    assert client.get("/").status_code == 200
    auth.logout()
    assert auth.login("uusi", new).location == "/"


def test_change_password_needs_current_password(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    page = client.get("/password").get_data(as_text=True)
    new = "a brand new passphrase"
    r = client.post("/password", data={
        "csrf_token": csrf_token(page), "current_password": "not my password",
        "new_password": new, "confirm": new})
    assert r.status_code == 200
    auth.logout()
    assert auth.login("anna", new).status_code == 200  # still the old password
    assert auth.login("anna").location == "/"


def test_logout_is_post_and_ends_session(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    assert client.get("/logout").status_code == 405
    assert auth.logout().location == "/login"
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_400(client, make_user):
    make_user("anna", "staff", ["tourism"])
    response = client.post("/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_is_400(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_rotated_at_login(client, auth, make_user):
    """Whatever a visitor had in the session before login is not carried into it."""
    make_user("anna", "staff", ["tourism"])
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    auth.login("anna")
    with client.session_transaction() as s:
        assert "planted" not in s


def test_next_only_to_this_site(client, make_user):
    make_user("anna", "staff", ["tourism"])
    for target, expected in [("/password", "/password"), ("https://evil.example/", "/"),
                             ("//evil.example/", "/")]:
        page = client.get("/login?next=" + target).get_data(as_text=True)
        r = client.post("/login", data={"username": "anna", "password": PASSWORD,
                                        "csrf_token": csrf_token(page), "next": target})
        assert r.location == expected
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})


def test_every_page_redirects_to_login_when_logged_out(app, client):
    # The login, the language and the public register description and privacy notice
    # (tests/test_public_pages.py reads those logged out).
    public = {"auth.login", "auth.language", "static", "admin.static", "public.latest",
              "public.version", "public.pdf", "public.versions"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            response = client.open(url, method=method)
            if method == "POST":
                assert response.status_code in (302, 400), (method, url)  # no token: 400
            else:
                assert response.status_code == 302, (method, url)
                assert response.location.startswith("/login"), url
            checked += 1
    assert checked >= 3


def test_language_switch(client, auth, make_user):
    make_user("anna", "staff", ["tourism"])
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in page and "Kirjaudu sisään" in page
    client.post("/language", data={"lang": "sv", "next": "/login", "csrf_token": csrf_token(page)})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Logga in" in page
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(page)})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page
    assert client.post("/language", data={"lang": "de", "csrf_token": csrf_token(page)}).status_code == 400
    # the choice survives logging in
    auth.login("anna")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_dashboard_shows_user_role_and_sections(client, auth, make_user):
    make_user("hanna", "handler", ["business"])
    auth.login("hanna")
    page = client.get("/").get_data(as_text=True)
    assert "Kirjautuneena: hanna" in page
    assert "Rekisteriasioita hoitava henkilö" in page
    assert "Elinkeinokehitys" in page


def test_password_is_hashed_with_argon2id(make_user, production_hashing):
    user = make_user("anna", "staff", ["tourism"])
    stored = User.get_by_id(user.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert "m=19456" in stored and "t=2" in stored
