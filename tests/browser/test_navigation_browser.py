"""The header with a real browser, for every role, at 1280 × 800 and 390 × 844: one line
on a wide screen (the navbar's height measured against one line's), the task groups and
the account menu opened and followed by keyboard alone (Tab, Enter, the arrows, Escape),
the current page marked, and axe-core (WCAG 2.0/2.1 A and AA) content with the page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, log_in, menu_name, screenshot

pytestmark = pytest.mark.browser

# Who logs in, with a group of their menu and its first two items, and the role's name.
ROLES = {
    "staff": ("anna", ["tourism"], "Rekisteri", ["Asiakkaat", "Laskut"], "Henkilökunta"),
    "handler": ("tuulikki", ["tourism"], "Rekisteröidyn oikeudet",
                ["Tarkastuspyynnöt", "Korjauspyynnöt"], "Rekisteriasioita hoitava henkilö"),
    "controller": ("eero", [], "Rekisterinpitäjä", ["Luovutukset", "Tilastot"],
                   "Rekisterinpitäjä"),
    "responsible": ("nyrki", [], "Ylläpito", ["Varmuuskopiot", "Tapahtumaloki"],
                    "Rekisterin vastuuhenkilö"),
    "maintenance": ("ylla", [], "Ylläpito", ["Varmuuskopiot"], "Tekninen ylläpito"),
}
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


def tab_to(page, locator, limit=40):
    """Press Tab until ``locator`` holds the focus (at most ``limit`` times)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def focused_text(page):
    return page.evaluate("document.activeElement.textContent").strip()


def assert_one_line(page):
    """The header's height is one line's: every part of it starts on the same line, and
    the bar is no taller than its tallest part with the bar's own padding. Measured once
    the page's script has run and with the pointer off the header (without the script a
    group opens under the pointer), again for a few seconds while the page settles."""
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bno-js\b"))
    page.mouse.move(0, page.viewport_size["height"] - 1)
    for _attempt in range(20):
        try:
            return _one_line(page)
        except AssertionError:
            page.wait_for_timeout(250)
    return _one_line(page)


def _one_line(page):
    navbar = page.locator("nav.navbar")
    bar = navbar.bounding_box()
    parts = [navbar.locator(".navbar-brand"), *navbar.locator(".navbar-nav > li > .nav-link").all()]
    boxes = [part.bounding_box() for part in parts]
    tallest = max(box["height"] for box in boxes)
    padding = navbar.evaluate("n => parseFloat(getComputedStyle(n).paddingTop)"
                              " + parseFloat(getComputedStyle(n).paddingBottom)")
    assert bar["height"] <= tallest + padding + 2, (bar, tallest, padding)
    tops = {round(box["y"] + box["height"] / 2) for box in boxes}
    assert max(tops) - min(tops) <= 4, f"the header's parts are not on one line: {tops}"


@pytest.mark.parametrize("role", sorted(ROLES))
def test_header_is_one_line_and_works_by_keyboard(page, make_user, role, db_kind):
    username, sections, group, items, role_name = ROLES[role]
    make_user(username, role, sections)
    page.set_viewport_size(WIDE)
    log_in(page, username, front_page=True)
    page.wait_for_load_state("load")
    menu = page.get_by_role("navigation", name="Päävalikko")
    expect(menu.get_by_role("link", name="Etusivu", exact=True)).to_have_attribute(
        "aria-current", "page")
    assert_one_line(page)
    screenshot(page, f"header-{role}-wide-{db_kind}")

    # A group by keyboard: Tab to it, Enter opens, the arrows move, Escape closes.
    toggle = menu.get_by_role("button", name=menu_name(group))
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    first = menu.get_by_role("link", name=menu_name(items[0]))
    expect(first).to_be_visible()
    assert_accessible(page)  # with the group open
    screenshot(page, f"menu-{role}-open-{db_kind}")
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    if len(items) > 1:
        page.keyboard.press("ArrowDown")
        expect(menu.get_by_role("link", name=menu_name(items[1]))).to_be_focused()
        page.keyboard.press("ArrowUp")
        expect(first).to_be_focused()
    page.keyboard.press("Escape")
    expect(first).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    # Again, and Enter on the item follows it: its page is the current one.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(items[0])
    current = page.locator('nav [aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text(menu_name(items[0]))
    assert_one_line(page)

    # The account menu by keyboard: who is logged in and in which role, then the password.
    account = menu.get_by_role("button", name=f"Käyttäjätili: {username}")
    tab_to(page, account)
    page.keyboard.press("Enter")
    expect(account).to_have_attribute("aria-expanded", "true")
    account_menu = page.locator(".account-menu .dropdown-menu")
    expect(account_menu).to_contain_text(f"Kirjautuneena: {username}")
    expect(account_menu).to_contain_text(role_name)
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    assert focused_text(page) == "Vaihda salasana"
    page.keyboard.press("Escape")
    expect(account).to_be_focused()
    expect(account_menu).to_be_hidden()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_narrow_screen_menu_opens_by_keyboard(page, make_user, role, db_kind):
    username, sections, group, items, _ = ROLES[role]
    make_user(username, role, sections)
    page.set_viewport_size(NARROW)
    log_in(page, username, front_page=True)
    page.wait_for_load_state("load")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bno-js\b"))
    menu = page.get_by_role("navigation", name="Päävalikko")
    toggle = menu.get_by_role("button", name=menu_name(group))
    expect(toggle).to_be_hidden()  # folded away behind the menu button
    show = menu.get_by_role("button", name="Näytä valikko")
    tab_to(page, show)
    page.keyboard.press("Enter")
    expect(show).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"header-{role}-narrow-{db_kind}")
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    item = menu.get_by_role("link", name=menu_name(items[0]))
    expect(item).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(items[0])

    # The account menu's language change, by keyboard, then back, once the new page's
    # scripts run (before them, Enter on the menu button opens nothing).
    page.wait_for_load_state("load")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bno-js\b"))
    show = menu.get_by_role("button", name="Näytä valikko")
    tab_to(page, show)
    page.keyboard.press("Enter")
    expect(show).to_have_attribute("aria-expanded", "true")
    account = menu.get_by_role("button", name=f"Käyttäjätili: {username}")
    tab_to(page, account)
    page.keyboard.press("Enter")
    svenska = menu.get_by_role("button", name="Svenska", exact=True)
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        if focused_text(page) == "Svenska":
            break
    expect(svenska).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\S"))
    page.set_viewport_size(WIDE)
    assert_one_line(page)  # in Swedish too


def test_menu_works_without_javascript(browser, live_server, make_user):
    """Without scripts a group opens while it holds the focus, and its items are
    reached by Tab; the narrow screen's menu shows whole."""
    make_user("tuulikki", "handler", ["tourism"])
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport=WIDE)
    page = context.new_page()
    try:
        log_in(page, "tuulikki", front_page=True)
        menu = page.get_by_role("navigation", name="Päävalikko")
        toggle = menu.get_by_role("button", name=menu_name("Rekisteröidyn oikeudet"))
        item = menu.get_by_role("link", name=menu_name("Tarkastuspyynnöt"))
        expect(item).to_be_hidden()
        tab_to(page, toggle)
        expect(item).to_be_visible()
        page.keyboard.press("Tab")
        expect(item).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tarkastuspyynnöt")
        page.set_viewport_size(NARROW)
        expect(menu.get_by_role("button", name=menu_name("Rekisteri"))).to_be_visible()
    finally:
        context.close()
