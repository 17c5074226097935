"""What every CSV and XLSX export of the register shares: cells a spreadsheet never runs.

A spreadsheet takes a cell starting with =, +, - or @ as a formula (tab, carriage return
and line feed before one as well), and a formula in a customer's name could fetch a
page or run a command on the reader's machine (CSV/formula injection, OWASP). Every
export writes its text cells through :func:`safe_cell`, which prefixes such a cell with
an apostrophe: the spreadsheet shows the text as it is and runs nothing. And every CSV
quotes every cell (:func:`csv_writer`): a spreadsheet splitting a line by the other
separator (Finnish Excel takes ";" for a comma-separated file) would otherwise find a cell
beginning after a ";" inside a name ("Acme;=cmd…").
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

# The Content-Type of each kind of download, whole: given as the header itself, so that
# nothing appends a second "; charset=utf-8".
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def csv_writer(out, delimiter=","):
    """Return the CSV writer of every export: each cell quoted, lines ending in CRLF."""
    return csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def safe_cell(value):
    """Return ``value`` as text a spreadsheet shows and never runs ("" for None)."""
    if value is None:
        return ""
    text = str(value)
    # After spaces too: a spreadsheet trimming the cell (some importers do) reads
    # " =HYPERLINK(…)" as a formula.
    if _formula_like(text):
        return "'" + text
    return text


def _formula_like(text):
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def unguarded_cell(text):
    """Return a cell read back from a file as it was before :func:`safe_cell`: without
    the apostrophe put before a formula's first character ("'+358 40 380 6251")."""
    if text.startswith("'") and _formula_like(text[1:]):
        return text[1:]
    return text
