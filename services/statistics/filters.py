"""The period and the sections a statistic covers, in Helsinki months."""

import datetime
from dataclasses import dataclass

from peewee import JOIN

import database
from models import Customer, Section
from services.errors import N_, RegisterError
from services.inputs import FIRST_YEAR, LAST_YEAR, year_in_range
from services.localtime import helsinki_today
from services.statistics.tables import DEFAULT_MONTHS


# --- the period and the filters -------------------------------------------------------


@dataclass
class Filters:
    """Which customers and which months: ``section`` a code or None (all ``within``)."""

    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the month after the last
    section: str = None
    # The sections the reader may see, by code (a handler: their own); None: every one.
    within: tuple = None

    def months(self):
        """Return the months of the period as "YYYY-MM" codes."""
        months, day = [], self.start
        while day < self.end:
            months.append(day.strftime("%Y-%m"))
            day = _next_month(day)
        return months


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def default_filters(today=None, section=None, within=None):
    """The last twelve months, this one included."""
    today = today or helsinki_today()
    end = _next_month(today.replace(day=1))
    start = end
    for _ in range(DEFAULT_MONTHS):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return Filters(start=start, end=end, section=section, within=within)


def parse_month(text):
    """Return the first day of the month ``text`` ("YYYY-MM"), a year from FIRST_YEAR to
    LAST_YEAR; RegisterError for anything else (December 9999 has no month after it)."""
    try:
        day = datetime.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        day = None
    if day is None or not year_in_range(day):
        raise RegisterError(N_("Give the month as year and month between %(first)s and "
                               "%(last)s, e.g. 2026-01."),
                            first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12")
    return day


def month_range(first, last, section=None, within=None):
    """Filters from month ``first`` to month ``last`` ("YYYY-MM", both included)."""
    return Filters(start=parse_month(first), end=_next_month(parse_month(last)),
                   section=section, within=within)


def _sections(filters, category=None):
    """The sections counted: codes in order, and their ids; with ``category``, only the
    sections holding that data category (seed §6: a section shows only its own)."""
    query = Section.select(Section.id, Section.code, Section.categories).order_by(Section.code)
    if filters.section:
        query = query.where(Section.code == filters.section)
    if filters.within is not None:
        query = query.where(Section.code.in_(list(filters.within)))
    return [(s.code, s.id) for s in query if category is None or category in s.category_set]


def _narrowed(filters, sections):
    """Tell whether a count of a customer's rows must name ``sections``: one section is
    chosen, or some section does not hold the rows' category."""
    return bool(filters.section) or len(sections) < Section.select().count()


def _in_sections(query, model, sections):
    """Narrow ``query`` over ``model`` (a customer's rows) to the customers of ``sections``.

    The rows of the period are read first, from their index of time, and the customer of
    each looked up by id; an ``IN (customers of the section)`` would first collect half a
    million ids. SQLite is told the order with a CROSS JOIN, its way of fixing it: with
    the planner's statistics refreshed it walked every customer of the section instead
    and looked up each one's rows, at a million customers ten times slower for invoices,
    four times for purchases and a half slower for contact events. PostgreSQL's planner
    chooses for itself.
    """
    in_sections = Customer.section.in_([sid for _, sid in sections])
    if database.is_sqlite():  # (peewee takes no ON with a CROSS JOIN)
        return (query.join(Customer, JOIN.CROSS)
                .where((model.customer == Customer.id) & in_sections))
    return query.join(Customer, on=(model.customer == Customer.id)).where(in_sections)
