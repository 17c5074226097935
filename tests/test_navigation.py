"""The header's menu and the front page's work list (admin_views/navigation.py,
services/worklist.py): which groups and items each role sees, the current page's mark,
the counts waiting (one statement, only the user's own sections) and the work list's rows,
oldest first, each a link — through the real pages, on SQLite and PostgreSQL."""

import datetime
import html
import re

import pytest

from bench.replay import captured_sql
from models import AccessRequest, Customer, Section, User, db, utcnow
from services import access, rectification, worklist
from services import requests as request_rules
from tests.conftest import user

PEOPLE = ("staff_t", "staff_b", "handler_t", "handler_b", "controller", "responsible", "maint")

GROUPS = ("Rekisteri", "Rekisteröidyn oikeudet", "Rekisterinpitäjä", "Ylläpito")

# What each role finds in each group (by its Finnish name), in the menu's order.
CUSTOMERS = ["Asiakkaat", "Laskut", "Asiakkaiden tuonti", "Mahdolliset kaksoiskappaleet"]
READING = ["Asiakkaat", "Laskut", "Mahdolliset kaksoiskappaleet"]  # who create no customers
RIGHTS = ["Tarkastuspyynnöt", "Korjauspyynnöt", "Markkinointilista",
          "Asiakkaat, joita ei vielä ole informoitu"]
DISCLOSING = ["Luovutukset", "Tilastot", "Poiston esikatselu", "Säilytysajat", "Poistoloki"]
# The duties page sits after the statistics, for those who see it.
OVERSEEING = ["Luovutukset", "Tilastot", "Määräaikaistehtävät", "Poiston esikatselu",
              "Säilytysajat", "Poistoloki"]
MENUS = {
    "staff_t": {"Rekisteri": CUSTOMERS, "Rekisteröidyn oikeudet": RIGHTS,
                "Rekisterinpitäjä": ["Käyttöoikeuspyynnöt", "Ohjeet"]},
    "handler_t": {"Rekisteri": CUSTOMERS, "Rekisteröidyn oikeudet": RIGHTS,
                  "Rekisterinpitäjä": DISCLOSING + [
                      "Rekisterin omien tietojen säilytys", "Käyttöoikeuspyynnöt",
                      "Käyttäjätilit", "Ohjeet"]},
    "controller": {"Rekisteri": READING, "Rekisteröidyn oikeudet": RIGHTS,
                   "Rekisterinpitäjä": OVERSEEING + [
                       "Rekisterin omien tietojen säilytys", "Käyttöoikeuspyynnöt",
                       "Käyttäjätilit", "Käyttöoikeuksien tarkistus", "Ohjeet",
                       "Tietoturvakatsaus", "Rekisterinpitäjän asetukset", "Osastot ja tietoryhmät",
                       "Sallitut vastaanottajat", "Seloste käsittelytoimista"],
                   "Ylläpito": ["Varmuuskopiot", "Tapahtumaloki", "Lähtevät viestit"]},
    "responsible": {"Rekisteri": READING, "Rekisteröidyn oikeudet": RIGHTS,
                    "Rekisterinpitäjä": OVERSEEING + [
                        "Poisto pyynnöstä", "Rekisterin omien tietojen säilytys",
                        "Käyttöoikeuspyynnöt", "Käyttäjätilit", "Käyttöoikeuksien tarkistus",
                        "Ohjeet", "Tietoturvakatsaus"],
                    "Ylläpito": ["Varmuuskopiot", "Tapahtumaloki"]},
    "maint": {"Rekisterinpitäjä": ["Ohjeet"], "Ylläpito": ["Varmuuskopiot", "Lähtevät viestit"]},
}


