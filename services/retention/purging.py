"""Purging a batch of customers: each checked once more, then deleted or minimised."""

import datetime

import database
from models import ContactPerson, Customer, Invoice, Section, db, utcnow
from services.customers import refresh_city
from services.retention.conditions import (
    _bind,
    _empty_counts,
    _minimise_condition,
    child_rows,
    customer_fields,
    minimised_fields,
)
from services.retention.holding import holds
from services.retention.settings import DELETE, MINIMISE
from services.versioning import next_version


def _lock_customers(ids):
    """Lock the customers ``ids`` and their contact persons until the transaction ends.

    PostgreSQL: a request or a disclosure that would name one of them (its row's foreign
    key takes a share lock on the customer or contact person) waits until the batch has
    committed, so the holds read after this are the holds the batch acts on. SQLite: the
    write transaction holds the database's write lock already.
    """
    if database.is_sqlite():
        return
    Customer.select(Customer.id).where(Customer.id.in_(ids)).for_update().execute()
    (ContactPerson.select(ContactPerson.id).where(ContactPerson.customer.in_(ids))
     .for_update().execute())


def _purge_items(run, snapshot, items, done, inside_batch):
    """Delete or minimise the customers of ``items``; add the counts to ``done``."""
    ids = [i.customer_id for i in items]
    _lock_customers(ids)
    held = holds(ids)
    fields = sorted({f for pair in customer_fields().values() for f in pair[0] + pair[1]})
    columns = [Customer.id, Customer.section, Customer.last_activity_at, Customer.created_at]
    columns += [getattr(Customer, f) for f in fields]
    customers = {c.id: c for c in Customer.select(*columns).where(Customer.id.in_(ids))
                 .namedtuples()}
    kept = {row[0] for row in Invoice.select(Invoice.customer).where(
        Invoice.customer.in_(ids) & (Invoice.invoice_date >= snapshot.keep_from)).tuples()}
    codes = {s.id: s.code for s in Section.select(Section.id, Section.code)}
    groups = {}
    totals = {DELETE: 0, MINIMISE: 0, "skipped": 0, "held": 0}
    for item in items:
        c = customers.get(item.customer_id)
        code = codes.get(c.section) if c is not None else None
        why = None
        if c is None or (run.kind == "purge" and not _still_unused(c, snapshot, code)):
            why = "skipped"  # active again, or gone
        elif c.id in held:
            why = "held"  # a request or disclosure named it after the preview
        if why is not None:
            totals[why] += 1
            if code is not None:
                section = done.setdefault(code, {})
                section[why] = section.get(why, 0) + 1
            continue
        action = MINIMISE if item.action == MINIMISE or c.id in kept else DELETE
        groups.setdefault((code, action), []).append(c)
    first = True
    for (code, action), group in sorted(groups.items()):
        counts = _delete(group) if action == DELETE else _minimise(group, snapshot.keep_from)
        section = done.setdefault(code, {})
        into = section.setdefault(action, _empty_counts())
        for key, value in counts.items():
            into[key] = into.get(key, 0) + value
        totals[action] += len(group)
        if first and inside_batch is not None:
            inside_batch()
        first = False
    return totals


def _still_unused(customer, snapshot, code):
    cutoff = snapshot.cutoffs.get(code)
    if cutoff is None:
        return False
    last = customer.last_activity_at or customer.created_at
    if isinstance(last, str):
        last = datetime.datetime.fromisoformat(last)
    return last < cutoff


def _field_counts(customers, which):
    counts = {}
    for category, pair in customer_fields().items():
        counts[category] = sum(
            1 for c in customers if any(getattr(c, f) is not None for f in pair[which]))
    return counts


def _delete_rows(model, ids, condition, keep_from):
    marks = ", ".join([db.param] * len(ids))
    where = f" AND {condition}" if condition else ""
    sql, params = _bind(f"DELETE FROM {model._meta.table_name} AS e"
                        f" WHERE e.customer_id IN ({marks}){where}", {"keep_from": keep_from})
    return db.execute_sql(sql, list(ids) + params).rowcount


def _delete(customers):
    """Delete the customers and every row they hold; return the counts per category."""
    ids = [c.id for c in customers]
    counts = _empty_counts()
    # The customers' counted rows go first: each row deleted below would otherwise count
    # itself out of a row that goes with its customer (on SQLite an index entry rewritten
    # a row), and with it gone the triggers find nothing to change.
    condition, params = database.one_of("customer_id", ids)
    db.execute_sql(f"DELETE FROM customer_rows WHERE {condition}", params)
    for model, category, _condition in child_rows():
        counts[category] += _delete_rows(model, ids, None, None)
    # Rows of other features that name the customer (inspection subjects, disclosure
    # links) go with it by ON DELETE CASCADE.
    counts["customers"] = Customer.delete().where(Customer.id.in_(ids)).execute()
    return counts


def _minimise(customers, keep_from):
    """Strip the customers down to their accounting record; return the counts per category."""
    ids = [c.id for c in customers]
    counts = _empty_counts()
    counts.update(_field_counts(customers, 1))
    for model, category, condition in child_rows():
        counts[category] += _delete_rows(model, ids, _minimise_condition(condition), keep_from)
    now = utcnow()
    Customer.update({**{getattr(Customer, f): None for f in minimised_fields()},
                     Customer.minimised_at: now,
                     **next_version(Customer), Customer.updated_at: now}
                    ).where(Customer.id.in_(ids)).execute()
    refresh_city(*ids)
    counts["customers"] = len(ids)
    return counts
