"""The base form of every register screen: keeps any henkilötunnus out of every text field."""

from flask_admin.form import BaseForm
from flask_babel import gettext as _
from wtforms.fields import FieldList, FormField, StringField, TextAreaField

from services.errors import N_
from services.hetu import refusal

FIELD_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in the "
                   "register: remove it from the field %(field)s.")
# When the code was written without its century sign, as ten digits of a phone number.
FIELD_NO_SIGN_MESSAGE = N_("A henkilötunnus (personal identity code) must not be stored in "
                           "the register: remove it from the field %(field)s. If it is a "
                           "phone number, write it with spaces between the groups, e.g. "
                           "040 123 4567 (ten digits written together can be a "
                           "henkilötunnus).")


def text_fields(form):
    """Yield every text field of ``form``, descending into inline and nested forms."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from text_fields(entry.form) if hasattr(entry, "form") else ()
        elif isinstance(field, FormField):
            yield from text_fields(field.form)
        elif isinstance(field, (StringField, TextAreaField)) and field.type != "CSRFTokenField":
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


class RegisterForm(BaseForm):
    """Flask-Admin's form with the henkilötunnus guard over all its text fields."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return refuse_hetu(self) and valid