def text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def plain(fragment):
    """Return the words of an HTML fragment, tags dropped and spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def navigation(page):
    return page[page.index('<ul class="navbar-nav mr-auto main-menu">'):page.index("</nav>")]


def menu_of(page):
    """Return ``{group: [(item name, address)]}`` of the page's main menu."""
    menu = navigation(page)
    menu = menu[:menu.index('<ul class="navbar-nav account-menu">')]
    groups = {}
    for part in re.split(r'<li class="nav-item', menu)[1:]:
        toggle = re.search(r'data-toggle="dropdown"[^>]*>(.*?)</button>', part, re.S)
        if toggle is None:
            continue
        name = plain(re.sub(r'<span class="badge.*?</span></span>', "", toggle.group(1)))
        groups[name] = [(plain(re.sub(r'<span class="badge.*?</span></span>', "", label)),
                         html.unescape(href))
                        for href, label in re.findall(
                            r'<a class="dropdown-item[^"]*" href="([^"]+)"[^>]*>(.*?)</a>',
                            part, re.S)]
    return groups


def badge(page, item):
    """Return the count shown beside the menu item ``item`` (None: no badge)."""
    menu = navigation(page)
    found = re.search(re.escape(item) + r'<span class="badge[^"]*"><span aria-hidden="true">'
                      r'(\d+)</span><span class="sr-only">\((\d+) odottaa\)</span>', menu)
    if found is None:
        return None
    assert found.group(1) == found.group(2)  # seen and heard alike
    return int(found.group(1))


# --- the groups and their items ------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(MENUS))
def test_each_role_sees_its_groups_and_items_in_a_days_order(client, auth, people, who):
    auth.login_as(who)
    menu = menu_of(text(client.get("/")))
    assert list(menu) == [group for group in GROUPS if group in MENUS[who]]
    assert {group: [name for name, _ in items] for group, items in menu.items()} == MENUS[who]
    # Nothing in the menu that the role may not open.
    for group, items in menu.items():
        for name, address in items:
            answer = client.get(address)
            assert answer.status_code == 200, (who, name, address, answer.status_code)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_kept_menu_is_what_the_views_answer(app, people, who):
    from flask_login import login_user

    from admin_views import navigation as menus

    admin = app.extensions["admin"][0]
    for _ in range(2):  # built, then read from what is kept
        with app.test_request_context("/"):
            login_user(people[who])
            kept = menus._kept_items(admin)
            assert kept == menus._items(admin.menu())
            assert kept  # every role sees something


@pytest.mark.parametrize("who", PEOPLE)
def test_the_granted_sections_are_the_users_own_for_every_role(app, people, who):
    """The account menu's sections (``granted_sections``) are ``User.sections`` for every
    role; for a role that reads only its granted sections they come from the sections the
    page read already, with no statement of their own."""
    from flask_login import login_user

    from admin_views.base import granted_sections, user_sections
    from services import policy

    with app.test_request_context("/"):
        login_user(people[who])
        user_sections()
        with captured_sql() as statements:
            found = granted_sections()
        assert [s.id for s in found] == [s.id for s in people[who].sections]
        reads_granted_only = (policy.may(people[who], "read_granted_sections")
                              and not policy.may(people[who], "read_all_sections"))
        assert (statements == []) == reads_granted_only, statements


def test_the_menu_follows_the_sections_categories_and_the_users_sections(client, auth, people):
    """What is kept is per user kind: a section that stops keeping billing loses its
    invoices from the menu on the next page, and a user given a section that keeps billing
    finds them there on the next page."""

    def register_items():
        return [name for name, _ in menu_of(text(client.get("/")))["Rekisteri"]]

    from models import UserSection

    tourism = Section.get(code="tourism")
    auth.login_as("staff_t")
    assert "Laskut" in register_items()
    kept = tourism.categories
    Section.update(categories=" ".join(c for c in kept.split() if c != "billing")).where(
        Section.id == tourism.id).execute()
    assert "Laskut" not in register_items() and "Asiakkaat" in register_items()
    Section.update(categories=kept).where(Section.id == tourism.id).execute()
    assert "Laskut" in register_items()
    # Business development keeps no billing: its staff see no invoices, until given tourism.
    auth.login_as("staff_b")
    assert "Laskut" not in register_items()
    UserSection.create(user=people["staff_b"].id, section=tourism.id)
    assert "Laskut" in register_items()


