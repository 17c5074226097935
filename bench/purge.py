"""Purge throughput: ``make bench-purge`` (``python -m bench.purge``).

Purges a COPY of the bench dataset (never the dataset itself; bench/copies.py): the SQLite
file copied with SQLite's online backup into a temporary folder, or with BENCH_DATABASE_URL
the PostgreSQL database copied on its server (``CREATE DATABASE … TEMPLATE``). Then a
bench controller previews every section, confirms and runs the purge through
``services.retention`` in batches, exactly as the page and ``flask retention purge`` do.
Reports the time of the preview, of the confirmation (which writes the work list) and of
the purge, and customers per second overall, for deletion and for minimisation (the time
spent deleting or minimising, of each batch's transaction). The copy is removed at the end
unless BENCH_PURGE_KEEP=1.

Settings (environment), defaults in brackets:

- BENCH_DATABASE_URL: the PostgreSQL bench dataset to copy (``make bench`` builds it)
  [the SQLite file of bench/data/]
- BENCH_CUSTOMERS [100000], BENCH_SEED [1]: which dataset of bench/data/ to copy
  (``make bench`` builds it)
- BENCH_PURGE_BATCH [2000]: customers per transaction
- BENCH_PURGE_DIR [the system's temporary folder]: where a SQLite copy goes
- BENCH_PURGE_KEEP=1: keep the purged copy

Writes bench/results/purge-<sqlite|postgresql>-<customers>.json and prints a summary.
"""

import datetime
import json
import logging
import os
import tempfile
import time

import database
from bench import copies
from bench.report import RESULTS_DIR, machine, say
from models import ContactEvent, Customer, Invoice, Section, User, db

PASSWORD = "benchmark password 2026"
CONTROLLER = "bench-purge-controller"


def settings(environ=os.environ):
    """Return the settings read from the environment."""
    customers = int(environ.get("BENCH_CUSTOMERS", 100000))
    seed = int(environ.get("BENCH_SEED", 1))
    return {
        "customers": customers,
        "seed": seed,
        "source": copies.dataset_url(environ, customers, seed),
        "database": copies.database_kind(copies.dataset_url(environ, customers, seed)),
        "batch": int(environ.get("BENCH_PURGE_BATCH", 2000)),
        "folder": environ.get("BENCH_PURGE_DIR") or tempfile.gettempdir(),
        "keep": environ.get("BENCH_PURGE_KEEP") == "1",
    }


class _Timer:
    """Wrap a function and add up the time spent in it."""

    def __init__(self, function):
        self.function = function
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def main():
    """Copy the dataset, preview, confirm and purge it; print and write the figures."""
    logging.basicConfig(level=logging.WARNING)
    s = settings()
    say(f"purge bench: copying the {s['database']} dataset {s['source']} …")
    started = time.perf_counter()
    target = copies.make_copy(s["source"], "purge", s["folder"])
    say(f"purge bench: copied in {time.perf_counter() - started:.0f} s")
    try:  # the figures are written before the copy goes: nothing measured is lost
        figures = _purge_copy(target, s["batch"])
        report = _report(s, figures)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"purge-{s['database']}-{s['customers']}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _print_table(s, report, figures)
        say(f"written to {path}")
    finally:
        if not s["keep"]:
            copies.remove_copy(target)


def _purge_copy(url, batch_size):
    """Preview, confirm and purge every section of the copy at ``url``; return the counts
    before and after, the steps' times and results, and the timed functions."""
    from services import accounts

    database.open_database(url)
    db.connect()
    database.upgrade()
    controller = User.by_username(CONTROLLER) or accounts.create_user(
        CONTROLLER, "controller", (), password=PASSWORD, must_change=False)[0]
    figures = {"before": _counts()}
    figures.update(_preview_and_confirm(controller))
    figures.update(_timed_purge(figures["run"], batch_size, controller))
    figures["after"] = _counts()
    db.close()
    db.close_all()  # the pool's connections too: the copy is dropped next
    return figures


def _counts():
    return {"customers": Customer.select().count(),
            "contact_events": ContactEvent.select().count(),
            "invoices": Invoice.select().count()}


