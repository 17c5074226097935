"""The statistics: each a protected table of counts or sums over groups of customers."""

import decimal
from collections import Counter

from peewee import fn

from models import (
    CHANNELS,
    CUSTOMER_KINDS,
    DIRECTIONS,
    LANGUAGES,
    Invoice,
    Purchase,
)
from services import customer_counts, monthly_counts
from services.statistics.filters import (
    _in_sections,
    _narrowed,
    _sections,
)
from services.statistics.tables import OTHER, SMALL, TOTAL, UNKNOWN, Table, protect


# --- the statistics -------------------------------------------------------------------


def customers_by(column_name, filters):
    """Customers in the register now, by section (rows) and kind or language (columns)."""
    sections = _sections(filters, "language" if column_name == "language" else None)
    by_id = {sid: code for code, sid in sections}
    codes = {"kind": CUSTOMER_KINDS, "language": LANGUAGES}[column_name]
    # The counts the triggers keep (services.customer_counts), not the customers counted.
    values = {(by_id[sid], code or None): n
              for (sid, code), n in customer_counts.by_value(column_name, list(by_id)).items()}
    return protect(Table(f"customers_by_{column_name}", [c for c, _ in sections],
                         list(codes), values, varies=("rows",)))


def customers_by_postal_area(filters):
    """Customers in the register now by postal code (rows) and section (columns)."""
    sections = _sections(filters, "address")
    by_id = {sid: code for code, sid in sections}
    values = {(code or UNKNOWN, by_id[sid]): n for (sid, code), n
              in customer_counts.by_value("postal_code", list(by_id)).items()}
    rows = sorted({r for r, _ in values}, key=lambda r: (r == UNKNOWN, r))
    return protect(Table("customers_by_postal_area", rows, [c for c, _ in sections], values,
                         varies=("columns",)))


def _kept(measure, filters, sections):
    """The kept monthly counts of ``measure`` (services.monthly_counts) for ``sections``."""
    return monthly_counts.read(measure, [sid for _, sid in sections], filters.start,
                               filters.end)


def new_customers(filters):
    """Customers registered in each month of the period (rows) by section (columns)."""
    sections = _sections(filters)
    by_id = {sid: code for code, sid in sections}
    values = {(month, by_id[sid]): n
              for sid, month, _, n, _, _ in _kept("customers", filters, sections)}
    return protect(Table("new_customers", filters.months(), [c for c, _ in sections], values,
                         varies=("rows", "columns")))


def _hidden_by_sections(tables):
    """Return the cells hidden in any of the sections' own ``tables``, totals too: a table
    adding the sections up hides them as well, or a cell a section hides would be the
    difference of the sum and the other sections' cells."""
    return frozenset(cell for table in tables for cell in table.hidden)


def contact_events(filters):
    """Contact events per month (rows) by channel and direction (columns "phone/in")."""
    sections = _sections(filters, "history")
    values, by_section = Counter(), {}
    for sid, month, channel_direction, n, _, _ in _kept("events", filters, sections):
        values[(month, channel_direction)] += n  # the sections' counts added up
        by_section.setdefault(sid, Counter())[(month, channel_direction)] += n
    columns = [f"{c}/{d}" for c in CHANNELS for d in DIRECTIONS]

    def table(counted, inherited=frozenset()):
        return protect(Table("contact_events", filters.months(), columns, dict(counted),
                             varies=("rows",), inherited=inherited))
    inherited = _hidden_by_sections([table(counted) for counted in by_section.values()]) \
        if len(sections) > 1 else frozenset()
    return table(values, inherited)


def _buyers(filters, sections, services):
    """{service: customers who bought it in the period} of ``services``, counted."""
    query = Purchase.select(Purchase.service, fn.COUNT(Purchase.customer.distinct())).where(
        (Purchase.purchased_on >= filters.start) & (Purchase.purchased_on < filters.end)
        & Purchase.service.in_(sorted(services)))
    if _narrowed(filters, sections):
        query = _in_sections(query, Purchase, sections)
    return dict(query.group_by(Purchase.service).tuples())


def purchases(filters):
    """Purchases per service (rows) per month (columns); services bought by fewer than
    ``SMALL`` customers in the period are one row, ``OTHER``, whose cells are never shown:
    which services it adds up changes with the period and the sections, so its cells
    would tell one chosen period's or section's rare services apart from another's. The
    totals of the months and of the services hide with any part hidden (both axes change
    with the choices: the months, and the services named).

    The kept counts give each month's buyers of a service: a service with ``SMALL`` in
    one month is named, one with fewer purchases than ``SMALL`` in the whole period is
    not, and the buyers of any other (a few, each month) are counted from the rows.
    """
    sections = _sections(filters, "history")
    kept = list(_kept("purchases", filters, sections))
    values, rows = _purchase_values(filters, sections, kept)
    inherited = frozenset()
    if len(sections) > 1:
        own = {sid: _purchases_table(filters, *_purchase_values(
                   filters, [(code, sid)], [k for k in kept if k[0] == sid]))
               for code, sid in sections}
        # A section's purchases of a service it does not name, or hides, hide the sum.
        inherited = frozenset((service, month) for sid, month, service, n, _, _ in kept
                              if n and ((service, month) in own[sid].hidden
                                        or service not in own[sid].rows))
    return _purchases_table(filters, values, rows, inherited)