def test_the_account_controls_are_one_drop_down(client, auth, people):
    auth.login_as("handler_t")
    page = text(client.get("/"))
    account = page[page.index('<ul class="navbar-nav account-menu">'):page.index("</nav>")]
    assert account.count('data-toggle="dropdown"') == 1
    words = plain(account)
    for expected in ("handler_t", "Kirjautuneena: handler_t", "Rekisteriasioita hoitava henkilö",
                     "Matkailu- ja kongressitoimisto", "Vaihda salasana", "Kieli", "Suomi",
                     "Svenska", "English", "Kirjaudu ulos"):
        assert expected in words
    assert "Elinkeinokehitys" not in words  # not the handler's section
    # The language is chosen by a button of its own, the present one marked.
    assert re.search(r'<button type="submit" name="lang" value="fi" lang="fi" '
                     r'class="dropdown-item" aria-current="true">', account)
    token = re.search(r'name="csrf_token" value="([^"]+)"', account).group(1)
    answer = client.post("/language", data={"lang": "sv", "next": "/", "csrf_token": token})
    assert answer.status_code == 302
    page = text(client.get("/"))
    assert list(menu_of(page))[:2] == ["Registret", "Den registrerades rättigheter"]
    assert 'value="sv" lang="sv" class="dropdown-item" aria-current="true"' in page
    # Logging out is in it too.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


# --- the current page ----------------------------------------------------------------------


def current_items(page):
    """Return ``[(aria-current, item name)]`` of the main menu."""
    menu = navigation(page)
    menu = menu[:menu.index('<ul class="navbar-nav account-menu">')]
    return [(value, plain(re.sub(r'<span class="badge.*?</span></span>', "", label)))
            for value, label in re.findall(r'aria-current="(\w+)">(.*?)</a>', menu, re.S)]


def test_the_current_page_is_marked_and_only_it(client, auth, people):
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Merkki Oy", version=1)
    auth.login_as("handler_t")
    assert current_items(text(client.get("/"))) == [("page", "Etusivu")]
    page = text(client.get("/customers/"))
    assert current_items(page) == [("page", "Asiakkaat")]
    # The group holding it is marked as well (visually: .active).
    assert re.search(r'<li class="nav-item dropdown active">\s*<button[^>]*>Rekisteri<', page)
    # A page beneath an item's list: the item is current, not the page itself.
    page = text(client.get(f"/customers/details/?id={customer.id}"))
    assert current_items(page) == [("true", "Asiakkaat")]
    page = text(client.get("/retention/policy/"))
    assert current_items(page) == [("page", "Säilytysajat")]  # not "Poiston esikatselu"
    # The list of customers not yet informed is an item of its own, with its filter.
    not_informed = dict(menu_of(page)["Rekisteröidyn oikeudet"])[
        "Asiakkaat, joita ei vielä ole informoitu"]
    assert current_items(text(client.get(not_informed))) == [
        ("page", "Asiakkaat, joita ei vielä ole informoitu")]
    assert current_items(text(client.get("/requests/new/"))) == [("true", "Tarkastuspyynnöt")]


# --- the counts waiting --------------------------------------------------------------------


def new_request(username, section, hours_ago=1, name="Anna Äijälä"):
    return request_rules.register(
        user(username), received_at=utcnow() - datetime.timedelta(hours=hours_ago),
        channel="written", requester_name=name, requester_contact="Mannerheimintie 1",
        section=section)


def new_customer(section, name, informed=False):
    fields = {"informed_how": "email", "informed_at": utcnow()} if informed else {}
    return Customer.create(section=Section.get(code=section), kind="company", name=name,
                           version=1, **fields)


def new_rectification(customer, name):
    return rectification.register(customer, actor=user("staff_t"), received_at=utcnow(),
                                  requester_name=name, description="Osoite on väärä.",
                                  requested={"email": "uusi@example.com"})


