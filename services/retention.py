"""Retention purge (seed §12) and the erasure of one subject (GDPR Art. 17), without Flask.

A customer is **unused** when its last activity (or, never active, its creation) is
older than its section's retention period, N months (``RetentionPolicy``, default 60).
An unused customer is

- **deleted** with everything it holds, or
- **minimised** when it has an invoice still inside the keeping period of the Accounting
  Act (Kirjanpitolaki 1336/1997 2:10: vouchers six years from the end of the financial
  year, the calendar year here; ``accounting_years``). Everything the accounting record
  does not need goes now: contacts, purchases no kept invoice billed, demographics,
  contact persons (and their own prohibitions), phones, fax, email, own information,
  birth date, rectification requests, invoices past their own keeping period, and every
  address but the billing address (or, with none, the one the invoices went to). The
  name, the Y-tunnus, that address and the kept invoices stay until the keeping period of
  the newest invoice ends; then the customer is unused and not kept, and goes. The
  customer's own prohibitions (seed §16) stay as long as its row does, and
  ``Customer.minimised_at`` is set: a customer kept only for accounting is on no
  marketing or research list (services/marketing.py).

A customer is **held** — neither deleted, minimised nor erased — while it is the subject
of an inspection request not yet delivered (directly or through one of its contact
persons), of a rectification request neither applied nor refused, or is in a disclosure
not yet carried out (prepared or approved): the purge must not take away what a request
is about or a disclosure is to hand over. The preview lists the held customers with the
reason of each hold; the holds are read once per preview from the request and disclosure
tables (few rows), never per customer.

A purge goes

    preview → confirmed by the controller → running (in batches) → finished

The preview is a **snapshot**: the moment it was made, each section's cut-off moment
and the first day of the keeping period. Its **fingerprint** is the SHA-256 of that
snapshot, of the exact ids of the customers to delete and to minimise and of the held
customers with their holds. Confirming recomputes the set as of the same snapshot: if a
customer became active, gained an invoice, was added or removed, or a hold began or
ended meanwhile, the fingerprint differs and the confirmation is refused. A confirmed
run holds its customers as a work list (``PurgeItem``); each batch deletes or minimises
whole customers and removes their items in one transaction, so a crash loses at most
the batch in progress, which the rerun does again — nothing is done twice and no
customer is left half-purged. Each customer is checked once more as
its batch runs: one active since the preview is skipped, one held since is kept (its
rows locked first, so that no request or disclosure can name it unseen while the batch
runs), one that gained a kept invoice is minimised instead of deleted.

The run keeps counts per section, action and data category, never a name or a value.
The erasure of one subject on request is a run of one customer, decided by the
responsible person, under the same accounting rule; a held customer is not erased.

The preview's counts come from one statement per section: the unused customers are
materialised once (in id order, so each child table is read in index order) and every
child table is counted against them. The rules of what goes are SQL predicates defined
once below and used both by those counts and by the purge's DELETE statements, so the
preview says exactly what the purge removes.
"""

import dataclasses
import datetime
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor

import peewee as pw

import database
from models import (
    ACCOUNTING_RECORD_FIELDS,
    CATEGORIES,
    DEFAULT_RETENTION_MONTHS,
    Address,
    ContactPerson,
    Customer,
    Disclosure,
    DisclosureCustomer,
    InspectionRequest,
    InspectionSubject,
    Invoice,
    Prohibition,
    PurgeItem,
    PurgeRun,
    Purchase,
    RectificationRequest,
    RetentionPolicy,
    RetentionPolicyChange,
    Section,
    db,
    utcnow,
)
from services import audit, disclosures, rectification, requests
from services.categories import deletion_order, home_category, linked_models, own_fields
from services.customers import refresh_city
from services.errors import N_, RegisterError
from services.localtime import helsinki_today
from services.search import customer_search_condition
from services.versioning import next_version

AUDIT_OBJECT_TYPE = "purge_run"
POLICY_OBJECT_TYPE = "retention_policy"

# Accounting Act 2:10: vouchers are kept six years from the end of the financial year.
ACCOUNTING_YEARS = 6
# The retention periods the controller may set, in months.
MIN_MONTHS, MAX_MONTHS = 12, 600
# Customers a purge handles per transaction.
BATCH_SIZE = 2000
# Customers a preview lists per page.
PAGE_SIZE = 25
# An invoice billed a purchase when it has the same amount and is dated on the purchase
# day or at most this many days after it.
INVOICE_AFTER_PURCHASE_DAYS = 31

DELETE, MINIMISE = "delete", "minimise"

# --- What goes: the rules, once -------------------------------------------------------

# What a minimisation removes of a child table, as a condition on its row ``e`` (None:
# every row). :keep_from is the first day of the keeping period.
_PURCHASE_NOT_BILLED = (
    "NOT EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = e.customer_id"
    " AND i.invoice_date >= :keep_from AND i.amount = e.amount"
    " AND i.invoice_date >= e.purchased_on AND i.invoice_date <= {purchase_plus_days})"
)
_INVOICE_PAST_KEEPING = "e.invoice_date < :keep_from"
# The customer's own prohibitions stay (seed §16); a contact person's go with the person.
_PROHIBITION_OF_CONTACT_PERSON = "e.contact_person_id IS NOT NULL"
# Every address but the billing addresses; with no billing address, the one the
# invoices went to (the postal address, else the first) stays instead.
_ADDRESS_NOT_KEPT = (
    "e.kind <> 'billing' AND (EXISTS (SELECT 1 FROM address AS b"
    " WHERE b.customer_id = e.customer_id AND b.kind = 'billing')"
    " OR e.id <> (SELECT a.id FROM address AS a WHERE a.customer_id = e.customer_id"
    " ORDER BY CASE WHEN a.kind = 'postal' THEN 0 ELSE 1 END, a.id LIMIT 1))"
)
# Per child table, what a minimisation removes; every row of a table not named here goes.
MINIMISE_CONDITIONS = {
    Prohibition: _PROHIBITION_OF_CONTACT_PERSON,
    Purchase: _PURCHASE_NOT_BILLED,
    Invoice: _INVOICE_PAST_KEEPING,
    Address: _ADDRESS_NOT_KEPT,
}

