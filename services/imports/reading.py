"""Reading an import file as a stream of rows: a CSV in UTF-8 (with or without a BOM),
UTF-16 (by its BOM: Excel's "Unicode text") or Windows-1252 with its delimiter detected, or
the first sheet of an XLSX workbook.

Nothing here holds the whole file: rows are yielded one at a time, each as
``(row_number, [cell text, …])`` where the header is row 1 as a spreadsheet numbers it.

A file is refused (``RegisterError``, which the page and the command show as a message)
rather than read wrong:

- a file neither format reads (``NOT_READABLE``): a workbook can be broken anywhere — its
  zip, any XML part — and the break can lie far down the sheet, after the header read well,
  so it is refused when the rows are read as well as when the workbook is opened;
- a CSV cell opened by a quotation mark that does not end it (``UNCLOSED_QUOTE``): read on,
  the quotation mark would swallow the rows after it into that one cell;
- a workbook unpacking to more than ``WHOLE_PARTS_LIMIT`` or ``WORKBOOK_LIMIT``
  (``TOO_LARGE``): openpyxl reads the shared strings whole, so an upload of a few MB could
  fill the server's memory;
- a formula without the value a spreadsheet program stores with it (``UNCALCULATED``):
  openpyxl reads it as an empty cell, and the value would vanish without a word.
"""

import codecs
import collections
import csv
import datetime
import hashlib
import io
import re
import zipfile
from xml.etree import ElementTree

from services.errors import N_, RegisterError
from services.exports import unguarded_cell

DELIMITERS = ",;\t|"
# The delimiter of a file whose header is one column (no , ; tab or | in it): the unit
# separator, which no text holds, so "Virtanen, Matti" stays one cell.
ONE_COLUMN = "\x1f"
SAMPLE_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
# What the csv module says of a quotation mark left open (strict mode).
QUOTE_ERRORS = ("expected after", "unexpected end of data")

# The sizes a workbook's parts may have unpacked, as its zip's directory declares them
# (Python's zipfile reads no more of a part than it declares). openpyxl streams the sheets
# but reads every other XML part whole, the shared strings as one Python string each:
# those together at most WHOLE_PARTS_LIMIT; every part together at most WORKBOOK_LIMIT.
WHOLE_PARTS_LIMIT = 64 * 1024 * 1024
WORKBOOK_LIMIT = 512 * 1024 * 1024
# The parts openpyxl streams: the worksheets, as the content types name them.
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_LIMIT = 1024 * 1024
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# A formula cell's value when the file holds none (``_sheet_parser``).
NOT_CALCULATED = object()

NOT_READABLE = N_("The file could not be read as a CSV or XLSX file: save it from the "
                  "spreadsheet as CSV (UTF-8) or as an Excel workbook (.xlsx) and try again.")
TWO_ENCODINGS = N_("Row %(row)s is written in another character encoding than the rest of "
                   "the file, so its letters (ä, ö, å) would be stored garbled: save the "
                   "file from the spreadsheet as CSV (UTF-8) and import it again.")
NO_HEADER = N_("The file has no header row: the first row must name the columns.")
CELL_TOO_LONG = N_("Row %(row)s has a cell of more than 131 072 characters, longer than any "
                   "field of the register takes: shorten it, save the file and import it "
                   "again.")
UNCLOSED_QUOTE = N_("Row %(row)s has a quotation mark (\") that begins a cell but does "
                    "not end it, so the rows after it would be read into that one cell: "
                    "remove the quotation mark, or close it at the end of the cell (a "
                    "quotation mark inside a quoted cell is written twice, \"\"), save the "
                    "file and import it again.")
TOO_LARGE = N_("The workbook is too large to be read here: unpacked, its parts exceed what "
               "an import reads from a workbook. Save its first sheet from the spreadsheet "
               "as CSV (UTF-8), which is read row by row, and import that file.")
UNCALCULATED = N_("The cell %(cell)s holds a formula whose value has not been calculated "
                  "(the file was written by a program, not saved by a spreadsheet): open the "
                  "file in a spreadsheet program such as Excel or LibreOffice Calc, save it "
                  "and import it again.")


