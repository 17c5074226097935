"""The erasure decision's form (GDPR Art. 17): the day the request came and the decision."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields import BooleanField, DateField
from wtforms.validators import DataRequired, InputRequired

from forms.base import RegisterForm
from services.errors import N_
from services.localtime import helsinki_today

RECEIVED_MESSAGE = N_("Enter the date the request was received, e.g. %(example)s.")


class ErasureForm(RegisterForm):
    """When the subject asked, and the ticked decision; the first error is the page's."""

    received_on = DateField(_l("Request received on"), format=["%Y-%m-%d", "%d.%m.%Y"],
                            validators=[InputRequired()])
    confirmed = BooleanField(validators=[DataRequired(_l(
        "Tick the box to confirm that you have decided to erase this customer's data."))])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.received_on.errors and self.received_on.data is None:
            # Not a date at all: say how to write one, with today as the example.
            self.received_on.errors = [_(RECEIVED_MESSAGE,
                                         example=helsinki_today().strftime("%Y-%m-%d"))]
        return valid

    @property
    def first_error(self):
        """The one message the page shows: the date's before the tick's."""
        for field in (self.received_on, self.confirmed):
            if field.errors:
                return field.errors[0]
        return None
