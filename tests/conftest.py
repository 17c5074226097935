"""Fixtures: a fresh migrated database per test, on SQLite always and PostgreSQL when
TEST_DATABASE_URL is set; the app, its test client, the CLI runner and a login helper."""

import datetime
import os
import re
import shutil
import urllib.parse

import pytest
import time_machine

import database
from models import db, utcnow
from services.localtime import to_helsinki

# An app made without TESTING (the configuration tests) would start the backup scheduler,
# whose backup would run on into the next test's database reset.
os.environ.setdefault("REGISTER_BACKUP_SCHEDULE", "false")

PASSWORD = "correct horse battery"  # 21 characters: passes the policy

# Every test that takes `db_url` runs once per database (REGISTER_TEST_DATABASES=sqlite
# names fewer, as the frozen-clock runs of `make test` do).
DATABASES = os.environ.get("REGISTER_TEST_DATABASES", "sqlite,postgresql").split(",")

# REGISTER_TEST_CLOCK=2026-10-24T23:30:00Z starts the whole session's clock at that
# instant (it then runs on): the time-sensitive tests (marker `clock`) must pass at any
# hour of any day, so `make test` runs them again at 23:30 UTC, when Helsinki's date is
# already the next day, and across both changes of daylight saving time (README "Time").
TEST_CLOCK = os.environ.get("REGISTER_TEST_CLOCK", "").strip()
# Tests are marked `clock` when they depend on the date or the time of day (pytest.ini).


def _test_clock_instant(text):
    """Return REGISTER_TEST_CLOCK as an aware UTC datetime (ISO 8601, Z for UTC)."""
    instant = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise pytest.UsageError(f"REGISTER_TEST_CLOCK={text}: give the zone, e.g. …Z")
    return instant.astimezone(datetime.timezone.utc)


_travel = None


def pytest_configure(config):
    """Start the clock at REGISTER_TEST_CLOCK, before the test modules are even imported
    (a module's constant taken from the clock is taken from the moved one)."""
    global _travel
    if TEST_CLOCK and _travel is None:
        _travel = time_machine.travel(_test_clock_instant(TEST_CLOCK), tick=True)
        _travel.start()


def pytest_unconfigure(config):
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_report_header(config):
    if TEST_CLOCK:
        return f"clock: starts at {TEST_CLOCK} (REGISTER_TEST_CLOCK)"
    return None


def pytest_generate_tests(metafunc):
    if "db_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_kind", DATABASES, scope="session")


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI.")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL=postgresql://user:pw@host/db")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


_worker_databases = {}


def _worker_database(url, worker):
    """Return the URL of this test worker's own database beside ``url`` (``…_gw0``), made
    once: tests running side by side (``pytest -n 2``) each empty their own."""
    if url not in _worker_databases:
        import psycopg2
        from psycopg2 import sql

        parts = urllib.parse.urlsplit(url)
        own = f"{parts.path.lstrip('/')}_{worker}"
        connection = psycopg2.connect(url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
        connection.close()
        _worker_databases[url] = urllib.parse.urlunsplit(parts._replace(path=f"/{own}"))
    return _worker_databases[url]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """A migrated SQLite file, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "register.db"
    database.open_database(f"sqlite:///{path}")
    database.upgrade()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute_sql("PRAGMA journal_mode=DELETE")
    db.close()
    return path


def reset_postgres(url):
    """Empty the PostgreSQL test database (drop and recreate its public schema)."""
    database.open_database(url)
    db.connect(reuse_if_open=True)
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")
    db.close()


@pytest.fixture
def empty_db_url(db_kind, tmp_path):
    """The URL of an empty database of the kind under test (no tables)."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url = _postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture
def db_url(db_kind, tmp_path, request):
    """The URL of a fresh database with every migration applied."""
    if db_kind == "sqlite":
        path = tmp_path / "register.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
        database.open_database(url)
    else:
        url = _postgres_url()
        reset_postgres(url)
        database.open_database(url)
        database.upgrade()
    yield url
    if not db.is_closed():
        db.close()


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    """The register, on a fresh database, with a private instance folder."""
    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(tmp_path / "instance"))
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test"})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def typed_now(minutes_ago=0):
    """Return the present Helsinki time (less ``minutes_ago``) as a person types it into a
    time field ("2026-11-25T14:30"), from the register's own clock."""
    moment = utcnow() - datetime.timedelta(minutes=minutes_ago)
    return to_helsinki(moment).strftime("%Y-%m-%dT%H:%M")


def csrf_token(html):
    """Return the CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, follow=False):
        token = csrf_token(self.client.get("/login").get_data(as_text=True))
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def logout(self):
        token = csrf_token(self.client.get("/").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    """Create an account that can log in at once: make_user("anna", "staff", ["tourism"])."""
    from services import accounts

    def make(username, role, sections=(), password=PASSWORD, must_change=False):
        with app.app_context():
            user, _ = accounts.create_user(
                username, role, sections, password=password, must_change=must_change
            )
        return user

    return make


class Clock:
    """The register's clock (models.utcnow), stopped, and moved by hand."""

    def __init__(self, traveller):
        self.traveller = traveller

    def __call__(self):
        return utcnow()

    def advance(self, **delta):
        self.traveller.shift(datetime.timedelta(**delta))


@pytest.fixture
def clock():
    """Stop the register's clock at the present moment; ``clock.advance(minutes=…)``."""
    start = utcnow().replace(tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller)
