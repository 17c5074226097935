"""The forms of the disclosure pages: preparing, choosing customers, the controller's
decision and the allowed recipients."""

from flask_babel import lazy_gettext as _l
from wtforms.fields import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import MakesOnce, RegisterForm
from services import disclosures as rules


class PrepareForm(MakesOnce, RegisterForm):
    """The recipient, purpose and legal basis of a new disclosure."""

    # The service says why a recipient not on the list is refused, not a bare "not a
    # valid choice".
    recipient = SelectField(_l("Recipient"), validate_choice=False, validators=[
        DataRequired(_l("Choose the recipient from the list of allowed recipients."))])
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[DataRequired(_l("Write the purpose: what the recipient needs the data "
                                    "for.")), Length(max=rules.MAX_TEXT)],
        description=_l("What the recipient needs the data for, e.g. paying the invoices of "
                       "the first quarter."))
    legal_basis = TextAreaField(
        _l("Legal basis"),
        validators=[DataRequired(_l("Write the legal basis of the disclosure.")),
                    Length(max=rules.MAX_TEXT)],
        description=_l("The provision that allows the disclosure, e.g. GDPR Art. 6(1)(c) "
                       "and the Accounting Act (1336/1997)."))


class CustomerListForm(RegisterForm):
    """Customers named by a pasted list."""

    numbers = TextAreaField(
        _l("Customer numbers or business IDs"),
        validators=[Length(max=100000)],
        description=_l("One per line, or separated by commas. A business ID (Y-tunnus) is "
                       "written with its hyphen, e.g. 1234567-8."))


class InvoicePeriodForm(RegisterForm):
    """Every customer invoiced in a period: the usual set for accounts payable."""

    first_day = DateField(_l("First invoice date"), validators=[
        DataRequired(_l("Give the first day as a date, e.g. 2026-01-01."))])
    last_day = DateField(_l("Last invoice date"), validators=[
        DataRequired(_l("Give the last day as a date, e.g. 2026-03-31."))])


class DecisionForm(RegisterForm):
    """Approving or refusing; a refusal needs its reason."""

    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=rules.MAX_TEXT)],
        description=_l("Required when refusing. It is kept with the disclosure."))
    version = HiddenField()


class RecipientForm(RegisterForm):
    """A new allowed recipient, named in the register's three languages."""

    name_fi = StringField(_l("Name in Finnish"), validators=[
        DataRequired(_l("Give the recipient's name in Finnish.")), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[Length(max=200)],
                          description=_l("Empty: the Finnish name is used."))
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)],
                          description=_l("Empty: the Finnish name is used."))
