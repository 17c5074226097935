"""The users and db commands and their errors."""

import database
from models import User
from services import accounts
from tests.conftest import PASSWORD


def test_users_create_with_password(runner, client, auth):
    result = runner.invoke(args=["users", "create", "anna", "--role", "staff",
                                 "--section", "tourism", "--section", "business",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = User.by_username("anna")
    assert user.role == "staff" and [s.code for s in user.sections] == ["business", "tourism"]
    assert user.must_change_password
    assert auth.login("anna").location == "/password"


def test_users_create_prompts_hidden_and_confirmed(runner):
    result = runner.invoke(args=["users", "create", "bertta", "--role", "handler",
                                 "--section", "tourism"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert accounts.authenticate("bertta", PASSWORD) is not None


def test_users_create_prompt_mismatch_asks_again(runner):
    other = "another passphrase"
    result = runner.invoke(args=["users", "create", "bertta", "--role", "staff"],
                           input=f"{PASSWORD}\n{other}\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("bertta", PASSWORD) is not None


def test_users_create_errors(runner):
    cases = [
        (["--role", "boss"], "boss"),
        (["--role", "staff", "--section", "marketing"], "marketing"),
        (["--role", "staff", "--password", "short"], "12"),
    ]
    for extra, said in cases:
        result = runner.invoke(args=["users", "create", "anna", *extra, "--password", PASSWORD]
                               if "--password" not in extra else ["users", "create", "anna", *extra])
        assert result.exit_code != 0, extra
        assert said in result.output, result.output
        assert User.by_username("anna") is None
    runner.invoke(args=["users", "create", "anna", "--role", "staff", "--password", PASSWORD])
    result = runner.invoke(args=["users", "create", "anna", "--role", "staff", "--password", PASSWORD])
    assert result.exit_code != 0 and "anna" in result.output
    assert User.select().where(User.username == "anna").count() == 1


def test_users_list_and_deactivate(runner, make_user):
    make_user("anna", "staff", ["tourism"])
    make_user("eero", "controller")
    listing = runner.invoke(args=["users", "list"]).output
    assert "anna" in listing and "staff" in listing and "tourism" in listing
    assert "eero" in listing and "controller" in listing
    result = runner.invoke(args=["users", "deactivate", "anna"])
    assert result.exit_code == 0
    assert not User.by_username("anna").is_active
    assert "closed" in runner.invoke(args=["users", "list"]).output
    result = runner.invoke(args=["users", "deactivate", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


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
    assert auth.login("admin", password).location == "/password"
    again = runner.invoke(args=["users", "bootstrap"])
    assert again.exit_code == 0 and password not in again.output and again.output == ""
    assert User.select().count() == 1


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
