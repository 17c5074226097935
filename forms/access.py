"""Forms of the access pages (seed §3, §4, §9, §18): asking access, deciding and
implementing a request, ending access and publishing the guidance.

Each is a ``RegisterForm``, so no text field accepts a henkilötunnus; the limits are the
services' own (``services.access``).
"""

from flask_babel import lazy_gettext as _l
from wtforms.fields import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from forms.base import MakesOnce, RegisterForm
from services import access as rules


class RequestForm(MakesOnce, RegisterForm):
    """Access for whom, which role and sections, and why."""

    account = SelectField(
        _l("Account"), validate_choice=False,
        description=_l("Choose “A new account” for a person who has no account, or the "
                       "existing account whose role and sections should change."))
    person_name = StringField(
        _l("Name of the person"), validators=[Length(max=200)],
        description=_l("For a new account: the person's first and last name."))
    email = StringField(
        _l("Work email"), validators=[Length(max=254)],
        description=_l("For a new account, e.g. etunimi.sukunimi@hel.fi."))
    role = SelectField(_l("Role"), validate_choice=False,
                       validators=[DataRequired(_l("Choose the role."))])
    sections = SelectMultipleField(_l("Sections"), validate_choice=False)
    reason = TextAreaField(
        _l("Why the access is needed"),
        validators=[DataRequired(_l("Write why the person needs this access.")),
                    Length(max=rules.MAX_TEXT)],
        description=_l("The duties the access is needed for, e.g. customer service at the "
                       "tourist information from 1 December."))


class DecisionForm(RegisterForm):
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=rules.MAX_TEXT)],
        description=_l("Required when refusing. It is kept with the request."))


class ImplementForm(RegisterForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Give the username.")), Length(max=64)],
        description=_l("Lower-case letters a–z, digits, dots, hyphens or underscores, e.g. "
                       "etunimi.sukunimi."))


class EndForm(RegisterForm):
    ended_on = DateField(
        _l("Day the duties ended"),
        validators=[DataRequired(_l("Give the day the duties ended as a date, e.g. "
                                    "2026-11-30."))])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write the reason the access ends, e.g. the person "
                                    "moved to other duties.")), Length(max=rules.MAX_TEXT)],
        description=_l("E.g. moved to other duties, employment ended."))


class GuidanceForm(RegisterForm):
    text = TextAreaField(
        _l("Text of the guidance"),
        validators=[DataRequired(_l("Write the guidance before publishing it.")),
                    Length(max=rules.MAX_GUIDANCE)],
        description=_l("Plain text; an empty line starts a new paragraph. Every user must "
                       "acknowledge the new version when they next use the register."))

