"""The app under test: ``create_app`` with the stock view added, its logged-in clients,
and the facts the operations look up (search terms, the customer to open and save)."""

import gc
import os
import re
import tempfile

from peewee import fn

from bench.operations import NaiveCustomerView
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

PASSWORD = "benchmark password 2026"  # passes the policy; the bench database only
CONTROLLER = "bench-controller"
STAFF = "bench-staff-tourism"
NAIVE_ENDPOINT = "naive_customers"


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
        # As a server process does after start-up (app._freeze_start_up, skipped under
        # TESTING): the garbage collector's sweeps leave what start-up built alone. Without
        # it a page that makes many objects (a heavy subject's report) pays a third more.
        gc.freeze()

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
