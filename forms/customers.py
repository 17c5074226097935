"""The customer screen's form: each field's label, choices and validators, and what each
kind of customer must have. The customer pages build their forms from these; a
rectification request checks a new value with the same arguments (``screen_form_args``)."""

from flask_babel import gettext as _

from forms import validators as v
from forms.informing import check_customer
from forms.sources import collapse_spaces
from models import (
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Purchase,
)
from services import customers as customer_rules
from services.vocabulary import customers as labels


def labels_args(model, extra=None):
    """Return form_args giving each field of ``model`` its translated label."""
    args = {name: {"label": labels.FIELD_LABELS[name]}
            for name in model._meta.fields if name in labels.FIELD_LABELS}
    for name, more in (extra or {}).items():
        args.setdefault(name, {}).update(more)
    return args


def choice_args(codes_labels, blank=False):
    """Return form_args offering ``codes_labels``' codes by their translated labels."""
    choices = list(codes_labels.items())
    if blank:
        # wtf-peewee starts a nullable column's <select> with its own blank option
        # ("----------------"): name that one, rather than adding a second.
        return {"choices": choices, "allow_blank": True, "blank_text": "—"}
    return {"choices": choices}


# Where the data came from (seed §7): a new row's source is first the customer itself.
SOURCE_ARGS = {
    "data_source": {**choice_args(labels.DATA_SOURCE_LABELS, blank=True),
                    "blank_text": labels.NOT_RECORDED, "default": "customer"},
}


class CustomerRules:
    """The customer form's rules: what a person, a company and an organisation must have,
    and the informing record of a new customer and contact person (forms/informing.py)."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid = check_customer(self) and valid
        kind = self.kind.data
        values = {name: field.data for name, field in self._fields.items()
                  if name in customer_rules.REQUIRED_FOR_KIND.get(kind, ())
                  or name in customer_rules.REFUSED_FOR_KIND.get(kind, ())}
        people = getattr(self, "contact_persons", None)
        named = sum(1 for entry in (people.entries if people is not None else ())
                    if hasattr(entry, "form") and not entry.form.data.get("del-" + entry.name)
                    and (entry.form.first_name.data or entry.form.last_name.data))
        problems = customer_rules.kind_problems(kind, values, named)
        for name, problem in problems.items():
            field = getattr(self, name)
            if name == "contact_persons":
                field.errors = [_("Only a company or an organisation has contact persons.")]
            elif problem == "required":
                field.errors = list(field.errors) + [_("Fill in this field for this kind of "
                                                       "customer.")]
            else:
                field.errors = list(field.errors) + [
                    _("This field is not for a %(kind)s: empty it or change the kind.",
                      kind=labels.CUSTOMER_KIND_LABELS[kind].lower())]
        return valid and not problems


CUSTOMER_FORM_ARGS = labels_args(Customer, {
    "kind": choice_args(labels.CUSTOMER_KIND_LABELS),
    "language": choice_args(labels.CUSTOMER_LANGUAGE_LABELS),
    "informed_how": choice_args(labels.INFORMED_HOW_LABELS, blank=True),
    "business_id": {"validators": [v.business_id]},
    "phone": {"validators": [v.phone_number]},
    "mobile": {"validators": [v.phone_number]},
    "fax": {"validators": [v.phone_number]},
    "email": {"validators": [v.email_address]},
    "birth_date": {"validators": [v.birth_date]},
    **SOURCE_ARGS,
})

# The form arguments of the customer's rows edited on its screen.
ROW_FORM_ARGS = {
    Address: labels_args(Address, {
        "kind": choice_args(labels.ADDRESS_KIND_LABELS),
        "postal_code": {"validators": [v.postal_code]},
        "city": {"filters": [collapse_spaces]},
        "checked_on": {"validators": [v.not_in_future]},
        **SOURCE_ARGS,
    }),
    Demographics: labels_args(Demographics),
    ContactPerson: labels_args(ContactPerson, {
        "informed_how": choice_args(labels.INFORMED_HOW_LABELS, blank=True),
        "phone": {"validators": [v.phone_number]},
        "email": {"validators": [v.email_address]},
        **SOURCE_ARGS,
    }),
    ContactEvent: labels_args(ContactEvent, {
        "direction": choice_args(labels.DIRECTION_LABELS),
        "channel": choice_args(labels.CHANNEL_LABELS),
    }),
    Purchase: labels_args(Purchase),
    Invoice: labels_args(Invoice, {
        "collection_state": choice_args(labels.COLLECTION_STATE_LABELS),
    }),
}


def screen_form_args(model):
    """Return the form arguments the customer's screen gives ``model``'s fields: labels,
    choices and validators (a rectification request's new values are checked with them)."""
    if model is Customer:
        return CUSTOMER_FORM_ARGS
    return ROW_FORM_ARGS.get(model, {})
