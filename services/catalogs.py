"""The register's message catalogs, for documents written in a language of their own.

A page speaks its user's language through Flask-Babel; a document — the inspection
report, the register description, the privacy notice — is written in its own language,
whoever reads it. Such a document translates the register's labels with the catalog of
its language: ``translate(label, "sv")``.
"""

import functools
import pathlib

from babel.support import Translations

from services.vocabulary import msgid_of

TRANSLATIONS_DIR = pathlib.Path(__file__).resolve().parents[1] / "translations"


@functools.lru_cache(maxsize=None)
def catalog(language):
    """Return the register's message catalog of ``language`` (English: the msgids)."""
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def translate(label, language):
    """Return ``label`` (a vocabulary label or a msgid) in ``language``."""
    return catalog(language).gettext(msgid_of(label))
