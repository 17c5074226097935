"""Prohibitions (kielto-oikeus, seed §16): no direct marketing, market or opinion research.

A prohibition is given or withdrawn by adding a row; rows are never changed or deleted by
the application, so the history stays. The newest row of a subject — the customer itself
(``contact_person`` empty) or one contact person of a company or organisation — and a
purpose tells whether the prohibition is in force: it is when that row says "given".

Rows are ordered by id, the order in which they were recorded. An effective date is never
in the future nor before the date of the subject's previous row for the purpose, so the
newest row is also the one that took effect last.
"""

import datetime

from peewee import fn

import database
from models import (
    PROHIBITION_ACTIONS,
    PROHIBITION_PURPOSES,
    PROHIBITION_SOURCES,
    ContactPerson,
    Customer,
    Prohibition,
    utcnow,
)
from services import audit
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import helsinki_today

AUDIT_OBJECT_TYPE = "prohibition"


def history(customer):
    """Return every prohibition row of the customer and its contact persons, oldest first."""
    return list(
        Prohibition.select()
        .where(Prohibition.customer == customer)
        .order_by(Prohibition.id)
    )


def in_force(customer):
    """Return the rows in force for the customer and its contact persons.

    A dict ``{(contact_person_id or None, purpose): row}``, where ``row`` is the "given"
    row that is the newest of its subject and purpose.
    """
    newest = {}
    for row in history(customer):
        newest[(row.contact_person_id, row.purpose)] = row
    return {key: row for key, row in newest.items() if row.action == "given"}


def is_in_force(customer, purpose, contact_person=None):
    """Tell whether ``purpose`` is prohibited for the customer (or its contact person)."""
    row = _newest(customer, purpose, contact_person)
    return row is not None and row.action == "given"


def prohibited_customers(purpose):
    """Return a query of the ids of customers whose own prohibition of ``purpose`` is in force.

    Evaluated once over the prohibition rows (not once per customer), so
    ``Customer.id.not_in(prohibited_customers(p))`` stays cheap over a million customers.
    """
    newer = Prohibition.alias("newer")
    newest_id = (newer.select(fn.MAX(newer.id))
                 .where((newer.customer == Prohibition.customer)
                        & newer.contact_person.is_null()
                        & (newer.purpose == purpose)))
    return (Prohibition.select(Prohibition.customer)
            .where((Prohibition.purpose == purpose)
                   & Prohibition.contact_person.is_null()
                   & (Prohibition.action == "given")
                   & (Prohibition.id == newest_id)))


def prohibited_contact_persons(purpose):
    """Return a query of the ids of contact persons whose own prohibition of ``purpose``
    is in force."""
    newer = Prohibition.alias("newer")
    newest_id = (newer.select(fn.MAX(newer.id))
                 .where((newer.customer == Prohibition.customer)
                        & (newer.contact_person == Prohibition.contact_person)
                        & (newer.purpose == purpose)))
    return (Prohibition.select(Prohibition.contact_person)
            .where((Prohibition.purpose == purpose)
                   & Prohibition.contact_person.is_null(False)
                   & (Prohibition.action == "given")
                   & (Prohibition.id == newest_id)))


def prohibited_addresses(purpose):
    """Return ``(emails, numbers)``: queries of the email addresses (in lower case) and the
    phone numbers given by the customers and contact persons whose own prohibition of
    ``purpose`` is in force, in any section (one controller keeps them all), for ``x IN
    (…)``; no empty value in either.

    The prohibition is the person's: the same address on another record of theirs (a
    second customer record, a company's contact person) is not to be marketed to either.
    """
    customers, people = prohibited_customers(purpose), prohibited_contact_persons(purpose)
    emails = (Customer.select(fn.LOWER(Customer.email))
              .where(Customer.id.in_(customers) & (Customer.email != ""))
              | ContactPerson.select(fn.LOWER(ContactPerson.email))
              .where(ContactPerson.id.in_(people) & (ContactPerson.email != "")))
    numbers = (Customer.select(Customer.mobile)
               .where(Customer.id.in_(customers) & (Customer.mobile != ""))
               | Customer.select(Customer.phone)
               .where(Customer.id.in_(customers) & (Customer.phone != ""))
               | ContactPerson.select(ContactPerson.phone)
               .where(ContactPerson.id.in_(people) & (ContactPerson.phone != "")))
    return emails, numbers


