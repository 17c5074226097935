"""What the bench times: one function per operation, all listed in ``OPERATIONS``.

An operation function takes the :class:`bench.harness.Bench` (the app, its logged-in clients
and the customers and terms picked from the data) and returns an :class:`Operation`: how
to make one request through the register's own view, the same through Flask-Admin's
stock peewee view (the baseline), and the goals the issue sets. A later issue adds an
operation with one function and one line in ``OPERATIONS``.
"""

import html.parser
import itertools
import re
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import urlencode

from flask_admin.contrib.peewee import ModelView
from werkzeug.datastructures import MultiDict

from bench.dataset import HEAVY_NAME
from models import Customer

# The page the register lists per screen (RegisterModelView.page_size) and the stock one.
REGISTER_PAGE_SIZE = 25
NAIVE_PAGE_SIZE = ModelView.page_size

# The goal for every page: at most this much over its own raw SQL (p95); issue 18's (the
# first was 20).
OVERHEAD_GOAL_MS = 10.0


@dataclass
class Operation:
    """One thing a user does: how to request it through both views, and its goals.

    ``register`` and ``naive`` do the untimed set-up (the save fetches its form) and
    return the timed request: a function of no arguments returning the response.
    """

    url: str
    register: Callable[[], Callable]
    naive: Optional[Callable[[], Callable]]
    naive_url: Optional[str] = None
    naive_note: Optional[str] = None
    expect_status: int = 200
    # The raw SQL is replayed inside a write transaction (the save).
    write: bool = False
    goal_p95_ms: Optional[float] = None
    goal_times_faster_than_naive: Optional[float] = None
    # The goal for the register's pages; None where the page's own work is not SQL
    # (the statistics protect their tables in Python).
    goal_overhead_ms: Optional[float] = OVERHEAD_GOAL_MS
    note: Optional[str] = None


class NaiveCustomerView(ModelView):
    """Flask-Admin's peewee ModelView with its defaults: COUNT(*) per list, LIKE search."""

    column_searchable_list = (Customer.first_name, Customer.last_name, Customer.name,
                              Customer.email, Customer.business_id, Customer.phone)
    can_view_details = True


def _get(client, url):
    """Return the set-up of a plain GET: nothing to prepare, the request is timed."""
    return lambda: (lambda: client.get(url))


def _list_url(base, **args):
    args = {k: v for k, v in args.items() if v is not None}
    return base + ("?" + urlencode(args) if args else "")


# --- the operations ---------------------------------------------------------------------


def list_first_page(bench):
    """Open the customer list (first page, default sort)."""
    url, naive_url = "/customers/", bench.naive + "/"
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=25)


def list_page_10000(bench):
    """Open page 10 000 of the customer list (Flask-Admin counts pages from 0)."""
    url = _list_url("/customers/", page=9999)
    naive_url = _list_url(bench.naive + "/", page=9999)
    shown = max(0, min(REGISTER_PAGE_SIZE, bench.customers - 9999 * REGISTER_PAGE_SIZE))
    note = None if shown else (f"only {bench.customers} customers: page 10 000 is past the end "
                               "(the database still skips every row); see list_last_page")
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=25, note=note,
                     naive_note=f"the stock view shows {NAIVE_PAGE_SIZE} rows a page")


def list_last_page(bench):
    """Open the last page of the customer list (the deepest OFFSET there is)."""
    last = (bench.customers - 1) // REGISTER_PAGE_SIZE
    naive_last = (bench.customers - 1) // NAIVE_PAGE_SIZE
    url = _list_url("/customers/", page=last)
    naive_url = _list_url(bench.naive + "/", page=naive_last)
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=25,
                     note=f"page {last + 1}: not in the issue, the list goal applied")


def search_rare(bench):
    """Search the list for a full, unusual name that matches a handful of customers."""
    url = _list_url("/customers/", search=bench.rare_term)
    naive_url = _list_url(bench.naive + "/", search=bench.rare_term)
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=50, goal_times_faster_than_naive=20)


def search_common(bench):
    """Search the list for the most frequent surname."""
    url = _list_url("/customers/", search=bench.common_term)
    naive_url = _list_url(bench.naive + "/", search=bench.common_term)
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=50)


def detail(bench):
    """Open one customer's details (with its addresses, contacts, history and invoices)."""
    url = _list_url("/customers/details/", id=bench.customer_id)
    naive_url = _list_url(bench.naive + "/details/", id=bench.customer_id)
    return Operation(url, _get(bench.controller, url), _get(bench.controller, naive_url),
                     naive_url=naive_url, goal_p95_ms=30)


