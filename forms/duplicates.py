"""The create form's duplicate warning: before a new customer is saved, the customers of
its section that may be the same one (services.duplicates) are named, each with a link,
and the user either opens one of them or ticks "Create anyway".

The check runs only when the form is otherwise valid (a refused form is fixed first), and
only on create: an edit keeps its own Y-tunnus question (admin_views/customers.py).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields import BooleanField

from models import Customer
from services.duplicates import CHECKED_FIELDS, find_duplicates
from services.vocabulary import customers as labels

# A customer id as the warning's button posts it: digits, not longer than an id can be.
MAX_ID_DIGITS = 18
# The likely duplicates named at most.
LIMIT = 10


def create_anyway_field():
    """Return the confirmation the form shows under the warning."""
    return BooleanField(_l("Create anyway: this is a different customer"))


def form_values(form):
    """Return the values the duplicate check reads from a customer form (the postal code
    from its addresses: the postal one, else the first)."""
    values = {name: getattr(form, name).data for name in CHECKED_FIELDS if name in form}
    addresses = getattr(form, "addresses", None)
    rows = [entry.form for entry in (addresses.entries if addresses is not None else ())
            if hasattr(entry, "form") and "postal_code" in entry.form]
    rows.sort(key=lambda row: getattr(getattr(row, "kind", None), "data", None) != "postal")
    codes = [row.postal_code.data for row in rows if row.postal_code.data]
    if codes:
        values["postal_code"] = codes[0]
    return values


def check_new_customer(form, section_id, scope, valid, creating, confirmed=()):
    """Return whether a customer's form may be saved: ``valid`` and, when ``creating``, no
    likely duplicate in section ``section_id`` or the user ticked "Create anyway". The
    matches the user may read (``scope``, a customer condition) are set as
    ``form.duplicate_matches``, each a (customer, reason label) pair; the confirmation
    stays in the form only while shown. Matches of the reasons ``confirmed`` (the user
    said already that the customers of the Y-tunnus are other companies) are not asked
    about again.
    """
    matches = find_duplicates(section_id, form_values(form), limit=LIMIT + 10) \
        if valid and creating else []
    matches = [m for m in matches if m.reason not in confirmed][:LIMIT]
    if matches:
        customers = {c.id: c for c in Customer.select().where(
            scope & Customer.id.in_([m.customer_id for m in matches]))}
        form.duplicate_matches = [
            (customers[m.customer_id], labels.DUPLICATE_REASON_LABELS[m.reason])
            for m in matches if m.customer_id in customers]
    if not getattr(form, "duplicate_matches", None):
        del form["create_anyway"]
        return valid
    return bool(form.create_anyway.data)


def chosen_match(form, section_id, scope, posted):
    """Return the id of the match the user chose to fill from the form (``posted``, the
    button's value), when it is one of the new customer's likely duplicates the user may
    read; else None."""
    posted = (posted or "").strip()
    if not posted.isdigit() or len(posted) > MAX_ID_DIGITS:
        return None
    chosen = int(posted)
    if chosen not in {m.customer_id for m in find_duplicates(section_id, form_values(form))}:
        return None
    return chosen if Customer.select().where(scope & (Customer.id == chosen)).exists() else None


def customer_values(form):
    """Return the customer's own fields of the form: ``{field name: value}``."""
    return {name: field.data for name, field in form._fields.items()
            if name in Customer._meta.fields}


def filled_message(changed):
    """Return the message telling what filling a match from the form changed (the field
    names ``changed``), and its category."""
    if changed:
        return _("The existing customer's empty fields were filled from the form: "
                 "%(fields)s. No new customer was created.",
                 fields=", ".join(str(labels.FIELD_LABELS.get(n, n)) for n in changed)), \
            "success"
    return _("The existing customer already had every field you typed: nothing was changed "
             "and no new customer was created. Edit the customer to change a field."), "info"
