"""Statistics without personal data (seed §5, §8): small cells and their complements hidden
so that no hidden value can be computed back; the page, CSV and XLSX agree; roles; audit."""

import csv
import datetime
import decimal
import io
from fractions import Fraction

import pytest

from models import (
    Address,
    AuditEvent,
    ContactEvent,
    Customer,
    Invoice,
    Purchase,
    Section,
)
from services import statistics as stats
from services.customers import refresh_city
from services.localtime import helsinki_today

# --- the suppression itself (no database) ------------------------------------------


def _solve_hidden(table):
    """Return the hidden cells an attacker can compute from what the table publishes.

    Every additive line gives an equation over the hidden cells; Gauss–Jordan elimination
    over the rationals (done independently of the module's modular arithmetic) finds each
    hidden cell whose value the published cells determine, and its value.
    """
    published = table.published()
    hidden = [cell for cell, shown in published.items() if isinstance(shown, str)]
    index = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for cells, total in stats._lines(table):
        coefficients = [Fraction(0)] * len(hidden)
        constant = Fraction(0)
        for cell, sign in [(c, 1) for c in cells] + [(total, -1)]:
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                constant -= sign * Fraction(str(published[cell]))
        if any(coefficients):
            rows.append(coefficients + [constant])
    # Gauss–Jordan.
    pivot_rows, r = [], 0
    for col in range(len(hidden)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [v / rows[r][col] for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivot_rows.append((col, r))
        r += 1
    found = {}
    for col, row in pivot_rows:
        if all(rows[row][c] == 0 for c in range(len(hidden)) if c != col):
            found[hidden[col]] = rows[row][-1]
    return found


def _table(values, rows, columns, **kwargs):
    return stats.protect(stats.Table("t", rows, columns, dict(values), **kwargs))


def test_small_count_shows_as_less_than_five_and_needs_a_partner_in_row_and_column():
    table = _table({("a", "x"): 3, ("a", "y"): 50, ("b", "x"): 20, ("b", "y"): 30,
                    ("c", "x"): 40, ("c", "y"): 60}, ["a", "b", "c"], ["x", "y"])
    assert table.shown("a", "x") == "< 5"
    # Row a and column x each need a second hidden cell, or subtraction gives 3 back.
    row_a = [c for c in table.column_keys() if table.hidden.get(("a", c))]
    column_x = [r for r in table.row_keys() if table.hidden.get((r, "x"))]
    assert len(row_a) >= 2 and len(column_x) >= 2
    assert table.shown("a", "y") == ".."  # a complement is not marked as small
    assert _solve_hidden(table) == {}


def test_zero_is_not_small():
    table = _table({("a", "x"): 0, ("a", "y"): 50, ("b", "x"): 20, ("b", "y"): 30},
                   ["a", "b"], ["x", "y"])
    assert table.hidden == {}
    assert table.shown("a", "x") == 0 and table.shown(stats.TOTAL, stats.TOTAL) == 100


def test_small_total_is_hidden_too():
    """A row whose only customers are three: its total is itself a small count."""
    table = _table({("a", "x"): 3, ("a", "y"): 0, ("b", "x"): 20, ("b", "y"): 30,
                    ("c", "x"): 10, ("c", "y"): 12}, ["a", "b", "c"], ["x", "y"])
    assert table.shown("a", stats.TOTAL) == "< 5"
    assert _solve_hidden(table) == {}


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_computed_back_from_the_totals(seed):
    """Random tables with many small cells: the attack of solving every row and column
    equation together recovers no hidden value."""
    import random

    rng = random.Random(seed)
    n_rows, n_columns = rng.randint(2, 7), rng.randint(2, 6)
    rows = [f"r{i}" for i in range(n_rows)]
    columns = [f"c{j}" for j in range(n_columns)]
    values = {(r, c): rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40, 120])
              for r in rows for c in columns}
    table = _table(values, rows, columns)
    assert _solve_hidden(table) == {}
    for cell, value in table.values.items():
        if 0 < value < stats.SMALL:
            assert table.shown(*cell) == "< 5", cell
        elif cell not in table.hidden:
            assert table.shown(*cell) == value


