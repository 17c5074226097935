"""Timing an operation three ways (the page, its raw SQL, the naive page), and the
per-request costs outside the SQL."""

import statistics
import time

import database
from bench.operations import OPERATIONS, rows_shown
from bench.replay import captured_sql, replayable, replayer, statement_counts
from models import db

# An operation that takes seconds per request stops after its time budget, not before this.
MIN_RUNS = 5
# Replays on an open connection, to show what a connection per request costs.
WARM_RUNS = 10


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
    statements, body = _captured_request(op, name)
    replaying = replayer(replayable(statements), op.write, bench.customer_id)
    for _ in range(warmup):
        _timed_replay(*replaying)
    naive, sample = _naive_sample(op, name, warmup, say)
    times = _timed_runs(op, name, replaying, naive, runs, budget, say)
    result = _result(op, times, statements, body, sample, replaying)
    result["goals"] = goals(op, result)
    say(f"  {name}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, raw SQL p95 "
        f"{result['raw_sql_p95_ms']} ms, naive p95 {result['naive_p95_ms']} ms")
    return result


def _captured_request(op, name):
    """Run the page once more, capturing its statements; return them and what it showed."""
    make = op.register()
    with captured_sql() as statements:
        response = make()
        body = (response.get_data(as_text=True) if response.mimetype.startswith("text/")
                else "")  # a PDF shows no rows
    if response.status_code != op.expect_status:
        raise RuntimeError(f"{name}: expected {op.expect_status}, got {response.status_code}")
    return statements, body


def _naive_sample(op, name, warmup, say):
    """Warm the naive page up and capture it once; return it (None when it has none or it
    failed) and what it ran and showed, or why it was skipped."""
    naive = op.naive
    sample = {"statements": None, "rows": None, "error": None}
    if naive is None:
        return None, sample
    try:
        for _ in range(warmup):
            _timed_request(naive, op.expect_status)
        make_naive = naive()
        with captured_sql() as naive_statements:
            naive_body = make_naive().get_data(as_text=True)
        sample["statements"] = statement_counts(naive_statements)
        sample["rows"] = rows_shown(naive_body)
    except RuntimeError as ex:
        sample["error"] = str(ex)[:200]
        say(f"  {name}: naive view skipped ({sample['error']})")
        return None, sample
    return naive, sample


def _timed_runs(op, name, replaying, naive, runs, budget, say):
    """Return the times of the page, its replay and the naive page, run by run."""
    page_times, raw_times, naive_times = [], [], []
    deadline = time.perf_counter() + budget
    for _ in range(runs):
        page_times.append(_timed_request(op.register, op.expect_status)[0])
        raw_times.append(_timed_replay(*replaying))
        if naive is not None:
            naive_times.append(_timed_request(naive, op.expect_status)[0])
        if time.perf_counter() > deadline and len(page_times) >= MIN_RUNS:
            say(f"  {name}: stopped after {len(page_times)} runs (BENCH_SECONDS_PER_OPERATION)")
            break
    return page_times, raw_times, naive_times


def _result(op, times, statements, body, sample, replaying):
    """Return the figures of one operation (its goals are added apart)."""
    page_times, raw_times, naive_times = times
    page, raw = _summary(page_times), _summary(raw_times)
    naive = _summary(naive_times) if naive_times else None
    warm = _warm_replay(*replaying, min(len(raw_times), WARM_RUNS)) \
        if raw["p50_ms"] < 1000 else None
    result = {
        "p50_ms": page["p50_ms"],
        "p95_ms": page["p95_ms"],
        "raw_sql_p95_ms": raw["p95_ms"],
        "naive_p95_ms": naive["p95_ms"] if naive else None,
        "raw_sql_p50_ms": raw["p50_ms"],
        "naive_p50_ms": naive["p50_ms"] if naive else None,
        # The same statements on a connection that is already open and warm: what a
        # connection pool would leave (the app opens a connection per request).
        "raw_sql_warm_p50_ms": warm["p50_ms"] if warm else None,
        "overhead_p95_ms": round(page["p95_ms"] - raw["p95_ms"], 2),
        "overhead_p50_ms": round(page["p50_ms"] - raw["p50_ms"], 2),
        "runs": len(page_times),
        "url": op.url,
        "naive_url": op.naive_url,
        "statements": statement_counts(statements),
        "naive_statements": sample["statements"],
        "rows_shown": rows_shown(body) if op.expect_status == 200 else None,
        "naive_rows_shown": sample["rows"],
        "slowest_statement": _slowest(replayable(statements)),
    }
    for key, value in (("note", op.note), ("naive_note", op.naive_note or sample["error"])):
        if value:
            result[key] = value
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
