"""Forms of the data subject rights pages: prohibitions, the marketing list, rectification.

Every form is a ``RegisterForm``, so no text field accepts a henkilötunnus. The new values
of a rectification request go through the register screens' own validators
(``forms/validators.py``), both when the request is registered and when it is applied.
"""

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms.fields import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, StopValidation

from forms import validators as v
from forms.base import RegisterForm
from forms.fields import HelsinkiDateTimeField
from services.errors import N_, RegisterError

PURPOSE_LABELS = {
    "direct_marketing": _l("Direct marketing"),
    "market_research": _l("Market research"),
    "opinion_research": _l("Opinion research"),
}

ACTION_LABELS = {
    "given": _l("Prohibition given"),
    "withdrawn": _l("Prohibition withdrawn"),
}

SOURCE_LABELS = {
    "own_word": _l("Orally"),
    "letter": _l("By letter"),
    "email": _l("By email"),
    "form": _l("On a form"),
}

VERIFICATION_SOURCE_LABELS = {
    "population_register": _l("Population information system"),
    "trade_register": _l("Trade register"),
    "own_document": _l("The customer's own document"),
    "other": _l("Other"),
}

DECISION_LABELS = {
    "approved": _l("Approve"),
    "refused": _l("Refuse"),
}

STATE_LABELS = {
    "registered": _l("Registered, data not checked"),
    "verified": _l("Checked, waiting for a decision"),
    "approved": _l("Approved, not yet applied"),
    "refused": _l("Refused"),
    "applied": _l("Applied"),
}

KIND_LABELS = {
    "": _l("All customers"),
    "person": _l("Private persons"),
    "company": _l("Companies"),
    "organisation": _l("Organisations"),
}

DATE_INPUT = {"type": "date"}


