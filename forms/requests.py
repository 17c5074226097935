"""Forms of the inspection request pages (seed §14).

Each is a ``RegisterForm``, so no text field accepts a henkilötunnus. Times are typed in
Helsinki time (``forms.fields.HelsinkiDateTimeField``), whose data is UTC for the service.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import validators as v
from forms.base import MakesOnce, RegisterForm, refuse_hetu
from forms.fields import HelsinkiDateTimeField
from services.vocabulary.rights import (
    DELIVERY_METHOD_LABELS,
    IDENTITY_METHOD_LABELS,
    REPORT_LANGUAGE_LABELS,
    REQUEST_CHANNEL_LABELS,
)


def choice(value, label):
    """Return one option of a select field."""
    return SelectChoice(value, label)


BLANK = choice("", "—")


def _options(labels, blank=True):
    options = [choice(code, label) for code, label in labels.items()]
    return [BLANK, *options] if blank else options


def _birth_date_field():
    return DateField(
        _l("Birth date"),
        validators=[Optional(), v.birth_date],
        invalid_value_message=_l("Write the birth date as day.month.year, e.g. 13.10.1952."),
        format=["%Y-%m-%d", "%d.%m.%Y"],
    )


class _SubjectDetails:
    """What, besides the name, tells the subject apart: at least one is needed."""

    birth_date = _birth_date_field()
    email = EmailField(_l("Email"), validators=[Length(max=254), v.email_address])
    phone = StringField(_l("Phone"), validators=[Length(max=32), v.phone_number])
    business_id = StringField(_l("Business ID (Y-tunnus)"), validators=[v.business_id],
                              description=_l("Of the company whose contact person the "
                                             "requester is, or of the requester's own firm."))

    DETAILS = ("birth_date", "email", "phone", "business_id")

    def has_detail(self):
        """Tell whether a detail besides the name is given; say what to do if not."""
        if any(getattr(self, name).data for name in self.DETAILS):
            return True
        self.birth_date.errors = list(self.birth_date.errors) + [
            _("Give at least one of these with the name: birth date, email, phone number or "
              "business ID (Y-tunnus).")]
        return False


class RequestForm(MakesOnce, RegisterForm):
    """Registering a request as it was received."""

    received_at = HelsinkiDateTimeField(
        _l("Received"),
        validators=[InputRequired(_l("Write when the request was received.")), v.not_in_future],
        description=_l("Helsinki time. The request is due one week from this."))
    channel = SelectField(_l("How the request was made"),
                          choices=_options(REQUEST_CHANNEL_LABELS),
                          validators=[DataRequired(_l("Choose how the request was made."))])
    requester_name = StringField(
        _l("Requester's name"),
        validators=[DataRequired(_l("Write the requester's name.")), Length(max=200)])
    requester_contact = TextAreaField(
        _l("Requester's contact details"), validators=[Length(max=2000)],
        description=_l("Where the report is sent: postal address or email. No personal "
                       "identity code."))
    description = TextAreaField(_l("What the requester asks"), validators=[Length(max=4000)])
    sections = SelectMultipleField(
        _l("Sections the request concerns"), choices=[],
        validators=[DataRequired(_l("Choose the sections the request concerns."))],
        description=_l("The request is handled in one part a section, each by that section's "
                       "handler. A request to see one's data in the register concerns every "
                       "section."))
    language = SelectField(_l("Language of the report"),
                           choices=_options(REPORT_LANGUAGE_LABELS, blank=False), default="fi")


class IdentityForm(RegisterForm):
    """How, when and by whom the requester's identity was checked."""

    method = SelectField(
        _l("How the identity was checked"), choices=_options(IDENTITY_METHOD_LABELS),
        validators=[DataRequired(_l("Choose how the requester's identity was checked."))])
    note = TextAreaField(_l("Note on the identity check"), validators=[Length(max=2000)],
                         description=_l("E.g. which document was seen. No personal identity "
                                        "code or document number."))
    checked_at = HelsinkiDateTimeField(
        _l("Checked at"),
        validators=[InputRequired(_l("Write when the identity was checked.")), v.not_in_future],
        description=_l("Helsinki time."))
    version = HiddenField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.method.data == "other" and not (self.note.data or "").strip():
            self.note.errors = list(self.note.errors) + [
                _("Describe in the note how the identity was checked.")]
            valid = False
        return valid


class SubjectSearchForm(_SubjectDetails, RegisterForm):
    """A search for the requester's records in the request's section."""

    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Write the name to search for.")), Length(max=200)],
        description=_l("First and last name, as whole words: a record is found when every "
                       "word is one of its names."))
    version = HiddenField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.has_detail() and valid


class DecisionForm(RegisterForm):
    """Approving or refusing; a refusal needs its reason."""

    reason = TextAreaField(
        _l("Reason"), validators=[Length(max=4000)],
        description=_l("Required when refusing: the requester is told it in the report letter."))
    version = HiddenField()


class DeliveryForm(RegisterForm):
    """When, how and by whom the report was delivered."""

    method = SelectField(
        _l("How it was delivered"), choices=_options(DELIVERY_METHOD_LABELS),
        validators=[DataRequired(_l("Choose how the report was delivered."))])
    delivered_at = HelsinkiDateTimeField(
        _l("Delivered at"),
        validators=[InputRequired(_l("Write when the report was delivered.")), v.not_in_future],
        description=_l("Helsinki time."))
    version = HiddenField()


class VersionForm(RegisterForm):
    """A button's form: only the version the user saw (removing a record, reviewing)."""

    version = HiddenField()


class OnSiteForm(_SubjectDetails, MakesOnce, RegisterForm):
    """An oral request on site, served at once: requester, identity and records in one form."""

    requester_name = StringField(
        _l("Requester's name"),
        validators=[DataRequired(_l("Write the requester's name.")), Length(max=200)],
        description=_l("The records are searched by this name."))
    requester_contact = TextAreaField(_l("Requester's contact details"),
                                      validators=[Length(max=2000)])
    description = TextAreaField(_l("What the requester asks"), validators=[Length(max=4000)])
    section = SelectField(
        _l("Section served now"), choices=[BLANK],
        validators=[DataRequired(_l("Choose the section whose records you serve now."))],
        description=_l("One of the sections you work in: only its records are searched and "
                       "reported now."))
    other_parts = BooleanField(
        _l("Register the request for the other sections too"), default=True,
        description=_l("Their handlers search their records and answer within a week. The "
                       "identity check you record now is carried over."))
    language = SelectField(_l("Language of the report"),
                           choices=_options(REPORT_LANGUAGE_LABELS, blank=False), default="fi")
    identity_method = SelectField(
        _l("How the identity was checked"), choices=_options(IDENTITY_METHOD_LABELS),
        validators=[DataRequired(_l("Choose how the requester's identity was checked."))])
    identity_note = TextAreaField(
        _l("Note on the identity check"), validators=[Length(max=2000)],
        description=_l("E.g. which document was seen. No personal identity code or document "
                       "number."))

    def validate_search(self):
        """Check only what a search needs: the section, the name and a detail (and no
        henkilötunnus)."""
        valid = all([self[name].validate(self)
                     for name in ("section", "requester_name", *self.DETAILS)])
        valid = refuse_hetu(self) and valid
        return self.has_detail() and valid

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.identity_method.data == "other" and not (self.identity_note.data or "").strip():
            self.identity_note.errors = list(self.identity_note.errors) + [
                _("Describe in the note how the identity was checked.")]
            valid = False
        return valid
