"""The preview of a purge: the snapshot it is made with, its counts per section and
category, and its fingerprint."""

import dataclasses
import datetime
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import database
from models import DEFAULT_RETENTION_MONTHS, RECORD_KINDS, Section, db, utcnow
from services.localtime import helsinki_today
from services.retention.conditions import (
    _bind,
    _empty_counts,
    child_rows,
    minimised_categories,
)
from services.retention.holding import _hold_tokens, holds
from services.retention.leftover import kept_categories
from services.retention.preview_sql import _section_sql
from services.retention.record_purge import count_due
from services.retention.records import record_cutoffs, record_months
from services.retention.settings import (
    ACCOUNTING_YEARS,
    DELETE,
    MINIMISE,
    PAGE_SIZE,
    cutoff,
    keeping_starts,
    policy_months,
)


# --- The snapshot a preview is made with ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a preview (and the run made from it) decides with."""

    sections: tuple  # Section rows, ordered by code
    months: dict  # section code → months
    cutoffs: dict  # section code → naive UTC moment last activity must be before
    keep_from: datetime.date
    accounting_years: int
    as_of: datetime.datetime
    # The rules of the register's own records (services/retention/records.py): kind →
    # months, and kind → the naive UTC moment a record must be older than.
    records: dict = dataclasses.field(default_factory=dict)
    record_cutoffs: dict = dataclasses.field(default_factory=dict)
    # The categories taken from a section to be kept until the purge (section code →
    # categories, ``leftover.kept_categories``): what the run removes besides its
    # customers is what the preview counted. None: a run previewed before they were kept.
    kept: dict = None

    @classmethod
    def now(cls, sections, accounting_years=ACCOUNTING_YEARS, now=None):
        """Return the snapshot for ``sections`` with the current policy, as of now."""
        now = now or utcnow()
        months_by_id = policy_months()
        sections = tuple(sorted(sections, key=lambda s: s.code))
        months = {s.code: months_by_id.get(s.id, DEFAULT_RETENTION_MONTHS) for s in sections}
        records = record_months()
        return cls(
            sections=sections,
            months=months,
            cutoffs={code: cutoff(now, m) for code, m in months.items()},
            keep_from=keeping_starts(helsinki_today(now), accounting_years),
            accounting_years=accounting_years,
            as_of=now,
            records=records,
            record_cutoffs=record_cutoffs(records, now),
            kept=kept_now(sections),
        )

    @classmethod
    def of_run(cls, run):
        """Return the snapshot a run was previewed with."""
        policy = json.loads(run.policy or "{}")
        codes = run.sections.split()
        by_code = {s.code: s for s in Section.select().where(Section.code.in_(codes))}
        return cls(
            sections=tuple(by_code[c] for c in sorted(codes) if c in by_code),
            months={c: p["months"] for c, p in policy.get("sections", {}).items()},
            cutoffs={c: datetime.datetime.fromisoformat(p["cutoff"])
                     for c, p in policy.get("sections", {}).items()},
            keep_from=run.keep_from if isinstance(run.keep_from, datetime.date)
            else datetime.date.fromisoformat(str(run.keep_from)),
            accounting_years=run.accounting_years,
            as_of=datetime.datetime.fromisoformat(policy["as_of"]) if "as_of" in policy
            else run.previewed_at,
            records={k: p["months"] for k, p in policy.get("records", {}).items()},
            record_cutoffs={k: datetime.datetime.fromisoformat(p["cutoff"])
                            for k, p in policy.get("records", {}).items()},
            kept={c: tuple(k) for c, k in policy["kept"].items()} if "kept" in policy else None,
        )

    def policy_json(self):
        """Return the snapshot as the JSON a run stores (no personal data)."""
        policy = {
            "as_of": self.as_of.isoformat(),
            "sections": {code: {"months": self.months[code],
                                "cutoff": self.cutoffs[code].isoformat()}
                         for code in sorted(self.months)},
        }
        if self.records:
            policy["records"] = {kind: {"months": self.records[kind],
                                        "cutoff": self.record_cutoffs[kind].isoformat()}
                                 for kind in sorted(self.records)}
        if self.kept is not None:
            policy["kept"] = {code: list(self.kept[code]) for code in sorted(self.kept)}
        return json.dumps(policy, sort_keys=True)

    def ordered_record_cutoffs(self):
        """Return the record cutoffs in the order of the kinds (the order a purge applies
        them in)."""
        return {kind: self.record_cutoffs[kind] for kind in RECORD_KINDS
                if kind in self.record_cutoffs}

    @property
    def codes(self):
        return [s.code for s in self.sections]


