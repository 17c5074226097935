"""Import throughput: ``make bench-import`` (``python -m bench.imports``).

Imports a CSV file into a COPY of the bench dataset (never the dataset itself; the copy
is made as ``make bench-purge`` makes its own, bench/copies.py: a SQLite file, or with
BENCH_DATABASE_URL a PostgreSQL database copied from it on the same server), through
``services.imports`` exactly as
the page and ``flask import customers`` do: every row checked by the customer form, the
henkilötunnus guard and the duplicate check against the section's customers, then stored
in batches. The file is written from the dataset itself, so its names, postal codes and
phone numbers are spread as the register's are: every tenth row is a customer already in
the section (its email: an exact duplicate), the rest new people whose first name, last
name, postal area and birth date are drawn from different customers (some of them similar
to a customer of the same postal area, as in life).

Reports rows per second of the dry run and of the commit (duplicates created, so that
every row is stored), and the process's peak memory after each (flat when the file is
streamed). The copy is removed at the end unless BENCH_IMPORT_KEEP=1.

Settings (environment), defaults in brackets:

- BENCH_DATABASE_URL: the PostgreSQL bench dataset to copy (``make bench`` builds it)
  [the SQLite file of bench/data/]
- BENCH_CUSTOMERS [100000], BENCH_SEED [1]: which dataset of bench/data/ to copy
- BENCH_IMPORT_ROWS [20000]: rows in the file (the issue's figure is 100000)
- BENCH_IMPORT_DIR [the system's temporary folder]: where the file and a SQLite copy go
- BENCH_IMPORT_KEEP=1: keep the copy and the file

Writes bench/results/import-<sqlite|postgresql>-<customers>.json and prints a summary.
"""

import csv
import datetime
import json
import logging
import os
import pathlib
import random
import resource
import tempfile
import time

import database
from bench import copies
from bench.report import RESULTS_DIR, machine, say
from models import Address, Customer, PostalCode, Section, db

HEADER = ["Sukunimi", "Etunimet", "Sähköposti", "Puhelin", "Katuosoite", "Postinumero",
          "Postitoimipaikka", "Syntymäaika"]
SECTION = "tourism"
# Customers the file's values are drawn from.
SAMPLE = 20000


def settings(environ=os.environ):
    """Return the settings read from the environment."""
    customers = int(environ.get("BENCH_CUSTOMERS", 100000))
    seed = int(environ.get("BENCH_SEED", 1))
    return {
        "customers": customers,
        "seed": seed,
        "rows": int(environ.get("BENCH_IMPORT_ROWS", 20000)),
        "source": copies.dataset_url(environ, customers, seed),
        "folder": pathlib.Path(environ.get("BENCH_IMPORT_DIR") or tempfile.gettempdir()),
        "keep": environ.get("BENCH_IMPORT_KEEP") == "1",
    }


def _sample(section):
    """Return persons of ``section`` with their postal address, as the file's sources."""
    query = (Customer.select(Customer.first_name, Customer.last_name, Customer.email,
                             Customer.phone, Customer.birth_date, Address.street,
                             Address.postal_code, Address.city)
             .join(Address).where((Customer.section == section) & (Customer.kind == "person")
                                  & (Address.country == "FI"))
             .order_by(Customer.id).limit(SAMPLE).tuples())
    return [row for row in query if row[0] and row[1] and row[6]]


def write_file(path, rows, seed):
    """Write the bench's import file of ``rows`` rows to ``path``."""
    people = _sample(Section.get(Section.code == SECTION))
    if not people:
        raise SystemExit("the dataset has no persons with a Finnish address to draw from")
    rng = random.Random(seed)
    # The dataset's postal codes are invented; the file's are real (the form checks them
    # against the postal code table), the same invented code always the same real one.
    offices = dict(PostalCode.select(PostalCode.code, PostalCode.name_fi).tuples())
    codes = sorted(offices)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for number in range(rows):
            first, last, email, phone, birth, street, postal, city = rng.choice(people)
            if postal not in offices and codes:
                postal = codes[int(postal) % len(codes)] if postal.isdigit() else codes[0]
                city = offices[postal]
            if number % 10 != 0:  # a new person, from the values of several customers
                first = rng.choice(people)[0]
                last = rng.choice(people)[1]
                email, phone = f"import-{number}@example.org", ""
                birth = birth + datetime.timedelta(days=rng.randint(1, 300)) if birth else None
            writer.writerow([last, first, email or "", phone or "", street or "", postal,
                             city or "", birth.strftime("%d.%m.%Y") if birth else ""])


