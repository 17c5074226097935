"""The register's performance benchmark: ``make bench`` (``python -m bench.run``).

Builds or reuses a deterministic dataset (``bench/dataset.py``), then times every
operation of ``bench/operations.py`` three ways, interleaved run by run:

- the page: one request through the real app (``create_app`` + test client, logged in
  through the login form), template rendering included;
- its raw SQL: every statement that request ran (captured from peewee's logger while it
  ran once), replayed with ``db.execute_sql`` on a fresh connection and fully fetched;
  writes in one write transaction. The audit-log append is left out: the append-only hash
  chain cannot be replayed (its cost is timed apart, under "diagnostics");
- the naive page: the same through Flask-Admin's stock peewee ``ModelView``.

Settings (environment), defaults in brackets:

- BENCH_DATABASE_URL  a PostgreSQL database of its own [SQLite file under bench/data/]
- BENCH_CUSTOMERS     dataset size [100000]; 1000000 is the issue's full size
- BENCH_RUNS          timed runs per operation [30]; BENCH_WARMUP untimed ones first [3]
- BENCH_SECONDS_PER_OPERATION  an operation whose requests take seconds stops after this
                      long (at least 5 runs) [300]
- BENCH_SEED [1], BENCH_EVENTS_PER_CUSTOMER [10], BENCH_REBUILD=1 (build afresh)
- BENCH_OPERATIONS    comma-separated names from bench/operations.py [all]

Writes bench/results/latest.json and bench/results/<database>-<customers>.json, and
prints a markdown table with each goal of the issue marked met or missed.
"""

import contextlib
import datetime
import json
import logging
import os
import pathlib
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time

from peewee import fn

import database
from bench import dataset
from bench.operations import OPERATIONS, NaiveCustomerView, rows_shown
from models import (
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Invoice,
    Purchase,
    Section,
    User,
    db,
)

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
PASSWORD = "benchmark password 2026"  # passes the policy; the bench database only
CONTROLLER = "bench-controller"
STAFF = "bench-staff-tourism"
NAIVE_ENDPOINT = "naive_customers"
# An operation that takes seconds per request stops after its time budget, not before this.
MIN_RUNS = 5
# Replays on an open connection, to show what a connection per request costs.
WARM_RUNS = 10


def settings(environ=os.environ):
    """Return the bench settings read from the environment."""
    customers = int(environ.get("BENCH_CUSTOMERS", 100000))
    seed = int(environ.get("BENCH_SEED", 1))
    url = environ.get("BENCH_DATABASE_URL") or dataset.sqlite_url(customers, seed)
    names = [n.strip() for n in environ.get("BENCH_OPERATIONS", "").split(",") if n.strip()]
    unknown = [n for n in names if n not in OPERATIONS]
    if unknown:
        raise SystemExit(f"unknown operations {unknown}; known: {', '.join(OPERATIONS)}")
    return {
        "url": url,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "customers": customers,
        "seed": seed,
        "runs": int(environ.get("BENCH_RUNS", 30)),
        "warmup": int(environ.get("BENCH_WARMUP", 3)),
        "seconds_per_operation": float(environ.get("BENCH_SECONDS_PER_OPERATION", 300)),
        "events_per_customer": int(environ.get("BENCH_EVENTS_PER_CUSTOMER", 10)),
        "operations": names or list(OPERATIONS),
        "rebuild": environ.get("BENCH_REBUILD") == "1",
    }


class Bench:
    """The app under test, its logged-in clients, and what the operations look up."""

    def __init__(self, url, customers):
        """Create the app on ``url`` with the stock view added, and log the bench users in."""
        from app import create_app

        self.customers = customers
        self._instance = tempfile.TemporaryDirectory(prefix="register-bench-")
        os.environ["REGISTER_INSTANCE_PATH"] = self._instance.name
        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        # Views join before the first request (Flask refuses new routes after it).
        admin = self.app.extensions["admin"][0]
        admin.add_view(NaiveCustomerView(Customer, name="Naive", endpoint=NAIVE_ENDPOINT))
        with self.app.test_request_context():
            from flask import url_for
            self.naive = url_for(f"{NAIVE_ENDPOINT}.index_view").rstrip("/")
        with self.app.app_context():
            db.connect(reuse_if_open=True)
            self.controller_user = _bench_user(CONTROLLER, "controller", ())
            _bench_user(STAFF, "staff", ("tourism",))
            self.facts = pick_facts()
            db.close()
        self.rare_term = self.facts["rare_term"]
        self.common_term = self.facts["common_term"]
        self.customer_id = self.facts["customer_id"]
        self.controller = self._logged_in(CONTROLLER)
        self.staff = self._logged_in(STAFF)

    def _logged_in(self, username):
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                             "csrf_token": token})
        if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
            raise RuntimeError(f"{username} could not log in")
        return client

    def close(self):
        """Remove the app's temporary instance folder."""
        self._instance.cleanup()


