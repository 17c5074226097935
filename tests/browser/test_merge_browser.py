"""Merging two customers with a real browser, in Finnish: a staff member opens a
customer's page, asks to merge it with another by its number, chooses the other's email
on the side-by-side page and merges; the customer kept has it and the other is gone.
Every page on the way is checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from models import Customer, Section
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(app):
    tourism = Section.get(code="tourism")
    return [Customer.create(section=tourism, kind="company", name=name, email=email).id
            for name, email in (("Alfa Matkat Oy", "info@alfa.fi"),
                                ("Alfa Matkat", "myynti@alfa.fi"))]


def test_staff_merges_two_customers_from_the_customers_page(page, make_user, pair, db_kind):
    kept, other = pair
    make_user("tiina", "staff", ["tourism"])
    log_in(page, "tiina")
    page.goto(f"/customers/details/?id={kept}")
    assert_accessible(page)
    page.get_by_label("Yhdistä asiakkaaseen numero", exact=True).fill(str(other))
    page.get_by_role("button", name="Vertaa ja yhdistä").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^Yhdistä asiakkaat: Alfa Matkat Oy"))
    assert_accessible(page)
    screenshot(page, f"merge-compare-{db_kind}")
    page.get_by_label("Sähköposti: myynti@alfa.fi", exact=True).check()
    page.get_by_role("button", name="Yhdistä asiakkaat").click()

    expect(page.get_by_text(re.compile(f"Asiakas {other} yhdistettiin asiakkaaseen {kept}"))
           ).to_be_visible()
    assert_accessible(page)
    assert Customer.get_by_id(kept).email == "myynti@alfa.fi"
    assert Customer.get_or_none(Customer.id == other) is None
