"""The register's vocabulary: what each stored code, field and table is called on screen,
in the inspection report and in exports, in Finnish, Swedish and English.

Every table of names lives here, keyed by the code tuples of ``models`` (or of the service
that defines the codes), one module per part of the register:

- ``customers``: the customer register itself — kinds, languages, channels, addresses,
  invoices, the data categories, the field names the screens show, the statistics;
- ``rights``: the data subject's rights — inspection and rectification requests,
  prohibitions, disclosures, the retention purge;
- ``report``: the inspection report and the disclosure exports (their field, table and
  code names, and the words the report's renderings need);
- ``administration``: roles, access requests and accounts, the audit log, backups and the
  languages of the pages.

A name is a ``Label``: an English msgid that translates when it is shown, in the locale of
whoever shows it (a page: the user's; anything else: the msgid itself, until the
application installs its translator with ``use_translator``). A document written in a
language of its own — the inspection report — translates ``msgid_of(label)`` with that
language's catalog instead. Nothing here imports Flask: the application hands the
translator in.

Where two screens say different things of the same codes, the tables are two and named by
what they mean (``DECISION_LABELS`` and ``RECTIFICATION_DECISION_LABELS``). A new code gets
its name here and its translations in ``translations/``; tests/test_vocabulary.py fails
for a code without a name, a name without a translation, and a table of names anywhere
else.
"""


def _untranslated(msgid):
    return msgid


_translate = _untranslated


def use_translator(gettext):
    """Translate every label with ``gettext(msgid)`` from now on (the pages' locale)."""
    global _translate
    _translate = gettext or _untranslated


class Label:
    """A msgid that translates each time it is shown; otherwise it behaves as its text.

    The same behaviour as Flask-Babel's lazy strings, which the screens used before: it
    compares, hashes, formats and renders (``__html__``) as the translated text.
    """

    def __init__(self, msgid):
        self.msgid = msgid

    def __getattr__(self, attr):
        if attr in ("__setstate__", "msgid"):  # copying makes the object before its msgid
            raise AttributeError(attr)
        string = str(self)
        if hasattr(string, attr):
            return getattr(string, attr)
        raise AttributeError(attr)

    def __repr__(self):
        return f"l'{self}'"

    def __str__(self):
        return str(_translate(self.msgid))

    def __len__(self):
        return len(str(self))

    def __bool__(self):  # a translation is never empty: no need to translate to know
        return bool(self.msgid)

    def __getitem__(self, key):
        return str(self)[key]

    def __iter__(self):
        return iter(str(self))

    def __contains__(self, item):
        return item in str(self)

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)

    def __mul__(self, other):
        return str(self) * other

    def __rmul__(self, other):
        return other * str(self)

    def __lt__(self, other):
        return str(self) < other

    def __le__(self, other):
        return str(self) <= other

    def __eq__(self, other):
        return str(self) == other

    def __ne__(self, other):
        return str(self) != other

    def __gt__(self, other):
        return str(self) > other

    def __ge__(self, other):
        return str(self) >= other

    def __html__(self):
        return str(self)

    def __hash__(self):
        return hash(str(self))

    def __mod__(self, other):
        return str(self) % other

    def __rmod__(self, other):
        return other % str(self)


# The name the message extraction looks for (``pybabel extract -k _l``).
_l = Label


def msgid_of(text):
    """Return the msgid of a label; a plain string (a code, a msgid) is returned as it is."""
    return text.msgid if isinstance(text, Label) else text
