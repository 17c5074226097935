"""Every page of every role passes axe-core, in Finnish and in Swedish.

For each role one browser session logs in, collects the links of the rendered navigation
(not a hand-written list: a page added to the menu is checked from then on), adds the
pages behind the menu that people use all day — a customer's details and form, an
inspection request, a rectification request — and the forms for a new record that these
pages link to, and runs axe-core on each with the WCAG 2.0/2.1 A and AA rules: a serious
or critical violation fails, on any page. The front page, the customer list, the
customer form and a request are checked again at a phone's width (390 × 844), and the
header with each of its drop-downs and its collapsed menu open. The session then switches to Swedish and checks the role's front page
(its menu) and every page that no role before it had in Swedish: a page differs between
roles by its menu and its buttons, which the Finnish sweep checks for every role, and
between languages by its words. The main pages are saved as screenshots under
tests/browser/screenshots/.

The markup does not depend on the database, so the sweep runs on SQLite only: on
PostgreSQL it would take as long again and check the same pages.
"""

import datetime
import os
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from models import Customer, Section, User, utcnow
from services import demo_data, rectification
from services import requests as inspection
from tests.browser.helpers import (
    PHONE,
    WIDE,
    accessibility_problems,
    log_in,
    log_out,
    navigation_links,
    screenshot,
    switch_language,
)
from tests.conftest import DATABASES

pytestmark = pytest.mark.browser

PEOPLE = ["staff_t", "handler_t", "responsible", "controller", "maint"]
# Each role's account, and a page its menu must lead to (the links were found).
ROLES = {"staff": ("staff_t", "/imports/"), "handler": ("handler_t", "/disclosures/"),
         "responsible": ("responsible", "/audit/"), "controller": ("controller", "/settings/"),
         "maintenance": ("maint", "/backups/")}
LANGUAGES = ("fi", "sv")

# Links of the navigation that are not pages to check: the static files and the log-out.
NOT_PAGES = ("/static/", "/logout", "/language")


@pytest.fixture
def sample(app, people):
    """Made-up customers in both sections, an inspection request and a rectification request
    of a tourism customer; return the paths of their pages."""
    with app.app_context():
        demo_data.generate(60, seed=16, sections=list(Section.select().order_by(Section.id)))
        tourism = Section.get(code="tourism")
        customer = (Customer.select().where(Customer.section == tourism,
                                            Customer.kind == "person")
                    .order_by(Customer.id).first())
        handler = User.by_username("handler_t")
        request = inspection.register(
            handler, received_at=utcnow() - datetime.timedelta(hours=2), channel="written",
            requester_name="Anna Äijälä", section="tourism")
        asked = rectification.register(
            customer, actor=handler, received_at=utcnow() - datetime.timedelta(hours=1),
            requester_name="Anna Äijälä", description="Uusi sukunimi",
            requested={"last_name": "Uusinimi"})
    return {
        "customer-details": f"/customers/details/?id={customer.id}",
        "customer-form": f"/customers/edit/?id={customer.id}",
        "customer-new": "/customers/new/",
        "request": f"/requests/{request.id}/",
        "rectification": f"/rectification/{asked.id}/",
    }


