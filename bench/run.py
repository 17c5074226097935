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
prints a markdown table with each goal of the issue marked met or missed. A run of every
operation at 1 000 000 customers also writes its table, with the machine, into the
README between the markers of its database (section "Performance").

The parts: ``bench/harness.py`` (the app and its clients), ``bench/replay.py`` (the SQL of
a request, captured and replayed), ``bench/timing.py`` (the three timings of an operation)
and ``bench/report.py`` (the table and the files).
"""

import datetime
import logging
import os
import sys

from bench import dataset
from bench.harness import Bench
from bench.operations import OPERATIONS
from bench.report import (
    README_CUSTOMERS,
    machine,
    markdown_table,
    say,
    write_readme_table,
    write_results,
)
from bench.timing import diagnostics, measure
from models import db


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
    if s["customers"] == README_CUSTOMERS and list(s["operations"]) == list(OPERATIONS):
        if write_readme_table(report):
            say(f"bench: the {s['database']} table written into the README")
    say("")
    say(markdown_table(report))
    missed = [name for name, r in results.items() if not all(g["met"] for g in r["goals"])]
    say("")
    say("goals missed: " + (", ".join(missed) if missed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
