"""The base form of every register screen: keeps any henkilötunnus out of every text field,
and every date within the register's years."""

from flask_admin.form import BaseForm
from flask_babel import gettext as _
from wtforms.fields import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)

from services.errors import N_
from services.hetu import refusal
from services.inputs import FIRST_YEAR, LAST_YEAR, YEAR_MESSAGE, year_in_range
from services.once import new_token

FIELD_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in the "
                   "register: remove it from the field %(field)s.")
# When the code was written without its century sign, as ten digits of a phone number.
FIELD_NO_SIGN_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in "
                           "the register: remove it from the field %(field)s. If it is a "
                           "phone number, write it with spaces between the groups, e.g. "
                           "040 123 4567 (ten digits written together can be a "
                           "henkilötunnus).")


def fields_of(form, kinds):
    """Yield every field of ``form`` of the classes ``kinds``, descending into inline and
    nested forms."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from fields_of(entry.form, kinds) if hasattr(entry, "form") else ()
        elif isinstance(field, FormField):
            yield from fields_of(field.form, kinds)
        elif isinstance(field, kinds):
            yield field


def error_links(form):
    """Return ``[(field id, label, message)]`` of the errors of ``form``, its inline rows'
    included ("Osoitteet #2: Postinumero"), in the form's order: the error summary's
    links (templates/admin/register_lib.html). Hidden fields are left out."""
    found = []
    for field in form:
        if isinstance(field, FieldList):
            found += [(field.id, str(field.label.text), message) for message in field.errors
                      if isinstance(message, str)]
            for number, entry in enumerate(field.entries, start=1):
                if hasattr(entry, "form"):
                    found += [(sub_id, f"{field.label.text} #{number}: {label}", message)
                              for sub_id, label, message in error_links(entry.form)]
        elif isinstance(field, FormField):
            found += error_links(field.form)
        elif getattr(field.widget, "input_type", None) != "hidden":
            found += [(field.id, str(field.label.text), str(message))
                      for message in field.errors if not isinstance(message, (dict, list))]
    return found


def text_fields(form):
    """Yield every text field of ``form``, descending into inline and nested forms."""
    for field in fields_of(form, (StringField, TextAreaField)):
        if field.type != "CSRFTokenField":
            yield field


def refuse_hetu(form):
    """Add an error to each text field holding a henkilötunnus; tell whether none did."""
    clean = True
    for field in text_fields(form):
        # What was typed, too: a validator may already have reformatted the data.
        message = refusal(field.data, *(field.raw_data or []), message=FIELD_MESSAGE,
                          no_sign_message=FIELD_NO_SIGN_MESSAGE)
        if message:
            field.errors = list(field.errors) + [_(message, field=field.label.text)]
            clean = False
    return clean


def refuse_far_dates(form):
    """Add an error to each date field with a year outside FIRST_YEAR … LAST_YEAR (a date
    near either end of the calendar overflows in date arithmetic: services/inputs.py);
    tell whether none had one. Date-and-time fields are their own field class's concern."""
    clean = True
    for field in fields_of(form, DateField):
        if field.data is not None and not field.errors and not year_in_range(field.data):
            field.errors = list(field.errors) + [_(YEAR_MESSAGE, first=FIRST_YEAR,
                                                     last=LAST_YEAR)]
            clean = False
    return clean


class MakesOnce:
    """A form that makes something: its token makes it once however often it is sent
    (services/once.py). A refused form keeps the token it was sent with."""

    sent = HiddenField(default=new_token)


class RegisterForm(BaseForm):
    """Flask-Admin's form with the register's guards over all its fields."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        no_hetu = refuse_hetu(self)
        return refuse_far_dates(self) and no_hetu and valid
