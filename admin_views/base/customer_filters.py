"""The customer list's filters, and those its saved filters and other pages link to.

Each filter is one object: the list declares it, and a link to the list filtered by it
(the saved filters, the front page's count of customers not yet informed) names the same
object, so its argument is read from the list, never written by hand.
"""

import functools

from flask_admin.contrib.peewee.filters import FilterEqual
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from admin_views.base.pages import ChoiceFilter, ConditionFilter, all_sections, user_sections
from models import Customer, Section
from services import customers as customer_rules
from services import informing, postal_codes
from services.vocabulary import customers as labels


class SectionFilter(FilterEqual):
    """Filter by section code, without a join (DESIGN.md §3 items 1 and 9)."""

    def apply(self, query, value):
        return query.where(Customer.section.in_(
            Section.select(Section.id).where(Section.code == value)))

    def get_options(self, view):
        return _UserSectionOptions()


class _UserSectionOptions:
    """Filter options read per request: the current user's sections, in the UI language."""

    def __bool__(self):
        return True

    def __iter__(self):
        locale = str(get_locale())
        return iter([(s.code, s.name_in(locale)) for s in user_sections()])


def where_held(query, condition, category):
    """Filter ``query`` by ``condition`` on the customers whose section holds ``category``:
    data of a category taken from a section waits for the purge unseen, and a filter
    matching it would tell whose it is."""
    sections = all_sections().values()
    holding = [s.id for s in sections if category in s.category_set]
    if len(holding) < len(sections):
        condition &= Customer.section.in_(holding)
    return query.where(condition)


class CityFilter(FilterEqual):
    """Customers with an address in the city (written as on the address, any case)."""

    def apply(self, query, value):
        return where_held(query, customer_rules.in_city(value), "address")


class PostalCheckFilter(FilterEqual):
    """Customers with an address that fails the postal code check and gives no reason."""

    def apply(self, query, value):
        return where_held(query, postal_codes.failing_condition(), "address")


class HeldChoiceFilter(ChoiceFilter):
    """A choice over a column of ``category``, of the customers whose section holds it."""

    def __init__(self, column, name, choices, category):
        super().__init__(column, name, choices)
        self.category = category

    def apply(self, query, value):
        return where_held(query, self.column == value, self.category)


SECTION_FILTER = SectionFilter(Customer.section, _l("Section"))
# Seed §13: "no" lists the customers not yet informed (the front page links it).
INFORMED_FILTER = ConditionFilter(Customer.informed_how, _l("Informed of registration"),
                                  labels.INFORMING_STATE_LABELS,
                                  {"no": informing.not_informed, "yes": informing.informed})
INACTIVE_FILTER = ConditionFilter(
    Customer.last_activity_at, _l("No activity for"), labels.INACTIVE_YEARS_LABELS,
    {code: functools.partial(customer_rules.inactive_for, int(code))
     for code in customer_rules.INACTIVE_YEARS})
# The saved filter of long-inactive customers (one of INACTIVE_YEARS).
SAVED_INACTIVE_YEARS = "3"
