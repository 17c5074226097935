"""Fixtures: a fresh migrated database per test, on SQLite always and PostgreSQL when
TEST_DATABASE_URL is set; the app, its test client, the CLI runner; the accounts the tests
log in as and the one way they log in; password hashing made cheap for the tests."""

import datetime
import gc
import os
import re
import shutil
import sys
import urllib.parse
import zlib

import pytest
import time_machine
from jinja2 import BytecodeCache

import database
from models import User, db, utcnow
from models.base import KeptColumnsSelect
from services.localtime import helsinki_today, to_helsinki
from tests.postgres import drop_retired, migrated_postgres, reset_postgres

# Every statement the register keeps the text of is also written by peewee and compared
# (models/kept_sql.py): the whole suite checks every shape the pages use.
KeptColumnsSelect.VERIFY = True

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
    (a module's constant taken from the clock is taken from the moved one); hash cheaply."""
    global _travel
    if TEST_CLOCK and _travel is None:
        _travel = time_machine.travel(_test_clock_instant(TEST_CLOCK), tick=True)
        _travel.start()
    _hash_cheaply()
    _build_urls_once()


def pytest_unconfigure(config):
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_sessionfinish(session):
    drop_retired()  # the restore tests' databases (tests/postgres.py says why only now)


def pytest_runtest_teardown(item):
    """Give the collector back what an app made without TESTING froze (app.py): the
    configuration tests' apps would otherwise keep every earlier test's objects alive."""
    if gc.get_freeze_count():
        gc.unfreeze()


def pytest_report_header(config):
    if TEST_CLOCK:
        return f"clock: starts at {TEST_CLOCK} (REGISTER_TEST_CLOCK)"
    return None


# Every test builds an app, and Werkzeug writes and compiles Python source for each of its
# ninety-odd URL rules: most of create_app's time. A rule's builder depends only on the
# rule's parsed parts (and on its defaults, when a default fills a part of the address):
# the tests build each distinct one once per process and share it between the apps.
_URL_BUILDERS = {}


def _build_urls_once():
    """Let every app of this process share its URL rules' compiled builders."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "shared", False):
        return

    def shared_builder(rule, append_unknown=True):
        defaults = rule.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (append_unknown, tuple(rule._trace), tuple(sorted(defaults)))
        if key not in _URL_BUILDERS:
            _URL_BUILDERS[key] = compile_builder(rule, append_unknown)
        return _URL_BUILDERS[key]

    shared_builder.shared = True
    Rule._compile_builder = shared_builder


# argon2id at production cost takes tens of milliseconds a hash, and every account a test
# makes is hashed, and verified at each login: the tests hash with the least work argon2
# allows. test_security.py checks the production parameters (and the fixture
# `production_hashing` gives them back to a test that needs them).
_PRODUCTION = {}


def _hash_cheaply():
    """Hash with argon2id's least work in this process, keeping the register's own hasher
    for `production_hashing`."""
    from argon2 import PasswordHasher, Type

    from services import accounts

    if not _PRODUCTION:
        _PRODUCTION.update(hasher=accounts.hasher, dummy=accounts._DUMMY_HASH)
        accounts.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1,
                                         type=Type.ID)
        accounts._DUMMY_HASH = accounts.hasher.hash("not anyone's password")


@pytest.fixture
def production_hashing(monkeypatch):
    """Hash passwords with the register's own argon2id parameters in this test."""
    from services import accounts

    monkeypatch.setattr(accounts, "hasher", _PRODUCTION["hasher"])
    monkeypatch.setattr(accounts, "_DUMMY_HASH", _PRODUCTION["dummy"])
    return _PRODUCTION["hasher"]


def pytest_generate_tests(metafunc):
    if "db_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_kind", databases_of(metafunc.definition), scope="session")


def databases_of(test):
    """Return the databases ``test`` runs on: every one, but a browser test runs on one,
    half of them on each database by their names' hash (what a page shows does not depend
    on the database, and every test without a browser runs on both), unless it is marked
    ``both_databases``. Without PostgreSQL to test on, all on SQLite."""
    if (test.get_closest_marker("browser") is None
            or test.get_closest_marker("both_databases") is not None
            or len(DATABASES) == 1 or not os.environ.get("TEST_DATABASE_URL")):
        return DATABASES
    return [DATABASES[zlib.crc32(test.nodeid.encode("utf-8")) % len(DATABASES)]]


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
        migrated_postgres(url)
    yield url
    if not db.is_closed():
        db.close()


