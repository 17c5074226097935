"""The internal guidance every user acknowledges (seed §3, §18)."""

import functools

from database import write_transaction
from models import GuidanceAcknowledgement, GuidanceVersion, db
from services import audit, notifications, policy
from services.access.common import GUIDANCE_OBJECT_TYPE, InvalidField, MAX_GUIDANCE, _now
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.policy import NotAllowed


def may_publish(user):
    """Tell whether ``user`` may publish the guidance (the controller)."""
    return policy.may(user, "publish_guidance")


def current_guidance():
    """Return the newest published version of the guidance, or None."""
    return GuidanceVersion.select().order_by(GuidanceVersion.number.desc()).first()


def publish_guidance(actor, text, now=None):
    """Publish a new version of the guidance (the controller); return it.

    The publisher has read what they wrote: their acknowledgement is recorded with it.
    """
    if not may_publish(actor):
        raise NotAllowed(N_("Only the controller publishes the guidance."))
    moment = _now(now)
    text = (text or "").strip().replace("\r\n", "\n")
    if not text:
        raise InvalidField("text", N_("Write the guidance before publishing it."))
    if len(text) > MAX_GUIDANCE:
        raise InvalidField("text", N_("Shorten the guidance to at most %(max)s characters."),
                           max=MAX_GUIDANCE)
    message = refusal(text, message=N_(
        "A henkilötunnus (personal identity code) must not be stored in the register: "
        "remove it from the guidance."))
    if message:
        raise InvalidField("text", message)
    with write_transaction():
        current = current_guidance()
        if current is not None and current.text == text:
            raise InvalidField("text", N_(
                "The text is the same as in the current version: change it before publishing."))
        number = (current.number if current else 0) + 1
        version = GuidanceVersion.create(number=number, text=text, published_by=actor.id,
                                         published_at=moment)
        GuidanceAcknowledgement.create(user=actor.id, version=version.id,
                                       acknowledged_at=moment)
        audit.record("publish", actor=actor, object_type=GUIDANCE_OBJECT_TYPE,
                     object_id=version.number, fields=("text",), at=moment)
        notifications.guidance_published(version, actor=actor, now=moment)
    return version


def pending_guidance(user):
    """Return the current guidance if ``user`` has not acknowledged it yet, else None.

    One indexed query: it runs before every request of a logged-in user, so it is written
    as SQL once (peewee took 150 µs a request to build it, with its subquery).
    """
    row = db.execute_sql(_pending_sql(db.param), (user.id,)).fetchone()
    if row is None or row[1]:
        return None
    return GuidanceVersion.get_by_id(row[0])


@functools.lru_cache(maxsize=4)
def _pending_sql(param):
    """The newest version's id and whether ``param`` (the user's id) acknowledged it."""
    a, v = GuidanceAcknowledgement._meta, GuidanceVersion._meta
    return (f"SELECT v.{v.primary_key.column_name}, EXISTS (SELECT 1 FROM {a.table_name} AS a"
            f" WHERE a.{a.fields['version'].column_name} = v.{v.primary_key.column_name}"
            f" AND a.{a.fields['user'].column_name} = {param})"
            f" FROM {v.table_name} AS v ORDER BY v.{v.fields['number'].column_name} DESC"
            " LIMIT 1")


def acknowledge(user, version_id, now=None):
    """Record that ``user`` has read the guidance version ``version_id`` (the current one)."""
    moment = _now(now)
    current = current_guidance()
    if current is None or str(current.id) != str(version_id):
        raise RegisterError(N_(
            "A newer version of the guidance has been published meanwhile: read it and "
            "acknowledge it."))
    with write_transaction():
        exists = GuidanceAcknowledgement.select().where(
            (GuidanceAcknowledgement.user == user.id)
            & (GuidanceAcknowledgement.version == current.id)).exists()
        if not exists:
            GuidanceAcknowledgement.create(user=user.id, version=current.id,
                                           acknowledged_at=moment)
            audit.record("acknowledge", actor=user, object_type=GUIDANCE_OBJECT_TYPE,
                         object_id=current.number, at=moment)
    return current


def acknowledgements(user_ids=None):
    """Return ``{user_id: (version number, when)}``: the newest version each acknowledged."""
    query = (GuidanceAcknowledgement
             .select(GuidanceAcknowledgement.user, GuidanceVersion.number,
                     GuidanceAcknowledgement.acknowledged_at)
             .join(GuidanceVersion)
             .order_by(GuidanceVersion.number))
    if user_ids is not None:
        query = query.where(GuidanceAcknowledgement.user.in_(list(user_ids)))
    return {user_id: (number, at) for user_id, number, at in query.tuples()}
