"""Rules about customers shared by the screens, the CLI and the purge (no Flask here)."""

import datetime

from peewee import SQL, Case, fn

from models import Address, ContactEvent, Customer, Invoice, Purchase, utcnow


# What each kind of customer must have, and the fields its form refuses: narrower than
# models.NOT_FOR_KIND, which the screens hide (a company's form refuses no contact name).
REQUIRED_FOR_KIND = {"person": ("last_name",), "company": ("name",),
                     "organisation": ("name",)}
REFUSED_FOR_KIND = {"person": ("name", "business_id"), "company": ("birth_date",),
                    "organisation": ("birth_date",)}
# Only a company or an organisation has contact persons.
KINDS_WITH_CONTACT_PERSONS = ("company", "organisation")


def kind_problems(kind, values, contact_persons=0):
    """Return ``{field: problem}`` for a customer of ``kind`` with these field ``values``:
    "required" (empty but the kind needs it), "not_for_kind" (filled but not for the kind),
    and ``"contact_persons": "not_for_kind"`` when a person is given contact persons."""
    problems = {name: "required" for name in REQUIRED_FOR_KIND.get(kind, ())
                if name in values and not (values[name] or "").strip()}
    problems.update({name: "not_for_kind" for name in REFUSED_FOR_KIND.get(kind, ())
                     if values.get(name)})
    if contact_persons and kind in REQUIRED_FOR_KIND and not has_contact_persons(kind):
        problems["contact_persons"] = "not_for_kind"
    return problems


def has_contact_persons(kind):
    """Tell whether a customer of ``kind`` may have contact persons."""
    return kind in KINDS_WITH_CONTACT_PERSONS


def in_city(city):
    """The condition "has an address in ``city``", as written on the address in any of its
    usual cases (HELSINKI, Helsinki, helsinki), so the address's index serves it."""
    city = city.strip()
    spellings = {city, city.title(), city.upper(), city.lower()}
    return Customer.id.in_(Address.select(Address.customer)
                           .where(Address.city.in_(sorted(spellings))))


def stamp_saved(customer, is_created, section=None, now=None):
    """Set what the register keeps up on a saved customer: a new one's section, creation
    time and first version; every one's time of change."""
    now = now or utcnow()
    if is_created:
        customer.section = section
        customer.created_at = now
        customer.version = 1
    customer.updated_at = now


def _as_datetime(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):  # SQLite aggregates come back as text
        return datetime.datetime.fromisoformat(value)
    return datetime.datetime.combine(value, datetime.time())


def newest_activity(customer_id):
    """Return the time of the customer's newest contact, purchase or invoice, or None."""
    moments = [
        ContactEvent.select(fn.MAX(ContactEvent.occurred_at))
        .where(ContactEvent.customer == customer_id).scalar(),
        Purchase.select(fn.MAX(Purchase.purchased_on))
        .where(Purchase.customer == customer_id).scalar(),
        Invoice.select(fn.MAX(Invoice.invoice_date))
        .where(Invoice.customer == customer_id).scalar(),
    ]
    moments = [_as_datetime(m) for m in moments if m is not None]
    return max(moments) if moments else None


def refresh_last_activity(customer_id):
    """Set ``last_activity_at`` from the customer's newest activity; return it.

    A minimised customer with activity after its minimisation is a customer again, no
    longer kept only for accounting: ``minimised_at`` is cleared.
    """
    newest = newest_activity(customer_id)
    changes = {Customer.last_activity_at: newest}
    if newest is not None:
        changes[Customer.minimised_at] = Case(
            None, [(Customer.minimised_at < newest, None)], Customer.minimised_at)
    Customer.update(changes).where(Customer.id == customer_id).execute()
    return newest


def _address_subquery(column):
    """``column`` of the customer's postal address, or of any address: a correlated subquery."""
    return (Address.select(column)
            .where(Address.customer == Customer.id)
            .order_by(SQL("CASE WHEN kind = 'postal' THEN 0 ELSE 1 END"), Address.id)
            .limit(1))


def city_subquery():
    """The city of the customer's postal address, or of any address: a correlated subquery."""
    return _address_subquery(Address.city)


def refresh_city(*customer_ids, first_id=None, last_id=None):
    """Set ``Customer.city`` and ``postal_code`` from the addresses of the given customers
    (or an id range)."""
    query = Customer.update(city=city_subquery(),
                            postal_code=_address_subquery(Address.postal_code))
    if customer_ids:
        query = query.where(Customer.id.in_(customer_ids))
    else:
        query = query.where(Customer.id.between(first_id, last_id))
    return query.execute()


# The customer list's filter "no activity for": over this many years (codes of its options).
INACTIVE_YEARS = ("1", "2", "3", "5", "10")


def inactive_for(years, now=None):
    """Return the condition "no activity for over ``years`` years": the newest contact,
    purchase or invoice — or, with none, the customer's creation — is older than that."""
    now = now or utcnow()
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    return ((Customer.last_activity_at < cutoff)
            | (Customer.last_activity_at.is_null() & (Customer.created_at < cutoff)))
