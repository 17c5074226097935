"""Statistics for annual reports and research (seed §5, §8): counts and sums, no personal data.

Every statistic is a table of counts (or sums) over groups of customers, never a row of
one. A small count is itself revealing ("three customers in postal area 00170 prohibited
marketing"), so before a table leaves this module:

- a count from 1 to 4 is hidden and shown as "< 5" (``SMALL``);
- a sum over fewer than 5 customers is hidden;
- complementary cells are hidden too, so that no hidden value can be computed back
  from the totals of its row and column: every row and column holding a hidden cell
  holds at least two, and an exact check (a hidden cell is determined by the table's
  totals when it lies in the row space of their equations) hides more until none is;
- a row named by free text someone typed (a purchased service) is shown under its own
  name only when at least 5 customers make it up: a name typed for one customer would
  tell what that customer bought even with its numbers hidden. Such rows are added up
  into one row, ``OTHER``.

Codes (section, kind, language, channel, month) are returned as they are stored; the
page and the exports translate them. No Flask here.
"""

import csv
import datetime
import decimal
import io
from dataclasses import dataclass, field

from peewee import SQL, Case, fn

import database
from models import (
    CHANNELS,
    CUSTOMER_KINDS,
    DIRECTIONS,
    LANGUAGES,
    ContactEvent,
    Customer,
    Invoice,
    Purchase,
    Section,
)
from services.errors import N_, RegisterError
# Every text cell of an export passes it: a spreadsheet runs no formula (CSV injection).
from services.exports import safe_cell as _safe
from services.inputs import FIRST_YEAR, LAST_YEAR, year_in_range
from services.localtime import from_helsinki, helsinki_today

# Counts below this (and above zero) are hidden, as are sums over fewer customers.
SMALL = 5
TOTAL = "total"
UNKNOWN = ""  # the row of customers with no postal code
# The row of free-text names too rare to show: no typed name can be it (a NUL byte is
# never stored).
OTHER = "\x00other"

# How a hidden cell reads: a small count, or a value hidden to protect one.
SHOWN_SMALL = "< 5"
SHOWN_HIDDEN = ".."

DEFAULT_MONTHS = 12


# --- the tables ----------------------------------------------------------------------


@dataclass
class Table:
    """One statistic: rows × columns of numbers with their totals, some cells hidden.

    ``values`` maps (row, column) to a number, with ``TOTAL`` as the row or column key
    of the totals; ``hidden`` maps each hidden cell to "small" (a count of 1–4) or
    "protect" (hidden so that a small one cannot be computed back).
    """

    key: str
    rows: list
    columns: list
    values: dict
    kind: str = "count"  # or "sum"
    row_totals: bool = True  # a total column (each row's cells add up to it)
    column_totals: bool = True  # a total row
    # For sums: how many customers each cell sums over.
    contributors: dict = field(default_factory=dict)
    # Columns of a sum table that hold counts (hidden by the count rule).
    count_columns: tuple = ()
    hidden: dict = field(default_factory=dict)

    def row_keys(self):
        return list(self.rows) + ([TOTAL] if self.column_totals else [])

    def column_keys(self):
        return list(self.columns) + ([TOTAL] if self.row_totals else [])

    def shown(self, row, column):
        """Return the cell as published: its number, "< 5" or ".."."""
        state = self.hidden.get((row, column))
        if state == "small":
            return SHOWN_SMALL
        if state:
            return SHOWN_HIDDEN
        return self.values.get((row, column), 0)

    def published(self):
        """Return every cell as published, {(row, column): shown}: what may leave."""
        return {(r, c): self.shown(r, c) for r in self.row_keys() for c in self.column_keys()}


def _lines(table):
    """Return the table's additive relations: (cells, total cell) pairs."""
    lines = []
    rows, columns = list(table.rows), list(table.columns)
    if table.row_totals:
        for r in table.row_keys():
            lines.append(([(r, c) for c in columns], (r, TOTAL)))
    if table.column_totals:
        for c in table.column_keys():
            lines.append(([(r, c) for r in rows], (TOTAL, c)))
    return lines


