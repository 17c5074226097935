"""A matched customer updated instead of a new one created: the user's choice on the create
form's duplicate warning and an import row's (issue 15). The caller holds the write
transaction."""

from models import NOT_FOR_KIND, Customer, utcnow
from services import audit
from services.versioning import next_version

# The customer's fields a match may overwrite when the user chooses them (never its kind,
# its informing record or its source: those are the customer's own history).
OVERWRITABLE = frozenset(("first_name", "last_name", "name", "birth_date", "business_id",
                          "phone", "mobile", "fax", "email", "language", "own_info"))
# The source is the new data's, given to a new customer: a customer's own source stays.
KEPT_OF_MATCH = ("data_source", "data_source_note")


def update_matched(section, customer_id, values, actor, overwrite=None, now=None):
    """Update customer ``customer_id`` of ``section`` from ``values`` (the customer form's
    field names): its empty fields, or with ``overwrite`` (field names) those fields,
    where ``values`` has a value; never a field the customer's kind does not hold (those
    its screens leave out, ``NOT_FOR_KIND``: a company's contact names too). Audited
    as an update with the names changed; return them (empty: nothing changed)."""
    customer = Customer.get_or_none((Customer.id == customer_id)
                                    & (Customer.section == section.id))
    if customer is None:
        return []
    chosen = set(overwrite or ()) & OVERWRITABLE
    changed = [name for name, value in values.items()
               if name in Customer._meta.fields and value not in (None, "")
               and (name in chosen if overwrite is not None
                    else getattr(customer, name) in (None, ""))
               and getattr(customer, name) != value and name not in KEPT_OF_MATCH
               and name not in NOT_FOR_KIND.get(customer.kind, ())]
    if not changed:
        return []
    Customer.update({Customer.updated_at: now or utcnow(), **next_version(Customer),
                     **{getattr(Customer, name): values[name] for name in changed}}
                    ).where(Customer.id == customer_id).execute()
    Customer.get_by_id(customer_id).save(only=list(Customer.derived_fields))
    audit.record_many("update", actor=actor, fields=changed,
                      objects=[("customer", customer_id, section.code)])
    return changed
