"""The inspection report (seed §14; GDPR Art. 15): everything the register holds on a subject.

The report is built by walking the models and ``models.FIELD_CATEGORIES`` (as
``services.categories`` reads it): the subject's own row field by field, then every model in
the map that references the subject's model (``Customer`` or ``ContactPerson``), each of
their fields in the map. A field or a model
added to the map later appears in the report without a change here.

Whatever the section, whoever asks: the report shows every data category that holds
something on the subject, and names the categories that hold nothing.

Each customer's disclosures (``services.disclosures.disclosures_of``) are listed as well:
to whom, why, which categories and when (GDPR Art. 15(1)(c)).

Reads are batched: one query for the subjects, one per referencing model and one per kind
of row referenced (sections, user accounts, …), however many rows and subjects — a fixed
number of queries, never one per row.

``build_report`` returns a plain dict (JSON-serialisable, every label already in the
document's language) that the three renderings read: the HTML page
(``templates/report/report.html``), ``render_pdf`` (``services/report_pdf.py``) and
``render_json``.
"""

import datetime
import decimal
import functools
import json
import operator
import pathlib
import re
from collections import defaultdict

import peewee as pw
from babel.numbers import format_decimal
from babel.support import Translations

from models import (
    CATEGORIES,
    FIELD_CATEGORIES,
    ContactPerson,
    Customer,
    InspectionRequest,
    InspectionSubject,
    Section,
    User,
    utcnow,
)
from services import report_texts as texts
from services import policy
from services.categories import home_category, linked_models, mapped_fields
from services.categories import links as links_to
from services.disclosures import disclosures_of
from services.errors import N_, RegisterError
from services import localtime
from services.report_pdf import render_pdf  # noqa: F401  (one import for every rendering)
from services.vocabulary import msgid_of
from services.vocabulary import report as vocab
from services.vocabulary.administration import ROLE_LABELS
from services.vocabulary.customers import CATEGORY_LABELS

TRANSLATIONS_DIR = pathlib.Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = tuple(texts.DOCUMENT_TEXTS)  # fi, sv, en
DEFAULT_LANGUAGE = "fi"

# A table of more columns than this is shown one row at a time, as a list of fields.
TABLE_MAX_COLUMNS = 6


class ReportNotReady(RegisterError):
    """The request has no decision yet: there is nothing to report."""

    def __init__(self):
        super().__init__(N_("The report can be produced once the request has been decided."))


# --- who may read it ----------------------------------------------------------------------


def may_read_report(user, inspection_request):
    """Tell whether ``user`` may produce the report (or refusal letter) of the request.

    The controller and the responsible person: every request. A handler: the requests of
    the own sections. Whoever served an on-site request (seed §14): that request.
    Technical maintenance: never (no personal data on any screen).
    """
    if not policy.may(user, "use_register"):
        return False
    if policy.may(user, "read_all_sections"):
        return True
    if policy.may(user, "handle_section_inspection_requests") and \
            policy.reads_section(user, inspection_request.section_id):
        return True
    return bool(inspection_request.on_site
                and inspection_request.registered_by_id == user.id)


# --- building ---------------------------------------------------------------------------


def build_report(inspection_request, now=None):
    """Return the document for a decided request: the report, or the refusal letter.

    In the request's language (Finnish unless it is Swedish or English). Raises
    ``ReportNotReady`` when the request has no decision yet.
    """
    req = inspection_request
    if req.decision is None:
        raise ReportNotReady()
    language = report_language(req.language)
    if req.decision != "approved":
        return _refusal_letter(req, language, now)
    pairs = list(InspectionSubject
                 .select(InspectionSubject.customer, InspectionSubject.contact_person)
                 .where(InspectionSubject.request == req.id).tuples())
    # A row naming a contact person is that person's, even if it names the company too: the
    # company's own data is not the contact person's.
    return build_report_for(
        customer_ids=sorted({c for c, p in pairs if c is not None and p is None}),
        contact_person_ids=sorted({p for _, p in pairs if p is not None}),
        language=language, now=now, inspection_request=req)


