"""The tests' own set-up is written once: the accounts they log in as and the way they log
in live in conftest.py (the browser's login in browser/helpers.py), and every mark a test
uses is declared. These checks read the test sources; they fail when a copy appears."""

import ast
import configparser
import pathlib

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
SHARED = {TESTS / "conftest.py", TESTS / "browser" / "helpers.py"}
# Fixtures conftest.py gives every test module; a module lists its PEOPLE instead.
SHARED_FIXTURES = {"people", "auth", "make_user", "logged_in_user", "app", "client", "db_url"}


def module_paths():
    return sorted(path for path in TESTS.rglob("*.py") if path not in SHARED)


def helpers(path):
    """Yield every function of ``path`` that is not itself a test."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("test_"):
            yield node


def is_fixture(function):
    return any("fixture" in ast.unparse(decorator) for decorator in function.decorator_list)


def logs_in(function):
    """Tell whether ``function`` sends the login form (by HTTP or in the browser), or logs
    in and asserts the answer's status itself."""
    calls = [node for node in ast.walk(function)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    for call in calls:
        first = call.args[0] if call.args else None
        value = first.value if isinstance(first, ast.Constant) else None
        if (call.func.attr, value) in {("post", "/login"), ("get_by_label", "Käyttäjätunnus")}:
            return True
    checks_status = any("status_code" in ast.unparse(node) for node in ast.walk(function)
                        if isinstance(node, ast.Assert))
    return checks_status and any(call.func.attr == "login" and call.args for call in calls)


@pytest.mark.parametrize("path", module_paths(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_module_writes_its_own_accounts_or_login(path):
    copies = [f"{path.name}:{f.lineno} {f.name}" for f in helpers(path)
              if (is_fixture(f) and f.name in SHARED_FIXTURES) or logs_in(f)]
    assert not copies, (
        "use conftest.py's `people` (name the accounts in PEOPLE), `auth.login_as`, `login` "
        "or browser/helpers.py's `log_in` instead of: " + ", ".join(copies))


def test_the_check_finds_a_copied_login(tmp_path):
    copied = tmp_path / "test_copy.py"
    copied.write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef people(make_user):\n    make_user('anna', 'staff')\n\n"
        "def login(client):\n    client.post('/login', data={})\n\n"
        "def sign_in(auth, name):\n    assert auth.login(name).status_code == 302\n\n"
        "def log_in(page):\n    page.get_by_label('Käyttäjätunnus', exact=True).fill('a')\n\n"
        "def test_login_form(client):\n    client.post('/login', data={})\n")
    assert [f.name for f in helpers(copied) if is_fixture(f) or logs_in(f)] == [
        "people", "login", "sign_in", "log_in"]


def test_every_mark_must_be_declared():
    config = configparser.ConfigParser()
    config.read(TESTS.parent / "pytest.ini")
    assert "--strict-markers" in config["pytest"]["addopts"].split()
