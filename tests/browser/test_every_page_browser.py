"""Every page of every role passes axe-core, in Finnish and in Swedish.

For each role one browser context logs in, collects the links of the rendered navigation
(not a hand-written list: a page added to the menu is checked from then on), adds the
pages behind the menu that people use all day — a customer's details and form, an
inspection request, a rectification request — and runs axe-core on each with the WCAG
2.0/2.1 A and AA rules: a serious or critical violation fails, on any page. It then
switches the session to Swedish and does the same. The front page, the customer list,
the customer form and a request are checked again at a phone's width (390 × 844).
The main pages are saved as screenshots under tests/browser/screenshots/.

The markup does not depend on the database, so the sweep runs on SQLite only: on
PostgreSQL it would take as long again and check the same pages.
"""

import datetime
import urllib.parse

import pytest

from models import Customer, Section, User, utcnow
from services import demo_data, rectification
from services import requests as inspection
from tests.browser.helpers import (
    PHONE,
    WIDE,
    accessibility_problems,
    log_in,
    navigation_links,
    screenshot,
    switch_language,
)

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


def _check(page, path, problems, shot=None):
    """Open ``path``; add axe-core's serious and critical violations to ``problems``.

    A page the role may not open (403, 404) is not one of its pages and is left out; an
    error of the server fails."""
    answer = page.goto(path)
    assert answer.status < 500, f"{path} answered {answer.status}"
    if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return False
    problems.extend(accessibility_problems(page))
    if shot:
        screenshot(page, shot)
    return True


# The pages saved as screenshots (in Finnish), by the sample's names and the menu's paths.
SHOTS = {"/": "front-page", "/customers/": "customer-list", "/statistics/": "statistics",
         "customer-details": "customer-details", "customer-form": "customer-form",
         "request": "inspection-request"}
# The pages checked again at a phone's width (in Finnish: the layout is the same in both).
NARROW = ("/", "/customers/", "customer-form", "request")


def _sweep(page, paths, problems, shots=None):
    """Check every one of ``paths``; save those named in ``shots`` ({path: file name}).
    Return the paths the role could open."""
    shots = shots or {}
    return [path for path in paths if _check(page, path, problems, shots.get(path))]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_passes_axe_core(page, sample, role, db_kind):
    if db_kind != "sqlite":
        pytest.skip("the pages' markup is the same on both databases")
    username, menu_page = ROLES[role]
    log_in(page, username)
    problems = []
    for language in LANGUAGES:
        switch_language(page, language)
        page.set_viewport_size(WIDE)
        # Screenshots in Finnish, the register's own language.
        shots = {sample.get(name, name): f"{role}-{file}" for name, file in SHOTS.items()
                 if language == "fi"}
        opened = _sweep(page, _pages(page, sample), problems, shots)
        assert menu_page in opened, f"{role} did not reach {menu_page} from {opened}"
        if language == "fi":
            page.set_viewport_size(PHONE)
            _sweep(page, [sample.get(name, name) for name in NARROW], problems,
                   {path: f"{file}-390" for path, file in shots.items()})
    assert not problems, "\n".join(problems)
