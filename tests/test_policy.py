"""Who may do what is written once, in services/policy.py: the capability table, the
section rule, the customer scope and NotAllowed. These tests fail when a role tuple, a role
comparison or a second NotAllowed appears anywhere else, and when the README's role table
no longer is the table in the code."""

import ast
import pathlib
import re
import types

import pytest

from models import ROLES
from services import policy
from tests.sources import source_files

ROOT = pathlib.Path(__file__).resolve().parent.parent
POLICY = ROOT / "services" / "policy.py"
# The application's source: every page, service, form and command (tests, migrations and
# the benchmark aside).
SOURCE = source_files()
# Where the role codes themselves are defined: ROLES = ("controller", …).
ROLE_CODES = ROOT / "models" / "base.py"
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
REGENERATE = ('.venv/bin/python -c "from services.policy import role_table; '
              'print(role_table(), end=\'\')"')


def user(role):
    return types.SimpleNamespace(role=role, id=1, is_authenticated=True)


# --- the table ------------------------------------------------------------------------------


def test_the_readme_role_table_is_the_capability_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert policy.role_table() in readme, (
        "The README's role table is not the one in services/policy.py: replace it with the "
        f"output of {REGENERATE}")


def test_the_readme_has_one_role_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = policy.role_table().splitlines()[0]
    assert readme.count(header) == 1
    # Every capability is a row of it, with a mark for each role.
    for name, capability in policy.CAPABILITIES.items():
        assert f"| `{name}` | {capability.allows} |" in readme


def test_every_capability_names_known_roles_and_every_role_may_something():
    for name, capability in policy.CAPABILITIES.items():
        assert capability.roles, name
        assert set(capability.roles) <= set(ROLES), name
        assert len(set(capability.roles)) == len(capability.roles), name
    held = {role for c in policy.CAPABILITIES.values() for role in c.roles}
    assert held == set(ROLES)


def test_may_follows_the_table_and_refuses_nobody_by_mistake():
    for name, capability in policy.CAPABILITIES.items():
        for role in ROLES:
            assert policy.may(user(role), name) is (role in capability.roles), (name, role)
    assert not policy.may(None, "read_all_sections")
    anonymous = types.SimpleNamespace(is_authenticated=False)
    assert not policy.may(anonymous, "read_all_sections")
    with pytest.raises(KeyError):
        policy.may(user("controller"), "read_everything")
    with pytest.raises(KeyError):
        policy.may(None, "read_everything")  # a typo fails for everyone, not only the logged in


def test_the_section_rule_reads_the_table(app, make_user):
    """Who reads every section and who reads the granted ones come from the table."""
    from models import Section

    with app.app_context():
        every = [s.id for s in Section.select().order_by(Section.id)]
        tourism = Section.get(Section.code == "tourism").id
        people = {
            "controller": make_user("eero", "controller"),
            "responsible": make_user("riitta", "responsible"),
            "handler": make_user("tuulikki", "handler", ["tourism"]),
            "staff": make_user("anna", "staff", ["tourism"]),
            "maintenance": make_user("matti", "maintenance"),
        }
        for role, account in people.items():
            expected = (every if role in policy.roles_with("read_all_sections")
                        else [tourism] if role in policy.roles_with("read_granted_sections")
                        else [])
            assert policy.readable_section_ids(account) == expected, role
        assert policy.readable_section_ids(None) == []


def test_the_customer_scope_of_no_some_and_every_section(app, make_user):
    from models import Customer, Section

    def where(condition):
        return Customer.select(Customer.id).where(condition).sql()[0].split(" WHERE ")[1]

    with app.app_context():
        every = [s.id for s in Section.select().order_by(Section.id)]
        for section in every:
            Customer.create(kind="company", name=f"Oy {section}", section=section)
        assert where(policy.customer_scope([])) == where(policy.customer_scope([], every)) \
            == "1 = 0"
        assert where(policy.customer_scope(None)) == where(policy.customer_scope(every, every)) \
            == "1 = 1"
        assert policy.limiting_section_ids(every, every) is None
        assert policy.limiting_section_ids(every[:1], every) == every[:1]
        assert Customer.select().where(policy.customer_scope(every)).count() == len(every)
        assert Customer.select().where(policy.customer_scope(every[:1])).count() == 1
        staff = make_user("anna", "staff", ["tourism"])
        assert [c.section_id for c in Customer.select().where(
            policy.readable_customers(staff))] == [Section.get(Section.code == "tourism").id]


# --- NotAllowed is a 403 --------------------------------------------------------------------


def test_a_step_refused_by_a_service_answers_403(app, make_user, auth):
    @app.route("/refused-step")
    def refused_step():
        raise policy.NotAllowed("Only the controller decides access requests.")

    make_user("anna", "staff", ["tourism"])
    auth.login("anna")
    response = auth.client.get("/refused-step")
    assert response.status_code == 403
    assert "Ei käyttöoikeutta" in response.get_data(as_text=True)


# --- no copy anywhere else ------------------------------------------------------------------

_ROLE_CODES = set(ROLES)


def _is_role(node):
    """``user.role`` or ``role``."""
    return (isinstance(node, ast.Attribute) and node.attr == "role") or \
        (isinstance(node, ast.Name) and node.id == "role")


def _name_of(node):
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _is_role_codes(node):
    """A tuple, list or set written of role codes only, e.g. ("controller", "handler") (one
    code alone, such as ["staff"], is as often a field's name)."""
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) > 1 and all(
        isinstance(e, ast.Constant) and e.value in _ROLE_CODES for e in node.elts)