def _preview_and_confirm(controller):
    """Preview every section and confirm the purge, timing each step."""
    from services import retention

    sections = list(Section.select().order_by(Section.code))
    started = time.perf_counter()
    snapshot = retention.Snapshot.now(sections)
    result = retention.preview(snapshot)
    preview_s = time.perf_counter() - started
    say(f"purge bench: preview {preview_s:.1f} s: delete {result.to_delete}, "
        f"minimise {result.to_minimise}")

    run = retention.start_preview(snapshot, result, controller)
    started = time.perf_counter()
    run = retention.confirm(run.id, controller)
    confirm_s = time.perf_counter() - started
    say(f"purge bench: confirmed in {confirm_s:.1f} s ({run.total} customers on the "
        "work list)")
    return {"result": result, "run": run, "preview_s": preview_s, "confirm_s": confirm_s}


def _timed_purge(run, batch_size, controller):
    """Run the confirmed purge, timing it and, apart, its deleting and minimising."""
    from services import retention

    # Replaced where the batch looks them up: in the submodule that purges.
    from services.retention import purging
    timers = {"delete": _Timer(purging._delete), "minimise": _Timer(purging._minimise)}
    purging._delete, purging._minimise = timers["delete"], timers["minimise"]
    last = [time.perf_counter()]

    def progress(run):
        now = time.perf_counter()
        if now - last[0] >= 30 or run.state == "finished":
            say(f"  {run.processed}/{run.total} customers, {run.deleted} deleted, "
                f"{run.minimised} minimised")
            last[0] = now

    started = time.perf_counter()
    run = retention.execute(run.id, batch_size=batch_size, actor=controller,
                            progress=progress)
    purge_s = time.perf_counter() - started
    purging._delete, purging._minimise = timers["delete"].function, \
        timers["minimise"].function
    return {"run": run, "purge_s": purge_s, "timers": timers}


def _rate(count, seconds):
    return round(count / seconds, 1) if seconds else None


def _report(s, figures):
    """Return the figures to write, with the rates worked out."""
    run, purge_s, timers = figures["run"], figures["purge_s"], figures["timers"]
    return {
        "database": s["database"],
        "customers": s["customers"],
        "seed": s["seed"],
        "batch_size": s["batch"],
        "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "before": figures["before"],
        "after": figures["after"],
        "preview_seconds": round(figures["preview_s"], 2),
        "confirm_seconds": round(figures["confirm_s"], 2),
        "purge_seconds": round(purge_s, 2),
        "deleted": run.deleted,
        "minimised": run.minimised,
        "skipped": run.skipped,
        "customers_per_second": _rate(run.processed, purge_s),
        "delete_seconds": round(timers["delete"].seconds, 2),
        "deleted_per_second": _rate(run.deleted, timers["delete"].seconds),
        "minimise_seconds": round(timers["minimise"].seconds, 2),
        "minimised_per_second": _rate(run.minimised, timers["minimise"].seconds),
        "done": json.loads(run.done),
    }


def _print_table(s, report, figures):
    """Print the figures as a markdown table."""
    run, result, timers = figures["run"], figures["result"], figures["timers"]
    say("")
    say(f"{s['database']}, {s['customers']:,} customers, batches of {s['batch']}, "
        f"{report['machine']['cpus']} cores")
    say("| step | seconds | customers | customers/s |")
    say("|---|---:|---:|---:|")
    say(f"| preview | {figures['preview_s']:.1f} | "
        f"{result.to_delete + result.to_minimise:,} | — |")
    say(f"| confirm (work list) | {figures['confirm_s']:.1f} | {run.total:,} | — |")
    say(f"| purge, overall | {figures['purge_s']:.1f} | {run.processed:,} | "
        f"{report['customers_per_second']:,} |")
    say(f"| of which deleting | {timers['delete'].seconds:.1f} | {run.deleted:,} | "
        f"{report['deleted_per_second']:,} |")
    say(f"| of which minimising | {timers['minimise'].seconds:.1f} | {run.minimised:,} | "
        f"{report['minimised_per_second']:,} |")


if __name__ == "__main__":
    main()
