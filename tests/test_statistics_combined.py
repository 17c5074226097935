"""The statistics attacked across the page's choices (seed §5, §8): every table published
for every section choice (all, each section) and every period within four months is
written as equations over the counts of one section, one month and one value, and solved
together; no count from 1 to 4 may come out. A single table's own protection is
tests/test_statistics.py's; this is what subtracting one choice's table from another's
gives (the sum of the sections less one section, a longer period less a shorter one).
SQLite and PostgreSQL."""

import datetime
import itertools
import random
from fractions import Fraction

import pytest

from models import Address, ContactEvent, Customer, Purchase, Section
from services import statistics as stats
from services.customers import refresh_city
from services.localtime import helsinki_today

pytestmark = pytest.mark.clock

CODES = ("00100", "00200", "00300")
SERVICES = ("Kokous", "Opastus", "Risteily")
COLUMNS = ("phone/in", "email/in", "meeting/out")
COUNTS = (0, 0, 1, 2, 3, 4, 5, 6, 9)


def months():
    """The first days of the last four months, this one included (the register's clock)."""
    first = helsinki_today().replace(day=1)
    days = [first]
    for _ in range(3):
        days.insert(0, (days[0] - datetime.timedelta(days=1)).replace(day=1))
    return days


def make_data(seed):
    """Customers, contacts and purchases of both sections at random; return the true
    counts by atom: (table, section, …) → n."""
    rng = random.Random(seed)
    truth = {}
    for section in Section.select().where(Section.code.in_(["tourism", "business"])):
        for month in months():
            at = datetime.datetime.combine(month.replace(day=10), datetime.time(10))
            people = []
            for i in range(rng.choice(COUNTS)):
                code, kind = rng.choice(CODES), rng.choice(("person", "company"))
                person = Customer.create(section=section, kind=kind, first_name="Etu",
                                         last_name=f"S{i}", name=f"Yritys {i} Oy",
                                         created_at=at)
                Address.create(customer=person, street="Katu 1", postal_code=code,
                               city="Helsinki")
                refresh_city(person.id)
                people.append(person)
                _count(truth, ("new_customers", section.code, f"{month:%Y-%m}"))
                _count(truth, ("customers_by_postal_area", section.code, code))
                _count(truth, ("customers_by_kind", section.code, kind))
            if not people:
                continue
            for column in COLUMNS:
                channel, direction = column.split("/")
                for _ in range(rng.choice(COUNTS)):
                    ContactEvent.create(customer=rng.choice(people), occurred_at=at,
                                        channel=channel, direction=direction, summary="x")
                    _count(truth, ("contact_events", section.code, f"{month:%Y-%m}", column))
            for service in SERVICES:
                for buyer in rng.sample(people, min(len(people), rng.choice(COUNTS))):
                    Purchase.create(customer=buyer, service=service, purchased_on=at.date())
                    _count(truth, ("purchases", section.code, service, f"{month:%Y-%m}"))
    return truth


def _count(truth, atom):
    truth[atom] = truth.get(atom, 0) + 1


def choices():
    """Every section choice and every period of one to four of the months."""
    codes = [f"{m:%Y-%m}" for m in months()]
    for section in (None, "tourism", "business"):
        for first, last in itertools.combinations_with_replacement(range(len(codes)), 2):
            yield stats.month_range(codes[first], codes[last], section=section)


def atoms(key, table, row, column, filters, truth):
    """Return the atoms a published cell of table ``key`` adds up."""
    sections = [filters.section] if filters.section else ["business", "tourism"]
    expand = {"rows": table.rows if row == stats.TOTAL else [row],
              "columns": table.columns if column == stats.TOTAL else [column]}
    if key == "customers_by_kind":
        return [(key, s, k) for s in expand["rows"] for k in expand["columns"]]
    if key in ("customers_by_postal_area", "new_customers"):
        return [(key, s, r) for r in expand["rows"] for s in expand["columns"]]
    if key == "contact_events":
        return [(key, s, m, c) for s in sections for m in expand["rows"]
                for c in expand["columns"]]
    services = expand["rows"]
    if stats.OTHER in services:  # the services not named in this table
        services = [x for x in services if x != stats.OTHER] + [
            x for x in SERVICES if x not in table.rows]
    return [(key, s, x, m) for s in sections for x in services for m in expand["columns"]]


def determined(equations, unknowns):
    """Return the unknowns whose value the equations (({atom: 1}, value) pairs) fix."""
    index = {atom: i for i, atom in enumerate(sorted(unknowns))}
    rows = []
    for parts, value in equations:
        row = [Fraction(0)] * (len(index) + 1)
        for atom in parts:
            row[index[atom]] += 1
        row[-1] = Fraction(value)
        rows.append(row)
    pivots, r = [], 0
    for col in range(len(index)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [v / rows[r][col] for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col]:
                rows[i] = [a - rows[i][col] * b for a, b in zip(rows[i], rows[r])]
        pivots.append((col, r))
        r += 1
    names = sorted(index)
    return {names[col]: rows[row][-1] for col, row in pivots
            if not any(rows[row][c] for c in range(len(index)) if c != col)}


@pytest.mark.parametrize("seed", range(6))
def test_no_small_count_comes_out_of_the_tables_of_all_choices_together(app, seed):
    truth = make_data(seed)
    equations = {}
    for filters in choices():
        for key, table in stats.build(filters).items():
            if key in ("customers_by_language", "invoicing"):
                continue
            for (row, column), shown in table.published().items():
                if isinstance(shown, str):
                    continue  # hidden
                parts = atoms(key, table, row, column, filters, truth)
                assert sum(truth.get(a, 0) for a in parts) == shown, (key, row, column)
                equations.setdefault(key, []).append((parts, shown))
    for key, found in equations.items():
        unknowns = {atom for parts, _ in found for atom in parts}
        for atom, value in determined(found, unknowns).items():
            assert not 0 < value < stats.SMALL, (atom, value)
            assert value == truth.get(atom, 0)


def test_a_months_partner_is_the_same_whatever_the_period():
    """A month's hidden cells are the same in every period holding it, and a column's total
    over the period hides as soon as a partner is hidden in it: from September–October
    and September–November the email total gave November's email, and with it November's
    two meetings back."""
    columns = ["phone/in", "email/in", "meeting/out"]
    counts = {("09", "phone/in"): 3, ("09", "email/in"): 6, ("09", "meeting/out"): 6,
              ("10", "phone/in"): 3, ("10", "email/in"): 9, ("11", "phone/in"): 9,
              ("11", "email/in"): 5, ("11", "meeting/out"): 2}

    def table(months):
        return stats.protect(stats.Table("contact_events", months, columns, {
            cell: n for cell, n in counts.items() if cell[0] in months}, varies=("rows",)))

    short, long = table(["09", "10"]), table(["09", "10", "11"])
    for month in ("09", "10"):
        assert [short.shown(month, c) for c in columns] == \
            [long.shown(month, c) for c in columns], month
    for t in (short, long):
        for column in columns:
            if any((m, column) in t.hidden for m in t.rows):
                assert (stats.TOTAL, column) in t.hidden, column