def _mentions_roles(node):
    """Whether ``node`` holds a role code or a name of a set of roles."""
    return any((isinstance(n, ast.Constant) and n.value in _ROLE_CODES)
               or re.fullmatch(r"[A-Z_]+_ROLES", _name_of(n) or "") for n in ast.walk(node))


def _role_comparison(node):
    """A comparison of a role with a role code or a set of roles (not with models.ROLES,
    the list of every code, nor with another account's role)."""
    operands = [node.left, *node.comparators]
    if not any(_is_role(o) for o in operands):
        return False
    for op, right in zip(node.ops, node.comparators):
        if isinstance(op, (ast.In, ast.NotIn)) and _name_of(right) != "ROLES":
            return True
    return any(isinstance(o, ast.Constant) and o.value in _ROLE_CODES for o in operands)


def role_rules_in(text, allow_role_codes_definition=False):
    """Return ``(line, what)`` for each role rule written in the Python source ``text``."""
    found = []
    tree = ast.parse(text)
    defined = set()
    if allow_role_codes_definition:  # models/base.py: ROLES = ("controller", …)
        defined = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                   and [_name_of(t) for t in n.targets] == ["ROLES"]}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and _role_comparison(node):
            found.append((node.lineno, "a role compared"))
        elif _is_role_codes(node) and id(node) not in defined:
            found.append((node.lineno, "a set of roles"))
        elif isinstance(node, ast.Assign) and _mentions_roles(node.value) and any(
                re.fullmatch(r"[A-Z_]+_ROLES|allowed_roles", _name_of(t) or "")
                for t in node.targets):
            found.append((node.lineno, "a set of roles named " + _name_of(node.targets[0])))
        elif isinstance(node, ast.FunctionDef) and re.fullmatch(
                rf"is_({'|'.join(ROLES)})", node.name):
            found.append((node.lineno, f"a check of one role, {node.name}"))
    return found


_TEMPLATE_ROLE_CHECK = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)")


def test_no_role_rule_outside_the_policy_module():
    found = []
    for path in SOURCE:
        if path == POLICY:
            continue
        rules = role_rules_in(path.read_text(encoding="utf-8"),
                              allow_role_codes_definition=path == ROLE_CODES)
        found += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in rules]
    for path in TEMPLATES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _TEMPLATE_ROLE_CHECK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: a role compared "
                             "(use may('capability'))")
    assert not found, ("Who may do what belongs in services/policy.py (a capability and "
                       "may(user, capability)):\n" + "\n".join(found))


@pytest.mark.parametrize("source", [
    'if user.role in ("controller", "handler"): pass',
    'if current_user.role == "controller": pass',
    'allowed = user.role != "maintenance"',
    'EDIT_ROLES = ("staff", "handler")',
    'allowed_roles = ["controller"]',
    'ok = current_user.role in READ_ALL_ROLES',
    'DELETE_ROLES = EDIT_ROLES',
    'allowed_roles = rules.REQUEST_ROLES',
    'ok = user.role in rules.REGISTER_ROLES',
    'ok = role in (config.get("TOTP_REQUIRED_ROLES") or ())',
    'query = User.select().where(User.role == "controller")',
    'def is_controller():\n    return True',
])
def test_the_scan_finds_a_role_rule(source):
    assert role_rules_in(source)


@pytest.mark.parametrize("source", [
    'same = role == account.role',
    'if role not in ROLES: pass',
    'ROLE_LABELS = {"controller": "Controller", "staff": "Staff member"}',
    'REFUSAL_SECTIONS = ("rights", "controller")',
    'if name == "staff": pass',
    'form_excluded_columns = ["staff"]',
    'CONTACT_ROLES = ("toimitusjohtaja", "myyntipäällikkö")',
    'grant(BOOTSTRAP_USERNAME, "controller")',
])
def test_the_scan_leaves_other_code_alone(source):
    assert not role_rules_in(source)


def test_the_role_codes_may_be_defined_in_models():
    source = 'ROLES = ("controller", "responsible", "handler", "staff", "maintenance")'
    assert not role_rules_in(source, allow_role_codes_definition=True)
    assert role_rules_in(source)


def test_the_scan_finds_a_role_check_in_a_template():
    assert _TEMPLATE_ROLE_CHECK.search("{% if access.role == 'controller' %}")
    assert _TEMPLATE_ROLE_CHECK.search("{% if current_user.role in ('controller', 'handler') %}")
    assert not _TEMPLATE_ROLE_CHECK.search("<td>{{ ROLE_LABELS[row.role] }}</td>")


def _definitions(kind, name):
    where = []
    for path in SOURCE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, kind) and node.name == name]
    return where


@pytest.mark.parametrize("kind, name", [
    (ast.ClassDef, "NotAllowed"),
    (ast.FunctionDef, "readable_section_ids"),
    (ast.FunctionDef, "customer_scope"),
])
def test_one_definition(kind, name):
    """One NotAllowed, one section rule, one customer scope: whoever needs them calls
    these."""
    assert _definitions(kind, name) == [f"services/policy.py:{_line_of(kind, name)}"]


def _line_of(kind, name):
    tree = ast.parse(POLICY.read_text(encoding="utf-8"))
    return next(n.lineno for n in ast.walk(tree) if isinstance(n, kind) and n.name == name)
