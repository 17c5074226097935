"""Import of customers from a file (issue 15): reading, mapping, the form's refusals with
row and column, dry run, idempotent and resumable commit, the pages and section isolation."""

import csv
import io
import os
import subprocess

import openpyxl
import pytest

from database import db
from models import Address, AuditEvent, Customer, ImportMapping, ImportRefusal, ImportRun
from services import audit
from services.imports import auto_mapping, header_and_rows, mapping
from tests.conftest import flask_command, typed_now

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEOPLE = ["staff_t", "staff_b", "handler_t", "controller", "responsible"]
HEADER = ["Sukunimi", "Etunimet", "Sähköposti", "Syntymäaika", "Katuosoite", "Postinumero",
          "Postitoimipaikka"]


def good_row(i):
    return [f"Äijälä{i}", f"Öljy {i}", f"person{i}@example.com", "1.2.1980",
            f"Mannerheimintie {i}", "00100", "Helsinki"]


def write_csv(path, rows, encoding="utf-8", delimiter=";"):
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def informing_options():
    return ["--informed-how", "in_person", "--informed-at", typed_now(minutes_ago=1)]


def run_import(runner, path, *args, section="tourism"):
    result = runner.invoke(args=["import", "customers", str(path), "--section", section,
                                 *informing_options(), *args])
    assert result.exit_code == 0, result.output
    return ImportRun.select().order_by(ImportRun.id.desc()).get()


def refusals(run):
    return [(r.row_number, r.column) for r in
            ImportRefusal.select().where(ImportRefusal.run == run.id)
            .order_by(ImportRefusal.row_number, ImportRefusal.id)]


# --- reading and mapping (no database) --------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_encodings_and_delimiters_are_detected(tmp_path, encoding, delimiter):
    rows = [HEADER, good_row(1), good_row(2)]
    path = write_csv(tmp_path / "f.csv", rows, encoding, delimiter)
    header, data = header_and_rows(str(path))
    assert header == HEADER
    assert [cells for _n, cells in data] == [good_row(1), good_row(2)]


def test_an_xlsx_first_sheet_is_read_with_dates_as_typed(tmp_path):
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Namn", "FO-nummer", "Födelsedatum"])
    sheet.append(["Ab Företag", "1234567-1", datetime.datetime(1980, 2, 1)])
    book.save(tmp_path / "f")  # kept by its hash: no extension
    header, data = header_and_rows(str(tmp_path / "f"))
    assert header == ["Namn", "FO-nummer", "Födelsedatum"]
    assert list(data) == [(2, ["Ab Företag", "1234567-1", "01.02.1980"])]


@pytest.mark.parametrize("header, expected", [
    (["Nimi", "Etunimet", "Sukunimi", "Y-tunnus", "Postinumero", "Sähköposti", "Puhelin"],
     ["display_name", "first_name", "last_name", "business_id", "postal_code", "email",
      "phone"]),
    (["Namn", "Förnamn", "Efternamn", "FO-nummer", "Postnummer", "E-post", "Telefon"],
     ["display_name", "first_name", "last_name", "business_id", "postal_code", "email",
      "phone"]),
    (["NAME", "first names", "Last name", "Business ID", "Postal code", "e-mail", "Phone"],
     ["display_name", "first_name", "last_name", "business_id", "postal_code", "email",
      "phone"]),
    (["Sahkoposti", "  postinumero ", "Unknown column"], ["email", "postal_code", None]),
])
def test_headers_map_in_three_languages(header, expected):
    found = auto_mapping(header)
    assert [found.get(i) for i in range(len(header))] == expected


def test_choice_columns_take_a_code_or_a_label_in_any_language(app):
    assert mapping.choice_code("kind", "Yritys") == "company"
    assert mapping.choice_code("kind", "företag") == "company"
    assert mapping.choice_code("language", "ruotsi") == "sv"
    assert mapping.choice_code("kind", "alien") == "alien"  # the form refuses it


# --- the form's refusals, the dry run and the commit -------------------------------------

def test_every_refusal_is_reported_with_its_row_and_column(app, runner, tmp_path):
    rows = [HEADER + ["Muistiinpano"],
            good_row(1) + [""],
            ["Virtanen", "Matti", "matti@example.com", "31.2.1980", "", "", "", ""],  # date
            ["", "Pekka", "pekka@example.com", "", "", "", "", ""],  # no last name
            good_row(4)[:7] + ["hetu 131052-308T"],  # henkilötunnus, unmapped column
            ["Nieminen", "Liisa", "not-an-email", "", "", "", "", ""],  # email
            ["Laine", "Aino", "", "", "Katu 1", "99999", "Helsinki", ""],  # postal code
            ["Lahti", "Leo", "leo@example.com", "", "", "", "", "\x00"]]  # NUL: nothing
    path = write_csv(tmp_path / "refused.csv", rows)
    before = Customer.select().count()
    run = run_import(runner, path, "--dry-run")
    assert (run.kind, run.state, run.total, run.accepted, run.refused) == \
        ("dry_run", "checked", 7, 2, 5)
    found = refusals(run)
    assert found[:4] == [(3, "Syntymäaika"), (4, "Sukunimi"), (5, "Muistiinpano"),
                         (6, "Sähköposti")]
    assert found[4][0] == 7 and found[4][1] in ("Postinumero", "Postitoimipaikka")
    messages = {r.row_number: (r.message, r.params) for r in ImportRefusal.select()}
    assert "henkilötunnus" in messages[5][0] and "Muistiinpano" in messages[5][1]
    assert "sähköpostiosoite" in messages[6][0]  # the form's own message, in Finnish
    assert Customer.select().count() == before  # a dry run stores no customer


