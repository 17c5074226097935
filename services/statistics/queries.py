"""The statistics: each a protected table of counts or sums over groups of customers."""

import decimal

from peewee import SQL, fn

from models import (
    CHANNELS,
    CUSTOMER_KINDS,
    DIRECTIONS,
    LANGUAGES,
    ContactEvent,
    Customer,
    Invoice,
    Purchase,
)
from services import customer_counts
from services.statistics.filters import (
    _helsinki_months,
    _in_sections,
    _month,
    _month_key,
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
                         list(codes), values))


def customers_by_postal_area(filters):
    """Customers in the register now by postal code (rows) and section (columns)."""
    sections = _sections(filters, "address")
    by_id = {sid: code for code, sid in sections}
    values = {(code or UNKNOWN, by_id[sid]): n for (sid, code), n
              in customer_counts.by_value("postal_code", list(by_id)).items()}
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
    sections = _sections(filters, "history")
    month, in_period = _helsinki_months(ContactEvent.occurred_at, filters)
    query = (ContactEvent.select(month.alias("m"), ContactEvent.channel,
                                 ContactEvent.direction, fn.COUNT(ContactEvent.id))
             .where(in_period))
    if _narrowed(filters, sections):
        query = _in_sections(query, ContactEvent, sections)
    query = query.group_by(SQL("1"), ContactEvent.channel, ContactEvent.direction).tuples()
    values = {(_month_key(m), f"{channel}/{direction}"): n
              for m, channel, direction, n in query}
    columns = [f"{c}/{d}" for c in CHANNELS for d in DIRECTIONS]
    return protect(Table("contact_events", filters.months(), columns, values))


def purchases(filters):
    """Purchases per service (rows) per month (columns); services bought by fewer than
    ``SMALL`` customers in the period are one row, ``OTHER``."""
    sections = _sections(filters, "history")
    month = _month(Purchase.purchased_on)
    period = ((Purchase.purchased_on >= filters.start) & (Purchase.purchased_on < filters.end))
    query = Purchase.select(Purchase.service, month.alias("m"), fn.COUNT(Purchase.id)).where(
        period)
    buyers = Purchase.select(Purchase.service, fn.COUNT(Purchase.customer.distinct())).where(
        period)
    if _narrowed(filters, sections):
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
    sections = _sections(filters, "billing")
    invoiced_month = _month(Invoice.invoice_date)
    invoiced = (Invoice.select(invoiced_month.alias("m"), fn.COUNT(Invoice.id),
                               fn.SUM(Invoice.amount), fn.COUNT(Invoice.customer.distinct()))
                .where((Invoice.invoice_date >= filters.start)
                       & (Invoice.invoice_date < filters.end)))
    paid_month = _month(Invoice.paid_on)
    paid = (Invoice.select(paid_month.alias("m"), fn.SUM(Invoice.amount),
                           fn.COUNT(Invoice.customer.distinct()))
            .where((Invoice.paid_on >= filters.start) & (Invoice.paid_on < filters.end)))
    if _narrowed(filters, sections):
        invoiced = _in_sections(invoiced, Invoice, sections)
        paid = _in_sections(paid, Invoice, sections)
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