def _complete(table):
    """Fill absent cells with zero and compute the totals."""
    values = table.values
    for r in table.rows:
        for c in table.columns:
            values.setdefault((r, c), 0)
    zero = decimal.Decimal(0) if table.kind == "sum" else 0
    if table.row_totals:
        for r in table.rows:
            values[(r, TOTAL)] = sum((values[(r, c)] for c in table.columns), zero)
            _sum_contributors(table, (r, TOTAL), [(r, c) for c in table.columns])
    if table.column_totals:
        for c in table.column_keys():
            values[(TOTAL, c)] = sum((values[(r, c)] for r in table.rows), zero)
            _sum_contributors(table, (TOTAL, c), [(r, c) for r in table.rows])


def _sum_contributors(table, total, cells):
    # An upper bound is enough: a total over many cells is over at least as many customers
    # as its largest cell, and the largest cell's count decides whether it is small.
    if table.contributors:
        table.contributors.setdefault(total, max((table.contributors.get(c, 0) for c in cells),
                                                 default=0))


def _primary(table):
    """Return the cells hidden for their own sake."""
    hidden = {}
    for cell, value in table.values.items():
        if table.kind == "count" or cell[1] in table.count_columns:
            if 0 < value < SMALL:
                hidden[cell] = "small"
        else:
            customers = table.contributors.get(cell, 0)
            if 0 < customers < SMALL or (customers == 0 and value):
                hidden[cell] = "protect"
    return hidden


def protect(table):
    """Hide the table's small cells and enough others; return the table."""
    _complete(table)
    hidden = _primary(table)
    lines = _lines(table)
    while True:
        _two_per_line(table, hidden, lines)
        determined = _determined_cells(hidden, lines)
        if not determined:
            break
        cell = determined[0]
        line = next(line for line in lines if cell in line[0] or cell == line[1])
        _hide_one_more(table, hidden, line)
    table.hidden = hidden
    return table


def _two_per_line(table, hidden, lines):
    """Hide more until no line has exactly one hidden cell."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells, total = line
            if sum(1 for c in cells + [total] if c in hidden) == 1:
                _hide_one_more(table, hidden, line)
                changed = True


def _hide_one_more(table, hidden, line):
    """Hide the line's smallest visible part (non-zero first), else its total."""
    cells, total = line
    visible = [c for c in cells if c not in hidden]
    if visible:
        pick = min(visible, key=lambda c: (table.values[c] == 0, abs(table.values[c]), str(c)))
    elif total not in hidden:
        pick = total
    else:
        return
    hidden[pick] = "protect"


def _determined_cells(hidden, lines):
    """Return the hidden cells whose value the visible cells and the totals determine.

    Each line says: sum of its cells − its total = 0. With the visible values moved to
    the right-hand side, the hidden cells are unknowns of a linear system; an unknown is
    determined when its unit vector lies in the row space of the system's matrix, that
    is, in the reduced row echelon form its pivot row has no free column. The matrix has
    entries 0 and ±1; its rank is computed modulo a large prime.
    """
    unknowns = sorted(hidden, key=str)
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    for cells, total in lines:
        row = {}
        for c in cells:
            if c in index:
                row[index[c]] = 1
        if total in index:
            row[index[total]] = _P - 1
        if row:
            equations.append(row)
    pivots = _reduce(equations)
    return [unknowns[col] for col, row in pivots.items() if set(row) == {col}]


_P = (1 << 61) - 1  # a Mersenne prime


def _reduce(equations):
    """Return the reduced row echelon form of sparse rows mod _P as {pivot column: row}."""
    pivots = {}
    for row in equations:
        row = dict(row)
        # Eliminate the existing pivots from the new row.
        for col in [c for c in row if c in pivots]:
            if col in row:
                _subtract(row, pivots[col], row[col])
        while row:
            col = min(row)
            if col in pivots:
                _subtract(row, pivots[col], row[col])
                continue
            inverse = pow(row[col], _P - 2, _P)
            row = {c: v * inverse % _P for c, v in row.items()}
            # Keep the form reduced: clear the new pivot column from the other rows.
            for other in pivots.values():
                if col in other:
                    _subtract(other, row, other[col])
            pivots[col] = row
            break
    return pivots


