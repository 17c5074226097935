"""The customers a preview lists, with what the purge would remove of each."""

import dataclasses
import datetime

import peewee as pw

from models import Customer, Invoice, db
from services.retention.conditions import (
    COUNTED_CATEGORIES,
    _bind,
    _minimise_condition,
    child_rows,
    customer_fields,
)
from services.retention.settings import (
    ACCOUNTING_YEARS,
    DELETE,
    MINIMISE,
    final_deletion,
)


@dataclasses.dataclass
class Listed:
    """A customer on a preview's page: what a person reads, and what of it would go."""

    id: int
    name: str
    kind: str
    section_id: int
    last_activity_at: datetime.datetime
    created_at: datetime.datetime
    goes: dict  # category → count of what the purge removes
    final_deletion: datetime.date = None  # minimised: when the customer goes too
    holds: tuple = ()  # held: why the purge leaves it (Hold, …)


def listed(customer_ids, action, keep_from, years=ACCOUNTING_YEARS):
    """Return the customers ``customer_ids`` (in that order) with what ``action`` removes."""
    if not customer_ids:
        return []
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(customer_ids))}
    goes = holdings(customer_ids, action, keep_from)
    newest = {}
    if action == MINIMISE:
        newest = dict(Invoice.select(Invoice.customer, pw.fn.MAX(Invoice.invoice_date))
                      .where(Invoice.customer.in_(customer_ids))
                      .group_by(Invoice.customer).tuples())
    rows = []
    for customer_id in customer_ids:
        c = customers.get(customer_id)
        if c is None:
            continue
        last = newest.get(customer_id)
        if isinstance(last, str):
            last = datetime.date.fromisoformat(last[:10])
        rows.append(Listed(
            id=c.id, name=c.display_name, kind=c.kind, section_id=c.section_id,
            last_activity_at=c.last_activity_at, created_at=c.created_at,
            goes=goes.get(customer_id, {}),
            final_deletion=final_deletion(last, years) if last else None))
    return rows


def listed_held(customer_ids, held):
    """Return the held customers ``customer_ids`` (in that order) with their holds
    (``held``: ``holds()``)."""
    if not customer_ids:
        return []
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(customer_ids))}
    return [Listed(id=c.id, name=c.display_name, kind=c.kind, section_id=c.section_id,
                   last_activity_at=c.last_activity_at, created_at=c.created_at, goes={},
                   holds=tuple(held.get(c.id, ())))
            for c in (customers.get(i) for i in customer_ids) if c is not None]


def holdings(customer_ids, action, keep_from):
    """Return ``{customer_id: {category: n}}``: what ``action`` would remove of each customer."""
    if not customer_ids:
        return {}
    result = {i: dict.fromkeys(COUNTED_CATEGORIES, 0) for i in customer_ids}
    which = 0 if action == DELETE else 1
    own = customer_fields()
    fields = sorted({f for pair in own.values() for f in pair[which]})
    columns = [Customer.id] + [getattr(Customer, f) for f in fields]
    for row in Customer.select(*columns).where(Customer.id.in_(customer_ids)).namedtuples():
        for category, pair in own.items():
            if any(getattr(row, f) is not None for f in pair[which]):
                result[row.id][category] += 1
    marks = ", ".join([db.param] * len(customer_ids))
    for model, category, condition in child_rows():
        condition = _minimise_condition(condition) if action == MINIMISE else None
        where = f" AND {condition}" if condition else ""
        sql, params = _bind(
            f"SELECT e.customer_id, COUNT(*) FROM {model._meta.table_name} AS e"
            f" WHERE e.customer_id IN ({marks}){where} GROUP BY e.customer_id",
            {"keep_from": keep_from})
        # The ids come first in the statement, :keep_from (if any) after them.
        for customer_id, count in db.execute_sql(sql, list(customer_ids) + params):
            result[customer_id][category] += count
    return result