def _bench_user(username, role, sections):
    """Return the bench account, creating it through services.accounts the first time."""
    from services import accounts

    user = User.by_username(username)
    if user is None:
        user, _ = accounts.create_user(username, role, sections, password=PASSWORD,
                                       must_change=False)
    return user


def pick_facts():
    """Pick the search terms and the customer to open and save, deterministically from the data."""
    from services.search import customer_search_condition

    n = fn.COUNT(Customer.id)
    person = Customer.kind == "person"
    # A rare full name: the least common surname seen at least three times, with the first
    # name of its oldest customer; both long enough for the trigram index.
    rare_last = (Customer.select(Customer.last_name)
                 .where(person & (fn.LENGTH(Customer.last_name) >= 4))
                 .group_by(Customer.last_name).having(n >= 3)
                 .order_by(n, Customer.last_name).limit(1).scalar())
    rare_first = (Customer.select(Customer.first_name)
                  .where(person & (Customer.last_name == rare_last)
                         & (fn.LENGTH(Customer.first_name) >= 3))
                  .order_by(Customer.id).limit(1).scalar())
    rare_term = f"{rare_first} {rare_last}"
    common_term = (Customer.select(Customer.last_name).where(person)
                   .group_by(Customer.last_name).order_by(n.desc(), Customer.last_name)
                   .limit(1).scalar())
    # A tourism company past the middle with about ten contact events and an invoice: its
    # details and edit form show every kind of related row.
    tourism = Customer.section.in_(Section.select(Section.id).where(Section.code == "tourism"))
    company = tourism & (Customer.kind == "company")
    events = ContactEvent.select(fn.COUNT(ContactEvent.id)).where(
        ContactEvent.customer == Customer.id)
    invoiced = fn.EXISTS(Invoice.select(Invoice.id).where(Invoice.customer == Customer.id))
    middle = Customer.select(fn.MAX(Customer.id)).scalar() // 2
    customer_id = (Customer.select(Customer.id)
                   .where(company & (Customer.id >= middle) & fn.COALESCE(events, 0).between(9, 11) & invoiced)
                   .order_by(Customer.id).limit(1).scalar())
    if customer_id is None:  # a small dataset may have none that fits so well
        customer_id = Customer.select(Customer.id).where(company).order_by(Customer.id).scalar()

    def matches(term):
        return Customer.select().where(customer_search_condition(term)).count()

    return {
        "rare_term": rare_term,
        "rare_term_matches": matches(rare_term),
        "common_term": common_term,
        "common_term_matches": matches(common_term),
        "customer_id": customer_id,
        "customer_rows": {m._meta.table_name: m.select().where(m.customer == customer_id).count()
                          for m in (Address, ContactPerson, ContactEvent, Purchase, Invoice)},
    }


# --- capturing and replaying the SQL of a request -----------------------------------------


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            self.statements.append(record.msg)


@contextlib.contextmanager
def captured_sql():
    """Collect the ``(sql, params)`` of every statement peewee runs inside the block."""
    logger = logging.getLogger("peewee")
    handler = _Capture()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


# What the page asks of the database (services/search.py EXPLAINs a term on PostgreSQL).
_DATA_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|EXPLAIN)\b", re.I)
_AUDIT = re.compile(r'"audit_(event|head)"')


def replayable(statements):
    """Return the data statements of a request, without its audit-log append."""
    return [(sql, list(params or ())) for sql, params in statements
            if _DATA_STATEMENT.match(sql) and not _AUDIT.search(sql)]


def statement_counts(statements):
    """Return how many statements of each kind a request ran (N+1 queries show here)."""
    counts = {}
    for sql, _params in statements:
        word = sql.split(None, 1)[0].upper() if sql.strip() else "?"
        if _AUDIT.search(sql):
            word = "audit " + word
        counts[word] = counts.get(word, 0) + 1
    return counts


