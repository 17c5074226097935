"""A matched customer updated instead of a new one created: the user's choice on the create
form's duplicate warning and an import row's (issue 15). The caller holds the write
transaction."""

from models import NOT_FOR_KIND, Customer, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.localtime import helsinki_date
from services.versioning import next_version

# The customer's fields a match may overwrite when the user chooses them (never its kind,
# its informing record or its source: those are the customer's own history).
OVERWRITABLE = frozenset(("first_name", "last_name", "name", "birth_date", "business_id",
                          "phone", "mobile", "fax", "email", "language", "own_info"))
# The source is the new data's, given to a new customer: a customer's own source stays.
KEPT_OF_MATCH = ("data_source", "data_source_note")


# The customer's informing record (seed §13) stays its own: a birth date given to it must
# not come after the time it was informed, as the customer form refuses.
BIRTH_AFTER_INFORMING = N_("The birth date is after the time the existing customer was "
                           "informed of the registration: check the birth date.")


def _matched(section, customer_id):
    return Customer.get_or_none((Customer.id == customer_id)
                                & (Customer.section == section.id))


def _changes(customer, values, overwrite):
    """Return the names of the fields of ``customer`` that ``values`` would change."""
    chosen = set(overwrite or ()) & OVERWRITABLE
    return [name for name, value in values.items()
            if name in Customer._meta.fields and value not in (None, "")
            and (name in chosen if overwrite is not None
                 else getattr(customer, name) in (None, ""))
            and getattr(customer, name) != value and name not in KEPT_OF_MATCH
            and name not in NOT_FOR_KIND.get(customer.kind, ())]


def _problem(customer, values, changed):
    """Return why the customer as updated would contradict itself, or None."""
    def after(name):
        return values[name] if name in changed else getattr(customer, name)
    born, informed = after("birth_date"), after("informed_at")
    if born is not None and informed is not None and helsinki_date(informed) < born:
        return BIRTH_AFTER_INFORMING
    return None


def update_problem(section, customer_id, values, overwrite=None):
    """Return why updating the matched customer from ``values`` is refused, or None (an
    import's check refuses the row with it)."""
    customer = _matched(section, customer_id)
    if customer is None:
        return None
    return _problem(customer, values, _changes(customer, values, overwrite))


def update_matched(section, customer_id, values, actor, overwrite=None, now=None):
    """Update customer ``customer_id`` of ``section`` from ``values`` (the customer form's
    field names): its empty fields, or with ``overwrite`` (field names) those fields,
    where ``values`` has a value; never a field the customer's kind does not hold (those
    its screens leave out, ``NOT_FOR_KIND``: a company's contact names too). Audited
    as an update with the names changed; return them (empty: nothing changed). Refused
    (``RegisterError``) when the customer would contradict itself (``update_problem``)."""
    customer = _matched(section, customer_id)
    if customer is None:
        return []
    changed = _changes(customer, values, overwrite)
    if not changed:
        return []
    problem = _problem(customer, values, changed)
    if problem:
        raise RegisterError(problem)
    Customer.update({Customer.updated_at: now or utcnow(), **next_version(Customer),
                     **{getattr(Customer, name): values[name] for name in changed}}
                    ).where(Customer.id == customer_id).execute()
    Customer.get_by_id(customer_id).save(only=list(Customer.derived_fields))
    audit.record_many("update", actor=actor, fields=changed,
                      objects=[("customer", customer_id, section.code)])
    return changed