def save(bench):
    """Save the customer's edit form with one field changed (only the POST is timed)."""
    url = _list_url("/customers/edit/", id=bench.customer_id)
    naive_url = _list_url(bench.naive + "/edit/", id=bench.customer_id)
    counter = itertools.count(1)

    def posting(client, form_url):
        def prepare():
            page = client.get(form_url)
            if page.status_code != 200:
                raise RuntimeError(f"GET {form_url} answered {page.status_code}")
            fields = form_fields(page.get_data(as_text=True))
            fields.setlist("own_info", [f"Benchmark edit {next(counter)}"])
            return lambda: client.post(form_url, data=fields)
        return prepare

    return Operation(url, posting(bench.staff, url), posting(bench.staff, naive_url),
                     naive_url=naive_url, expect_status=302, write=True, goal_p95_ms=50,
                     naive_note="stock edit form (no inline rows, no audit, no version check)")


def statistics_page(bench):
    """Open the statistics page: every table of the last twelve months, all sections."""
    url = "/statistics/"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=150,
                     goal_overhead_ms=None,
                     note="no stock counterpart; issue 18's goal (the first was 3 000)")


def statistics_section(bench):
    """Open the statistics page for one section (contacts and invoices joined to it)."""
    url = "/statistics/?section=tourism"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=150,
                     goal_overhead_ms=None,
                     note="no stock counterpart; issue 18's goal (the first was 3 000)")


def report(bench):
    """Produce the inspection report page of one subject: the customer ``detail`` opens.

    The approved request naming that customer is made once, untimed, through the models.
    """
    url = f"/requests/{_approved_request(bench, bench.customer_id)}/report.html"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=300,
                     note="no stock counterpart")


# The heavy subject of an inspection request.
HEAVY_EVENTS, HEAVY_PERSONS, HEAVY_INVOICES = 10000, 50, 200


def report_heavy(bench):
    """The inspection report page of a heavy subject: a company of the tourism section with
    10 000 contact events, 50 contact persons and 200 invoices (made once, untimed)."""
    url = f"/requests/{_approved_request(bench, _heavy_subject(bench))}/report.html"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=300,
                     goal_overhead_ms=None,
                     note="no stock counterpart; its goal is the 300 ms alone (issue 18)")


def report_heavy_pdf(bench):
    """The same report as a PDF."""
    url = f"/requests/{_approved_request(bench, _heavy_subject(bench))}/report.pdf"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=1500,
                     goal_overhead_ms=None, note="no stock counterpart; PDF layout")


def _heavy_subject(bench):
    """Return the id of the heavy subject, adding it to the dataset the first time (its
    rows as the register holds them; the dataset keeps it for the next run)."""
    import datetime

    from models import ContactEvent, ContactPerson, Invoice, Section, db, utcnow

    with bench.app.app_context():
        db.connect(reuse_if_open=True)
        try:
            found = Customer.select(Customer.id).where(Customer.name == HEAVY_NAME).scalar()
            if found is not None:
                return found
            now = utcnow()
            with db.atomic():
                heavy = Customer.create(section=Section.get(Section.code == "tourism"),
                                        kind="company", name=HEAVY_NAME,
                                        business_id="0737546-2", last_activity_at=now)
                ContactPerson.insert_many(
                    [{"customer": heavy.id, "first_name": f"Henkilö{i}",
                      "last_name": "Raskas", "email": f"henkilo{i}@raskas.example"}
                     for i in range(HEAVY_PERSONS)]).execute()
                events = [{"customer": heavy.id, "direction": ("in", "out")[i % 2],
                           "channel": "email", "summary": f"Yhteydenotto {i}",
                           "occurred_at": now - datetime.timedelta(hours=i)}
                          for i in range(HEAVY_EVENTS)]
                for start in range(0, len(events), 500):
                    ContactEvent.insert_many(events[start:start + 500]).execute()
                today = now.date()
                Invoice.insert_many(
                    [{"customer": heavy.id, "number": f"HEAVY-{i}",
                      "invoice_date": today - datetime.timedelta(days=3 * i),
                      "due_date": today - datetime.timedelta(days=3 * i - 14),
                      "amount": "100.00"} for i in range(HEAVY_INVOICES)]).execute()
            return heavy.id
        finally:
            db.close()


def _approved_request(bench, customer_id):
    """Return the id of an approved inspection request with the customer as its only subject."""
    import datetime

    from models import InspectionRequest, InspectionSubject, db, utcnow

    requester = "Benchmark requester"
    with bench.app.app_context():
        db.connect(reuse_if_open=True)
        try:
            with db.atomic():
                found = (InspectionRequest.select(InspectionRequest.id)
                         .join(InspectionSubject)
                         .where((InspectionRequest.requester_name == requester)
                                & (InspectionRequest.decision == "approved")
                                & (InspectionSubject.customer == customer_id))
                         .scalar())
                if found is not None:
                    return found
                now = utcnow()
                section = Customer.select(Customer.section).where(
                    Customer.id == customer_id).scalar()
                req = InspectionRequest.create(
                    received_at=now, due_at=now + datetime.timedelta(days=7), channel="written",
                    requester_name=requester, section=section, registered_by=bench.controller_user,
                    identity_method="id_card", identity_checked_by=bench.controller_user,
                    identity_checked_at=now, decision="approved",
                    decided_by=bench.controller_user, decided_at=now)
                InspectionSubject.create(request=req, customer=customer_id,
                                         confirmed_by=bench.controller_user)
                return req.id
        finally:
            db.close()


