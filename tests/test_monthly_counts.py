"""The monthly counts kept by triggers (migration 037, services/monthly_counts.py) and each
customer's counted rows (migration 038, services/customer_rows.py): exact after random
writes of every shape to customers and their rows, on SQLite and PostgreSQL; in
Helsinki's months; and what the statistics and the purge preview read."""

import datetime
import decimal
import random

import pytest

import database
from models import (
    CHANNELS,
    DIRECTIONS,
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Invoice,
    Prohibition,
    Purchase,
    Section,
    db,
    utcnow,
)
from services import customer_counts, customer_rows, monthly_counts
from services.retention.conditions import child_rows
from services import statistics as stats
from services.customers import refresh_last_activity
from services.localtime import HELSINKI, to_helsinki
from tests.test_customer_counts import insert, random_values

SERVICES = ("Kokouspaketti", "Opastus", "Messuosasto")


def near_a_month_end(rng):
    """A time within an hour or two of a Helsinki month's first moment, any season."""
    day = datetime.date(rng.choice((2024, 2025, 2026)), rng.randint(1, 12), 1)
    return (datetime.datetime.combine(day, datetime.time())
            + datetime.timedelta(minutes=rng.randint(-200, 200)))


def a_time(rng):
    return near_a_month_end(rng) if rng.random() < 0.6 else (
        utcnow() - datetime.timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 999)))


def a_day(rng):
    return datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(-60, 400))


def event(rng, customer_id):
    return {"customer": customer_id, "occurred_at": a_time(rng),
            "channel": rng.choice(CHANNELS), "direction": rng.choice(DIRECTIONS),
            "summary": "Yhteydenotto"}


def purchase(rng, customer_id):
    return {"customer": customer_id, "service": rng.choice(SERVICES),
            "purchased_on": a_day(rng),
            "amount": rng.choice((None, decimal.Decimal("37.80"), decimal.Decimal("0.10")))}


def invoice(rng, customer_id, number):
    day = a_day(rng)
    paid = rng.random() < 0.5
    return {"customer": customer_id, "number": f"M-{number}", "invoice_date": day,
            "due_date": day + datetime.timedelta(days=14),
            "amount": decimal.Decimal(rng.randint(1, 99999)) / 100,
            "paid_on": day + datetime.timedelta(days=rng.randint(0, 60)) if paid else None,
            "collection_state": "paid" if paid else "open"}


def _step(rng, step, customers, sections, numbers):
    """Write one random change of kind ``step``; return the customers left."""
    some = rng.sample(customers, min(len(customers), 3))
    if step == "customer" or not customers:
        values = random_values(rng, sections)
        values["created_at"] = a_time(rng)
        customer = insert(values)
        customer.save()
        customers.append(customer.id)
    elif step == "events":
        ContactEvent.insert_many([event(rng, c) for c in some for _ in range(2)]).execute()
    elif step == "purchases":
        Purchase.insert_many([purchase(rng, c) for c in some]).execute()
    elif step == "invoices":
        Invoice.insert_many([invoice(rng, c, next(numbers)) for c in some]).execute()
    elif step == "change_event":
        ContactEvent.update(occurred_at=a_time(rng), channel=rng.choice(CHANNELS)).where(
            ContactEvent.customer.in_(some)).execute()
    elif step == "change_purchase":
        Purchase.update(service=rng.choice(SERVICES), purchased_on=a_day(rng)).where(
            Purchase.customer.in_(some)).execute()
    elif step == "pay":
        Invoice.update(paid_on=a_day(rng), collection_state="paid").where(
            Invoice.customer.in_(some)).execute()
    elif step == "unpay_or_amount":
        Invoice.update(paid_on=None, amount=Invoice.amount + 1).where(
            Invoice.customer.in_(some)).execute()
    elif step == "reminded":  # a change no count is about
        Invoice.update(collection_state="reminded").where(
            Invoice.customer.in_(some)).execute()
    elif step == "give_rows_to_another":
        ContactEvent.update(customer=rng.choice(customers)).where(
            ContactEvent.customer.in_(some)).execute()
        Invoice.update(customer=rng.choice(customers)).where(
            Invoice.customer.in_(some)).execute()
    elif step == "delete_rows":
        for model in (ContactEvent, Purchase, Invoice):
            model.delete().where(model.customer.in_(some[:1])).execute()
    elif step == "other_rows":
        for c in some:
            Address.create(customer=c, kind="postal", street="Tie 1", postal_code="00100",
                           city="Helsinki")
            person = ContactPerson.create(customer=c, first_name="Kaisa", last_name="Kontakti")
            Prohibition.create(customer=c, contact_person=person, purpose="direct_marketing",
                               action="given", effective_on=a_day(rng), source="letter")
            Demographics.insert(customer=c, profession="opettaja").on_conflict_ignore().execute()
    elif step == "delete_other_rows":  # a contact person's prohibitions go by cascade
        ContactPerson.delete().where(ContactPerson.customer.in_(some[:2])).execute()
        Address.delete().where(Address.customer.in_(some[:1])).execute()
    elif step == "move":
        Customer.update(section=rng.choice(sections)).where(Customer.id.in_(some)).execute()
    elif step == "activity":  # last active at another time, or never (the purge's range)
        for c in some:
            Customer.update(last_activity_at=rng.choice([a_time(rng), None])).where(
                Customer.id == c).execute()
    elif step == "recreate":  # a customer's registration time corrected
        Customer.update(created_at=a_time(rng)).where(Customer.id.in_(some[:1])).execute()
    elif step == "delete":  # its rows go by ON DELETE CASCADE
        Customer.delete().where(Customer.id.in_(some[:2])).execute()
        customers = [c for c in customers if c not in some[:2]]
    elif step == "purge":  # as the retention purge: the counted rows, the rows, the customers
        condition, params = database.one_of("customer_id", some)
        db.execute_sql(f"DELETE FROM customer_rows WHERE {condition}", params)
        for model in (ContactEvent, Purchase, Invoice):
            model.delete().where(model.customer.in_(some)).execute()
        Customer.delete().where(Customer.id.in_(some)).execute()
        customers = [c for c in customers if c not in some]
    else:
        with pytest.raises(RuntimeError), db.atomic():
            ContactEvent.insert_many([event(rng, c) for c in some]).execute()
            Customer.update(section=rng.choice(sections)).execute()
            raise RuntimeError("the transaction is rolled back")
    return customers


