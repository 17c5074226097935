"""Printing and writing the results: the machine, the markdown table, the JSON files."""

import contextlib
import json
import os
import pathlib
import platform
import sqlite3

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
README = RESULTS_DIR.parent.parent / "README.md"
# The size the issues' goals are for: a run of every operation at it writes its table into
# the README, between the markers of its database.
README_CUSTOMERS = 1_000_000


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


def machine_line(report):
    """One line saying when and on what ``report`` was measured."""
    m = report["machine"]
    server = f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else ""
    return (f"Measured {report['measured_at'][:16].replace('T', ' ')} on {m['cpu'] or 'a CPU'}"
            f" ({m['cpus']} cores, {m['memory_gb']} GB), Python {m['python']},"
            f" SQLite {m['sqlite']}{server}.")


def write_readme_table(report, readme=README):
    """Put ``report``'s table, with the machine, between the README's markers of its
    database (``<!-- bench:sqlite -->`` … ``<!-- /bench:sqlite -->``); return whether
    the markers were there."""
    start, end = f"<!-- bench:{report['database']} -->", f"<!-- /bench:{report['database']} -->"
    text = readme.read_text()
    if start not in text or end not in text:
        return False
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    block = f"{start}\n{machine_line(report)}\n\n{markdown_table(report)}\n{end}"
    readme.write_text(before + block + after)
    return True
