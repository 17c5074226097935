"""The controller's settings (seed §17) and the published register description (§13).

The settings are one JSON document, versioned: every save is a new row, so each version
stays as it was saved, with who saved it and when. A publication freezes a settings
version together with the live configuration it was published with (sections, their data
categories, recipients, retention periods, roles): the public register description and
privacy notice of that publication read only its snapshot, so a published version reads
the same for ever at its own address.
"""

import json

import peewee as pw

from models.base import BaseModel, utcnow
from models.people import User


class ControllerSettings(BaseModel):
    """One saved version of the controller's settings document."""

    number = pw.IntegerField(unique=True)  # 1, 2, …: one a save
    document = pw.TextField()  # JSON; its shape is services.register_settings.schema
    saved_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    saved_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "controller_settings"

    @property
    def data(self):
        """Return the document as a dict."""
        return json.loads(self.document)


class Publication(BaseModel):
    """A published register description and privacy notice: number, date and snapshot."""

    number = pw.IntegerField(unique=True)
    settings_number = pw.IntegerField()  # the ControllerSettings it froze
    snapshot = pw.TextField()  # JSON: {"settings": …, "live": …}
    published_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    published_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "register_publication"

    @property
    def data(self):
        """Return the snapshot as a dict."""
        return json.loads(self.snapshot)