def _purchases_table(filters, values, rows, inherited=frozenset()):
    months = filters.months()
    if OTHER in rows:
        inherited |= {(OTHER, month) for month in months}
    return protect(Table("purchases", rows, months, values, varies=("rows", "columns"),
                         inherited=frozenset(inherited)))


def _purchase_values(filters, sections, kept):
    """Return the purchases table's values {(service or OTHER, month): n} and its rows."""
    counts, monthly_buyers = Counter(), Counter()
    for _, month, service, n, customers, _ in kept:
        counts[(service, month)] += n
        # Customers of different sections are different customers: they add up.
        monthly_buyers[(service, month)] += customers
    most, bought = Counter(), Counter()
    for (service, _), customers in monthly_buyers.items():
        most[service] = max(most[service], customers)
    for (service, _), n in counts.items():
        bought[service] += n
    named = {service for service in most if most[service] >= SMALL}
    uncertain = {service for service in most if most[service] < SMALL <= bought[service]}
    if uncertain:
        named |= {service for service, n in _buyers(filters, sections, uncertain).items()
                  if n >= SMALL}
    values = Counter()
    for (service, month), n in counts.items():
        values[(service if service in named else OTHER, month)] += n
    values = dict(values)
    rows = sorted(named & {r for r, _ in values})
    if any(r == OTHER for r, _ in values):
        rows.append(OTHER)
    return values, rows


INVOICE_COLUMNS = ("invoices", "invoiced", "collected")


def _invoice_customers(filters, sections, date):
    """The customers with an invoice whose ``date`` (a column) is in the period, counted."""
    query = Invoice.select(fn.COUNT(Invoice.customer.distinct())).where(
        (date >= filters.start) & (date < filters.end))
    if _narrowed(filters, sections):
        query = _in_sections(query, Invoice, sections)
    return query.scalar() or 0


def invoicing(filters):
    """Invoices per month: how many, their sum, and the sum paid that month (tourism).

    The columns are not parts of one whole, so there is no row total; the months add up
    to the period's total. A sum over fewer than five customers is hidden, and so is a
    month's sum of the sections that one of them hides on its own.
    """
    sections = _sections(filters, "billing")
    values, contributors, by_section = Counter(), Counter(), {}
    for measure in ("invoiced", "collected"):  # the sums' columns are named as the measures
        counted = ("invoices", "invoiced") if measure == "invoiced" else ("collected",)
        for sid, month, _, n, customers, total in _kept(measure, filters, sections):
            own = by_section.setdefault(sid, (Counter(), Counter()))
            for into, into_contributors in ((values, contributors), own):
                if measure == "invoiced":
                    into[(month, "invoices")] += n
                into[(month, measure)] += total
                # Customers of different sections are different customers: they add up.
                for column in counted:
                    into_contributors[(month, column)] += customers
    inherited = _hidden_by_sections([protect(_invoice_table(filters, *own))
                                     for own in by_section.values()]) \
        if len(sections) > 1 else frozenset()
    table = _invoice_table(filters, values, contributors, inherited)
    # The customers of a whole period's total: as many as its busiest month's at least,
    # which decides when that is SMALL or more; otherwise counted.
    for column, date in (("invoices", Invoice.invoice_date), ("collected", Invoice.paid_on)):
        most = max((contributors.get((m, column), 0) for m in table.rows), default=0)
        table.contributors[(TOTAL, column)] = (
            most if most >= SMALL else _invoice_customers(filters, sections, date))
    table.contributors[(TOTAL, "invoiced")] = table.contributors[(TOTAL, "invoices")]
    return protect(table)


def _invoice_table(filters, values, contributors, inherited=frozenset()):
    """Return the invoicing table of ``values`` and ``contributors`` (months' cells),
    protected with the period's totals over as many customers as its busiest month."""
    values, contributors = dict(values), dict(contributors)
    table = Table("invoicing", filters.months(), list(INVOICE_COLUMNS), values, kind="sum",
                  row_totals=False, contributors=contributors, count_columns=("invoices",),
                  varies=("rows",), inherited=inherited)
    for r in table.rows:
        for c in table.columns:
            values.setdefault((r, c), decimal.Decimal(0) if c != "invoices" else 0)
            contributors.setdefault((r, c), 0)
    return table


def billing_sections(filters):
    """Tell whether any counted section keeps billing data (invoicing is shown for them)."""
    return bool(_sections(filters, "billing"))


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
