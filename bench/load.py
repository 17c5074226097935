"""Many people at once: ``make bench-load`` (``python -m bench.load``).

Starts the register as ``make run`` serves it (``make serve``: gunicorn, one worker per
core, 8 threads each) on the bench dataset, logs in ``BENCH_LOAD_USERS`` people, each with
a session of their own, and lets them click for ``BENCH_LOAD_SECONDS``: each pauses a
random 1–3 s between clicks (``BENCH_LOAD_PAUSE=0``: no pause, the server's capacity) and
picks, as a day at the register goes, the customer list, a deep page of it, a search (a
rare name or the most common surname), a customer's details, an edit of a customer saved
(the form fetched, then posted), or an inspection report. Four in five are tourism staff;
every fifth is the controller, who opens reports instead of saving. Each person saves only
customers of their own, so that no save meets another's newer version.

Each person clicks each kind once before the timed run (untimed: the workers warm up).
Reports per operation p50, p95 and max (ms), the requests per second, every error (an
answer other than the expected one, or no answer), the "database is locked" lines the
server wrote, and the peak memory (RSS) of each server process, sampled every second.

Settings (environment), defaults in brackets:

- BENCH_DATABASE_URL  a PostgreSQL bench database [the SQLite dataset of bench/data/]
- BENCH_CUSTOMERS [100000], BENCH_SEED [1]: which dataset (built by ``make bench``)
- BENCH_LOAD_USERS [50], BENCH_LOAD_SECONDS [60], BENCH_LOAD_PAUSE [1-3] (``a-b`` or ``0``)
- BENCH_LOAD_WORKERS [cores], BENCH_LOAD_THREADS [8]: the server's processes and threads

Writes bench/results/load-<database>-<customers>-<users>.json and prints a table.
"""

import datetime
import http.client
import json
import os
import pathlib
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlencode

from bench import dataset
from bench.harness import CONTROLLER, PASSWORD, STAFF, _bench_user, pick_facts
from bench.operations import REGISTER_PAGE_SIZE, form_fields
from bench.report import RESULTS_DIR, machine, say

ROOT = pathlib.Path(__file__).resolve().parent.parent
# How often each operation is picked (out of their sum), staff and controller.
STAFF_MIX = {"list": 25, "deep_page": 10, "search": 20, "details": 25, "save": 20}
CONTROLLER_MIX = {"list": 25, "deep_page": 10, "search": 20, "details": 25, "report": 20}
EXPECTED = {"save": 302}
LOCKED = re.compile(rb"database is locked", re.I)


def settings(environ=os.environ):
    """Return the load bench's settings read from the environment."""
    customers = int(environ.get("BENCH_CUSTOMERS", 100000))
    seed = int(environ.get("BENCH_SEED", 1))
    url = environ.get("BENCH_DATABASE_URL") or dataset.sqlite_url(customers, seed)
    pause = environ.get("BENCH_LOAD_PAUSE", "1-3")
    low, _, high = pause.partition("-")
    return {
        "url": url,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "customers": customers,
        "users": int(environ.get("BENCH_LOAD_USERS", 50)),
        "seconds": float(environ.get("BENCH_LOAD_SECONDS", 60)),
        "pause": (float(low), float(high or low)),
        "workers": int(environ.get("BENCH_LOAD_WORKERS", os.cpu_count() or 2)),
        "threads": int(environ.get("BENCH_LOAD_THREADS", 8)),
    }


# --- the data the people click ------------------------------------------------------------


def prepare(url, people):
    """Create the bench accounts, pick the facts, and make the report's request; return
    ``{"facts", "pool", "request_id"}`` (``pool``: tourism customers to open and save)."""
    from types import SimpleNamespace

    import database
    from app import create_app
    from bench.operations import _approved_request
    from models import Customer, Section, db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.connect(reuse_if_open=True)
        database.upgrade()  # a dataset built before the latest migrations
        controller = _bench_user(CONTROLLER, "controller", ())
        _bench_user(STAFF, "staff", ("tourism",))
        facts = pick_facts()
        tourism = Section.get(Section.code == "tourism")
        ids = [i for (i,) in Customer.select(Customer.id).where(Customer.section == tourism)
               .order_by(Customer.id).limit(max(1000, people * 10)).tuples()]
        db.close()
    request_id = _approved_request(SimpleNamespace(app=app, controller_user=controller),
                                   facts["customer_id"])
    return {"facts": facts, "pool": ids, "request_id": request_id}


# --- one person ---------------------------------------------------------------------------


