"""Reading an import file (issue 15, services/imports/reading.py) where a file is broken or
odd: a corrupt workbook refused on the page and the command line, a CSV quotation mark left
open, a one-column file with commas, UTF-16, formulas without a value, a workbook that
unpacks too large, and a row's cells the import must not store or lose."""

import io
import zipfile

import openpyxl
import pytest

from models import Customer, ImportRefusal, ImportRun
from services.errors import RegisterError
from services.imports import header_and_rows, reading, rows
from tests.test_imports import (
    HEADER,
    good_row,
    informing_options,
    refusals,
    run_import,
    upload,
    write_csv,
)

PEOPLE = ["staff_t"]
NOT_READABLE_FI = "Tiedostoa ei voitu lukea CSV- tai XLSX-tiedostona"


def xlsx_bytes(table):
    book = openpyxl.Workbook()
    for row in table:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(content, parts=None, extra=None):
    """Return the workbook ``content`` with some parts replaced (``parts``: {name: bytes})
    and some added (``extra``: {name: bytes}), deflated."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, (parts or {}).get(name, source.read(name)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet_xml(content):
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


def read_all(path):
    header, data = header_and_rows(str(path))
    return header, list(data)


def refusal_of(path):
    with pytest.raises(RegisterError) as caught:
        read_all(path)
    return caught.value


def import_command(runner, path, *args):
    return runner.invoke(args=["import", "customers", str(path), "--section", "tourism",
                               *informing_options(), *args])


# --- a corrupt workbook (D1) ---------------------------------------------------------------

BROKEN_PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml",
                "xl/styles.xml"]


@pytest.mark.parametrize("part, content", [(part, b"<x") for part in BROKEN_PARTS] + [
    ("xl/worksheets/sheet1.xml", b""), ("xl/worksheets/sheet1.xml", b"\x00\x01binary"),
    ("xl/workbook.xml", b"<workbook/>")])
def test_a_workbook_with_a_broken_part_is_not_readable(tmp_path, part, content):
    path = tmp_path / "broken"
    path.write_bytes(rezipped(xlsx_bytes([HEADER, good_row(1)]), {part: content}))
    assert refusal_of(path).message == reading.NOT_READABLE


def test_a_workbook_cut_off_after_its_header_is_refused_at_the_row(tmp_path):
    table = [HEADER] + [good_row(i) for i in range(1, 200)]
    content = xlsx_bytes(table)
    sheet = sheet_xml(content)
    path = tmp_path / "cut"
    path.write_bytes(rezipped(content, {"xl/worksheets/sheet1.xml": sheet[:len(sheet) // 2]}))
    header, data = header_and_rows(str(path))
    assert header == HEADER  # the upload reads the header well
    with pytest.raises(RegisterError) as caught:
        list(data)
    assert caught.value.message == reading.NOT_READABLE


@pytest.mark.parametrize("part", BROKEN_PARTS)
def test_a_broken_workbook_upload_is_a_message_not_an_error_page(app, client, auth, people,
                                                                 part):
    token = auth.login_as("staff_t", token_from="/imports/")
    content = rezipped(xlsx_bytes([HEADER, good_row(1)]), {part: b"<x"})
    answer = client.post("/imports/upload", data={
        "file": (io.BytesIO(content), "asiakkaat.xlsx"), "section": "tourism",
        "csrf_token": token}, content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200 and answer.request.path == "/imports/"
    assert NOT_READABLE_FI in answer.get_data(as_text=True)


def test_a_workbook_broken_below_its_header_is_a_message_at_the_dry_run(app, client, auth,
                                                                        people):
    token = auth.login_as("staff_t", token_from="/imports/")
    table = [HEADER] + [good_row(i) for i in range(1, 200)]
    content = xlsx_bytes(table)
    sheet = sheet_xml(content)
    location = upload(client, token, rezipped(
        content, {"xl/worksheets/sheet1.xml": sheet[:len(sheet) // 2]}), name="a.xlsx")
    assert "/map/" in location
    answer = client.post(location, data={"csrf_token": token, "column-0": "last_name",
                                         "column-1": "first_name"}, follow_redirects=True)
    assert answer.status_code == 200  # the mapping form again, with the message
    assert NOT_READABLE_FI in answer.get_data(as_text=True)
    assert not ImportRun.select().exists()


@pytest.mark.parametrize("cut", [False, True])
def test_a_broken_workbook_on_the_command_line_is_an_error_line(app, runner, tmp_path, cut):
    table = [HEADER] + [good_row(i) for i in range(1, 200)]
    content = xlsx_bytes(table)
    sheet = sheet_xml(content)
    path = tmp_path / "broken.xlsx"
    path.write_bytes(rezipped(content, {"xl/worksheets/sheet1.xml":
                                        sheet[:len(sheet) // 2] if cut else b"<x"}))
    for args in (["--dry-run"], []):
        result = import_command(runner, path, *args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), \
            result.output
        assert "Error: " + NOT_READABLE_FI in result.output
    assert not Customer.select().exists()


# --- a quotation mark left open (D13) -----------------------------------------------------

def semicolon_lines(table):
    return "\n".join(";".join(row) for row in table) + "\n"


@pytest.mark.parametrize("later", ["", 'Joe "Iso" Kala'])
def test_a_quotation_mark_left_open_refuses_the_file_naming_its_row(tmp_path, later):
    table = [HEADER] + [good_row(i) for i in range(1, 6)]
    table[2] = ['"' + table[2][0]] + table[2][1:]  # row 3: "Äijälä2;Öljy 2;…
    if later:
        table[4][1] = later  # a quotation mark further down closes the first one
    path = tmp_path / "q.csv"
    path.write_text(semicolon_lines(table), encoding="utf-8")
    refused = refusal_of(path)
    assert (refused.message, refused.params) == (reading.UNCLOSED_QUOTE, {"row": 3})


def test_a_quotation_mark_left_open_on_the_command_line(app, runner, tmp_path):
    table = [HEADER] + [good_row(i) for i in range(1, 6)]
    table[2] = table[2][:1] + ['"Masa ' + table[2][1]] + table[2][2:]
    path = tmp_path / "q.csv"
    path.write_text(semicolon_lines(table), encoding="utf-8")
    result = import_command(runner, path, "--dry-run")
    assert result.exit_code == 1 and "Error: Rivillä 3 on lainausmerkki" in result.output
    # The run of a file refused part way is not left open.
    assert [(run.kind, run.state) for run in ImportRun.select()] == [("dry_run", "cancelled")]


def test_a_quoted_cell_on_two_lines_still_reads(tmp_path):
    first, second = good_row(1), good_row(2)
    first[4] = "Mannerheimintie 1\nA 5"
    path = write_csv(tmp_path / "two.csv", [HEADER, first, second])
    assert read_all(path) == (HEADER, [(2, first), (3, second)])


# --- one column, and cells beyond the header (D14) ----------------------------------------

def test_a_one_column_file_keeps_its_commas(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("Nimi\nVirtanen, Matti\nOy Yritys, Ab\n", encoding="utf-8")
    assert read_all(path) == (["Nimi"], [(2, ["Virtanen, Matti"]), (3, ["Oy Yritys, Ab"])])


def test_a_one_column_file_imports_no_name_cut_at_its_comma(app, runner, tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("Nimi\nVirtanen, Matti\nOy Yritys, Ab\n", encoding="utf-8")
    run_import(runner, path, "--duplicates", "create")
    names = {customer.name for customer in Customer.select()}
    assert "Virtanen" not in names and "Oy Yritys" not in names


def test_a_header_naming_its_columns_by_one_delimiter_decides_it(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Nimi;Osoite\nVirtanen, Matti;Katu 1, A 5\n", encoding="utf-8")
    assert read_all(path) == (["Nimi", "Osoite"], [(2, ["Virtanen, Matti", "Katu 1, A 5"])])


def test_a_cell_beyond_the_headers_columns_is_a_refusal(app, runner, tmp_path):
    table = [HEADER, good_row(1) + ["ylimääräinen"], good_row(2) + ["", ""], good_row(3)]
    run = run_import(runner, write_csv(tmp_path / "wide.csv", table), "--dry-run")
    assert (run.total, run.accepted, run.refused) == (3, 2, 1)
    refusal = ImportRefusal.get(ImportRefusal.run == run.id)
    assert (refusal.row_number, refusal.column, refusal.message) == \
        (2, "8", rows.EXTRA_CELL_MESSAGE)


# --- UTF-16 (D15) -------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_its_bom_reads_as_its_text(tmp_path, encoding):
    row = ["Šimić", "Žaneta", "s@example.com", "1.2.1980", "Katu 1", "00100", "Helsinki"]
    text = "\r\n".join("\t".join(r) for r in [HEADER, row]) + "\r\n"
    bom = {"utf-16": "", "utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}[encoding]
    path = tmp_path / "u.txt"
    path.write_bytes((bom + text).encode(encoding))
    assert read_all(path) == (HEADER, [(2, row)])


def test_a_utf16_file_imports_on_the_command_line(app, runner, tmp_path):
    row = ["Šimić", "Matti", "s@example.com", "1.2.1980", "Katu 1", "00100", "Helsinki"]
    path = tmp_path / "u.txt"
    path.write_bytes(("\r\n".join("\t".join(r) for r in [HEADER, row]) + "\r\n")
                     .encode("utf-16"))
    run = run_import(runner, path)
    assert (run.accepted, run.refused) == (1, 0)
    assert Customer.get().last_name == "Šimić"


# --- formulas without a value (D16) -------------------------------------------------------

def formula_workbook(tmp_path, cached=None):
    """A workbook as a script writes it: C2 a formula without its value (``cached``: the
    value a spreadsheet program would have stored with it, as text)."""
    content = xlsx_bytes([["Sukunimi", "Etunimet", "Sähköposti"],
                          ["Virtanen", "Matti", '=LOWER("MATTI@EXAMPLE.COM")']])
    if cached is not None:
        sheet = sheet_xml(content).replace(
            b'<c r="C2"><f>', b'<c r="C2" t="str"><f>').replace(
            b"<v />", f"<v>{cached}</v>".encode())
        content = rezipped(content, {"xl/worksheets/sheet1.xml": sheet})
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    return path


def test_a_formula_without_its_value_refuses_the_workbook(tmp_path):
    refused = refusal_of(formula_workbook(tmp_path))
    assert (refused.message, refused.params) == (reading.UNCALCULATED, {"cell": "C2"})


@pytest.mark.parametrize("cached", ["matti@example.com", ""])
def test_a_formula_with_its_value_reads_as_the_value(tmp_path, cached):
    assert read_all(formula_workbook(tmp_path, cached))[1] == \
        [(2, ["Virtanen", "Matti", cached])]


def test_a_formula_without_its_value_on_the_command_line(app, runner, tmp_path):
    result = import_command(runner, formula_workbook(tmp_path), "--duplicates", "create")
    assert result.exit_code == 1 and "Error: Solussa C2 on kaava" in result.output
    assert not Customer.select().exists()


# --- a workbook that unpacks too large ----------------------------------------------------

SHARED_STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                       'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SHARED_STRINGS_REL = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships/sharedStrings" '
                      'Target="sharedStrings.xml"/>')


def shared_strings_workbook(tmp_path, strings, name="xl/sharedStrings.xml"):
    """A workbook with ``strings`` shared strings of 1000 letters each (about 1 KB each
    unpacked, next to nothing packed), kept in the part ``name``."""
    content = xlsx_bytes([["Sukunimi", "Etunimet"], ["Virtanen", "Matti"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    types = source.read("[Content_Types].xml").replace(
        b"</Types>", SHARED_STRINGS_TYPE.replace("xl/sharedStrings.xml", name).encode()
        + b"</Types>")
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", SHARED_STRINGS_REL.replace(
            "sharedStrings.xml", name.removeprefix("xl/")).encode() + b"</Relationships>")
    string = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    shared = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main">' + string * strings + b"</sst>")
    path = tmp_path / "big.xlsx"
    path.write_bytes(rezipped(content, {"[Content_Types].xml": types,
                                        "xl/_rels/workbook.xml.rels": rels},
                              {name: shared}))
    return path


def test_a_workbook_unpacking_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = shared_strings_workbook(tmp_path, 2000)
    assert path.stat().st_size < 50_000
    assert read_all(path)[0] == ["Sukunimi", "Etunimet"]  # within the limits: read
    monkeypatch.setattr(reading, "WHOLE_PARTS_LIMIT", 1024 * 1024, raising=False)
    assert refusal_of(path).message == reading.TOO_LARGE
    monkeypatch.setattr(reading, "WHOLE_PARTS_LIMIT", 64 * 1024 * 1024)
    monkeypatch.setattr(reading, "WORKBOOK_LIMIT", 1024 * 1024, raising=False)
    assert refusal_of(path).message == reading.TOO_LARGE


@pytest.mark.parametrize("name", ["xl/worksheets/strings.xml", "xl/strings.bin"])
def test_a_part_read_whole_counts_whatever_its_name(tmp_path, monkeypatch, name):
    """openpyxl finds the shared strings by their content type: renamed as a sheet's file
    or with no .xml, they are still read whole, and count as such."""
    path = shared_strings_workbook(tmp_path, 2000, name)
    assert read_all(path)[1] == [(2, ["Virtanen", "Matti"])]  # the renamed part is read
    monkeypatch.setattr(reading, "WHOLE_PARTS_LIMIT", 1024 * 1024)
    assert refusal_of(path).message == reading.TOO_LARGE


def test_a_part_declared_a_sheet_and_something_else_counts_as_read_whole(tmp_path,
                                                                         monkeypatch):
    """The shared strings declared a second time as a worksheet are still read whole."""
    path = shared_strings_workbook(tmp_path, 2000)
    types = zipfile.ZipFile(path).read("[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
    twice = tmp_path / "twice.xlsx"
    twice.write_bytes(rezipped(path.read_bytes(), {"[Content_Types].xml": types}))
    monkeypatch.setattr(reading, "WHOLE_PARTS_LIMIT", 1024 * 1024)
    assert refusal_of(twice).message == reading.TOO_LARGE


def test_the_limits_leave_a_large_sheet_alone(tmp_path, monkeypatch):
    """The sheet is read as a stream: only the parts read whole have the smaller limit."""
    content = xlsx_bytes([HEADER] + [good_row(i) for i in range(1, 3000)])
    size = len(sheet_xml(content))
    monkeypatch.setattr(reading, "WHOLE_PARTS_LIMIT", size // 2)
    path = tmp_path / "long.xlsx"
    path.write_bytes(content)
    assert len(read_all(path)[1]) == 2999


# --- control characters in a cell (D12) ---------------------------------------------------

def test_a_control_character_refuses_the_row_naming_its_column(app, runner, tmp_path):
    bad = good_row(1)
    bad[1], bad[4] = "Matti\x01\x1b[31m", "Katu\x0b 1"
    tabbed = good_row(2)
    tabbed[4] = "Mannerheimintie\t2"  # a tab is text (services/inputs.py)
    path = write_csv(tmp_path / "c.csv", [HEADER, bad, tabbed, good_row(3)])
    run = run_import(runner, path, "--duplicates", "create")
    assert (run.accepted, run.refused) == (2, 1)
    assert refusals(run) == [(2, "Etunimet"), (2, "Katuosoite")]
    assert {r.message for r in ImportRefusal.select()} == {rows.CONTROL_MESSAGE}
    assert not any(c.first_name.startswith("Matti") for c in Customer.select())


def test_a_file_of_two_encodings_is_refused_naming_the_row(tmp_path):
    """One byte of Windows-1252 among UTF-8 letters: read as Windows-1252 every ä of the
    file was stored as "Ã¤", silently."""
    table = [HEADER] + [good_row(i) for i in range(1, 4)]
    text = semicolon_lines(table).encode("utf-8")
    path = tmp_path / "two.csv"
    path.write_bytes(text.replace(b"person2@", b"person2\xa0@"))
    refused = refusal_of(path)
    assert (refused.message, refused.params) == (reading.TWO_ENCODINGS, {"row": 3})


def test_a_byte_that_is_no_utf8_far_down_a_utf8_file_is_refused(tmp_path):
    table = [HEADER] + [good_row(i) for i in range(1, 3000)]
    text = semicolon_lines(table).encode("utf-8")
    assert len(text) > reading.SAMPLE_BYTES
    path = tmp_path / "late.csv"
    path.write_bytes(text.replace(b"person2900@", b"person2900\xe4@"))
    refused = refusal_of(path)
    assert refused.message == reading.TWO_ENCODINGS and refused.params["row"] <= 2901


def test_a_windows_1252_file_still_reads(tmp_path):
    table = [HEADER] + [good_row(i) for i in range(1, 4)]
    path = tmp_path / "ansi.csv"
    path.write_bytes(semicolon_lines(table).encode("cp1252"))
    _header, rows = header_and_rows(str(path))
    assert [cells[0] for _number, cells in rows] == ["Äijälä1", "Äijälä2", "Äijälä3"]