def test_one_rows_values_and_errors_never_reach_the_next(app, runner, tmp_path):
    """The rows are checked by one form fed each row in turn: a row without an address
    after one with it stores none, and a refused row's errors leave the next one alone."""
    rows = [HEADER,
            good_row(1),
            ["Virtanen", "Matti", "matti@example.com", "", "", "", ""],  # no address
            ["Nieminen", "Liisa", "not-an-email", "31.2.1980", "", "", ""],  # refused
            ["Laine", "Aino", "aino@example.com", "", "", "", ""]]
    run = run_import(runner, write_csv(tmp_path / "mixed.csv", rows),
                     "--duplicates", "create")
    assert (run.accepted, run.refused) == (3, 1)
    assert refusals(run) == [(4, "Syntymäaika"), (4, "Sähköposti")]
    stored = {c.last_name: (c.email, c.birth_date, [a.street for a in c.addresses])
              for c in Customer.select().where(Customer.last_name.in_(
                  ["Äijälä1", "Virtanen", "Laine"]))}
    assert stored["Äijälä1"][2] == ["Mannerheimintie 1"]
    assert stored["Virtanen"] == ("matti@example.com", None, [])
    assert stored["Laine"] == ("aino@example.com", None, [])


def test_one_rows_address_and_its_errors_never_reach_the_next(app, runner, tmp_path):
    """The address row's form is reused from row to row too: a refused postal code stays
    with its row, and an address without a postal code takes none from the row before."""
    rows = [HEADER,
            good_row(1),
            ["Virtanen", "Matti", "matti@example.com", "", "Kauppatori 1", "99999", "Tuntematon"],
            ["Laine", "Aino", "aino@example.com", "", "Satamakatu 2", "", ""],
            good_row(4)]
    run = run_import(runner, write_csv(tmp_path / "addresses.csv", rows),
                     "--duplicates", "create")
    assert (run.accepted, run.refused) == (3, 1)
    assert [row for row, _column in refusals(run)] == [3]
    stored = {c.last_name: [(a.street, a.postal_code, a.city) for a in c.addresses]
              for c in Customer.select().where(Customer.last_name.in_(
                  ["Äijälä1", "Laine", "Äijälä4"]))}
    assert stored == {"Äijälä1": [("Mannerheimintie 1", "00100", "Helsinki")],
                      "Laine": [("Satamakatu 2", None, None)],
                      "Äijälä4": [("Mannerheimintie 4", "00100", "Helsinki")]}


def test_henkilotunnus_in_a_mapped_column_is_the_forms_refusal(app, runner, tmp_path):
    rows = [HEADER, ["Virtanen", "Matti 131052-308T"] + [""] * 5]
    run = run_import(runner, write_csv(tmp_path / "h.csv", rows), "--dry-run")
    assert refusals(run) == [(2, "Etunimet")]


def test_commit_stores_the_rows_with_source_informing_and_audit(app, runner, tmp_path,
                                                                 people):
    rows = [HEADER, good_row(1), good_row(2), ["", "X", "", "", "", "", ""]]
    path = write_csv(tmp_path / "asiakkaat.csv", rows, "utf-8-sig")
    run = run_import(runner, path, "--user", "staff_t")
    assert (run.kind, run.state, run.total, run.accepted, run.refused,
            run.progress_row) == ("commit", "finished", 3, 2, 1, 4)
    stored = list(Customer.select().where(Customer.email.in_(
        ["person1@example.com", "person2@example.com"])).order_by(Customer.id))
    assert [c.last_name for c in stored] == ["Äijälä1", "Äijälä2"]
    first = stored[0]
    assert (first.data_source, first.data_source_note, first.informed_how) == \
        ("import_file", "asiakkaat.csv (staff_t)", "in_person")
    assert first.birth_date.isoformat() == "1980-02-01"
    assert (first.city, first.postal_code, first.section.code) == ("Helsinki", "00100",
                                                                  "tourism")
    address = Address.get(Address.customer == first.id)
    assert (address.street, address.data_source) == ("Mannerheimintie 1", "import_file")
    created = AuditEvent.select().where((AuditEvent.action == "create")
                                        & (AuditEvent.object_type == "customer"))
    assert sorted(int(e.object_id) for e in created) == [c.id for c in stored]
    assert all(e.actor and e.section == "tourism" for e in created)
    assert audit.verify()[0]


