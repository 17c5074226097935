"""The data-category map is the one source: every model holding a customer's data is in it,
and the purge, the minimisation, the inspection report and rectification cover every field
of every category — a field or a model added to the map included — and no list of the
customer's fields is written outside the map's module."""

import ast
import datetime
import decimal
import pathlib

import peewee as pw
import pytest

import models
from models import (
    ACCOUNTING_RECORD_FIELDS,
    CATEGORIES,
    FIELD_CATEGORIES,
    MAINTAINED_FIELDS,
    NOT_FOR_KIND,
    REFERENCES_NOT_DATA,
    Address,
    BaseModel,
    ContactPerson,
    Customer,
    Disclosure,
    Invoice,
    Section,
    User,
    db,
    utcnow,
)
from services import categories, rectification, report, retention

ROOT = pathlib.Path(__file__).resolve().parent.parent
TODAY = retention.helsinki_today(utcnow())
KEEP_FROM = retention.keeping_starts(TODAY)
KEPT_DAY = KEEP_FROM + datetime.timedelta(days=20)  # an invoice still kept
OLD_DAY = KEEP_FROM - datetime.timedelta(days=400)  # any other date: past keeping
OLD_MOMENT = datetime.datetime.combine(OLD_DAY, datetime.time(9, 30))

# Values the generic filler would get wrong for the scenario, not for the data.
OVERRIDES = {
    (Customer, "kind"): "company",  # a company has contact persons
    (Customer, "minimised_at"): None,
    (Disclosure, "state"): "carried_out",  # an unfinished disclosure holds the customer
}


# --- a customer with every field of every mapped model filled --------------------------


def _value(model, field, refs):
    """A value for ``field`` of ``model``: a row of ``refs`` for a foreign key (a new one of
    an unknown model), the first choice, or a value of the column's type."""
    if (model, field.name) in OVERRIDES:
        return OVERRIDES[(model, field.name)]
    if isinstance(field, pw.ForeignKeyField):
        if field.rel_model is model:
            return None
        if field.rel_model not in refs:
            refs[field.rel_model] = _filled(field.rel_model, refs)
        return refs[field.rel_model]
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, pw.DateTimeField):
        return OLD_MOMENT
    if isinstance(field, pw.DateField):
        return OLD_DAY
    if isinstance(field, pw.DecimalField):
        return decimal.Decimal("12.50")
    if isinstance(field, pw.BooleanField):
        return True
    if isinstance(field, pw.IntegerField):
        return 1
    text = f"{model.__name__} {field.name}"
    return text[:field.max_length] if getattr(field, "max_length", None) else text


def _filled(model, refs, **values):
    """Create a row of ``model`` with every field filled (``values`` first)."""
    data = {f.name: _value(model, f, refs) for f in model._meta.sorted_fields
            if f is not model._meta.primary_key and f.name not in values}
    return model.create(**data, **values)


def full_customer(section, invoice_day=OLD_DAY, with_references=False):
    """A customer of ``section`` with every field filled and one row, every field filled,
    of each mapped model referencing it (and of each ``REFERENCES_NOT_DATA`` model)."""
    actor = User.get_or_none(User.username == "filler") or User.create(
        username="filler", role="handler")
    refs = {Section: section, User: actor}
    refs[Customer] = customer = _filled(Customer, refs)
    children = [model for model, _link in categories.linked_models(Customer)]
    for model in reversed(categories.deletion_order(children)):
        row = _filled(model, refs, **({"invoice_date": invoice_day} if model is Invoice else {}))
        refs.setdefault(model, row)
    for model in REFERENCES_NOT_DATA if with_references else ():
        _filled(model, refs)
    return Customer.get_by_id(customer.id)


@pytest.fixture
def every_category(app):
    """A section holding every data category."""
    return Section.create(code="all", name_fi="Kaikki", name_sv="Alla", name_en="All",
                          categories=" ".join(CATEGORIES))


@pytest.fixture
def responsible(app):
    return User.create(username="vastaava", role="responsible")


VEHICLE_MAP = {"id": "record", "customer": "record", "plate": "own_info"}