@pytest.mark.parametrize("seed", range(60))
def test_the_quick_look_for_a_computable_cell_agrees_with_solving_the_system(seed):
    """Whether any hidden cell can be computed back is first asked of the graph of hidden
    cells (a bridge), and the system is solved only if it says yes: on random tables and
    random hidden cells, totals among them, both answers are the same."""
    import random

    from services.statistics import tables

    rng = random.Random(seed)
    n_rows, n_columns = rng.randint(1, 9), rng.randint(1, 6)
    table = stats.Table("t", [f"r{i}" for i in range(n_rows)],
                        [f"c{j}" for j in range(n_columns)], {})
    cells = [(r, c) for r in table.row_keys() for c in table.column_keys()]
    lines = tables._lines(table)
    for _ in range(30):
        hidden = dict.fromkeys(rng.sample(cells, rng.randint(0, len(cells))), "protect")
        exact = bool(tables._determined_cells(hidden, lines))
        assert tables._may_be_determined(table, hidden) == exact, sorted(hidden)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_number_is_written_as_babel_writes_it_in_the_pages_language(app, lang):
    """The page writes each count and sum once per language (a memo): what it writes is
    Babel's formatting of that number in that language, a count without cents and a sum
    with them, even when they are equal (1 and 1.00)."""
    from flask import session
    from flask_babel import format_decimal, refresh

    from admin_views.statistics import _format

    numbers = [0, 1, 4, 5, 999, 1000, 1234567, -3, decimal.Decimal("1"),
               decimal.Decimal("1.00"), decimal.Decimal("1234.5"), decimal.Decimal("-0.25"),
               decimal.Decimal("98765432.10")]
    with app.test_request_context():
        session["lang"] = lang
        refresh()
        for number in numbers * 2:
            expected = (format_decimal(number) if isinstance(number, int)
                        else format_decimal(number, format="#,##0.00"))
            assert _format(number) == expected, (lang, number)
        assert _format(1) != _format(decimal.Decimal(1))
        assert _format(stats.SHOWN_SMALL) == stats.SHOWN_SMALL
        assert _format(1000) == {"fi": "1\xa0000", "sv": "1\xa0000", "en": "1,000"}[lang]


def test_sums_over_fewer_than_five_customers_are_hidden():
    table = _table({("m1", "invoices"): 9, ("m1", "invoiced"): decimal.Decimal("900.00"),
                    ("m2", "invoices"): 12, ("m2", "invoiced"): decimal.Decimal("1500.00"),
                    ("m3", "invoices"): 30, ("m3", "invoiced"): decimal.Decimal("4000.00")},
                   ["m1", "m2", "m3"], ["invoices", "invoiced"], kind="sum", row_totals=False,
                   contributors={("m1", "invoices"): 3, ("m1", "invoiced"): 3,
                                 ("m2", "invoices"): 8, ("m2", "invoiced"): 8,
                                 ("m3", "invoices"): 20, ("m3", "invoiced"): 20,
                                 (stats.TOTAL, "invoices"): 31, (stats.TOTAL, "invoiced"): 31},
                   count_columns=("invoices",))
    assert table.shown("m1", "invoiced") == ".."
    # Nine invoices is no small count, but they are three customers' (seed §8): hidden too.
    assert table.shown("m1", "invoices") == ".."
    assert _solve_hidden(table) == {}
    # The invoices' total is a count, written as one (51, not 51.00).
    total = table.values[(stats.TOTAL, "invoices")]
    assert total == 51 and isinstance(total, int)


# --- through the app ------------------------------------------------------------------

def this_month():
    """The first day of Helsinki's current month, from the register's own clock."""
    return helsinki_today().replace(day=1)


NAMES = ["Aaltonen", "Bäckström", "Cederlöf", "Dahl", "Eskola", "Forsman", "Granqvist"]