class TemplateCodeCache(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the whole test process.

    Every test has an app of its own, and each app's Jinja environment would compile every
    template it renders again: a third of a short test's time. Jinja checks each template's
    source against its checksum before using the code kept here.
    """

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCodeCache()


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    """The register, on a fresh database, with a private instance folder."""
    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(tmp_path / "instance"))
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test"})
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
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


# A command-line run in its own process keeps the tests' clock: with REGISTER_TEST_CLOCK
# set, the child starts its clock where the parent's is now (a date typed from the moved
# clock would otherwise be "in the future" to a child on the real one).
_CLOCKED_FLASK = ("import sys, datetime, time_machine; "
                  "time_machine.travel(datetime.datetime.fromisoformat(sys.argv.pop(1)), "
                  "tick=True).start(); "
                  "from flask.cli import main; sys.argv[0] = 'flask'; main()")


def flask_command(*args):
    """Return the argument list that runs ``flask --app app ARGS`` in a new process."""
    if not TEST_CLOCK:
        return [sys.executable, "-m", "flask", "--app", "app", *args]
    now = utcnow().replace(tzinfo=datetime.timezone.utc).isoformat()
    return [sys.executable, "-c", _CLOCKED_FLASK, now, "--app", "app", *args]


def helsinki_days_ago(days, hour=9, minute=30):
    """Return the Helsinki wall-clock time (naive) ``days`` before the register's today, at
    ``hour``:``minute``: a past time for a test's form or row, counted back from the clock,
    so that the test does not depend on the day it was written."""
    day = helsinki_today() - datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def typed(moment):
    """Return ``moment`` as a person types it into a time field ("2026-11-25T14:30")."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def informed(prefix="", how="in_person"):
    """Return the informing record a new customer's form (or, with ``prefix`` such as
    "contact_persons-0-", its contact person row) must carry (seed §13): informed now."""
    return {f"{prefix}informed_how": how, f"{prefix}informed_at": typed_now(minutes_ago=1)}


def csrf_token(html):
    """Return the CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, username, password=PASSWORD, follow=False, next=None, address=None):
    """Log in through the real login form, as from ``address`` and asked with ``next`` when
    given; return the answer to the form."""
    sent = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    page = client.get("/login", query_string={"next": next} if next is not None else None,
                      **sent)
    assert page.status_code == 200, f"the login page answered {page.status_code}, next={next!r}"
    form = {"username": username, "password": password,
            "csrf_token": csrf_token(page.get_data(as_text=True))}
    if next is not None:
        form["next"] = next
    return client.post("/login", data=form, follow_redirects=follow, **sent)


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, **options):
        """Log in through the form; return its answer (``login`` above tells the options)."""
        return login(self.client, username, password, **options)

    def login_as(self, username, switch=False, language=None, token_from=None):
        """Log in as ``username`` and assert that it succeeded.

        ``switch`` logs out whoever was logged in first; ``language`` then switches the
        pages to it; ``token_from`` names a page to return a CSRF token from.
        """
        if switch and self.client.get("/").status_code == 200:
            self.logout()
        assert self.login(username).status_code == 302, f"{username} could not log in"
        if language:
            self.client.post("/language", data={"lang": language, "next": "/",
                                                "csrf_token": self.token()})
        return self.token(token_from) if token_from else None

    def token(self, path="/"):
        """Return a CSRF token of this session, from the page at ``path``."""
        return csrf_token(self.client.get(path).get_data(as_text=True))

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.token()})


def new_session(app, username):
    """Return a test client of its own (another browser) logged in as ``username``."""
    client = app.test_client()
    AuthActions(client).login_as(username)
    return client


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


@pytest.fixture
def logged_in_user(make_user, auth):
    """Create an account and log the test client in as it: logged_in_user("anna", "staff",
    ["tourism"]) returns the account."""

    def make(username, role, sections=()):
        user = make_user(username, role, sections)
        auth.login_as(username)
        return user

    return make


# The accounts the tests log in as: username → role and sections. A test module lists the
# ones it needs, in order, in PEOPLE; the `people` fixture creates them.
ACCOUNTS = {
    "staff_t": ("staff", ["tourism"]),
    "staff_b": ("staff", ["business"]),
    "handler_t": ("handler", ["tourism"]),
    "handler_b": ("handler", ["business"]),
    "controller": ("controller", []),
    "responsible": ("responsible", []),
    "maint": ("maintenance", []),
    # The same roles by first name, as the access and disclosure tests know them.
    "eero": ("controller", []),
    "nyrki": ("responsible", []),
    "tuulikki": ("handler", ["tourism"]),
    "susanna": ("handler", ["business"]),
    "anna": ("staff", ["tourism"]),
    "ylla": ("maintenance", []),
}


@pytest.fixture
def people(request, app):
    """Create the accounts named in the test module's PEOPLE, as make_user does but in one
    transaction; return them by username, each as read back from the database."""
    from services import accounts

    names = getattr(request.module, "PEOPLE", None)
    assert names, f"{request.module.__name__} uses `people` but lists no PEOPLE"
    with app.app_context(), db.atomic():
        made = {name: accounts.create_user(name, *ACCOUNTS[name], password=PASSWORD,
                                           must_change=False)[0] for name in names}
        return {name: User.get_by_id(user.id) for name, user in made.items()}


def user(username):
    """Return the account with this username, as it is in the database now."""
    return User.by_username(username)


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
