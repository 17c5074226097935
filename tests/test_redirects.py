"""Redirect targets taken from input (DESIGN.md §4 item 16): ``next`` on the login, the
second factor, the language switch and the guidance acknowledgement, and Flask-Admin's
``url`` on the register screens. Whatever is given, the answer is a path on this site —
never another host, never a 500."""

import re
import unicodedata
from urllib.parse import urlsplit

from admin_views.base import safe_redirect_target
from services.inputs import has_unstorable
from models import Customer, Section, User
from services import access, totp
from tests.conftest import PASSWORD, csrf_token, informed, login

# Targets that must never be followed: other hosts however spelt, schemes, control
# characters (raw and percent-encoded), line breaks that would split the header.
ATTACKS = [
    "/\t/evil.example",
    "/\t\t/evil.example/x?y=1",
    "%2F%09%2Fevil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "https://evil.example",
    "HTTPS://evil.example/",
    "http:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "\r\nSet-Cookie: a=b",
    "/\r\nSet-Cookie: a=b",
    "/customers/\r\nX-Evil: 1",
    "/%0d%0aSet-Cookie:a=b",
    "/%0D%0A/evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x0c/evil.example",
    "/\x1f/evil.example",
    "/\x7f/evil.example",
    "/\x85/evil.example",
    "/\u2028/evil.example",
    "/\u2029/evil.example",
    "/\u200b/evil.example",
    "/\u3000/evil.example",
    "/.//evil.example",
    "/./../evil.example",
    "/x/..//evil.example",
    "/" + "a" * 5000,
]
# A request holding a control character other than tab, CR and LF is refused whole before
# any view runs (app.py, services/inputs.py): those attacks never reach a redirect.
REFUSED_WHOLE = [target for target in ATTACKS if has_unstorable(target)]
REACHING_THE_PAGES = [target for target in ATTACKS if not has_unstorable(target)]

# Paths on this site that are kept as they are.
SAFE = ["/customers/", "/customers/?search=anna+virtanen&page=2", "/access/requests/",
        "/customers/details/?id=1&url=%2Fcustomers%2F"]


def _assert_local(location, attack):
    """The Location is a path on this site and, for an attack, the front page."""
    assert location == "/", f"{attack!r} → {location!r}"


def test_the_helper_keeps_only_paths_on_this_site(app):
    with app.test_request_context():
        for attack in ATTACKS + ["", None, 17, "/x/.."]:
            assert safe_redirect_target(attack) == "/", repr(attack)
            assert safe_redirect_target(attack, "/customers/") == "/customers/"
        for target in SAFE:
            assert safe_redirect_target(target) == target


def test_whatever_the_helper_keeps_is_a_plain_local_path(app):
    """Every single character after "/" and "//": what passes is never another host."""
    with app.test_request_context():
        for code in list(range(0x00, 0x250)) + [0x2028, 0x2029, 0x200b, 0xfeff, 0x3000]:
            char = chr(code)
            for target in (f"/{char}/evil.example", f"{char}//evil.example",
                           f"/{char}evil.example", f"//{char}evil.example"):
                kept = safe_redirect_target(target, "")
                if not kept:
                    continue
                parts = urlsplit(kept)
                assert not parts.scheme and not parts.netloc and kept.startswith("/")
                assert not kept.startswith("//") and "\\" not in kept
                assert not any(c.isspace() or unicodedata.category(c)[0] == "C"
                               for c in kept), repr(kept)


def _logout(client):
    page = client.get("/password").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})


def test_login_goes_only_to_a_path_on_this_site(client, make_user):
    make_user("anna", "staff", ["tourism"])
    for attack in REACHING_THE_PAGES:
        response = login(client, "anna", next=attack)
        assert response.status_code == 302
        _assert_local(response.location, attack)
        _logout(client)
    for target in SAFE:
        assert login(client, "anna", next=target).location == target
        _logout(client)


def test_a_login_redirect_after_the_login_page_was_asked_with_next(client, make_user):
    """The raw query of the report: the hidden field carries it into the POST."""
    make_user("anna", "staff", ["tourism"])
    page = client.get("/login?next=%2F%09%2Fevil.example").get_data(as_text=True)
    hidden = re.search(r'name="next" type="hidden" value="([^"]*)"', page).group(1)
    response = client.post("/login", data={"username": "anna", "password": PASSWORD,
                                           "next": hidden.replace("&#9;", "\t"),
                                           "csrf_token": csrf_token(page)})
    assert response.location == "/"


def _post_code(client, url, code):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"code": code, "csrf_token": csrf_token(page)})