class Person:
    """One person's session: a keep-alive connection, the cookies, the clicks timed."""

    def __init__(self, port, username, number):
        self.port, self.username, self.number = port, username, number
        self.cookies = {}
        self.connection = None
        self.times = {}  # operation -> [ms]
        self.errors = []  # (operation, what)

    def request(self, method, path, body=None):
        """Send one request; return ``(status, headers, body)`` (reconnects once)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                 timeout=60)
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                data = answer.read()
                break
            except (OSError, http.client.HTTPException):
                self.connection = None
                if attempt == 2:
                    raise
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return answer.status, answer.headers, data

    def log_in(self):
        _status, _headers, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, headers, _ = self.request("POST", "/login", {
            "username": self.username, "password": PASSWORD, "csrf_token": token})
        if status != 302 or "/login" in (headers.get("Location") or ""):
            raise RuntimeError(f"{self.username} could not log in ({status})")

    def timed(self, operation, method, path, body=None):
        """Make one click and record its time, or the error; return the answer's body."""
        started = time.perf_counter()
        try:
            status, _headers, data = self.request(method, path, body)
        except Exception as error:  # no answer at all: an error of the run, never a crash
            self.errors.append((operation, f"{type(error).__name__}: {error}"))
            return None
        self.times.setdefault(operation, []).append((time.perf_counter() - started) * 1000)
        if status != EXPECTED.get(operation, 200):
            self.errors.append((operation, f"HTTP {status} for {method} {path}"))
            return None
        return data


def click(person, operation, plan, rng):
    """Make the click ``operation`` of ``person`` (``plan``: what the bench prepared)."""
    if operation == "list":
        person.timed(operation, "GET", "/customers/")
    elif operation == "deep_page":
        person.timed(operation, "GET", f"/customers/?page={plan['deep_page']}")
    elif operation == "search":
        term = plan["facts"]["rare_term" if rng.random() < 0.5 else "common_term"]
        person.timed(operation, "GET", "/customers/?" + urlencode({"search": term}))
    elif operation == "details":
        person.timed(operation, "GET", f"/customers/details/?id={rng.choice(plan['pool'])}")
    elif operation == "report":
        person.timed(operation, "GET", f"/requests/{plan['request_id']}/report.html")
    elif operation == "save":
        own = plan["pool"][person.number::plan["people"]] or plan["pool"]
        path = f"/customers/edit/?id={rng.choice(own)}"
        page = person.timed("edit_form", "GET", path)
        if page is not None:
            fields = form_fields(page.decode())
            fields.setlist("own_info", [f"Load bench edit {rng.randrange(10 ** 9)}"])
            person.timed(operation, "POST", path, list(fields.items(multi=True)))


def walk(person, plan, mix, stop_at, pause, rng):
    """Click until ``stop_at``, pausing between clicks."""
    names, weights = list(mix), list(mix.values())
    time.sleep(rng.uniform(0, pause[1]))  # not everybody starts at the same moment
    while time.monotonic() < stop_at:
        click(person, rng.choices(names, weights)[0], plan, rng)
        time.sleep(rng.uniform(*pause))


# --- the server ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(s, port, instance, log):
    """Start ``make serve`` on ``port`` and wait until it answers; return the process."""
    env = dict(os.environ, REGISTER_DATABASE_URL=s["url"], REGISTER_INSTANCE_PATH=instance,
               REGISTER_BACKUP_SCHEDULE="false")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "-s", "serve", "HOST=127.0.0.1", f"PORT={port}",
         f"WORKERS={s['workers']}", f"THREADS={s['threads']}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the server ended at start; see {log.name}")
            time.sleep(0.5)
    raise SystemExit("the server did not answer in two minutes")


