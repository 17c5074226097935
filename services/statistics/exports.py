"""The statistics as CSV and XLSX, with the hidden cells shown as they are on the page."""

import decimal
import io

from services.exports import csv_writer
from services.exports import safe_cell as _safe


# --- exports --------------------------------------------------------------------------


def _cell_text(value):
    """A published cell as CSV text: numbers as they are (decimal comma), text escaped."""
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _safe(value)


def table_rows(table, title, row_label, row_names, column_names):
    """Return the table as published: a header row, then one list per row."""
    header = [row_label] + [column_names(c) for c in table.column_keys()]
    body = [[row_names(r)] + [table.shown(r, c) for c in table.column_keys()]
            for r in table.row_keys()]
    return title, header, body


def to_csv(sections, legend=()):
    """Return the published tables as CSV text: each table under its title, a blank line
    between, and the ``legend`` of the marks ("< 5", "..") after the last, as the XLSX has.

    ``sections`` is a list of (title, header, body) from :func:`table_rows`.
    """
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";")
    for title, header, body in sections:
        writer.writerow([_safe(title)])
        writer.writerow([_safe(h) for h in header])
        for row in body:
            writer.writerow([_safe(row[0])] + [_cell_text(v) for v in row[1:]])
        writer.writerow([])
    for line in legend:
        writer.writerow([_safe(line)])
    return "\ufeff" + out.getvalue()


def to_xlsx(sections, legend=()):
    """Return the published tables as an XLSX workbook (bytes): one sheet a table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for number, (title, header, body) in enumerate(sections, start=1):
        sheet = book.create_sheet(_sheet_name(number, title))
        sheet.append([_safe(title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_safe(h) for h in header])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append([_safe(row[0])] + [_xlsx_value(v) for v in row[1:]])
        sheet.append([])
        for line in legend:
            sheet.append([_safe(line)])
        sheet.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, (int, decimal.Decimal)):
        return float(value) if isinstance(value, decimal.Decimal) else value
    return _safe(str(value))


def _sheet_name(number, title):
    name = f"{number} {title}"
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31]