# --- Preview --------------------------------------------------------------------------------


@dataclasses.dataclass
class SectionPreview:
    """One section's share of a preview: counts per action and category, and its ids."""

    section: Section
    months: int
    cutoff: datetime.datetime
    delete: dict
    minimise: dict
    waiting: int  # kept and already minimised: nothing goes before the keeping period ends
    ids: str = ""  # "id,…|id,…": to delete, then to minimise, in id order, for the fingerprint
    delete_page: list = dataclasses.field(default_factory=list)  # ids of the listed page
    minimise_page: list = dataclasses.field(default_factory=list)
    # Ids of the customers the purge would delete or minimise but for a hold, in id order.
    held: list = dataclasses.field(default_factory=list)

    def counts(self):
        """Return the JSON-able counts of this section."""
        return {DELETE: self.delete, MINIMISE: self.minimise, "waiting": self.waiting,
                "held": len(self.held)}


@dataclasses.dataclass
class Preview:
    """What a purge made with ``snapshot`` would do, section by section."""

    snapshot: Snapshot
    sections: list
    fingerprint: str
    holds: dict = dataclasses.field(default_factory=dict)  # customer id → [Hold], every one
    # The register's own records: kind → rows its rule would wipe or remove.
    records: dict = dataclasses.field(default_factory=dict)

    def planned(self):
        """Return the counts per section code (what a run stores as planned)."""
        return {p.section.code: p.counts() for p in self.sections}

    @property
    def to_delete(self):
        return sum(p.delete["customers"] for p in self.sections)

    @property
    def to_minimise(self):
        return sum(p.minimise["customers"] for p in self.sections)

    def items(self):
        """Yield ``(customer_id, action)`` of every customer the purge would handle."""
        for part in self.sections:
            deleted, _bar, minimised = (part.ids or "").partition("|")
            for ids, action in ((deleted, DELETE), (minimised, MINIMISE)):
                for customer_id in filter(None, ids.split(",")):
                    yield int(customer_id), action


def preview(snapshot, list_section=None, page=0, minimise_page=0, page_size=None,
            parallel=False):
    """Count what a purge with ``snapshot`` would delete and minimise, per section and category.

    ``list_section`` (a code) also returns the ids of the ``page``-th page of its customers
    to delete and of the ``minimise_page``-th page of its customers to minimise.
    ``parallel`` counts the sections on connections of their own, side by side (each
    section's statement is independent); otherwise one after another on this connection.

    The holds are read once, before the sections are counted, and every section's
    statement leaves out exactly those customers.
    """
    page_size = page_size or PAGE_SIZE
    held = holds()

    def work(section):
        pages = None
        if section.code == list_section:
            pages = (page_size, max(0, page) * page_size, max(0, minimise_page) * page_size)
        return _section_preview(snapshot, section, pages, held)

    sections = list(snapshot.sections)
    if parallel and len(sections) > 1:
        with ThreadPoolExecutor(max_workers=min(len(sections), 4)) as pool:
            parts = list(pool.map(_on_own_connection(work), sections))
    else:
        parts = [work(s) for s in sections]
    return Preview(snapshot=snapshot, sections=parts,
                   fingerprint=fingerprint(snapshot, parts, held), holds=held,
                   records=count_due(snapshot.ordered_record_cutoffs()))


def _on_own_connection(function):
    """Wrap ``function`` to run on a connection of the calling thread's own, closed after."""
    def run(*args):
        db.connect(reuse_if_open=True)
        try:
            return function(*args)
        finally:
            db.close()
    return run