STEPS = ("customer", "events", "purchases", "invoices", "change_event", "change_purchase",
         "pay", "unpay_or_amount", "reminded", "give_rows_to_another", "delete_rows",
         "other_rows", "delete_other_rows", "move", "activity", "recreate", "delete",
         "purge", "rolled_back")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_counts_equal_a_recount_after_random_writes(app, seed):
    rng = random.Random(seed)
    sections = [s.id for s in Section.select()]
    customers, numbers = [], iter(range(10**6))
    for _ in range(8):
        customers = _step(rng, "customer", customers, sections, numbers)
    done = set()
    for _ in range(90):
        step = rng.choice(STEPS)
        customers = _step(rng, step, customers, sections, numbers)
        assert monthly_counts.differences() == [], step
        assert customer_rows.differences() == [], step
        done.add(step)
    assert done == set(STEPS)
    customers = _step(rng, "customer", customers, sections, numbers)
    _step(rng, "events", customers, sections, numbers)
    kept = db.execute_sql("SELECT sum(n) FROM monthly_count WHERE measure = 'events'")
    assert kept.fetchone()[0] == ContactEvent.select().count() > 0


def test_every_table_of_a_customers_data_is_counted_per_customer(app):
    """A new table of a customer's data is still previewed right (looked into), but slowly
    until a migration counts it: this fails first."""
    tables = {model._meta.table_name for model, _category, _condition in child_rows()}
    assert tables == set(customer_rows.TABLES)
    columns = {c.name for c in db.get_columns("customer_rows")}
    assert columns == set(customer_rows.TABLES) | {"customer_id", "last_invoice_date",
                                                   "section_id", "last_activity_at"}


def test_a_contact_counts_in_its_helsinki_month(app):
    """The first and last hour of a month in Helsinki are another month in UTC; summer
    time moves that hour (October ends in winter time, April begins in summer time)."""
    tourism = Section.get(code="tourism").id
    customer = insert({"section": tourism, "kind": "company", "name": "Oy",
                       "language": "fi"})
    customer.save()
    moments = [datetime.datetime(2026, 1, 31, 22, 30),  # 1 Feb 00:30 in Helsinki
               datetime.datetime(2026, 1, 31, 21, 30),  # 31 Jan 23:30
               datetime.datetime(2026, 3, 31, 21, 30),  # 1 Apr 00:30 (summer time)
               datetime.datetime(2026, 3, 31, 20, 30),  # 31 Mar 23:30
               datetime.datetime(2026, 10, 31, 21, 30),  # 31 Oct 23:30 (winter time)
               datetime.datetime(2026, 10, 31, 22, 30)]  # 1 Nov 00:30
    for moment in moments:
        ContactEvent.create(customer=customer, occurred_at=moment, channel="phone",
                            direction="in", summary="Soitto")
    table = stats.contact_events(stats.month_range("2026-01", "2026-11"))
    expected = {}
    for moment in moments:
        month = to_helsinki(moment.replace(tzinfo=datetime.timezone.utc)).strftime("%Y-%m")
        expected[month] = expected.get(month, 0) + 1
    assert expected == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 1,
                        "2026-10": 1, "2026-11": 1}
    assert {m: table.values[(m, "phone/in")] for m in table.rows
            if table.values[(m, "phone/in")]} == expected