def contact_persons_of(customer):
    """Return the contact persons of the customer, by id (whose prohibitions may be recorded):
    none of a person, nor of a customer whose section no longer holds contact persons (the
    customer's page does not show them; they wait for the purge)."""
    if customer.kind == "person" or "contact_persons" not in customer.section.category_set:
        return []
    return list(ContactPerson.select().where(ContactPerson.customer == customer)
                .order_by(ContactPerson.id))


def record(customer, *, purpose, action, effective_on, source, actor, contact_person=None,
           note=None, today=None):
    """Add a row giving or withdrawing a prohibition; return it.

    Refuses giving one already in force, withdrawing one not in force, an effective date in
    the future or before the subject's previous row, and a contact person of another
    customer. Writes the row and its audit event in one transaction.

    ``today`` is the date in the register's time zone; by default Helsinki's today.
    """
    effective_on, note = _checked(purpose, action, source, effective_on, note, today)
    if contact_person is not None and contact_person.customer_id != customer.id:
        raise RegisterError(N_("That contact person is not one of this customer's. Choose a "
                               "contact person from the list."))

    with database.write_transaction():
        lock_customer(customer)
        _refuse_against_history(_newest(customer, purpose, contact_person), action,
                                effective_on)
        row = Prohibition.create(
            customer=customer,
            contact_person=contact_person,
            purpose=purpose,
            action=action,
            effective_on=effective_on,
            source=source,
            note=note,
            recorded_by=actor,
            recorded_at=utcnow(),
        )
        fields = ["purpose", "action", "effective_on", "source"]
        if contact_person is not None:
            fields.insert(0, "contact_person")
        if note:
            fields.append("note")
        audit.record("create", actor=actor, object_type=AUDIT_OBJECT_TYPE, object_id=row.id,
                     section=customer.section.code, fields=fields)
    return row


def _checked(purpose, action, source, effective_on, note, today):
    """Return the effective date (a date) and the note (stripped, or None) of a new row, or
    refuse a value no row may have."""
    if purpose not in PROHIBITION_PURPOSES:
        raise RegisterError(N_("Choose what the prohibition concerns."))
    if action not in PROHIBITION_ACTIONS:
        raise RegisterError(N_("Choose whether the prohibition is given or withdrawn."))
    if source not in PROHIBITION_SOURCES:
        raise RegisterError(N_("Choose how the person told about the prohibition."))
    if not isinstance(effective_on, datetime.date):
        raise RegisterError(N_("Enter the date the prohibition takes effect."))
    if isinstance(effective_on, datetime.datetime):
        effective_on = effective_on.date()
    today = today or helsinki_today()
    if effective_on > today:
        raise RegisterError(N_("The date cannot be in the future: record the prohibition on "
                               "the day it takes effect, or with an earlier date."))
    note = (note or "").strip() or None
    hetu_refusal = refusal(note, message=N_("A henkilötunnus (personal identity code) must not "
                                            "be stored in the register: remove it from the "
                                            "note."))
    if hetu_refusal:
        raise RegisterError(hetu_refusal)
    return effective_on, note


def _refuse_against_history(newest, action, effective_on):
    """Refuse a row that does not follow ``newest``, the subject's previous row of the
    purpose: giving what is in force, withdrawing what is not, or going back in time."""
    given = newest is not None and newest.action == "given"
    if action == "given" and given:
        raise RegisterError(
            N_("This prohibition is already in force (since %(date)s). Nothing was "
               "recorded."), date=newest.effective_on.strftime("%d.%m.%Y"))
    if action == "withdrawn" and not given:
        raise RegisterError(N_("This prohibition is not in force, so it cannot be "
                               "withdrawn. Nothing was recorded."))
    if newest is not None and effective_on < newest.effective_on:
        raise RegisterError(
            N_("The date cannot be before the previous entry of this prohibition "
               "(%(date)s): check the date."),
            date=newest.effective_on.strftime("%d.%m.%Y"))


# --- helpers ------------------------------------------------------------------------


def _newest(customer, purpose, contact_person=None):
    """Return the newest row of the subject and purpose, or None."""
    query = Prohibition.select().where((Prohibition.customer == customer)
                                       & (Prohibition.purpose == purpose))
    if contact_person is None:
        query = query.where(Prohibition.contact_person.is_null())
    else:
        query = query.where(Prohibition.contact_person == contact_person)
    return query.order_by(Prohibition.id.desc()).first()


def lock_customer(customer):
    """Serialise recorders of one customer's prohibitions (and consents, services.consent)
    until the transaction ends.

    PostgreSQL: a row lock on the customer. SQLite: the write transaction already holds
    the database's write lock.
    """
    if not database.is_sqlite():
        Customer.select(Customer.id).where(Customer.id == customer.id).for_update().first()