def test_a_rerun_of_the_same_file_stores_nothing_twice(app, runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEADER, good_row(1), good_row(2)])
    first = run_import(runner, path)
    again = run_import(runner, path)
    assert again.id == first.id and again.accepted == 2
    assert Customer.select().count() == 2
    # The same file into another section is an import of its own.
    other = run_import(runner, path, section="business")
    assert other.id != first.id and Customer.select().count() == 4


def test_duplicates_skip_or_fill_empty_fields(app, runner, tmp_path):
    header = ["Nimi", "Y-tunnus", "Puhelin"]
    run_import(runner, write_csv(tmp_path / "a.csv", [header, ["Oy Ab", "1234567-1", ""]]))
    changed = [header, ["Oy Ab", "1234567-1", "09 123 4567"]]
    skipped = run_import(runner, write_csv(tmp_path / "b.csv", changed), "--duplicates",
                         "skip")
    assert (skipped.duplicates, skipped.skipped, skipped.accepted) == (1, 1, 0)
    assert Customer.get().phone is None
    # Another file (the same file again would be the same, finished import).
    updated = run_import(runner, write_csv(tmp_path / "c.csv", changed, delimiter=","),
                         "--duplicates", "update_empty")
    assert (updated.duplicates, updated.updated) == (1, 1)
    customer = Customer.get()
    assert (customer.phone, customer.version, Customer.select().count()) == \
        ("+35891234567", 2, 1)  # as the form normalises it


def test_chosen_fields_are_overwritten_and_a_row_has_its_own_choice(app, runner, tmp_path):
    header = ["Nimi", "Y-tunnus", "Puhelin", "Sähköposti"]
    run_import(runner, write_csv(tmp_path / "a.csv", [
        header, ["Oy Ab", "1234567-1", "09 123 4567", "old@example.com"],
        ["Toinen Oy", "7654321-2", "", ""]]), "--duplicates", "create")
    changed = [header, ["Oy Ab", "1234567-1", "09 765 4321", "new@example.com"],
               ["Toinen Oy", "7654321-2", "09 111 2222", "toinen@example.com"]]
    run = run_import(runner, write_csv(tmp_path / "b.csv", changed), "--duplicates",
                     "update_chosen", "--overwrite", "phone", "--row", "3=skip")
    assert (run.duplicates, run.updated, run.skipped) == (2, 1, 1)
    first = Customer.get(Customer.business_id == "1234567-1")
    # The chosen field overwritten, the other kept (it was not empty).
    assert (first.phone, first.email, first.version) == ("+35897654321", "old@example.com", 2)
    second = Customer.get(Customer.business_id == "7654321-2")
    assert (second.phone, second.email, second.version) == (None, None, 1)  # its own: skip
    # A field no column is mapped to, or one never overwritten, is refused with a hint.
    for field in ("fax", "informed_how", "kind"):
        result = runner.invoke(args=["import", "customers", str(tmp_path / "b.csv"),
                                     "--section", "tourism", "--overwrite", field,
                                     *informing_options()])
        assert result.exit_code == 2 and "--overwrite" in result.output, field
    for row in ("x=skip", "3=delete", "99999999999999999999=skip"):
        result = runner.invoke(args=["import", "customers", str(tmp_path / "b.csv"),
                                     "--section", "tourism", "--row", row,
                                     *informing_options()])
        assert result.exit_code == 2 and "--row" in result.output, row


def test_each_matching_row_is_given_its_choice_on_the_report(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    header = ["Nimi", "Y-tunnus", "Puhelin"]
    dry_run_page(client, token, upload(client, token, csv_bytes(
        [header, ["Oy Ab", "1234567-1", ""], ["Toinen Oy", "7654321-2", ""]])))
    client.post(f"/imports/runs/{ImportRun.get().id}/commit", data={"csrf_token": token})
    commit = ImportRun.get(ImportRun.kind == "commit")
    client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token})
    assert Customer.select().count() == 2
    changed = [header, ["Oy Ab", "1234567-1", "09 765 4321"],
               ["Toinen Oy", "7654321-2", "09 111 2222"]]
    report = dry_run_page(client, token, upload(client, token, csv_bytes(changed)),
                          **{"duplicates-business_id": "update_empty", "overwrite": "phone"})
    run = ImportRun.select().order_by(ImportRun.id.desc()).get()
    html = client.get(report).get_data(as_text=True)
    # Each matching row has its own choice, the file's choice for its kind preselected.
    assert 'name="row-2" form="commit-form"' in html and 'name="row-3" form="commit-form"' in html
    assert '<option value="update_empty" selected>' in html
    nul = client.post(f"/imports/runs/{run.id}/commit", data={
        "csrf_token": token, "row-3": "skip\x00"})
    assert nul.status_code == 400 and ImportRun.select().count() == 3  # nothing started
    client.post(f"/imports/runs/{run.id}/commit", data={
        "csrf_token": token, "row-3": "skip", "row-2": "bogus", "row-999": "create"})
    last = ImportRun.select().order_by(ImportRun.id.desc()).get()
    client.post(f"/imports/runs/{last.id}/step", data={"csrf_token": token})
    last = ImportRun.get_by_id(last.id)
    assert (last.kind, last.state, last.updated, last.skipped) == ("commit", "finished", 1, 1)
    phones = dict(Customer.select(Customer.business_id, Customer.phone).tuples())
    assert phones == {"1234567-1": "+35897654321", "7654321-2": None}


