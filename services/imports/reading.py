"""Reading an import file as a stream of rows: a CSV in UTF-8 (with or without a BOM) or
Windows-1252 with its delimiter detected, or the first sheet of an XLSX workbook.

Nothing here holds the whole file: rows are yielded one at a time, each as
``(row_number, [cell text, …])`` where the header is row 1 as a spreadsheet numbers it.
"""

import codecs
import csv
import datetime
import hashlib
import io
import zipfile

from services.errors import N_, RegisterError
from services.exports import unguarded_cell

DELIMITERS = ",;\t|"
SAMPLE_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"

NOT_READABLE = N_("The file could not be read as a CSV or XLSX file: save it from the "
                  "spreadsheet as CSV (UTF-8) or as an Excel workbook (.xlsx) and try again.")
NO_HEADER = N_("The file has no header row: the first row must name the columns.")


def file_hash(path):
    """Return the SHA-256 of the file at ``path``, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_encoding(sample):
    """Return the encoding of a CSV file beginning with the bytes ``sample``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut inside a character fails only at its very end.
        if error.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def detect_delimiter(text):
    """Return the delimiter of CSV text: one of , ; tab |, comma when nothing says."""
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def is_xlsx(path):
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def _csv_rows(path):
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    delimiter = detect_delimiter(text[:16 * 1024])
    # cp1252 leaves five bytes undefined: read them as replacement characters, not a crash.
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
            yield number, row


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object: the kept file's name is its hash, and openpyxl judges a name by its
    # extension.
    with open(path, "rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError,
                ValueError) as error:
            raise RegisterError(NOT_READABLE) from error
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(value) for value in row]
        finally:
            book.close()


def rows(path):
    """Yield ``(row_number, cells)`` of the file at ``path``, the header first."""
    reader = _xlsx_rows(path) if is_xlsx(path) else _csv_rows(path)
    try:
        for number, cells in reader:
            # An export's cells come back as they were ("'+358…" is "+358…").
            yield number, [unguarded_cell(cell.replace("\x00", "").strip()) for cell in cells]
    except (csv.Error, UnicodeError) as error:
        raise RegisterError(NOT_READABLE) from error


def header_and_rows(path):
    """Return the header (list of column names) and an iterator of the data rows that
    have something in them."""
    stream = rows(path)
    header = next(stream, None)
    if header is None or not any(header[1]):
        raise RegisterError(NO_HEADER)
    data = ((number, cells) for number, cells in stream if any(cells))
    return header[1], data


def as_text(number_cells):
    """Return rows as CSV text (for tests and the refused rows' file)."""
    out = io.StringIO()
    csv.writer(out).writerows(number_cells)
    return out.getvalue()
