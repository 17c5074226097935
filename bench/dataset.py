"""The benchmark's dataset: built once, deterministically, and reused while it matches.

``services.demo_data.generate`` makes the customers with 0–4 contact events each; the
issue asks for about ten per customer, so ``add_contact_events`` tops every customer up
with multi-row INSERTs in chunked transactions, inside the customer's active years, and
raises ``last_activity_at`` where a new event is newer (the register's own rule:
``services.customers.newest_activity``). A marker table records what was built; a
dataset is reused only when the marker (size, seed, events) and the customer count match.
A reused dataset gets the migrations added since it was built, like a production
database, and the planner's statistics are refreshed after every bulk load
(``database.optimize``, as ``flask demo-data`` does).
"""

import datetime
import json
import math
import os
import pathlib
import random
import time

import peewee as pw

import database
from models import DIRECTIONS, ContactEvent, Customer, Section, db
from services import demo_data

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"

# Customers read (and topped up) per transaction.
EVENT_CHUNK = 5000
# The heavy subject an operation adds to the dataset the first time (bench/operations.py):
# kept, and not one of the dataset's customers when a run asks whether it may reuse it.
HEAVY_NAME = "Benchmark heavy subject Oy"
# SQLite binds at most 32 766 parameters per statement; PostgreSQL takes the same.
MAX_PARAMETERS = 32766
EVENT_COLUMNS = ("id", "customer_id", "occurred_at", "direction", "channel", "summary")


class BenchDataset(pw.Model):
    """What the bench built into this database (one row, written when the build ends)."""

    customers = pw.IntegerField()
    seed = pw.IntegerField()
    events_per_customer = pw.IntegerField()
    counts = pw.TextField()  # JSON: rows per table
    build_seconds = pw.FloatField()
    built_at = pw.DateTimeField()

    class Meta:
        database = db
        table_name = "bench_dataset"


def sqlite_url(customers, seed, data_dir=DATA_DIR):
    """Return the SQLite URL of the dataset of this size and seed (one file per pair)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / f'register-{customers}-seed{seed}.db'}"


def sqlite_path(url):
    """Return the file of a ``sqlite:///`` URL."""
    return pathlib.Path(url[len("sqlite:///"):])


def prepare(url, customers, seed, events_per_customer, rebuild=False, say=print):
    """Open ``url`` with a dataset of this shape, building it unless one is there; return facts.

    A database that has tables but no bench marker is never emptied, unless it is the
    bench's own SQLite file under ``bench/data/``.
    """
    sqlite = url.startswith("sqlite")
    owned = sqlite and sqlite_path(url).resolve().parent == DATA_DIR.resolve()
    database.open_database(url)
    db.connect(reuse_if_open=True)
    marker = None if rebuild else _marker()
    wanted = (customers, seed, events_per_customer)
    if marker is not None and (marker.customers, marker.seed,
                               marker.events_per_customer) == wanted \
            and _generated_customers() == customers:
        say(f"dataset: reusing {customers} customers (seed {seed}) "
            f"built {marker.built_at:%Y-%m-%d %H:%M}")
        facts = {"reused": True, "build_seconds": marker.build_seconds,
                 "counts": json.loads(marker.counts)}
        # Migrations added since the build apply to the data as they would in production.
        applied = database.upgrade()
        if applied:
            say(f"dataset: applied migrations {', '.join(applied)}")
            facts["migrations_applied"] = applied
        if applied or not _has_statistics():
            say("dataset: refreshing the planner's statistics …")
            _optimize(sqlite)
    else:
        if marker is None and db.get_tables() and not owned:
            db.close()
            raise SystemExit(
                f"{url} holds tables but no bench dataset: the bench empties the database it "
                "builds in, so give it an empty database of its own (BENCH_DATABASE_URL).")
        db.close()
        _empty(url, sqlite)
        database.open_database(url)
        db.connect()
        facts = {"reused": False, **_build(customers, seed, events_per_customer, sqlite, say)}
    facts["size_bytes"] = _size(url, sqlite)
    db.close()
    return facts