def _cli(db_url, tmp_path, *args, env=None):
    environment = {**os.environ, "REGISTER_DATABASE_URL": db_url,
                   "REGISTER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
                   "REGISTER_SECRET_KEY": "test", **(env or {})}
    return subprocess.run(flask_command("import", "customers", *args), cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=300)


def test_a_crash_mid_commit_resumes_with_nothing_half_written(app, db_url, tmp_path):
    rows = [HEADER] + [good_row(i) for i in range(1, 26)]
    rows[12] = ["Bad", "Row", "bad-email", "", "", "", ""]
    path = write_csv(tmp_path / "big.csv", rows)
    # The rows are alike (similar names, one postal code): created all the same.
    options = [str(path), "--section", "tourism", "--duplicates", "create",
               *informing_options()]
    db.close()
    crashed = _cli(db_url, tmp_path, *options,
                   env={"REGISTER_IMPORT_BATCH_SIZE": "4",
                        "REGISTER_IMPORT_CRASH_AFTER_BATCHES": "2"})
    assert crashed.returncode == 75, crashed.stderr
    db.connect(reuse_if_open=True)
    run = ImportRun.get()
    assert (run.state, run.progress_row, run.total, run.accepted) == ("running", 9, 8, 8)
    assert Customer.select().count() == Address.select().count() == 8
    db.close()
    resumed = _cli(db_url, tmp_path, *options, env={"REGISTER_IMPORT_BATCH_SIZE": "4"})
    assert resumed.returncode == 0, resumed.stderr
    db.connect(reuse_if_open=True)
    run = ImportRun.get()
    assert (run.state, run.total, run.accepted, run.refused) == ("finished", 25, 24, 1)
    assert run.accepted + run.refused + run.skipped + run.updated == run.total
    assert Customer.select().count() == Address.select().count() == 24
    emails = [c.email for c in Customer.select()]
    assert len(set(emails)) == 24  # no row twice
    assert [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "import_run")
            .order_by(AuditEvent.id)] == ["import_start", "import_resume", "import_end"]
    assert audit.verify()[0]


# --- the pages ----------------------------------------------------------------------------

