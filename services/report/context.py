"""What a report is built with: the batched reads of the referenced rows, and the
document's language (its catalog, its numbers and dates)."""

import datetime
import decimal
import json
import re
from collections import defaultdict

import peewee as pw
from babel.numbers import format_decimal

from models import FIELD_CATEGORIES, ContactPerson, Customer, PhoneField, Section, User, utcnow
from services import localtime
from services.phones import display_phone
from services import report_texts as texts
from services.catalogs import catalog
from services.categories import mapped_fields
from services.vocabulary import msgid_of
from services.vocabulary import report as vocab
from services.vocabulary.administration import ROLE_LABELS


# The register's catalogs: a report is written in its document's language, not the page's.
LANGUAGES = tuple(texts.DOCUMENT_TEXTS)  # fi, sv, en
DEFAULT_LANGUAGE = "fi"

# A table of more columns than this is shown one row at a time, as a list of fields.
TABLE_MAX_COLUMNS = 6


def _row_order(model):
    """Order rows by the model's first date (history reads in time order), then by id.

    Only a date every row has: an optional one (the day an address was checked) would put
    the rows without it first on SQLite and last on PostgreSQL.
    """
    for field in mapped_fields(model):
        if isinstance(field, (pw.DateTimeField, pw.DateField)) and not field.null:
            return (field, model._meta.primary_key)
    return (model._meta.primary_key,)


# --- values as a person reads them --------------------------------------------------------