# The data categories a purge counts, in the order of the register description.
COUNTED_CATEGORIES = CATEGORIES


def customer_fields():
    """Return the customer's own fields per data category (``services.categories``): what
    a deletion removes and what a minimisation removes, ``{category: (deleted,
    minimised)}``. A category counts a customer when one of its fields has a value."""
    return {category: (names, tuple(n for n in names if n not in ACCOUNTING_RECORD_FIELDS))
            for category, names in own_fields(Customer).items()}


def minimised_fields():
    """Return the customer's fields a minimisation empties."""
    return tuple(name for _deleted, minimised in customer_fields().values() for name in minimised)


def minimised_categories():
    """Return the categories of the customer's own row a minimisation empties. A purge
    counts them for minimised customers only: a deleted customer's own fields go with its
    row, counted under "customers"."""
    return tuple(category for category, (_d, minimised) in customer_fields().items() if minimised)


def own_row_categories():
    """Return the categories of the customer's own row."""
    return tuple(customer_fields())


def child_rows():
    """Return the customer's rows in other tables, in the order they are deleted (rows
    naming a contact person before the contact persons): ``(model, data category, what a
    minimisation removes)`` of every mapped model that references the customer."""
    children = [model for model, _link in linked_models(Customer)]
    return [(model, home_category(model), MINIMISE_CONDITIONS.get(model))
            for model in deletion_order(children)]


def _purchase_plus_days():
    """SQL for the last day an invoice may bill purchase ``e`` (dates differ per database)."""
    if database.is_sqlite():
        return f"date(e.purchased_on, '+{INVOICE_AFTER_PURCHASE_DAYS} days')"
    return f"(e.purchased_on + {INVOICE_AFTER_PURCHASE_DAYS})"


def _minimise_condition(template):
    if template is None:
        return None
    return template.replace("{purchase_plus_days}", _purchase_plus_days())


# --- Dates ------------------------------------------------------------------------------


def months_before(moment, months):
    """Return ``moment`` minus whole calendar ``months`` (the day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1)
                - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def keeping_starts(today, years=ACCOUNTING_YEARS):
    """Return the first invoice date still kept on ``today``: 1 January, ``years`` back.

    A voucher of financial year Y is kept to the end of year Y + ``years``.
    """
    return datetime.date(today.year - years, 1, 1)


def final_deletion(newest_invoice_date, years=ACCOUNTING_YEARS):
    """Return the day a minimised customer can go: after its newest invoice's keeping period."""
    return datetime.date(newest_invoice_date.year + years + 1, 1, 1)


# --- Policy -------------------------------------------------------------------------------


def policy_months():
    """Return ``{section_id: months}`` for every section (the default where none is set)."""
    months = {s.id: DEFAULT_RETENTION_MONTHS for s in Section.select(Section.id)}
    for policy in RetentionPolicy.select():
        months[policy.section_id] = policy.months
    return months


def policies():
    """Return every section with its policy row (or None): ``[(section, policy)]``."""
    rows = {p.section_id: p for p in RetentionPolicy.select()}
    return [(s, rows.get(s.id)) for s in Section.select().order_by(Section.code)]


def policy_history(limit=50):
    """Return the newest changes of the retention periods."""
    return list(RetentionPolicyChange.select().order_by(RetentionPolicyChange.changed_at.desc(),
                                                        RetentionPolicyChange.id.desc())
                .limit(limit))


def parse_months(value):
    """Return ``value`` as a retention period in months, or raise RegisterError."""
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        months = None
    if months is None or not MIN_MONTHS <= months <= MAX_MONTHS:
        raise RegisterError(N_("Give the retention period as a whole number of months from "
                               "%(low)s to %(high)s."), low=MIN_MONTHS, high=MAX_MONTHS)
    return months


def set_months(section, months, actor):
    """Set ``section``'s retention period; record the change and its audit event.

    Returns True when the period changed. The audit event names the field ("months");
    the old and new values are kept in ``RetentionPolicyChange``.
    """
    months = parse_months(months)
    with database.write_transaction():
        policy = RetentionPolicy.get_or_none(RetentionPolicy.section == section.id)
        old = policy.months if policy is not None else None
        if old == months:
            return False
        now = utcnow()
        if policy is None:
            RetentionPolicy.create(section=section.id, months=months, changed_by=actor,
                                   changed_at=now)
        else:
            RetentionPolicy.update(months=months, changed_by=actor, changed_at=now).where(
                RetentionPolicy.id == policy.id).execute()
        RetentionPolicyChange.create(section=section.id, old_months=old, new_months=months,
                                     changed_by=actor, changed_at=now)
        audit.record("update", actor, object_type=POLICY_OBJECT_TYPE, object_id=section.code,
                     section=section.code, fields=["months"])
    return True


# --- Holds: what a purge and an erasure must not undo ------------------------------------

INSPECTION, RECTIFICATION, DISCLOSURE = "inspection", "rectification", "disclosure"
# Why a customer is held, as a person reads it: the pages translate it, the command line
# prints it as it is. %(number)s is the request's or the disclosure's number.
HOLD_REASONS = {
    INSPECTION: N_("Inspection request %(number)s has not been delivered yet"),
    RECTIFICATION: N_("Rectification request %(number)s has not been applied or refused yet"),
    DISCLOSURE: N_("Disclosure %(number)s has not been carried out yet"),
}