@pytest.fixture
def data(app):
    """Customers of both sections in two postal areas, with contacts, purchases, invoices."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    now = datetime.datetime.combine(this_month(), datetime.time(10))
    made = []
    for i in range(23):
        section = tourism if i % 2 == 0 else business
        code = "00100" if i < 20 else "00990"  # three customers live in 00990
        c = Customer.create(section=section, kind="person", first_name=f"Etu{i}",
                            last_name=NAMES[i % len(NAMES)], email=f"person{i}@example.fi",
                            phone=f"+35840123{i:04d}", language="fi" if i < 21 else "sv",
                            created_at=now)
        Address.create(customer=c, street=f"Katu {i}", postal_code=code, city="Helsinki")
        refresh_city(c.id)
        ContactEvent.create(customer=c, occurred_at=now, direction="in", channel="phone",
                            summary=f"Soitto {i}")
        made.append(c)
    for c in made[:12:2]:  # six tourism customers buy and are invoiced
        Purchase.create(customer=c, service="Kokouspaketti", purchased_on=this_month(),
                        amount="120.00")
        Invoice.create(customer=c, number=f"T-{c.id}", invoice_date=this_month(),
                       due_date=this_month() + datetime.timedelta(days=14), amount="120.00",
                       paid_on=this_month(), collection_state="paid")
    return made


@pytest.mark.parametrize("role, sections, status", [
    ("controller", (), 200), ("responsible", (), 200), ("handler", ("tourism",), 200),
    ("staff", ("tourism",), 403), ("maintenance", (), 403)])
def test_who_may_read_statistics(client, logged_in_user, data, role, sections, status):
    logged_in_user(role, role, sections)
    assert client.get("/statistics/").status_code == status
    assert client.get("/statistics/export.csv").status_code == status
    menu = client.get("/").get_data(as_text=True)
    assert ('href="/statistics/"' in menu) == (status == 200)


@pytest.mark.clock
def test_page_shows_counts_hides_small_cells_and_no_personal_data(client, logged_in_user, data):
    logged_in_user("controller", "controller")
    page = client.get("/statistics/").get_data(as_text=True)
    assert "Asiakkaat postinumeroalueittain" in page
    assert "00990" in page and "&lt; 5" in page  # three customers in 00990
    for c in data:
        for value in (c.first_name, c.email, c.phone, "Katu "):
            assert value not in page
    assert f'<th scope="row">{this_month():%Y-%m}</th>' in page


def _csv_tables(text):
    assert text.startswith("\ufeff")
    tables, current = {}, None
    for row in csv.reader(io.StringIO(text[1:]), delimiter=";"):
        if not row:
            current = None
        elif current is None:
            current = row[0]
            tables[current] = []
        else:
            tables[current].append(row)
    # The legend of the marks after the last table: lines of one cell, no header.
    return {title: rows for title, rows in tables.items() if rows and len(rows[0]) > 1}


@pytest.mark.clock
def test_csv_and_xlsx_match_the_page_and_are_audited(client, logged_in_user, data):
    from openpyxl import load_workbook

    logged_in_user("handler", "handler", ("tourism",))
    before = AuditEvent.select().where(AuditEvent.action == "export").count()
    answer = client.get("/statistics/export.csv?section=tourism")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    tables = _csv_tables(answer.get_data(as_text=True))
    # The marks are explained after the tables, as in the XLSX.
    assert answer.get_data(as_text=True).rstrip().endswith(
        "laskea summista.\"")
    by_kind = tables["Asiakkaat osastoittain ja lajeittain"]
    assert by_kind[0][0] == "Osasto" and by_kind[-1][0] == "Yhteensä"
    tourism_row = next(r for r in by_kind if r[0] == "Matkailu- ja kongressitoimisto")
    assert tourism_row[-1] == "12"  # 12 tourism customers
    invoicing = tables["Laskutus ja perintä kuukausittain"]
    month_row = next(r for r in invoicing if r[0] == f"{this_month():%Y-%m}")
    assert month_row[1:] == ["6", "720,00", "720,00"]

    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx?section=tourism").data))
    assert len(book.sheetnames) == len(tables)
    sheet = book[book.sheetnames[0]]
    assert sheet["A1"].value == "Asiakkaat osastoittain ja lajeittain"
    xlsx_rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=1 + len(by_kind))]
    assert [[str(v) for v in row] for row in xlsx_rows] == by_kind
    everything = answer.get_data(as_text=True) + " ".join(
        str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    for c in data:
        for value in (c.first_name, c.email, c.phone, "Katu "):
            assert value not in everything

    events = list(AuditEvent.select().where(AuditEvent.action == "export")
                  .order_by(AuditEvent.id))[before:]
    assert [(e.object_type, e.section) for e in events] == [("statistics", "tourism")] * 2


@pytest.mark.clock
def test_section_filter_and_period(client, logged_in_user, data):
    logged_in_user("responsible", "responsible")
    first = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    answer = client.get(f"/statistics/export.csv?section=business&first={first:%Y-%m}"
                        f"&last={this_month():%Y-%m}")
    tables = _csv_tables(answer.get_data(as_text=True))
    new = tables["Uudet asiakkaat kuukausittain"]
    assert [r[0] for r in new] == ["Kuukausi", f"{first:%Y-%m}", f"{this_month():%Y-%m}",
                                   "Yhteensä"]
    assert new[2][1] == "11"  # 11 business customers this month
    assert "Laskutus ja perintä kuukausittain" not in tables  # business keeps no billing


@pytest.mark.clock
def test_bad_period_is_explained_and_defaults_shown(client, logged_in_user, data):
    logged_in_user("controller", "controller")
    page = client.get("/statistics/?first=2026-13&last=x").get_data(as_text=True)
    assert "Tarkista ajanjakso" in page and 'value="2026-13"' in page
    page = client.get("/statistics/?first=2026-06&last=2026-01").get_data(as_text=True)
    assert "Alkukuukausi on loppukuukauden jälkeen" in page



@pytest.mark.clock
def test_the_invoices_of_fewer_than_five_customers_are_not_counted_aloud(client,
                                                                        logged_in_user):
    """One private person got six invoices this month: their sum was hidden (one customer)
    and the count of that person's invoices shown beside it, exactly."""
    month = this_month()
    person = Customer.create(section=Section.get(code="tourism"), kind="person",
                             first_name="Liisa", last_name="Yksinäinen", language="fi",
                             created_at=datetime.datetime.combine(month, datetime.time(10)))
    for number in range(6):
        Invoice.create(customer=person, number=f"T-{number}", invoice_date=month,
                       due_date=month + datetime.timedelta(days=14), amount="100.00")
    logged_in_user("handler", "handler", ("tourism",))
    answer = client.get(f"/statistics/export.csv?section=tourism&first={month:%Y-%m}"
                        f"&last={month:%Y-%m}")
    invoicing = _csv_tables(answer.get_data(as_text=True))["Laskutus ja perintä kuukausittain"]
    row = next(row for row in invoicing if row[0] == f"{month:%Y-%m}")
    assert row[1:3] == ["..", ".."], row