@pytest.fixture
def added(app):
    """A field of the customer and a whole model referencing it (``Vehicle``), added to the
    tables and to the map; both taken away again afterwards."""

    class Vehicle(BaseModel):
        customer = pw.ForeignKeyField(Customer, backref="+", on_delete="CASCADE")
        plate = pw.CharField(max_length=20, null=True)

        class Meta:
            table_name = "test_vehicle"

    db.execute_sql("ALTER TABLE customer ADD COLUMN nickname VARCHAR(100)")
    Customer._meta.add_field("nickname", pw.CharField(max_length=100, null=True))
    FIELD_CATEGORIES[Customer]["nickname"] = "own_info"
    db.create_tables([Vehicle])
    FIELD_CATEGORIES[Vehicle] = dict(VEHICLE_MAP)
    try:
        yield Vehicle
    finally:
        Customer._meta.remove_field("nickname")
        del FIELD_CATEGORIES[Customer]["nickname"]
        FIELD_CATEGORIES.pop(Vehicle, None)
        Vehicle._meta.remove_field("customer")  # and its reference to Customer
    assert models.unmapped_fields() == [] and categories.unclassified_references() == []


# --- (1) every model holding a customer's data is in the map -----------------------------


def test_every_model_referencing_the_register_data_is_in_the_map_or_declared():
    assert categories.unclassified_references() == []
    # The rows that only name a customer go with it: the purge deletes none of them itself.
    for model in REFERENCES_NOT_DATA:
        assert model not in FIELD_CATEGORIES
        keys = [f for f in model._meta.sorted_fields
                if isinstance(f, pw.ForeignKeyField) and f.rel_model in FIELD_CATEGORIES]
        assert keys and all(f.on_delete == "CASCADE" for f in keys), model.__name__


def test_a_model_left_out_of_the_map_is_caught(added):
    del FIELD_CATEGORIES[added]
    try:
        assert categories.unclassified_references() == ["Vehicle.customer"]
    finally:
        FIELD_CATEGORIES[added] = dict(VEHICLE_MAP)
    assert categories.unclassified_references() == []


def test_what_a_merge_moves_is_every_reference_to_the_customer(added):
    """A merge moves the rows of each model :func:`references` names: the customer's data
    (every mapped model referencing it, one added later included) and the rows naming it."""
    moved = categories.references(Customer)
    data = [(model, link) for model, link in categories.linked_models(Customer)]
    naming = [(model, field) for model, field in moved if model in REFERENCES_NOT_DATA]
    assert sorted(moved, key=str) == sorted(data + naming, key=str)
    assert (added, added.customer) in moved
    assert {model for model, _field in naming} == set(REFERENCES_NOT_DATA)


def test_the_declarations_beside_the_map_name_the_customers_own_data():
    own = {name for name, category in FIELD_CATEGORIES[Customer].items() if category != "record"}
    declared = [*MAINTAINED_FIELDS[Customer], *ACCOUNTING_RECORD_FIELDS,
                *(name for names in NOT_FOR_KIND.values() for name in names)]
    assert set(declared) <= own
    assert set(NOT_FOR_KIND) == set(models.CUSTOMER_KINDS)


# --- (2) the purge takes every field of every category --------------------------------


def _rows_of(customer_id):
    """How many rows of each model referencing the customer name it."""
    return {model: model.select().where(field == customer_id).count()
            for model, field in categories.references(Customer)}


def _own_values(customer_id):
    names = [name for name, category in FIELD_CATEGORIES[Customer].items()
             if category != "record"]
    row = Customer.select().where(Customer.id == customer_id).dicts().get()
    return {name: row[name] for name in names}


def test_deleting_a_customer_leaves_nothing_that_names_it(every_category, responsible, added):
    customer = full_customer(every_category, with_references=True)
    # The filler gave the added field a value and the added model a row.
    assert customer.nickname and added.get(added.customer == customer.id).plate
    assert all(_rows_of(customer.id).values())

    plan = retention.erasure_plan(customer)
    assert plan.action == retention.DELETE and not plan.holds
    # Every category holds something of this customer, and the plan counts it.
    assert [code for code in CATEGORIES if not plan.goes[code]] == []
    assert plan.goes["own_info"] == 2  # the customer's own information, and the vehicle
    retention.erase(customer.id, responsible, TODAY)

    assert Customer.get_or_none(Customer.id == customer.id) is None
    assert set(_rows_of(customer.id).values()) == {0}


def test_minimising_empties_every_field_but_the_accounting_record(every_category, responsible,
                                                                   added):
    customer = full_customer(every_category, invoice_day=KEPT_DAY)
    # The filler gave the added field a value and the added model a row.
    assert customer.nickname and added.get(added.customer == customer.id).plate
    before = _own_values(customer.id)
    assert all(value not in (None, "") for value in before.values())

    plan = retention.erasure_plan(customer)
    assert plan.action == retention.MINIMISE
    # The own information, the added field and the vehicle: each counted in its category.
    assert plan.goes["own_info"] == 2
    retention.erase(customer.id, responsible, TODAY)

    after = _own_values(customer.id)
    kept = set(ACCOUNTING_RECORD_FIELDS) | set(MAINTAINED_FIELDS[Customer])
    assert {name: value for name, value in after.items() if name not in kept} == \
        dict.fromkeys(set(after) - kept)
    assert {name: after[name] for name in ACCOUNTING_RECORD_FIELDS} == \
        {name: before[name] for name in ACCOUNTING_RECORD_FIELDS}
    # Of the rows: the kept invoice and the address it went to; nothing else.
    rows = {model: n for model, n in _rows_of(customer.id).items() if n}
    assert rows == {Invoice: 1, Address: 1}
    assert Customer.get_by_id(customer.id).minimised_at is not None


