"""The shape every custom page shares: one loader answering 404 (``visible_or_404``) and,
on the inspection request page, one path for every step (``InspectionRequestView._step``).
The scans fail when a page loads a row and answers 404 by itself again, or when a step
endpoint writes its own flash-and-redirect again."""

import ast
import datetime
import pathlib

import pytest
from werkzeug.exceptions import NotFound

import admin_views.base.pages as base_pages
from admin_views.base import visible_or_404
from models import AuditEvent, Customer, InspectionRequest, Section, utcnow
from services import requests as rules
from tests.conftest import csrf_token, typed_now

ROOT = pathlib.Path(__file__).resolve().parent.parent
VIEWS = ROOT / "admin_views"
# What reads one row (and ``Model.get``): a page calling it and abort(404) itself is a
# second loader.
ROW_READS = {"get_or_none", "get_by_id", "first"}


def _calls(node):
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            yield child, func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _aborts_404(node):
    return any(name == "abort" and call.args and getattr(call.args[0], "value", None) == 404
               for call, name in _calls(node))


def _reads_a_row(node):
    for call, name in _calls(node):
        receiver = getattr(call.func, "value", None)
        if name in ROW_READS or (name == "get" and isinstance(receiver, ast.Name)
                                 and receiver.id[:1].isupper()):
            return True
    return False


def _guards_a_read(function):
    """Tell whether ``function`` answers 404 on what it read itself: ``row = ….first()``
    then ``if row is None: abort(404)``, or the read inside the ``if``."""
    read = {target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
            and _reads_a_row(node.value)
            for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(function):
        if isinstance(node, ast.If) and any(_aborts_404(child) for child in node.body):
            names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
            if names & read or _reads_a_row(node.test):
                return True
    return False


def own_loaders(source):
    """Return the functions in ``source`` that read a row and answer 404 themselves."""
    return [node.name for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _guards_a_read(node)]


def test_the_loader_scan_finds_a_loader_of_its_own():
    source = '''
def _run_or_404(self, run_id):
    run = PurgeRun.get_or_none(PurgeRun.id == run_id)
    if run is None:
        abort(404)
    return run

def request_or_404(value):
    row = scoped_requests().where(RectificationRequest.id == parse_id(value)).first()
    if row is None:
        abort(404)
    return row

def by_get(value):
    row_id = parse_id(value)
    if row_id is None or Recipient.get_or_none(Recipient.id == row_id) is None:
        abort(404)
    return Customer.get(Customer.id == value)

def index(self):
    customer = visible_or_404(Customer, request.args.get("customer"))
    if customer is None:
        abort(404)
    return Section.get_by_id(customer.section_id)

def fine(value):
    if request.args.get("x") is None:
        abort(404)
    return visible_or_404(PurgeRun, value)
'''
    assert own_loaders(source) == ["_run_or_404", "request_or_404", "by_get"]


def test_pages_load_rows_only_through_visible_or_404():
    found = {path.name: own_loaders(path.read_text(encoding="utf-8"))
             for path in sorted(VIEWS.glob("*.py")) if path.name != "base.py"}
    assert len(found) > 10
    assert {name: loaders for name, loaders in found.items() if loaders} == {}


def _step_endpoints():
    tree = ast.parse((VIEWS / "requests.py").read_text(encoding="utf-8"))
    view = next(node for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == "InspectionRequestView")
    for node in view.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "expose"
                    and decorator.args[0].value.startswith("/<request_id>/")
                    and "POST" in ast.unparse(decorator)):
                yield node


def test_every_step_of_a_request_ends_in_the_one_step_path():
    steps = list(_step_endpoints())
    assert [s.name for s in steps] == ["identity", "subjects", "remove_subject", "decision",
                                       "delivery", "review"]
    for step in steps:
        last = step.body[-1]
        assert isinstance(last, ast.Return) and ast.unparse(last.value).startswith(
            "self._step("), step.name
        assert not any(name in ("flash", "redirect") for _, name in _calls(step)), step.name


# --- the loader ------------------------------------------------------------------------


@pytest.fixture
def customers(app):
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    return (Customer.create(section=tourism, kind="person", first_name="Aino", last_name="A"),
            Customer.create(section=business, kind="person", first_name="Bo", last_name="B"))