def select_choices(pairs):
    """Return ``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(labels, blank=None):
    pairs = list(labels.items())
    return select_choices([("", blank)] + pairs if blank is not None else pairs)


# --- prohibitions --------------------------------------------------------------------


class ProhibitionForm(RegisterForm):
    """Give or withdraw one prohibition of a customer or one of its contact persons."""

    # Choices per customer: "" is the customer itself, else a contact person's id.
    subject = SelectField(_l("Whose prohibition"), choices=[], validate_choice=True)
    purpose = SelectField(_l("Prohibition of"),
                          choices=_choices(PURPOSE_LABELS, blank=_l("— choose —")),
                          validators=[InputRequired(_l("Choose what the prohibition concerns."))])
    action = SelectField(_l("What is recorded"),
                         choices=_choices(ACTION_LABELS, blank=_l("— choose —")),
                         validators=[InputRequired(
                             _l("Choose whether the prohibition is given or withdrawn."))])
    effective_on = DateField(
        _l("Takes effect on"),
        validators=[InputRequired(_l("Enter the date the prohibition takes effect, "
                                     "e.g. today."))],
        render_kw=DATE_INPUT,
        description=_l("Today or an earlier date, e.g. the date of the letter."),
    )
    source = SelectField(_l("How the person told it"),
                         choices=_choices(SOURCE_LABELS, blank=_l("— choose —")),
                         validators=[InputRequired(
                             _l("Choose how the person told about the prohibition."))])
    note = TextAreaField(_l("Note (optional)"),
                         validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


# --- the marketing list --------------------------------------------------------------


class MarketingListForm(RegisterForm):
    """Choose a marketing list: section, language, customers and purpose."""

    section = SelectField(_l("Section"), choices=[])  # the user's sections, per request
    language = SelectField(_l("Language of the mailing"), choices=[])  # set by the view
    kind = SelectField(_l("Customers"), choices=_choices(KIND_LABELS), default="")
    postal_prefix = StringField(
        _l("Postal code begins with (optional)"),
        validators=[Optional(), Regexp(r"^[0-9]{1,5}$", message=_l(
            "Write one to five digits, e.g. 00 or 001, or leave the field empty."))],
        description=_l("E.g. 00 for Helsinki's postal codes 00…; empty for every postal code."),
    )
    purpose = SelectField(_l("Purpose of the list"), choices=_choices(PURPOSE_LABELS),
                          default="direct_marketing")
    # The choices the counts on the page were made for (the download checks them).
    counted = HiddenField()

    def key(self):
        """Return the choices as one text, to tell whether they changed since counting."""
        return "|".join(str(self[name].data or "")
                        for name in ("section", "language", "kind", "postal_prefix",
                                     "purpose"))


# --- rectification -------------------------------------------------------------------


class RectificationRequestForm(RegisterForm):
    """The request itself: when it came, from whom, and what should change in words."""

    received_at = HelsinkiDateTimeField(
        _l("Received"),
        validators=[InputRequired(_l("Enter when the request was received (date and time)."))],
    )
    requester_name = StringField(
        _l("Requester's name"),
        validators=[InputRequired(_l("Enter the name of the person who made the request.")),
                    Length(max=200)],
    )
    description = TextAreaField(
        _l("What should be corrected"),
        validators=[InputRequired(_l("Describe what the requester wants corrected."))],
        render_kw={"rows": 3},
        description=_l("As the requester wrote it, in short."),
    )


# The field of each rectifiable value, with the register screens' validators.
# (field class, extra validators, max length)
_VALUE_FIELDS = {
    "customer": {
        "first_name": (StringField, [], 100),
        "last_name": (StringField, [], 100),
        "name": (StringField, [], 200),
        "birth_date": (DateField, [v.birth_date], None),
        "business_id": (StringField, [v.business_id], 9 + 20),
        "phone": (StringField, [v.phone_number], 32 + 20),
        "mobile": (StringField, [v.phone_number], 32 + 20),
        "fax": (StringField, [v.phone_number], 32 + 20),
        "email": (StringField, [v.email_address], 254),
        "language": (SelectField, [], None),
        "own_info": (TextAreaField, [], None),
    },
    "contact_person": {
        "first_name": (StringField, [], 100),
        "last_name": (StringField, [], 100),
        "role": (StringField, [], 200),
        "phone": (StringField, [v.phone_number], 32 + 20),
        "email": (StringField, [v.email_address], 254),
        "user_details": (TextAreaField, [], None),
    },
}

VALUES_PREFIX = "new"


def field_label(name):
    """Return the translated label of a customer or contact person field."""
    from admin_views.labels import FIELD_LABELS  # the labels the register screens show

    return FIELD_LABELS.get(name, name)


def values_form_class(kind, names):
    """Return a form class with one optional input per field ``names`` of ``kind``.

    ``kind`` is "customer" or "contact_person". An empty input asks for no change.
    """
    from admin_views.labels import CUSTOMER_LANGUAGE_LABELS

    attributes = {}
    for name in names:
        field_class, checks, max_length = _VALUE_FIELDS[kind][name]
        validators = [Optional()]
        if max_length:
            validators.append(Length(max=max_length))
        validators += checks
        options = {"validators": validators}
        if field_class is SelectField:
            options["choices"] = _choices(CUSTOMER_LANGUAGE_LABELS, blank=_l("— no change —"))
        if field_class is DateField:
            options["render_kw"] = DATE_INPUT
        if field_class is TextAreaField:
            options["render_kw"] = {"rows": 2}
        attributes[name] = field_class(field_label(name), **options)
    return type("RectificationValuesForm", (RegisterForm,), attributes)


def values_form(kind, names, formdata=None):
    """Return the new-values form of ``names``, read from ``formdata`` when given."""
    return values_form_class(kind, names)(formdata=formdata, prefix=VALUES_PREFIX)


def typed_values(form):
    """Return ``{field: text typed}`` of the inputs of a values form that are not empty."""
    values = {}
    for field in form:
        raw = (field.raw_data or [""])[0] if field.raw_data else ""
        if isinstance(raw, str) and raw.strip():
            values[field.short_name] = raw.strip()
    return values


def check_values(kind, values, customer=None):
    """Validate requested new values as the register screens do; return them as stored.

    Raises RegisterError naming the first field whose value is refused (a henkilötunnus
    included). ``customer`` is accepted for the service's contract and not needed here.
    """
    formdata = MultiDict({f"{VALUES_PREFIX}-{name}": value for name, value in values.items()})
    form = values_form(kind, list(values), formdata=formdata)
    if not form.validate():
        for field in form:
            if field.errors:
                raise RegisterError(
                    N_("The new value of the field %(field)s is not accepted: %(error)s "
                       "Nothing was changed."),
                    field=str(field.label.text), error=" ".join(map(str, field.errors)))
    return {name: form[name].data for name in values}


class VerificationForm(RegisterForm):
    """How the data were checked (seed §15) and what the check showed."""

    version = HiddenField()
    verification_source = SelectField(
        _l("Checked against"),
        choices=_choices(VERIFICATION_SOURCE_LABELS, blank=_l("— choose —")),
        validators=[InputRequired(_l("Choose where the data were checked."))],
    )
    verification_result = TextAreaField(
        _l("What the check showed"),
        validators=[InputRequired(_l("Write what the check showed."))],
        render_kw={"rows": 2},
    )


class DecisionForm(RegisterForm):
    """Approve the request, or refuse it with a reason the requester is told."""

    version = HiddenField()
    decision = SelectField(
        _l("Decision"),
        choices=_choices(DECISION_LABELS, blank=_l("— choose —")),
        validators=[InputRequired(_l("Choose whether the request is approved or refused."))],
    )
    decision_reason = TextAreaField(
        _l("Reason"),
        render_kw={"rows": 2},
        description=_l("Required when the request is refused; the requester is told it."),
    )

    def validate_decision_reason(self, field):
        if self.decision.data == "refused" and not (field.data or "").strip():
            raise_error(field, _l("Write the reason for the refusal: the requester is told it."))


class ApplyForm(RegisterForm):
    """Apply an approved request; the versions tell whether anything changed meanwhile."""

    version = HiddenField()
    customer_version = HiddenField()


# --- helpers -------------------------------------------------------------------------


def raise_error(field, message):
    """Stop validating ``field`` with ``message`` (its other errors are dropped)."""
    field.errors[:] = []
    raise StopValidation(str(message))