@pytest.fixture
def work(app, people):
    """Tourism: two requests, two customers not informed, a rectification request;
    business: one request, one customer not informed, one informed."""
    with app.app_context():
        new_request("handler_t", "tourism", hours_ago=30, name="Vanha Pyytäjä")
        new_request("handler_t", "tourism", name="Uusi Pyytäjä")
        new_request("handler_b", "business", name="Bisnes Pyytäjä")
        t1 = new_customer("tourism", "Alfa Oy")
        new_customer("tourism", "Beta Oy")
        new_customer("business", "Gamma Oy")
        new_customer("business", "Delta Oy", informed=True)
        new_rectification(t1, "Korjaaja Kallio")


def test_counts_are_of_the_users_own_sections_only(client, auth, work):
    auth.login_as("handler_t")
    page = text(client.get("/"))
    assert badge(page, "Tarkastuspyynnöt") == 2
    assert badge(page, "Korjauspyynnöt") == 1
    assert badge(page, "Asiakkaat, joita ei vielä ole informoitu") == 2
    # The group's toggle shows what waits inside it.
    assert badge(page, "Rekisteröidyn oikeudet") == 5
    assert badge(page, "Käyttöoikeuspyynnöt") is None  # nothing waits

    auth.login_as("handler_b", switch=True)
    page = text(client.get("/"))
    assert badge(page, "Tarkastuspyynnöt") == 1
    assert badge(page, "Korjauspyynnöt") is None  # the rectification is tourism's
    assert badge(page, "Asiakkaat, joita ei vielä ole informoitu") == 1

    # Staff register and check rectifications of their own sections; they do not handle
    # inspection requests.
    auth.login_as("staff_b", switch=True)
    page = text(client.get("/"))
    assert badge(page, "Tarkastuspyynnöt") is None
    assert badge(page, "Korjauspyynnöt") is None
    assert badge(page, "Asiakkaat, joita ei vielä ole informoitu") == 1

    # The controller reads every section: all the not yet informed; no request waits for
    # a decision yet (none has had its identity checked), and none is overdue.
    auth.login_as("controller", switch=True)
    page = text(client.get("/"))
    assert badge(page, "Asiakkaat, joita ei vielä ole informoitu") == 3
    assert badge(page, "Tarkastuspyynnöt") is None

    auth.login_as("maint", switch=True)
    assert 'class="badge' not in navigation(text(client.get("/")))


def test_the_counts_are_read_in_one_statement(app, work):
    with app.app_context():
        for name in ("handler_t", "controller", "responsible", "staff_t"):
            someone = user(name)
            with captured_sql() as statements:
                found = worklist.counts(someone)
            assert len(statements) == 1, (name, statements)
            assert set(found) <= set(worklist.COUNTS)
        assert worklist.counts(user("maint")) == {}


def test_the_kept_statement_counts_as_the_written_one_and_reads_nothing_to_be_built(
        app, work):
    """The counts' statement is kept per user (services/worklist.py): for every role it is
    kept, counts what the statement written afresh counts at any moment (the overdue
    requests move with it), and writing it reads nothing from the database."""
    from services.worklist import _kept_statement, _written

    with app.app_context():
        now = utcnow()
        for name in PEOPLE:
            someone = user(name)
            with captured_sql() as statements:
                written = _written(someone, now)
            assert statements == [], (name, statements)
            if not written[0]:
                assert worklist.counts(someone) == {}
                continue
            assert _kept_statement(someone) is not None, name
            for moment in (now, now + datetime.timedelta(days=40)):
                names, sql, params = _written(someone, moment)
                fresh = dict(zip(names, db.execute_sql(sql, params).fetchone()))
                found = worklist.counts(someone, moment)
                assert {k: v for k, v in found.items() if k != "access_review"} == \
                    {k: fresh[k] or 0 for k in names if k != "access_review"}, (name, moment)
        # Forty days on, every open request is overdue: the responsible person counts them.
        responsible = user("responsible")
        assert worklist.counts(responsible, now)["inspection"] == 0
        assert worklist.counts(responsible, now + datetime.timedelta(days=40))["inspection"] == 3


