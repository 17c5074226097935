"""Duties that come due (issue 17): the duty settings and the training records (seed §3,
§18). The rules are in services/duties/."""

import peewee as pw

from models.base import BaseModel, utcnow
from models.people import User


class DutySetting(BaseModel):
    """The months of one periodic duty (``name``: services.duties.settings.SETTINGS)."""

    name = pw.CharField(max_length=32, unique=True)
    months = pw.IntegerField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "duty_setting"


class TrainingSession(BaseModel):
    """A training the responsible person arranged: the day (Helsinki), topic, material."""

    held_on = pw.DateField(index=True)
    topic = pw.CharField(max_length=200)
    material_url = pw.CharField(max_length=500, null=True)
    recorded_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "training_session"


class TrainingAttendance(BaseModel):
    """One account's attendance of one training."""

    session = pw.ForeignKeyField(TrainingSession, backref="attendance", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE", index=False)

    class Meta:
        table_name = "training_attendance"
        indexes = ((("session", "user"), True), (("user",), False))
