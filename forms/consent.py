"""Forms of the marketing consent page (seed §16; Act 917/2014 §200): record a consent,
withdraw one."""

from flask_babel import lazy_gettext as _l
from wtforms.fields import DateField, SelectField
from wtforms.validators import InputRequired

from forms.base import RegisterForm
from forms.data_rights import DATE_INPUT, select_choices
from services.consent import CURRENT_WORDING
from services.vocabulary.rights import (
    CONSENT_CHANNEL_LABELS,
    CONSENT_METHOD_LABELS,
    CONSENT_WORDINGS,
)

CHOOSE = _l("— choose —")


class ConsentForm(RegisterForm):
    """Record a consent a private person gave to one channel."""

    channel = SelectField(
        _l("Consent to"),
        choices=select_choices([("", CHOOSE), *CONSENT_CHANNEL_LABELS.items()]),
        validators=[InputRequired(_l("Choose the channel of the consent: email or SMS."))])
    given_on = DateField(
        _l("Consent given on"),
        validators=[InputRequired(_l("Enter the date the consent was given, e.g. today."))],
        render_kw=DATE_INPUT,
        description=_l("Today or an earlier date, e.g. the date of the form or the email."))
    given_how = SelectField(
        _l("How the person gave it"),
        choices=select_choices([("", CHOOSE), *CONSENT_METHOD_LABELS.items()]),
        validators=[InputRequired(_l("Choose how the person gave the consent."))])
    wording_version = SelectField(
        _l("Consent text shown to the person"),
        choices=select_choices((code, code) for code in CONSENT_WORDINGS),
        default=CURRENT_WORDING,
        validators=[InputRequired(
            _l("Choose the version of the consent text the person was shown."))],
        description=_l("The version of the text the person agreed to; the texts are shown "
                       "above."))


class WithdrawalForm(RegisterForm):
    """Withdraw a consent in force: how the person told it (one click)."""

    how = SelectField(
        _l("How the person withdrew it"),
        choices=select_choices(CONSENT_METHOD_LABELS.items()),
        validators=[InputRequired(_l("Choose how the person withdrew the consent."))])
