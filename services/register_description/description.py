"""The register description (seed §13, §17) under the seed's 18 headings, in one language,
from a publication: the settings' prose and people, and the live configuration."""

import services.register_description.facts as facts
from services.register_description.document import Reader, finish, items, para, part


def build_description(pub, lang):
    """Return the register description of publication ``pub`` in ``lang``."""
    r = Reader(pub, lang)
    h = r.words["description_headings"]
    return finish(r.head("description"), [
        part("name", h["name"], para(r.setting("register_name")),
             *([para(r.say("consists_of")),
                items([r.text(s.get("name")) for s in r.sections()])] if r.sections() else [])),
        part("controller", h["controller"], para(r.setting("controller")),
             _address(r)),
        part("responsible", h["responsible"], *_responsible(r)),
        part("handlers", h["handlers"], *_handlers(r)),
        part("purposes", h["purposes"], facts.purposes(r)),
        part("content", h["content"], *facts.categories(r, "content_intro"),
             para(r.say("not_every_section")) if len(r.sections()) > 1 else None),
        part("sources", h["sources"], *_listed(r, "sources", "sources_intro")),
        part("disclosures", h["disclosures"], *facts.recipients(r), para(r.setting("transfers"))),
        part("internal_use", h["internal_use"], para(r.setting("internal_use")),
             *facts.roles(r)),
        part("combining", h["combining"], para(r.setting("combining"))),
        part("security", h["security"], items(r.items("security"))),
        part("retention", h["retention"], *facts.retention(r), para(r.setting("retention_note"))),
        part("informing", h["informing"], para(r.setting("informing"))),
        part("access", h["access"], para(r.say("access", person=r.named("responsible")))),
        part("rectification", h["rectification"],
             para(r.say("rectification", person=r.named("responsible")))),
        part("prohibition", h["prohibition"], para(r.say("prohibition"))),
        part("administration", h["administration"], *_administration(r)),
        part("instructions", h["instructions"], para(r.setting("instructions"))),
    ])


def _address(r):
    address = r.setting("postal_address")
    return para(r.say("postal_address", address=address)) if address else None


def _listed(r, key, intro):
    found = r.items(key)
    return [para(r.say(intro)), items(found)] if found else []


def _contact(r, key):
    contact = (r.settings.get(key) or {}).get("contact")
    return para(r.say("contact", contact=contact)) if contact else None


def _responsible(r):
    person = r.named("responsible")
    if not person:
        return []
    duties = r.items("responsible_duties")
    return [para(r.say("responsible_is", person=person)), _contact(r, "responsible"),
            *([para(r.say("responsible_duties")), items(duties)] if duties else [])]


def _handlers(r):
    lines = r.handlers()
    return [para(r.say("handlers_are")) if lines else None, items(lines),
            para(r.setting("handler_duties"))]


def _administration(r):
    person = r.named("decision_maker")
    duties = r.items("decision_maker_duties")
    return [para(r.say("decision_maker", person=person)) if person else None,
            _contact(r, "decision_maker"),
            *([para(r.say("decides_on")), items(duties)] if duties else [])]
