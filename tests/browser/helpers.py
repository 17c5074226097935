"""What every browser test shares: logging in, accessibility (axe-core) and screenshots."""

import logging
import os
import pathlib
import re
import threading

from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD

# WCAG 2.0 and 2.1, levels A and AA: the level the City's services must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Violations of these impacts fail the test; "moderate" and "minor" are only reported.
FAILING_IMPACTS = {"serious", "critical"}

# The viewports the pages are checked at: a laptop's, and a phone's (CSS pixels).
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Where screenshot() saves (ignored by git, kept by CI as an artifact).
SCREENSHOTS = pathlib.Path(__file__).resolve().parent / "screenshots"

_axe = Axe()


def serve(app):
    """Serve ``app`` over HTTP on 127.0.0.1 with waitress (4 threads), as `make run` serves
    it, in a thread; return its base URL and the function that stops it."""
    from waitress import create_server, wasyncore

    # A page loading its stylesheets and scripts queues requests: not worth a warning.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()

    def stop():
        # Close every socket from inside the server's own loop, which then ends. When the
        # loop's wake-up pipe is gone already (seen once in CI: EBADF at the teardown of a
        # passed test), close them from here: the loop ends once its map is empty.
        try:
            server.trigger.pull_trigger(
                lambda: wasyncore.close_all(server._map, ignore_all=True))
        except OSError:
            wasyncore.close_all(server._map, ignore_all=True)
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        assert not thread.is_alive(), "the live server did not stop"

    return f"http://127.0.0.1:{server.effective_port}", stop


def log_in(page, username, password=PASSWORD, open_form=True, front_page=False):
    """Log in through the login form, by its Finnish labels.

    ``open_form`` goes to /login first (false: the form is on the page already);
    ``front_page`` asserts that the login lands on the front page.
    """
    from playwright.sync_api import expect

    if open_form:
        page.goto("/login")
    page.get_by_label("Käyttäjätunnus", exact=True).fill(username)
    page.get_by_label("Salasana", exact=True).fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    if front_page:
        expect(page.get_by_role("heading", level=1)).to_have_text("Etusivu")


def _describe(violation):
    targets = "; ".join(
        " ".join(map(str, node["target"])) for node in violation["nodes"]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n    at: {targets}"


def accessibility_problems(page, context=None):
    """Return axe-core's serious and critical WCAG 2.x A/AA violations on ``page``, one text
    each naming the page; print the others (moderate, minor) as worth fixing.

    ``context`` narrows the check to part of the page (an axe-core context, e.g. "main").
    """
    page.wait_for_load_state("load")
    results = _axe.run(
        page,
        context=context,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    others = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if others:
        print(f"axe-core, {page.url}: not failing but worth fixing:")
        print("\n".join(map(_describe, others)))
    return [f"{page.url}:\n{_describe(violation)}" for violation in failing]


def assert_accessible(page, context=None):
    """Fail when axe-core finds a serious or critical WCAG 2.x A/AA violation on ``page``."""
    failing = accessibility_problems(page, context)
    assert not failing, (
        f"axe-core found {len(failing)} serious or critical WCAG violation(s):\n"
        + "\n".join(failing)
    )


def screenshot(page, name):
    """Save a full-page screenshot ``name``.png into tests/browser/screenshots/ (or the
    folder BROWSER_SCREENSHOTS names), which CI keeps for review; git ignores it."""
    folder = pathlib.Path(os.environ.get("BROWSER_SCREENSHOTS") or SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def navigation_links(page):
    """Return the addresses of every link in the page's navigation landmarks (<nav>), those
    of closed drop-downs and of a collapsed menu included, in their order."""
    return page.eval_on_selector_all(
        "nav a[href]", "links => links.map(link => link.href)"
        ".filter(href => href.startsWith(location.origin + '/'))")


def _post_from_page(page, path, **form):
    """Send ``form`` to ``path`` as the page's own forms do (with its CSRF token), whether
    or not the form is on screen (a closed drop-down, a collapsed menu)."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(path, form={**form, "csrf_token": token})
    assert answer.ok, f"{path} answered {answer.status}"


def switch_language(page, language):
    """Switch the logged-in session to ``language`` (fi, sv, en) as the language form does,
    and open the front page in it."""
    page.goto("/")
    _post_from_page(page, "/language", lang=language, next="/")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language


def menu_name(name):
    """Match a menu item or group by ``name``, with or without its count waiting
    ("Tarkastuspyynnöt (2 odottaa)")."""
    return re.compile("^" + re.escape(name) + r"( \(\d+ odottaa\))?$")


def open_menu_item(page, group, item):
    """Click ``item`` in the main menu's group ``group`` (Rekisteri, Rekisteröidyn
    oikeudet, Rekisterinpitäjä, Ylläpito; README "Navigation").

    Bootstrap binds its drop-downs when its script has run; a click on the toggle before
    that opens nothing, so the toggle is clicked again until the item shows.
    """
    menu = page.get_by_role("navigation", name="Päävalikko")
    open_drop_down(page, menu.get_by_role("button", name=menu_name(group)),
                   menu.get_by_role("link", name=menu_name(item)))


def open_account_item(page, item, role="link"):
    """Click ``item`` (a link, or with ``role="button"`` a button) in the account menu."""
    menu = page.get_by_role("navigation", name="Päävalikko")
    open_drop_down(page, menu.get_by_role("button", name=re.compile("^Käyttäjätili: ")),
                   menu.get_by_role(role, name=item, exact=True))


def log_out(page):
    """Log out through the account menu (the pages outside the menu, such as the password
    change, show the button as it is)."""
    page.wait_for_load_state("load")
    button = page.get_by_role("button", name="Kirjaudu ulos", exact=True)
    if button.is_visible():
        button.click()
    else:
        open_account_item(page, "Kirjaudu ulos", role="button")


def open_drop_down(page, toggle, item):
    """Click ``toggle`` until its drop-down shows ``item``, then click ``item`` (None:
    until the toggle says it is open, and leave it open).

    The page's scripts must have run first: a click on a placeholder link
    (``href="javascript:void(0)"``) before them follows the href, which the
    Content-Security-Policy refuses (a console violation fails the test).
    """
    from playwright.sync_api import expect

    page.wait_for_load_state("load")
    for _ in range(5):
        toggle.click()
        try:
            if item is None:
                expect(toggle).to_have_attribute("aria-expanded", "true", timeout=2000)
            else:
                expect(item).to_be_visible(timeout=2000)
            break
        except AssertionError:
            continue
    if item is not None:
        item.click()
