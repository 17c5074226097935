"""The users and db commands and their errors; a text no command can take, and a database
that cannot be used, told without a traceback."""

import datetime
import os
import pathlib
import sqlite3
import subprocess

import pytest

import database
from models import AccessRequest, AccountStatusChange, AuditEvent, User, utcnow
from services import access, accounts, audit
from services.localtime import helsinki_date
from tests.conftest import PASSWORD, flask_command

ROOT = pathlib.Path(__file__).resolve().parent.parent


REASON = ["--reason", "Uusi matkailuneuvoja"]


def grant_events():
    """The audit trail of grants and endings: (action, object type, actor)."""
    return [(e.action, e.object_type, e.actor) for e in AuditEvent.select()
            .where(AuditEvent.object_type.in_(["access_request", "user"]))
            .order_by(AuditEvent.id)]


def test_users_create_with_password(runner, client, auth):
    result = runner.invoke(args=["users", "create", "anna", "--role", "staff",
                                 "--section", "tourism", "--section", "business",
                                 "--password", PASSWORD, *REASON])
    assert result.exit_code == 0, result.output
    user = User.by_username("anna")
    assert user.role == "staff" and [s.code for s in user.sections] == ["business", "tourism"]
    assert user.must_change_password
    assert auth.login("anna").location == "/password"


def test_users_create_is_a_grant_made_on_the_command_line(runner):
    """Asked, approved and implemented at once, on record and audited like on the pages."""
    result = runner.invoke(args=["users", "create", "anna", "--role", "staff",
                                 "--section", "tourism", "--password", PASSWORD, *REASON])
    assert result.exit_code == 0, result.output
    user = User.by_username("anna")
    grant = AccessRequest.get()
    assert (grant.origin, grant.kind, grant.state, grant.account_id, grant.role,
            grant.reason) == ("cli", "new", "implemented", user.id, "staff",
                              "Uusi matkailuneuvoja")
    assert grant.requested_by_id is grant.decided_by_id is grant.implemented_by_id is None
    assert grant.requested_at and grant.decided_at and grant.implemented_at
    assert [s.code for s in access.request_sections(grant)] == ["tourism"]
    assert grant_events() == [("create", "access_request", None),
                              ("approve", "access_request", None),
                              ("create", "user", None), ("implement", "access_request", None)]
    assert audit.verify()[0]


