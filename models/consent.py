"""Direct marketing consent (seed §16; Act on Electronic Communications Services 917/2014
§200): a private person's prior consent to email and SMS marketing."""

import peewee as pw

from models.base import BaseModel, choices, utcnow
from models.people import User
from models.register import Customer

# The electronic channels that need a private person's prior consent: the marketing
# list's email (the "email" channel) and mobile number (the "sms" channel).
CONSENT_CHANNELS = ("email", "sms")
# How the person gave (or withdrew) the consent.
CONSENT_METHODS = ("in_person", "paper_form", "web_form", "email", "letter", "phone")


class MarketingConsent(BaseModel):
    """One consent of a private person to direct marketing through one channel.

    A consent is in force until it is withdrawn: the withdrawal fills ``withdrawn_at`` (and
    who recorded it and how the person told it) and never deletes the row, and a consent
    given again afterwards is a new row, so the history stays. At most one row of a
    customer and channel is in force (a partial unique index, migration 021).
    ``wording_version`` names the consent text shown to the person
    (services.vocabulary.rights.CONSENT_WORDINGS).
    """

    customer = pw.ForeignKeyField(Customer, backref="marketing_consents", on_delete="CASCADE")
    channel = pw.CharField(max_length=8, choices=choices(CONSENT_CHANNELS))
    given_on = pw.DateField()
    given_how = pw.CharField(max_length=16, choices=choices(CONSENT_METHODS))
    wording_version = pw.CharField(max_length=16)
    recorded_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    recorded_at = pw.DateTimeField(default=utcnow)
    withdrawn_at = pw.DateTimeField(null=True)
    withdrawn_how = pw.CharField(max_length=16, null=True, choices=choices(CONSENT_METHODS))
    withdrawn_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "marketing_consent"

    @classmethod
    def in_force(cls):
        """Return the condition of a row in force (not withdrawn)."""
        return cls.withdrawn_at.is_null()
