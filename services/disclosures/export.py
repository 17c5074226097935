"""The data set as a file: CSV or XLSX, with labels in the reader's language and every text
cell escaped."""

import dataclasses
import datetime
import decimal
import io

import peewee as pw

from models import Section, User
from services import localtime
from services.exports import csv_writer, safe_cell

@dataclasses.dataclass(frozen=True)
class ExportLabels:
    """How the file names things, in the reader's language (defaults: the codes)."""

    table: object = lambda model: model.__name__
    field: object = lambda model, name: name
    value: object = lambda model, name, code: code
    customer_number: str = "customer_number"
    yes: str = "yes"
    no: str = "no"
    # (label, text) pairs of the cover: who, to whom, why, when — no personal data.
    cover_title: str = "disclosure"
    cover: tuple = ()


class _Values:
    """Turns stored values into cells: labels for codes, a section by its name and a user
    account by its role — the data set is about the customers, not about the staff."""

    def __init__(self, tables, labels):
        self.labels = labels
        self.sections = {s.id: s.code for s in Section.select(Section.id, Section.code)}
        user_ids = {row[i] for t in tables for i, f in enumerate(t.fields, start=1)
                    if isinstance(f, pw.ForeignKeyField) and f.rel_model is User
                    for row in t.rows if row[i] is not None}
        self.roles = dict(User.select(User.id, User.role)
                          .where(User.id.in_(sorted(user_ids))).tuples()) if user_ids else {}

    def cell(self, model, field, value):
        """Return the cell of ``value``: a number, a date, or escaped text."""
        if value is None:
            return ""
        if isinstance(field, pw.ForeignKeyField):
            if field.rel_model is Section:
                code = self.sections.get(value, value)
                return safe_cell(self.labels.value(Section, "code", code))
            if field.rel_model is User:
                role = self.roles.get(value, "")
                return safe_cell(self.labels.value(User, "role", role))
            return value
        if isinstance(value, bool):
            return self.labels.yes if value else self.labels.no
        if isinstance(value, datetime.datetime):
            return localtime.wall_time(value)
        if isinstance(value, (datetime.date, int, decimal.Decimal)):
            return value
        if field.choices:
            value = self.labels.value(model, field.name, value)
        return safe_cell(value)


def _headers(table, labels):
    return [safe_cell(labels.customer_number)] + [
        safe_cell(labels.field(table.model, f.name)) for f in table.fields]


def _csv_text(value, locale):
    if isinstance(value, decimal.Decimal):
        text = f"{value:.2f}"
        return text if locale == "en" else text.replace(".", ",")
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(tables, labels=None, locale="fi"):
    """Return the data set as CSV bytes (UTF-8 with BOM, ``;``): the cover, then each table
    under its title, a blank line between."""
    labels = labels or ExportLabels()
    values = _Values(tables, labels)
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";")
    if labels.cover:
        writer.writerow([safe_cell(labels.cover_title)])
        for label, text in labels.cover:
            writer.writerow([safe_cell(label), safe_cell(text)])
        writer.writerow([])
    for table in tables:
        writer.writerow([safe_cell(labels.table(table.model))])
        writer.writerow(_headers(table, labels))
        for row in table.rows:
            cells = [row[0]] + [values.cell(table.model, f, v)
                                for f, v in zip(table.fields, row[1:])]
            writer.writerow([_csv_text(c, locale) for c in cells])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(number, title):
    name = f"{number} {title}"
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31]


def to_xlsx(tables, labels=None):
    """Return the data set as an XLSX workbook (bytes): the cover, then one sheet a table."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    labels = labels or ExportLabels()
    values = _Values(tables, labels)
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def heading(sheet, cells):
        row = []
        for text in cells:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            row.append(cell)
        sheet.append(row)

    if labels.cover:
        sheet = book.create_sheet(_sheet_name(1, labels.cover_title))
        heading(sheet, [safe_cell(labels.cover_title)])
        for label, text in labels.cover:
            sheet.append([safe_cell(label), safe_cell(text)])
    for number, table in enumerate(tables, start=2 if labels.cover else 1):
        sheet = book.create_sheet(_sheet_name(number, labels.table(table.model)))
        heading(sheet, _headers(table, labels))
        for row in table.rows:
            sheet.append([row[0]] + [values.cell(table.model, f, v)
                                     for f, v in zip(table.fields, row[1:])])
    if not book.worksheets:
        book.create_sheet("1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