def _subtract(row, pivot_row, factor):
    """row -= factor × pivot_row (mod _P), dropping zeros."""
    for c, v in pivot_row.items():
        value = (row.get(c, 0) - factor * v) % _P
        if value:
            row[c] = value
        else:
            row.pop(c, None)


# --- the period and the filters -------------------------------------------------------


@dataclass
class Filters:
    """Which customers and which months: ``section`` a code or None (all)."""

    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the month after the last
    section: str = None

    def months(self):
        """Return the months of the period as "YYYY-MM" codes."""
        months, day = [], self.start
        while day < self.end:
            months.append(day.strftime("%Y-%m"))
            day = _next_month(day)
        return months


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def default_filters(today=None, section=None):
    """The last twelve months, this one included."""
    today = today or helsinki_today()
    end = _next_month(today.replace(day=1))
    start = end
    for _ in range(DEFAULT_MONTHS):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return Filters(start=start, end=end, section=section)


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


def month_range(first, last, section=None):
    """Filters from month ``first`` to month ``last`` ("YYYY-MM", both included)."""
    return Filters(start=parse_month(first), end=_next_month(parse_month(last)),
                   section=section)


def _month(column):
    """SQL for the month of a date column, a calendar day (read back with :func:`_month_key`).

    PostgreSQL groups by ``date_trunc`` markedly faster than by ``to_char``.
    """
    if database.is_sqlite():
        return fn.strftime("%Y-%m", column)
    return fn.date_trunc("month", column)


def _helsinki_months(column, filters):
    """The Helsinki month of a stored (UTC) time, and the period's condition on it.

    A contact at 00:30 on 1 February in Helsinki is stored as 22:30 UTC on 31 January: it
    counts in February. The month is a CASE over the months' first moments in UTC (exact
    across summer time on both databases); the condition keeps to the period's moments.
    """
    starts = []
    day = filters.start
    while day < filters.end:
        starts.append((from_helsinki(datetime.datetime.combine(day, datetime.time())),
                       day.strftime("%Y-%m")))
        day = _next_month(day)
    end = from_helsinki(datetime.datetime.combine(filters.end, datetime.time()))
    ends = [start for start, _ in starts[1:]] + [end]
    month = Case(None, [(column < until, code) for (_, code), until in zip(starts, ends)],
                 starts[-1][1])
    return month, (column >= starts[0][0]) & (column < end)


def _month_key(value):
    """The "YYYY-MM" of what :func:`_month` returned."""
    return value if isinstance(value, str) else value.strftime("%Y-%m")


def _sections(filters):
    """The sections counted: codes in order, and their ids."""
    query = Section.select(Section.id, Section.code).order_by(Section.code)
    if filters.section:
        query = query.where(Section.code == filters.section)
    return [(s.code, s.id) for s in query]


def _in_sections(query, model, sections):
    """Narrow ``query`` over ``model`` (a customer's rows) to the customers of ``sections``.

    A join looks up the customer of each row of the period; an ``IN (customers of the
    section)`` would first collect half a million ids.
    """
    return (query.join(Customer, on=(model.customer == Customer.id))
            .where(Customer.section.in_([sid for _, sid in sections])))


# --- the statistics -------------------------------------------------------------------


def customers_by(column_name, filters):
    """Customers in the register now, by section (rows) and kind or language (columns)."""
    sections = _sections(filters)
    by_id = {sid: code for code, sid in sections}
    column = getattr(Customer, column_name)
    codes = {"kind": CUSTOMER_KINDS, "language": LANGUAGES}[column_name]
    # Every section is counted and the others dropped here: the grouping reads a covering
    # index (column, section) end to end, which a section condition would turn into a
    # lookup of every row of the section.
    query = (Customer.select(Customer.section, column, fn.COUNT(SQL("*")))
             .group_by(column, Customer.section).tuples())
    values = {(by_id[sid], code): n for sid, code, n in query if sid in by_id}
    return protect(Table(f"customers_by_{column_name}", [c for c, _ in sections],
                         list(codes), values))