class _References:
    """Rows that other rows point to, read in one query per model, and how they read."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rows = defaultdict(dict)  # model -> {id: row}
        self.wanted = defaultdict(set)  # model -> ids
        self._references = {}  # model -> its mapped foreign keys

    def know(self, model, rows):
        for row in rows:
            self.rows[model][row.id] = row

    def want_row(self, model, row, skip=()):
        fields = self._references.get(model)
        if fields is None:
            fields = self._references[model] = [
                f for f in mapped_fields(model) if isinstance(f, pw.ForeignKeyField)]
        for field in fields:
            if field.name not in skip:
                value = row.__data__.get(field.name)
                if value is not None:
                    self.wanted[field.rel_model].add(value)

    def load(self):
        """Read every wanted row not yet known: one query per referenced model."""
        for model, ids in self.wanted.items():
            missing = sorted(ids - self.rows[model].keys())
            if not missing:
                continue
            query = model.select()
            if model is User:  # an account is shown by its role; read nothing else
                query = User.select(User.id, User.role)
            for row in query.where(model._meta.primary_key.in_(missing)):
                self.rows[model][row.id] = row

    def value_and_text(self, model, key):
        if key is None:
            return None, ""
        row = self.rows[model].get(key)
        if row is None:
            return key, str(key)
        if model is Section:
            return row.code, row.name_in(self.ctx.language)
        if model is User:
            return row.role, self.ctx.gettext(ROLE_LABELS.get(row.role, row.role))
        if model is Customer:
            return key, row.display_name
        if model is ContactPerson:
            return key, ", ".join(p for p in (row.last_name, row.first_name) if p)
        return key, str(key)

    def text(self, model, key):
        return self.value_and_text(model, key)[1]


class _Context:
    """The document's language, its translations and formats, and the references read."""

    def __init__(self, language, now):
        self.language = language
        self.doc = texts.DOCUMENT_TEXTS[language]
        self.translations = _translations(language)
        self.now = now or utcnow()
        self.refs = _References(self)
        self._said = {}
        self._readers = {}

    def gettext(self, text):
        """Return a label (or a msgid) in the document's language (each read once: a long
        table names the same channels and directions thousands of times)."""
        key = msgid_of(text)
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = self.translations.gettext(key)
        return found

    def word(self, key):
        return self.gettext(vocab.WORDS[key])

    def field_label(self, model, name):
        label = (vocab.MODEL_FIELD_LABELS.get((model.__name__, name))
                 or vocab.REPORT_FIELD_LABELS.get(name))
        return self.gettext(label) if label else name

    def code_labels(self, model, name):
        return (vocab.MODEL_CODE_LABELS.get((model.__name__, name))
                or vocab.REPORT_CODE_LABELS.get(name))

    # Times are stored as naive UTC and shown in Helsinki time by the register's one
    # formatter (services.localtime); the JSON gives them as ISO 8601 with the offset.
    def iso(self, moment):
        return localtime.to_helsinki(moment).isoformat(timespec="seconds")

    def datetime_text(self, moment):
        return localtime.format_datetime(moment, texts.NUMBER_LOCALES[self.language],
                                         texts.DATETIME_FORMATS[self.language])

    def date_text(self, day):
        return localtime.format_date(day, texts.NUMBER_LOCALES[self.language],
                                     texts.DATE_FORMATS[self.language])

    def cell(self, model, field, raw):
        """Return ``{name, label, value, text}``: the stored value as JSON and as read."""
        value, text = self.value_and_text(model, field, raw)
        return {"name": field.name, "label": self.field_label(model, field.name),
                "value": value, "text": text}

    def table_cells(self, model, fields, columns, rows):
        """Return the cells of each row of ``rows`` (its data) of a table whose ``columns``
        (``name``, ``label``) are ``fields``: ``cell`` for each, each column's reader and
        label looked up once per table."""
        read = [(field.name, column["name"], column["label"], self.reader(model, field))
                for field, column in zip(fields, columns)]
        table = []
        for data in rows:
            cells = []
            for field_name, name, label, reader in read:
                value, text = reader(data.get(field_name))
                cells.append({"name": name, "label": label, "value": value, "text": text})
            table.append(cells)
        return table

    def reader(self, model, field):
        """Return ``read(raw) -> (value, text)`` of ``model``'s ``field``: what
        ``value_and_text`` gives, with the usual values of a time, a coded choice or a
        one-line text read straight, the way there chosen once per column (a long table
        reads fifty thousand cells)."""
        key = (model, field.name)
        found = self._readers.get(key)
        if found is None:
            found = self._readers[key] = self._reader(model, field)
        return found

    def _reader(self, model, field):
        def general(raw):
            return self.value_and_text(model, field, raw)

        if (isinstance(field, (pw.ForeignKeyField, PhoneField))
                or (model.__name__, field.name) in vocab.FIELD_NAME_LISTS):
            return general
        if isinstance(field, pw.DateTimeField):
            def read_time(raw):
                if type(raw) is not datetime.datetime:
                    return general(raw)
                local = localtime.to_helsinki(raw)
                return local.isoformat(timespec="seconds"), self.datetime_text(local)
            return read_time
        labels = self.code_labels(model, field.name)
        if labels is not None:
            def read_code(raw):
                if type(raw) is str and raw and raw in labels:
                    return raw, self.gettext(labels[raw])
                return general(raw)
            return read_code

        def read_text(raw):
            # One line that is no stored JSON object: as _readable reads it, at once.
            if (type(raw) is str and raw and raw[0] != "{" and raw == raw.strip()
                    and "\n" not in raw and "\r" not in raw):
                return raw, raw
            return general(raw)
        return read_text

    def value_and_text(self, model, field, raw):
        if isinstance(field, pw.ForeignKeyField):
            return self.refs.value_and_text(field.rel_model, raw)
        if raw is None or raw == "":
            return None, ""
        if isinstance(raw, bool):
            return raw, self.word("yes") if raw else self.word("no")
        if isinstance(raw, datetime.datetime):
            local = localtime.to_helsinki(raw)  # converted once for both (aware stays aware)
            return local.isoformat(timespec="seconds"), self.datetime_text(local)
        if isinstance(raw, datetime.date):
            return raw.isoformat(), self.date_text(raw)
        if isinstance(raw, decimal.Decimal):
            places = getattr(field, "decimal_places", 2)
            exact = raw.quantize(decimal.Decimal(1).scaleb(-places))
            return str(exact), format_decimal(exact, format="#,##0." + "0" * places,
                                              locale=texts.NUMBER_LOCALES[self.language])
        if (model.__name__, field.name) in vocab.FIELD_NAME_LISTS and isinstance(raw, str):
            names = raw.split()
            return names, ", ".join(self.place_text(name) for name in names)
        labels = self.code_labels(model, field.name)
        if labels is not None and raw in labels:
            return raw, self.gettext(labels[raw])
        if isinstance(field, PhoneField):
            return raw, display_phone(raw)  # the JSON keeps the stored E.164
        if isinstance(raw, str):
            changes = _field_values(raw)
            if changes is not None:
                return changes, "; ".join(
                    f"{self._any_field_label(name)}: {value}" for name, value in changes.items())
            return raw, _readable(raw)
        return raw, str(raw)

    def place_text(self, name):
        """Name a field as ``field`` (the customer's own) or ``table.field``: "Email",
        "Demographics: Profession"."""
        table, _dot, field = name.rpartition(".")
        model = "".join(part.title() for part in table.split("_"))
        label = vocab.RELATION_LABELS.get(model)
        return (f"{self.gettext(label)}: " if label else "") + self._any_field_label(field)

    def _any_field_label(self, name):
        name = name.rsplit(".", 1)[-1]  # a rectification's target: table.id.field
        label = vocab.REPORT_FIELD_LABELS.get(name)
        return self.gettext(label) if label else name


def _readable(text):
    """Return stored text as it reads: lines ended alike, no blank lines in a row, trimmed.

    Only how the text is laid out changes (the JSON keeps the stored value as it is).
    """
    if "\n" not in text and "\r" not in text and text == text.strip():
        return text  # one line, nothing to trim: most summaries and names
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _field_values(text):
    """Return a stored JSON object of field name (or ``table.id.field``) → value (a
    rectification's values), else None."""
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data:
        return None
    known = {name for mapping in FIELD_CATEGORIES.values() for name in mapping}
    if not {str(key).rsplit(".", 1)[-1] for key in data} <= known:
        return None
    return {name: "" if value is None else str(value) for name, value in data.items()}


def _translations(language):
    """Return the register's message catalog of ``language`` (English: the msgids)."""
    return catalog(language)
