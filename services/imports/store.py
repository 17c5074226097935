"""A batch of checked rows stored: new customers (with their address row) and the empty
fields of matched customers filled, each with its audit event. The caller holds the
batch's transaction."""

from models import Address, Customer, utcnow
from services import audit
from services.customers import REFUSED_FOR_KIND
from services.versioning import next_version

# The source is the file's, given to a new customer: a customer's own source stays.
KEPT_OF_MATCH = ("data_source", "data_source_note")
# The customer's fields the choice "update_chosen" may overwrite from a row (never its
# kind, its informing record or its source: those are the customer's own history).
OVERWRITABLE = frozenset(("first_name", "last_name", "name", "birth_date", "business_id",
                          "phone", "mobile", "fax", "email", "language", "own_info"))
# Customers per INSERT statement: within SQLite's 32 766 parameters at every column.
INSERT_CHUNK = 500


def _customer_row(job, values, now):
    row = {name: value for name, value in values["customer"].items()
           if name in Customer._meta.fields and value not in (None, "")}
    address = values.get("address") or {}
    # What services.customers.refresh_city keeps in step with the postal address.
    row.update(city=address.get("city"), postal_code=address.get("postal_code"))
    customer = Customer(**row)
    customer.refresh_derived()
    return {**customer.__data__, "section": job.section.id, "created_at": now,
            "updated_at": now, "version": 1}


def _insert_customers(rows):
    if not rows:
        return []
    # One insert takes its columns from the first row: every row gets them all.
    names = sorted({name for row in rows for name in row})
    rows = [{name: row.get(name) for name in names} for row in rows]
    # One statement per chunk, its new ids by RETURNING (SQLite 3.35 and later too). The
    # rows come back in no promised order, but each statement's ids are given in the order
    # of its rows (one sequence; the batch holds the write lock): sorted, they are the rows'.
    ids = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start:start + INSERT_CHUNK]
        ids += sorted(r[0] for r in Customer.insert_many(chunk).returning(Customer.id)
                      .tuples().execute())
    return ids


def _create(job, values_list, now):
    ids = _insert_customers([_customer_row(job, values, now) for values in values_list])
    addresses = [{**values["address"], "customer": customer_id}
                 for customer_id, values in zip(ids, values_list) if values.get("address")]
    for start in range(0, len(addresses), 500):
        Address.insert_many(addresses[start:start + 500]).execute()
    fields = sorted({name for values in values_list for name, value
                     in values["customer"].items() if value not in (None, "")})
    audit.record_many("create", actor=job.user, fields=fields,
                      objects=[("customer", i, job.section.code) for i in ids])
    return ids


def _update(job, customer_id, values, now, chosen):
    """Update the matched customer from the row: its empty fields, or (``chosen``) the
    job's chosen fields the row has a value for; return the names updated."""
    customer = Customer.get_or_none((Customer.id == customer_id)
                                    & (Customer.section == job.section.id))
    if customer is None:
        return []
    filled = [name for name, value in values["customer"].items()
              if name in Customer._meta.fields and value not in (None, "")
              and (name in job.overwrite and name in OVERWRITABLE if chosen
                   else getattr(customer, name) in (None, ""))
              and getattr(customer, name) != value and name not in KEPT_OF_MATCH
              and name not in REFUSED_FOR_KIND.get(customer.kind, ())]
    if not filled:
        return []
    changes = {name: values["customer"][name] for name in filled}
    Customer.update({Customer.updated_at: now, **next_version(Customer),
                     **{getattr(Customer, name): value for name, value in changes.items()}}
                    ).where(Customer.id == customer_id).execute()
    Customer.get_by_id(customer_id).save(only=list(Customer.derived_fields))
    audit.record_many("update", actor=job.user, fields=filled,
                      objects=[("customer", customer_id, job.section.code)])
    return filled


def store_batch(job, actions):
    """Store a batch: ``actions`` is ``[(checked row, "create" | "update_empty" | …)]``."""
    now = utcnow()
    _create(job, [c.values for c, action in actions if action == "create"], now)
    for checked, action in actions:
        if action in ("update_empty", "update_chosen"):
            _update(job, checked.matches[0][0], checked.values, now,
                    chosen=action == "update_chosen")