def test_the_second_factor_goes_only_to_a_path_on_this_site(app, client, make_user, clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("anna", "staff", ["tourism"])
    app.config["TOTP_ENCRYPTION_KEY"] = totp.new_encryption_key()
    key = app.config["TOTP_ENCRYPTION_KEY"]
    with app.app_context():
        secret = totp.enrolment_secret(user, key)
        assert totp.confirm_enrolment(user, totp.current_code(secret), key)
    for target in REACHING_THE_PAGES + SAFE:
        clock.advance(seconds=30)  # a code is accepted once
        assert login(client, "anna", next=target).location == "/login/code"
        response = _post_code(client, "/login/code", totp.current_code(secret))
        assert response.status_code == 302
        if target in SAFE:
            assert response.location == target
        else:
            _assert_local(response.location, target)
        _logout(client)


def test_enrolment_after_the_password_goes_only_to_a_path_on_this_site(app, client, make_user,
                                                                      clock):
    app.config["TOTP_ENABLED"] = True
    user = make_user("eero", "controller")  # must enrol right after the password
    for target in REACHING_THE_PAGES[:12] + SAFE[:1]:
        clock.advance(seconds=30)
        assert login(client, "eero", next=target).location == "/account/second-factor"
        page = client.get("/account/second-factor").get_data(as_text=True)
        secret = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        response = client.post("/account/second-factor", data={
            "code": totp.current_code(secret), "csrf_token": csrf_token(page)})
        assert response.status_code == 302
        if target in SAFE:
            assert response.location == target
        else:
            _assert_local(response.location, target)
        _logout(client)
        with app.app_context():
            totp.remove(User.get_by_id(user.id))


def test_language_switch_goes_only_to_a_path_on_this_site(client):
    for target in REACHING_THE_PAGES + SAFE:
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/language", data={"lang": "en", "next": target,
                                                   "csrf_token": csrf_token(page)})
        assert response.status_code == 302
        if target in SAFE:
            assert response.location == target
        else:
            _assert_local(response.location, target)


def test_guidance_acknowledgement_goes_only_to_a_path_on_this_site(app, client, make_user):
    controller = make_user("eero", "controller")
    make_user("anna", "staff", ["tourism"])
    login(client, "anna")
    # The report's own request: nothing to acknowledge, straight to the target.
    response = client.get("/access/guidance/acknowledge/?next=%2F%09%2Fevil.example")
    assert response.status_code == 302 and response.location == "/"
    for number, target in enumerate(REACHING_THE_PAGES + SAFE, start=1):
        response = client.get("/access/guidance/acknowledge/", query_string={"next": target})
        assert response.status_code == 302
        expected = target if target in SAFE else "/"
        assert response.location == expected, repr(target)
        with app.app_context():
            version = access.publish_guidance(User.get_by_id(controller.id), f"Ohje {number}")
        page = client.get("/access/guidance/acknowledge/", query_string={"next": target})
        assert page.status_code == 200
        response = client.post("/access/guidance/acknowledge/", data={
            "version": version.id, "next": target,
            "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert response.status_code == 303 and response.location == expected, repr(target)


def test_register_screens_refuse_a_return_url_off_this_site(app, client, make_user):
    """Flask-Admin's ``url`` (where a save, a delete or "Cancel" leads): 400, never followed."""
    make_user("tuulikki", "handler", ["tourism"])
    login(client, "tuulikki")
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Matkailu Oy", version=1)
    token = csrf_token(client.get("/customers/new/").get_data(as_text=True))
    data = {"kind": "company", "name": "Uusi Oy", "language": "fi", "csrf_token": token,
            **informed()}
    for attack in REACHING_THE_PAGES:
        query = {"url": attack}
        for url, args in (("/customers/new/", {}), ("/customers/", {}),
                          ("/customers/edit/", {"id": customer.id}),
                          ("/customers/details/", {"id": customer.id})):
            response = client.get(url, query_string=args | query)
            assert response.status_code == 400, (url, attack)
        assert client.post("/customers/new/", query_string=query, data=data).status_code == 400
        assert client.post("/customers/delete/", data={
            "id": customer.id, "url": attack, "csrf_token": token}).status_code == 400
    assert Customer.select().count() == 1
    # A path on this site is followed.
    response = client.post("/customers/new/", query_string={"url": "/customers/?page=1"},
                           data=data)
    assert response.status_code == 302 and response.location == "/customers/?page=1"
    page = client.get(f"/customers/details/?id={customer.id}&url=%2Fcustomers%2F%3Fpage%3D1")
    assert 'href="/customers/?page=1"' in page.get_data(as_text=True)


def test_a_target_with_a_control_character_is_refused_before_any_redirect(client, make_user):
    """NUL, vertical tab, form feed and the other C0 characters (not tab, CR, LF) make the
    whole request a 400 with the register's error page: no Location at all."""
    assert REFUSED_WHOLE  # the list above holds such attacks
    make_user("anna", "staff", ["tourism"])
    page = client.get("/login").get_data(as_text=True)
    for target in REFUSED_WHOLE:
        assert client.get("/login", query_string={"next": target}).status_code == 400
        response = client.post("/language", data={"lang": "en", "next": target,
                                                   "csrf_token": csrf_token(page)})
        assert response.status_code == 400 and "Location" not in response.headers