def upload(client, token, content, name="asiakkaat.csv", section="tourism"):
    answer = client.post("/imports/upload", data={
        "file": (io.BytesIO(content), name), "section": section, "csrf_token": token},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.status_code
    return answer.location


def dry_run_page(client, token, location, columns=None, **extra):
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = {"csrf_token": token, "name": "asiakkaat.csv", "informed_how": "in_person",
            "informed_at": typed_now(minutes_ago=1), "duplicates": "skip", **extra}
    for index, field in (columns or {}).items():
        form[f"column-{index}"] = field
    if columns is None:  # keep what the page pre-filled
        import re
        for index, field in re.findall(r'name="column-(\d+)".*?<option value="(\w+)" selected',
                                       html, re.S):
            form[f"column-{index}"] = field
    answer = client.post(location, data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    run_id = answer.location.rsplit("/", 1)[1]
    for _step in range(50) if run_id.isdigit() else ():  # the page's script steps
        step = client.post(f"/imports/runs/{run_id}/step", data={"csrf_token": token},
                           headers={"Accept": "application/json"})
        if step.get_json()["finished"]:
            break
    assert not run_id.isdigit() or ImportRun.get_by_id(int(run_id)).state == "checked"
    return answer.location


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode(encoding)


def test_upload_dry_run_fix_and_import_to_done(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    rows = [HEADER, good_row(1), ["Virtanen", "Matti", "bad-email", "", "", "", ""],
            good_row(3)]
    location = upload(client, token, csv_bytes(rows, "cp1252"))
    report = dry_run_page(client, token, location)
    html = client.get(report).get_data(as_text=True)
    assert "Sähköposti" in html and "<td>3</td>" in html
    run = ImportRun.get()
    assert (run.kind, run.accepted, run.refused) == ("dry_run", 2, 1)
    assert Customer.select().count() == 0
    refused = client.get(f"/imports/runs/{run.id}/refused.csv")
    assert refused.status_code == 200
    lines = list(csv.reader(io.StringIO(refused.get_data(as_text=True).lstrip("\ufeff")),
                            delimiter=";"))
    assert lines[0] == HEADER + ["error"] and len(lines) == 2
    assert lines[1][:3] == ["Virtanen", "Matti", "bad-email"] and "Sähköposti" in lines[1][7]
    # Commit the accepted rows, stepping as the page's script does.
    started = client.post(f"/imports/runs/{run.id}/commit", data={"csrf_token": token})
    commit = ImportRun.get(ImportRun.kind == "commit")
    assert started.location.endswith(f"/imports/runs/{commit.id}")
    step = client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token},
                       headers={"Accept": "application/json"})
    progress = step.get_json()
    assert progress["finished"] and progress["done"] == progress["rows"] == 3
    assert Customer.select().count() == 2
    # The fixed row in a file of its own.
    fixed = [lines[0][:7], lines[1][:2] + ["matti@example.com"] + lines[1][3:7]]
    report = dry_run_page(client, token, upload(client, token, csv_bytes(fixed)))
    second = ImportRun.select().order_by(ImportRun.id.desc()).get()
    assert (second.accepted, second.refused) == (1, 0)
    client.post(f"/imports/runs/{second.id}/commit", data={"csrf_token": token})
    last = ImportRun.select().order_by(ImportRun.id.desc()).get()
    client.post(f"/imports/runs/{last.id}/step", data={"csrf_token": token})  # without JS
    assert ImportRun.get_by_id(last.id).state == "finished"
    assert Customer.select().count() == 3
    # The same file again: its dry run, then the import found finished.
    again = dry_run_page(client, token, upload(client, token, csv_bytes(fixed)))
    again_id = int(again.rsplit("/", 1)[1])
    answer = client.post(f"/imports/runs/{again_id}/commit", data={"csrf_token": token},
                         follow_redirects=True)
    assert "imported into this section before" in answer.get_data(as_text=True) or \
        "tuotu tälle osastolle jo aiemmin" in answer.get_data(as_text=True)
    assert Customer.select().count() == 3
    listing = client.get("/imports/").get_data(as_text=True)
    assert listing.count("asiakkaat.csv") == 5


def test_a_cancelled_import_keeps_what_was_stored(app, client, auth, people):
    app.config.update(IMPORT_STEP_SECONDS=0, IMPORT_STEP_BATCH_SIZE=2)
    token = auth.login_as("handler_t", token_from="/imports/")
    rows = [HEADER] + [good_row(i) for i in range(1, 8)]
    dry_run_page(client, token, upload(client, token, csv_bytes(rows)))
    client.post(f"/imports/runs/{ImportRun.get().id}/commit", data={"csrf_token": token})
    commit = ImportRun.get(ImportRun.kind == "commit")
    client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token})
    client.post(f"/imports/runs/{commit.id}/cancel", data={"csrf_token": token})
    commit = ImportRun.get_by_id(commit.id)
    assert (commit.state, commit.accepted, commit.progress_row) == ("cancelled", 2, 3)
    assert Customer.select().count() == 2
    assert AuditEvent.select().where(AuditEvent.action == "import_cancel").count() == 1
    more = client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token})
    assert more.status_code == 302 and Customer.select().count() == 2


def test_sections_are_separate_for_imports(app, client, auth, people, tmp_path, runner):
    run = run_import(runner, write_csv(tmp_path / "a.csv", [HEADER, good_row(1)]), "--dry-run")
    token = auth.login_as("staff_b", token_from="/imports/")
    assert client.get(f"/imports/runs/{run.id}").status_code == 404
    assert client.get(f"/imports/runs/{run.id}/refused.csv").status_code == 404
    assert client.post(f"/imports/runs/{run.id}/commit",
                       data={"csrf_token": token}).status_code == 404
    assert "a.csv" not in client.get("/imports/").get_data(as_text=True)
    answer = client.post("/imports/upload", data={
        "file": (io.BytesIO(csv_bytes([HEADER, good_row(1)])), "x.csv"), "section": "tourism",
        "csrf_token": token}, content_type="multipart/form-data")
    assert answer.status_code == 404
    for username in ("responsible", "controller"):  # they create no customers
        auth.login_as(username, switch=True)
        assert client.get("/imports/").status_code == 403
        assert client.get(f"/imports/runs/{run.id}").status_code == 403


def test_an_export_of_the_customer_list_reimports_cleanly(app, client, auth, people,
                                                          tmp_path, runner):
    rows = [["Nimi", "Laji", "Y-tunnus", "Syntymäaika", "Asiointikieli", "Postinumero",
             "Postitoimipaikka", "Katuosoite", "Puhelin", "Matkapuhelin"],
            ["Virtanen, Matti", "yksityishenkilö", "", "1.2.1980", "ruotsi", "00100",
             "Helsinki", "Katu 1", "", "040 380 6251"],
            ["Oy Yritys Ab", "yritys", "1234567-1", "", "suomi", "", "", "", "09 123 4567",
             "+46 70 123 45 67"]]
    run_import(runner, write_csv(tmp_path / "a.csv", rows))
    assert Customer.select().count() == 2
    auth.login_as("staff_t")
    exported = client.get("/customers/export/csv/")
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    again = run_import(runner, path, "--duplicates", "create")
    assert (again.total, again.refused, again.accepted) == (2, 0, 2), (
        text, [(r.row_number, r.column, r.message) for r in again.refusals])
    assert "+358 40 380 6251" in text and "+46 70 123 45 67" in text  # as the list reads
    pairs = sorted((c.kind, c.first_name, c.last_name, c.name, c.business_id,
                    str(c.birth_date), c.language, c.phone, c.mobile) for c in Customer.select())
    assert pairs[0] == pairs[1] and pairs[2] == pairs[3]
    assert {pair[-2:] for pair in pairs} == {(None, "+358403806251"),
                                            ("+35891234567", "+46701234567")}