def test_users_create_prompts_the_reason_and_the_password_hidden_and_confirmed(runner):
    result = runner.invoke(args=["users", "create", "bertta", "--role", "handler",
                                 "--section", "tourism"],
                           input=f"Rekisteriasioiden hoitaja\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert accounts.authenticate("bertta", PASSWORD) is not None
    assert AccessRequest.get().reason == "Rekisteriasioiden hoitaja"


def test_users_create_prompt_mismatch_asks_again(runner):
    other = "another passphrase"
    result = runner.invoke(args=["users", "create", "bertta", "--role", "staff",
                                 "--section", "tourism", *REASON],
                           input=f"{PASSWORD}\n{other}\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("bertta", PASSWORD) is not None


def test_users_create_errors(runner):
    cases = [
        (["--role", "boss"], "boss"),
        (["--role", "staff", "--section", "marketing"], "marketing"),
        (["--role", "staff"], "vähintään yksi"),  # staff work in sections
        (["--role", "controller", "--section", "tourism"], "jätä osastot valitsematta"),
        (["--role", "staff", "--section", "tourism", "--password", "short"], "12"),
        (["--role", "staff", "--section", "tourism", "--reason", "131052-308T"],
         "Henkilötunnusta ei saa tallentaa"),
    ]
    for extra, said in cases:
        args = ["users", "create", "anna", *extra]
        if "--password" not in extra:
            args += ["--password", PASSWORD]
        if "--reason" not in extra:
            args += REASON
        result = runner.invoke(args=args)
        assert result.exit_code != 0, extra
        assert said in result.output, result.output
        assert User.by_username("anna") is None
    assert AccessRequest.select().count() == 0 and not grant_events()
    ok = ["users", "create", "anna", "--role", "staff", "--section", "tourism",
          "--password", PASSWORD, *REASON]
    assert runner.invoke(args=ok).exit_code == 0
    result = runner.invoke(args=ok)
    assert result.exit_code != 0 and "anna" in result.output
    assert User.select().where(User.username == "anna").count() == 1
    # The failed second grant left nothing behind: no request, no event.
    assert AccessRequest.select().count() == 1 and len(grant_events()) == 4


def test_users_list_and_deactivate_ends_the_access(runner, make_user, client, auth):
    anna = make_user("anna", "staff", ["tourism"])
    make_user("eero", "controller")
    auth.login("anna")
    assert client.get("/").status_code == 200
    listing = runner.invoke(args=["users", "list"]).output
    assert "anna" in listing and "staff" in listing and "tourism" in listing
    assert "eero" in listing and "controller" in listing
    # Written as `users create` takes it: " Anna" is the account anna.
    result = runner.invoke(args=["users", "deactivate", " Anna", "--reason",
                                 "Siirtyi muihin tehtäviin"])
    assert result.exit_code == 0, result.output
    # Ended as on the pages: closed, the username removed, the session ended, on record.
    ended = User.get_by_id(anna.id)
    assert not ended.is_active and ended.username is None and User.by_username("anna") is None
    assert client.get("/").status_code == 302
    change = AccountStatusChange.get(AccountStatusChange.user == anna.id)
    assert (change.kind, change.origin, change.reason, change.changed_by_id,
            change.effective_on) == ("ended", "cli", "Siirtyi muihin tehtäviin", None,
                                     helsinki_date(utcnow()))
    assert grant_events() == [("end_access", "user", None)]
    listing = runner.invoke(args=["users", "list"]).output
    assert "closed" in listing and "anna" not in listing and ended.pseudonym in listing
    result = runner.invoke(args=["users", "deactivate", "nobody", "--reason", "x"])
    assert result.exit_code != 0 and "nobody" in result.output
    # The only open controller cannot be ended: grant the next one first.
    result = runner.invoke(args=["users", "deactivate", "eero", "--reason", "Eläkkeelle"])
    assert result.exit_code != 0 and User.by_username("eero").is_active


def test_users_deactivate_asks_the_reason_and_takes_the_day(runner, make_user):
    anna = make_user("anna", "staff", ["tourism"])
    today = helsinki_date(utcnow())
    result = runner.invoke(args=["users", "deactivate", "anna", "--ended-on",
                                 (today + datetime.timedelta(days=1)).isoformat()],
                           input="Siirtyi muihin tehtäviin\n")
    assert result.exit_code != 0 and User.by_username("anna").is_active  # not in the future
    result = runner.invoke(args=["users", "deactivate", "anna", "--ended-on",
                                 today.isoformat()], input="Siirtyi muihin tehtäviin\n")
    assert result.exit_code == 0, result.output
    change = AccountStatusChange.get(AccountStatusChange.user == anna.id)
    assert change.reason == "Siirtyi muihin tehtäviin" and change.effective_on == today


def test_bootstrap_creates_admin_once(runner, client, auth):
    result = runner.invoke(args=["users", "bootstrap"])
    assert result.exit_code == 0
    password = None
    for line in result.output.splitlines():
        if line.strip().startswith(("kertakäyttösalasana:", "one-time password:")):
            password = line.split(":", 1)[1].strip()
    assert password and len(password) >= 12
    admin = User.by_username("admin")
    assert admin.role == "controller" and admin.must_change_password
    # The first grant is on record, made on the command line, and audited.
    grant = AccessRequest.get()
    assert (grant.origin, grant.state, grant.account_id, grant.role) == (
        "cli", "implemented", admin.id, "controller")
    assert grant.reason.strip()
    assert [a for a, _, _ in grant_events()] == ["create", "approve", "create", "implement"]
    assert auth.login("admin", password).location == "/password"
    again = runner.invoke(args=["users", "bootstrap"])
    assert again.exit_code == 0 and password not in again.output and again.output == ""
    assert User.select().count() == 1 and AccessRequest.select().count() == 1


def test_db_status_upgrade_downgrade(runner):
    newest = database.status()[0][-1]
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0 and f"[x] {newest}" in result.output
    assert "[x] 002_sections" in result.output
    result = runner.invoke(args=["db", "downgrade"])
    assert result.exit_code == 0 and newest in result.output
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 1 and f"[ ] {newest}" in result.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "status"]).exit_code == 0


