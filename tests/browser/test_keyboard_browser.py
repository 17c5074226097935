"""The customer list and form by keyboard and as a screen reader reads them, in Finnish:
the focus is a dark outline of 3 px on fields and buttons too (Bootstrap's pale ring was
1.4:1), Space opens the bulk actions' menu, a filter added by keyboard has the focus, the
pager's arrows are named in words and an arrow leading nowhere is no link, each row's
checkbox names its row, an edit page names the record it edits in its title and heading,
and the message after a save is read out."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from models import Customer, Section, utcnow
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def many(app):
    tourism = Section.get(code="tourism")
    now = utcnow()
    for number in range(30):
        Customer.create(section=tourism, kind="company", name=f"Näppäin {number:02d} Oy",
                        sort_name=f"näppäin {number:02d} oy", informed_how="in_person",
                        informed_at=now - datetime.timedelta(days=1))


def outline(locator):
    return locator.evaluate("e => { const s = getComputedStyle(e); "
                            "return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")


def test_the_list_by_keyboard_and_screen_reader(page, make_user, many):
    make_user("kaisa", "handler", ["tourism"])
    log_in(page, "kaisa")
    page.goto(page.url.split("/login")[0] + "/customers/")
    search = page.locator("#list-search")
    search.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(search).to_be_focused()
    assert outline(search) == ["solid", "3px", "rgb(11, 12, 12)"]

    bulk = page.get_by_role("button", name="Valituille")
    bulk.focus()
    page.keyboard.press("Space")
    expect(bulk).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")

    # A filter chosen by keyboard: the focus goes to its value.
    page.get_by_role("link", name="Lisää suodatin").focus()
    page.keyboard.press("Enter")
    page.locator(".field-filters .filter", has_text="Laji").focus()
    page.keyboard.press("Enter")
    expect(page.locator("table.filters tr")).to_have_count(1)
    expect(page.locator("table.filters :focus")).to_have_count(1)

    # The list is a table named after itself; the filters' layout table is no table.
    expect(page.get_by_role("table")).to_have_count(1)
    expect(page.get_by_role("table", name="Asiakkaat")).to_have_count(1)

    pages = page.get_by_role("navigation", name="Sivut")
    expect(pages.get_by_role("link", name="Seuraava sivu")).to_be_visible()
    expect(pages.get_by_role("link", name="Edellinen sivu")).to_have_count(0)
    expect(pages.locator("[aria-current=page]")).to_have_text("Sivu 1")
    expect(page.get_by_role("checkbox", name="Valitse tietue: Näppäin 00 Oy")).to_have_count(1)

    first = Customer.get(Customer.name == "Näppäin 00 Oy")
    page.goto(page.url.split("/customers/")[0] + f"/customers/edit/?id={first.id}")
    expect(page).to_have_title("Asiakkaat – muokkaus: Näppäin 00 Oy - Rekisteri - Asiakkaat "
                               "- Asiakasrekisteri")
    expect(page.locator("h1")).to_have_text("Asiakkaat – muokkaus: Näppäin 00 Oy")
    save = page.get_by_role("button", name="Tallenna", exact=True)
    save.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert outline(save) == ["solid", "3px", "rgb(11, 12, 12)"]


def test_the_session_warns_before_it_ends_and_goes_on_when_asked(app, page, make_user):
    """WCAG 2.2.1: the idle session ended without a word, and the form typed was lost."""
    app.config["SESSION_IDLE_MINUTES"] = 0.15  # 9 seconds: warned after 4.5
    make_user("kaisa", "handler", ["tourism"])
    log_in(page, "kaisa")
    page.goto(page.url.split("/login")[0] + "/customers/new/")
    warning = page.get_by_role("alertdialog")
    go_on = warning.get_by_role("button", name="Jatka työskentelyä")
    expect(go_on).to_be_focused(timeout=15000)
    expect(warning).to_contain_text("Istuntosi päättyy")
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    page.wait_for_timeout(5500)  # past the 9 seconds the page began with
    page.reload()
    expect(page).to_have_url(re.compile(r"/customers/new/"))  # the session went on
    expect(warning).to_contain_text("Istuntosi on päättynyt", timeout=20000)
    expect(go_on).to_be_hidden()
    page.reload()
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_form_sent_back_focuses_its_errors_each_a_link_to_its_field(page, make_user, many):
    """The form came back with the focus at the top of the page and "correct the fields
    marked in red": nothing for a screen reader, and a field in a closed row list to find."""
    make_user("kaisa", "handler", ["tourism"])
    log_in(page, "kaisa")
    first = Customer.get(Customer.name == "Näppäin 00 Oy")
    page.goto(page.url.split("/login")[0] + f"/customers/edit/?id={first.id}")
    page.get_by_label("Y-tunnus", exact=True).fill("1234567-8")
    page.locator("summary", has_text="Osoitteet (0)").click()
    addresses = page.get_by_role("group", name="Osoitteet", exact=True)
    addresses.get_by_role("button", name="Lisää: Osoitteet").click()
    page.locator("#addresses-0-street").fill("Näppäinkatu 1")
    page.locator("#addresses-0-postal_code").fill("123")
    page.locator("#addresses-0-city").fill("Helsinki")
    page.get_by_role("button", name="Tallenna", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile(r"^Y-tunnus: "))).to_have_count(1)
    postal = summary.get_by_role("link", name=re.compile(r"^Osoitteet #1: Postinumero: "))
    expect(postal).to_have_count(1)
    postal.click()
    expect(page.locator("#addresses-0-postal_code")).to_be_focused()

    # Rows added are numbered; one removed leaves the focus on the list's "Add" button.
    add = addresses.get_by_role("button", name="Lisää: Osoitteet")
    add.click()
    second = addresses.get_by_role("group", name="Osoitteet #2 (uusi)", exact=True)
    page.once("dialog", lambda dialog: dialog.accept())
    second.get_by_role("button", name="Poista Osoitteet #2 (uusi)").click()
    expect(second).to_have_count(0)
    expect(add).to_be_focused()


# Records each text written into a live region once the page has loaded: what a screen
# reader announces (a message already there at the load is not read out).
ANNOUNCED = """
window.announced = [];
document.addEventListener('DOMContentLoaded', function () {
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      var region = node && node.closest('[role=status], [role=alert]');
      if (region && region.textContent.trim()) { window.announced.push(region.textContent.trim()); }
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
});
"""


def test_the_message_after_a_save_is_read_out(page, make_user, many):
    """The message after a save's redirect was in its live region from the load: silent."""
    make_user("kaisa", "handler", ["tourism"])
    log_in(page, "kaisa")
    page.add_init_script(ANNOUNCED)
    first = Customer.get(Customer.name == "Näppäin 00 Oy")
    page.goto(page.url.split("/login")[0] + f"/customers/edit/?id={first.id}")
    page.get_by_role("button", name="Tallenna", exact=True).click()
    message = page.locator(".alert-success").first
    expect(message).not_to_be_empty()
    page.wait_for_function("() => window.announced.length > 0")
    assert page.evaluate("() => window.announced") == [message.inner_text().strip()]
    # The message stays as it was (emptied and written again, it moved the page under the
    # pointer: a click meant for the list's header missed).
    assert message.evaluate("e => e.closest('[role]') === null")
