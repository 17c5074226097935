"""The controller's settings: the current version, saving a new one, and the history.

Every save is a new version (``ControllerSettings``) with who saved it and when, and an
audit event naming the parts that changed. A page posts the number of the version it
was built from; a save on top of a newer version is refused (the controller reloads and
sees the other save), so no change is lost silently.
"""

import json

import peewee as pw

import database
from models import ControllerSettings, Section
from services import audit
from services.errors import N_, RegisterError
from services.register_settings.schema import read

OBJECT_TYPE = "controller_settings"

NOT_LATEST = N_("The settings were saved meanwhile by someone else. Your changes were not "
                "saved: reload the page to see the current settings, then make your changes "
                "again.")


class SettingsProblems(RegisterError):
    """The settings given have problems, field by field: ``problems`` ``{key: (msgid,
    params)}``."""

    def __init__(self, problems):
        super().__init__(N_("The settings were not saved: correct the fields marked below."))
        self.problems = problems


def current():
    """Return the newest settings version (a ``ControllerSettings``)."""
    return ControllerSettings.select().order_by(ControllerSettings.number.desc()).get()


def document():
    """Return the newest settings document (a dict)."""
    return current().data


def version(number):
    """Return settings version ``number`` or None."""
    return ControllerSettings.get_or_none(ControllerSettings.number == number)


def history(limit=50):
    """Return the newest versions, newest first."""
    return list(ControllerSettings.select().order_by(ControllerSettings.number.desc())
                .limit(limit))


def section_codes():
    """Return the codes of the sections whose handler the settings name, in the order they were added."""
    return [code for (code,) in Section.select(Section.code).order_by(Section.id).tuples()]


def changed_parts(old, new):
    """Return the top-level keys whose value differs between two documents, sorted."""
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


def save(actor, flat, seen_number):
    """Save the settings page's fields ``flat`` as a new version on top of version
    ``seen_number``; return the new version, or None when nothing changed.

    Raises ``SettingsProblems`` for fields to correct and RegisterError when a newer
    version was saved meanwhile.
    """
    latest = current()
    purpose_count = len(latest.data.get("purposes") or [])
    new, problems = read(flat, section_codes(), purpose_count)
    if problems:
        raise SettingsProblems(problems)
    with database.write_transaction():
        latest = current()
        if latest.number != seen_number:
            raise RegisterError(NOT_LATEST)
        parts = changed_parts(latest.data, new)
        if not parts:
            return None
        try:
            saved = ControllerSettings.create(
                number=latest.number + 1, document=json.dumps(new, ensure_ascii=False),
                saved_by=actor)
        except pw.IntegrityError:  # another save took the number first
            raise RegisterError(NOT_LATEST) from None
        audit.record("create", actor, object_type=OBJECT_TYPE, object_id=str(saved.number),
                     fields=parts)
    return saved
