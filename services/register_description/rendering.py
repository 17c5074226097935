"""The public documents as PDF (set like the inspection report, in its Unicode font) and
the record of processing as XLSX."""

import io

from services.exports import safe_cell

BULLET = "•"


def render_pdf(document):
    """Return a document (description, notice or record) as PDF bytes."""
    # fpdf2 is imported when a PDF is first written (30 MB a server process need not hold).
    from services.report_pdf import DocumentPDF

    pdf = DocumentPDF(f"{document['title']}: {document['register']}", document["language"],
                      document["page"])
    pdf.add_page()
    pdf.heading(document["title"], 0)
    if document.get("register"):
        pdf.paragraph(document["register"], size=11, bold=True)
    if document.get("subtitle"):
        pdf.paragraph(document["subtitle"], size=10, muted=True)
    pdf.paragraph(document["version"], size=9, muted=True)
    for part in document["parts"]:
        if part["heading"]:
            pdf.heading(part["heading"], 1)
        for block in part["blocks"]:
            if block.get("text"):
                pdf.paragraph(block["text"])
            for item in block.get("items", []):
                pdf.paragraph(f"{BULLET} {item}")
    return bytes(pdf.output())


def render_xlsx(document):
    """Return a document as an XLSX workbook (bytes): a row a paragraph or list item, its
    heading in the first column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = safe_cell(document["title"])[:31]
    for line in (document["title"], document.get("register"), document.get("subtitle"),
                 document["version"]):
        if line:
            sheet.append([safe_cell(line)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    for part in document["parts"]:
        first = True
        for block in part["blocks"]:
            for text in ([block["text"]] if block.get("text") else []) + [
                    f"{BULLET} {item}" for item in block.get("items", [])]:
                sheet.append([safe_cell(part["heading"] if first else ""), safe_cell(text)])
                if first:
                    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
                first = False
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_col=1, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