def customers_by_postal_area(filters):
    """Customers in the register now by postal code (rows) and section (columns)."""
    sections = _sections(filters)
    by_id = {sid: code for code, sid in sections}
    query = (Customer.select(Customer.postal_code, Customer.section, fn.COUNT(SQL("*")))
             .group_by(Customer.postal_code, Customer.section).tuples())
    values = {}
    for code, sid, n in query:
        if sid in by_id:
            key = (code or UNKNOWN, by_id[sid])
            values[key] = values.get(key, 0) + n
    rows = sorted({r for r, _ in values}, key=lambda r: (r == UNKNOWN, r))
    return protect(Table("customers_by_postal_area", rows, [c for c, _ in sections], values))


def new_customers(filters):
    """Customers registered in each month of the period (rows) by section (columns)."""
    sections = _sections(filters)
    by_id = {sid: code for code, sid in sections}
    month, in_period = _helsinki_months(Customer.created_at, filters)
    query = (Customer.select(month.alias("m"), Customer.section, fn.COUNT(SQL("*")))
             .where(in_period)
             .group_by(SQL("1"), Customer.section).tuples())
    values = {(_month_key(m), by_id[sid]): n for m, sid, n in query if sid in by_id}
    return protect(Table("new_customers", filters.months(), [c for c, _ in sections], values))


def contact_events(filters):
    """Contact events per month (rows) by channel and direction (columns "phone/in")."""
    sections = _sections(filters)
    month, in_period = _helsinki_months(ContactEvent.occurred_at, filters)
    query = (ContactEvent.select(month.alias("m"), ContactEvent.channel,
                                 ContactEvent.direction, fn.COUNT(ContactEvent.id))
             .where(in_period))
    if filters.section:
        query = _in_sections(query, ContactEvent, sections)
    query = query.group_by(SQL("1"), ContactEvent.channel, ContactEvent.direction).tuples()
    values = {(_month_key(m), f"{channel}/{direction}"): n
              for m, channel, direction, n in query}
    columns = [f"{c}/{d}" for c in CHANNELS for d in DIRECTIONS]
    return protect(Table("contact_events", filters.months(), columns, values))


def purchases(filters):
    """Purchases per service (rows) per month (columns); services bought by fewer than
    ``SMALL`` customers in the period are one row, ``OTHER``."""
    sections = _sections(filters)
    month = _month(Purchase.purchased_on)
    period = ((Purchase.purchased_on >= filters.start) & (Purchase.purchased_on < filters.end))
    query = Purchase.select(Purchase.service, month.alias("m"), fn.COUNT(Purchase.id)).where(
        period)
    buyers = Purchase.select(Purchase.service, fn.COUNT(Purchase.customer.distinct())).where(
        period)
    if filters.section:
        query = _in_sections(query, Purchase, sections)
        buyers = _in_sections(buyers, Purchase, sections)
    named = {service for service, n in buyers.group_by(Purchase.service).tuples()
             if n >= SMALL}
    values = {}
    for service, m, n in query.group_by(Purchase.service, SQL("2")).tuples():
        key = (service if service in named else OTHER, _month_key(m))
        values[key] = values.get(key, 0) + n
    rows = sorted(named & {r for r, _ in values})
    if any(r == OTHER for r, _ in values):
        rows.append(OTHER)
    return protect(Table("purchases", rows, filters.months(), values))


INVOICE_COLUMNS = ("invoices", "invoiced", "collected")