_VERSION_CHECK = re.compile(r'"customer"\."version" = (\?|%s)\)+\s*$')


def replayer(statements, write, customer_id=None):
    """Return ``(prepare, replay)``: ``replay`` runs ``statements``, fetching every row.

    A save's optimistic-locking UPDATE names the version it expects: it is set to the
    row's current version before each replay, so the replay touches the row like the page.
    """
    version_checks = [i for i, (sql, _p) in enumerate(statements) if _VERSION_CHECK.search(sql)]

    def prepare():
        if version_checks:
            current = Customer.select(Customer.version).where(
                Customer.id == customer_id).scalar()
            for i in version_checks:
                statements[i][1][-1] = current

    def run():
        for sql, params in statements:
            cursor = db.execute_sql(sql, params)
            if cursor.description is not None:
                cursor.fetchall()

    def replay():
        if write:
            with database.write_transaction():
                run()
        else:
            run()

    return prepare, replay


# --- timing -------------------------------------------------------------------------------


def percentile(values, q):
    """Return the ``q``-th percentile (0–100) of ``values``, interpolated linearly."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ms(seconds):
    return seconds * 1000


def _summary(times):
    return {"p50_ms": round(_ms(statistics.median(times)), 2),
            "p95_ms": round(_ms(percentile(times, 95)), 2)}


def _timed_request(make, expect):
    """Do the untimed set-up, then time the request; check its status."""
    request = make()
    started = time.perf_counter()
    response = request()
    response.get_data()
    elapsed = time.perf_counter() - started
    if response.status_code != expect:
        raise RuntimeError(f"expected {expect}, got {response.status_code}: "
                           f"{response.get_data(as_text=True)[:300]}")
    return elapsed, response


def _timed_replay(prepare, replay):
    db.connect(reuse_if_open=True)
    try:
        prepare()
        started = time.perf_counter()
        replay()
        return time.perf_counter() - started
    finally:
        db.close()


def measure(bench, name, runs, warmup, budget=float("inf"), say=print):
    """Time one operation: page, raw SQL and naive page, ``runs`` times each, interleaved.

    Stops early (after at least ``MIN_RUNS``) once the runs have taken ``budget`` seconds.
    """
    op = OPERATIONS[name](bench)
    for _ in range(warmup):
        _timed_request(op.register, op.expect_status)
    # Capture the statements of one more request, and what it shows.
    make = op.register()
    with captured_sql() as statements:
        response = make()
        body = response.get_data(as_text=True)
    if response.status_code != op.expect_status:
        raise RuntimeError(f"{name}: expected {op.expect_status}, got {response.status_code}")
    prepare, replay = replayer(replayable(statements), op.write, bench.customer_id)
    for _ in range(warmup):
        _timed_replay(prepare, replay)

    naive, naive_counts, naive_rows, naive_error = op.naive, None, None, None
    if naive is not None:
        try:
            for _ in range(warmup):
                _timed_request(naive, op.expect_status)
            make_naive = naive()
            with captured_sql() as naive_statements:
                naive_body = make_naive().get_data(as_text=True)
            naive_counts = statement_counts(naive_statements)
            naive_rows = rows_shown(naive_body)
        except RuntimeError as ex:
            naive, naive_error = None, str(ex)[:200]
            say(f"  {name}: naive view skipped ({naive_error})")

    page_times, raw_times, naive_times = [], [], []
    deadline = time.perf_counter() + budget
    for _ in range(runs):
        page_times.append(_timed_request(op.register, op.expect_status)[0])
        raw_times.append(_timed_replay(prepare, replay))
        if naive is not None:
            naive_times.append(_timed_request(naive, op.expect_status)[0])
        if time.perf_counter() > deadline and len(page_times) >= MIN_RUNS:
            say(f"  {name}: stopped after {len(page_times)} runs (BENCH_SECONDS_PER_OPERATION)")
            break

    page, raw = _summary(page_times), _summary(raw_times)
    warm = _warm_replay(prepare, replay, min(len(raw_times), WARM_RUNS)) \
        if raw["p50_ms"] < 1000 else None
    result = {
        "p50_ms": page["p50_ms"],
        "p95_ms": page["p95_ms"],
        "raw_sql_p95_ms": raw["p95_ms"],
        "naive_p95_ms": _summary(naive_times)["p95_ms"] if naive_times else None,
        "raw_sql_p50_ms": raw["p50_ms"],
        "naive_p50_ms": _summary(naive_times)["p50_ms"] if naive_times else None,
        # The same statements on a connection that is already open and warm: what a
        # connection pool would leave (the app opens a connection per request).
        "raw_sql_warm_p50_ms": warm["p50_ms"] if warm else None,
        "overhead_p95_ms": round(page["p95_ms"] - raw["p95_ms"], 2),
        "overhead_p50_ms": round(page["p50_ms"] - raw["p50_ms"], 2),
        "runs": len(page_times),
        "url": op.url,
        "naive_url": op.naive_url,
        "statements": statement_counts(statements),
        "naive_statements": naive_counts,
        "rows_shown": rows_shown(body) if op.expect_status == 200 else None,
        "naive_rows_shown": naive_rows,
        "slowest_statement": _slowest(replayable(statements)),
    }
    for key, value in (("note", op.note), ("naive_note", op.naive_note or naive_error)):
        if value:
            result[key] = value
    result["goals"] = goals(op, result)
    say(f"  {name}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, raw SQL p95 "
        f"{result['raw_sql_p95_ms']} ms, naive p95 {result['naive_p95_ms']} ms")
    return result


def _warm_replay(prepare, replay, runs):
    """Time the replay ``runs`` times on one connection, after one untimed run."""
    db.connect(reuse_if_open=True)
    try:
        prepare()
        replay()
        times = []
        for _ in range(runs):
            prepare()
            started = time.perf_counter()
            replay()
            times.append(time.perf_counter() - started)
    finally:
        db.close()
    return _summary(times)


def _slowest(statements):
    """Return the slowest read of a request (timed once more), with its query plan."""
    worst = (0.0, None, None)
    db.connect(reuse_if_open=True)
    try:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            started = time.perf_counter()
            db.execute_sql(sql, params).fetchall()
            elapsed = time.perf_counter() - started
            if elapsed >= worst[0]:
                worst = (elapsed, sql, params)
        if worst[1] is None:
            return None
        elapsed, sql, params = worst
        if database.is_sqlite():
            plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        else:
            plan = [row[0] for row in db.execute_sql("EXPLAIN ANALYZE " + sql, params)]
    finally:
        db.close()
    return {"ms": round(_ms(elapsed), 2), "sql": sql[:4000], "params": [str(p) for p in params],
            "plan": plan}


def goals(op, result):
    """Return the issue's goals for one operation, each with whether it was met."""
    checks = []
    if op.goal_p95_ms is not None:
        checks.append({"goal": f"p95 ≤ {op.goal_p95_ms:g} ms",
                       "met": result["p95_ms"] <= op.goal_p95_ms})
    if op.goal_times_faster_than_naive is not None:
        naive = result["naive_p95_ms"]
        ratio = naive / result["p95_ms"] if naive and result["p95_ms"] else None
        checks.append({"goal": f"≥ {op.goal_times_faster_than_naive:g}× faster than naive"
                               + (f" ({ratio:.0f}×)" if ratio else " (naive not measured)"),
                       "met": ratio is not None and ratio >= op.goal_times_faster_than_naive})
    if op.goal_overhead_ms is not None:
        checks.append({"goal": f"≤ {op.goal_overhead_ms:g} ms over raw SQL "
                               f"({result['overhead_p95_ms']:g})",
                       "met": result["overhead_p95_ms"] <= op.goal_overhead_ms})
    return checks


