"""Forms of the data subject rights pages: prohibitions, the marketing list, rectification.

Every form is a ``RegisterForm``, so no text field accepts a henkilötunnus. The new values
of a rectification request go through the register screens' own field arguments and
validators (``admin_views.customers.screen_form_args``, ``forms/validators.py``), both
when the request is registered and when it is applied.
"""

import functools

import peewee as pw
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms.fields import (
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
)

from forms.base import MakesOnce, RegisterForm
from forms.customers import screen_form_args
from forms.fields import HelsinkiDateTimeField
from forms.validators import amount_fits
from models import CATEGORIES
from services.errors import N_, RegisterError
from services.informing import rules as informing_rules
from services.rectification import as_text, correctable_fields
from services.vocabulary.customers import CUSTOMER_KIND_PLURAL_LABELS, FIELD_LABELS
from services.vocabulary.rights import (
    PROHIBITION_ACTION_LABELS,
    PROHIBITION_PURPOSE_LABELS,
    PROHIBITION_SOURCE_LABELS,
    RECTIFICATION_DECISION_LABELS,
    VERIFICATION_SOURCE_LABELS,
)

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
                          choices=_choices(PROHIBITION_PURPOSE_LABELS, blank=_l("— choose —")),
                          validators=[InputRequired(_l("Choose what the prohibition concerns."))])
    action = SelectField(_l("What is recorded"),
                         choices=_choices(PROHIBITION_ACTION_LABELS, blank=_l("— choose —")),
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
                         choices=_choices(PROHIBITION_SOURCE_LABELS, blank=_l("— choose —")),
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
    kind = SelectField(_l("Customers"), default="", choices=_choices(
        CUSTOMER_KIND_PLURAL_LABELS, blank=_l("All customers")))
    postal_prefix = StringField(
        _l("Postal code begins with (optional)"),
        validators=[Optional(), Regexp(r"^[0-9]{1,5}$", message=_l(
            "Write one to five digits, e.g. 00 or 001, or leave the field empty."))],
        description=_l("E.g. 00 for Helsinki's postal codes 00…; empty for every postal code."),
    )
    purpose = SelectField(_l("Purpose of the list"), choices=_choices(PROHIBITION_PURPOSE_LABELS),
                          default="direct_marketing")
    # The choices the counts on the page were made for (the download checks them).
    counted = HiddenField()

    def key(self):
        """Return the choices as one text, to tell whether they changed since counting."""
        return "|".join(str(self[name].data or "")
                        for name in ("section", "language", "kind", "postal_prefix",
                                     "purpose"))


# --- rectification -------------------------------------------------------------------


class RectificationRequestForm(MakesOnce, RegisterForm):
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


VALUES_PREFIX = "new"


def field_label(name):
    """Return the translated label the register screens give a field called ``name``."""
    return FIELD_LABELS.get(name, name)


def _value_field(model, name):
    """Return an optional input for a new value of ``model.name``, checked as on its screen.

    The register screens' own field arguments (``forms.customers.screen_form_args``)
    give the label, the choices, the filters and the validators; the column's type gives
    the input.
    """
    args = screen_form_args(model).get(name, {})
    column = model._meta.fields[name]
    label = args.get("label") or field_label(name)
    checks = list(args.get("validators", ()))
    filters = tuple(args.get("filters", ()))  # spaces collapsed as on the screen
    validators = [Optional(), *checks]
    if getattr(column, "max_length", None):
        # After the screen's checks, which may reformat (a phone number to +358…): then
        # the input itself is not limited, what is typed may be longer than what is stored.
        length = Length(max=column.max_length)
        if checks:
            length.field_flags = {}
        validators.append(length)
    choices = args.get("choices") or column.choices
    if choices:
        return SelectField(label, validators=[Optional()], filters=filters,
                           choices=select_choices([("", _l("— no change —")), *choices]))
    if isinstance(column, pw.DateTimeField):
        return HelsinkiDateTimeField(label, validators=validators, filters=filters)
    if isinstance(column, pw.DateField):
        return DateField(label, validators=validators, filters=filters, render_kw=DATE_INPUT)
    if isinstance(column, pw.DecimalField):
        return DecimalField(label, places=column.decimal_places, filters=filters,
                            validators=[*validators, amount_fits(column)])
    if isinstance(column, pw.TextField):
        return TextAreaField(label, validators=validators, filters=filters,
                             render_kw={"rows": 2})
    return StringField(label, validators=validators, filters=filters)


class RowValuesForm(RegisterForm):
    """The new values asked for one row of the subject's data; an empty input asks for no
    change.

    ``stored`` holds the row's values now. A validator that reads another field of the row
    (a postal code reads the country) sees the row as it would be after the change: the
    typed value where there is one, else the stored one. Typed values are checked, and a
    stored value only when the typed ones make it wrong (an invoice dated after its stored
    due date): what the row as stored already fails is not the request's to mend.
    """

    stored = {}

    def typed(self):
        """Return the inputs that hold something (what the request asks for)."""
        return [field for field in self if _typed(field)]

    def validate(self, extra_validators=None):
        typed = {field.short_name for field in self.typed()}
        untyped = [field for field in self if field.short_name not in typed]
        wrong_as_stored = self._wrong_as_stored(typed, extra_validators)
        kept = {field.short_name: (field.data, field.raw_data) for field in untyped}
        for field in untyped:
            self._as_stored(field)
        super().validate(extra_validators)
        for field in untyped:
            field.data, field.raw_data = kept[field.short_name]
            if field.short_name in wrong_as_stored or self.stored.get(field.short_name) is None:
                field.errors = []
        return not any(field.errors for field in self)

    def _as_stored(self, field, empty_too=False):
        """Give ``field`` the row's stored value, as if typed (``Optional`` checks it then);
        ``empty_too``: an empty stored value as well."""
        value = self.stored.get(field.short_name)
        if value is not None:
            field.data, field.raw_data = value, [str(value)]
        elif empty_too:
            field.data, field.raw_data = None, []

    def _wrong_as_stored(self, typed, extra_validators):
        """Return the names of the fields the row as stored fails already (none typed)."""
        if not typed:
            return set()
        kept = {field.short_name: (field.data, field.raw_data) for field in self}
        for field in self:
            self._as_stored(field, empty_too=True)
        super().validate(extra_validators)
        wrong = {field.short_name for field in self if field.errors}
        for field in self:
            (field.data, field.raw_data), field.errors = kept[field.short_name], []
        return wrong


@functools.lru_cache(maxsize=256)
def _row_values_form_class(model, names):
    attributes = {name: _value_field(model, name) for name in names}
    return type(f"{model.__name__}Values", (RowValuesForm,), attributes)


def row_prefix(row_key):
    """Return the prefix of a row's inputs: ``new-address.12`` (its street is the input
    ``new-address.12-street``)."""
    return f"{VALUES_PREFIX}-{row_key}"


def target_of_input(name):
    """Return the target key (``address.12.street``) a posted input name stands for, or
    None when the name is not a new-value input."""
    head = f"{VALUES_PREFIX}-"
    if not name.startswith(head) or "-" not in name[len(head):]:
        return None
    row_key, field = name[len(head):].rsplit("-", 1)
    return f"{row_key}.{field}"


def row_values_form(model, row, names, formdata=None):
    """Return the form of new values for ``names`` of ``row`` (a ``model`` row)."""
    form = _row_values_form_class(model, tuple(names))(
        formdata=formdata, prefix=row_prefix(f"{model._meta.table_name}.{row.id}"))
    form.stored = {name: getattr(row, name, None) for name in names}
    return form


def value_text(field):
    """Return a checked input's value as a request keeps it (services.rectification.as_text)."""
    data = field.data
    if isinstance(data, str):
        return data.strip()
    return "" if data is None else str(as_text(data))


def check_changes(items):
    """Validate requested new values as the register screens do; return them as stored.

    ``items`` are ``(target, row, new value as text)`` (services.rectification.apply).
    Returns ``{target key: value}``; raises RegisterError naming the first field whose
    value is refused (a henkilötunnus included).
    """
    by_row = {}
    for target, row, text in items:
        by_row.setdefault(target.row_key, (target.model, row, []))[2].append((target, text))
    clean = {}
    for model, row, entries in by_row.values():
        prefix = row_prefix(f"{model._meta.table_name}.{row.id}")
        formdata = MultiDict({f"{prefix}-{target.field}": text for target, text in entries})
        # Every field of the row, so that a check reading another field finds it.
        names = [*correctable_fields(model, CATEGORIES), *(t.field for t, _ in entries)]
        form = row_values_form(model, row, list(dict.fromkeys(names)), formdata=formdata)
        if not form.validate():
            field = next(field for field in form if field.errors)
            raise RegisterError(
                N_("The new value of the field %(field)s is not accepted: %(error)s "
                   "Nothing was changed."),
                field=str(field.label.text), error=" ".join(map(str, field.errors)))
        for target, _text in entries:
            data = form[target.field].data
            clean[target.key] = data.strip() if isinstance(data, str) else data
        _refuse_birth_after_informing(row, form, [target.field for target, _ in entries])
    return clean


def _refuse_birth_after_informing(row, form, changed):
    """Refuse a new birth date after the time the person was informed, as the customer
    form does (the informing record stays; the birth date is what changes)."""
    if "birth_date" not in changed or getattr(row, "informed_at", None) is None:
        return
    values = {name: getattr(row, name, None) for name in informing_rules.RECORD_FIELDS}
    if informing_rules.AT in informing_rules.informing_problems(
            values, required=False, birth_date=form["birth_date"].data):
        raise RegisterError(
            N_("The new value of the field %(field)s is not accepted: %(error)s "
               "Nothing was changed."), field=str(form["birth_date"].label.text),
            error=str(_l(informing_rules.AT_BEFORE_BIRTH)))


def _typed(field):
    raw = field.raw_data[0] if field.raw_data else ""
    return isinstance(raw, str) and bool(raw.strip())


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
        choices=_choices(RECTIFICATION_DECISION_LABELS, blank=_l("— choose —")),
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
