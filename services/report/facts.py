"""The facts the report's statutory sections name, in the document's language: the
controller's settings (its people, purposes, sources, supervisory authority) and the live
configuration (the sections, the allowed recipients).

Nothing here is written in the code: a change in the settings shows in the next report.
"""

from models import DisclosureRecipient, Section
from services import register_settings
from services.register_settings import ARTICLE_POINTS, in_language
from services.vocabulary.administration import LAWFUL_BASIS_LABELS

# Placeholders whose value is a list: a paragraph of the placeholder alone becomes one
# paragraph an item.
LISTED = ("purposes",)


def person(entry, lang):
    """Return a person of the settings as the document names them: title and name."""
    title = in_language(entry.get("title"), lang)
    name = entry.get("name", "")
    text = f"{name} ({title})" if lang == "en" else f"{title} {name}"
    contact = entry.get("contact")
    return f"{text.strip()}, {contact}" if contact else text.strip()


def facts(ctx):
    """Return ``{placeholder: text or list of texts}`` for the document of ``ctx``."""
    lang = ctx.language
    settings = register_settings.document()
    names = {s.code: s.name_in(lang) for s in Section.select()}
    handlers = [f"{names.get(h['section'], h['section'])}: {person(h, lang)}"
                for h in settings.get("handlers") or [] if h.get("name")]
    recipients = [r.name_in(lang) for r in DisclosureRecipient.select()
                  .where(DisclosureRecipient.active == True)  # noqa: E712
                  .order_by(DisclosureRecipient.name_fi)]
    supervisory = settings.get("supervisory") or {}
    return {
        "register_name": in_language(settings.get("register_name"), lang),
        "controller": in_language(settings.get("controller"), lang),
        "postal_address": in_language(settings.get("postal_address"), lang),
        "decision_maker": person(settings.get("decision_maker") or {}, lang),
        "responsible": person(settings.get("responsible") or {}, lang),
        "handlers": "; ".join(handlers),
        "purposes": [_purpose(ctx, p) for p in settings.get("purposes") or []],
        "sources": "; ".join(in_language(s, lang) for s in settings.get("sources") or []),
        "recipients": "; ".join(recipients),
        "supervisory": ", ".join(part for part in (
            in_language(supervisory.get("name"), lang),
            in_language(supervisory.get("address"), lang),
            supervisory.get("web", "")) if part),
    }


def _purpose(ctx, purpose):
    text = in_language(purpose.get("text"), ctx.language).rstrip(".")
    basis = purpose.get("basis")
    if basis not in LAWFUL_BASIS_LABELS:
        return text + "."
    label = ctx.gettext(LAWFUL_BASIS_LABELS[basis]).lower()
    return f"{text} ({ctx.doc['basis'].format(basis=label, point=ARTICLE_POINTS[basis])})."


def fill(paragraphs, values):
    """Return ``paragraphs`` with their placeholders filled from ``values``."""
    filled = []
    for paragraph in paragraphs:
        key = paragraph.strip("{}")
        if paragraph == "{" + key + "}" and key in LISTED:
            filled.extend(values[key])
        else:
            filled.append(paragraph.format_map(values))
    return filled