def test_one_choice_for_each_kind_of_match(app, runner, tmp_path):
    header = ["Nimi", "Y-tunnus", "Sähköposti", "Puhelin"]
    run_import(runner, write_csv(tmp_path / "a.csv", [
        header, ["Oy Ab", "1234567-1", "", ""], ["Toinen Oy", "", "info@toinen.fi", ""]]))
    rows = [header, ["Oy Ab", "1234567-1", "", "09 123 4567"],  # same Y-tunnus: update
            ["Kolmas Oy", "", "INFO@toinen.fi", "09 765 4321"]]  # same email: skip
    path = write_csv(tmp_path / "b.csv", rows)
    checked = run_import(runner, path, "--dry-run", "--duplicates", "create",
                         "--duplicates", "business_id=update_empty", "--duplicates",
                         "email=skip")
    assert (checked.duplicates, checked.updated, checked.skipped, checked.accepted) == \
        (2, 1, 1, 0)
    from services.imports import matches_of
    first = Customer.get(Customer.business_id == "1234567-1")
    second = Customer.get(Customer.email == "info@toinen.fi")
    assert matches_of(checked) == [(2, "business_id", first.id, "update_empty", None),
                                   (3, "email", second.id, "skip", None)]
    assert Customer.get_by_id(first.id).phone is None  # a dry run changes nothing
    run_import(runner, path, "--duplicates", "business_id=update_empty")
    assert Customer.get_by_id(first.id).phone == "+35891234567"
    assert Customer.get_by_id(second.id).phone is None and Customer.select().count() == 2
    bad = runner.invoke(args=["import", "customers", str(path), "--section", "tourism",
                              "--duplicates", "email=merge"])
    assert bad.exit_code == 2 and "email=merge" in bad.output


