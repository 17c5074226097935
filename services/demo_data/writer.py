"""Writing the made-up rows: ids after the largest stored, statements under SQLite's
parameter limit, one transaction per chunk of customers."""

import peewee as pw

from models import (
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    MarketingConsent,
    Purchase,
    db,
)
from services.bulk import insert_rows
from services.customers import refresh_city
from services.demo_data.generator import Generator

# Customers per transaction (and per progress step).
CHUNK = 1000


# --- What each table gets, in insert order ------------------------------------------

FIELDS = {
    Customer: (
        Customer.id, Customer.section, Customer.kind, Customer.first_name,
        Customer.last_name, Customer.name, Customer.sort_name, Customer.birth_date,
        Customer.business_id, Customer.phone, Customer.mobile, Customer.fax,
        Customer.email, Customer.language, Customer.own_info, Customer.informed_at,
        Customer.informed_how, Customer.not_reachable_reason, Customer.created_at,
        Customer.updated_at, Customer.last_activity_at, Customer.version,
        Customer.data_source, Customer.data_source_note,
    ),
    Address: (
        Address.id, Address.customer, Address.kind, Address.street, Address.postal_code,
        Address.city, Address.country, Address.data_source, Address.checked_on,
    ),
    Demographics: (
        Demographics.id, Demographics.customer, Demographics.profession,
        Demographics.education,
    ),
    ContactPerson: (
        ContactPerson.id, ContactPerson.customer, ContactPerson.first_name,
        ContactPerson.last_name, ContactPerson.role, ContactPerson.phone,
        ContactPerson.email, ContactPerson.user_details, ContactPerson.informed_at,
        ContactPerson.informed_how, ContactPerson.not_reachable_reason,
        ContactPerson.data_source,
    ),
    ContactEvent: (
        ContactEvent.id, ContactEvent.customer, ContactEvent.occurred_at,
        ContactEvent.direction, ContactEvent.channel, ContactEvent.summary,
        ContactEvent.staff,
    ),
    Purchase: (
        Purchase.id, Purchase.customer, Purchase.service, Purchase.purchased_on,
        Purchase.amount,
    ),
    Invoice: (
        Invoice.id, Invoice.customer, Invoice.number, Invoice.invoice_date,
        Invoice.due_date, Invoice.amount, Invoice.paid_on, Invoice.collection_state,
    ),
    MarketingConsent: (
        MarketingConsent.id, MarketingConsent.customer, MarketingConsent.channel,
        MarketingConsent.given_on, MarketingConsent.given_how,
        MarketingConsent.wording_version, MarketingConsent.recorded_at,
        MarketingConsent.withdrawn_at, MarketingConsent.withdrawn_how,
    ),
}

# The keys of the returned counts.
COUNT_NAMES = {
    Customer: "customers",
    Address: "addresses",
    Demographics: "demographics",
    ContactPerson: "contact_persons",
    ContactEvent: "contact_events",
    Purchase: "purchases",
    Invoice: "invoices",
    MarketingConsent: "marketing_consents",
}


def _next_ids():
    """Return, per table, the first id after the largest one stored."""
    return {
        model: (model.select(pw.fn.MAX(model.id)).scalar() or 0) + 1 for model in FIELDS
    }


def _insert(model, rows):
    """Insert ``rows`` (tuples in FIELDS order)."""
    insert_rows(model, FIELDS[model], rows)


def _advance_sequences(models):
    """Move PostgreSQL's id sequences past the ids assigned here."""
    for model in models:
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f' (SELECT MAX(id) FROM "{table}"))'
        )


def generate(count, seed, sections, progress=None):
    """Add ``count`` made-up customers with their rows to ``sections``; return counts per table."""
    sections = list(sections)
    if not sections:
        raise ValueError("demo data needs at least one section")
    generator = Generator(seed, sections, _next_ids())
    counts = {name: 0 for name in COUNT_NAMES.values()}
    touched = set()
    made = 0
    while made < count:
        n = min(CHUNK, count - made)
        rows = {model: [] for model in FIELDS}
        for _ in range(n):
            generator.customer(rows)
        with db.atomic():
            for model, model_rows in rows.items():
                if model_rows:
                    _insert(model, model_rows)
                    touched.add(model)
                counts[COUNT_NAMES[model]] += len(model_rows)
            if rows[Customer]:
                first, last = rows[Customer][0][0], rows[Customer][-1][0]
                refresh_city(first_id=first, last_id=last)
        made += n
        if progress is not None:
            progress(n)
    if isinstance(db.obj, pw.PostgresqlDatabase) and touched:
        _advance_sequences(m for m in FIELDS if m in touched)
    return counts