def _generated_customers():
    """How many customers the dataset has, the heavy subject left out."""
    return Customer.select().where(Customer.name.is_null()
                                   | (Customer.name != HEAVY_NAME)).count()


def _marker():
    """Return the marker row, or None when this database holds no finished bench dataset."""
    if "bench_dataset" not in db.get_tables():
        return None
    return BenchDataset.select().order_by(BenchDataset.id.desc()).first()


def _empty(url, sqlite):
    """Remove the old dataset: the SQLite file, or every table of the PostgreSQL schema."""
    if sqlite:
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            pathlib.Path(str(path) + suffix).unlink(missing_ok=True)
        return
    database.open_database(url)
    db.connect(reuse_if_open=True)
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")
    db.close()


def _build(customers, seed, events_per_customer, sqlite, say):
    """Migrate, generate the customers, top up their events; return counts and timings."""
    started = time.perf_counter()
    database.upgrade()
    sections = list(Section.select().order_by(Section.id))
    say(f"dataset: generating {customers} customers (seed {seed}) with services.demo_data …")
    progress = _Progress(customers, "customers", say)
    counts = demo_data.generate(customers, seed=seed, sections=sections, progress=progress)
    generated = time.perf_counter()
    added, raised = add_contact_events(events_per_customer, seed, sections, say)
    counts["contact_events"] += added
    topped_up = time.perf_counter()
    say("dataset: refreshing the planner's statistics …")
    _optimize(sqlite)
    build_seconds = time.perf_counter() - started
    db.create_tables([BenchDataset])
    BenchDataset.create(customers=customers, seed=seed, events_per_customer=events_per_customer,
                        counts=json.dumps(counts), build_seconds=round(build_seconds, 1),
                        built_at=datetime.datetime.now())
    say(f"dataset: built in {build_seconds:.0f} s ({counts})")
    return {
        "build_seconds": round(build_seconds, 1),
        "generate_seconds": round(generated - started, 1),
        "events_seconds": round(topped_up - generated, 1),
        "last_activity_raised": raised,
        "counts": counts,
    }


def add_contact_events(per_customer, seed, sections, say=print):
    """Give customers extra contact events so the mean is about ``per_customer``; return counts.

    Returns ``(events added, customers whose last_activity_at was raised)``. Each new event
    falls between the customer's creation and its last activity (or, for a customer with
    none yet, up to two years after creation), so most customers keep their last activity.
    """
    total = Customer.select().count()
    have = ContactEvent.select().count()
    extra_mean = per_customer - have / max(total, 1)
    if extra_mean <= 0:
        return 0, 0
    counts = math.floor(extra_mean / 2), math.ceil(extra_mean * 3 / 2)
    rng = random.Random(f"{seed}-bench-events")
    services = {s.id: demo_data.SERVICES.get(s.code, demo_data.ALL_SERVICES) for s in sections}
    next_id = (ContactEvent.select(pw.fn.MAX(ContactEvent.id)).scalar() or 0) + 1
    say(f"dataset: adding about {extra_mean:.1f} contact events per customer "
        f"({have / max(total, 1):.1f} from demo_data) …")
    progress = _Progress(total, "customers topped up", say)
    added = raised = 0
    last_id = 0
    while True:
        batch = list(
            Customer.select(Customer.id, Customer.section, Customer.created_at,
                            Customer.last_activity_at)
            .where(Customer.id > last_id).order_by(Customer.id).limit(EVENT_CHUNK).tuples()
        )
        if not batch:
            break
        rows, raises = _new_events(batch, rng, counts, services, next_id)
        next_id += len(rows)
        with database.write_transaction():
            _insert_rows("contact_event", EVENT_COLUMNS, rows)
            if raises:
                cursor = db.cursor()
                cursor.executemany(
                    f"UPDATE customer SET last_activity_at = {db.param} WHERE id = {db.param}",
                    raises)
        added += len(rows)
        raised += len(raises)
        last_id = batch[-1][0]
        progress(len(batch))
    if not database.is_sqlite():
        db.execute_sql("SELECT setval(pg_get_serial_sequence('contact_event', 'id'),"
                       " (SELECT MAX(id) FROM contact_event))")
    return added, raised


