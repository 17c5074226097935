"""A batch of checked rows stored: new customers (with their address row) and the empty
fields of matched customers filled, each with its audit event. The caller holds the
batch's transaction."""

from models import Address, Customer, utcnow
from services import audit
from services.bulk import insert_dicts
from services.duplicates import update_matched


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


def _create(job, values_list, now):
    ids = insert_dicts(Customer, [_customer_row(job, values, now) for values in values_list],
                       returning=True, leave_out=("id",))
    # Built as models, so that every field's default is there as insert_many gives it.
    addresses = [Address(**values["address"], customer=customer_id).__data__
                 for customer_id, values in zip(ids, values_list) if values.get("address")]
    insert_dicts(Address, addresses, leave_out=("id",))
    fields = sorted({name for values in values_list for name, value
                     in values["customer"].items() if value not in (None, "")})
    audit.record_many("create", actor=job.user, fields=fields,
                      objects=[("customer", i, job.section.code) for i in ids])
    return ids


def store_batch(job, actions):
    """Store a batch: ``actions`` is ``[(checked row, "create" | "update_empty" | …)]``."""
    now = utcnow()
    _create(job, [c.values for c, action in actions if action == "create"], now)
    for checked, action in actions:
        if action in ("update_empty", "update_chosen"):
            update_matched(job.section, checked.matches[0][0], checked.values["customer"],
                           job.user, overwrite=job.overwrite if action == "update_chosen"
                           else None, now=now)