def _path(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pages(page, sample):
    """Return the paths to check: the navigation's, then the sample pages."""
    found = [_path(url) for url in navigation_links(page)]
    paths = [p for p in found if not any(p.startswith(n) for n in NOT_PAGES)]
    return list(dict.fromkeys(["/", *paths, *sample.values()]))


# The links of a page's content to a form for a new record on this site, as paths.
NEW_FORMS = ("links => links.filter(a => a.origin === location.origin"
             " && a.pathname.endsWith('/new/')).map(a => a.pathname + a.search)")


def _check(page, path, problems, shot=None):
    """Open ``path``; add axe-core's serious and critical violations to ``problems``.

    Return the paths of the forms for a new record that the page's content links to
    (``…/new/``), or None when the role may not open the page (403, 404: not one of its
    pages); an error of the server fails."""
    answer = page.goto(path)
    assert answer.status < 500, f"{path} answered {answer.status}"
    if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return None
    problems.extend(accessibility_problems(page))
    if shot:
        screenshot(page, shot)
    return page.eval_on_selector_all("main a[href]", NEW_FORMS)


# The pages saved as screenshots (in Finnish), by the sample's names and the menu's paths.
SHOTS = {"/": "front-page", "/customers/": "customer-list", "/statistics/": "statistics",
         "customer-details": "customer-details", "customer-form": "customer-form",
         "request": "inspection-request"}
# The pages checked again at a phone's width (in Finnish: the layout is the same in both).
NARROW = ("/", "/customers/", "customer-form", "request")


def _sweep(page, paths, problems, shots=None, follow=True):
    """Check every one of ``paths``, and (``follow``) the forms for a new record they link
    to; save those named in ``shots`` ({path: file name}). Return the paths the role could
    open."""
    shots = shots or {}
    queue, seen, opened = list(paths), set(paths), []
    while queue:
        path = queue.pop(0)
        found = _check(page, path, problems, shots.get(path))
        if found is not None:
            opened.append(path)
            new = [link for link in found if follow and link not in seen]
            queue += new
            seen.update(new)
    return opened


# What opens a menu of the header or of the navigation.
MENU_TOGGLES = ", ".join(f"{where} [{what}]" for where in ("header", "nav")
                         for what in ("aria-expanded", "data-toggle"))


def _check_open_menus(page, problems):
    """Open each drop-down and collapsed menu of the page's header and navigation in turn
    (whatever says ``aria-expanded``, or is a toggle of Bootstrap's, which says it once
    opened) and check the header (or the page) with it open: a closed menu's items are
    hidden, and axe-core checks only what shows. Opening a drop-down closes the one
    before. Return how many were opened."""
    page.wait_for_load_state("load")
    opened = 0
    for toggle in page.query_selector_all(MENU_TOGGLES):
        if not toggle.is_visible():
            continue
        for _ in range(5):  # the page's scripts bind the toggles when they have run
            toggle.click()
            try:
                page.wait_for_function("t => t.getAttribute('aria-expanded') === 'true'",
                                       arg=toggle, timeout=2000)
                break
            except PlaywrightTimeout:
                continue
        else:
            problems.append(f"{page.url}: {toggle.inner_text()!r} did not open its menu")
            continue
        page.wait_for_timeout(400)  # the menu's transition, before colours are read
        inside = toggle.evaluate("t => t.closest('header') ? 'header' : null")
        problems.extend(accessibility_problems(page, inside))
        opened += 1  # left open: a collapsed menu's drop-downs show next
    return opened


def _sweep_role(page, role, sample, problems, checked):
    """Log in as ``role`` and check its pages: every one in Finnish, at both widths the
    NARROW ones; in Swedish its front page (its menu) and the pages no role before it had
    in Swedish (``checked``: the paths checked in Swedish so far)."""
    username, menu_page = ROLES[role]
    log_in(page, username)
    for language in LANGUAGES:
        switch_language(page, language)
        page.set_viewport_size(WIDE)
        paths = _pages(page, sample)
        if language == "fi":
            shots = {sample.get(name, name): f"{role}-{file}" for name, file in SHOTS.items()}
        else:
            shots, paths = {}, [p for p in paths if p == "/" or p not in checked]
        opened = _sweep(page, paths, problems, shots)
        if language == "fi":
            assert menu_page in opened, f"{role} did not reach {menu_page} from {opened}"
            page.goto("/")
            menus = _check_open_menus(page, problems)
            page.set_viewport_size(PHONE)
            _sweep(page, [sample.get(name, name) for name in NARROW], problems,
                   {path: f"{file}-390" for path, file in shots.items()}, follow=False)
            page.goto("/")
            menus += _check_open_menus(page, problems)
            assert menus, f"{role}: no menu of the header opened"
        else:
            checked.update(opened)
    switch_language(page, "fi")  # the account menu and the login form are read in Finnish
    log_out(page)
    page.wait_for_url("**/login*")


@pytest.mark.both_databases
def test_every_page_of_every_role_passes_axe_core(page, sample, db_kind):
    """The roles are shared between the databases, so that the two halves of the sweep run
    side by side (the pages' markup is the same on both); all on SQLite without
    PostgreSQL to test on."""
    databases = databases_of_sweep()
    problems, checked = [], set()
    for number, role in enumerate(ROLES):
        if databases[number % len(databases)] == db_kind:
            _sweep_role(page, role, sample, problems, checked)
    assert not problems, "\n".join(problems)


def databases_of_sweep():
    return DATABASES if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def test_the_check_reports_what_axe_core_finds(page, db_kind):
    """A page with an unlabelled field and grey text on white fails the check."""
    if db_kind != "sqlite":
        pytest.skip("no database is read")
    page.goto("/login")
    page.set_content('<html lang="fi"><head><title>Koe</title></head><body><main>'
                     '<h1>Koe</h1><input type="text" name="x">'
                     '<p style="color:#aaa">Vaalea teksti</p></main></body></html>')
    found = "\n".join(accessibility_problems(page))
    assert "label (critical)" in found and "color-contrast (serious)" in found