def test_the_purge_preview_counts_a_table_it_keeps_no_count_of(every_category, added):
    """The preview reads each customer's kept counts of rows (migration 038); a table
    added later, without one, is looked into: its rows are counted all the same."""
    deleted = full_customer(every_category)
    Invoice.update(number="another").where(Invoice.customer == deleted.id).execute()
    minimised = full_customer(every_category, invoice_day=KEPT_DAY)
    long_ago = utcnow() - datetime.timedelta(days=365 * 10)
    Customer.update(last_activity_at=long_ago, created_at=long_ago).where(
        Customer.id.in_([deleted.id, minimised.id])).execute()

    def counted():
        part = retention.preview(retention.Snapshot.now([every_category])).sections[0]
        assert (part.delete["customers"], part.minimise["customers"]) == (1, 1)
        return part.delete["own_info"], part.minimise["own_info"]

    with_vehicles = counted()
    added.delete().execute()
    assert counted() == (with_vehicles[0] - 1, with_vehicles[1] - 1)


# --- (3) the report shows every field under its category -------------------------------


def test_the_report_shows_every_field_of_every_category(every_category):
    customer = full_customer(every_category)
    subject = report.build_report_for(customer_ids=[customer.id])["subjects"][0]
    shown = {entry["code"]: entry for entry in subject["categories"]}
    assert list(shown) == list(CATEGORIES) and subject["empty_categories"] == []

    own = {(cell["name"], code) for code, entry in shown.items() for cell in entry["fields"]
           if cell["text"] != ""}
    assert own == {(name, category) for name, category in FIELD_CATEGORIES[Customer].items()
                   if getattr(customer, name) is not None}
    for model, _link in categories.linked_models(Customer):
        home = shown[categories.home_category(model)]
        table = next(t for t in home["tables"] if t["model"] == model._meta.table_name)
        links = {f.name for f in categories.links(model, Customer)} | {"id"}
        assert {c["name"] for c in table["columns"]} == set(FIELD_CATEGORIES[model]) - links, \
            model.__name__
        assert len(table["rows"]) == 1 and all(c["text"] != "" for c in table["rows"][0])


# --- (4) rectification offers every field of the customer's data -----------------------


def test_a_rectification_request_offers_every_field(every_category, added):
    customer = full_customer(every_category)
    offered = {(row.model, name) for row in rectification.subject_rows(customer)
               for name in row.fields}
    expected = set()
    for model in [Customer, *(m for m, _link in categories.linked_models(Customer))]:
        for name, category in FIELD_CATEGORIES[model].items():
            field = model._meta.fields[name]
            if (category != "record" and not isinstance(field, pw.ForeignKeyField)
                    and name not in MAINTAINED_FIELDS.get(model, ())
                    and not (model is Customer and name in NOT_FOR_KIND[customer.kind])):
                expected.add((model, name))
    assert offered == expected
    assert {(Customer, "nickname"), (added, "plate"), (Customer, "email")} <= offered


# --- (5) no list of the customer's fields outside the map's module -----------------------

