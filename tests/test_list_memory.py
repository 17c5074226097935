"""The lists remember the user's last filters and sort (admin_views/base/list_memory.py),
offer saved filters (my section, not yet informed, no activity for years) and "clear
filters"; a remembered filter never widens what the user sees, and a bad remembered value
is never an error — on SQLite and PostgreSQL."""

import datetime
import re

import pytest

from admin_views.base.customer_filters import (
    INACTIVE_FILTER,
    INFORMED_FILTER,
    SECTION_FILTER,
)
from admin_views.base.list_memory import MAX_LENGTH, SESSION_KEY
from admin_views.customers import CustomerView
from models import Customer, Section, utcnow
from services import customers as customer_rules
from tests.conftest import user

PEOPLE = ("staff_t", "staff_b", "controller")


def arg(app, flt):
    """Return the list's argument of filter ``flt`` (as the list's own links name it)."""
    view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, CustomerView))
    key = next(key for key, (_i, f) in view._filter_args.items() if f is flt)
    return f"flt0_{key}"


@pytest.fixture
def customers(app, people):
    """Tourism: an old company, a recent one informed, a person; business: a company."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    now = utcnow()
    old = Customer.create(section=tourism, kind="company", name="Vanha Oy", sort_name="vanha oy",
                          created_at=now - datetime.timedelta(days=9 * 365),
                          last_activity_at=now - datetime.timedelta(days=4 * 365))
    recent = Customer.create(section=tourism, kind="company", name="Tuore Oy",
                             sort_name="tuore oy", created_at=now, last_activity_at=now,
                             informed_how="in_person", informed_at=now)
    never = Customer.create(section=tourism, kind="person", first_name="Ilona",
                            last_name="Ikuinen", sort_name="ikuinen ilona",
                            created_at=now - datetime.timedelta(days=6 * 365))
    other = Customer.create(section=business, kind="company", name="Bisnes Oy",
                            sort_name="bisnes oy", created_at=now - datetime.timedelta(days=9 * 365))
    return {"old": old, "recent": recent, "never": never, "other": other}


def names(response):
    page = response.get_data(as_text=True)
    return {name for name in ("Vanha Oy", "Tuore Oy", "Ikuinen", "Bisnes Oy") if name in page}


def test_the_list_opened_bare_shows_the_last_filters_and_sort_again(
        app, client, auth, customers):
    auth.login_as("staff_t")
    shown = client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no&sort=0&desc=1&search=x&page=0")
    assert shown.status_code == 200
    again = client.get("/customers/")
    assert again.status_code == 302
    # The filter and the sort, not the search nor the page.
    assert again.location == f"/customers/?{arg(app, INFORMED_FILTER)}=no&sort=0&desc=1"
    page = client.get(again.location)
    assert names(page) == {"Vanha Oy", "Ikuinen"}
    assert "Tyhjennä suodattimet" in page.get_data(as_text=True)


def test_clear_filters_forgets_them_and_every_own_link_says_so(app, client, auth, customers):
    auth.login_as("staff_t")
    client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no")
    page = client.get("/customers/?clear=1")
    assert page.status_code == 200 and names(page) == {"Vanha Oy", "Tuore Oy", "Ikuinen"}
    text = page.get_data(as_text=True)
    assert "clear=1" not in "".join(re.findall(r'href="(/customers/\?sort[^"]*)"', text))
    assert "Tyhjennä suodattimet" not in text  # nothing to clear
    assert client.get("/customers/").status_code == 200
    # The filter form stands for the list's whole state: with no filter left, none.
    client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no")
    assert 'name="clear" value="1"' in client.get("/customers/?clear=1").get_data(as_text=True)
    client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no")
    client.get("/customers/?clear=1&page_size=25")
    assert client.get("/customers/").status_code == 200


def test_each_list_remembers_its_own(app, client, auth, customers):
    auth.login_as("staff_t")
    client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no")
    client.get("/invoices/?sort=1")
    assert client.get("/invoices/").location == "/invoices/?sort=1"
    assert client.get("/customers/").location == f"/customers/?{arg(app, INFORMED_FILTER)}=no"


def test_the_saved_filters_are_one_click_each(app, client, auth, customers):
    auth.login_as("staff_t")
    page = client.get("/customers/").get_data(as_text=True)
    links = dict((label, href.replace("&amp;", "&")) for href, label in re.findall(
        r'<a class="btn btn-outline-secondary btn-sm mr-1 mb-1" href="([^"]+)">([^<]+)</a>',
        page))
    assert set(links) == {"Ei vielä informoitu", "Ei toimintaa yli 3 vuoteen"}  # one section
    assert names(client.get(links["Ei vielä informoitu"])) == {"Vanha Oy", "Ikuinen"}
    # Four years without activity, and six since created with none: not the recent one.
    assert names(client.get(links["Ei toimintaa yli 3 vuoteen"])) == {"Vanha Oy", "Ikuinen"}
    assert names(client.get(f"/customers/?{arg(app, INACTIVE_FILTER)}=5")) == {"Ikuinen"}


def test_my_section_is_offered_to_whom_reads_several(app, client, auth, make_user, customers):
    make_user("duo", "staff", ["tourism", "business"])
    auth.login_as("duo")
    page = client.get("/customers/").get_data(as_text=True)
    assert "Oma osasto: Matkailu- ja kongressitoimisto" in page
    href = re.search(r'href="([^"]+)">Oma osasto: Elinkeinokehitys', page)
    assert href and names(client.get(href.group(1).replace("&amp;", "&"))) == {"Bisnes Oy"}


def test_a_remembered_filter_never_widens_the_section(app, client, auth, customers):
    auth.login_as("staff_t")
    # Another section's code in the section filter: nothing, not that section's customers.
    client.get(f"/customers/?{arg(app, SECTION_FILTER)}=business")
    page = client.get(client.get("/customers/").location)
    assert page.status_code == 200 and names(page) == set()


def test_another_user_in_the_same_browser_gets_nothing_remembered(app, client, auth,
                                                                  customers):
    auth.login_as("staff_t")
    client.get(f"/customers/?{arg(app, INFORMED_FILTER)}=no")
    auth.logout()
    auth.login_as("staff_b")
    assert client.get("/customers/").status_code == 200
    # Even when the session kept it: it is bound to the user who left it.
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"user": str(user("staff_t").id),
                                "lists": {"customers": f"{arg(app, INFORMED_FILTER)}=no"}}
    response = client.get("/customers/")
    assert response.status_code == 200 and names(response) == {"Bisnes Oy"}


@pytest.mark.parametrize("stored", [
    "flt0_999=x&sort=abc&desc=zz", "flt0_0=%00", "sort=99999999999999999999999",
    "flt0_4=not+a+time", "a" * (MAX_LENGTH + 1), "%%%&&&===", 17, ["x"], None,
])
def test_a_bad_remembered_value_is_never_an_error(app, client, auth, customers, stored):
    auth.login_as("staff_t")
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"user": str(user("staff_t").id), "lists": {"customers": stored}}
    response = client.get("/customers/", follow_redirects=True)
    assert response.status_code == 200
    assert "Vanha Oy" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session[SESSION_KEY] = stored
    assert client.get("/customers/", follow_redirects=True).status_code == 200


def test_a_state_too_long_for_the_session_is_not_remembered(app, client, auth, customers):
    auth.login_as("staff_t")
    assert client.get(f"/customers/?{arg(app, SECTION_FILTER)}=" + "x" * MAX_LENGTH
                      ).status_code == 200
    assert client.get("/customers/").status_code == 200  # not sent back to it


def test_the_search_box_says_its_key(client, auth, customers):
    auth.login_as("staff_t")
    page = client.get("/customers/").get_data(as_text=True)
    assert re.search(r'<input id="list-search"[^>]*aria-keyshortcuts="/"', page)
    assert "/assets/lists.js" in page


def test_inactive_for_reads_the_newest_activity_or_the_creation(app, customers):
    now = utcnow()
    found = {c.id for c in Customer.select().where(customer_rules.inactive_for(3, now))}
    assert found == {customers["old"].id, customers["never"].id, customers["other"].id}
    # A year before 29 February: the 28th, not an error. Every customer here is older.
    leap = datetime.datetime(now.year + 2 + (-(now.year + 2) % 4), 2, 29, 12)
    assert Customer.select().where(customer_rules.inactive_for(1, leap)).count() == 4


def test_front_page_link_to_the_not_informed_is_unchanged(app, client, auth, customers):
    auth.login_as("staff_t")
    view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, CustomerView))
    with app.test_request_context():
        url = view.not_informed_url("tourism")
    assert url == (f"/customers/?{arg(app, SECTION_FILTER)}=tourism"
                   f"&{arg(app, INFORMED_FILTER).replace('flt0', 'flt1')}=no")
    assert names(client.get(url)) == {"Vanha Oy", "Ikuinen"}
