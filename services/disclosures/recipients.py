"""The allowed recipients (seed §8): data the controller keeps, added and deactivated."""

import peewee as pw

from database import write_transaction
from models import DisclosureRecipient, utcnow
from services import audit
from services.disclosures.common import (
    RECIPIENT_OBJECT_TYPE,
    _require,
    may_manage_recipients,
)
from services.errors import N_, RegisterError
from services.hetu import refusal

def recipients(active_only=False):
    """Return the recipients, active first, by Finnish name."""
    query = DisclosureRecipient.select().order_by(DisclosureRecipient.active.desc(),
                                                  DisclosureRecipient.name_fi)
    if active_only:
        query = query.where(DisclosureRecipient.active == True)  # noqa: E712
    return list(query)


def add_recipient(actor, name_fi, name_sv="", name_en=""):
    """Add an allowed recipient (controller only); return it."""
    _require(may_manage_recipients(actor),
             N_("Only the controller may change the allowed recipients."))
    names = {}
    for key, value in (("name_fi", name_fi), ("name_sv", name_sv), ("name_en", name_en)):
        names[key] = " ".join((value or "").split())
        if len(names[key]) > 200:
            raise RegisterError(N_("Shorten the name to at most 200 characters."))
    if not names["name_fi"]:
        raise RegisterError(N_("Give the recipient's name in Finnish."))
    message = refusal(*names.values(), message=N_("A henkilötunnus (personal identity code) "
                                                  "must not be stored in the register: remove "
                                                  "it from the name."))
    if message:
        raise RegisterError(message)
    names["name_sv"] = names["name_sv"] or names["name_fi"]
    names["name_en"] = names["name_en"] or names["name_fi"]
    with write_transaction():
        taken = DisclosureRecipient.select().where(
            pw.fn.LOWER(DisclosureRecipient.name_fi) == names["name_fi"].lower()).exists()
        if taken:
            raise RegisterError(N_("A recipient of that name is already on the list: "
                                   "reactivate it instead of adding it again."))
        recipient = DisclosureRecipient.create(created_by=actor.id, created_at=utcnow(),
                                               **names)
        audit.record("create", actor=actor, object_type=RECIPIENT_OBJECT_TYPE,
                     object_id=recipient.id, fields=("name_fi", "name_sv", "name_en"))
    return recipient


def set_recipient_active(actor, recipient_id, active):
    """Deactivate (or reactivate) an allowed recipient (controller only); return it."""
    _require(may_manage_recipients(actor),
             N_("Only the controller may change the allowed recipients."))
    with write_transaction():
        recipient = DisclosureRecipient.get_or_none(DisclosureRecipient.id == recipient_id)
        if recipient is None:
            raise RegisterError(N_("There is no such recipient. Reload the page."))
        if recipient.active == bool(active):
            return recipient
        (DisclosureRecipient
         .update(active=bool(active), changed_by=actor.id, changed_at=utcnow())
         .where(DisclosureRecipient.id == recipient.id)
         .execute())
        audit.record("update", actor=actor, object_type=RECIPIENT_OBJECT_TYPE,
                     object_id=recipient.id, fields=("active",))
    return DisclosureRecipient.get_by_id(recipient.id)
