"""The privacy notice (GDPR Art. 13 and 14) and the record of processing activities
(GDPR Art. 30(1)), in one language, from a publication."""

import services.register_description.facts as facts
from services.register_description.document import Reader, finish, items, para, part
from services.vocabulary.customers import CUSTOMER_KIND_PLURAL_LABELS


def build_notice(pub, lang):
    """Return the privacy notice of publication ``pub`` in ``lang``, in Art. 13/14 order."""
    r = Reader(pub, lang)
    h = r.words["notice_headings"]
    register = r.setting("register_name")
    return finish(r.head("notice"), [
        part("intro", "", para(r.say("notice_intro"))),
        part("controller", h["controller"], para(r.setting("controller")),
             para(r.say("register_name", register=register) if register else ""),
             para(r.say("decision_maker_is", person=r.named("decision_maker"))
                  if r.named("decision_maker") else "")),
        part("contact", h["contact"], *_contacts(r)),
        part("purposes", h["purposes"], facts.purposes(r)),
        part("categories", h["categories"], *_subjects(r),
             *facts.categories(r, "categories_intro")),
        part("recipients", h["recipients"], *facts.recipients(r)),
        part("transfers", h["transfers"], para(r.setting("transfers"))),
        part("retention", h["retention"], *facts.retention(r), para(r.setting("retention_note"))),
        part("rights", h["rights"], items(r.words["rights"]), _how(r)),
        part("complaint", h["complaint"], *_complaint(r)),
        part("sources", h["sources"], items(r.items("sources"))),
        part("automated", h["automated"], para(r.say("automated"))),
    ])


def build_record(pub, lang):
    """Return the record of processing activities (Art. 30(1)) of ``pub`` in ``lang``."""
    r = Reader(pub, lang)
    h = r.words["record_headings"]
    head = r.head("record")
    head["subtitle"] = r.say("record_subtitle")
    representative = r.named("decision_maker")
    return finish(head, [
        part("controller", h["controller"], para(r.setting("controller")),
             para(r.say("record_contact", person=representative) if representative else ""),
             *_contacts(r)),
        part("purposes", h["purposes"], facts.purposes(r)),
        part("subjects", h["subjects"], *_subjects(r)),
        part("categories", h["categories"], *facts.categories(r, "categories_intro")),
        part("recipients", h["recipients"], *facts.recipients(r)),
        part("transfers", h["transfers"], para(r.setting("transfers"))),
        part("retention", h["retention"], *facts.retention(r), para(r.setting("retention_note"))),
        part("security", h["security"], items(r.items("security"))),
    ])


def _contacts(r):
    lines = r.handlers()
    responsible = r.named("responsible")
    contact = (r.settings.get("responsible") or {}).get("contact")
    if responsible:
        line = r.say("responsible_contact", person=responsible)
        lines.append(f"{line}, {contact}" if contact else line)
    address = r.setting("postal_address")
    return [para(r.say("contact_intro")) if lines else None, items(lines),
            para(r.say("postal_address", address=address) if address else "")]


def _subjects(r):
    kinds = [r.label(label) for label in CUSTOMER_KIND_PLURAL_LABELS.values()]
    return [para(r.say("subjects_intro")), items(kinds + [r.say("contact_persons")])]


def _how(r):
    address = r.setting("postal_address")
    return para(r.say("rights_how", address=address)) if address else None


def _complaint(r):
    lines = facts.supervisory(r)
    if not lines:
        return []
    return [para(r.say("complaint")), items(lines), para(r.say("complaint_court"))]
