"""What every public document is built from: a publication's snapshot read in one language.

A document is a plain dict: its head (kind, language, title, version and date) and its
parts, each ``{"code", "heading", "blocks"}``, a block being a paragraph ``{"text"}`` or a
list ``{"items"}``. The page, the PDF, the XLSX and the comparison of versions read it.
A key an older snapshot lacks is simply not shown: every read here tolerates its absence.
"""

from services import localtime
from services.catalogs import translate
from services.register_description.texts import LANGUAGES, TEXTS
from services.register_settings import in_language, publications
from services.report_texts import DATE_FORMATS, NUMBER_LOCALES

DEFAULT_LANGUAGE = "fi"


def document_language(code):
    """Return ``code`` when it is a language of the documents, else Finnish."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class Reader:
    """A publication's snapshot, read in ``lang``: texts, people, sections, dates."""

    def __init__(self, pub, lang):
        self.pub = pub
        self.lang = document_language(lang)
        self.words = TEXTS[self.lang]
        data = pub.data
        self.settings = data.get("settings") or {}
        self.live = data.get("live") or {}

    # --- words --------------------------------------------------------------------------

    def say(self, key, **params):
        """Return the sentence ``key`` of the texts with its placeholders filled."""
        return self.words[key].format(**params)

    def text(self, value):
        """Return a ``{lang: …}`` text of the settings in the document's language."""
        if isinstance(value, str):
            return value
        return in_language(value, self.lang)

    def setting(self, key):
        """Return the settings' text ``key`` in the document's language ("" when absent)."""
        return self.text(self.settings.get(key)).strip()

    def items(self, key):
        """Return the settings' list ``key``, each item in the document's language."""
        return [t for t in (self.text(item).strip() for item in self.settings.get(key) or [])
                if t]

    def label(self, label):
        """Return a vocabulary label in the document's language."""
        return translate(label, self.lang)

    def date(self, moment):
        """Return the Helsinki day of ``moment`` in the document's language."""
        return localtime.format_date(moment, NUMBER_LOCALES[self.lang], DATE_FORMATS[self.lang])

    # --- people and sections ------------------------------------------------------------

    def person(self, person):
        """Return "title name" of a person of the settings ("" when there is none)."""
        if not person or not person.get("name"):
            return ""
        title = self.text(person.get("title")).strip()
        return self.say("person", title=title, name=person["name"]).strip()

    def named(self, key):
        """Return "title name" of the settings' person ``key``."""
        return self.person(self.settings.get(key))

    def sections(self):
        """Return the live sections of the publication."""
        return self.live.get("sections") or []

    def section_name(self, code):
        """Return the name of section ``code`` in the document's language (or the code)."""
        for section in self.sections():
            if section.get("code") == code:
                return self.text(section.get("name")) or code
        return code

    def handlers(self):
        """Return "section: title name" of each handler, with the contact when given."""
        lines = []
        for handler in self.settings.get("handlers") or []:
            person = self.person(handler)
            if not person:
                continue
            line = self.say("handler_of", section=self.section_name(handler.get("section")),
                            person=person)
            if handler.get("contact"):
                line += ", " + handler["contact"]
            lines.append(line)
        return lines

    def head(self, kind):
        """Return the document's head: kind, language, titles, version and its date."""
        pub = self.pub
        register = self.setting("register_name")
        return {
            "kind": kind, "language": self.lang, "title": self.words[f"{kind}_title"],
            "register": register, "number": pub.number,
            "published_at": pub.published_at.isoformat(timespec="seconds"),
            "published": self.date(pub.published_at),
            "version": self.say("version", number=pub.number,
                                date=self.date(pub.published_at)),
            "file_name": f"{self.words['file_' + kind]}-{pub.number}-{self.lang}",
            "page": self.words["page"],
        }


def part(code, heading, *blocks):
    """Return a part of a document; None when it has nothing to say."""
    kept = [b for b in blocks if b and (b.get("text") or b.get("items"))]
    return {"code": code, "heading": heading, "blocks": kept} if kept else None


def para(text):
    """Return a paragraph block (None for no text)."""
    return {"text": text} if text else None


def items(values):
    """Return a list block (None for an empty list)."""
    values = [v for v in values if v]
    return {"items": values} if values else None


def finish(head, parts):
    """Return the document: its head and the parts that have something to say."""
    head["parts"] = [p for p in parts if p is not None]
    return head


def versions(lang):
    """Return every publication, newest first: ``[{"number", "published"}]`` with its date
    in ``lang``."""
    lang = document_language(lang)
    return [{"number": pub.number,
             "published": localtime.format_date(pub.published_at, NUMBER_LOCALES[lang],
                                                DATE_FORMATS[lang])}
            for pub in publications()]
