"""Migrations, configuration and the field → data-category map."""

import gc
import os
import pathlib

import peewee as pw
import pytest

import database
import models
from models import db
from services.postal_codes import marking


def table_names():
    return set(db.get_tables())


# Columns the database keeps by itself and only SQL reads: no model declares them.
DATABASE_OWN_COLUMNS = {"address": {marking.FLAG}}  # kept by triggers (migration 020)

REGISTER_TABLES = {
    "section", "app_user", "user_section", "customer", "address", "demographics",
    "contact_person", "contact_event", "purchase", "invoice",
}


ALL_MIGRATIONS = sorted(p.stem for p in database.MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.py"))


def test_migrations_up_down_up(empty_db_url):
    database.open_database(empty_db_url)
    applied = database.upgrade()
    assert applied == ALL_MIGRATIONS and applied[:2] == ["001_initial", "002_sections"]
    assert REGISTER_TABLES <= table_names()
    assert [s.code for s in models.Section.select().order_by(models.Section.code)] == [
        "business", "tourism"]

    undone = database.downgrade(steps=None)
    assert undone == ALL_MIGRATIONS[::-1]
    assert not (REGISTER_TABLES & table_names())

    assert database.upgrade() == ALL_MIGRATIONS
    assert REGISTER_TABLES <= table_names()
    assert models.Section.select().count() == 2
    done, pending = database.status()
    assert pending == [] and done == ALL_MIGRATIONS
    db.close()


def test_schema_matches_models(db_url):
    """What the migrations built is what the models read and write."""
    for model in [models.Section, models.User, models.UserSection, *models.REGISTER_MODELS,
                  models.InspectionRequest, models.InspectionSubject]:
        table = model._meta.table_name
        columns = {c.name for c in db.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert columns == expected | DATABASE_OWN_COLUMNS.get(table, set()), model.__name__


def test_sqlite_pragmas(tmp_path):
    database.open_database(f"sqlite:///{tmp_path / 'x.db'}")
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_a_requests_connection_is_kept_for_the_next_one(app, client):
    """Both databases pool their connections: a request gives its connection back, and the
    next takes it again (with its pragmas and, on SQLite, its page cache) instead of
    opening one; a connection may serve another thread then."""
    import threading

    seen = []

    @app.after_request
    def connection_used(response):
        seen.append(db.connection())
        return response

    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 200
    assert seen[0] is seen[1]
    assert db.is_closed()  # given back at the request's end
    other = threading.Thread(target=lambda: client.get("/login"))
    other.start()
    other.join()
    assert seen[2] is seen[0]
    if database.is_sqlite():
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        db.close()


def test_any_number_of_threads_get_a_sqlite_connection_at_once(tmp_path):
    """The SQLite pool sets no limit (as before it, every thread had its own): forty
    threads holding a connection at the same time each get one."""
    import threading

    database.open_database(f"sqlite:///{tmp_path / 'many.db'}")
    together = threading.Barrier(40)
    failures = []

    def hold():
        try:
            db.connect(reuse_if_open=True)
            db.execute_sql("SELECT 1")
            together.wait(timeout=30)
        except Exception as e:  # the pool's MaxConnectionsExceeded, or a broken barrier
            failures.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=hold) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_foreign_keys_enforced(db_url):
    with pytest.raises(pw.IntegrityError):
        with db.atomic():
            models.Customer.create(section=9999, kind="person", last_name="X")


def test_field_category_map_is_complete():
    assert models.unmapped_fields() == []
    # every map entry names a real field
    for model, mapping in models.FIELD_CATEGORIES.items():
        assert set(mapping) == set(model._meta.fields), model.__name__


def test_unmapped_field_is_caught():
    """A field added to a register model without a category makes the check fail."""
    field = pw.CharField(null=True)
    models.Customer._meta.add_field("nickname", field)
    try:
        assert models.unmapped_fields() == ["Customer.nickname"]
    finally:
        models.Customer._meta.remove_field("nickname")
    assert models.unmapped_fields() == []


def test_sections_declare_their_categories(db_url):
    tourism = models.Section.get(code="tourism")
    business = models.Section.get(code="business")
    assert "billing" in tourism.category_set and "demographics" not in tourism.category_set
    assert "demographics" in business.category_set and "billing" not in business.category_set
    for section in (tourism, business):
        assert section.category_set <= set(models.CATEGORIES)


def test_sort_name_follows_the_name(db_url):
    section = models.Section.get(code="tourism")
    c = models.Customer.create(section=section, kind="person", first_name="Äijä", last_name="Öberg")
    assert c.sort_name == "öberg, äijä"
    c = models.Customer.create(section=section, kind="company", name="Åbo Oy")
    assert c.sort_name == "åbo oy"


def test_config_precedence(tmp_path, monkeypatch, db_url):
    """defaults < instance/config.py < REGISTER_* environment < test_config."""
    from app import create_app

    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"DATABASE_URL = {db_url!r}\nFROM_FILE = 'file'\nOVERRIDDEN = 'file'\nBOTH = 'file'\n"
    )
    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REGISTER_OVERRIDDEN", "env")
    monkeypatch.setenv("REGISTER_BOTH", "env")
    app = create_app({"BOTH": "test"})
    assert app.config["FROM_FILE"] == "file"
    assert app.config["OVERRIDDEN"] == "env"
    assert app.config["BOTH"] == "test"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fi"  # a default nobody overrode


def test_secret_key_generated_once_private(tmp_path, monkeypatch, db_url):
    from app import create_app

    instance = tmp_path / "inst"
    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REGISTER_DATABASE_URL", db_url)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert os.stat(instance / "secret_key").st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'register.db'}"
    db.close()


def test_only_the_served_register_freezes_what_start_up_built(tmp_path, monkeypatch, db_url):
    """The register as served keeps its start-up objects out of the collector's sweeps
    (gc.freeze); an app under TESTING does not, or each test's would outlive the test."""
    from app import create_app

    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(tmp_path / "inst"))
    gc.unfreeze()
    create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test"})
    assert gc.get_freeze_count() == 0
    create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test"})
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_a_server_process_loads_the_pdf_library_only_to_write_a_pdf(tmp_path):
    """fpdf2 (and its font tools, 30 MB) is not loaded as the register starts; a PDF
    loads it. In a process of its own: this one has loaded it long ago."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from app import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'test',"
        f" 'DATABASE_URL': 'sqlite:///{tmp_path / 'start.db'}'}})\n"
        "print('fpdf' in sys.modules)\n"
        "from services.register_description import render_pdf\n"
        "from services.report_pdf import DocumentPDF\n"
        "print('fpdf' in sys.modules)\n")
    env = {**os.environ, "REGISTER_INSTANCE_PATH": str(tmp_path / "inst")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=pathlib.Path(__file__).resolve().parent.parent, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_city_migration_fills_existing_customers(db_url):
    done, _ = database.status()
    database.downgrade(steps=len(done) - done.index("007_customer_city"))
    db.execute_sql(
        "INSERT INTO customer (id, section_id, kind, last_name, sort_name, language,"
        " created_at, updated_at, version) VALUES (1, 1, 'person', 'Ojala', 'ojala', 'fi',"
        " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
    db.execute_sql("INSERT INTO address (customer_id, kind, city, country)"
                   " VALUES (1, 'visiting', 'Kemi', 'FI'), (1, 'postal', 'Oulu', 'FI')")
    database.upgrade()
    assert models.Customer.get_by_id(1).city == "Oulu"
