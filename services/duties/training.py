"""Training (seed §3, §18): the responsible person records each training session and who
attended; every account's last training, and whether it is older than the setting
``training_valid`` allows."""

import datetime

import peewee as pw

import database
from models import TrainingAttendance, TrainingSession, User, utcnow
from services import audit, policy
from services.duties.dates import add_months
from services.duties.settings import TRAINING_VALID, months
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.inputs import FIRST_YEAR, LAST_YEAR, has_unstorable, iso_date, parse_id
from services.localtime import helsinki_today
from services.policy import NotAllowed

AUDIT_OBJECT_TYPE = "training"
MAX_TOPIC, MAX_URL = 200, 500


class TrainingError(RegisterError):
    """A training that cannot be recorded; ``field`` names the form field."""

    def __init__(self, field, message, **params):
        super().__init__(message, **params)
        self.field = field


def may_record(user):
    """Tell whether ``user`` records training sessions (the responsible person)."""
    return policy.may(user, "record_training")


def _held_on(value, now):
    day = iso_date(value)
    if day is None:
        raise TrainingError("held_on", N_("Give the day of the training, e.g. 2026-03-15."))
    if not FIRST_YEAR <= day.year <= LAST_YEAR or day > helsinki_today(now):
        raise TrainingError("held_on", N_("Give a day of a training already held: not a "
                                          "day in the future."))
    return day


def _text(field, value, limit, required):
    text = " ".join(str(value or "").split())
    if required and not text:
        raise TrainingError(field, N_("Write the topic of the training."))
    if len(text) > limit or has_unstorable(text):
        raise TrainingError(field, N_("Shorten the text to at most %(max)s characters."),
                            max=limit)
    message = refusal(text)
    if message:
        raise TrainingError(field, message)
    return text


def _material(value):
    url = _text("material_url", value, MAX_URL, False)
    if url and not url.startswith(("https://", "http://")):
        raise TrainingError("material_url", N_("Give the material as a web address "
                                               "beginning with https://, or leave it empty."))
    return url or None


def _attendees(user_ids):
    ids = sorted({i for i in map(parse_id, user_ids or ()) if i})
    if not ids:
        raise TrainingError("attended", N_("Choose who attended the training."))
    found = [u.id for u in User.select(User.id).where(User.id.in_(ids)
                                                      & User.username.is_null(False))]
    if len(found) != len(ids):
        raise TrainingError("attended", N_("Choose the attendees from the list."))
    return found


def record_session(actor, held_on, topic, material_url, user_ids, now=None):
    """Record a training held on ``held_on`` (ISO day, Helsinki) and its attendees."""
    if not may_record(actor):
        raise NotAllowed(N_("Only the responsible person records training."))
    day = _held_on(held_on, now)
    topic = _text("topic", topic, MAX_TOPIC, True)
    material = _material(material_url)
    ids = _attendees(user_ids)
    with database.write_transaction():
        session = TrainingSession.create(held_on=day, topic=topic, material_url=material,
                                         recorded_by=actor.id, recorded_at=utcnow())
        TrainingAttendance.insert_many([(session.id, i) for i in ids], fields=[
            TrainingAttendance.session, TrainingAttendance.user]).execute()
        audit.record("create", actor, object_type=AUDIT_OBJECT_TYPE, object_id=session.id,
                     fields=["held_on", "topic", "material_url", "attendance"])
    return session


def sessions(limit=50):
    """Return the newest training sessions with their attendee counts."""
    return list(TrainingSession.select(TrainingSession, pw.fn.COUNT(
        TrainingAttendance.id).alias("attended"))
        .join(TrainingAttendance, pw.JOIN.LEFT_OUTER).group_by(TrainingSession.id)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc()).limit(limit))


def last_training(user_ids):
    """Return ``{user id: the day of their last training}`` of those with any."""
    ids = list(user_ids)
    if not ids:
        return {}
    query = (TrainingAttendance.select(TrainingAttendance.user,
                                       pw.fn.MAX(TrainingSession.held_on).alias("last"))
             .join(TrainingSession).where(TrainingAttendance.user.in_(ids))
             .group_by(TrainingAttendance.user).tuples())
    found = {}
    for user_id, last in query:
        found[user_id] = (datetime.date.fromisoformat(last) if isinstance(last, str)
                          else last)
    return found


def training_cutoff(now=None):
    """Return the first day a training still counts on (today minus the setting)."""
    return add_months(helsinki_today(now), -months(TRAINING_VALID))


def untrained(last, cutoff):
    """Tell whether an account whose last training was ``last`` (or None) is flagged."""
    return last is None or last < cutoff
