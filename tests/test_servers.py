"""More than one server on one database (README "More than one server"): the job locks, and
two real waitress processes on one database taking each scheduled backup once and
sharing their sessions."""

import contextlib
import dataclasses
import http.client
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from models import AuditEvent, utcnow
from services import backup, joblock
from tests.conftest import PASSWORD, csrf_token

ROOT = pathlib.Path(__file__).resolve().parent.parent
PEOPLE = ["maint"]


def test_a_job_lock_is_held_by_one_holder_at_a_time(db_url):
    with joblock.job_lock("backup", db_url) as first:
        assert first
        with joblock.job_lock("backup", db_url) as second:  # another connection or file
            assert not second
        with joblock.job_lock("outbox", db_url) as other_job:
            assert other_job
    with joblock.job_lock("backup", db_url) as again:
        assert again  # released when the job ended


def test_a_job_lock_key_is_stable_and_fits_the_advisory_lock():
    assert joblock.lock_key("backup") == joblock.lock_key("backup")
    assert joblock.lock_key("backup") != joblock.lock_key("outbox")
    for name in ("backup", "outbox", "duties", "ä" * 200):
        first, second = joblock.lock_key(name)
        assert first == joblock.JOB_LOCK_CLASS and -2**31 <= second < 2**31


def test_a_job_lock_can_be_waited_for(db_url):
    with joblock.job_lock("backup", db_url) as first:
        assert first
        started = time.monotonic()
        with joblock.job_lock("backup", db_url, wait=0.5) as second:
            assert not second and time.monotonic() - started >= 0.5


def test_db_upgrade_and_bootstrap_wait_for_another_servers(db_url, runner):
    """Two servers starting at once each run `db upgrade` and `users bootstrap`: the
    second waits for the first's to end, then finds nothing left to do."""
    answers = {}
    for command, expected in ((("db", "upgrade"), "up to date\n"),
                              (("users", "bootstrap"), "admin")):
        with joblock.job_lock("setup", db_url) as held:  # the other server's run
            assert held
            waiting = threading.Thread(
                target=lambda: answers.update({command: runner.invoke(args=list(command))}))
            waiting.start()
            time.sleep(0.6)
            assert waiting.is_alive() and command not in answers  # it waits for the lock
        waiting.join(30)
        assert answers[command].exit_code == 0 and expected in answers[command].output


def settings_in(db_url, directory, hours=24):
    return backup.Settings(database_url=db_url, directory=directory, interval_hours=hours)


def test_a_second_server_with_its_own_disk_takes_no_second_backup(db_url, tmp_path):
    """Two hosts with a backup folder each: the one that comes second sees the first's run
    in the database, not only in its own empty folder."""
    first = backup.Scheduler(settings_in(db_url, tmp_path / "a"))
    second = backup.Scheduler(settings_in(db_url, tmp_path / "b"))
    assert first.run_once().good
    assert second.run_once() is None
    assert backup.list_backups(second.settings) == []
    events = list(AuditEvent.select().where(AuditEvent.action == "scheduled_backup"))
    assert [(e.object_type, e.actor) for e in events] == [("backup", None)]


def test_a_scheduler_skips_while_another_process_holds_the_job(db_url, tmp_path):
    scheduler = backup.Scheduler(settings_in(db_url, tmp_path / "a"))
    with joblock.job_lock("backup", db_url) as held:
        assert held
        assert scheduler.run_once() is None
    assert backup.list_backups(scheduler.settings) == []
    assert scheduler.run_once().good


# --- two real servers ------------------------------------------------------------------

INTERVAL_SECONDS = 3
RUN_SECONDS = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: pathlib.Path

    def request(self, method, path, cookie=None, form=None):
        """Send one request over HTTP; return (status, headers, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.headers, answer.read().decode("utf-8")
        finally:
            connection.close()


def start_server(db_url, instance):
    """Start ``waitress-serve`` on a free port, in its own process group, with its own
    instance folder (so its own backup folder: another host's disk)."""
    port = free_port()
    env = dict(os.environ, REGISTER_DATABASE_URL=db_url, REGISTER_INSTANCE_PATH=str(instance),
               REGISTER_SECRET_KEY="two-servers-secret", REGISTER_PSEUDONYM_KEY="two-servers-p",
               REGISTER_AUDIT_CHECKPOINT_KEY="two-servers-a",
               REGISTER_SESSION_COOKIE_SECURE="false", REGISTER_BACKUP_SCHEDULE="true",
               REGISTER_BACKUP_INTERVAL_HOURS=str(INTERVAL_SECONDS / 3600))
    instance.mkdir()
    log = instance / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}",
             "--threads=4", "--call", "app:create_app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(port, process, log)