def test_the_counts_follow_the_requests_steps(app, work):
    with app.app_context():
        handler, responsible = user("handler_t"), user("responsible")
        old = request_rules.worklist(handler)["identity"][0]
        assert worklist.counts(responsible)["inspection"] == 0
        request_rules.record_identity(handler, old, method="passport")
        # The handler confirms the records next, and the request waits for the decision:
        # both count it, as their front pages list it.
        assert worklist.counts(handler)["inspection"] == 2
        assert worklist.counts(responsible)["inspection"] == 1
        for someone in (handler, responsible):
            lists = request_rules.worklist(someone)
            assert worklist.counts(someone)["inspection"] == len(
                {r.id for rows in lists.values() for r in rows})
        assert worklist.counts(user("handler_b"))["inspection"] == 1  # its own only


def test_the_access_counts_match_who_may_implement(app, people):
    with app.app_context():
        controller = user("controller")
        asked = [
            access.request_access(user("handler_t"), "staff", ["tourism"], "Uusi työntekijä",
                                  person_name="Matkailu Maija", email="maija@example.com"),
            access.request_access(user("handler_b"), "staff", ["business"], "Uusi työntekijä",
                                  person_name="Bisnes Pekka", email="pekka@example.com"),
            access.request_access(controller, "staff", ["tourism", "business"], "Molemmat",
                                  person_name="Kaksi Osastoa", email="kaksi@example.com"),
            # No section asked, and an account of no section: the controller's.
            access.request_access(user("handler_t"), "controller", [], "Sijainen",
                                  account_id=user("staff_t").id),
            access.request_access(controller, "staff", ["tourism"], "Siirto",
                                  account_id=user("responsible").id),
        ]
        assert worklist.counts(controller)["access"] == 5  # to decide
        for row in asked:
            access.decide(controller, row, True)
        for name in ("controller", "handler_t", "handler_b", "staff_t"):
            someone = user(name)
            rows = AccessRequest.select()
            expected = sum(1 for row in rows if access.may_implement(someone, row))
            assert worklist.counts(someone).get("access", 0) == expected, (name, expected, [(r.id, r.state, r.kind, r.account_id, access.request_sections(r)) for r in rows])
        assert worklist.counts(user("handler_t"))["access"] == 1  # not business, not both


# --- the front page's work list ------------------------------------------------------------


def work_rows(page):
    """Return ``[(task, words of the row, link)]`` of the front page's work list."""
    return [(task, plain(row), html.unescape(re.search(r'href="([^"]+)"', row).group(1)))
            for task, row in re.findall(r'<tr data-task="([^"]+)">(.*?)</tr>', page, re.S)]


def test_the_front_page_lists_the_work_oldest_first_each_row_a_link(client, auth, work):
    auth.login_as("handler_t")
    page = text(client.get("/"))
    rows = work_rows(page)
    assert [task for task, _, _ in rows] == ["identity", "identity", "rectification_verify"]
    assert "Vanha Pyytäjä" in rows[0][1] and "Uusi Pyytäjä" in rows[1][1]
    assert "Korjaaja Kallio" in rows[2][1]
    assert "Bisnes Pyytäjä" not in page  # another section's
    for _, _, link in rows:
        assert client.get(link).status_code == 200
    # Not a description of the role: the page is the work.
    main = page[page.index("<main"):]
    assert "Rooli" not in plain(main)

    auth.login_as("staff_b", switch=True)
    page = text(client.get("/"))
    assert work_rows(page) == []
    assert "Ei tehtävää." in page


