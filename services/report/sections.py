"""The parts of an inspection report: the head, the request, each subject with its rows
in tables, and the disclosures."""

import datetime
import functools
import operator
from collections import defaultdict

import peewee as pw

from models import (
    CATEGORIES,
    FIELD_CATEGORIES,
    ContactPerson,
    Customer,
    InspectionRequest,
    Section,
)
from services import report_texts as texts
from services.categories import home_category, linked_models, mapped_fields
from services.categories import links as links_to
from services.disclosures import disclosures_of
from services.report.context import TABLE_MAX_COLUMNS, _Context, _readable, _row_order
from services.report.facts import facts, fill
from services.vocabulary import report as vocab
from services.vocabulary.customers import CATEGORY_LABELS, NOT_RECORDED


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
    values = facts(ctx)
    return [{"code": code, "heading": sections[code][0],
             "paragraphs": fill(sections[code][1], values)}
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

    def _held(self, ctx):
        """Return the categories the subject's section holds, from the rows the report read
        already (a contact person's: its organisation's section when that was read)."""
        section_id = self.row.__data__.get("section")
        if self.model is not Customer:
            customer = ctx.refs.rows[Customer].get(self.row.__data__.get("customer"))
            section_id = customer.section_id if customer is not None else None
        section = ctx.refs.rows[Section].get(section_id)
        return section.category_set if section is not None else frozenset(CATEGORIES)

    def render(self, ctx):
        data = self.row.__data__
        held_categories = self._held(ctx)
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
            subject["informed"] = _informed_sentence(ctx, data)
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
        # Data of a category the section no longer holds is kept until the purge: the
        # report shows whatever the register holds, saying so; it is not named as empty.
        subject["categories"], empty = [], []
        for code in CATEGORIES:
            label = ctx.gettext(CATEGORY_LABELS.get(code, code))
            if own[code] or any(table["rows"] for table in tables[code]):
                held = code in held_categories
                subject["categories"].append({"code": code, "label": label,
                                              "fields": own[code], "tables": tables[code],
                                              "note": "" if held else ctx.word("leaving")})
            elif code in held_categories:
                empty.append(label)
        subject["empty_categories"] = empty if self.model is Customer else []
        subject["sources"] = _sources(ctx, self)
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
    # A disclosure of the organisation handed the person's data over when it chose a
    # category of the contact persons' fields (GDPR Art. 15(1)(c): the recipients).
    theirs = set(FIELD_CATEGORIES[ContactPerson].values())
    disclosed = disclosures_of({row.customer_id for row in rows}, language=ctx.language)
    for subject in subjects:
        subject.disclosures = [d for d in disclosed.get(subject.row.customer_id, [])
                               if theirs & set(d["categories"])]
    ctx.refs.know(ContactPerson, rows)
    for subject in subjects:
        ctx.refs.want_row(ContactPerson, subject.row)
    return subjects


def _read_only_rows(model, query):
    """Return the rows of ``query`` as instances of ``model`` to read, made from the rows'
    dicts without each field's setter: a subject's ten thousand contact events are read in
    a third of the time. Not for saving (nothing is marked changed)."""
    rows = []
    for data in query.dicts():
        row = model.__new__(model)
        row.__data__, row.__rel__, row._dirty = data, {}, set()
        rows.append(row)
    return rows


def _attach_linked(ctx, target, subjects):
    """Give each subject the rows of every mapped model that references ``target``.

    One query per referencing model, for all subjects at once; a model with several
    references to ``target`` is matched through any of them.
    """
    by_id = {subject.row.id: subject for subject in subjects}
    for model, _first in linked_models(target):
        links = links_to(model, target)
        condition = functools.reduce(operator.or_, [f.in_(list(by_id)) for f in links])
        rows = _read_only_rows(model, model.select().where(condition)
                               .order_by(*_row_order(model)))
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
    if how == "not_reachable":
        return ctx.doc["not_reachable"].format(at=when, reason=data.get(
            "not_reachable_reason") or "—")
    how_text = ctx.cell(Customer, Customer._meta.fields["informed_how"], how)["text"]
    return ctx.doc["informed"].format(at=when, how=how_text)


def _source_text(ctx, model, data):
    """Say where one row's data came from: the source, its note, the day it was checked."""
    source = data.get("data_source")
    if source:
        text = ctx.cell(model, model._meta.fields["data_source"], source)["text"]
    else:
        text = ctx.gettext(NOT_RECORDED)
    note = (data.get("data_source_note") or "").strip()
    if note:
        text = f"{text} ({_readable(note)})"
    checked = data.get("checked_on")
    if checked:
        text = ctx.doc["source_checked"].format(source=text, checked=ctx.date_text(checked))
    return text


def _sources(ctx, subject):
    """State where the subject's data came from (seed §7; GDPR Art. 14(2)(f), 15(1)(g)):
    its own entry, then each linked row that records a source ("Address 1: …")."""
    own = subject.row.__data__
    lines = [{"name": "data_source", "label": ctx.doc["sources_own"],
              "value": own.get("data_source"), "text": _source_text(ctx, subject.model, own)}]
    for model, _links, rows in subject.tables:
        if "data_source" not in model._meta.fields:
            continue
        row_label = ctx.gettext(vocab.ROW_LABELS.get(model.__name__, vocab.ROW_LABEL_DEFAULT))
        for number, row in enumerate(rows, start=1):
            lines.append({"name": "data_source", "label": row_label % {"number": number},
                          "value": row.__data__.get("data_source"),
                          "text": _source_text(ctx, model, row.__data__)})
    return {"heading": ctx.doc["sources_heading"], "lines": lines}


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
        "rows": ctx.table_cells(model, fields, columns, [row.__data__ for row in rows]),
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