@dataclasses.dataclass(frozen=True, order=True)
class Hold:
    """One reason a customer is held: an open request or a disclosure not carried out."""

    kind: str  # INSPECTION, RECTIFICATION or DISCLOSURE
    number: int  # the request's or the disclosure's id

    @property
    def message(self):
        """Return the untranslated reason (a msgid of HOLD_REASONS) and its parameters."""
        return HOLD_REASONS[self.kind], {"number": self.number}

    def __str__(self):
        message, params = self.message
        return message % params


def _hold_queries():
    """Return ``[(kind, query of (customer id, number), customer column)]``, one per kind of
    hold. Each reads the open requests or unfinished disclosures first: they are few."""
    open_inspection = requests.open_condition()
    return [
        (INSPECTION,
         InspectionSubject.select(InspectionSubject.customer, InspectionSubject.request)
         .join(InspectionRequest, on=(InspectionSubject.request == InspectionRequest.id))
         .where(open_inspection & InspectionSubject.customer.is_null(False)),
         InspectionSubject.customer),
        # A contact person's request holds the company or organisation the person is of.
        (INSPECTION,
         InspectionSubject.select(ContactPerson.customer, InspectionSubject.request)
         .join(InspectionRequest, on=(InspectionSubject.request == InspectionRequest.id))
         .join(ContactPerson, on=(InspectionSubject.contact_person == ContactPerson.id))
         .where(open_inspection),
         ContactPerson.customer),
        (RECTIFICATION,
         RectificationRequest.select(RectificationRequest.customer, RectificationRequest.id)
         .where(rectification.open_condition()),
         RectificationRequest.customer),
        (DISCLOSURE,
         DisclosureCustomer.select(DisclosureCustomer.customer, DisclosureCustomer.disclosure)
         .join(Disclosure, on=(DisclosureCustomer.disclosure == Disclosure.id))
         .where(Disclosure.state.in_(disclosures.UNFINISHED_STATES)),
         DisclosureCustomer.customer),
    ]


def holds(customer_ids=None):
    """Return ``{customer_id: [Hold, …]}`` of the held customers (of ``customer_ids`` only,
    when given), each customer's holds sorted. Customers not held are not in it."""
    if customer_ids is not None and not customer_ids:
        return {}
    found = {}
    for kind, query, column in _hold_queries():
        if customer_ids is not None:
            query = query.where(column.in_(list(customer_ids)))
        for customer_id, number in query.tuples():
            found.setdefault(customer_id, set()).add(Hold(kind, number))
    return {customer_id: sorted(held) for customer_id, held in found.items()}


def _hold_tokens(held):
    return "+".join(f"{h.kind}:{h.number}" for h in held)


class Held(RegisterError):
    """The customer is held: an erasure must wait until its requests and disclosures end."""

    def __init__(self, held):
        super().__init__(
            N_("This customer cannot be erased now. %(reasons)s. Finish that first (deliver "
               "the inspection report, apply or refuse the rectification request, carry out "
               "the disclosure or take the customer out of it), then erase the data."),
            reasons=". ".join(str(h) for h in held))
        self.holds = held


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

    @classmethod
    def now(cls, sections, accounting_years=ACCOUNTING_YEARS, now=None):
        """Return the snapshot for ``sections`` with the current policy, as of now."""
        now = now or utcnow()
        months_by_id = policy_months()
        sections = tuple(sorted(sections, key=lambda s: s.code))
        months = {s.code: months_by_id.get(s.id, DEFAULT_RETENTION_MONTHS) for s in sections}
        return cls(
            sections=sections,
            months=months,
            cutoffs={code: months_before(now, m) for code, m in months.items()},
            keep_from=keeping_starts(helsinki_today(now), accounting_years),
            accounting_years=accounting_years,
            as_of=now,
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
        )

    def policy_json(self):
        """Return the snapshot as the JSON a run stores (no personal data)."""
        return json.dumps({
            "as_of": self.as_of.isoformat(),
            "sections": {code: {"months": self.months[code],
                                "cutoff": self.cutoffs[code].isoformat()}
                         for code in sorted(self.months)},
        }, sort_keys=True)

    @property
    def codes(self):
        return [s.code for s in self.sections]


# --- Preview --------------------------------------------------------------------------------


def _empty_counts():
    return {"customers": 0, **{c: 0 for c in COUNTED_CATEGORIES}}


@dataclasses.dataclass
class SectionPreview:
    """One section's share of a preview: counts per action and category, and its ids."""

    section: Section
    months: int
    cutoff: datetime.datetime
    delete: dict
    minimise: dict
    waiting: int  # kept and already minimised: nothing goes before the keeping period ends
    ids: str = ""  # "id:0,id:1,…" (1: minimise) in id order, for the fingerprint
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
            for token in filter(None, (part.ids or "").split(",")):
                customer_id, flag = token.split(":")
                yield int(customer_id), MINIMISE if flag == "1" else DELETE


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
                   fingerprint=fingerprint(snapshot, parts, held), holds=held)


def _on_own_connection(function):
    """Wrap ``function`` to run on a connection of the calling thread's own, closed after."""
    def run(*args):
        db.connect(reuse_if_open=True)
        try:
            return function(*args)
        finally:
            db.close()
    return run


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


_TOKEN = re.compile(r":([a-z_]+)")


def _bind(sql, values):
    """Turn ``:name`` tokens into the database's placeholders; return ``(sql, params)``."""
    params = []

    def replace(match):
        params.append(_sql_value(values[match.group(1)]))
        return db.param

    return _TOKEN.sub(replace, sql), params


