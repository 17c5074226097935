"""Backups (seed §11): taken while the register writes, verified, rotated, restored into a
new database and drilled; the scheduler, the commands and the status page."""

import datetime
import fcntl
import hashlib
import json
import os
import pathlib
import threading
import time

import click
import pytest

import database
from admin_views import backup as backup_views
from models import AuditEvent, Customer, Section, db, utcnow
from services import audit
from services import backup
from services.backup import create as taking
from tests.conftest import csrf_token
from tests.postgres import retire_database

@pytest.fixture
def settings(db_url, tmp_path):
    """Backup settings for the test database, into a private folder."""
    return backup.Settings(db_url, tmp_path / "backups")


@pytest.fixture
def restore_url(db_kind, db_url, tmp_path):
    """A database that does not exist yet (on PostgreSQL moved out of the way afterwards,
    and dropped at the end of the run)."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    live = backup.Target.parse(db_url)
    target = live.with_database(live.database + "_restored")
    retire_database(db_url, target.database)
    yield target.url
    retire_database(db_url, target.database)


def add_customers(count, start=0):
    """Create customers as the register does: each with its audit event, in one transaction."""
    section = Section.get(Section.code == "tourism")
    for i in range(start, start + count):
        with database.write_transaction():
            customer = Customer.create(section=section, kind="company", name=f"Yritys {i} Oy")
            audit.record("create", object_type="customer", object_id=customer.id,
                         section="tourism", fields=["name"])


def counts():
    return Customer.select().count(), AuditEvent.select().count()


# --- a backup while the register writes, restored --------------------------------------


def test_backup_while_writing_restores_to_the_manifests_counts(settings, restore_url):
    add_customers(20)
    written, stop, errors = [20], threading.Event(), []

    def writer():
        try:
            db.connect(reuse_if_open=True)  # peewee: one connection per thread
            while not stop.is_set():
                add_customers(1, start=written[0])
                written[0] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 40:
            time.sleep(0.01)
        taken = backup.create_backup(settings)
        after_backup = written[0]
        while written[0] < after_backup + 10:  # the register goes on writing
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert taken.good, taken.manifest["error"]
    recorded = taken.tables["customer"]
    assert 40 <= recorded < written[0]
    # The snapshot is one moment: every customer in it has its audit event in it too.
    assert taken.tables["audit_event"] == recorded
    assert taken.manifest["audit_head"]["last_id"] == recorded

    report = backup.restore(settings, taken.name, restore_url)
    assert report.ok, report.problems
    restored = {table: n for table, _recorded, n in report.tables}
    assert restored == taken.tables
    assert restored["customer"] == recorded < counts()[0]
    assert report.integrity == "ok" and report.audit_checked == recorded

    # The restored database is the register of that moment, its audit chain intact.
    database.open_database(restore_url)
    try:
        assert audit.verify() == (True, None, recorded)
        assert Customer.select().count() == recorded
    finally:
        db.close()
        database.open_database(settings.database_url)  # and let go of the restored one


def test_backup_files_are_private_and_described(settings, db_kind):
    add_customers(3)
    taken = backup.create_backup(settings)
    assert taken.good and taken.kind == db_kind
    assert taken.path.suffix == (".sqlite3" if db_kind == "sqlite" else ".pgdump")
    assert settings.directory.stat().st_mode & 0o777 == 0o700
    for path in (taken.path, taken.manifest_path):
        assert path.stat().st_mode & 0o777 == 0o600
    manifest = json.loads(taken.manifest_path.read_text())
    assert manifest["tables"]["customer"] == 3 and manifest["size"] == taken.path.stat().st_size
    assert len(manifest["sha256"]) == 64 and manifest["verification"].endswith(
        "ok" if db_kind == "sqlite" else "tables")
    assert "password" not in taken.manifest_path.read_text()


# --- corrupted backups ------------------------------------------------------------------


def flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    path.write_bytes(bytes(data))


def test_a_corrupted_backup_is_detected_and_refused(settings, restore_url, runner):
    add_customers(3)
    taken = backup.create_backup(settings)
    assert backup.verify_backup(settings, taken.name)[1] == []
    flip_bytes(taken.path)

    _found, problems = backup.verify_backup(settings, taken.name)
    assert [message for message, _params in problems] == [
        "The backup %(name)s is corrupted: its checksum does not match the one recorded when "
        "it was taken. Use another backup (flask --app app backup list)."]
    with pytest.raises(backup.BackupError, match="corrupted"):
        backup.restore(settings, taken.path, restore_url)
    assert not backup.Target.parse(restore_url).exists()

    drill = backup.drill(settings)
    assert not drill["ok"] and "corrupted" in drill["problems"][0][0]
    assert backup.status(settings)["last_drill"]["ok"] is False


@pytest.mark.clock
def test_a_backup_that_fails_verification_keeps_the_good_ones(settings, monkeypatch):
    good = backup.create_backup(settings)

    def broken(*args):
        raise backup.BackupError("The integrity check of the copy failed: %(error)s",
                                 error="simulated")

    monkeypatch.setattr(taking, "verify_sqlite_file", broken)
    monkeypatch.setattr(taking, "verify_pgdump_file", broken)
    later = utcnow() + datetime.timedelta(hours=1)
    failed = backup.create_backup(settings, now=later)
    assert failed.state == "failed" and failed.error[1] == {"error": "simulated"}
    names = [b.name for b in backup.list_backups(settings)]
    assert names == [failed.name, good.name]
    status = backup.status(settings, now=later)
    assert status["last_good"]["name"] == good.name
    assert status["last_failed"]["name"] == failed.name
    assert backup.newest_good(settings).name == good.name


# --- restore: never over the live database without --force ------------------------------


def test_restore_refuses_the_live_and_existing_databases(settings, db_url, restore_url):
    taken = backup.create_backup(settings)
    with pytest.raises(backup.BackupError, match="--force") as refused:
        backup.restore(settings, taken.name, db_url)
    assert "live database" in str(refused.value)
    assert backup.restore(settings, taken.name, restore_url).ok
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.restore(settings, taken.name, restore_url)
    assert backup.restore(settings, taken.name, restore_url, force=True).ok


def test_forced_restore_over_the_live_database(settings, db_url):
    add_customers(5)
    taken = backup.create_backup(settings)
    add_customers(3, start=5)
    assert counts() == (8, 8)
    db.close()
    report = backup.restore(settings, taken.name, db_url, force=True)
    assert report.ok, report.problems
    database.open_database(db_url)
    assert counts() == (5, 5)
    assert audit.verify() == (True, None, 5)


def test_restore_of_a_sqlite_backup_refuses_a_postgresql_target(tmp_path):
    live = tmp_path / "live.db"
    database.open_database(f"sqlite:///{live}")
    database.upgrade()
    db.close()
    settings = backup.Settings(f"sqlite:///{live}", tmp_path / "backups")
    taken = backup.create_backup(settings)
    with pytest.raises(backup.BackupError, match="cannot be restored into a postgresql"):
        backup.restore(settings, taken.name, "postgresql://u:secret@localhost/other")
    with pytest.raises(backup.BackupError, match="no backup"):
        backup.restore(settings, "register-19990101T000000Z", f"sqlite:///{tmp_path / 'x.db'}")
    backup.drill(settings)
    with pytest.raises(backup.BackupError, match="cannot be read"):  # not a backup
        backup.restore(settings, settings.directory / "drill-log.json", tmp_path / "x.db")
    # A manifest naming a file elsewhere is no backup: nothing outside is read or rotated.
    outside = json.loads(taken.manifest_path.read_text())
    outside.update(name="register-20000101T000000Z", file="../live.db")
    (settings.directory / "register-20000101T000000Z.json").write_text(json.dumps(outside))
    assert [b.name for b in backup.list_backups(settings)] == [taken.name]
    with pytest.raises(backup.BackupError, match="cannot be read"):
        backup.restore(settings, "register-20000101T000000Z", tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


# --- the drill --------------------------------------------------------------------------


def test_drill_compares_with_the_manifest_and_reports_live_counts(settings, db_kind, db_url):
    add_customers(4)
    taken = backup.create_backup(settings)
    add_customers(2, start=4)
    entry = backup.drill(settings)
    assert entry["ok"], entry["problems"]
    assert entry["backup"] == taken.name and entry["audit_checked"] == 4
    rows = {table: (recorded, restored, live) for table, recorded, restored, live
            in entry["tables"]}
    assert rows["customer"] == (4, 4, 6)
    assert rows["section"] == (2, 2, 2)
    # The scratch database is gone, the log kept.
    if db_kind == "postgresql":
        live = backup.Target.parse(db_url)
        assert not live.with_database(live.database + "_drill").exists()
    else:
        assert [p.name for p in settings.directory.iterdir() if p.name.startswith(".drill")] == []
    log = backup.drill_log(settings)
    assert log[0]["backup"] == taken.name and log[0]["ok"]
    status = backup.status(settings)
    assert status["last_drill"]["ok"] and status["last_drill"]["backup"] == taken.name


# --- rotation (no database needed) ------------------------------------------------------


def fabricate(settings, moments, state="good"):
    """Write backups (manifest and a small data file) taken at the given UTC moments."""
    checksum = hashlib.sha256(b"x").hexdigest()
    settings.directory.mkdir(exist_ok=True)
    names = []
    for moment in moments:
        name = "register-" + moment.strftime("%Y%m%dT%H%M%SZ")
        data = settings.directory / (name + ".sqlite3")
        data.write_bytes(b"x")
        manifest = {"name": name, "file": data.name, "kind": "sqlite", "state": state,
                    "created_at": moment.isoformat(), "size": 1, "sha256": checksum,
                    "tables": {"customer": 1}}
        (settings.directory / (name + ".json")).write_text(json.dumps(manifest))
        names.append(name)
    return names


def utc(*args):
    return datetime.datetime(*args)


def kept_days(settings):
    return sorted(b.created_at.date().isoformat() for b in backup.list_backups(settings))


@pytest.mark.clock
def test_rotation_keeps_7_daily_4_weekly_12_monthly(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups")
    start = datetime.date(2025, 10, 1)
    days = [start + datetime.timedelta(days=n) for n in range(421)]  # to 2026-11-25
    assert days[-1] == datetime.date(2026, 11, 25)
    # One backup a day at 03:00 Helsinki time, and an earlier one on the last day.
    fabricate(settings, [utc(d.year, d.month, d.day, 1) for d in days])
    fabricate(settings, [utc(2026, 11, 25, 0, 30)])
    stray = settings.directory / "register-notes.sqlite3"  # no manifest: never touched
    stray.write_bytes(b"x")
    now = utc(2026, 11, 25, 12)

    removed = backup.rotate(settings, now=now)

    assert kept_days(settings) == [
        # monthly: the newest of each of the last 12 months (Dec 2025 … Nov 2026)
        "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31",
        "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
        # weekly: the newest of the weeks starting 2 and 9 November (later weeks: daily)
        "2026-11-08", "2026-11-15",
        # daily: the last 7 days, the newest of each
        "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24",
        "2026-11-25",
    ]
    assert [b.created_at for b in backup.list_backups(settings)][0] == utc(2026, 11, 25, 1)
    assert len(removed) == 422 - 20
    assert stray.exists()
    assert len(list(settings.directory.glob("register-2*.sqlite3"))) == 20


@pytest.mark.clock
def test_rotation_days_are_helsinki_days(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups", keep_daily=2,
                               keep_weekly=0, keep_monthly=0)
    # 23:30 and 00:30 Helsinki time: one UTC day, two Helsinki days.
    fabricate(settings, [utc(2026, 11, 23, 21, 30), utc(2026, 11, 23, 22, 30),
                         utc(2026, 11, 21, 12)])
    assert backup.rotate(settings, now=utc(2026, 11, 24, 10)) == ["register-20261121T120000Z"]
    assert len(backup.list_backups(settings)) == 2


@pytest.mark.clock
def test_rotation_never_removes_the_newest_good_backup(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups", keep_daily=0,
                               keep_weekly=0, keep_monthly=0)
    old = fabricate(settings, [utc(2023, 1, 1), utc(2023, 1, 2)])
    failed_before = fabricate(settings, [utc(2022, 12, 31)], state="failed")
    failed_after = fabricate(settings, [utc(2023, 1, 3)], state="failed")
    removed = backup.rotate(settings, now=utc(2026, 11, 25))
    assert sorted(removed) == sorted([old[0], failed_before[0]])
    assert [b.name for b in backup.list_backups(settings)] == [failed_after[0], old[1]]


@pytest.mark.clock
def test_backups_expire_by_follows_the_policy(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups")
    assert backup.backups_expire_by(settings) is None
    fabricate(settings, [utc(2026, 11, 25, 12), utc(2026, 6, 1, 12)])
    # The newest one: its month (November 2026) leaves the 12 months at the start of
    # November 2027 in Helsinki (22:00 UTC the day before); the next backup's rotation
    # removes it, one interval later.
    assert backup.backups_expire_by(settings, now=utc(2026, 11, 25, 13)) == utc(2027, 11, 1, 22)
    shorter = backup.Settings("sqlite:///unused.db", settings.directory, interval_hours=6,
                              keep_daily=7, keep_weekly=0, keep_monthly=0)
    now = utc(2026, 11, 25, 13)
    assert backup.backups_expire_by(shorter, now=now) == utc(2026, 12, 2, 4)  # 2 Dec EET + 6 h
    # Backups past their periods go at the next rotation, one interval from now at most.
    later = utc(2027, 3, 1)
    assert backup.backups_expire_by(shorter, now=later) == later + datetime.timedelta(hours=6)


def test_status_is_late_after_twice_the_interval(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups")
    assert backup.status(settings)["late"] and backup.status(settings)["last_good"] is None
    fabricate(settings, [utc(2026, 11, 25, 0)])
    on_time = backup.status(settings, now=utc(2026, 11, 26, 23))
    assert not on_time["late"] and on_time["last_good"]["age"] == datetime.timedelta(hours=47)
    assert backup.status(settings, now=utc(2026, 11, 27, 1))["late"]


# --- the scheduler -------------------------------------------------------------------------


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.clock
def test_scheduler_takes_a_backup_when_due(settings):
    clock = Clock(utc(2026, 11, 25, 12))
    scheduler = backup.Scheduler(settings, clock=clock, tick=0.02).start()
    try:
        assert wait_for(lambda: len(backup.list_backups(settings)) == 1)
        first = backup.list_backups(settings)[0]
        assert first.good and first.created_at == utc(2026, 11, 25, 12)
        clock.now += datetime.timedelta(hours=23)
        time.sleep(0.3)  # many ticks: not due yet
        assert len(backup.list_backups(settings)) == 1
        clock.now += datetime.timedelta(hours=1)
        assert wait_for(lambda: len(backup.list_backups(settings)) == 2)
        assert backup.list_backups(settings)[0].created_at == utc(2026, 11, 26, 12)
    finally:
        scheduler.stop()
    assert not scheduler.running


def test_scheduler_skips_while_another_process_backs_up(settings):
    settings.directory.mkdir(mode=0o700)
    scheduler = backup.Scheduler(settings, clock=Clock(utc(2026, 11, 25, 12)))
    fd = os.open(settings.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another process taking a backup would
        assert scheduler.run_once() is None
        assert backup.backups_expire_by(settings, now=utc(2026, 11, 25, 12)) is not None
        with pytest.raises(backup.BackupBusy):
            backup.create_backup(settings, wait=0)
    finally:
        os.close(fd)
    assert backup.list_backups(settings) == []
    assert scheduler.run_once().good


def test_scheduler_is_off_under_testing_and_starts_once(db_url, tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("REGISTER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test"})
    config = backup_views.settings(app)
    assert backup.running_scheduler(config) is None
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test",
                      "BACKUP_SCHEDULE": True, "BACKUP_INTERVAL_HOURS": 1000})
    try:
        scheduler = backup.running_scheduler(config)
        assert scheduler is not None
        assert backup_views.init_app(app) is scheduler  # a second start is the same one
        assert wait_for(lambda: len(backup.list_backups(config)) == 1)
    finally:
        backup.stop_scheduler(config)


def test_scheduler_starts_only_where_requests_are_served(monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert backup_views._serving()  # a WSGI server: no command line context
    with click.Context(click.Command("upgrade")):
        assert not backup_views._serving()
    run = click.Context(click.Command("run"))
    run.params = {"reload": True}
    with run:
        assert not backup_views._serving()  # the reloader's watching process
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert backup_views._serving()
    run.params = {"reload": False}
    with run:
        assert backup_views._serving()


# --- the commands ------------------------------------------------------------------------


def test_cli_create_list_verify_restore_drill_status(runner, app, restore_url):
    add_customers(2)
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    assert "taken" in result.output
    config = backup_views.settings(app)
    name = backup.list_backups(config)[0].name
    assert config.directory == pathlib.Path(app.instance_path) / "backups"

    listing = runner.invoke(args=["backup", "list"])
    assert listing.exit_code == 0 and name in listing.output and "good" in listing.output
    assert runner.invoke(args=["backup", "verify", name]).exit_code == 0

    refused = runner.invoke(args=["backup", "restore", name, "--to", app.config["DATABASE_URL"]])
    assert refused.exit_code == 1 and "--force" in refused.output
    restored = runner.invoke(args=["backup", "restore", name, "--to", restore_url])
    assert restored.exit_code == 0, restored.output
    assert "restore verified" in restored.output and "customer" in restored.output
    if "postgresql" in restore_url:
        assert "register:register@" not in restored.output  # the password is not printed

    drill = runner.invoke(args=["backup", "drill"])
    assert drill.exit_code == 0, drill.output
    assert f"restore drill of {name}: ok" in drill.output
    status = runner.invoke(args=["backup", "status"])
    assert status.exit_code == 0, status.output
    assert name in status.output and "last drill" in status.output

    flip_bytes(backup.list_backups(config)[0].path)
    corrupted = runner.invoke(args=["backup", "verify", name])
    assert corrupted.exit_code == 1 and "FAILED" in corrupted.output
    failed_drill = runner.invoke(args=["backup", "drill"])
    assert failed_drill.exit_code == 1
    assert runner.invoke(args=["backup", "status"]).exit_code == 1  # the last drill failed


def test_cli_failures_say_what_to_do(runner, app):
    drill = runner.invoke(args=["backup", "drill"])
    assert drill.exit_code == 1 and "backup create" in drill.output
    status = runner.invoke(args=["backup", "status"])
    assert status.exit_code == 1 and "LATE" in status.output
    missing = runner.invoke(args=["backup", "verify", "register-19990101T000000Z"])
    assert missing.exit_code == 1 and "backup list" in missing.output
    config = backup_views.settings(app)
    fabricate(config, [utc(2020, 1, 1)])
    late = runner.invoke(args=["backup", "status"])
    assert late.exit_code == 1 and "LATE" in late.output


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["maintenance", "responsible", "controller"])
def test_status_page_for_maintenance_responsible_controller(client, auth, make_user, app, role):
    make_user("huolto", role)
    taken = backup.create_backup(backup_views.settings(app))
    auth.login("huolto")
    page = client.get("/backups/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert taken.name in html and "Varmuuskopiot" in html
    assert "myöhässä" not in html
    front = client.get("/").get_data(as_text=True)
    assert 'href="/backups/"' in front  # in the menu
    assert 'id="backup-status-heading"' in front  # and the status on the front page


def test_front_page_shows_no_backup_status_to_staff(client, auth, make_user, app):
    make_user("tiina", "staff", ["tourism"])
    auth.login("tiina")
    assert 'id="backup-status-heading"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role, sections", [("staff", ["tourism"]), ("handler", ["tourism"])])
def test_status_page_refused_to_other_roles(client, auth, make_user, role, sections):
    make_user("anna", role, sections)
    auth.login("anna")
    assert client.get("/backups/").status_code == 403
    assert client.post("/backups/drill", data={"csrf_token": csrf_token(
        client.get("/").get_data(as_text=True))}).status_code == 403
    assert 'href="/backups/"' not in client.get("/").get_data(as_text=True)


def test_status_page_needs_login(client):
    assert client.get("/backups/").status_code == 302


def test_drill_button_runs_an_audited_drill(client, auth, make_user, app):
    make_user("huolto", "maintenance")
    config = backup_views.settings(app)
    taken = backup.create_backup(config)
    auth.login("huolto")
    html = client.get("/backups/").get_data(as_text=True)
    assert client.post("/backups/drill").status_code == 400  # no CSRF token
    response = client.post("/backups/drill", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert backup.drill_log(config)[0]["backup"] == taken.name
    html = client.get("/backups/").get_data(as_text=True)
    assert "palautusharjoitus onnistui" in html  # the flash
    assert "Viimeisin palautusharjoitus" in html
    event = AuditEvent.select().where(AuditEvent.action == "backup_drill").get()
    assert (event.object_type, event.object_id, event.actor_role) == (
        "backup", taken.name, "maintenance")


def test_panel_says_late_in_words(client, auth, make_user, app):
    user = make_user("huolto", "maintenance")
    fabricate(backup_views.settings(app), [utc(2020, 1, 1)])
    auth.login("huolto")
    html = client.get("/backups/").get_data(as_text=True)
    assert "myöhässä" in html and "text-danger" in html
    with app.test_request_context():
        assert backup_views.panel_status(user)["late"]
        staff = make_user("anna", "staff", ["tourism"])
        assert backup_views.panel_status(staff) is None
