"""Customers not yet informed of their registration (seed §13): how many there are in each
section, which they are, and recording the informing of several at once. No Flask here.

"Not yet informed" is a customer without a whole informing record (how and when): those
recorded before informing was required. Migration 022 indexes them per section (the list
filtered to them reads it), and migration 036's triggers keep their count per section,
which the front page and the menu read.
"""

import database
from models import Customer, Section, utcnow
from services import audit, customer_counts
from services.errors import N_, RegisterError
from services.informing.rules import RECORD_FIELDS, informing_problems, record_values
from services.inputs import parse_id
from services.versioning import next_version

# How many customers one bulk recording takes: a list page selects at most its page.
MAX_BULK = 100


def not_informed():
    """The condition "has no whole informing record" (the partial index's own condition)."""
    return Customer.informed_how.is_null() | Customer.informed_at.is_null()


def informed():
    """The condition "has a whole informing record"."""
    return Customer.informed_how.is_null(False) & Customer.informed_at.is_null(False)


def not_informed_counts(section_ids):
    """Return ``{section id: number of not yet informed customers}`` of ``section_ids``
    (None: every section), from the counts the triggers keep (services.customer_counts);
    sections with none are left out."""
    return customer_counts.not_informed_by_section(section_ids)


def front_page_counts(section_ids, counts):
    """Return ``[(section, count)]`` for each section of ``section_ids``, in id order (a
    section without not yet informed customers shows 0)."""
    sections = Section.select().where(Section.id.in_(list(section_ids))).order_by(Section.id)
    return [(section, counts.get(section.id, 0)) for section in sections]


def parse_ids(raw_ids):
    """Return the distinct customer ids of ``raw_ids`` that are ids at all, in order.

    Raise RegisterError when there are none or more than ``MAX_BULK``.
    """
    ids = list(dict.fromkeys(i for i in (parse_id(x) for x in raw_ids) if i is not None))
    if not ids:
        raise RegisterError(N_("Select the customers first: tick them in the list."))
    if len(ids) > MAX_BULK:
        raise RegisterError(N_("Select at most %(count)s customers at a time."), count=MAX_BULK)
    return ids


BEFORE_BIRTH = N_("The time of informing is before the birth date of %(count)s of the "
                  "customers chosen: check the time. Nothing was recorded.")


def record_informing(actor, customer_ids, scope, how, at, reason=None, now=None):
    """Record how and when the customers ``customer_ids`` of ``scope`` were informed.

    Only customers of ``scope`` (the sections ``actor`` edits) that are not yet informed
    are written; others are left as they were, ids outside the scope unseen. One
    transaction, one audit event on each customer written. Return ``(recorded, skipped)``:
    the customers written and how many selected ones of the scope already had a record.
    Raise RegisterError when the record is not whole.
    """
    values = {"informed_how": how, "informed_at": at, "not_reachable_reason": reason}
    problems = informing_problems(values, required=True, now=now)
    if problems:
        raise RegisterError(N_("The informing record is not complete: check the fields."))
    stored = record_values(how, at, reason)
    now = now or utcnow()
    with database.write_transaction():
        query = (Customer.select(Customer.id, Customer.section, Customer.informed_how,
                                 Customer.informed_at, Customer.birth_date)
                 .where(scope & Customer.id.in_(list(customer_ids))).order_by(Customer.id))
        if not database.is_sqlite():
            query = query.for_update()  # SQLite's write lock is already the database's
        chosen = list(query)
        recorded = [c for c in chosen if c.informed_how is None or c.informed_at is None]
        # As the customer form: nobody is informed before they were born.
        unborn = [c for c in recorded if c.birth_date and informing_problems(
            values, birth_date=c.birth_date, now=now)]
        if unborn:
            raise RegisterError(BEFORE_BIRTH, count=len(unborn))
        if recorded:
            ids = [c.id for c in recorded]
            (Customer.update({**{Customer._meta.fields[k]: v for k, v in stored.items()},
                              Customer.updated_at: now, **next_version(Customer)})
             .where(Customer.id.in_(ids) & not_informed()).execute())
            codes = dict(Section.select(Section.id, Section.code).tuples())
            audit.record_many("update", actor=actor, fields=RECORD_FIELDS, at=now, objects=[
                ("customer", c.id, codes.get(c.section_id)) for c in recorded])
    return recorded, len(chosen) - len(recorded)