def _sql_value(value):
    """A date or time as the database compares it (SQLite: ISO text, as peewee stores it)."""
    if database.is_sqlite() and isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat(" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return value


def _unused_condition():
    return ("(c.last_activity_at < :cutoff"
            " OR (c.last_activity_at IS NULL AND c.created_at < :cutoff))")


def _held_ids():
    """The ids of the held customers, from the JSON array ``:held`` (one parameter, however
    many ids)."""
    if database.is_sqlite():
        return "SELECT CAST(j.value AS INTEGER) AS id FROM json_each(:held) AS j"
    return ("SELECT CAST(j.value AS BIGINT) AS id"
            " FROM json_array_elements_text(CAST(:held AS json)) AS j(value)")


def _unused_ids():
    """The ids of the section's unused customers, as two index-only reads.

    The condition of :func:`_unused_condition` split at its OR: customers last active
    before the cut-off come from the index (last activity, section) that carries the id, so
    no customer row is read; the never active ones (few) are looked up by creation time.
    """
    return ("SELECT u.id FROM customer AS u WHERE u.last_activity_at < :cutoff"
            " AND u.section_id = :section"
            " UNION ALL SELECT u.id FROM customer AS u WHERE u.last_activity_at IS NULL"
            " AND u.created_at < :cutoff AND u.section_id = :section")


def _section_sql(pages, with_holds=False):
    """The one statement counting a section's preview (see the module's docstring).

    ``cand0`` reads the index of last activity and the invoices' index only, no customer
    row; ``cand`` marks which kept customers have anything to minimise. The customers'
    own fields are read only for those (a deleted customer's fields go with its row and
    are counted as the customer).

    ``with_holds``: the held customers (``:held``) are left out of ``cand0``, and those of
    them the purge would otherwise delete or minimise are returned as rows "held", looked
    up by id (few). Without holds the statement is as it was, not a step slower.
    """
    fields_of = {category: minimised for category, (_d, minimised) in customer_fields().items()
                 if minimised}
    own_fields = " OR ".join(f"x.{f} IS NOT NULL" for fs in fields_of.values() for f in fs)
    # A kept customer not yet marked minimised (one minimised before the mark existed) is
    # minimised again, if only to be marked: then it is on no list.
    anything = [f"EXISTS (SELECT 1 FROM customer AS x WHERE x.id = c.id AND ({own_fields}"
                " OR x.minimised_at IS NULL))"]
    for model, _category, condition in child_rows():
        condition = _minimise_condition(condition)
        where = f" AND {condition}" if condition else ""
        anything.append(f"EXISTS (SELECT 1 FROM {model._meta.table_name} AS e"
                        f" WHERE e.customer_id = c.id{where})")
    kept_invoice = ("EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = c.id"
                    " AND i.invoice_date >= :keep_from)")
    held_cte = not_held = ""
    if with_holds:
        held_cte = "held AS MATERIALIZED (" + _held_ids() + "), "
        not_held = " WHERE c.id NOT IN (SELECT h.id FROM held AS h)"
    parts = [
        "WITH " + held_cte + "cand0 AS MATERIALIZED (SELECT c.id,"
        " CASE WHEN " + kept_invoice + " THEN 1 ELSE 0 END AS kept"
        " FROM (" + _unused_ids() + ") AS c" + not_held + "),"
        # In id order, so that each child table's index is read in order.
        " cand AS MATERIALIZED (SELECT c.id, c.kept, CASE WHEN c.kept = 1 AND ("
        + " OR ".join(anything) + ") THEN 1 ELSE 0 END AS minimise FROM cand0 AS c"
        " ORDER BY c.id)",
        "SELECT 'customers' AS tag, SUM(1 - c.kept) AS d, SUM(c.minimise) AS m,"
        " SUM(c.kept - c.minimise) AS w, CAST(NULL AS TEXT) AS x FROM cand AS c",
        # The minimised customers' own fields per category, as text "n,n,…" in the
        # order of ``fields_of``.
        "SELECT 'fields', NULL, NULL, NULL, "
        + " || ',' || ".join(
            "CAST(COALESCE(SUM(CASE WHEN "
            + " OR ".join(f"x.{f} IS NOT NULL" for f in fs) + " THEN 1 ELSE 0 END), 0) AS TEXT)"
            for fs in fields_of.values())
        + " FROM cand AS c CROSS JOIN customer AS x WHERE c.minimise = 1 AND x.id = c.id",
    ]
    for model, _category, condition in child_rows():
        condition = _minimise_condition(condition)
        minimised = f"c.minimise = 1 AND {condition}" if condition else "c.minimise = 1"
        # CROSS JOIN: SQLite walks the candidates in id order and looks the rows up by index.
        parts.append(
            f"SELECT 'rows/{model._meta.table_name}',"
            " SUM(CASE WHEN c.kept = 0 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {minimised} THEN 1 ELSE 0 END), NULL, NULL"
            f" FROM cand AS c CROSS JOIN {model._meta.table_name} AS e"
            " WHERE e.customer_id = c.id")
    if database.is_sqlite():
        ids = ("(SELECT group_concat(p.x, ',') FROM (SELECT CAST(id AS TEXT) || ':' ||"
               " CAST(minimise AS TEXT) AS x FROM cand WHERE kept = 0 OR minimise = 1"
               " ORDER BY id) AS p)")
    else:
        ids = ("(SELECT string_agg(CAST(id AS TEXT) || ':' || CAST(minimise AS TEXT), ','"
               " ORDER BY id) FROM cand WHERE kept = 0 OR minimise = 1)")
    parts.append(f"SELECT 'ids', NULL, NULL, NULL, {ids}")
    if with_holds:
        # Held, unused, and with something the purge would delete or minimise.
        parts.append(
            "SELECT 'held', c.id, NULL, NULL, NULL FROM customer AS c"
            " WHERE c.id IN (SELECT h.id FROM held AS h) AND c.section_id = :section AND "
            + _unused_condition() + " AND (NOT " + kept_invoice + " OR "
            + " OR ".join(anything) + ")")
    if pages is not None:
        parts.append("SELECT 'delete_page', p.id, NULL, NULL, NULL FROM (SELECT id FROM cand"
                     " WHERE kept = 0 ORDER BY id LIMIT :limit OFFSET :offset) AS p")
        parts.append("SELECT 'minimise_page', p.id, NULL, NULL, NULL FROM (SELECT id FROM cand"
                     " WHERE minimise = 1 ORDER BY id LIMIT :limit OFFSET :moffset) AS p")
    return parts[0] + " " + " UNION ALL ".join(parts[1:])


def _counted(sql, params):
    """Run a section's preview statement and return its rows.

    PostgreSQL runs it without hash joins: the planner hashes every address, purchase and
    invoice of the register to join them to the candidates (spilling to disk), where
    looking up each candidate's rows by the customer index is a fifth faster (2.5 s → 2.0 s
    for tourism at 1 000 000 customers). ``SET LOCAL`` ends with the statement's
    transaction (or savepoint, when it fails).
    """
    if database.is_sqlite():
        return db.execute_sql(sql, params).fetchall()
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


# --- What listed customers hold -------------------------------------------------------------


@dataclasses.dataclass
class Listed:
    """A customer on a preview's page: what a person reads, and what of it would go."""

    id: int
    name: str
    kind: str
    section_id: int
    last_activity_at: datetime.datetime
    created_at: datetime.datetime
    goes: dict  # category → count of what the purge removes
    final_deletion: datetime.date = None  # minimised: when the customer goes too
    holds: tuple = ()  # held: why the purge leaves it (Hold, …)


def listed(customer_ids, action, keep_from, years=ACCOUNTING_YEARS):
    """Return the customers ``customer_ids`` (in that order) with what ``action`` removes."""
    if not customer_ids:
        return []
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(customer_ids))}
    goes = holdings(customer_ids, action, keep_from)
    newest = {}
    if action == MINIMISE:
        newest = dict(Invoice.select(Invoice.customer, pw.fn.MAX(Invoice.invoice_date))
                      .where(Invoice.customer.in_(customer_ids))
                      .group_by(Invoice.customer).tuples())
    rows = []
    for customer_id in customer_ids:
        c = customers.get(customer_id)
        if c is None:
            continue
        last = newest.get(customer_id)
        if isinstance(last, str):
            last = datetime.date.fromisoformat(last[:10])
        rows.append(Listed(
            id=c.id, name=c.display_name, kind=c.kind, section_id=c.section_id,
            last_activity_at=c.last_activity_at, created_at=c.created_at,
            goes=goes.get(customer_id, {}),
            final_deletion=final_deletion(last, years) if last else None))
    return rows


