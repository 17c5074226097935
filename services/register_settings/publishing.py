"""Publishing the register description and privacy notice (seed §13).

A publication freezes the newest settings version together with the live configuration
(``live_configuration``): the sections and their data categories, the allowed recipients,
the retention periods and the roles. The public pages read only a publication's snapshot,
so every published version reads as it was published, at its own address, for ever.
"""

import json

import peewee as pw

import database
from models import (
    CATEGORIES,
    ROLES,
    DisclosureRecipient,
    Publication,
    RecordRetention,
    Section,
    db,
)
from services import audit
from services.errors import N_, RegisterError
from services.register_settings.saving import current
from services.retention.settings import ACCOUNTING_YEARS, policy_months

OBJECT_TYPE = "register_publication"

NOTHING_NEW = N_("Nothing has changed since the version published last: there is nothing "
                 "new to publish.")


def live_configuration():
    """Return what the register is configured with now, as the publication keeps it.

    Codes only where the register's vocabulary names them (data categories, roles, the
    kinds of the register's own records); the names of sections and recipients as they
    are stored.
    """
    months = policy_months()
    sections = [
        {"code": s.code, "name": {"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en},
         "categories": [c for c in CATEGORIES if c in s.category_set and c != "record"],
         "retention_months": months.get(s.id)}
        for s in Section.select().order_by(Section.id)]
    recipients = [
        {"name": {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}}
        for r in DisclosureRecipient.select().where(DisclosureRecipient.active == True)  # noqa: E712
        .order_by(DisclosureRecipient.name_fi)]
    records = [{"kind": rule.kind, "months": rule.months}
               for rule in RecordRetention.select().order_by(RecordRetention.id)]
    return {"sections": sections, "recipients": recipients,
            "accounting_years": ACCOUNTING_YEARS, "record_retention": records,
            "roles": list(ROLES)}


def snapshot():
    """Return what a publication made now would freeze."""
    settings = current()
    return {"settings_number": settings.number, "settings": settings.data,
            "live": live_configuration()}


def latest():
    """Return the newest publication, or None before the first."""
    return Publication.select().order_by(Publication.number.desc()).first()


def publication(number):
    """Return publication ``number`` or None."""
    return Publication.get_or_none(Publication.number == number)


def publications():
    """Return every publication, newest first (their numbers and dates)."""
    return list(Publication.select(Publication.number, Publication.published_at,
                                   Publication.settings_number)
                .order_by(Publication.number.desc()))


def previous(pub):
    """Return the publication before ``pub``, or None for the first."""
    return (Publication.select().where(Publication.number < pub.number)
            .order_by(Publication.number.desc()).first())


def in_force(moment):
    """Return the publication in force at ``moment`` (naive UTC), or None."""
    return (Publication.select().where(Publication.published_at <= moment)
            .order_by(Publication.number.desc()).first())


def publish(actor):
    """Publish the newest settings with the live configuration; return the publication.

    Raises RegisterError when nothing changed since the latest publication.
    """
    with database.write_transaction():
        frozen = snapshot()
        last = latest()
        if last is not None and last.data == frozen:
            raise RegisterError(NOTHING_NEW)
        pub = _create(actor, frozen, (last.number if last else 0) + 1)
        if pub is None:
            raise RegisterError(NOTHING_NEW)
        audit.record("create", actor, object_type=OBJECT_TYPE, object_id=str(pub.number),
                     fields=["settings_number", "live"])
    return pub


def _create(actor, frozen, number):
    try:
        with db.atomic():
            return Publication.create(number=number, settings_number=frozen["settings_number"],
                                      snapshot=json.dumps(frozen, ensure_ascii=False),
                                      published_by=actor)
    except pw.IntegrityError:  # published at the same moment by another request
        return None


def ensure_published():
    """Return the newest publication, publishing the settings first when none is.

    A fresh register publishes its first settings (those of the seed) the first time its
    description is asked for; the publisher is the register itself (no user).
    """
    found = latest()
    if found is not None:
        return found
    with database.write_transaction():
        _create(None, snapshot(), 1)
    return latest()