def test_db_optimize_refreshes_statistics(runner):
    import database
    from models import db

    result = runner.invoke(args=["db", "optimize"])
    assert result.exit_code == 0 and "statistics refreshed" in result.output
    if database.is_sqlite():
        assert db.execute_sql("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0


@pytest.mark.parametrize("args", [
    ["retention", "purge", "--confirmed-run", "99999999999999999999"],
    ["retention", "purge", "--confirmed-run", "١٢"],
    ["users", "disable-idle", "--days", "99999999999999999999"],
    ["users", "disable-idle", "--days", "١٢"],
    ["demo-data", "--customers", "-1"],
    ["demo-data", "--customers", "99999999999999999999"],
    ["postal-codes", "update", "a\x00b"],
    ["import", "customers", "a\x00b", "--section", "tourism"],
    ["import", "customers", "ü" * 300, "--section", "tourism"],
])
def test_a_command_refuses_an_argument_it_cannot_take_as_a_usage_error(app, runner, args):
    """A number in ASCII digits within its range, a file the system can look up: else the
    command's usage error (exit 2), never a traceback."""
    result = runner.invoke(args=args)
    assert result.exit_code == 2, (result.output, result.exception)


@pytest.mark.parametrize("file", ["", "ü" * 300])
def test_a_backup_name_that_names_nothing_is_no_backup(app, runner, file):
    for command in (["backup", "verify", file],
                    ["backup", "restore", file, "--to", "sqlite:////tmp/never.db"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), \
            (result.output, result.exception)


def test_a_reason_with_a_control_character_is_refused_on_the_command_line(app, runner):
    result = runner.invoke(args=["users", "create", "okname", "--role", "staff", "--section",
                                 "tourism", "--password", "correct horse battery",
                                 "--reason", "a\x07c"])
    assert result.exit_code == 1, result.output
    with_nul = runner.invoke(args=["users", "create", "okname", "--role", "staff", "--section",
                                   "tourism", "--password", "correct horse battery",
                                   "--reason", "a\x00b"])
    assert with_nul.exit_code == 2 and "NUL" in with_nul.output, with_nul.output
    assert not User.select().where(User.username == "okname").exists()


def test_a_preview_of_the_empty_section_code_is_no_preview(app, runner):
    result = runner.invoke(args=["retention", "preview", "--section", ""])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("args", [
    ["users", "create", "u3", "--role", "staff", "--section", "x\udcff", "--password",
     PASSWORD, *REASON],
    ["users", "create", "u7", "--role", "staff", "--section", "tourism", "--password",
     "Kettu-\udcffjuoksee-42x", *REASON],
    ["users", "deactivate", "u\udcff", "--reason", "r"],
    ["totp", "reset", "u\udcff"],
    ["import", "customers", __file__, "--section", "tour\udcffism"],
    ["users", "deactivate", "u\x00", "--reason", "r"],
])
def test_a_text_the_system_could_not_read_is_refused_as_an_option(runner, args):
    """A byte that is no UTF-8 in an argument (kept by click as a lone surrogate) or a NUL:
    a usage error naming it, not a traceback."""
    users = User.select().count()
    result = runner.invoke(args=args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "UTF-8" in result.output or "NUL" in result.output
    assert User.select().count() == users


def _flask_in(tmp_path, url, *args, env=None):
    environment = {**os.environ, "REGISTER_DATABASE_URL": url,
                   "REGISTER_INSTANCE_PATH": str(tmp_path / "instance"),
                   "REGISTER_SECRET_KEY": "test", **(env or {})}
    return subprocess.run(flask_command(*args), cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("where", ["no folder", "no database", "not migrated"])
def test_a_database_that_cannot_be_used_is_a_message_not_a_traceback(tmp_path, where):
    path = {"no folder": tmp_path / "none" / "x.db", "no database": tmp_path / "text.db",
            "not migrated": tmp_path / "empty.db"}[where]
    if where == "no database":
        path.write_text("Sukunimi;Etunimet\n")
    if where == "not migrated":
        sqlite3.connect(path).close()
    result = _flask_in(tmp_path, f"sqlite:///{path}", "users", "list")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "db upgrade" in result.stderr and "REGISTER_DATABASE_URL" in result.stderr


def test_a_database_url_that_is_none_says_how_one_is_written(tmp_path):
    result = _flask_in(tmp_path, "bogus", "users", "list")
    assert result.returncode != 0
    assert "sqlite:///path/register.db" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("name, value", [
    ("RETENTION_ACCOUNTING_YEARS", "abc"), ("RETENTION_ACCOUNTING_YEARS", "-5"),
    ("RETENTION_ACCOUNTING_YEARS", "5"), ("RETENTION_ACCOUNTING_YEARS", "9" * 20),
    ("IMPORT_BATCH_SIZE", "abc"), ("RETENTION_BATCH_SIZE", "0"),
])
def test_a_number_setting_out_of_its_bounds_stops_the_start(tmp_path, name, value):
    """Six years at least: fewer would let the purge delete invoices the Accounting Act
    keeps (-5 was taken, and kept invoices dated five years ahead)."""
    db = tmp_path / "r.db"
    result = _flask_in(tmp_path, f"sqlite:///{db}", "retention", "preview",
                       env={f"REGISTER_{name}": value})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"REGISTER_{name} must be a whole number" in result.stderr


def test_db_downgrade_of_a_register_with_customers_needs_force(runner):
    from models import Customer, Section

    Customer.create(section=Section.get(code="tourism"), kind="person", first_name="Aino",
                    last_name="Asiakas")
    newest = database.status()[0][-1]
    refused = runner.invoke(args=["db", "downgrade"])
    assert refused.exit_code == 1 and "--force" in refused.output and "1 customers" in \
        refused.output
    assert database.status()[0][-1] == newest
    forced = runner.invoke(args=["db", "downgrade", "--force"])
    assert forced.exit_code == 0 and f"rolled back {newest}" in forced.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert Customer.select().count() == 1
