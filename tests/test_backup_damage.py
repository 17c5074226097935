"""Backups changed, damaged or left half-made (seed §11): a manifest changed by hand or by
a fault names no other file and fails no page or command; a drill log entry the same;
what a crash leaves is removed by the next backup; a restore never destroys a backup; odd
targets, settings and times give clean errors."""

import datetime
import fcntl
import hashlib
import json
import logging
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

import database
from admin_views import backup as backup_views
from models import db, utcnow
from services import audit, backup
from services.backup import drills
from services.backup.files import write_private
from services.backup.manifest import CLOCK_AHEAD
from tests.conftest import csrf_token
from tests.test_backup import add_customers, fabricate, utc

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(db_url, tmp_path):
    """Backup settings for the test database, into a private folder."""
    return backup.Settings(db_url, tmp_path / "backups")


@pytest.fixture
def sqlite_only(db_kind):
    """Skip on PostgreSQL: a SQLite file is read, or drill buttons are pressed at once (on
    PostgreSQL drills take turns on the one scratch database ``<live>_drill``)."""
    if db_kind != "sqlite":
        pytest.skip("SQLite only")


def change_manifest(taken, **changes):
    """Rewrite the manifest of ``taken`` with ``changes`` (a key set to ... is removed)."""
    manifest = json.loads(taken.manifest_path.read_text())
    manifest.update(changes)
    manifest = {key: value for key, value in manifest.items() if value is not ...}
    taken.manifest_path.write_text(json.dumps(manifest))