def test_every_helsinki_month_starts_where_zoneinfo_says(app):
    """SQLite looks the month up in helsinki_month, PostgreSQL converts: both agree with
    Python's zoneinfo at each month's first moment and a second before it, 1900–2100."""
    tourism = Section.get(code="tourism").id
    customer = insert({"section": tourism, "kind": "company", "name": "Oy", "language": "fi"})
    customer.save()
    rows = []
    for year in (1900, 1942, 1980, 1981, 1995, 1996, 2026, 2100):
        for month in range(1, 13):
            start = datetime.datetime(year, month, 1, tzinfo=HELSINKI)
            start = start.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            for moment in (start, start - datetime.timedelta(seconds=1)):
                rows.append({"customer": customer.id, "occurred_at": moment,
                             "channel": "web", "direction": "in", "summary": "Lomake"})
    ContactEvent.insert_many(rows).execute()
    kept = {month: n for _, month, _, n, _, _ in monthly_counts.read(
        "events", [tourism], datetime.date(1899, 12, 1), datetime.date(2101, 2, 1))}
    expected = {}
    for row in rows:
        aware = row["occurred_at"].replace(tzinfo=datetime.timezone.utc)
        month = to_helsinki(aware).strftime("%Y-%m")
        expected[month] = expected.get(month, 0) + 1
    assert kept == expected


def test_the_statistics_read_the_kept_counts(app):
    tourism = Section.get(code="tourism").id
    filters = stats.month_range("2026-01", "2026-01")
    # A count put there by hand is what the page shows: nothing is counted from rows.
    db.execute_sql("INSERT INTO monthly_count (section_id, measure, month, value, n,"
                   f" customers, cents) VALUES ({tourism}, 'events', '2026-01', 'email/out',"
                   " 17, 0, 0), "
                   f"({tourism}, 'invoiced', '2026-01', '', 8, 6, 123456)")
    assert stats.contact_events(filters).values[("2026-01", "email/out")] == 17
    table = stats.invoicing(filters)
    assert table.values[("2026-01", "invoices")] == 8
    assert table.values[("2026-01", "invoiced")] == decimal.Decimal("1234.56")
    assert table.contributors[("2026-01", "invoiced")] == 6


def test_a_service_is_named_by_its_buyers_over_the_whole_period(app):
    """Three customers in January and three others in February are six buyers (named);
    the same three in both months are three (among "other services")."""
    tourism = Section.get(code="tourism").id
    buyers = []
    for i in range(6):
        customer = insert({"section": tourism, "kind": "company", "name": f"Oy {i}",
                           "language": "fi"})
        customer.save()
        buyers.append(customer)
    for month, who in ((1, buyers[:3]), (2, buyers[3:])):
        for customer in who:
            Purchase.create(customer=customer, service="Opastus",
                            purchased_on=datetime.date(2026, month, 10))
    for month in (1, 2):
        for customer in buyers[:3]:
            Purchase.create(customer=customer, service="Kokouspaketti",
                            purchased_on=datetime.date(2026, month, 11))
    table = stats.purchases(stats.month_range("2026-01", "2026-02"))
    assert table.rows == ["Opastus", stats.OTHER]
    assert table.values[("Opastus", "2026-02")] == 3
    assert table.values[(stats.OTHER, "2026-01")] == 3


def test_recount_puts_the_monthly_counts_right(app, runner):
    tourism = Section.get(code="tourism").id
    customer = insert({"section": tourism, "kind": "company", "name": "Oy", "language": "fi",
                       "created_at": datetime.datetime(2026, 5, 4, 12)})
    customer.save()
    db.execute_sql("UPDATE monthly_count SET n = 4 WHERE measure = 'customers'")
    result = runner.invoke(args=["statistics", "recount"])
    assert result.exit_code == 1
    assert (f"section {tourism} customers 2026-05 '': kept (4, 1, 0), counted (1, 1, 0)"
            in result.output)
    assert monthly_counts.differences() == []
    result = runner.invoke(args=["statistics", "recount"])
    assert result.exit_code == 0 and "every kept count was exact" in result.output