# --- diagnostics: what the overhead is made of ----------------------------------------------


def diagnostics(bench, runs):
    """Time the per-request costs outside the SQL: a fresh connection, an audit append."""
    from services import audit

    def connect():
        started = time.perf_counter()
        db.connect()
        db.close()
        return time.perf_counter() - started

    def audit_append():
        db.connect(reuse_if_open=True)
        try:
            started = time.perf_counter()
            with database.write_transaction():
                audit.record("search", actor=bench.controller_user, object_type="customer")
            return time.perf_counter() - started
        finally:
            db.close()

    return {name: _summary([fn() for _ in range(runs)])
            for name, fn in (("connect_and_close", connect), ("audit_append", audit_append))}


# --- reporting ------------------------------------------------------------------------------


def machine():
    """Describe the machine and the software versions the numbers were taken with."""
    model = ""
    with contextlib.suppress(OSError):
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
        memory = round(kb / 1024 / 1024, 1)
    info = {"cpus": os.cpu_count(), "cpu": model, "memory_gb": memory,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    from importlib.metadata import version
    for package in ("Flask", "Flask-Admin", "peewee"):
        info[package.lower()] = version(package)
    return info


def _cell(value):
    return "—" if value is None else f"{value:.1f}"


def markdown_table(report):
    """Return the results as a markdown table with each goal marked met or missed."""
    data = report["dataset"]
    counts = data["counts"]
    lines = [
        f"{report['database']}, {report['customers']:,} customers "
        f"({counts['contact_events']:,} contact events, {counts['invoices']:,} invoices, "
        f"{data['size_bytes'] / 2**20:,.0f} MB, built in {data['build_seconds']:,.0f} s"
        f"{', reused' if data['reused'] else ''}), {report['runs']} runs, "
        f"{report['machine']['cpus']} cores",
        f"rare term {data['rare_term']!r} ({data['rare_term_matches']} matches), common term "
        f"{data['common_term']!r} ({data['common_term_matches']}), customer #{data['customer_id']}",
        "",
        "| operation | p50 ms | p95 ms | raw SQL p95 ms | naive p95 ms | overhead ms | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in report["operations"].items():
        marks = "; ".join(f"{g['goal']}: {'met' if g['met'] else '**missed**'}"
                          for g in r["goals"])
        runs = "" if r["runs"] == report["runs"] else f" ({r['runs']} runs)"
        lines.append(f"| {name}{runs} | {_cell(r['p50_ms'])} | {_cell(r['p95_ms'])} | "
                     f"{_cell(r['raw_sql_p95_ms'])} | {_cell(r['naive_p95_ms'])} | "
                     f"{_cell(r['overhead_p95_ms'])} | {marks} |")
    diag = report.get("diagnostics") or {}
    if diag:
        lines += ["", "Per-request costs inside the overhead (p50 / p95 ms): "
                  + ", ".join(f"{k} {v['p50_ms']:.2f} / {v['p95_ms']:.2f}"
                              for k, v in diag.items())]
    return "\n".join(lines)


def write_results(report):
    """Write latest.json and <database>-<customers>.json under bench/results/."""
    RESULTS_DIR.mkdir(exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    (RESULTS_DIR / "latest.json").write_text(text)
    (RESULTS_DIR / f"{report['database']}-{report['customers']}.json").write_text(text)


def say(text):
    """Print a progress line at once."""
    print(text, flush=True)


def main():
    """Build or reuse the dataset, time every operation, write the results, print the table."""
    logging.basicConfig(level=logging.WARNING)
    s = settings()
    say(f"bench: {s['database']}, {s['customers']} customers, {s['runs']} runs")
    data = dataset.prepare(s["url"], s["customers"], s["seed"], s["events_per_customer"],
                           rebuild=s["rebuild"], say=say)
    bench = Bench(s["url"], s["customers"])
    try:
        say(f"bench: rare term {bench.rare_term!r} ({bench.facts['rare_term_matches']} matches), "
            f"common term {bench.common_term!r} ({bench.facts['common_term_matches']}), "
            f"customer #{bench.customer_id}")
        results = {}
        for name in s["operations"]:
            results[name] = measure(bench, name, s["runs"], s["warmup"],
                                    s["seconds_per_operation"], say=say)
        diag = diagnostics(bench, s["runs"])
        db.connect(reuse_if_open=True)
        server = None
        if s["database"] == "postgresql":
            server = db.execute_sql("SHOW server_version").fetchone()[0]
        db.close()
    finally:
        bench.close()
    report = {
        "database": s["database"],
        "customers": s["customers"],
        "operations": results,
        "runs": s["runs"],
        "warmup": s["warmup"],
        "seconds_per_operation": s["seconds_per_operation"],
        "seed": s["seed"],
        "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {**machine(), **({"postgresql": server} if server else {})},
        "dataset": {**data, "events_per_customer": s["events_per_customer"], **bench.facts},
        "diagnostics": diag,
    }
    write_results(report)
    say("")
    say(markdown_table(report))
    missed = [name for name, r in results.items() if not all(g["met"] for g in r["goals"])]
    say("")
    say("goals missed: " + (", ".join(missed) if missed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