def no_traceback(result):
    """Assert that a command ended cleanly: an exit code, no exception escaping click."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception), result.output)
    assert "Traceback" not in result.output


# --- a manifest names only its own backup's file -------------------------------------------


@pytest.mark.parametrize("other", ["newest", "drill-log.json", ".lock", ""])
def test_rotation_removes_no_file_a_changed_manifest_names(settings, other):
    add_customers(1)
    old = backup.create_backup(settings, now=utc(2026, 11, 23, 12))
    newest = backup.create_backup(settings, now=utc(2026, 11, 24, 12))
    backup.drill(settings)
    named = newest.path.name if other == "newest" else other
    change_manifest(old, file=named)

    assert [b.name for b in backup.list_backups(settings)] == [newest.name]
    one_day = backup.Settings(settings.database_url, settings.directory, keep_daily=1,
                              keep_weekly=0, keep_monthly=0)
    backup.rotate(one_day, now=utc(2026, 11, 24, 13))  # would rotate `old` out, if read

    assert newest.path.exists() and (settings.directory / "drill-log.json").exists()
    assert (settings.directory / ".lock").exists()
    assert old.path.exists() and old.manifest_path.exists()  # unreadable: never rotated


def test_a_manifest_copied_aside_is_no_backup(settings):
    add_customers(1)
    old = backup.create_backup(settings, now=utc(2026, 11, 23, 12))
    newest = backup.create_backup(settings, now=utc(2026, 11, 24, 12))
    copy = json.loads(newest.manifest_path.read_text())
    copy["created_at"] = "2019-01-01T00:00:00"
    (settings.directory / "register-keep.json").write_text(json.dumps(copy))

    one_day = backup.Settings(settings.database_url, settings.directory, keep_daily=1,
                              keep_weekly=0, keep_monthly=0)
    backup.rotate(one_day, now=utc(2026, 11, 24, 13))

    assert newest.path.exists() and not old.path.exists()
    assert [b.name for b in backup.list_backups(settings)] == [newest.name]


def test_an_encrypted_manifest_said_plain_is_no_backup(app, tmp_path):
    app.config["BACKUP_KEY"] = backup.new_key()
    config = backup_views.settings(app)
    taken = backup.create_backup(config)
    change_manifest(taken, encrypted=False)
    assert backup.list_backups(config) == []
    with pytest.raises(backup.BackupError, match="cannot be read"):
        backup.restore(config, taken.name, tmp_path / "restored.db")
    assert not (tmp_path / "restored.db").exists()


# --- a changed manifest fails no page or command --------------------------------------------


CHANGES = [
    {"created_at": "2026-11-24T12:00:00+00:00"}, {"created_at": "yesterday"},
    {"size": "12"}, {"size": None}, {"size": -1}, {"size": 1e30}, {"size": ...},
    {"tables": [1, 2]}, {"tables": {"customer": "3"}}, {"tables": None}, {"tables": ...},
    {"sha256": None}, {"sha256": 5}, {"sha256": "abc"}, {"sha256": ...},
    {"offsite": "yes"}, {"offsite": {"verified": True}},
    {"offsite": {"verified": False, "error": {"message": "%(folder)s", "params": {"x": 1}}}},
    {"error": "boom"}, {"error": {"msg": 1}},
    {"error": {"message": "The backup failed unexpectedly: %(error)s", "params": {"x": 1}}},
    {"encrypted": "no"}, {"kind": "oracle"}, {"kind": "postgresql"}, {"state": "GOOD"},
    {"verification": ["x"]}, {"audit_head": "x"}, {"audit_head": {"last_id": "x"}},
    {"name": "../../etc/x"}, {"name": "x\ny"}, {"file": "../register.db"},
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: json.dumps(c, default=str)[:48])
def test_a_changed_manifest_is_skipped_and_logged(settings, caplog, change):
    fabricate(settings, [utc(2026, 11, 23, 12)])
    [name] = fabricate(settings, [utc(2026, 11, 24, 12)])
    taken = backup.list_backups(settings)[0]
    assert taken.name == name
    change_manifest(taken, **change)

    with caplog.at_level(logging.WARNING, logger="register.backup"):
        listed = backup.list_backups(settings)
    assert [b.name for b in listed] == ["register-20261123T120000Z"]
    assert f"unreadable backup manifest {taken.manifest_path}" in caplog.text
    with pytest.raises(backup.BackupError, match="cannot be read"):
        backup.verify_backup(settings, name)
    status = backup.status(settings, now=utc(2026, 11, 24, 13))
    assert status["last_good"]["name"] == "register-20261123T120000Z"


def test_a_changed_manifest_fails_no_command_and_no_page(app, runner, client, auth, make_user,
                                                        tmp_path):
    config = backup_views.settings(app)
    add_customers(2)
    backup.create_backup(config, now=utc(2026, 11, 23, 12))
    make_user("huolto", "maintenance")
    auth.login("huolto")
    for number, change in enumerate(CHANGES):
        taken = backup.create_backup(config)
        change_manifest(taken, **change)
        commands = [["backup", "list"], ["backup", "status"], ["backup", "verify", taken.name],
                    ["backup", "restore", taken.name, "--to", str(tmp_path / "r.db")]]
        # A drill restores the last good backup whatever was changed: a few of them do.
        commands += [["backup", "drill"]] if number % 8 == 0 else []
        for args in commands:
            no_traceback(runner.invoke(args=args))
        assert not (tmp_path / "r.db").exists()
        assert client.get("/backups/").status_code == 200, change
        assert client.get("/").status_code == 200, change
        taken.manifest_path.unlink()  # the next one on its own


@pytest.mark.parametrize("entry", [
    "x", None, [], {}, {"at": "2026-11-24T12:00:00+02:00", "ok": True, "problems": [],
                        "tables": []},
    {"at": "2026-11-24T12:00:00", "ok": "yes", "problems": [], "tables": []},
    {"at": "2026-11-24T12:00:00", "ok": False, "problems": ["boom"], "tables": []},
    {"at": "2026-11-24T12:00:00", "ok": False, "problems": [["%(error)s", {}]],
     "tables": [["customer", "3", 3, 3]]},
    {"at": "2026-11-24T12:00:00", "ok": True, "problems": [], "tables": [["customer", 3]]},
    {"at": "2026-11-24T12:00:00", "ok": True, "problems": [], "tables": [],
     "source": "moon"},
], ids=lambda e: json.dumps(e)[:40])
def test_a_changed_drill_log_entry_is_skipped(app, client, auth, make_user, runner, caplog,
                                              entry):
    config = backup_views.settings(app)
    add_customers(1)
    backup.create_backup(config)
    good = backup.drill(config)
    log_path = config.directory / backup.DRILL_LOG
    log_path.write_text(json.dumps(json.loads(log_path.read_text()) + [entry]))

    with caplog.at_level(logging.WARNING, logger="register.backup"):
        assert backup.drill_log(config) == [good]
    assert "unreadable entry of the drill log" in caplog.text
    assert backup.status(config)["last_drill"]["at"].isoformat() == good["at"]
    assert backup.last_passed_drill(config).isoformat() == good["at"]
    no_traceback(runner.invoke(args=["backup", "status"]))
    make_user("vastaava", "responsible")
    auth.login("vastaava")
    assert client.get("/backups/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/duties/").status_code == 200


# --- a restore never destroys a backup; odd targets are refused cleanly ---------------------


def test_a_restore_into_a_backups_own_files_or_folder_is_refused(settings, tmp_path, runner,
                                                                 app):
    add_customers(2)
    (tmp_path / "offsite").mkdir()
    settings = backup.Settings(settings.database_url, settings.directory,
                               offsite=tmp_path / "offsite")
    taken = backup.create_backup(settings)
    kept = {path: path.read_bytes() for path in settings.directory.glob("register-*")}
    link = tmp_path / "link.sqlite3"
    link.hardlink_to(taken.path)
    inside = [taken.path, f"sqlite:///{taken.path}", taken.manifest_path, link,
              settings.directory / "new.db", settings.directory / ".drill-x" / "drill.db",
              tmp_path / "offsite" / taken.path.name, tmp_path / "offsite" / "new.db"]
    for target in inside:
        with pytest.raises(backup.BackupError, match="destroy") as refused:
            backup.restore(settings, taken.name, target, force=True)
        assert "outside the backup folders" in str(refused.value)
    assert {path: path.read_bytes() for path in settings.directory.glob("register-*")} == kept
    assert backup.verify_backup(settings, taken.name)[1] == []

    config = backup_views.settings(app)  # the command the same
    cli_taken = backup.create_backup(config)
    result = runner.invoke(args=["backup", "restore", cli_taken.name, "--to",
                                 str(cli_taken.path), "--force"])
    no_traceback(result)
    assert result.exit_code == 1 and "tuhoaisi varmuuskopion" in result.output  # in Finnish
    assert backup.verify_backup(config, cli_taken.name)[1] == []


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("target, refusal", [
    ("", "No database file"), (".", "is a folder"), ("/", "is a folder"),
    ("/tmp", "is a folder"), ("/tmp/", "is a folder"), ("sqlite:////tmp", "is a folder"),
    ("x" * 300, "longer than"), ("sqlite:///" + "x" * 5000, "longer than"),
    ("/tmp/" + "x/" * 2100 + "r.db", "longer than"),
    ("a\x00b.db", "NUL"), ("sqlite:///a\x00b.db", "NUL"), ("sqlite:///%00", "NUL"),
], ids=lambda value: repr(value)[:20])
def test_an_odd_restore_target_is_refused_cleanly(app, runner, tmp_path, monkeypatch, target,
                                                  refusal, force):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("mine")
    config = backup_views.settings(app)
    taken = backup.create_backup(config)
    with pytest.raises(backup.BackupError, match=refusal):
        backup.restore(config, taken.name, target, force=force)
    result = runner.invoke(args=["backup", "restore", taken.name, "--to", target]
                           + (["--force"] if force else []))
    no_traceback(result)
    # A NUL typed on the command line is the command's usage error (cli/base.Text).
    assert result.exit_code == (2 if "\x00" in target else 1) and "Error" in result.output
    assert (tmp_path / "mine.txt").read_text() == "mine"
    assert backup.verify_backup(config, taken.name)[1] == []


# --- what a process that died left is removed by the next backup ----------------------------


CRASH = """
import importlib, os, signal, sys
module, name, after = sys.argv[1], sys.argv[2], sys.argv[3] == "after"
target = importlib.import_module(module)
original = getattr(target, name)
def crash(*args, **kwargs):
    if after:
        original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(target, name, crash)
