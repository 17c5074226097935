"""The erasure of one subject on request (GDPR Art. 17): a run of one customer."""

import dataclasses
import datetime
import hashlib
import json

import peewee as pw

import database
from models import Customer, Invoice, PurgeItem, PurgeRun, Section, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.localtime import helsinki_today
from services.retention.holding import Held, holds
from services.retention.listing import holdings
from services.retention.purging import _lock_customers
from services.retention.runs import execute
from services.retention.settings import (
    ACCOUNTING_YEARS,
    AUDIT_OBJECT_TYPE,
    DELETE,
    MINIMISE,
    final_deletion,
    keeping_starts,
)
from services.search import customer_search_condition


ERASED_ALREADY = N_("This customer was erased already: only the accounting record is "
                    "left, deleted when its keeping ends (see below). There is nothing more "
                    "to erase.")


@dataclasses.dataclass
class ErasurePlan:
    """What erasing one customer would do now."""

    customer: Customer
    action: str
    goes: dict  # category → count
    kept_invoices: int
    final_deletion: datetime.date = None
    holds: list = dataclasses.field(default_factory=list)  # [Hold]: erasure refused while any


def erasure_plan(customer, accounting_years=ACCOUNTING_YEARS, now=None):
    """Return what erasing ``customer`` would remove, and whether it would be minimised."""
    keep_from = keeping_starts(helsinki_today(now), accounting_years)
    kept = (Invoice.select(pw.fn.COUNT(Invoice.id), pw.fn.MAX(Invoice.invoice_date))
            .where((Invoice.customer == customer.id) & (Invoice.invoice_date >= keep_from))
            .tuples().first())
    count, newest = kept or (0, None)
    action = MINIMISE if count else DELETE
    if isinstance(newest, str):
        newest = datetime.date.fromisoformat(newest[:10])
    goes = holdings([customer.id], action, keep_from)[customer.id]
    return ErasurePlan(customer=customer, action=action, goes=goes, kept_invoices=count or 0,
                       final_deletion=final_deletion(newest, accounting_years) if newest else None,
                       holds=holds([customer.id]).get(customer.id, []))


def erase(customer_id, actor, received_on, accounting_years=ACCOUNTING_YEARS, now=None):
    """Erase one customer on the subject's request, decided by ``actor``; return the run.

    Recorded as a run of one customer (kind "erasure"), audited like a purge; a customer
    with invoices still kept is minimised, not deleted. Refused (:class:`Held`) while the
    customer is held by an open request or a disclosure not carried out.
    """
    if not isinstance(received_on, datetime.date):
        raise RegisterError(N_("Enter the date the request was received."))
    now = now or utcnow()
    if received_on > helsinki_today(now):
        raise RegisterError(N_("The date the request was received cannot be in the future."))
    keep_from = keeping_starts(helsinki_today(now), accounting_years)
    with database.write_transaction():
        customer = Customer.get_or_none(Customer.id == customer_id)
        if customer is None:
            raise RegisterError(N_("There is no such customer: it may have been erased "
                                   "already."))
        _lock_customers([customer.id])
        plan = erasure_plan(customer, accounting_years, now)
        if plan.holds:
            raise Held(plan.holds)
        if customer.minimised_at is not None and not any(plan.goes.values()):
            # Sent twice, or erased before: a run that erases nothing is no erasure.
            raise RegisterError(ERASED_ALREADY)
        section = Section.get_by_id(customer.section_id)
        planned = {section.code: {plan.action: {"customers": 1, **plan.goes}}}
        run = PurgeRun.create(
            kind="erasure", state="confirmed", sections=section.code,
            policy=json.dumps({"as_of": now.isoformat(), "sections": {}}),
            keep_from=keep_from, accounting_years=accounting_years,
            fingerprint=hashlib.sha256(f"erasure:{customer.id}:{plan.action}".encode())
            .hexdigest(),
            planned=json.dumps(planned, sort_keys=True), total=1,
            previewed_by=actor.id, previewed_at=now, confirmed_by=actor.id, confirmed_at=now,
            request_received_on=received_on)
        PurgeItem.create(run=run.id, customer_id=customer.id, action=plan.action)
        audit.record("confirm", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                     section=section.code)
    return execute(run.id, actor=actor)


def erasure_search(term, actor, limit):
    """Return up to ``limit`` customers matching ``term`` for an erasure decision; each one
    found is a read of that customer in the audit log (seed §14)."""
    found = list(Customer.select().where(customer_search_condition(term))
                 .order_by(Customer.sort_name, Customer.id).limit(limit))
    with database.write_transaction():
        audit.record("search", actor, object_type="customer")
        audit.record_reads("search", actor, found, "erasure")
    return found


def record_erasure_view(customer, actor):
    """Audit that ``actor`` opened ``customer``'s erasure plan."""
    with database.write_transaction():
        audit.record("view", actor, object_type="customer", object_id=customer.id,
                     section=Section.get_by_id(customer.section_id).code, fields=["erasure"])