def listed_held(customer_ids, held):
    """Return the held customers ``customer_ids`` (in that order) with their holds
    (``held``: ``holds()``)."""
    if not customer_ids:
        return []
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(customer_ids))}
    return [Listed(id=c.id, name=c.display_name, kind=c.kind, section_id=c.section_id,
                   last_activity_at=c.last_activity_at, created_at=c.created_at, goes={},
                   holds=tuple(held.get(c.id, ())))
            for c in (customers.get(i) for i in customer_ids) if c is not None]


def holdings(customer_ids, action, keep_from):
    """Return ``{customer_id: {category: n}}``: what ``action`` would remove of each customer."""
    if not customer_ids:
        return {}
    result = {i: dict.fromkeys(COUNTED_CATEGORIES, 0) for i in customer_ids}
    which = 0 if action == DELETE else 1
    own = customer_fields()
    fields = sorted({f for pair in own.values() for f in pair[which]})
    columns = [Customer.id] + [getattr(Customer, f) for f in fields]
    for row in Customer.select(*columns).where(Customer.id.in_(customer_ids)).namedtuples():
        for category, pair in own.items():
            if any(getattr(row, f) is not None for f in pair[which]):
                result[row.id][category] += 1
    marks = ", ".join([db.param] * len(customer_ids))
    for model, category, condition in child_rows():
        condition = _minimise_condition(condition) if action == MINIMISE else None
        where = f" AND {condition}" if condition else ""
        sql, params = _bind(
            f"SELECT e.customer_id, COUNT(*) FROM {model._meta.table_name} AS e"
            f" WHERE e.customer_id IN ({marks}){where} GROUP BY e.customer_id",
            {"keep_from": keep_from})
        # The ids come first in the statement, :keep_from (if any) after them.
        for customer_id, count in db.execute_sql(sql, list(customer_ids) + params):
            result[customer_id][category] += count
    return result


# --- Runs: preview, confirm, execute --------------------------------------------------------


def start_preview(snapshot, result, actor):
    """Record a controller's preview as a run waiting for confirmation; return the run.

    The actor's earlier unconfirmed previews are superseded. Audited as "preview".
    """
    with database.write_transaction():
        PurgeRun.update(state="superseded").where(
            (PurgeRun.state == "previewed") & (PurgeRun.previewed_by == actor.id)
            & (PurgeRun.kind == "purge")).execute()
        run = PurgeRun.create(
            kind="purge", state="previewed", sections=" ".join(snapshot.codes),
            policy=snapshot.policy_json(), keep_from=snapshot.keep_from,
            accounting_years=snapshot.accounting_years, fingerprint=result.fingerprint,
            planned=json.dumps(result.planned(), sort_keys=True),
            total=result.to_delete + result.to_minimise,
            previewed_by=actor.id, previewed_at=snapshot.as_of)
        record_preview(actor, snapshot, run)
    return run