def build_report_for(customer_ids=(), contact_person_ids=(), language=DEFAULT_LANGUAGE,
                     now=None, inspection_request=None):
    """Return the report on the given customers and contact persons (tests, the bench)."""
    ctx = _Context(report_language(language), now)
    doc = ctx.doc
    report = _document_head(ctx, "inspection_report", doc["title"], doc["file_name"])
    report["subtitle"] = doc["subtitle"]
    report["request"] = _request_summary(ctx, inspection_request)
    intro = [doc["intro"].format(generated=ctx.date_text(ctx.now))]
    if inspection_request is not None:
        intro.append(doc["received"].format(
            received=ctx.date_text(inspection_request.received_at)))
    report["intro"] = intro

    subjects = _customer_subjects(ctx, list(customer_ids)) \
        + _contact_person_subjects(ctx, list(contact_person_ids))
    ctx.refs.load()
    report["subjects"] = [subject.render(ctx) for subject in subjects]
    report["information"] = _information(ctx, [code for code, _h, _p in doc["sections"]])
    return report


def report_language(code):
    """Return the document language for a stored language code: fi, sv or en (else fi)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def render_json(report):
    """Return the report as JSON text: UTF-8 characters as they are, keys in document order."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


# --- the parts of a document --------------------------------------------------------------


def _document_head(ctx, kind, title, file_name):
    return {
        "document": kind,
        "language": ctx.language,
        "title": title,
        "file_name": file_name,
        "generated_at": {"value": ctx.iso(ctx.now), "text": ctx.datetime_text(ctx.now)},
        "words": {key: ctx.gettext(label) for key, label in vocab.WORDS.items()},
    }


def _request_summary(ctx, req):
    if req is None:
        return None
    fields = [("id", req.id), ("requester_name", req.requester_name),
              ("received_at", req.received_at), ("decision", req.decision),
              ("decided_at", req.decided_at)]
    return {name: ctx.cell(InspectionRequest, InspectionRequest._meta.fields[name], value)
            for name, value in fields}


def _information(ctx, codes):
    sections = {code: (heading, paragraphs) for code, heading, paragraphs in ctx.doc["sections"]}
    return [{"code": code, "heading": sections[code][0], "paragraphs": list(sections[code][1])}
            for code in codes]


def _refusal_letter(req, language, now):
    """Return the letter telling the requester the request was refused, and why."""
    ctx = _Context(language, now)
    doc = ctx.doc
    letter = _document_head(ctx, "refusal_letter", doc["refusal_title"],
                            doc["refusal_file_name"])
    letter["request"] = _request_summary(ctx, req)
    letter["paragraphs"] = [
        doc["refusal_intro"].format(received=ctx.date_text(req.received_at)),
        doc["refusal_decision"].format(decided=ctx.date_text(req.decided_at or ctx.now)),
    ]
    letter["reason_heading"] = doc["refusal_reason"]
    letter["reason"] = (req.decision_reason or "").strip() or doc["refusal_no_reason"]
    letter["information"] = _information(ctx, texts.REFUSAL_SECTIONS)
    return letter


# --- subjects ---------------------------------------------------------------------------


class _Subject:
    """One subject's own row and the rows that reference it, until they are rendered."""

    def __init__(self, kind, model, row):
        self.kind = kind
        self.model = model
        self.row = row
        self.tables = []  # (model, linking field names, rows)
        self.disclosures = None  # of a customer: what disclosures_of tells

    def render(self, ctx):
        data = self.row.__data__
        subject = {"kind": self.kind, "id": self.row.id}
        if self.model is Customer:
            name = self.row.display_name
            subject["name"] = name
            subject["section"] = ctx.refs.text(Section, data.get("section"))
            subject["heading"] = f"{ctx.word('customer')}: {name}"
            subject["informed"] = _informed_sentence(ctx, data)
        else:
            name = ", ".join(p for p in (data.get("last_name"), data.get("first_name")) if p)
            organisation = ctx.refs.text(Customer, data.get("customer"))
            subject["name"] = name
            subject["organisation"] = organisation
            subject["role"] = data.get("role") or ""
            subject["heading"] = f"{ctx.word('contact_person')}: {name}"
            subject["linked_to"] = f"{ctx.word('linked_to')}: {organisation}" + (
                f" ({data['role']})" if data.get("role") else "")

        own = defaultdict(list)
        for field in mapped_fields(self.model):
            cell = ctx.cell(self.model, field, data.get(field.name))
            if cell["text"] != "":
                own[FIELD_CATEGORIES[self.model][field.name]].append(cell)
        tables = defaultdict(list)
        for model, links, rows in self.tables:
            tables[home_category(model)].append(_table(ctx, model, links, rows))
        # The categories with something recorded, in the order of the register description
        # (seed §6); of a customer, the others are named as empty.
        subject["categories"], empty = [], []
        for code in CATEGORIES:
            label = ctx.gettext(CATEGORY_LABELS.get(code, code))
            if own[code] or any(table["rows"] for table in tables[code]):
                subject["categories"].append({"code": code, "label": label,
                                              "fields": own[code], "tables": tables[code]})
            else:
                empty.append(label)
        subject["empty_categories"] = empty if self.model is Customer else []
        if self.disclosures is not None:
            subject["disclosures"] = _disclosures_table(ctx, self.disclosures)
        return subject