def test_a_long_work_list_says_it_lists_the_oldest_and_reads_no_customer_a_row(
        client, auth, people, monkeypatch):
    monkeypatch.setattr(worklist, "MAX_ROWS", 5)
    customer = Customer.create(section=Section.get(code="tourism"), kind="person",
                               first_name="Kalle", last_name="Korjaaja")
    for n in range(7):
        new_request("staff_t", "tourism", hours_ago=10 + n, name=f"Pyytäjä {n}")
        rectification.register(customer, actor=user("staff_t"), received_at=utcnow(),
                               requester_name=f"Korjaaja {n}", description="Osoite",
                               requested={"first_name": "Kaarle"})
    auth.login_as("handler_t")
    page = text(client.get("/"))
    heading = plain(re.search(r'<h2 id="work-heading"[^>]*>(.*?)</h2>', page, re.S).group(1))
    assert heading.endswith("(10+)") and "5 vanhinta" in page
    assert [task for task, _, _ in work_rows(page)].count("identity") == 5
    assert badge(page, "Tarkastuspyynnöt") == 7
    with captured_sql() as statements:
        client.get("/")
    reads = [sql for sql, _params in statements
             if re.search(r'FROM "customer" AS "t1"\s+WHERE \("t1"."id" = ', sql)]
    assert len(reads) <= 1, reads  # the rectifications' sections come with them


def test_a_work_list_of_exactly_the_rows_shown_is_not_cut_short(
        client, auth, people, monkeypatch):
    monkeypatch.setattr(worklist, "MAX_ROWS", 3)
    for n in range(3):
        new_request("staff_t", "tourism", hours_ago=10 + n, name=f"Pyytäjä {n}")
    auth.login_as("handler_t")
    page = text(client.get("/"))
    heading = plain(re.search(r'<h2 id="work-heading"[^>]*>(.*?)</h2>', page, re.S).group(1))
    assert heading.endswith("(3)") and "3 vanhinta" not in page
    new_request("staff_t", "tourism", hours_ago=1, name="Neljäs")
    page = text(client.get("/"))
    heading = plain(re.search(r'<h2 id="work-heading"[^>]*>(.*?)</h2>', page, re.S).group(1))
    assert heading.endswith("(3+)") and "3 vanhinta" in page and "Neljäs" not in page


def test_a_curious_handler_finds_nothing_of_another_section(client, auth, work):
    auth.login_as("handler_b")
    page = text(client.get("/"))
    assert [task for task, _, _ in work_rows(page)] == ["identity"]
    for name in ("Vanha Pyytäjä", "Uusi Pyytäjä", "Korjaaja Kallio", "Alfa Oy"):
        assert name not in page
    # The counts ask nothing of the address: odd query strings change nothing.
    page = text(client.get("/?section=tourism&flt0_0=tourism"))
    assert badge(page, "Tarkastuspyynnöt") == 1


def test_nothing_waiting_shows_no_panel_of_it(client, auth, people):
    auth.login_as("handler_t")
    page = text(client.get("/"))
    assert "Ei tehtävää." in page
    assert 'id="not-informed-heading"' not in page  # no customer waits to be informed
    assert 'class="badge' not in navigation(page)
    new_customer("tourism", "Alfa Oy")
    page = text(client.get("/"))
    assert 'id="not-informed-heading"' in page
    assert badge(page, "Asiakkaat, joita ei vielä ole informoitu") == 1


def test_the_access_review_is_counted_for_the_responsible_person_when_due(client, auth,
                                                                         people):
    auth.login_as("responsible")
    assert badge(text(client.get("/")), "Käyttöoikeuksien tarkistus") is None
    User.update(created_at=utcnow() - datetime.timedelta(days=350)).execute()
    page = text(client.get("/"))
    assert badge(page, "Käyttöoikeuksien tarkistus") == 1
    assert [task for task, _, _ in work_rows(page)] == ["access_review"]
    auth.login_as("controller", switch=True)  # the controller reads the review, not does it
    assert badge(text(client.get("/")), "Käyttöoikeuksien tarkistus") is None
