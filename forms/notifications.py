"""The form of a user's own notification settings (the account page)."""

from flask_babel import lazy_gettext as _l
from wtforms.fields import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from forms.base import RegisterForm
from models.people import MAIL_LANGUAGES
from services.notifications import OPTIONAL_KINDS
from services.vocabulary.administration import LANGUAGE_NAMES
from services.vocabulary.notifications import NOTIFICATION_KIND_LABELS


class NotificationSettingsForm(RegisterForm):
    """Where the notifications go, in which language, and which are turned off."""

    email = StringField(
        _l("Work email"), validators=[Length(max=254)],
        description=_l("The register's notifications are sent here, e.g. "
                       "etunimi.sukunimi@hel.fi. Leave it empty to get none."))
    language = SelectField(
        _l("Language of the notifications"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in MAIL_LANGUAGES])
    kinds_off = SelectMultipleField(
        _l("Turn off these notifications"),
        choices=[SelectChoice(kind, NOTIFICATION_KIND_LABELS[kind]) for kind in OPTIONAL_KINDS],
        validate_choice=False,
        description=_l("New inspection and rectification requests have a legal deadline: "
                       "their notifications cannot be turned off."))
    daily_digest = BooleanField(
        _l("One message a day"),
        description=_l("Gather the notifications that have no legal deadline into one message "
                       "each morning. New inspection and rectification requests and their "
                       "deadlines still come at once."))