def test_csv_escapes_formula_cells(app):
    text = stats.to_csv([("=Otsikko", ["Palvelu", "x"], [["=HYPERLINK(1)", 5],
                                                          ["+1", decimal.Decimal("-2.50")]])])
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["'=Otsikko"]
    assert rows[2] == ["'=HYPERLINK(1)", "5"] and rows[3] == ["'+1", "-2,50"]


@pytest.mark.clock
def test_a_handler_reads_the_statistics_of_their_own_sections(client, logged_in_user, data):
    """Sections are registers of their own: a handler's statistics count their own
    sections' customers only, and another section is no choice."""
    logged_in_user("handler", "handler", ("tourism",))
    page = client.get("/statistics/").get_data(as_text=True)
    assert 'value="business"' not in page and 'value="tourism"' in page
    # An old link to another section: said of the section, in the page's language.
    page = client.get("/statistics/?section=business").get_data(as_text=True)
    assert "Osasto ei ole niitä, joiden tilastoja luet" in page
    assert "Not a valid choice" not in page and "Tarkista ajanjakso" not in page
    tables = _csv_tables(client.get("/statistics/export.csv").get_data(as_text=True))
    by_kind = next(rows for title, rows in tables.items() if title.startswith("Asiakkaat"))
    assert [row[0] for row in by_kind[1:]] == ["Matkailu- ja kongressitoimisto", "Yhteensä"]
    refused = client.get("/statistics/export.csv?section=business").get_data(as_text=True)
    assert refused == client.get("/statistics/export.csv").get_data(as_text=True)
    logged_in_user("controller", "controller")
    tables = _csv_tables(client.get("/statistics/export.csv").get_data(as_text=True))
    by_kind = next(rows for title, rows in tables.items() if title.startswith("Asiakkaat"))
    assert len(by_kind) == 4  # the header, both sections and the total


def test_a_section_coded_total_or_a_service_named_so_is_a_line_of_its_own(app):
    """The total's key is no code or name anyone can give: a section coded "total" is a
    row of its own (its three customers hidden as a small count, not summed over by the
    total), and so is a service named "total"."""
    tourism = Section.get(code="tourism")
    total = Section.create(code="total", name_fi="Kokonaistalous", name_sv="Helhet",
                           name_en="Whole", categories=tourism.categories)
    for i in range(7):
        Customer.create(section=tourism, kind="person", first_name=f"A{i}", last_name="X")
    for i in range(3):
        Customer.create(section=total, kind="person", first_name=f"B{i}", last_name="Y")
    table = stats.customers_by("kind", stats.default_filters())
    assert table.row_keys() == ["business", "total", "tourism", stats.TOTAL] or (
        "total" in table.row_keys() and table.row_keys()[-1] == stats.TOTAL)
    published = table.published()
    assert published[("total", "person")] == stats.SHOWN_SMALL
    assert published[(stats.TOTAL, "person")] != 10  # partnered, so 10 - 7 gives nothing
    day = this_month()
    for i in range(6):
        buyer = Customer.create(section=tourism, kind="person", first_name=f"S{i}",
                                last_name="Z")
        Purchase.create(customer=buyer, service="total", purchased_on=day, amount="10.00")
        Purchase.create(customer=buyer, service="Sauna", purchased_on=day, amount="10.00")
    bought = stats.purchases(stats.default_filters())
    month = f"{day:%Y-%m}"
    assert bought.shown("total", month) == 6 and bought.shown(stats.TOTAL, month) == 12
