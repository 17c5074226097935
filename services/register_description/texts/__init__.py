"""The words of the register's public documents, one module a language, each readable and
checkable as a whole: ``TEXTS[lang][key]``. The facts they join come from a publication."""

from services.register_description.texts import en, fi, sv

TEXTS = {"fi": fi.TEXTS, "sv": sv.TEXTS, "en": en.TEXTS}
LANGUAGES = tuple(TEXTS)