def test_a_mapping_saved_by_name_is_used_again(app, client, auth, people, runner, tmp_path):
    token = auth.login_as("staff_t", token_from="/imports/")
    header = ["Sarake A", "Sarake B", "Sarake C"]
    rows = [header, ["Virtanen", "Matti", "matti@example.com"]]
    location = upload(client, token, csv_bytes(rows))
    columns = {0: "last_name", 1: "first_name", 2: "email"}
    dry_run_page(client, token, location, columns=columns, save_as="Vanha järjestelmä")
    saved = ImportMapping.get()
    assert (saved.name, saved.section.code) == ("Vanha järjestelmä", "tourism")
    # The page pre-fills it, and the command line takes it by name.
    page = client.get(location + "&mapping=Vanha+järjestelmä").get_data(as_text=True)
    assert '<option value="email" selected>' in page
    run = run_import(runner, write_csv(tmp_path / "v.csv", rows), "--dry-run", "--mapping",
                     "Vanha järjestelmä")
    assert (run.accepted, run.refused) == (1, 0)
    refused = runner.invoke(args=["import", "customers", str(tmp_path / "v.csv"), "--section",
                                  "business", "--mapping", "Vanha järjestelmä"])
    assert refused.exit_code == 1 and "Vanha järjestelmä" in refused.output
    # A henkilötunnus is no name for a mapping: the form again, as it was sent.
    form = {"csrf_token": token, "name": "asiakkaat.csv", "informed_how": "email",
            "informed_at": "1.12.2026 10.00", "duplicates-email": "update_empty",
            "save_as": "131052-308T", **{f"column-{i}": f for i, f in columns.items()}}
    answer = client.post(location, data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "henkilötunnus" in page
    assert ImportMapping.select().count() == 1 and ImportRun.select().count() == 2
    assert 'value="asiakkaat.csv"' in page and 'value="1.12.2026 10.00"' in page
    assert '<option value="email" selected>' in page  # the column's and the informing's
    assert '<option value="update_empty" selected>' in page


@pytest.mark.parametrize("content, name", [
    (b"\x00\x01\x02garbage\xff" * 50, "roska.csv"),
    (b"PK\x03\x04 not really a workbook", "roska.xlsx"),
    (b"", "tyhja.csv"),
    (b"\n\n;;\n", "tyhjat.csv"),
])
def test_a_file_that_is_no_table_is_refused_without_an_error_page(app, client, auth, people,
                                                                   content, name):
    token = auth.login_as("staff_t", token_from="/imports/")
    answer = client.post("/imports/upload", data={
        "file": (io.BytesIO(content), name), "section": "tourism", "csrf_token": token},
        content_type="multipart/form-data")
    if answer.location.endswith("/imports/"):
        return  # refused at once, with the reason flashed
    page = client.get(answer.location)
    assert page.status_code in (200, 302)
    if page.status_code == 200:
        answer = client.post(answer.location, data={"csrf_token": token, "column-0": "name"})
        assert answer.status_code == 302


def test_odd_values_are_refusals_not_errors(app, runner, tmp_path):
    rows = [HEADER + ["Y-tunnus", "Laji"],
            ["x" * 5000, "Matti"] + [""] * 5 + ["", ""],
            ["Virtanen", "Matti", "", "12345678901234567890", "", "", "", "", ""],
            ["Virtanen", "Matti\x00", "", "", "", "", "", "99999999999999999999", ""],
            ["Virtanen", "Matti", "", "", "", "", "", "", "alien"],
            ["Virtanen"]]  # a short row: the missing cells are empty
    run = run_import(runner, write_csv(tmp_path / "odd.csv", rows), "--dry-run")
    assert (run.total, run.refused, run.accepted) == (5, 4, 1)
    assert sorted({n for n, _c in refusals(run)}) == [2, 3, 4, 5]


def test_tampered_page_requests_are_refused(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    assert client.get("/imports/map/" + "0" * 64 + "?section=tourism").status_code == 302
    assert client.get("/imports/map/..%2F..%2Fetc?section=tourism").status_code in (302, 404)
    location = upload(client, token, csv_bytes([HEADER, good_row(1)]))
    assert client.get(location.replace("section=tourism", "section=business")).status_code \
        == 404
    answer = client.post(location, data={"csrf_token": token, "column-0": "section",
                                         "column-99": "email", "duplicates-email": "merge"})
    assert answer.status_code == 302
    run = ImportRun.get()
    assert json_of(run.mapping) == {} and json_of(run.options)["duplicates"] == {"*": "skip"}
    assert client.get("/imports/runs/99999999999999999999").status_code == 404


def json_of(text):
    import json
    return json.loads(text)


def test_two_steps_at_once_store_a_batch_once(app, runner, tmp_path, people):
    """A second window (or the command line) moving the same import: the step that comes
    second stores nothing and says so."""
    from forms.imports import row_validator
    from services import imports
    from services.errors import RegisterError

    path = write_csv(tmp_path / "a.csv", [HEADER] + [good_row(i) for i in range(1, 6)])
    with app.test_request_context():
        view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "customers")
        section = people["staff_t"].sections[0]
        header, _rows = header_and_rows(str(path))
        job = imports.ImportJob(
            section=section, user=people["staff_t"], path=str(path), file_name="a.csv",
            file_hash=imports.file_hash(str(path)), header=header,
            mapping=auto_mapping(header), validate_row=row_validator(view, section),
            duplicates={"*": "create"},  # the rows are alike
            informing={"informed_how": "in_person", "informed_at": typed_now(1)})
        run = imports.start_commit(job, rows=5)
        stale = ImportRun.get_by_id(run.id)
        imports.commit_steps(run, job, seconds=0, batch_size=2)  # the first window
        with pytest.raises(RegisterError):
            from services.imports.runs import _commit_batch
            from services.imports.rows import check_row
            _commit_batch(stale, job, [check_row(job, 2, good_row(1), job.column_of_field())])
        assert Customer.select().count() == 2
        done = imports.commit_steps(run, job)
    assert (done.state, done.accepted, Customer.select().count()) == ("finished", 5, 5)


def test_the_command_imports_as_a_user_only_into_the_users_section(app, runner, people,
                                                                  tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEADER, good_row(1)])
    for username in ("staff_b", "responsible", "controller"):
        refused = runner.invoke(args=["import", "customers", str(path), "--section",
                                      "tourism", "--user", username])
        assert refused.exit_code == 1 and username in refused.output
    assert ImportRun.select().count() == 0
    run = run_import(runner, path, "--user", "handler_t")
    assert run.user_id == people["handler_t"].id and run.state == "finished"


def test_a_file_naming_a_customer_twice_is_caught(app, runner, tmp_path):
    header = ["Nimi", "Y-tunnus", "Sähköposti"]
    rows = [header, ["Oy Ab", "1234567-1", ""], ["Muu Oy", "", "a@b.fi"],
            ["Oy Ab Uusi", "1234567-1", ""], ["Kolmas Oy", "", "A@B.fi"]]
    path = write_csv(tmp_path / "twice.csv", rows)
    checked = run_import(runner, path, "--dry-run")
    from services.imports import matches_of
    assert matches_of(checked) == [(4, "business_id", None, "skip", 2),
                                   (5, "email", None, "skip", 3)]
    assert (checked.accepted, checked.duplicates, checked.skipped) == (2, 2, 2)
    # The commit, in one batch, finds them stored by the rows before them.
    done = run_import(runner, path)
    assert (done.accepted, done.duplicates, done.skipped) == (2, 2, 2)
    assert Customer.select().count() == 2
    first = Customer.get(Customer.business_id == "1234567-1")
    assert [m[2] for m in matches_of(done)] == [first.id, Customer.get(
        Customer.email == "a@b.fi").id]