# Lists of the customer's fields that choose columns for one purpose — what a screen or an
# export shows, what the search index holds — rather than say what the customer's data or a
# category is. A new one goes here with its reason, once it is clear it is no copy of the
# map (models/categories.py) or of a declaration beside it.
SELECTIONS = {
    ("admin_views/customers.py", "CustomerView.column_list"): "the list's columns",
    ("admin_views/customers.py", "CustomerView.column_sortable_list"): "sortable columns",
    ("admin_views/customers.py", "CustomerView.column_export_list"): "the export's columns",
    ("admin_views/customers.py", "CustomerView.search_placeholder"): "what the search reads",
    # What the form refuses of each kind: narrower than models.NOT_FOR_KIND, which the
    # screens hide (a company's form refuses no contact name).
    ("services/customers.py", "REFUSED_FOR_KIND"): "the form's refusals",
    ("forms/requests.py", "_SubjectDetails.DETAILS"): "the request form's own fields",
    ("services/marketing.py", "COLUMNS"): "the mailing list's columns",
    ("services/search.py", "SEARCH_COLUMNS"): "the columns of the search index",
    # Import (issue 15): the columns of the list's export that split into fields, the
    # customer's fields its address row keeps in step, and the
    # usual headers of each field in spreadsheets.
    ("services/imports/rows.py", "SPLITS"): "an export's columns that split",
    ("services/imports/mapping.py", "ADDRESS_FIELDS"): "the address row's fields",
    ("services/vocabulary/imports.py", "HEADER_SYNONYMS"): "the headers of the fields",
    ("services/duplicates/matching.py", "CHECKED_FIELDS"): "the values the duplicate check "
                                                          "reads",
    ("services/duplicates/matching.py", "DUPLICATE_REASONS"): "the reasons, named by the key "
                                                             "they compare",
    ("services/duplicates/matching.py", "_COLUMNS"): "the columns a candidate is read by",
    ("services/duplicates/updating.py", "OVERWRITABLE"): "what a match may overwrite",
    # The customer form's fieldsets (issue 16): the order of its fields; the section's
    # categories still decide which are on the form.
    ("forms/customers.py", "CUSTOMER_FIELDSETS"): "the form's fieldsets",
}
SCANNED_OUT = {"tests", "migrations", ".venv", "instance"}


def _strings(node):
    return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _copy_kind(node):
    """Say what of the map a literal copies, or None: two or more of the customer's own
    fields, three or more category codes, or a model of the map paired with a category."""
    own = {n for n, c in FIELD_CATEGORIES[Customer].items() if c != "record"}
    codes, mapped = set(CATEGORIES), {model.__name__ for model in FIELD_CATEGORIES}
    if isinstance(node, ast.Dict):
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        names = {k.id for k in node.keys if isinstance(k, ast.Name)}
        values = {v.value for v in node.values if isinstance(v, ast.Constant)}
        inner = {e.value for v in node.values if isinstance(v, (ast.Tuple, ast.List))
                 for e in v.elts if isinstance(e, ast.Constant)}
        if keys & codes and (values | inner) & own:
            return "fields by category"
        if names & mapped and values and values <= codes:
            return "a model's category"
        return None
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return None
    texts = _strings(node)
    if len(texts & own) >= 2:
        return "the customer's fields"
    if len(texts & codes) >= 3:
        return "category codes"
    if {e.id for e in node.elts if isinstance(e, ast.Name)} & mapped and texts & codes:
        return "a model's category"
    return None


def copies_in(source):
    """Return ``(where, what)`` of each literal in ``source`` copying the map: ``where`` is
    the enclosing classes and functions and the name assigned, dotted."""
    found = []

    def visit(node, where):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            where = (*where, node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = [t.id if isinstance(t, ast.Name) else t.attr for t in targets
                     if isinstance(t, (ast.Name, ast.Attribute))]
            where = (*where, named[0]) if named else where
        what = _copy_kind(node)
        if what is not None:
            found.append((".".join(where), what))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(source), ())
    return found


def test_no_field_list_of_the_customer_is_written_outside_the_map():
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SCANNED_OUT or relative.parts[0] == "models":
            continue
        for where, what in copies_in(path.read_text(encoding="utf-8")):
            found[(relative.as_posix(), where)] = what
    assert {key: what for key, what in found.items() if key not in SELECTIONS} == {}
    # And the selections named above are still there (a stale entry hides nothing).
    assert set(SELECTIONS) <= set(found)


@pytest.mark.parametrize("source, what", [
    ('CUSTOMER_FIELDS = {"phone": ("phone", "mobile"), "fax": ("fax",)}', "fields by category"),
    ('OWN = {"email": "email", "own_info": "own_info"}', "fields by category"),
    ('CHILD_ROWS = ((Address, "address", None),)', "a model's category"),
    ('RELATIONS = {"invoices": (Invoice, "billing")}', "a model's category"),
    ('HOMES = {Invoice: "billing"}', "a model's category"),
    ('COUNTED = ("identity", "address", "phone", "record")', "category codes"),
    ('def f():\n    return [n for n in ("first_name", "last_name")]', "the customer's fields"),
])
def test_a_copy_of_the_map_is_found(source, what):
    assert what in [found for _where, found in copies_in(source)]


@pytest.mark.parametrize("source", [
    'CATEGORY_LABELS = {"phone": _l("Phone"), "email": _l("Email"), "fax": _l("Fax")}',
    'COLUMNS = ("name", "file", "kind", "state")',
    'COUNT_NAMES = {Customer: "customers", Address: "addresses", Invoice: "invoices"}',
    'if "billing" in section.category_set: pass',
])
def test_what_is_no_copy_of_the_map_is_not_found(source):
    assert copies_in(source) == []