from flask.cli import main
sys.argv = ["flask", "--app", "app", *sys.argv[4:]]
main()
"""


def run_killed(app, module, name, after, *args):
    """Run ``flask --app app ARGS`` in a process killed (SIGKILL) at ``module.name``: just
    before it is called, or just after it returned."""
    env = {**os.environ, "REGISTER_DATABASE_URL": app.config["DATABASE_URL"],
           "REGISTER_INSTANCE_PATH": app.instance_path, "REGISTER_SECRET_KEY": "test",
           "REGISTER_BACKUP_SCHEDULE": "false"}
    for setting in ("BACKUP_KEY", "BACKUP_OFFSITE"):
        if app.config.get(setting):
            env["REGISTER_" + setting] = app.config[setting]
    process = subprocess.run([sys.executable, "-c", CRASH, module, name,
                              "after" if after else "before", *args], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert process.returncode == -signal.SIGKILL, process.stderr[-2000:]


# What checks a backup's contents, of each kind of database.
VERIFY_FILE = {"sqlite": "verify_sqlite_file", "postgresql": "verify_pgdump_file"}


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name != ".lock")


@pytest.mark.parametrize("module, name, after, encrypted", [
    ("services.backup.create", "verify_file", False, False),  # copied, not verified
    ("services.backup.create", "verify_file", False, True),
    ("services.backup.crypto", "encrypt_file", False, True),  # verified plain, not encrypted
    ("services.backup.crypto", "encrypt_file", True, True),  # encrypted, the plain file there
    ("services.backup.create", "write_private", False, False),  # taken, no manifest
    ("services.backup.create", "write_private", False, True),
], ids=["copied", "copied-encrypted", "verified-encrypted", "encrypted", "unrecorded",
        "unrecorded-encrypted"])
def test_a_backup_killed_midway_leaves_nothing_once_the_next_is_taken(
        app, db_kind, module, name, after, encrypted):
    name = VERIFY_FILE[db_kind] if name == "verify_file" else name
    if encrypted:
        app.config["BACKUP_KEY"] = backup.new_key()
    config = backup_views.settings(app)
    add_customers(2)
    mine = ["register-x.part", "register-notes.sqlite3", "register-notes.json", "notes.json",
            "register-20200101T000000Z.json.bak", "register-20200101T000000Z.txt"]
    config.directory.mkdir(parents=True)
    for file in mine:
        (config.directory / file).write_text("my own file")

    run_killed(app, module, name, after, "backup", "create")
    left = files_in(config.directory)
    assert len(left) > len(mine)  # the dead process left something
    assert not any(b.good for b in backup.list_backups(config))

    taken = backup.create_backup(config)
    assert taken.good
    assert files_in(config.directory) == sorted(
        mine + [taken.path.name, taken.manifest_path.name]), left


@pytest.mark.parametrize("command, module, name, folder", [
    ("verify", "services.backup.verify", "verify_file", ".plain-"),
    ("drill", "services.backup.restoring", "inspect_database", ".drill-"),
])
def test_a_verification_or_drill_killed_midway_leaves_no_copy_of_the_register(
        app, db_kind, command, module, name, folder):
    if command == "drill" and db_kind != "sqlite":
        pytest.skip("PostgreSQL's drill restores into a scratch database, dropped by the "
                    "next drill: no copy is left in the backup folder")
    name = VERIFY_FILE[db_kind] if name == "verify_file" else name
    app.config["BACKUP_KEY"] = backup.new_key()
    config = backup_views.settings(app)
    add_customers(2)
    taken = backup.create_backup(config)
    run_killed(app, module, name, False, "backup", command,
               *([taken.name] if command == "verify" else []))
    assert any(p.name.startswith(folder) for p in config.directory.iterdir())

    later = backup.create_backup(config, now=utcnow() + datetime.timedelta(minutes=1))
    assert later.good
    kept = backup.list_backups(config)  # the earlier one too, unless it rotated out
    assert files_in(config.directory) == sorted(
        p.name for b in kept for p in (b.path, b.manifest_path))


def test_a_copy_killed_midway_is_removed_from_the_offsite_folder(app, tmp_path):
    (tmp_path / "offsite").mkdir()
    app.config["BACKUP_OFFSITE"] = str(tmp_path / "offsite")
    config = backup_views.settings(app)
    add_customers(1)
    mine = tmp_path / "offsite" / "register-x.part"
    mine.write_text("my own file")
    run_killed(app, "shutil", "copyfileobj", False, "backup", "create")
    assert any(n.endswith(".part") and n != mine.name for n in files_in(tmp_path / "offsite"))

    taken = backup.create_backup(config, now=utcnow() + datetime.timedelta(minutes=1))
    assert taken.offsite["verified"]
    assert files_in(tmp_path / "offsite") == sorted(
        [mine.name, taken.path.name, taken.manifest_path.name])


# --- drills at once ----------------------------------------------------------------------


def test_files_written_at_once_are_each_whole(tmp_path):
    path = tmp_path / "log.json"
    errors = []

    def write(n):
        try:
            for _ in range(50):
                write_private(path, json.dumps([n] * 1000))
        except OSError as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(json.loads(path.read_text()))) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["log.json"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_drills_at_once_each_log_their_entry(settings, db_kind):
    add_customers(1)
    backup.create_backup(settings)
    errors = []

    def run():
        try:
            backup.drill(settings)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.close()

    rounds = 3 if db_kind == "sqlite" else 1  # on PostgreSQL they take turns
    for _round in range(rounds):
        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert errors == []
    entries = backup.drill_log(settings)
    assert len(entries) == 4 * rounds and all(entry["ok"] for entry in entries), entries


def test_the_drill_button_does_not_wait_for_another_drill_on_postgresql(
        client, auth, make_user, app, db_kind):
    if db_kind != "postgresql":
        pytest.skip("on SQLite each drill has a scratch file of its own")
    make_user("huolto", "maintenance")
    config = backup_views.settings(app)
    backup.create_backup(config)
    auth.login("huolto")
    token = auth.token("/backups/")
    fd = os.open(config.directory / drills.DRILL_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a drill running holds it
        response = client.post("/backups/drill", data={"csrf_token": token})
    finally:
        os.close(fd)
    assert response.status_code == 302
    assert "Toinen palautusharjoitus on käynnissä" in client.get("/backups/").get_data(
        as_text=True)
    assert backup.drill_log(config) == []


# --- the status looks at the newest backup's file -------------------------------------------


@pytest.mark.parametrize("damage", ["removed", "cut", "grown"])
def test_the_status_does_not_call_a_backup_whose_file_is_gone_good(app, runner, client, auth,
                                                                   make_user, damage):
    config = backup_views.settings(app)
    add_customers(1)
    taken = backup.create_backup(config)
    if damage == "removed":
        taken.path.unlink()
    elif damage == "cut":
        taken.path.write_bytes(taken.path.read_bytes()[:1000])
    else:
        taken.path.write_bytes(taken.path.read_bytes() + b"x")

    status = backup.status(config)
    assert status["last_good"] is None and status["late"]
    assert status["last_failed"]["name"] == taken.name
    assert ("missing" if damage == "removed" else "corrupted") in status["last_failed"]["error"][0]
    result = runner.invoke(args=["backup", "status"])
    assert result.exit_code == 1 and "LATE" in result.output
    make_user("huolto", "maintenance")
    auth.login("huolto")
    front = client.get("/").get_data(as_text=True)
    assert "onnistunutta varmuuskopiota ei ole vielä" in front  # late: no good backup
    assert taken.name in front  # named as the failed attempt


def test_the_status_falls_back_to_the_newest_backup_whose_file_is_whole(settings):
    add_customers(1)
    older = backup.create_backup(settings, now=utc(2026, 11, 23, 12))
    newer = backup.create_backup(settings, now=utc(2026, 11, 24, 12))
    newer.path.unlink()
    status = backup.status(settings, now=utc(2026, 11, 24, 13))
    assert status["last_good"]["name"] == older.name and not status["late"]
    assert status["last_failed"]["name"] == newer.name


# --- a backup dated ahead (the clock jumped forward, then was put right) --------------------


def test_a_backup_dated_ahead_hides_no_lateness(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups")
    now = utc(2026, 11, 25, 12)
    fabricate(settings, [utc(2026, 11, 20, 12), utc(2027, 11, 25, 12)])
    status = backup.status(settings, now=now)
    assert status["late"] and status["last_good"]["name"] == "register-20261120T120000Z"
    assert status["last_good"]["age"] == datetime.timedelta(days=5)

    near = backup.Settings("sqlite:///unused.db", tmp_path / "near")
    fabricate(near, [now + CLOCK_AHEAD - datetime.timedelta(seconds=1)])
    status = backup.status(near, now=now)  # a clock a little off counts as taken now
    assert not status["late"] and status["last_good"]["age"] == datetime.timedelta(0)


def test_a_backup_dated_ahead_does_not_stop_the_schedule(settings):
    now = utc(2026, 11, 25, 12)
    fabricate(settings, [utc(2027, 11, 25, 12)])
    scheduler = backup.Scheduler(settings, clock=lambda: now)
    assert scheduler.due(now)
    with database.write_transaction():  # another server's scheduler, its clock ahead too
        audit.record("scheduled_backup", object_type="backup", object_id="x",
                     at=utc(2027, 11, 25, 12))
    assert scheduler.due(now)
    taken = scheduler.run_once()
    assert taken.good and taken.created_at == now
    assert not scheduler.due(now + datetime.timedelta(hours=1))


def test_rotation_does_not_keep_a_backup_dated_ahead_as_the_newest(tmp_path):
    settings = backup.Settings("sqlite:///unused.db", tmp_path / "backups")
    [ahead] = fabricate(settings, [utc(2027, 11, 25, 12)])
    now = utc(2026, 11, 25, 12)
    assert backup.rotate(settings, now=now) == []  # the only good one: kept meanwhile
    [failed] = fabricate(settings, [utc(2027, 11, 26, 12)], state="failed")
    [taken] = fabricate(settings, [now])
    assert sorted(backup.rotate(settings, now=now)) == [ahead, failed]
    assert [b.name for b in backup.list_backups(settings)] == [taken]


# --- the drill button -------------------------------------------------------------------------


def test_the_drill_button_does_not_wait_while_a_backup_is_taken(client, auth, make_user, app):
    make_user("huolto", "maintenance")
    config = backup_views.settings(app)
    backup.create_backup(config)
    auth.login("huolto")
    token = auth.token("/backups/")
    fd = os.open(config.directory / backup.LOCK_FILE, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a backup being taken holds it
        started = time.monotonic()
        response = client.post("/backups/drill", data={"csrf_token": token})
        assert time.monotonic() - started < 5
    finally:
        os.close(fd)
    assert response.status_code == 302
    page = client.get("/backups/").get_data(as_text=True)
    assert "Varmuuskopiota otetaan parhaillaan" in page  # the flash, in Finnish
    assert backup.drill_log(config) == []
    assert client.post("/backups/drill", data={"csrf_token": token}).status_code == 302
    assert backup.drill_log(config)[0]["ok"]  # once the backup is done, it runs


def test_drill_buttons_pressed_at_once_each_run_and_log_a_drill(app, auth, make_user,
                                                                monkeypatch, sqlite_only):
    read = drills._read_drill_log

    def read_slowly(directory):  # the log read, then written again a moment later
        entries = read(directory)
        time.sleep(0.3)
        return entries

    monkeypatch.setattr(drills, "_read_drill_log", read_slowly)
    config = backup_views.settings(app)
    add_customers(1)
    backup.create_backup(config)
    clients = []
    for name in ("huolto", "vastaava"):
        make_user(name, "maintenance" if name == "huolto" else "responsible")
        client = app.test_client()
        type(auth)(client).login(name)
        clients.append((client, csrf_token(client.get("/backups/").get_data(as_text=True))))
    codes = []

    def press(client, token):
        try:
            for _ in range(3):
                codes.append(client.post("/backups/drill", data={"csrf_token": token})
                             .status_code)
        finally:
            db.close()

    threads = [threading.Thread(target=press, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert codes == [302] * 6
    assert len(backup.drill_log(config)) == 6


# --- wrong BACKUP_* settings ----------------------------------------------------------------


WRONG_SETTINGS = [("BACKUP_KEY", "short"), ("BACKUP_KEY", "é" * 44),
                  ("BACKUP_INTERVAL_HOURS", "nan"), ("BACKUP_INTERVAL_HOURS", "inf"),
                  ("BACKUP_INTERVAL_HOURS", "1e12"), ("BACKUP_INTERVAL_HOURS", 0),
                  ("BACKUP_KEEP_DAILY", "x"), ("BACKUP_KEEP_WEEKLY", "1e9"),
                  ("BACKUP_KEEP_MONTHLY", -1), ("BACKUP_KEEP_DAILY", "٣")]


@pytest.mark.parametrize("setting, value", WRONG_SETTINGS)
def test_a_wrong_setting_is_named_by_every_command(app, runner, tmp_path, setting, value):
    with pytest.raises(backup.SettingsError, match=setting):
        backup.Settings.from_config({"DATABASE_URL": app.config["DATABASE_URL"],
                                     setting: value}, tmp_path)
    app.config[setting] = value
    for args in (["backup", "create"], ["backup", "list"], ["backup", "status"],
                 ["backup", "verify", "x"], ["backup", "drill"], ["duties", "check"],
                 ["backup", "restore", "x", "--to", str(tmp_path / "r.db")]):
        result = runner.invoke(args=args)
        no_traceback(result)
        assert result.exit_code == 1 and setting in result.output, (args, result.output)
    assert runner.invoke(args=["backup", "key"]).exit_code == 0


@pytest.mark.parametrize("setting, value", WRONG_SETTINGS[::3])
def test_a_wrong_setting_is_said_on_the_pages(app, client, auth, make_user, setting, value):
    backup.create_backup(backup_views.settings(app))
    app.config[setting] = value
    said = "Varmuuskopioinnin asetukset ovat väärin"
    make_user("huolto", "maintenance")
    auth.login("huolto")
    for path in ("/", "/backups/"):
        page = client.get(path)
        assert page.status_code == 200 and said in page.get_data(as_text=True), path
        assert setting in page.get_data(as_text=True)
    response = client.post("/backups/drill", data={"csrf_token": auth.token("/backups/")})
    assert response.status_code == 302
    assert setting in client.get("/backups/").get_data(as_text=True)  # the flash
    make_user("vastaava", "responsible")
    auth.login("vastaava")
    for path in ("/", "/access/security/", "/duties/"):
        page = client.get(path)
        assert page.status_code == 200 and said in page.get_data(as_text=True), path
    assert client.get("/retention/log/").status_code == 200  # said at each purge, none yet


# --- verify compares the row counts ----------------------------------------------------------


def rewrite_checksum(taken):
    """Record the data file's present size and SHA-256 in its manifest, as one who changed
    the file and wanted it to pass would."""
    data = taken.path.read_bytes()
    change_manifest(taken, size=len(data), sha256=hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("damage", ["empty", "emptied table", "cut"])
def test_verify_compares_the_row_counts_with_the_manifest(app, runner, sqlite_only, damage):
    config = backup_views.settings(app)
    add_customers(3)
    taken = backup.create_backup(config)
    if damage == "empty":
        taken.path.write_bytes(b"")
    elif damage == "emptied table":
        conn = sqlite3.connect(taken.path)
        conn.execute("DELETE FROM customer")
        conn.commit()
        conn.close()
    else:
        taken.path.write_bytes(taken.path.read_bytes()[:4096])
    rewrite_checksum(taken)

    _found, problems = backup.verify_backup(config, taken.name)
    assert problems
    if damage != "cut":
        assert ("The table %(table)s has %(found)s rows in the backup file, but its manifest "
                "recorded %(recorded)s.", {"table": "customer", "found": 0, "recorded": 3}
                ) in problems
    result = runner.invoke(args=["backup", "verify", taken.name])
    no_traceback(result)
    assert result.exit_code == 1 and "FAILED" in result.output


def test_a_backup_folder_that_cannot_be_used_is_a_message(settings, tmp_path, app, runner):
    """BACKUP_DIR naming a file, or a folder no file can be written in: the message names
    the setting (it was a FileExistsError or an OSError)."""
    a_file = tmp_path / "backups.txt"
    a_file.write_text("")
    for folder in (a_file, pathlib.Path("/proc/register-backups")):
        with pytest.raises(backup.BackupError) as refused:
            backup.create_backup(backup.Settings(settings.database_url, folder))
        assert "BACKUP_DIR" in refused.value.message
    app.config["BACKUP_DIR"] = str(a_file)
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 1 and "BACKUP_DIR" in result.output, result.output


def test_the_journal_of_a_copy_killed_midway_is_removed_too(settings, db_kind):
    """SQLite's copy into the .part file keeps a journal beside it; a kill -9 then left
    both, and only the .part was cleared."""
    settings.directory.mkdir(parents=True)
    left = [f"register-20260101T000000Z.sqlite3.x1.part{end}"
            for end in ("", "-journal", "-wal", "-shm")]
    for name in left + ["register-x.part-journal"]:
        (settings.directory / name).write_text("left")
    taken = backup.create_backup(settings)
    assert files_in(settings.directory) == sorted(
        ["register-x.part-journal", taken.path.name, taken.manifest_path.name])