def _customer_subjects(ctx, ids):
    """Read the customers ``ids`` and every row of the models that reference Customer."""
    if not ids:
        return []
    rows = list(Customer.select().where(Customer.id.in_(ids)).order_by(Customer.id))
    subjects = [_Subject("customer", Customer, row) for row in rows]
    _attach_linked(ctx, Customer, subjects)
    disclosed = disclosures_of([row.id for row in rows], language=ctx.language)
    for subject in subjects:
        subject.disclosures = disclosed.get(subject.row.id, [])
    ctx.refs.know(Customer, rows)
    for subject in subjects:
        ctx.refs.want_row(Customer, subject.row)
    return subjects


def _contact_person_subjects(ctx, ids):
    """Read the contact persons ``ids`` and every row of the models that reference them."""
    if not ids:
        return []
    rows = list(ContactPerson.select().where(ContactPerson.id.in_(ids))
                .order_by(ContactPerson.id))
    subjects = [_Subject("contact_person", ContactPerson, row) for row in rows]
    _attach_linked(ctx, ContactPerson, subjects)
    ctx.refs.know(ContactPerson, rows)
    for subject in subjects:
        ctx.refs.want_row(ContactPerson, subject.row)
    return subjects


def _attach_linked(ctx, target, subjects):
    """Give each subject the rows of every mapped model that references ``target``.

    One query per referencing model, for all subjects at once; a model with several
    references to ``target`` is matched through any of them.
    """
    by_id = {subject.row.id: subject for subject in subjects}
    for model, _first in linked_models(target):
        links = links_to(model, target)
        condition = functools.reduce(operator.or_, [f.in_(list(by_id)) for f in links])
        rows = list(model.select().where(condition).order_by(*_row_order(model)))
        per_subject = defaultdict(list)
        for row in rows:
            owners = {row.__data__.get(f.name) for f in links} & by_id.keys()
            for owner in owners:
                per_subject[owner].append(row)
            ctx.refs.want_row(model, row, skip={f.name for f in links})
        if model is ContactPerson:
            ctx.refs.know(ContactPerson, rows)
        names = [f.name for f in links]
        for owner, subject in by_id.items():
            subject.tables.append((model, names, per_subject.get(owner, [])))


def _informed_sentence(ctx, data):
    """Say when and how the customer was informed of the registration (seed §13)."""
    at, how = data.get("informed_at"), data.get("informed_how")
    if at is None:
        return ctx.doc["not_informed"]
    when = ctx.datetime_text(at) if isinstance(at, datetime.datetime) else ctx.date_text(at)
    if not how:
        return ctx.doc["informed_no_how"].format(at=when)
    how_text = ctx.cell(Customer, Customer._meta.fields["informed_how"], how)["text"]
    return ctx.doc["informed"].format(at=when, how=how_text)


def _table(ctx, model, links, rows):
    """Return the rows of ``model`` linked to a subject as a table of cells."""
    fields = [f for f in mapped_fields(model)
              if f.name not in links and not isinstance(f, pw.AutoField)]
    columns = [{"name": f.name, "label": ctx.field_label(model, f.name)} for f in fields]
    return {
        "model": model._meta.table_name,
        "label": ctx.gettext(vocab.RELATION_LABELS.get(model.__name__)
                             or model._meta.table_name),
        "row_label": ctx.gettext(vocab.ROW_LABELS.get(model.__name__,
                                                      vocab.ROW_LABEL_DEFAULT)),
        "layout": "table" if len(columns) <= TABLE_MAX_COLUMNS else "records",
        "columns": columns,
        "rows": [[ctx.cell(model, f, row.__data__.get(f.name)) for f in fields]
                 for row in rows],
    }