def _new_events(batch, rng, counts, services, next_id):
    """Return the new contact events of a batch of customers (ids from ``next_id``, between
    ``counts`` of them each) and the ``(last_activity_at, id)`` of those they make newer."""
    channels = list(demo_data.CHANNEL_WEIGHTS)
    channel_weights = list(demo_data.CHANNEL_WEIGHTS.values())
    span_when_quiet = 2 * demo_data.YEAR
    rows, raises = [], []
    for cid, section_id, created_at, last_activity in batch:
        start = created_at
        end = last_activity or min(
            created_at + datetime.timedelta(seconds=rng.randint(0, span_when_quiet)),
            demo_data.REFERENCE)
        span = max(int((end - start).total_seconds()), 0)
        newest = None
        for _ in range(rng.randint(*counts)):
            occurred_at = start + datetime.timedelta(seconds=rng.randint(0, span))
            direction = rng.choice(DIRECTIONS)
            summary = rng.choice(demo_data.SUMMARIES[direction]).format(
                service=rng.choice(services[section_id]).lower())
            rows.append((next_id, cid, occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                         direction, rng.choices(channels, channel_weights)[0], summary))
            next_id += 1
            newest = occurred_at if newest is None else max(newest, occurred_at)
        if newest is not None and (last_activity is None or newest > last_activity):
            raises.append((newest.strftime("%Y-%m-%d %H:%M:%S"), cid))
    return rows, raises


def _optimize(sqlite):
    """Leave the database as after a bulk load in production: statistics fresh, log folded in."""
    if not sqlite:
        db.execute_sql("VACUUM")  # the visibility map, for index-only scans
    database.optimize()  # what `flask db optimize` and `flask demo-data` run
    if sqlite:
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _has_statistics():
    """Tell whether the planner has statistics for the customer table."""
    if database.is_sqlite():
        return db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
    row = db.execute_sql("SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables"
                         " WHERE relname = 'customer'").fetchone()
    return row is not None and any(row)


def _insert_rows(table, columns, rows):
    """Insert ``rows`` with multi-row INSERT statements under the parameter limit."""
    head = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
    group = "(" + ", ".join([db.param] * len(columns)) + ")"
    size = MAX_PARAMETERS // len(columns)
    for start in range(0, len(rows), size):
        batch = rows[start:start + size]
        db.execute_sql(head + ", ".join([group] * len(batch)),
                       [value for row in batch for value in row])


def _size(url, sqlite):
    """Return the database's size on disk in bytes."""
    if sqlite:
        path = sqlite_path(url)
        return sum(os.path.getsize(p) for p in (path, pathlib.Path(f"{path}-wal"))
                   if os.path.exists(p))
    return db.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]


class _Progress:
    """Print ``done/total`` about every 5 % with the time left, for builds that take minutes."""

    def __init__(self, total, what, say):
        self.total, self.what, self.say = total, what, say
        self.done = 0
        self.step = max(total // 20, 1)
        self.next_report = self.step
        self.started = time.perf_counter()

    def __call__(self, n):
        self.done += n
        if self.done >= self.next_report or self.done >= self.total:
            elapsed = time.perf_counter() - self.started
            left = elapsed / self.done * (self.total - self.done) if self.done else 0
            self.say(f"  {self.what}: {self.done}/{self.total} "
                     f"({100 * self.done // max(self.total, 1)} %), {elapsed:.0f} s, "
                     f"~{left:.0f} s left")
            self.next_report = self.done + self.step