def _peak_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _import(path, dry):
    """Run the dry run or the commit of ``path`` as ``flask import customers`` does."""
    from flask import current_app

    from cli.imports import _customer_view
    from forms.imports import row_validator
    from services import imports

    section = Section.get(Section.code == SECTION)
    with current_app.test_request_context():
        header, _rows = imports.header_and_rows(path)
        job = imports.ImportJob(
            section=section, user=None, path=str(path), file_name=path.name,
            file_hash=imports.file_hash(path), header=header,
            mapping=imports.auto_mapping(header, imports.held_targets(section.category_set)),
            validate_row=row_validator(_customer_view(), section),
            duplicates={"*": "create"},
            informing={"informed_how": "in_person", "informed_at": "1.1.2026 12.00"})
        started = time.perf_counter()
        if dry:
            run = imports.dry_run(job)
        else:
            run = imports.commit_steps(imports.start_commit(job), job)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows": run.total,
            "rows_per_second": round(run.total / seconds, 1) if seconds else None,
            "accepted": run.accepted, "refused": run.refused, "duplicates": run.duplicates,
            "peak_mib": _peak_mib()}


def _bench_copy(url, file_path, s):
    from app import create_app

    os.environ["REGISTER_DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        db.connect(reuse_if_open=True)
        database.upgrade()
        write_file(file_path, s["rows"], s["seed"])
        figures = {"file_mib": round(file_path.stat().st_size / 2 ** 20, 1),
                   "start_mib": _peak_mib()}
        figures["dry_run"] = _import(file_path, dry=True)
        say(f"import bench: dry run {figures['dry_run']}")
        figures["commit"] = _import(file_path, dry=False)
        say(f"import bench: commit {figures['commit']}")
        db.close()
    db.close_all()  # the pool's connections too: the copy is dropped next
    return figures


def main():
    """Copy the dataset, write the file, dry-run and commit it; print and write figures."""
    logging.basicConfig(level=logging.WARNING)
    s = settings()
    kind = copies.database_kind(s["source"])
    file_path = s["folder"] / f"register-import-{s['rows']}.csv"
    say(f"import bench: copying the {kind} dataset {s['source']} …")
    target = copies.make_copy(s["source"], "import", s["folder"])
    try:  # the figures are written before the copy goes: nothing measured is lost
        _report(kind, s, _bench_copy(target, file_path, s))
    finally:
        if not s["keep"]:
            copies.remove_copy(target)
            file_path.unlink(missing_ok=True)


def _report(kind, s, figures):
    """Write the figures to bench/results and print them as a table."""
    report = {"database": kind, "customers": s["customers"], "seed": s["seed"],
              "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine(), **figures}
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"import-{kind}-{s['customers']}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    say("")
    say(f"{kind}, {s['customers']:,} customers, {s['rows']:,} rows, "
        f"{report['machine']['cpus']} cores")
    say("| step | seconds | rows/s | accepted | refused | duplicates | peak MiB |")
    say("|---|---:|---:|---:|---:|---:|---:|")
    for step in ("dry_run", "commit"):
        f = figures[step]
        say(f"| {step.replace('_', ' ')} | {f['seconds']} | {f['rows_per_second']:,} | "
            f"{f['accepted']:,} | {f['refused']:,} | {f['duplicates']:,} | {f['peak_mib']} |")
    say(f"written to {path}")


if __name__ == "__main__":
    main()