def wait_until_serving(server, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if server.request("GET", "/login")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server on port {server.port} did not answer:\n{server.log.read_text()}")


def stop(server):
    """End the server and whatever it started (a pg_dump): its process group, killed when
    it has not ended in 10 s or the wait cannot be timed (a faked clock). A server left
    running would go on writing into the test database of the runs after."""
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):  # ended meanwhile
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(10)
    except (subprocess.TimeoutExpired, OSError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def session_cookie(headers):
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def log_in(server, username):
    """Log in through the login form of ``server``; return the session cookie."""
    status, headers, page = server.request("GET", "/login")
    cookie = session_cookie(headers)
    status, headers, _ = server.request(
        "POST", "/login", cookie=cookie,
        form={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert status == 302 and "/login" not in headers["Location"]
    return session_cookie(headers)


def scheduled_backups():
    return list(AuditEvent.select().where(AuditEvent.action.startswith("scheduled_backup"))
                .order_by(AuditEvent.id))


def test_two_servers_take_each_scheduled_backup_once_and_share_a_session(
        db_url, people, tmp_path):
    servers = []
    try:
        for name in ("a", "b"):  # one by one: a started server is stopped whatever follows
            servers.append(start_server(db_url, tmp_path / name))
        for server in servers:
            wait_until_serving(server)
        started = utcnow()
        a, b = servers

        cookie = log_in(a, "maint")
        status, headers, page = b.request("GET", "/", cookie=cookie)
        assert status == 200 and re.search(r"\bmaint\b", page)  # the session moved to B
        cookie = session_cookie(headers) or cookie
        assert b.request("GET", "/")[0] == 302  # and without the cookie, B asks for a login
        assert b.request("POST", "/logout", cookie=cookie,
                         form={"csrf_token": csrf_token(page)})[0] == 302
        status, headers, _ = a.request("GET", "/", cookie=cookie)
        assert status == 302 and "/login" in headers["Location"]  # ended on B, ended on A

        time.sleep(max(0.0, RUN_SECONDS - (utcnow() - started).total_seconds()))
    finally:
        for server in servers:
            stop(server)
    logs = "\n".join(server.log.read_text() for server in servers)
    events = scheduled_backups()
    assert len(events) >= 2, logs
    assert {e.action for e in events} == {"scheduled_backup"}, logs
    taken = [e.at for e in events]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(taken, taken[1:])]
    assert min(gaps) >= INTERVAL_SECONDS, (taken, logs)  # never two within one interval
    # Each backup lies on the disk of the server that took it (rotation keeps the newest
    # of a day), and every one is a recorded run.
    on_disk = [b.name for server in ("a", "b") for b in backup.list_backups(
        settings_in(db_url, tmp_path / server / "backups"))]
    assert on_disk and set(on_disk) <= {e.object_id for e in events}


def start_make_serve(db_url, instance, workers=2):
    """Start the server as ``make run`` serves (``make serve``: gunicorn) on a free port,
    with a fresh instance folder and no keys set: its workers generate them at once."""
    port = free_port()
    env = dict(os.environ, REGISTER_DATABASE_URL=db_url, REGISTER_INSTANCE_PATH=str(instance),
               REGISTER_BACKUP_SCHEDULE="false")
    for key in ("SECRET_KEY", "PSEUDONYM_KEY", "AUDIT_CHECKPOINT_KEY"):
        env.pop(f"REGISTER_{key}", None)
    instance.mkdir()
    log = instance / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            # -o: the virtualenv is there already (the suite runs in it); never reinstall.
            ["make", "--no-print-directory", "-s", "-o", ".venv/bin/activate", "serve",
             "HOST=127.0.0.1", f"PORT={port}", f"WORKERS={workers}", "THREADS=2"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(port, process, log)


def test_make_serve_runs_worker_processes_that_share_one_generated_key(db_url, people,
                                                                       tmp_path):
    """``make run`` serves with one gunicorn worker per core: the workers start at once
    on an instance folder without keys, and a session made by one is good on every
    other (one key, written whole once); each request on a new connection may go to
    any worker."""
    server = start_make_serve(db_url, tmp_path / "served")
    try:
        wait_until_serving(server, timeout=60)
        cookie = log_in(server, "maint")
        answers = [server.request("GET", "/", cookie=cookie)[0] for _ in range(30)]
        workers = [line for line in server.log.read_text().splitlines()
                   if "Booting worker" in line]
    finally:
        stop(server)
    assert answers == [200] * 30, server.log.read_text()
    assert len(workers) == 2, server.log.read_text()
    keys = sorted(p.name for p in (tmp_path / "served").iterdir() if "key" in p.name)
    assert keys == ["audit_checkpoint_key", "pseudonym_key", "secret_key"]  # no drafts left
    assert re.fullmatch(r"[0-9a-f]{64}", (tmp_path / "served" / "secret_key").read_text())