def record_preview(actor, snapshot, run=None):
    """Audit a look at a preview (inside the caller's transaction, or its own)."""
    codes = snapshot.codes
    audit.record("preview", actor, object_type=AUDIT_OBJECT_TYPE,
                 object_id=run.id if run is not None else None,
                 section=codes[0] if len(codes) == 1 else None)


class SetChanged(RegisterError):
    """The customers to purge are no longer those the preview showed."""

    def __init__(self):
        super().__init__(N_("The customers to purge have changed since the preview, so it was "
                            "not confirmed. Check the fresh preview below and confirm it if it "
                            "is right."))


class PolicyChanged(RegisterError):
    """A retention period changed after the preview was made."""

    def __init__(self):
        super().__init__(N_("A retention period has changed since the preview, so it was not "
                            "confirmed. Check the fresh preview below and confirm it if it is "
                            "right."))


def _check_unchanged(run, snapshot):
    """Return the fresh preview of ``run``; raise PolicyChanged or SetChanged when it differs."""
    current = policy_months()
    for section in snapshot.sections:
        if current.get(section.id, DEFAULT_RETENTION_MONTHS) != snapshot.months.get(section.code):
            raise PolicyChanged()
    result = preview(snapshot)
    if result.fingerprint != run.fingerprint:
        raise SetChanged()
    return result


def _locked_run(run_id):
    """Read the run, locking it until the transaction ends (PostgreSQL; SQLite holds the
    database's write lock already)."""
    query = PurgeRun.select().where(PurgeRun.id == run_id)
    if not database.is_sqlite():
        query = query.for_update()
    run = query.first()
    if run is None:
        raise RegisterError(N_("There is no such purge run."))
    return run


def unfinished_run(exclude=None):
    """Return a confirmed or running purge that has not finished, or None."""
    query = PurgeRun.select().where(PurgeRun.state.in_(("confirmed", "running"))
                                    & (PurgeRun.kind == "purge"))
    if exclude is not None:
        query = query.where(PurgeRun.id != exclude)
    return query.order_by(PurgeRun.id).first()