def test_recount_puts_each_customers_counted_rows_right(app, runner):
    tourism = Section.get(code="tourism").id
    customer = insert({"section": tourism, "kind": "company", "name": "Oy", "language": "fi"})
    customer.save()
    ContactEvent.create(customer=customer, occurred_at=utcnow(), channel="web",
                        direction="in", summary="Lomake")
    refresh_last_activity(customer.id)
    business = Section.get(code="business").id
    db.execute_sql("UPDATE customer_rows SET contact_event = 3, invoice = 1,"
                   f" section_id = {business}, last_activity_at = NULL")
    result = runner.invoke(args=["statistics", "recount"])
    assert result.exit_code == 1
    assert f"customer {customer.id} contact_event: kept 3, counted 1" in result.output
    assert f"customer {customer.id} invoice: kept 1, counted 0" in result.output
    assert f"customer {customer.id} last_activity_at: kept None, counted" in result.output
    assert f"customer {customer.id} section_id: kept {business}, counted {tourism}" \
        in result.output
    assert customer_rows.differences() == []
    assert db.execute_sql("SELECT section_id FROM customer_rows WHERE customer_id = "
                          f"{customer.id}").fetchone()[0] == tourism


def test_no_trigger_joins_its_old_rows_with_its_new_rows(app, db_kind):
    """A statement trigger's plan is made once per connection for the first transition
    table it sees and reused for any size: a join of the old and new rows planned for a
    few rows ran as a nested loop on thousands (migration 041)."""
    if db_kind == "sqlite":
        pytest.skip("PostgreSQL's statement triggers (SQLite's are per row)")
    functions = dict(db.execute_sql(
        "SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger AS t"
        " JOIN pg_proc AS p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal").fetchall())
    with_rows = [name for name, source in functions.items() if "old_rows" in source]
    assert len(with_rows) >= 15  # the list's blocks, the counts, the monthly and row counts
    joined = [name for name, source in functions.items()
              if "JOIN old_rows" in source or "JOIN new_rows" in source]
    assert joined == []


def test_the_events_are_counted_without_grouping_them_by_customer(app, db_kind):
    """The events' measure counts no customers: grouping a statement's events by customer
    first made a group of almost every event (migration 046)."""
    if db_kind == "sqlite":
        pytest.skip("PostgreSQL's statement triggers (SQLite's are per row)")
    source = db.execute_sql("SELECT prosrc FROM pg_proc"
                            " WHERE proname = 'contact_event_monthly_after'").fetchone()[0]
    assert source.count("'events' AS measure") == 2
    counting = source.split("pg_advisory_xact_lock", 1)[1]  # after the UPDATE's check
    assert counting.count("customer_id") == counting.count("x.id = e.customer_id") == 2


def test_bulk_updates_after_a_single_one_keep_every_count(app):
    """A one-row update first (the triggers' plans made for one row), then updates of
    many customers and rows that change nothing counted, and some that do."""
    rng = random.Random(7)
    sections = [s.id for s in Section.select()]
    customers, numbers = [], iter(range(10**6))
    for _ in range(40):
        customers = _step(rng, "customer", customers, sections, numbers)
    ContactEvent.insert_many([event(rng, c) for c in customers]).execute()
    Invoice.insert_many([invoice(rng, c, next(numbers)) for c in customers]).execute()
    Customer.update(own_info="yksi").where(Customer.id == customers[0]).execute()
    Invoice.update(collection_state="reminded").where(
        Invoice.customer == customers[0]).execute()
    Customer.update(own_info="kaikki").execute()  # nothing counted changes
    Invoice.update(collection_state="reminded").execute()
    Customer.update(postal_code="00990").where(Customer.id.in_(customers[::2])).execute()
    Customer.update(section=sections[-1]).where(Customer.id.in_(customers[::3])).execute()
    ContactEvent.update(channel=CHANNELS[0]).execute()
    Invoice.update(paid_on=None).where(Invoice.customer.in_(customers[1::2])).execute()
    assert monthly_counts.differences() == []
    assert customer_rows.differences() == []
    assert customer_counts.differences() == []
