"""The register's own form fields.

``HelsinkiDateTimeField``, the one field for a date and time a person types: Helsinki time
in, naive UTC out. Every form of the register uses it — the custom pages' forms and
Flask-Admin's generated ones (``admin_views.base.RegisterModelConverter`` makes it of every
``DateTimeField``) — so a time is never stored as typed, and a stored time is never shown
as stored.

``ModelChoiceField``, the generated forms' field of a model field with choices: wtfpeewee's,
checking the chosen value by a lookup instead of rendering every option. ``AmountField``
reads "1 000,50" as people write an amount, ``RegisterDateField`` "1.2.1980" as well as
what a date input sends; ``TypedRequired`` keeps a typed value's own error.
"""

import datetime
import functools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields import DateField, DateTimeLocalField, DecimalField
from wtforms.validators import StopValidation, ValidationError
from wtfpeewee.fields import SelectChoicesField
from wtfpeewee.orm import ValueRequired

from services.inputs import FIRST_YEAR, LAST_YEAR, YEAR_MESSAGE
from services.localtime import TypedTimeError, from_helsinki_typed, to_helsinki

# What a date input sends first, then a date as people write it in Finland.
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
# What a datetime-local input sends first, then what people write by hand.
FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
           "%d.%m.%Y %H:%M", "%d.%m.%Y %H.%M", "%d.%m.%Y klo %H.%M", "%d.%m.%Y kl. %H.%M"]


class HelsinkiDateTimeField(DateTimeLocalField):
    """A date and time typed in Helsinki time; ``data`` is the moment as naive UTC.

    A stored (naive UTC) value shows in Helsinki time. Empty is None (a required field says
    so through its validator). A text that is no date and time, a year outside 1900–2100 and
    a wall time that names no moment (the hour skipped when summer time starts) are form
    errors, never a crash; the hour shown twice when it ends is read as
    ``services.localtime.from_helsinki_typed`` says. A required one takes
    ``InputRequired``: ``DataRequired`` would replace the message that says what is wrong.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", FORMATS)
        kwargs.setdefault("invalid_value_message", _l(
            "Write the date and time as day.month.year hours:minutes, e.g. 25.11.2026 14:30."))
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        local = to_helsinki(self.data)
        # To the minute, as typed; a stored time with seconds keeps them (a form saved
        # unchanged must not move the time).
        return local.strftime(self.format[0] if not local.second else "%Y-%m-%dT%H:%M:%S")

    def process_formdata(self, valuelist):
        text = " ".join(valuelist or []).strip()
        self.data = None
        if not text:
            # Blank is empty: InputRequired reads what was typed, and a space would pass it
            # with no time at all (a service would then take "now").
            self.raw_data = [""] if valuelist else valuelist
            return
        self.data = typed_moment(text, tuple(self.strptime_format),
                                 str(self.invalid_value_message))


def typed_moment(text, patterns=tuple(FORMATS), invalid=None):
    """Return ``text``, a date and time typed in Helsinki time, as the naive UTC moment it
    names; raise ValueError with a message saying what to do (``invalid`` when it is no
    date and time)."""
    local = _typed(text.strip(), patterns)
    if local is None:
        raise ValueError(invalid or _("Write the date and time as day.month.year "
                                      "hours:minutes, e.g. 25.11.2026 14:30."))
    try:
        return from_helsinki_typed(local)
    except TypedTimeError as error:
        raise ValueError(typed_time_message(error)) from None


@functools.lru_cache(maxsize=1024)  # an import's rows share one informing time
def _typed(text, patterns):
    """Return ``text`` read by the first of ``patterns`` that fits it, or None."""
    for pattern in patterns:
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def typed_time_message(error):
    """Return what to do about a typed time that names no moment."""
    if error.problem == "years":
        return _(YEAR_MESSAGE, first=FIRST_YEAR, last=LAST_YEAR)
    return _("There was no %(time)s in Helsinki: the clocks were turned forward from 03:00 "
             "to 04:00 that night. Check the time.", time=error.local.strftime("%d.%m.%Y %H:%M"))


class ModelChoiceField(SelectChoicesField):
    """wtfpeewee's field of a model field's choices, whose check of the chosen value looks
    it up among the choices' values (kept while the choices stay the same list) instead of
    rendering every option to find the selected one: the same answer, the same message."""

    _allowed_for = _allowed = None

    def pre_validate(self, form):
        if self.allow_blank and self.data is None:
            return
        if (self.process_errors or not self.validate_choice
                or not isinstance(self.choices, (list, tuple))):
            return super().pre_validate(form)
        if self._allowed_for is not self.choices:
            values = [choice[0] for choice in self.iter_choices()
                      if not (self.allow_blank and choice[0] == "__None")]
            self._allowed = frozenset(self.coerce(value) for value in values)
            self._allowed_for = self.choices
        try:
            allowed = self.data in self._allowed
        except TypeError:  # a value that cannot be looked up: the stock check decides
            return super().pre_validate(form)
        if not allowed:
            raise ValidationError(self.invalid_choice_message
                                  or self.gettext("Not a valid choice."))


class AmountField(DecimalField):
    """An amount in euros as people write it: "1 000,50" (Finnish and Swedish) or
    "1000.50"; the generated forms' field of every ``DecimalField``. Unreadable, it says
    how to write one (the message gave "249,90" as its example, and a comma was refused).
    """

    def process_formdata(self, valuelist):
        if valuelist:
            text = "".join(valuelist[0].split())  # spaces between the thousands
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            valuelist = [text]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Write an amount in euros, e.g. 249.90.")) from None


class TypedRequired(ValueRequired):
    """wtfpeewee's ``ValueRequired`` of a column that is not null, but a value typed and
    not understood keeps its own message ("write the date as …"): it was replaced by
    "required", although something was typed."""

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()  # the field's own error stays, the only one
        super().__call__(form, field)


class RegisterDateField(DateField):
    """A date of a generated form: as the date input sends it, or as "1.2.1980" (Finnish
    and Swedish); not understood, it says how to write one (WTForms said only "not a valid
    date value")."""

    def __init__(self, label=None, validators=None, format=None, **kwargs):
        super().__init__(label, validators, format=format or DATE_FORMATS, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Write the date as day.month.year, e.g. 1.2.1980.")) from None