def _server_processes(group):
    """Return ``{pid: (RSS MiB, CPU seconds)}`` of the server's processes (process group
    ``group``: gunicorn's master and workers, not make's shell)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            program = (stat.parent / "cmdline").read_bytes().split(b"\0")[:2]
            if int(fields[2]) == group and any(p.endswith(b"gunicorn") for p in program):
                pages = int((stat.parent / "statm").read_text().split()[1])
                found[int(stat.parent.name)] = (
                    pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20,
                    (int(fields[11]) + int(fields[12])) / tick)  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return found


def sample_server(group, peaks, cpu, stop):
    """Keep each server process's peak RSS in ``peaks`` and its CPU time in ``cpu`` until
    ``stop`` is set."""
    while not stop.wait(1.0):
        for pid, (mib, seconds) in _server_processes(group).items():
            peaks[pid] = max(peaks.get(pid, 0.0), mib)
            cpu[pid] = seconds


# --- the run ------------------------------------------------------------------------------


def _people(s, port):
    people = []
    for number in range(s["users"]):
        controller = number % 5 == 4
        people.append((Person(port, CONTROLLER if controller else STAFF, number),
                       CONTROLLER_MIX if controller else STAFF_MIX))
    return people


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_load(s, plan, port, server_cpu):
    """Log everybody in, let them click for the set time; return the people, the
    server's CPU seconds when the timed run started (``server_cpu``: kept up to date by
    :func:`sample_server`) and the CPU seconds this client spent in it."""
    people = _people(s, port)
    for person, mix in people:
        person.log_in()
        # One click of each kind first, untimed: every worker has then compiled its
        # templates and opened its connection, as a server that has run a while has.
        rng = random.Random(-person.number)
        for operation in mix:
            click(person, operation, plan, rng)
        person.times.clear()
        person.errors.clear()
    time.sleep(1.5)  # the sampler's next reading
    cpu_before, client_before = sum(server_cpu.values()), _own_cpu()
    stop_at = time.monotonic() + s["seconds"]
    threads = [threading.Thread(target=walk, args=(person, plan, mix, stop_at, s["pause"],
                                                   random.Random(person.number)))
               for person, mix in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [person for person, _mix in people], cpu_before, _own_cpu() - client_before


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(people, seconds):
    """Return ``{operation: {count, p50, p95, max}}``, the total, and the errors."""
    times, errors = {}, []
    for person in people:
        for operation, values in person.times.items():
            times.setdefault(operation, []).extend(values)
        errors += person.errors
    table = {op: {"count": len(v), "p50_ms": round(statistics.median(v), 1),
                  "p95_ms": round(_percentile(v, 0.95), 1), "max_ms": round(max(v), 1)}
             for op, v in sorted(times.items())}
    every = [t for values in times.values() for t in values]
    total = {"count": len(every), "requests_per_second": round(len(every) / seconds, 1),
             "p50_ms": round(statistics.median(every), 1) if every else None,
             "p95_ms": round(_percentile(every, 0.95), 1) if every else None}
    return table, total, errors


def main():
    """Prepare, serve, load, and report."""
    s = settings()
    if s["database"] == "sqlite" and not dataset.sqlite_path(s["url"]).exists():
        raise SystemExit(f"no dataset at {s['url']}: build it first (make bench)")
    say(f"load bench: {s['database']}, {s['customers']:,} customers, {s['users']} people, "
        f"{s['seconds']:.0f} s, pause {s['pause'][0]}–{s['pause'][1]} s, "
        f"{s['workers']} workers × {s['threads']} threads")
    plan = prepare(s["url"], s["users"])
    plan["people"] = s["users"]
    plan["deep_page"] = min(9999, (s["customers"] - 1) // REGISTER_PAGE_SIZE)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="register-load-") as instance:
        log_path = pathlib.Path(instance) / "server.log"
        with open(log_path, "wb") as log:
            server = start_server(s, port, instance, log)
            peaks, cpu, stop = {}, {}, threading.Event()
            sampler = threading.Thread(target=sample_server,
                                       args=(server.pid, peaks, cpu, stop))
            sampler.start()
            try:
                people, cpu_before, client_cpu = run_load(s, plan, port, cpu)
            finally:
                stop.set()
                sampler.join()
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=60)
        locked = len(LOCKED.findall(log_path.read_bytes()))
        server_cpu_seconds = sum(cpu.values()) - cpu_before
    table, total, errors = summary(people, s["seconds"])
    report = {"database": s["database"], "customers": s["customers"], "users": s["users"],
              "seconds": s["seconds"], "pause": s["pause"], "workers": s["workers"],
              "threads": s["threads"],
              "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine(), "operations": table, "total": total,
              "errors": len(errors), "error_samples": [list(e) for e in errors[:20]],
              "database_locked": locked,
              "peak_rss_mib": sorted(round(v, 1) for v in peaks.values()),
              # CPU seconds in the timed run: the server's processes and this client (on
              # the same machine, its share is not the server's to use).
              "server_cpu_seconds": round(server_cpu_seconds, 1),
              "client_cpu_seconds": round(client_cpu, 1)}
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"load-{s['database']}-{s['customers']}-{s['users']}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _print(report, path)
    return report


def _print(report, path):
    say("")
    say("| operation | requests | p50 ms | p95 ms | max ms |")
    say("|---|---:|---:|---:|---:|")
    for operation, row in report["operations"].items():
        say(f"| {operation} | {row['count']:,} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['max_ms']} |")
    total = report["total"]
    say(f"| all | {total['count']:,} | {total['p50_ms']} | {total['p95_ms']} | |")
    say(f"{total['requests_per_second']} requests/s, {report['errors']} errors, "
        f"{report['database_locked']} 'database is locked', peak RSS per process (MiB): "
        f"{report['peak_rss_mib']}")
    say(f"CPU in the timed run: server {report['server_cpu_seconds']} s, this client "
        f"{report['client_cpu_seconds']} s, of {report['seconds'] * os.cpu_count():.0f} "
        "core-seconds")
    for operation, what in report["error_samples"][:5]:
        say(f"  error: {operation}: {what}")
    say(f"written to {path}")


if __name__ == "__main__":
    main()