def test_kept_files_go_after_a_week(tmp_path):
    import time

    from services.imports import files

    with open(tmp_path / "upload", "wb") as handle:
        handle.write(b"a;b\n1;2\n")
    with open(tmp_path / "upload", "rb") as handle:
        digest, path = files.keep(handle, tmp_path / "kept")
    assert files.kept(tmp_path / "kept", digest) == path
    kept_at = time.time()
    os.utime(path, (kept_at, kept_at))  # the file system's clock is not the tests' one
    files.prune(tmp_path / "kept", now=kept_at + 6 * 86400)
    assert os.path.exists(path)
    files.prune(tmp_path / "kept", now=kept_at + 8 * 86400)
    assert not os.path.exists(path)
    with pytest.raises(Exception):
        files.kept(tmp_path / "kept", digest)
    with pytest.raises(Exception):
        files.kept(tmp_path / "kept", "../" + "a" * 61)


def test_a_section_without_a_category_maps_no_column_to_it(app, runner, tmp_path):
    from models import Section

    business = Section.get(Section.code == "business")
    held = " ".join(c for c in business.categories.split() if c not in ("address", "email"))
    Section.update(categories=held).where(Section.id == business.id).execute()
    run = run_import(runner, write_csv(tmp_path / "a.csv", [HEADER, good_row(1)]),
                     section="business")
    import json
    assert set(json.loads(run.mapping).values()) == {"last_name", "first_name", "birth_date"}
    customer = Customer.get()
    assert (run.accepted, customer.email, customer.city) == (1, None, None)
    assert Address.select().count() == 0


def test_a_dry_run_in_steps_remembers_the_rows_of_the_earlier_steps(app, client, auth,
                                                                   people):
    app.config.update(IMPORT_STEP_SECONDS=0, IMPORT_STEP_BATCH_SIZE=2)
    token = auth.login_as("staff_t", token_from="/imports/")
    header = ["Nimi", "Y-tunnus", "Sähköposti"]
    rows = [header, ["Oy Ab", "1234567-1", ""], ["Huono Oy", "", "huono@"],
            ["Muu Oy", "", "a@b.fi"], ["Huonon toinen", "", "huono@"],
            ["Oy Ab taas", "1234567-1", ""], ["Muu taas", "", "A@B.FI"]]
    location = upload(client, token, csv_bytes(rows))
    dry_run_page(client, token, location, columns={0: "name", 1: "business_id", 2: "email"})
    run = ImportRun.get()
    assert (run.state, run.total, run.refused, run.duplicates) == ("checked", 6, 2, 2)
    from services.imports import matches_of
    assert matches_of(run) == [(6, "business_id", None, "skip", 2),
                               (7, "email", None, "skip", 4)]
    page = client.get(f"/imports/runs/{run.id}").get_data(as_text=True)
    assert "Tiedoston rivi 2" in page and "Tiedoston rivi 4" in page


def test_a_killed_import_is_finished_by_a_rerun(app, db_url, tmp_path):
    """SIGKILL at a moment of the operating system's choosing, not the code's."""
    import signal
    import time

    rows = [HEADER] + [[f"Surname{i}x", "Etu", f"k{i}@example.com", "", f"Tie {i}", "00100",
                        "Helsinki"] for i in range(400)]
    path = write_csv(tmp_path / "kill.csv", rows)
    options = [str(path), "--section", "tourism", "--duplicates", "create",
               *informing_options()]
    environment = {**os.environ, "REGISTER_DATABASE_URL": db_url,
                   "REGISTER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
                   "REGISTER_SECRET_KEY": "test", "REGISTER_IMPORT_BATCH_SIZE": "10"}
    db.close()
    process = subprocess.Popen(flask_command("import", "customers", *options), cwd=ROOT,
                               env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.connect(reuse_if_open=True)
            run = ImportRun.get_or_none(ImportRun.kind == "commit")
            db.close()
            if run is not None and run.progress_row >= 30:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    db.connect(reuse_if_open=True)
    run = ImportRun.get()
    killed_at = run.progress_row
    assert run.state == "running" and 30 <= killed_at < 401
    # Whole batches only: every stored customer has its address and its audit event.
    stored = Customer.select().count()
    assert stored == run.accepted == killed_at - 1 == Address.select().count()
    assert AuditEvent.select().where(AuditEvent.action == "create").count() == stored
    db.close()
    resumed = _cli(db_url, tmp_path, *options, env={"REGISTER_IMPORT_BATCH_SIZE": "10"})
    assert resumed.returncode == 0, resumed.stderr
    db.connect(reuse_if_open=True)
    run = ImportRun.get()
    assert (run.state, run.total, run.accepted, run.progress_row) == ("finished", 400, 400,
                                                                     401)
    assert Customer.select().count() == Address.select().count() == 400
    assert len({c.email for c in Customer.select()}) == 400
    # Each address went to its own row's customer (the batch's new ids in the rows' order).
    pairs = Address.select(Customer.email, Address.street).join(Customer).tuples()
    assert all(email == f"k{street.split()[1]}@example.com" for email, street in pairs)
    assert AuditEvent.select().where(AuditEvent.action == "create").count() == 400
    assert audit.verify()[0]