def kept_now(sections):
    """Return ``{section code: categories kept until the purge}`` of ``sections`` (only
    those with some)."""
    found = {section.code: kept_categories(section) for section in sections}
    return {code: kept for code, kept in found.items() if kept}


def fingerprint(snapshot, parts, held=None):
    """Return the SHA-256 of the snapshot, the exact customers (and actions) of ``parts``
    and the held customers of ``parts`` with their holds (``held``: ``holds()``)."""
    held = held or {}
    digest = hashlib.sha256()
    digest.update(snapshot.policy_json().encode())
    digest.update(f"|keep_from={snapshot.keep_from.isoformat()}|".encode())
    for part in parts:
        digest.update(f"|{part.section.code}:".encode())
        digest.update((part.ids or "").encode())
        if part.held:
            digest.update("|held:".encode())
            digest.update(",".join(f"{customer_id}={_hold_tokens(held.get(customer_id, ()))}"
                                   for customer_id in part.held).encode())
    return digest.hexdigest()


def _counted(sql, params):
    """Run a section's preview statement and return its rows.

    SQLite reads the database file through a memory map for the statement (as much of it
    as SQLite maps, 2 GB in its usual build): the statement reads the pages of every unused
    customer once, and copying each through the page cache took a fifth of its time (557 →
    452 ms for tourism at 1 000 000 customers). The map is given up after, so a server's
    memory is as before between previews.

    PostgreSQL runs it without hash joins: the planner hashes every address, purchase and
    invoice of the register to join them to the candidates (spilling to disk), where
    looking up each candidate's rows by the customer index is a fifth faster (2.5 s → 2.0 s
    for tourism at 1 000 000 customers). ``SET LOCAL`` ends with the statement's
    transaction (or savepoint, when it fails).
    """
    if database.is_sqlite():
        # Asked for more than SQLite maps (its build's limit), so that it maps its most.
        db.execute_sql(f"PRAGMA mmap_size = {1 << 40}")
        try:
            return db.execute_sql(sql, params).fetchall()
        finally:
            db.execute_sql("PRAGMA mmap_size = 0")
    with db.atomic():
        db.execute_sql("SET LOCAL enable_hashjoin = off")
        rows = db.execute_sql(sql, params).fetchall()
        db.execute_sql("SET LOCAL enable_hashjoin = on")  # the rest of an outer transaction
    return rows


def _section_preview(snapshot, section, pages=None, held=None):
    values = {"keep_from": snapshot.keep_from, "section": section.id,
              "cutoff": snapshot.cutoffs[section.code]}
    if pages is not None:
        values.update(limit=pages[0], offset=pages[1], moffset=pages[2])
    if held:
        values["held"] = json.dumps(sorted(held))
    sql, params = _bind(_section_sql(pages, with_holds=bool(held)), values)
    deleted, minimised = _empty_counts(), _empty_counts()
    part = SectionPreview(section=section, months=snapshot.months[section.code],
                          cutoff=snapshot.cutoffs[section.code], delete=deleted,
                          minimise=minimised, waiting=0)
    categories = {model._meta.table_name: category for model, category, _ in child_rows()}
    for tag, d, m, w, text in _counted(sql, params):
        if tag == "customers":
            deleted["customers"], minimised["customers"], part.waiting = \
                int(d or 0), int(m or 0), int(w or 0)
        elif tag == "fields":
            sums = [int(v) for v in (text or "").split(",") if v]
            for category, count in zip(minimised_categories(), sums):
                minimised[category] += count
        elif tag.startswith("rows/"):
            category = categories[tag[len("rows/"):]]
            deleted[category] += int(d or 0)
            minimised[category] += int(m or 0)
        elif tag == "ids":
            part.ids = text or ""
        elif tag == "delete_page":
            part.delete_page.append(int(d))
        elif tag == "minimise_page":
            part.minimise_page.append(int(d))
        elif tag == "held":
            part.held.append(int(d))
    part.held.sort()
    return part