def retention_preview(bench):
    """Open the purge preview of every section as the controller (it records a preview run)."""
    url = "/retention/"
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=500,
                     goal_overhead_ms=None,
                     note="no stock counterpart; issue 18's goal (the first was 2 000); "
                          "the page counts the sections side by side, "
                          "the raw SQL replays them one after another")


def marketing_count(bench):
    """Count the tourism section's Finnish marketing list: prohibitions, minimised customers
    and the private persons' consents (an EXISTS on migration 021's index for each)."""
    url = "/marketing/"

    def prepare():
        page = bench.staff.get(url)
        if page.status_code != 200:
            raise RuntimeError(f"GET {url} answered {page.status_code}")
        text = page.get_data(as_text=True)
        fields = {"csrf_token": form_fields_token(text),
                  "section": _options(text, "section")[0][0], "language": "fi", "kind": "", "postal_prefix": "",
                  "purpose": "direct_marketing", "counted": ""}
        return lambda: bench.staff.post(url, data=fields)

    return Operation(url, prepare, None, goal_overhead_ms=None,
                     note="no stock counterpart; four counts over the section's customers")


def _options(page_html, name):
    """Return ``(value, label)`` of the options of the select ``name`` (non-empty values)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page_html, re.S)
    found = re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]*)', select.group(1) if select
                       else "")
    return [(value, label) for value, label in found if value]


def duplicate_check(bench):
    """Check one new customer for duplicates: a person with the most frequent surname, in
    the busiest postal area, with an email, a birth date and a mobile number (services/
    duplicates: every kind of match is looked for)."""
    url = _list_url("/customers/duplicates/check/", section="tourism", kind="person",
                    first_name="Maria", last_name=bench.common_term, birth_date="1980-05-17",
                    email="maria.bench@example.fi", mobile="040 123 4567",
                    postal_code="00100", business_id=None)
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=20,
                     note="no stock counterpart; the issue's goal for the check of one "
                     "new customer")


def duplicates_page(bench):
    """Open the possible-duplicates page of a section: similar names, the first page."""
    url = _list_url("/customers/duplicates/", section="tourism", reason="similar_name")
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=2000,
                     note="no stock counterpart")


def duplicates_page_business_id(bench):
    """Open the possible-duplicates page of a section: the same Y-tunnus (a GROUP BY over
    the whole section)."""
    url = _list_url("/customers/duplicates/", section="tourism", reason="business_id")
    return Operation(url, _get(bench.controller, url), None, goal_p95_ms=2000,
                     note="no stock counterpart")


OPERATIONS = {
    "list_first_page": list_first_page,
    "list_page_10000": list_page_10000,
    "list_last_page": list_last_page,
    "search_rare": search_rare,
    "search_common": search_common,
    "detail": detail,
    "save": save,
    "statistics_page": statistics_page,
    "statistics_section": statistics_section,
    "report": report,
    "report_heavy": report_heavy,
    "report_heavy_pdf": report_heavy_pdf,
    "retention_preview": retention_preview,
    "marketing_count": marketing_count,
    "duplicate_check": duplicate_check,
    "duplicates_page": duplicates_page,
    "duplicates_page_business_id": duplicates_page_business_id,
}


# --- reading pages --------------------------------------------------------------------


class _FormReader(html.parser.HTMLParser):
    """Collect what a browser would submit from the page's admin form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = []
        self.page_token = None
        self._in_form = False
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.page_token is None:
            self.page_token = a.get("value")
        if tag == "form":
            self._in_form = "admin-form" in (a.get("class") or "")
            return
        if not self._in_form or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option = a
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [name, None, None]  # name, selected value, first value
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._option is not None:
            self._option.setdefault("_text", "")
            self._option["_text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option.get("value", self._option.get("_text", "").strip())
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in self._option:
                self._select[1] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            self.fields.append((name, selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the one newline right after <textarea> (HTML parsing rules).
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.fields.append((name, text))
            self._textarea = None


def form_fields_token(page_html):
    """Return the page's CSRF token (of its first form)."""
    reader = _FormReader()
    reader.feed(page_html)
    return reader.page_token


def form_fields(page_html):
    """Return the fields a browser would post from the page's admin form, CSRF token included."""
    reader = _FormReader()
    reader.feed(page_html)
    fields = MultiDict(reader.fields)
    if "csrf_token" not in fields and reader.page_token:
        fields["csrf_token"] = reader.page_token  # the stock form has none; CSRFProtect wants one
    if not fields:
        raise RuntimeError("no admin form on the page")
    return fields


_ROW = re.compile(r'<td class="list-buttons-column">')


def rows_shown(page_html):
    """Return how many rows a list page shows; None for a page that is not a list."""
    if "model-list" not in page_html:
        return None
    return len(_ROW.findall(page_html))
