"""The shape of the controller's settings document, and its check.

The document is JSON: texts in Finnish, Swedish and English (``{"fi": …, "sv": …, "en":
…}``), lists of such texts, two people with their titles, the handler of each section,
the purposes with their lawful bases, and the supervisory authority. The settings page
shows it as flat fields (``flatten``) and reads them back (``unflatten``); ``check``
cleans a document and says, field by field, what is wrong.
"""

from collections import namedtuple

from services.errors import N_
from services.hetu import refusal
from services.inputs import has_unstorable

LANGUAGES = ("fi", "sv", "en")

# GDPR Art. 6(1): the lawful bases a purpose may have, with the point of the article.
LAWFUL_BASES = ("consent", "contract", "legal_obligation", "vital_interests",
                "public_task", "legitimate_interests")
ARTICLE_POINTS = dict(zip(LAWFUL_BASES, "abcdef"))

# Texts of one paragraph each, in the three languages.
TEXTS = ("register_name", "controller", "postal_address", "handler_duties", "internal_use",
         "combining", "retention_note", "informing", "transfers", "instructions")
# Lists of texts: one item a line on the settings page.
LISTS = ("decision_maker_duties", "responsible_duties", "sources", "security")
# People named by the register description: a name, a title in three languages, a contact.
PEOPLE = ("decision_maker", "responsible")

MAX_TEXT = 3000
MAX_NAME = 200
# Purposes the page offers a row for beyond those saved (a blank row adds one).
SPARE_PURPOSES = 1

Field = namedtuple("Field", "key kind required")  # kind: text, lines, line, basis

# The messages of the check.
REQUIRED = N_("Fill in this field: the register description needs it in Finnish.")
TOO_LONG = N_("Shorten the text to at most %(max)s characters.")
UNSTORABLE = N_("Remove the control characters from the text.")
LINES_DIFFER = N_("Give the same number of lines in every language as in Finnish (%(count)s), "
                  "or leave this language empty.")
NO_BASIS = N_("Choose the lawful basis of the purpose.")
NO_WEB = N_("Give the web address starting with https:// or http://.")
HETU = N_("A henkilötunnus (personal identity code) must not be stored in the register: "
          "remove it from the text.")


def fields(section_codes, purpose_count):
    """Return the flat fields of the document, in the order of the page.

    ``section_codes``: the sections whose handler the page asks for; ``purpose_count``: the
    purposes saved (the page offers that many rows and a spare one).
    """
    found = []
    for key in ("register_name", "controller", "postal_address"):
        found += _in_languages(key, "text")
    for person in PEOPLE:
        found.append(Field(f"{person}.name", "line", True))
        found += _in_languages(f"{person}.title", "line")
        found.append(Field(f"{person}.contact", "line", False))
        found += _in_languages(f"{person}_duties", "lines")
    for code in section_codes:
        found.append(Field(f"handlers.{code}.name", "line", True))
        found += _in_languages(f"handlers.{code}.title", "line")
        found.append(Field(f"handlers.{code}.contact", "line", False))
    found += _in_languages("handler_duties", "text")
    for index in range(purpose_count + SPARE_PURPOSES):
        found += [Field(f"purposes.{index}.text.{lang}", "text", False) for lang in LANGUAGES]
        found.append(Field(f"purposes.{index}.basis", "basis", False))
    for key in ("sources", "internal_use", "combining", "security", "retention_note",
                "informing", "transfers", "instructions"):
        found += _in_languages(key, "lines" if key in LISTS else "text")
    found += _in_languages("supervisory.name", "line")
    found += _in_languages("supervisory.address", "line")
    found.append(Field("supervisory.web", "line", True))
    return found


def _in_languages(key, kind):
    return [Field(f"{key}.{lang}", kind, lang == "fi") for lang in LANGUAGES]


def flatten(document):
    """Return ``{flat key: text}`` of ``document`` (a list as its lines)."""
    flat = {}
    for key in TEXTS:
        flat.update(_flat_text(key, document.get(key)))
    for key in LISTS:
        items = document.get(key) or []
        for lang in LANGUAGES:
            flat[f"{key}.{lang}"] = "\n".join(item.get(lang, "") for item in items).strip()
    for key in PEOPLE:
        person = document.get(key) or {}
        flat[f"{key}.name"] = person.get("name", "")
        flat[f"{key}.contact"] = person.get("contact", "")
        flat.update(_flat_text(f"{key}.title", person.get("title")))
    for handler in document.get("handlers") or []:
        prefix = f"handlers.{handler['section']}"
        flat[f"{prefix}.name"] = handler.get("name", "")
        flat[f"{prefix}.contact"] = handler.get("contact", "")
        flat.update(_flat_text(f"{prefix}.title", handler.get("title")))
    for index, purpose in enumerate(document.get("purposes") or []):
        flat.update(_flat_text(f"purposes.{index}.text", purpose.get("text")))
        flat[f"purposes.{index}.basis"] = purpose.get("basis", "")
    supervisory = document.get("supervisory") or {}
    flat.update(_flat_text("supervisory.name", supervisory.get("name")))
    flat.update(_flat_text("supervisory.address", supervisory.get("address")))
    flat["supervisory.web"] = supervisory.get("web", "")
    return flat