def invoicing(filters):
    """Invoices per month: how many, their sum, and the sum paid that month (tourism).

    The columns are not parts of one whole, so there is no row total; the months add up
    to the period's total. A sum over fewer than five customers is hidden.
    """
    sections = _sections(filters)
    invoiced_month = _month(Invoice.invoice_date)
    invoiced = (Invoice.select(invoiced_month.alias("m"), fn.COUNT(Invoice.id),
                               fn.SUM(Invoice.amount), fn.COUNT(Invoice.customer.distinct()))
                .where((Invoice.invoice_date >= filters.start)
                       & (Invoice.invoice_date < filters.end)))
    paid_month = _month(Invoice.paid_on)
    paid = (Invoice.select(paid_month.alias("m"), fn.SUM(Invoice.amount),
                           fn.COUNT(Invoice.customer.distinct()))
            .where((Invoice.paid_on >= filters.start) & (Invoice.paid_on < filters.end)))
    if filters.section:
        invoiced, paid = _in_sections(invoiced, Invoice, sections), _in_sections(
            paid, Invoice, sections)
    values, contributors = {}, {}
    for m, count, total, customers in invoiced.group_by(SQL("1")).tuples():
        m = _month_key(m)
        values[(m, "invoices")] = count
        values[(m, "invoiced")] = decimal.Decimal(total or 0)
        contributors[(m, "invoices")] = contributors[(m, "invoiced")] = customers
    for m, total, customers in paid.group_by(SQL("1")).tuples():
        m = _month_key(m)
        values[(m, "collected")] = decimal.Decimal(total or 0)
        contributors[(m, "collected")] = customers
    table = Table("invoicing", filters.months(), list(INVOICE_COLUMNS), values, kind="sum",
                  row_totals=False, contributors=contributors, count_columns=("invoices",))
    # Whole totals over the period: their customers counted exactly.
    totals = {"invoices": invoiced, "collected": paid}
    for column, query in totals.items():
        contributors[(TOTAL, column)] = query.select(
            fn.COUNT(Invoice.customer.distinct())).scalar() or 0
    contributors[(TOTAL, "invoiced")] = contributors[(TOTAL, "invoices")]
    for r in table.rows:
        for c in table.columns:
            values.setdefault((r, c), decimal.Decimal(0) if c != "invoices" else 0)
            contributors.setdefault((r, c), 0)
    return protect(table)


def billing_sections(filters):
    """Tell whether any counted section keeps billing data (invoicing is shown for them)."""
    query = Section.select(Section.categories)
    if filters.section:
        query = query.where(Section.code == filters.section)
    return any("billing" in s.categories.split() for s in query)


STATISTICS = ("customers_by_kind", "customers_by_language", "customers_by_postal_area",
              "new_customers", "contact_events", "purchases", "invoicing")


def build(filters):
    """Return every statistic for ``filters``, protected, as {key: Table}, in page order."""
    tables = {
        "customers_by_kind": customers_by("kind", filters),
        "customers_by_language": customers_by("language", filters),
        "customers_by_postal_area": customers_by_postal_area(filters),
        "new_customers": new_customers(filters),
        "contact_events": contact_events(filters),
        "purchases": purchases(filters),
    }
    if billing_sections(filters):
        tables["invoicing"] = invoicing(filters)
    return tables


# --- exports --------------------------------------------------------------------------


def _cell_text(value):
    """A published cell as CSV text: numbers as they are (decimal comma), text escaped."""
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _safe(value)


def table_rows(table, title, row_label, row_names, column_names):
    """Return the table as published: a header row, then one list per row."""
    header = [row_label] + [column_names(c) for c in table.column_keys()]
    body = [[row_names(r)] + [table.shown(r, c) for c in table.column_keys()]
            for r in table.row_keys()]
    return title, header, body


def to_csv(sections):
    """Return the published tables as CSV text: each table under its title, a blank line between.

    ``sections`` is a list of (title, header, body) from :func:`table_rows`.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for title, header, body in sections:
        writer.writerow([_safe(title)])
        writer.writerow([_safe(h) for h in header])
        for row in body:
            writer.writerow([_safe(row[0])] + [_cell_text(v) for v in row[1:]])
        writer.writerow([])
    return "\ufeff" + out.getvalue()


def to_xlsx(sections, legend=()):
    """Return the published tables as an XLSX workbook (bytes): one sheet a table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for number, (title, header, body) in enumerate(sections, start=1):
        sheet = book.create_sheet(_sheet_name(number, title))
        sheet.append([_safe(title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_safe(h) for h in header])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append([_safe(row[0])] + [_xlsx_value(v) for v in row[1:]])
        sheet.append([])
        for line in legend:
            sheet.append([_safe(line)])
        sheet.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, (int, decimal.Decimal)):
        return float(value) if isinstance(value, decimal.Decimal) else value
    return _safe(str(value))


def _sheet_name(number, title):
    name = f"{number} {title}"
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31]