def confirm(run_id, actor):
    """Confirm the previewed run ``run_id``: its customers become its work list.

    Refused (RegisterError) unless the run is a preview waiting for confirmation and no
    other purge is unfinished. When the policy or the customers changed since the preview,
    the run is marked stale and PolicyChanged or SetChanged is raised.
    """
    refusal = None
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.kind != "purge" or run.state != "previewed":
            raise RegisterError(N_("This preview can no longer be confirmed: it was confirmed "
                                   "already or replaced by a newer one. Make a new preview."))
        other = unfinished_run(exclude=run.id)
        if other is not None:
            raise RegisterError(N_("Purge %(id)s has not finished yet. Finish it first, then "
                                   "make a new preview."), id=other.id)
        snapshot = Snapshot.of_run(run)
        try:
            result = _check_unchanged(run, snapshot)
        except RegisterError as error:
            refusal = error
        if refusal is None:
            _insert_items(run.id, result.items())
            now = utcnow()
            run.state, run.confirmed_by, run.confirmed_at = "confirmed", actor.id, now
            run.total = result.to_delete + result.to_minimise
            run.save()
            audit.record("confirm", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
    if refusal is not None:
        _mark_stale(run.id, actor, "confirm_refused")
        raise refusal
    return run


def _mark_stale(run_id, actor, action):
    with database.write_transaction():
        PurgeRun.update(state="stale").where(PurgeRun.id == run_id).execute()
        PurgeItem.delete().where(PurgeItem.run == run_id).execute()
        audit.record(action, actor, object_type=AUDIT_OBJECT_TYPE, object_id=run_id)


def _insert_items(run_id, items, chunk=1000):
    rows = []
    for customer_id, action in items:
        rows.append((run_id, customer_id, action))
        if len(rows) >= chunk:
            PurgeItem.insert_many(rows, fields=[PurgeItem.run, PurgeItem.customer_id,
                                                PurgeItem.action]).execute()
            rows = []
    if rows:
        PurgeItem.insert_many(rows, fields=[PurgeItem.run, PurgeItem.customer_id,
                                            PurgeItem.action]).execute()


def _audit_section(run):
    codes = run.sections.split()
    return codes[0] if len(codes) == 1 else None


def start(run_id, actor=None, record_resume=True):
    """Make a confirmed run running; a running one (interrupted) is resumed as it is.

    ``record_resume``: audit going on with a running run as "purge_resume" (the page,
    which purges in many short steps, records only the start).

    Before the first batch the customers are checked once more against the preview: a run
    whose set changed meanwhile is marked stale and SetChanged (or PolicyChanged) raised.
    Refused for a run that is not confirmed. Returns the run.
    """
    refusal = None
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.state in ("running", "finished"):
            if run.state == "running" and record_resume:
                audit.record("purge_resume", actor, object_type=AUDIT_OBJECT_TYPE,
                             object_id=run.id, section=_audit_section(run))
            return run
        if run.state != "confirmed":
            raise RegisterError(N_("Purge %(id)s has not been confirmed: only a purge the "
                                   "controller confirmed on the preview page can be run."),
                                id=run.id)
        if run.kind == "purge":
            try:
                _check_unchanged(run, Snapshot.of_run(run))
            except RegisterError as error:
                refusal = error
        if refusal is None:
            now = utcnow()
            run.state, run.started_at, run.progress_at = "running", now, now
            run.save()
            audit.record("purge_start", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
    if refusal is not None:
        _mark_stale(run.id, actor, "purge_refused")
        raise refusal
    return run


def run_batch(run_id, batch_size=BATCH_SIZE, actor=None, inside_batch=None):
    """Purge the next ``batch_size`` customers of a running run in one transaction.

    Returns the run; its state is "finished" when the work list is empty. ``inside_batch``
    (for tests of crash safety) is called inside the transaction after the first group of
    customers was purged, before the batch commits.
    """
    with database.write_transaction():
        run = _locked_run(run_id)
        if run.state != "running":
            return run
        items = list(PurgeItem.select().where(PurgeItem.run == run.id)
                     .order_by(PurgeItem.customer_id).limit(batch_size))
        if items:
            snapshot = Snapshot.of_run(run)
            done = json.loads(run.done or "{}")
            counts = _purge_items(run, snapshot, items, done, inside_batch)
            PurgeItem.delete().where((PurgeItem.run == run.id) & PurgeItem.customer_id.in_(
                [i.customer_id for i in items])).execute()
            run.done = json.dumps(done, sort_keys=True)
            run.processed += len(items)
            run.deleted += counts[DELETE]
            run.minimised += counts[MINIMISE]
            run.skipped += counts["skipped"] + counts["held"]
        now = utcnow()
        run.progress_at = now
        if not PurgeItem.select().where(PurgeItem.run == run.id).exists():
            run.state, run.finished_at = "finished", now
            audit.record("purge_end", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                         section=_audit_section(run))
        run.save()
    return run


def execute(run_id, batch_size=BATCH_SIZE, actor=None, seconds=None, progress=None,
            inside_batch=None, clock=None, record_resume=True):
    """Start or resume the run and purge batch after batch; return the run.

    Stops when the run finishes or, with ``seconds``, once that long has passed (the page
    purges in such steps). ``progress(run)`` is called after each batch.
    """
    import time

    clock = clock or time.monotonic
    deadline = None if seconds is None else clock() + seconds
    run = start(run_id, actor, record_resume)
    while run.state == "running":
        run = run_batch(run_id, batch_size, actor, inside_batch)
        if progress is not None:
            progress(run)
        if deadline is not None and clock() >= deadline:
            break
    return run


def _lock_customers(ids):
    """Lock the customers ``ids`` and their contact persons until the transaction ends.

    PostgreSQL: a request or a disclosure that would name one of them (its row's foreign
    key takes a share lock on the customer or contact person) waits until the batch has
    committed, so the holds read after this are the holds the batch acts on. SQLite: the
    write transaction holds the database's write lock already.
    """
    if database.is_sqlite():
        return
    Customer.select(Customer.id).where(Customer.id.in_(ids)).for_update().execute()
    (ContactPerson.select(ContactPerson.id).where(ContactPerson.customer.in_(ids))
     .for_update().execute())


def _purge_items(run, snapshot, items, done, inside_batch):
    """Delete or minimise the customers of ``items``; add the counts to ``done``."""
    ids = [i.customer_id for i in items]
    _lock_customers(ids)
    held = holds(ids)
    fields = sorted({f for pair in customer_fields().values() for f in pair[0] + pair[1]})
    columns = [Customer.id, Customer.section, Customer.last_activity_at, Customer.created_at]
    columns += [getattr(Customer, f) for f in fields]
    customers = {c.id: c for c in Customer.select(*columns).where(Customer.id.in_(ids))
                 .namedtuples()}
    kept = {row[0] for row in Invoice.select(Invoice.customer).where(
        Invoice.customer.in_(ids) & (Invoice.invoice_date >= snapshot.keep_from)).tuples()}
    codes = {s.id: s.code for s in Section.select(Section.id, Section.code)}
    groups = {}
    totals = {DELETE: 0, MINIMISE: 0, "skipped": 0, "held": 0}
    for item in items:
        c = customers.get(item.customer_id)
        code = codes.get(c.section) if c is not None else None
        why = None
        if c is None or (run.kind == "purge" and not _still_unused(c, snapshot, code)):
            why = "skipped"  # active again, or gone
        elif c.id in held:
            why = "held"  # a request or disclosure named it after the preview
        if why is not None:
            totals[why] += 1
            if code is not None:
                section = done.setdefault(code, {})
                section[why] = section.get(why, 0) + 1
            continue
        action = MINIMISE if item.action == MINIMISE or c.id in kept else DELETE
        groups.setdefault((code, action), []).append(c)
    first = True
    for (code, action), group in sorted(groups.items()):
        counts = _delete(group) if action == DELETE else _minimise(group, snapshot.keep_from)
        section = done.setdefault(code, {})
        into = section.setdefault(action, _empty_counts())
        for key, value in counts.items():
            into[key] = into.get(key, 0) + value
        totals[action] += len(group)
        if first and inside_batch is not None:
            inside_batch()
        first = False
    return totals


def _still_unused(customer, snapshot, code):
    cutoff = snapshot.cutoffs.get(code)
    if cutoff is None:
        return False
    last = customer.last_activity_at or customer.created_at
    if isinstance(last, str):
        last = datetime.datetime.fromisoformat(last)
    return last < cutoff


def _field_counts(customers, which):
    counts = {}
    for category, pair in customer_fields().items():
        counts[category] = sum(
            1 for c in customers if any(getattr(c, f) is not None for f in pair[which]))
    return counts


def _delete_rows(model, ids, condition, keep_from):
    marks = ", ".join([db.param] * len(ids))
    where = f" AND {condition}" if condition else ""
    sql, params = _bind(f"DELETE FROM {model._meta.table_name} AS e"
                        f" WHERE e.customer_id IN ({marks}){where}", {"keep_from": keep_from})
    return db.execute_sql(sql, list(ids) + params).rowcount


def _delete(customers):
    """Delete the customers and every row they hold; return the counts per category."""
    ids = [c.id for c in customers]
    counts = _empty_counts()
    for model, category, _condition in child_rows():
        counts[category] += _delete_rows(model, ids, None, None)
    # Rows of other features that name the customer (inspection subjects, disclosure
    # links) go with it by ON DELETE CASCADE.
    counts["customers"] = Customer.delete().where(Customer.id.in_(ids)).execute()
    return counts


def _minimise(customers, keep_from):
    """Strip the customers down to their accounting record; return the counts per category."""
    ids = [c.id for c in customers]
    counts = _empty_counts()
    counts.update(_field_counts(customers, 1))
    for model, category, condition in child_rows():
        counts[category] += _delete_rows(model, ids, _minimise_condition(condition), keep_from)
    now = utcnow()
    Customer.update({**{getattr(Customer, f): None for f in minimised_fields()},
                     Customer.minimised_at: now,
                     **next_version(Customer), Customer.updated_at: now}
                    ).where(Customer.id.in_(ids)).execute()
    refresh_city(*ids)
    counts["customers"] = len(ids)
    return counts


# --- Erasure of one subject (GDPR Art. 17) ----------------------------------------------------


@dataclasses.dataclass
class ErasurePlan:
    """What erasing one customer would do now."""

    customer: Customer
    action: str
    goes: dict  # category → count
    kept_invoices: int
    final_deletion: datetime.date = None
    holds: list = dataclasses.field(default_factory=list)  # [Hold]: erasure refused while any


def erasure_plan(customer, accounting_years=ACCOUNTING_YEARS, now=None):
    """Return what erasing ``customer`` would remove, and whether it would be minimised."""
    keep_from = keeping_starts(helsinki_today(now), accounting_years)
    kept = (Invoice.select(pw.fn.COUNT(Invoice.id), pw.fn.MAX(Invoice.invoice_date))
            .where((Invoice.customer == customer.id) & (Invoice.invoice_date >= keep_from))
            .tuples().first())
    count, newest = kept or (0, None)
    action = MINIMISE if count else DELETE
    if isinstance(newest, str):
        newest = datetime.date.fromisoformat(newest[:10])
    goes = holdings([customer.id], action, keep_from)[customer.id]
    return ErasurePlan(customer=customer, action=action, goes=goes, kept_invoices=count or 0,
                       final_deletion=final_deletion(newest, accounting_years) if newest else None,
                       holds=holds([customer.id]).get(customer.id, []))


def erase(customer_id, actor, received_on, accounting_years=ACCOUNTING_YEARS, now=None):
    """Erase one customer on the subject's request, decided by ``actor``; return the run.

    Recorded as a run of one customer (kind "erasure"), audited like a purge; a customer
    with invoices still kept is minimised, not deleted. Refused (:class:`Held`) while the
    customer is held by an open request or a disclosure not carried out.
    """
    if not isinstance(received_on, datetime.date):
        raise RegisterError(N_("Enter the date the request was received."))
    now = now or utcnow()
    if received_on > helsinki_today(now):
        raise RegisterError(N_("The date the request was received cannot be in the future."))
    keep_from = keeping_starts(helsinki_today(now), accounting_years)
    with database.write_transaction():
        customer = Customer.get_or_none(Customer.id == customer_id)
        if customer is None:
            raise RegisterError(N_("There is no such customer: it may have been erased "
                                   "already."))
        _lock_customers([customer.id])
        plan = erasure_plan(customer, accounting_years, now)
        if plan.holds:
            raise Held(plan.holds)
        section = Section.get_by_id(customer.section_id)
        planned = {section.code: {plan.action: {"customers": 1, **plan.goes}}}
        run = PurgeRun.create(
            kind="erasure", state="confirmed", sections=section.code,
            policy=json.dumps({"as_of": now.isoformat(), "sections": {}}),
            keep_from=keep_from, accounting_years=accounting_years,
            fingerprint=hashlib.sha256(f"erasure:{customer.id}:{plan.action}".encode())
            .hexdigest(),
            planned=json.dumps(planned, sort_keys=True), total=1,
            previewed_by=actor.id, previewed_at=now, confirmed_by=actor.id, confirmed_at=now,
            request_received_on=received_on)
        PurgeItem.create(run=run.id, customer_id=customer.id, action=plan.action)
        audit.record("confirm", actor, object_type=AUDIT_OBJECT_TYPE, object_id=run.id,
                     section=section.code)
    return execute(run.id, actor=actor)


def erasure_search(term, actor, limit):
    """Return up to ``limit`` customers matching ``term`` for an erasure decision; each one
    found is a read of that customer in the audit log (seed §14)."""
    found = list(Customer.select().where(customer_search_condition(term))
                 .order_by(Customer.sort_name, Customer.id).limit(limit))
    with database.write_transaction():
        audit.record("search", actor, object_type="customer")
        audit.record_reads("search", actor, found, "erasure")
    return found


def record_erasure_view(customer, actor):
    """Audit that ``actor`` opened ``customer``'s erasure plan."""
    with database.write_transaction():
        audit.record("view", actor, object_type="customer", object_id=customer.id,
                     section=Section.get_by_id(customer.section_id).code, fields=["erasure"])


# --- Reading runs ---------------------------------------------------------------------------


def counts_of(run, which="done"):
    """Return a run's planned or done counts: ``{code: {action: {category: n}, …}}``."""
    return json.loads(getattr(run, which) or "{}")


def logged_runs(limit=100):
    """Return the runs of the purge log, newest first: every confirmed purge and erasure."""
    return list(PurgeRun.select().where(PurgeRun.state.in_(("confirmed", "running", "finished")))
                .order_by(PurgeRun.id.desc()).limit(limit))
