"""The customer screen's form: each field's label, choices and validators, and what each
kind of customer must have. The customer pages build their forms from these; a
rectification request checks a new value with the same arguments (``screen_form_args``)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FieldList

from forms import validators as v
from forms.informing import check_customer
from forms.sources import collapse_spaces
from models import (
    NOT_FOR_KIND,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Purchase,
)
from services import customers as customer_rules
from services.inputs import parse_id
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
        problems = customer_rules.kind_problems(kind, values, self._contact_persons_kept())
        for name, problem in problems.items():
            field = getattr(self, name)
            if name == "contact_persons":
                field.errors = [_("Only a company or an organisation has contact persons: "
                                  "first delete them (tick each one's deletion and save), "
                                  "then change the kind.")]
            elif problem == "required":
                field.errors = list(field.errors) + [_("Fill in this field for this kind of "
                                                       "customer.")]
            else:
                field.errors = list(field.errors) + [
                    _("This field is not for a %(kind)s: empty it or change the kind.",
                      kind=labels.CUSTOMER_KIND_LABELS[kind].lower())]
        return valid and not problems

    def _contact_persons_kept(self):
        """Count the contact persons the customer has after this save: the named rows
        posted without a delete tick, and the stored ones not posted (a page that hides
        the rows of a kind without them posts none)."""
        people = getattr(self, "contact_persons", None)
        if people is None:
            return 0
        posted = [entry for entry in people.entries if hasattr(entry, "form")]
        named = sum(1 for entry in posted if not people.should_delete(entry)
                    and (entry.form.first_name.data or entry.form.last_name.data))
        editing = getattr(self, "editing", None)
        stored = {row.id for row in editing.contact_persons} if editing is not None else set()
        return named + len(stored - {parse_id(entry.get_pk()) for entry in posted})


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
# One line of help under the fields people most often type in a way the register refuses
# (the form ties it to its field with aria-describedby).
for _name, _help in labels.FIELD_HELP.items():
    CUSTOMER_FORM_ARGS[_name]["description"] = _help

# The customer form's groups, in order, each a fieldset with its legend
# (services.vocabulary.customers.FIELDSET_LABELS). A field of the form in none of them
# goes to the last group; the inline lists of rows follow the groups.
CUSTOMER_FIELDSETS = (
    ("identity", ("kind", "first_name", "last_name", "birth_date", "name", "business_id",
                  "different_company")),
    ("contact", ("phone", "mobile", "fax", "email")),
    ("language_informing", ("language", "informed_how", "informed_at",
                            "not_reachable_reason")),
    ("own_info", ("own_info", "data_source", "data_source_note", "create_anyway")),
)


def kinds_of_field(name):
    """Return the kinds of customer the field ``name`` is for (every kind for most)."""
    return tuple(kind for kind in labels.CUSTOMER_KIND_LABELS
                 if name not in NOT_FOR_KIND.get(kind, ()))


def required_for_kinds(name):
    """Return the kinds of customer that must have the field ``name`` filled in."""
    return tuple(kind for kind, names in customer_rules.REQUIRED_FOR_KIND.items()
                 if name in names)


def form_layout(form):
    """Return the customer ``form``'s layout and its inline lists of rows.

    The layout is ``[(fieldset code, [groups])]`` in the order of CUSTOMER_FIELDSETS, each
    group ``(kinds, [fields])``: the customer kinds its fields are for (all for most). The
    inline lists are ``[(kinds, list)]`` alike (a person has no contact persons).
    Fields the section does not hold are gone from the form already."""
    placed = {name for _code, names in CUSTOMER_FIELDSETS for name in names}
    lists = [field for field in form if isinstance(field, FieldList)]
    inline = [(tuple(kind for kind in labels.CUSTOMER_KIND_LABELS
                     if customer_rules.has_contact_persons(kind))
               if field.name == "contact_persons" else tuple(labels.CUSTOMER_KIND_LABELS),
               field) for field in lists]
    visible = [field for field in form if field not in lists
               and getattr(field.widget, "input_type", None) != "hidden"]
    rest = [field for field in visible if field.name not in placed]
    layout = []
    for index, (code, names) in enumerate(CUSTOMER_FIELDSETS):
        fields = [form[name] for name in names if name in form]
        if index == len(CUSTOMER_FIELDSETS) - 1:
            fields += rest
        groups = []
        for field in fields:
            kinds = kinds_of_field(field.name)
            if field.name == "different_company":
                kinds = kinds_of_field("business_id")
            if groups and groups[-1][0] == kinds:
                groups[-1][1].append(field)
            else:
                groups.append((kinds, [field]))
        if groups:
            layout.append((code, groups))
    return layout, inline


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
        # A contact dated ahead would hold the customer's last activity there: never purged.
        "occurred_at": {"validators": [
            v.Required(_l("Write when the contact was.")), v.not_in_future]},
    }),
    Purchase: labels_args(Purchase, {"purchased_on": {"validators": [v.not_in_future]}}),
    Invoice: labels_args(Invoice, {
        "number": {"filters": [collapse_spaces]},
        # An invoice dated ahead would hold the customer's last activity there (as a
        # contact would); a day of payment only with the state "paid".
        "invoice_date": {"validators": [v.not_in_future]},
        "due_date": {"validators": [v.not_before_invoice_date]},
        "paid_on": {"validators": [v.not_in_future, v.not_before_invoice_date,
                                   v.paid_only_when_paid]},
        "collection_state": {**choice_args(labels.COLLECTION_STATE_LABELS),
                             "validators": [v.paid_on_when_paid]},
    }),
}


def screen_form_args(model):
    """Return the form arguments the customer's screen gives ``model``'s fields: labels,
    choices and validators (a rectification request's new values are checked with them)."""
    if model is Customer:
        return CUSTOMER_FORM_ARGS
    return ROW_FORM_ARGS.get(model, {})