def _flat_text(key, text):
    text = text or {}
    return {f"{key}.{lang}": text.get(lang, "") for lang in LANGUAGES}


def unflatten(flat, section_codes, purpose_count):
    """Return the document the flat fields make (unchecked: see ``check``)."""
    def get(key):
        return " ".join(str(flat.get(key) or "").split())

    def text(key):
        return {lang: get(f"{key}.{lang}") for lang in LANGUAGES}

    document = {key: text(key) for key in TEXTS}
    for key in LISTS:
        columns = {lang: _lines(flat.get(f"{key}.{lang}")) for lang in LANGUAGES}
        document[key] = [{lang: (columns[lang][i] if i < len(columns[lang]) else "")
                          for lang in LANGUAGES} for i in range(len(columns["fi"]))]
    for key in PEOPLE:
        document[key] = {"name": get(f"{key}.name"), "title": text(f"{key}.title"),
                         "contact": get(f"{key}.contact")}
    document["handlers"] = [
        {"section": code, "name": get(f"handlers.{code}.name"),
         "title": text(f"handlers.{code}.title"), "contact": get(f"handlers.{code}.contact")}
        for code in section_codes]
    document["purposes"] = [
        {"text": text(f"purposes.{i}.text"), "basis": get(f"purposes.{i}.basis")}
        for i in range(purpose_count + SPARE_PURPOSES)
        if any(text(f"purposes.{i}.text").values()) or get(f"purposes.{i}.basis")]
    document["supervisory"] = {"name": text("supervisory.name"),
                               "address": text("supervisory.address"),
                               "web": get("supervisory.web")}
    return document


def _lines(value):
    return [" ".join(line.split()) for line in str(value or "").splitlines() if line.strip()]


def read(flat, section_codes, purpose_count):
    """Return ``(document, problems)`` of the settings page's fields ``flat``: the document
    they make and what is wrong in it (see ``check``), a list's languages of unequal length
    included."""
    document = unflatten(flat, section_codes, purpose_count)
    problems = check(document, section_codes, purpose_count)
    for key in LISTS:
        count = len(_lines(flat.get(f"{key}.fi")))
        for lang in LANGUAGES[1:]:
            given = len(_lines(flat.get(f"{key}.{lang}")))
            if given and given != count:
                problems.setdefault(f"{key}.{lang}", (LINES_DIFFER, {"count": count}))
    return document, problems


def check(document, section_codes, purpose_count):
    """Return ``{flat key: (msgid, params)}`` of what is wrong in ``document``; empty if
    nothing is."""
    problems = {}
    flat = flatten(document)
    for field in fields(section_codes, purpose_count):
        value = flat.get(field.key, "")
        limit = MAX_NAME if field.kind == "line" else MAX_TEXT
        if field.required and not value:
            problems[field.key] = (REQUIRED, {})
        elif has_unstorable(value):
            problems[field.key] = (UNSTORABLE, {})
        elif any(len(line) > limit for line in value.splitlines() or [value]):
            problems[field.key] = (TOO_LONG, {"max": limit})
        elif refusal(value, message=HETU, no_sign_message=HETU):
            problems[field.key] = (HETU, {})
    for index, purpose in enumerate(document["purposes"]):
        if not purpose["text"]["fi"]:
            problems.setdefault(f"purposes.{index}.text.fi", (REQUIRED, {}))
        if purpose["basis"] not in LAWFUL_BASES:
            problems.setdefault(f"purposes.{index}.basis", (NO_BASIS, {}))
    if not document["purposes"]:
        problems.setdefault("purposes.0.text.fi", (REQUIRED, {}))
    web = document["supervisory"]["web"]
    if web and not web.startswith(("https://", "http://")):
        problems.setdefault("supervisory.web", (NO_WEB, {}))
    return problems


def in_language(text, lang):
    """Return ``text`` (a ``{lang: …}`` dict) in ``lang``, in Finnish when it has none."""
    text = text or {}
    return text.get(lang) or text.get("fi", "")