def _disclosures_table(ctx, disclosures):
    """Return the disclosures that included a customer as a table: to whom, why, what, when."""
    labels = vocab.DISCLOSURE_WORDS
    names = ("recipient", "purpose", "legal_basis", "categories", "decided_at",
             "carried_out_at")

    def cell(name, value, text):
        return {"name": name, "label": ctx.gettext(labels[name]), "value": value, "text": text}

    rows = []
    for d in disclosures:
        categories = [ctx.gettext(CATEGORY_LABELS.get(c, c)) for c in d["categories"]]
        row = [cell("recipient", d["recipient"], d["recipient"]),
               cell("purpose", d["purpose"], _readable(d["purpose"] or "")),
               cell("legal_basis", d["legal_basis"], _readable(d["legal_basis"] or "")),
               cell("categories", d["categories"], ", ".join(categories))]
        for name in ("decided_at", "carried_out_at"):
            moment = d[name]
            row.append(cell(name, ctx.iso(moment) if moment else None,
                            ctx.datetime_text(moment) if moment else ""))
        rows.append(row)
    return {
        "model": "disclosure",
        # Looked up first: a literal inside gettext(...) would be extracted as a msgid.
        **{key: ctx.gettext(labels[part]) for key, part in
           (("label", "heading"), ("row_label", "row"), ("none", "none"))},
        "layout": "records",
        "columns": [{"name": name, "label": ctx.gettext(labels[name])} for name in names],
        "rows": rows,
    }


def _row_order(model):
    """Order rows by the model's first date (history reads in time order), then by id."""
    for field in mapped_fields(model):
        if isinstance(field, (pw.DateTimeField, pw.DateField)):
            return (field, model._meta.primary_key)
    return (model._meta.primary_key,)


# --- values as a person reads them --------------------------------------------------------


class _References:
    """Rows that other rows point to, read in one query per model, and how they read."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rows = defaultdict(dict)  # model -> {id: row}
        self.wanted = defaultdict(set)  # model -> ids

    def know(self, model, rows):
        for row in rows:
            self.rows[model][row.id] = row

    def want_row(self, model, row, skip=()):
        for field in mapped_fields(model):
            if isinstance(field, pw.ForeignKeyField) and field.name not in skip:
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

    def gettext(self, text):
        """Return a label (or a msgid) in the document's language."""
        return self.translations.gettext(msgid_of(text))

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

    def value_and_text(self, model, field, raw):
        if isinstance(field, pw.ForeignKeyField):
            return self.refs.value_and_text(field.rel_model, raw)
        if raw is None or raw == "":
            return None, ""
        if isinstance(raw, bool):
            return raw, self.word("yes") if raw else self.word("no")
        if isinstance(raw, datetime.datetime):
            return self.iso(raw), self.datetime_text(raw)
        if isinstance(raw, datetime.date):
            return raw.isoformat(), self.date_text(raw)
        if isinstance(raw, decimal.Decimal):
            places = getattr(field, "decimal_places", 2)
            exact = raw.quantize(decimal.Decimal(1).scaleb(-places))
            return str(exact), format_decimal(exact, format="#,##0." + "0" * places,
                                              locale=texts.NUMBER_LOCALES[self.language])
        labels = self.code_labels(model, field.name)
        if labels is not None and raw in labels:
            return raw, self.gettext(labels[raw])
        if isinstance(raw, str):
            changes = _field_values(raw)
            if changes is not None:
                return changes, "; ".join(
                    f"{self._any_field_label(name)}: {value}" for name, value in changes.items())
            return raw, _readable(raw)
        return raw, str(raw)

    def _any_field_label(self, name):
        name = name.rsplit(".", 1)[-1]  # a rectification's target: table.id.field
        label = vocab.REPORT_FIELD_LABELS.get(name)
        return self.gettext(label) if label else name


def _readable(text):
    """Return stored text as it reads: lines ended alike, no blank lines in a row, trimmed.

    Only how the text is laid out changes (the JSON keeps the stored value as it is).
    """
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


@functools.lru_cache(maxsize=None)
def _translations(language):
    """Return the register's message catalog of ``language`` (English: the msgids)."""
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")