@pytest.mark.parametrize("raw", [None, "", "abc", "0", "-1", "1.5", "9" * 20, ["1", "2"]])
def test_a_malformed_id_is_404_before_any_lookup(app, raw):
    def lookup(user, row_id):
        raise AssertionError("looked up a malformed id")

    with app.test_request_context(), pytest.raises(NotFound):
        visible_or_404(lookup, raw)


def test_a_model_a_scoped_query_and_a_lookup_load_alike(app, customers, monkeypatch):
    tourist, other = customers
    scoped = Customer.select().where(Customer.section == tourist.section_id)
    monkeypatch.setattr(base_pages, "acting_user", lambda: "anna")
    seen = []

    def lookup(user, row_id):
        seen.append((user, row_id))
        return scoped.where(Customer.id == row_id).first()

    with app.test_request_context():
        for source in (Customer, scoped, lookup):
            assert visible_or_404(source, str(tourist.id)).id == tourist.id
        assert visible_or_404(Customer, other.id).id == other.id
        for source in (scoped, lookup):
            with pytest.raises(NotFound):
                visible_or_404(source, other.id)
        with pytest.raises(NotFound):
            visible_or_404(AuditEvent, "123456")
    assert seen == [("anna", tourist.id), ("anna", other.id)]


# --- the steps, through the pages --------------------------------------------------------


# The accounts the steps are taken as (conftest.py's `people`).
PEOPLE = ("handler_t", "responsible")


def _request(**steps):
    """A tourism request at the given steps, registered and taken through the services."""
    from models import User

    handler, responsible = User.by_username("handler_t"), User.by_username("responsible")
    row = rules.register(handler, received_at=utcnow() - datetime.timedelta(hours=1),
                         channel="written", requester_name="Anna Äijälä", section="tourism")
    if steps.get("identified"):
        rules.record_identity(handler, row, method="passport")
    if steps.get("decided"):
        rules.decide(responsible, row, decision="approved")
    return InspectionRequest.get_by_id(row.id)


STALE_TEXT = "Joku muu muutti tätä pyyntöä sillä välin"


@pytest.mark.parametrize("who, step, state, data, kept", [
    ("handler_t", "identity", {}, {"identity-method": "passport",
                                   "identity-note": "Passi nähty myöhässä"},
     "Passi nähty myöhässä"),
    ("responsible", "decision", {"identified": True},
     {"decision": "refused", "decision-reason": "Perusteeton pyyntö"}, "Perusteeton pyyntö"),
    ("handler_t", "delivery", {"identified": True, "decided": True},
     {"delivery-method": "post"}, '<option selected value="post">'),
])
def test_a_step_on_a_stale_page_says_so_keeps_the_input_and_writes_nothing(
        client, auth, people, who, step, state, data, kept):
    row = _request(**state)
    assert auth.login(who).status_code == 302
    token = csrf_token(client.get(f"/requests/{row.id}/").get_data(as_text=True))
    field = "delivered_at" if step == "delivery" else "checked_at"
    r = client.post(f"/requests/{row.id}/{step}", data={
        "csrf_token": token, f"{step}-version": str(row.version - 1),
        f"{step}-{field}": typed_now(), **data})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert STALE_TEXT in page and kept in page
    assert InspectionRequest.get_by_id(row.id).version == row.version


def test_a_refused_button_step_shows_the_page_with_the_reason(client, auth, people):
    row = _request(identified=True)
    assert auth.login("handler_t").status_code == 302
    token = csrf_token(client.get(f"/requests/{row.id}/").get_data(as_text=True))
    r = client.post(f"/requests/{row.id}/subjects/999/remove",
                    data={"csrf_token": token, "version": str(row.version)})
    assert r.status_code == 200
    assert "Tietue ei ole enää liitetty tähän pyyntöön" in r.get_data(as_text=True)
    auth.logout()
    assert auth.login("responsible").status_code == 302
    token = csrf_token(client.get(f"/requests/{row.id}/").get_data(as_text=True))
    r = client.post(f"/requests/{row.id}/review",
                    data={"csrf_token": token, "version": str(row.version)})
    assert r.status_code == 200
    assert "Jälkikäteen tarkastetaan vain paikan päällä" in r.get_data(as_text=True)
    assert InspectionRequest.get_by_id(row.id).reviewed_at is None