def file_hash(path):
    """Return the SHA-256 of the file at ``path``, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# A letter of UTF-8 beyond ASCII (ä is C3 A4): in a file of Windows-1252 such a pair is
# "Ã¤", which nobody writes.
UTF8_LETTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def detect_encoding(sample):
    """Return the encoding of a CSV file beginning with the bytes ``sample``: UTF-8 or
    UTF-16 by a byte order mark, UTF-8 when the sample decodes as it, else Windows-1252 —
    unless the sample holds UTF-8 letters too: a file of two encodings is refused (read as
    either, one part's letters would be stored garbled), naming the row of the first byte
    that is no UTF-8."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec takes the byte order from the BOM and drops it
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut inside a character fails only at its very end.
        if error.start < len(sample) - 3:
            if UTF8_LETTER.search(sample):
                raise RegisterError(TWO_ENCODINGS,
                                    row=sample[:error.start].count(b"\n") + 1) from None
            return "cp1252"
    return "utf-8"


def detect_delimiter(text):
    """Return the delimiter of CSV text: one of , ; tab | that the header line holds (the
    sniffer's choice, else the most frequent), or ONE_COLUMN when it holds none — a comma
    in the names of a one-column file is no delimiter."""
    first = re.split("[\r\n]", text, maxsplit=1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    if not any(counts.values()):
        return ONE_COLUMN
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    return sniffed if counts.get(sniffed) else max(counts, key=counts.get)


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
    # A byte that is no UTF-8 further down a UTF-8 file is refused (TWO_ENCODINGS).
    errors = "replace" if encoding == "cp1252" else "strict"
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        # Strict: a quotation mark left open is an error, not the rest of the file in a cell.
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except UnicodeDecodeError as error:
            # The file is read in blocks: the row is the one after the last read, or later.
            raise RegisterError(TWO_ENCODINGS, row=number + 1) from error
        except csv.Error as error:
            if any(said in str(error) for said in QUOTE_ERRORS):
                # The record that failed began on the row after the last one read.
                raise RegisterError(UNCLOSED_QUOTE, row=number + 1) from error
            if "field larger than field limit" in str(error):
                raise RegisterError(CELL_TOO_LONG, row=number + 1) from error
            raise RegisterError(NOT_READABLE) from error


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


def _refuse_large_workbook(path):
    """Refuse a workbook whose parts, unpacked, exceed the limits (see WHOLE_PARTS_LIMIT),
    before openpyxl reads any of them. A part is a streamed sheet only when the workbook's
    content types say so (openpyxl finds its parts by their types, not their names: the
    shared strings renamed as a sheet's file are still read whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [(info.filename, info.file_size) for info in archive.infolist()]
            sheets = _sheet_parts(archive)
    except RegisterError:
        raise
    except Exception as error:  # noqa: BLE001 - any fault of the zip is the file's
        raise RegisterError(NOT_READABLE) from error
    whole = sum(size for name, size in parts if name not in sheets)
    if whole > WHOLE_PARTS_LIMIT or sum(size for _name, size in parts) > WORKBOOK_LIMIT:
        raise RegisterError(TOO_LARGE)


def _sheet_parts(archive):
    """Return the names of the parts ``[Content_Types].xml`` declares worksheets."""
    info = archive.getinfo(CONTENT_TYPES)
    if info.file_size > CONTENT_TYPES_LIMIT:
        raise RegisterError(TOO_LARGE)
    root = ElementTree.fromstring(archive.read(info))
    declared = [(element.get("PartName", "").lstrip("/"), element.get("ContentType"))
                for element in root if element.tag.endswith("}Override")]
    # A part declared twice may be read whole under its other type (openpyxl finds the
    # shared strings by theirs): a sheet only when that is all it is declared as.
    times = collections.Counter(name for name, _type in declared)
    return {name for name, kind in declared if kind == SHEET_TYPE and times[name] == 1}


def _open_workbook(handle):
    """Return the workbook read from ``handle`` (read only, the values last calculated)."""
    import openpyxl

    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - see _unreadable_as_refusal
        raise RegisterError(NOT_READABLE) from error


def _unreadable_as_refusal(rows):
    """Yield from ``rows`` (openpyxl reading a sheet), whatever it raises a NOT_READABLE
    refusal: a broken workbook raises ParseError, BadZipFile (a CRC), zlib.error, KeyError,
    IndexError, TypeError or ValueError (a value openpyxl's descriptors refuse) … openpyxl
    names no one exception for them, and every one is the file's fault."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - see above
            raise RegisterError(NOT_READABLE) from error
        yield row


def _sheet_parser(book, sheet, source):
    """Return openpyxl's own parser of ``sheet`` (the values last calculated, as
    ``load_workbook(data_only=True)`` reads them) that marks a formula without a value
    NOT_CALCULATED instead of reading it as an empty cell. openpyxl offers no public way to
    tell the two apart, so this takes its read-only sheet's own parts (``_get_source``,
    ``_shared_strings``, the book's date formats) as ``ReadOnlyWorksheet`` does; the
    version is pinned in requirements.txt, and tests/test_import_reading.py reads both."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CalculatedValues(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # A formula of text may be calculated as "" (t="str"); a number never is empty.
            if cell["value"] is None and element.find(FORMULA_TAG) is not None \
                    and element.get("t", "n") != "str":
                cell["value"] = NOT_CALCULATED
            return cell

    return CalculatedValues(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                            date_formats=book._date_formats,
                            timedelta_formats=book._timedelta_formats)


def _sheet_values(book):
    """Yield ``(row number, values)`` of the rows of the book's first sheet, each row as
    wide as the sheet says it is (an unnamed column keeps its place)."""
    sheet = book.worksheets[0]
    width = sheet.max_column or 0
    with sheet._get_source() as source:
        for number, cells in _sheet_parser(book, sheet, source).parse():
            values = [None] * max([width] + [cell["column"] for cell in cells])
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield number, values


def _refuse_uncalculated(number, values):
    """Refuse the workbook at the first formula of the row without a value, by its cell."""
    from openpyxl.utils import get_column_letter

    for index, value in enumerate(values):
        if value is NOT_CALCULATED:
            raise RegisterError(UNCALCULATED, cell=f"{get_column_letter(index + 1)}{number}")


def _xlsx_rows(path):
    """Yield ``(row number, cell texts)`` of the workbook's first sheet, its rows numbered
    as the spreadsheet numbers them."""
    _refuse_large_workbook(path)
    # A file object: the kept file's name is its hash, and openpyxl judges a name by its
    # extension.
    with open(path, "rb") as handle:
        book = _open_workbook(handle)
        try:
            for number, values in _unreadable_as_refusal(_sheet_values(book)):
                _refuse_uncalculated(number, values)
                yield number, [_cell_text(value) for value in values]
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
