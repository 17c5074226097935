"""Retention purge (seed §12) and erasure on request (GDPR Art. 17): the preview says exactly
what the purge removes; minimised customers keep exactly their accounting record until its
keeping period ends; a changed set is not confirmed; roles; a crash mid-purge leaves whole
customers and a rerun finishes the job; the log holds no personal data; the CLI; the
policy's history."""

import datetime
import json
import os
import signal
import subprocess

import pytest

from models import (
    Address,
    AuditEvent,
    ContactEvent,
    ContactPerson,
    Customer,
    Demographics,
    Disclosure,
    DisclosureRecipient,
    InspectionRequest,
    InspectionSubject,
    Invoice,
    Prohibition,
    Purchase,
    PurgeItem,
    PurgeRun,
    RectificationRequest,
    RetentionPolicy,
    RetentionPolicyChange,
    Section,
    db,
    utcnow,
)
from services import customer_counts, customer_rows, monthly_counts, retention
from services.customers import refresh_city, refresh_last_activity
from tests.conftest import csrf_token, flask_command

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOW = utcnow()
TODAY = retention.helsinki_today(NOW)
KEEP_FROM = retention.keeping_starts(TODAY)
# An invoice still kept, of a customer unused for over five years: early in the first
# kept year (always more than 60 months ago).
KEPT_DAY = KEEP_FROM + datetime.timedelta(days=20)
OLD_DAY = KEEP_FROM - datetime.timedelta(days=400)  # past its keeping period
LONG_AGO = NOW - datetime.timedelta(days=365 * 7)
RECENTLY = NOW - datetime.timedelta(days=100)

TABLES = (Customer, Address, Demographics, ContactPerson, ContactEvent, Purchase, Invoice,
          Prohibition, RectificationRequest)


def _customer(section, kind, **fields):
    c = Customer.create(section=section, kind=kind, created_at=fields.pop("created_at", LONG_AGO),
                        **fields)
    return c


def _event(c, when, summary="Soitto"):
    ContactEvent.create(customer=c, occurred_at=when, direction="in", channel="phone",
                        summary=summary)


def _finish(c):
    refresh_last_activity(c.id)
    refresh_city(c.id)
    return Customer.get_by_id(c.id)


@pytest.fixture
def register(app):
    """Customers of both sections: unused ones to delete, to minimise and already minimised,
    and active ones the purge must leave alone."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    made = {}

    # Unused for seven years, no invoice: deleted with everything it holds.
    a = _customer(tourism, "person", first_name="Aino", last_name="Vanhanen",
                  birth_date=datetime.date(1960, 5, 1), mobile="+358401110001",
                  email="aino.vanhanen@example.com", own_info="Toivoo sähköpostia.")
    Address.create(customer=a, kind="postal", street="Vanha tie 1", postal_code="00100",
                   city="Helsinki")
    _event(a, LONG_AGO + datetime.timedelta(days=3))
    _event(a, LONG_AGO + datetime.timedelta(days=30))
    Purchase.create(customer=a, service="Opastus", purchased_on=(LONG_AGO).date(),
                    amount="50.00")
    Invoice.create(customer=a, number="A-1", invoice_date=OLD_DAY - datetime.timedelta(days=400),
                   due_date=OLD_DAY, amount="50.00", paid_on=OLD_DAY, collection_state="paid")
    Prohibition.create(customer=a, purpose="direct_marketing", action="given",
                       effective_on=LONG_AGO.date(), source="letter")
    # Refused long ago: a closed request goes with the customer (an open one holds it).
    RectificationRequest.create(customer=a, received_at=LONG_AGO, requester_name="Aino Vanhanen",
                                description="Sukunimi väärin", decision="refused",
                                decision_reason="Nimi oikein väestötietojärjestelmässä",
                                decided_at=LONG_AGO)
    made["delete_person"] = _finish(a)

    # Unused, with a kept invoice: minimised.
    b = _customer(tourism, "company", name="Laskulan Kongressit Oy", business_id="1572860-0",
                  phone="+35891230001", fax="+35891230002", email="info@laskula.example",
                  own_info="Laskut verkkolaskuna.")
    Address.create(customer=b, kind="postal", street="Postikatu 2", postal_code="00200",
                   city="Helsinki")
    Address.create(customer=b, kind="visiting", street="Käyntikatu 3", postal_code="00300",
                   city="Helsinki")
    Address.create(customer=b, kind="billing", street="PL 99", postal_code="00099",
                   city="Helsinki")
    ContactPerson.create(customer=b, first_name="Kalle", last_name="Kontakti", role="myynti",
                         phone="+358401110002", email="kalle@laskula.example")
    _event(b, datetime.datetime.combine(KEPT_DAY, datetime.time(9)))
    _event(b, datetime.datetime.combine(OLD_DAY, datetime.time(9)))
    Purchase.create(customer=b, service="Kongressipalvelu", purchased_on=KEPT_DAY,
                    amount="1200.00")  # billed by the kept invoice: stays
    Purchase.create(customer=b, service="Esitemateriaali", purchased_on=KEPT_DAY,
                    amount="80.00")  # never invoiced: goes
    Purchase.create(customer=b, service="Messuosasto", purchased_on=OLD_DAY,
                    amount="300.00")  # billed by an invoice past its period: goes
    Invoice.create(customer=b, number="B-1", invoice_date=KEPT_DAY + datetime.timedelta(days=3),
                   due_date=KEPT_DAY + datetime.timedelta(days=17), amount="1200.00",
                   paid_on=KEPT_DAY + datetime.timedelta(days=10), collection_state="paid")
    Invoice.create(customer=b, number="B-0", invoice_date=OLD_DAY, due_date=OLD_DAY,
                   amount="300.00", paid_on=OLD_DAY, collection_state="paid")
    Prohibition.create(customer=b, purpose="market_research", action="given",
                       effective_on=OLD_DAY, source="email")
    made["minimise_company"] = _finish(b)

    # Unused with a kept invoice and no billing address: the postal address stays.
    d = _customer(tourism, "organisation", name="Postilan Seura ry", email="seura@postila.example")
    Address.create(customer=d, kind="visiting", street="Seurantie 5", postal_code="00500",
                   city="Espoo")
    Address.create(customer=d, kind="postal", street="Postilantie 4", postal_code="00400",
                   city="Helsinki")
    Invoice.create(customer=d, number="D-1", invoice_date=KEPT_DAY, due_date=KEPT_DAY,
                   amount="70.00", collection_state="open")
    made["minimise_no_billing"] = _finish(d)

    # Minimised earlier: only its accounting record is left, nothing goes now.
    e = _customer(tourism, "company", name="Jäljellä Oy", business_id="0737546-2",
                  minimised_at=NOW - datetime.timedelta(days=365))
    Address.create(customer=e, kind="billing", street="Laskutie 1", postal_code="00100",
                   city="Helsinki")
    Invoice.create(customer=e, number="E-1", invoice_date=KEPT_DAY, due_date=KEPT_DAY,
                   amount="10.00", collection_state="paid", paid_on=KEPT_DAY)
    made["waiting"] = _finish(e)

    # Never active, created seven years ago: deleted.
    f = _customer(tourism, "person", first_name="Frans", last_name="Hiljainen",
                  email="frans.hiljainen@example.net")
    made["never_active"] = _finish(f)

    # Active a hundred days ago: stays as it is.
    c = _customer(tourism, "company", name="Aktiivinen Oy", email="info@aktiivinen.example")
    _event(c, RECENTLY)
    Invoice.create(customer=c, number="C-1", invoice_date=RECENTLY.date(),
                   due_date=RECENTLY.date(), amount="99.00", collection_state="open")
    made["active_tourism"] = _finish(c)

    # Business development: one unused person with demographics, one active.
    g = _customer(business, "person", first_name="Greta", last_name="Unohdettu",
                  phone="+35891110003", email="greta.unohdettu@example.org")
    Demographics.create(customer=g, profession="kirjastonhoitaja", education="ylempi")
    Address.create(customer=g, kind="postal", street="Kirjastokatu 7", postal_code="00700",
                   city="Helsinki")
    _event(g, LONG_AGO + datetime.timedelta(days=10))
    made["delete_business"] = _finish(g)

    h = _customer(business, "person", first_name="Heikki", last_name="Tuore",
                  email="heikki.tuore@example.org")
    _event(h, RECENTLY)
    made["active_business"] = _finish(h)
    return made


def _counts():
    return {m._meta.table_name: m.select().count() for m in TABLES}


def _snapshot(sections=None, now=None):
    sections = sections or list(Section.select())
    return retention.Snapshot.now(sections, now=now)


def _controller(make_user):
    return make_user("rekisterinpitaja", "controller")


def _purge_all(controller, now=None, sections=None):
    """Preview, confirm and run a purge through the service; return (preview, run)."""
    snapshot = _snapshot(sections, now)
    result = retention.preview(snapshot)
    run = retention.start_preview(snapshot, result, controller)
    retention.confirm(run.id, controller)
    run = retention.execute(run.id, batch_size=2, actor=controller)
    return result, run


def _rows_removed(before, after):
    return {table: before[table] - after[table] for table in before}


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.clock
def test_months_before_and_keeping_period():
    assert retention.months_before(datetime.datetime(2026, 3, 31, 12), 1) == \
        datetime.datetime(2026, 2, 28, 12)
    assert retention.months_before(datetime.datetime(2026, 11, 25), 60) == \
        datetime.datetime(2021, 11, 25)
    assert retention.months_before(datetime.datetime(2026, 1, 15), 13) == \
        datetime.datetime(2024, 12, 15)
    # A voucher of 2020 is kept to the end of 2026 and goes on 1 January 2027.
    assert retention.keeping_starts(datetime.date(2026, 11, 25)) == datetime.date(2020, 1, 1)
    assert retention.final_deletion(datetime.date(2020, 3, 1)) == datetime.date(2027, 1, 1)
    assert retention.keeping_starts(datetime.date(2027, 1, 1)) == datetime.date(2021, 1, 1)


@pytest.mark.clock
def test_a_period_is_counted_back_on_helsinkis_calendar(app):
    """At 22:30 UTC on 28 February it is already 1 March in Helsinki: 13 months back is 1
    February of the year before there (31 January 22:30 UTC), not 28 January."""
    now = datetime.datetime(2026, 2, 28, 22, 30)
    assert retention.cutoff(now, 13) == datetime.datetime(2025, 1, 31, 22, 30)
    # Across the change of summer time, the Helsinki wall time stays.
    assert retention.cutoff(datetime.datetime(2026, 7, 1, 9), 6) == \
        datetime.datetime(2026, 1, 1, 10)
    tourism = Section.get(code="tourism")
    RetentionPolicy.update(months=13).where(RetentionPolicy.section == tourism.id).execute()
    snapshot = _snapshot([tourism], now=now)
    assert snapshot.cutoffs["tourism"] == datetime.datetime(2025, 1, 31, 22, 30)


def test_schema_matches_models(db_url):
    from models import PurgeItem, PurgeRun, RetentionPolicy, RetentionPolicyChange

    for model in (RetentionPolicy, RetentionPolicyChange, PurgeRun, PurgeItem):
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        assert columns == {f.column_name for f in model._meta.sorted_fields}, model.__name__
    assert sorted(p.months for p in RetentionPolicy.select()) == [60, 60]


@pytest.mark.clock
def test_preview_counts_equal_what_the_purge_removes(register, make_user):
    controller = _controller(make_user)
    before = _counts()
    result, run = _purge_all(controller)
    after = _counts()

    tourism = next(p for p in result.sections if p.section.code == "tourism")
    business = next(p for p in result.sections if p.section.code == "business")
    assert tourism.delete["customers"] == 2 and tourism.minimise["customers"] == 2
    assert tourism.waiting == 1
    assert business.delete["customers"] == 1 and business.minimise["customers"] == 0

    run = PurgeRun.get_by_id(run.id)
    assert run.state == "finished" and run.finished_at is not None
    assert (run.total, run.processed, run.deleted, run.minimised, run.skipped) == (5, 5, 3, 2, 0)
    planned, done = json.loads(run.planned), json.loads(run.done)
    for code in ("tourism", "business"):
        for action in ("delete", "minimise"):
            assert done.get(code, {}).get(action, retention._empty_counts()) == \
                planned[code][action], (code, action)
    # What the counts say is what left the tables.
    removed = _rows_removed(before, after)
    total = {c: sum(planned[s][a][c] for s in planned for a in ("delete", "minimise"))
             for c in retention.COUNTED_CATEGORIES + ("customers",)}
    assert removed["customer"] == total["customers"] - 2  # minimised customers stay
    assert removed["contact_event"] + removed["purchase"] == total["history"]
    assert removed["invoice"] == total["billing"]
    assert removed["address"] == total["address"]
    assert removed["demographics"] == total["demographics"]
    assert removed["contact_person"] == total["contact_persons"]
    assert removed["prohibition"] + removed["rectification_request"] == total["record"]
    assert planned["tourism"]["delete"]["history"] == 3  # Aino's two calls and a purchase
    assert planned["tourism"]["minimise"]["history"] == 4  # two calls, two purchases
    assert planned["tourism"]["minimise"]["address"] == 3  # B's postal and visiting, D's visiting
    assert planned["tourism"]["minimise"]["billing"] == 1  # B's invoice of the old year
    assert planned["tourism"]["minimise"]["phone"] == 1
    assert planned["tourism"]["minimise"]["identity"] == 0
    assert planned["business"]["delete"]["demographics"] == 1

    # The purged ones are gone; the active ones are untouched.
    for key in ("delete_person", "never_active", "delete_business"):
        assert Customer.get_or_none(Customer.id == register[key].id) is None
    for key in ("active_tourism", "active_business", "waiting"):
        kept = Customer.get_by_id(register[key].id)
        assert kept.version == register[key].version and kept.email == register[key].email
    assert ContactEvent.select().where(ContactEvent.customer == register["active_tourism"].id
                                       ).count() == 1
    # What the triggers keep counted followed every row the purge removed (migrations
    # 036–038), the minimised customers' kept invoices and purchases included.
    assert customer_counts.differences() == monthly_counts.differences() == []
    assert customer_rows.differences() == []


def test_the_preview_leaves_the_planner_settings_as_they_were(register, db_kind):
    """PostgreSQL counts without hash joins (services.retention._counted), and SQLite reads
    through a memory map, for that statement only: the rest of an outer transaction plans
    and reads as before."""
    with db.atomic():
        expected = retention.preview(_snapshot())
        if db_kind == "postgresql":
            assert db.execute_sql("SHOW enable_hashjoin").fetchone()[0] == "on"
        if db_kind == "sqlite":  # read through a memory map, given up after
            assert db.execute_sql("PRAGMA mmap_size").fetchone()[0] == 0
    counts = [(p.section.code, p.delete, p.minimise, p.waiting) for p in expected.sections]
    again = retention.preview(_snapshot(), parallel=True)
    assert [(p.section.code, p.delete, p.minimise, p.waiting) for p in again.sections] == counts


@pytest.mark.parametrize("kinds, kept", [
    (("postal", "billing", "visiting", "billing"), (1, 3)),  # every billing address
    (("visiting", "postal", "postal"), (1,)),  # no billing: the first postal address
    (("visiting", "visiting"), (0,)),  # no billing, no postal: the first address
    (("billing",), (0,)),
    (("postal",), (0,)),
])
def test_a_minimisation_keeps_the_billing_addresses_else_the_one_invoices_went_to(app, kinds,
                                                                                  kept):
    """The address rule (services/retention/conditions.py), asked of each address as the
    preview and the purge ask it."""
    c = _customer(Section.get(code="tourism"), "company", name="Osoitteiden Oy")
    made = [Address.create(customer=c, kind=kind, street=f"Katu {n}", postal_code="00100",
                           city="Helsinki").id for n, kind in enumerate(kinds)]
    condition = retention.MINIMISE_CONDITIONS[Address]
    staying = [row[0] for row in db.execute_sql(
        f"SELECT e.id FROM address AS e WHERE e.customer_id = {db.param}"
        f" AND NOT ({condition}) ORDER BY e.id", (c.id,))]
    assert staying == [made[n] for n in kept]


def test_minimised_customers_keep_exactly_their_accounting_record(register, make_user):
    _purge_all(_controller(make_user))
    b = Customer.get_by_id(register["minimise_company"].id)
    assert (b.name, b.business_id, b.kind) == ("Laskulan Kongressit Oy", "1572860-0", "company")
    assert (b.phone, b.mobile, b.fax, b.email, b.own_info, b.birth_date) == (None,) * 6
    assert [a.kind for a in b.addresses] == ["billing"]
    assert (b.city, b.postal_code) == ("Helsinki", "00099")
    assert [i.number for i in b.invoices] == ["B-1"]
    assert [p.service for p in b.purchases] == ["Kongressipalvelu"]
    assert not b.events.exists() and not b.contact_persons.exists()
    # Its prohibition stays as long as its row does (seed §16).
    assert [(p.purpose, p.action) for p in b.prohibitions] == [("market_research", "given")]
    assert b.minimised_at is not None
    assert b.version == register["minimise_company"].version + 1

    d = Customer.get_by_id(register["minimise_no_billing"].id)
    assert [(a.kind, a.street) for a in d.addresses] == [("postal", "Postilantie 4")]
    assert d.email is None and [i.number for i in d.invoices] == ["D-1"]


@pytest.mark.clock
def test_the_minimised_customer_goes_after_the_keeping_period(register, make_user):
    controller = _controller(make_user)
    _purge_all(controller)
    b_id, e_id = register["minimise_company"].id, register["waiting"].id
    assert Customer.get_or_none(Customer.id == b_id) is not None

    # The last day of the keeping period of the newest invoice: still kept.
    last_day = retention.final_deletion(KEPT_DAY) - datetime.timedelta(days=1)
    later = datetime.datetime.combine(last_day, datetime.time(9))
    result = retention.preview(_snapshot(now=later))
    tourism = next(p for p in result.sections if p.section.code == "tourism")
    assert tourism.delete["customers"] == 0 and tourism.waiting == 3

    # The day after it: the customers go, invoices and all.
    after = datetime.datetime.combine(retention.final_deletion(KEPT_DAY), datetime.time(9))
    result, run = _purge_all(controller, now=after)
    tourism = next(p for p in result.sections if p.section.code == "tourism")
    assert tourism.delete["customers"] == 3 and tourism.minimise["customers"] == 0
    assert tourism.delete["billing"] == 3
    for customer_id in (b_id, e_id, register["minimise_no_billing"].id):
        assert Customer.get_or_none(Customer.id == customer_id) is None
    assert Invoice.select().where(Invoice.number.in_(["B-1", "D-1", "E-1"])).count() == 0


# --- the pages ------------------------------------------------------------------------------


def _preview_page(client, query=""):
    answer = client.get("/retention/" + query)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _latest_run():
    return PurgeRun.select().order_by(PurgeRun.id.desc()).first()


@pytest.mark.clock
def test_controller_previews_confirms_and_runs_from_the_page(client, logged_in_user, register):
    logged_in_user("pitaja", "controller")
    page = _preview_page(client)
    assert "Unohdettu, Greta" in page and "Tuore, Heikki" not in page  # business listed first
    page = _preview_page(client, "?list=tourism")
    assert "Vanhanen, Aino" in page and "Laskulan Kongressit Oy" in page
    assert "Laskuja kirjanpitolain säilytysajan piirissä" in page
    assert "Aktiivinen Oy" not in page and "Unohdettu, Greta" not in page
    run = _latest_run()
    assert run.state == "previewed" and run.total == 5

    answer = client.post(f"/retention/runs/{run.id}/confirm",
                         data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302 and f"/retention/runs/{run.id}" in answer.headers["Location"]
    run = PurgeRun.get_by_id(run.id)
    assert run.state == "confirmed" and PurgeItem.select().where(PurgeItem.run == run.id).count() == 5

    run_page = client.get(f"/retention/runs/{run.id}").get_data(as_text=True)
    assert 'aria-live="polite"' in run_page and "Aloita poisto" in run_page
    token = csrf_token(run_page)
    for _ in range(20):
        answer = client.post(f"/retention/runs/{run.id}/step", data={"csrf_token": token},
                             headers={"Accept": "application/json"})
        assert answer.status_code == 200
        progress = answer.get_json()
        if progress["finished"]:
            break
    assert progress["processed"] == 5 and progress["deleted"] == 3
    assert "Valmis" in progress["text"]
    assert PurgeItem.select().where(PurgeItem.run == run.id).count() == 0
    assert client.get(f"/retention/runs/{run.id}/status").get_json()["state"] == "finished"

    log = client.get("/retention/log/").get_data(as_text=True)
    assert f"/retention/runs/{run.id}" in log and "pitaja" in log
    actions = [e.action for e in AuditEvent.select().where(
        (AuditEvent.object_type == "purge_run") & (AuditEvent.object_id == str(run.id)))
        .order_by(AuditEvent.id)]
    assert actions == ["preview", "confirm", "purge_start", "purge_end"]


def test_confirmation_refused_when_the_set_changed(client, logged_in_user, register):
    logged_in_user("pitaja", "controller")
    page = _preview_page(client)
    run = _latest_run()
    # Meanwhile a customer of the preview gets in touch again.
    _event(register["delete_person"], utcnow())
    refresh_last_activity(register["delete_person"].id)

    answer = client.post(f"/retention/runs/{run.id}/confirm",
                         data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "muuttuneet esikatselun jälkeen" in text
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert PurgeItem.select().count() == 0
    fresh = _latest_run()
    assert fresh.id != run.id and fresh.state == "previewed" and fresh.total == 4
    assert "Vanhanen, Aino" not in text  # the fresh preview no longer lists her


def test_confirmation_refused_when_a_customer_became_unused_or_the_policy_changed(
        client, auth, make_user, register):
    controller = _controller(make_user)
    snapshot = _snapshot()
    run = retention.start_preview(snapshot, retention.preview(snapshot), controller)
    retention.set_months(Section.get(code="business"), 120, controller)
    with pytest.raises(retention.PolicyChanged):
        retention.confirm(run.id, controller)
    assert PurgeRun.get_by_id(run.id).state == "stale"

    snapshot = _snapshot()
    run = retention.start_preview(snapshot, retention.preview(snapshot), controller)
    newcomer = _customer(Section.get(code="tourism"), "person", first_name="Uusi",
                         last_name="Unohdettu")
    _finish(newcomer)
    with pytest.raises(retention.SetChanged):
        retention.confirm(run.id, controller)


def test_a_purge_whose_customers_changed_before_it_started_is_not_run(
        client, logged_in_user, register):
    logged_in_user("pitaja", "controller")
    page = _preview_page(client)
    run = _latest_run()
    client.post(f"/retention/runs/{run.id}/confirm", data={"csrf_token": csrf_token(page)})
    _event(register["never_active"], utcnow())
    refresh_last_activity(register["never_active"].id)
    answer = client.post(f"/retention/runs/{run.id}/step", data={"csrf_token": csrf_token(page)},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 409 and answer.get_json()["redirect"] == "/retention/"
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert Customer.select().count() == len(register)
    fresh = client.get("/retention/").get_data(as_text=True)
    assert "muuttuneet esikatselun jälkeen" in fresh


def test_one_purge_at_a_time(register, make_user):
    controller = _controller(make_user)
    first, _result = _confirmed_run(controller)
    snapshot = _snapshot()
    second = retention.start_preview(snapshot, retention.preview(snapshot), controller)
    with pytest.raises(retention.RegisterError) as refused:
        retention.confirm(second.id, controller)
    assert refused.value.params == {"id": first.id}
    assert PurgeRun.get_by_id(second.id).state == "previewed"
    retention.execute(first.id, actor=controller)
    # A finished run runs no more; the waiting preview is now of a changed register.
    assert retention.execute(first.id, actor=controller).state == "finished"
    with pytest.raises(retention.SetChanged):
        retention.confirm(second.id, controller)


@pytest.mark.parametrize("role, sections, status", [
    ("controller", (), 200), ("responsible", (), 200), ("handler", ("tourism",), 200),
    ("staff", ("tourism",), 403), ("maintenance", (), 403)])
def test_who_may_open_the_retention_pages(client, logged_in_user, register, role, sections, status):
    logged_in_user("kayttaja", role, sections)
    for url in ("/retention/", "/retention/policy/", "/retention/log/"):
        assert client.get(url).status_code == status, url
    menu = client.get("/").get_data(as_text=True)
    assert ('href="/retention/"' in menu) == (status == 200)
    assert ('href="/retention/erasure/"' in menu) == (role == "responsible")
    assert client.get("/retention/erasure/").status_code == (200 if role == "responsible"
                                                             else 403)


@pytest.mark.parametrize("role, sections", [
    ("responsible", ()), ("handler", ("tourism",)), ("staff", ("tourism",)), ("maintenance", ())])
def test_only_the_controller_confirms_and_runs(
        client, logged_in_user, make_user, register, role, sections):
    controller = _controller(make_user)
    snapshot = _snapshot()
    run = retention.start_preview(snapshot, retention.preview(snapshot), controller)
    logged_in_user("muu", role, sections)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post(f"/retention/runs/{run.id}/confirm",
                       data={"csrf_token": token}).status_code == 403
    assert client.post("/retention/policy/", data={"csrf_token": token,
                                                   "months-tourism": "24"}).status_code == 403
    retention.confirm(run.id, controller)
    assert client.post(f"/retention/runs/{run.id}/step",
                       data={"csrf_token": token}).status_code == 403
    assert PurgeRun.get_by_id(run.id).state == "confirmed"
    assert Customer.get_or_none(Customer.id == register["delete_person"].id) is not None


def test_a_handler_previews_the_own_section_only(client, logged_in_user, make_user, register):
    logged_in_user("kasittelija", "handler", ("business",))
    page = _preview_page(client)
    assert "Unohdettu, Greta" in page
    for name in ("Vanhanen, Aino", "Laskulan Kongressit Oy", "Matkailu- ja kongressitoimisto"):
        assert name not in page
    assert client.get("/retention/?section=tourism").status_code == 404
    assert PurgeRun.select().count() == 0  # a handler's look makes no run
    event = AuditEvent.select().where(AuditEvent.action == "preview").get()
    assert (event.object_type, event.section, event.object_id) == ("purge_run", "business", None)
    # A controller's preview of both sections is not a handler's to read.
    snapshot = _snapshot()
    run = retention.start_preview(snapshot, retention.preview(snapshot),
                                  _controller(make_user))
    assert client.get(f"/retention/runs/{run.id}").status_code == 404
    assert client.get(f"/retention/runs/{run.id}/status").status_code == 404  # its counts


def test_preview_pages_through_the_customers(client, logged_in_user, register, monkeypatch):
    # The preview reads its page size in the submodule it is defined in.
    monkeypatch.setattr(retention.previews, "PAGE_SIZE", 1)
    import admin_views.retention as pages

    monkeypatch.setattr(pages.rules, "PAGE_SIZE", 1)
    logged_in_user("pitaja", "controller")
    first = _preview_page(client, "?section=tourism")
    second = _preview_page(client, "?section=tourism&page=1")
    assert "Sivu 1/2" in first or "Sivu 1 / 2" in first
    names = ("Vanhanen, Aino", "Hiljainen, Frans")
    assert sum(n in first for n in names) == 1 and sum(n in second for n in names) == 1
    assert [n in first for n in names] != [n in second for n in names]
    minimised = _preview_page(client, "?section=tourism&mpage=1")
    assert "Postilan Seura ry" in minimised or "Laskulan Kongressit Oy" in minimised
    final = retention.final_deletion(KEPT_DAY)
    assert f"{final.day}.{final.month}.{final.year}" in _preview_page(client, "?section=tourism")


# --- the policy -------------------------------------------------------------------------------


def test_policy_changes_are_audited_with_their_history(client, logged_in_user, register):
    logged_in_user("pitaja", "controller")
    page = client.get("/retention/policy/").get_data(as_text=True)
    assert 'id="months-tourism"' in page and 'value="60"' in page
    answer = client.post("/retention/policy/", data={
        "csrf_token": csrf_token(page), "months-tourism": "abc", "months-business": "36"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "kokonaislukuna" in text
    assert 'value="abc"' in text and 'value="36"' in text  # the input is kept
    assert RetentionPolicyChange.select().count() == 0

    shown = {"shown-tourism": "60", "shown-business": "60"}  # as the page showed them
    answer = client.post("/retention/policy/", data={
        "csrf_token": csrf_token(page), "months-tourism": "72", "months-business": "60",
        **shown})
    assert answer.status_code == 302
    change = RetentionPolicyChange.get()
    assert (change.section.code, change.old_months, change.new_months) == ("tourism", 60, 72)
    assert change.changed_by.username == "pitaja"
    event = AuditEvent.select().where(AuditEvent.object_type == "retention_policy").get()
    assert (event.action, event.object_id, event.fields) == ("update", "tourism", "months")
    assert "72" not in (event.fields + (event.object_id or ""))
    assert RetentionPolicy.get(RetentionPolicy.section == change.section).months == 72
    page = client.get("/retention/policy/").get_data(as_text=True)
    assert "72" in page and "pitaja" in page

    # A page opened before that change: it writes only what was changed on it, and a
    # period changed on both is refused, marked with its months now.
    answer = client.post("/retention/policy/", data={
        "csrf_token": csrf_token(page), "months-tourism": "60", "months-business": "36",
        **shown})
    assert answer.status_code == 302
    assert [(p.section.code, p.months) for p in RetentionPolicy.select().order_by(
        RetentionPolicy.section)] in ([("tourism", 72), ("business", 36)],
                                      [("business", 36), ("tourism", 72)])
    answer = client.post("/retention/policy/", data={
        "csrf_token": csrf_token(page), "months-tourism": "24", "months-business": "36",
        **shown})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Joku muu muutti" in text and 'value="72"' in text
    assert RetentionPolicy.get(RetentionPolicy.section == change.section).months == 72
    assert client.post("/retention/policy/", data={  # without what the page showed
        "csrf_token": csrf_token(page), "months-tourism": "24", "months-business": "36"}
    ).status_code == 200
    assert RetentionPolicy.get(RetentionPolicy.section == change.section).months == 72

    # Others read the periods but do not get the form.
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    logged_in_user("vastaava", "responsible")
    page = client.get("/retention/policy/").get_data(as_text=True)
    assert "72 kuukautta" in page and 'name="months-tourism"' not in page


# --- crash safety ---------------------------------------------------------------------------


def _cli(db_url, tmp_path, *args, env=None):
    environment = {**os.environ, "REGISTER_DATABASE_URL": db_url,
                   "REGISTER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
                   "REGISTER_SECRET_KEY": "test", **(env or {})}
    return subprocess.run(flask_command("retention", *args),
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def _state_of(ids):
    """Return, per customer, what it holds: None when gone."""
    state = {}
    for customer_id in ids:
        c = Customer.get_or_none(Customer.id == customer_id)
        if c is None:
            state[customer_id] = None
            continue
        state[customer_id] = (
            c.email, c.phone, c.mobile, c.own_info,
            sorted(a.kind for a in Address.select().where(Address.customer == customer_id)),
            ContactEvent.select().where(ContactEvent.customer == customer_id).count(),
            Purchase.select().where(Purchase.customer == customer_id).count(),
            Invoice.select().where(Invoice.customer == customer_id).count(),
            ContactPerson.select().where(ContactPerson.customer == customer_id).count(),
            Demographics.select().where(Demographics.customer == customer_id).count(),
            Prohibition.select().where(Prohibition.customer == customer_id).count())
    return state


def _many_unused(count):
    """Add ``count`` unused customers with a little of everything; return their ids."""
    tourism = Section.get(code="tourism")
    ids = []
    for i in range(count):
        c = _customer(tourism, "person", first_name=f"Etu{i}", last_name="Monilainen",
                      email=f"moni{i}@example.com", mobile=f"+35840999{i:04d}")
        Address.create(customer=c, kind="postal", street=f"Monitie {i}", postal_code="00100",
                       city="Helsinki")
        _event(c, LONG_AGO + datetime.timedelta(days=i))
        if i % 3 == 0:
            Invoice.create(customer=c, number=f"M-{i}", invoice_date=KEPT_DAY,
                           due_date=KEPT_DAY, amount="5.00", collection_state="paid",
                           paid_on=KEPT_DAY)
        ids.append(_finish(c).id)
    return ids


def _confirmed_run(controller):
    snapshot = _snapshot()
    result = retention.preview(snapshot)
    run = retention.start_preview(snapshot, result, controller)
    return retention.confirm(run.id, controller), result


def test_a_crash_mid_purge_leaves_whole_customers_and_a_rerun_finishes(
        db_url, tmp_path, register, make_user):
    controller = _controller(make_user)
    ids = _many_unused(12) + [c.id for c in register.values()]
    run, result = _confirmed_run(controller)
    planned = json.loads(run.planned)
    before = _state_of(ids)
    db.close()

    # The process dies hard in the middle of its third batch of two customers.
    crashed = _cli(db_url, tmp_path, "purge", "--confirmed-run", str(run.id), "--batch-size", "2",
                   env={"REGISTER_RETENTION_CRASH_AFTER_BATCHES": "2"})
    assert crashed.returncode == 75, crashed.stderr
    assert crashed.stdout.count("customers handled") == 2
    db.connect(reuse_if_open=True)
    run = PurgeRun.get_by_id(run.id)
    assert run.state == "running" and run.processed == 4
    middle = _state_of(ids)
    handled = [i for i in ids if middle[i] != before[i]]
    assert len(handled) == 4  # the two committed batches; the third left no trace
    left = {i.customer_id for i in PurgeItem.select().where(PurgeItem.run == run.id)}
    assert not left & set(handled) and len(left) == run.total - 4
    for customer_id in handled:  # each wholly deleted or wholly minimised
        assert middle[customer_id] is None or (
            middle[customer_id][:4] == (None,) * 4 and middle[customer_id][5] == 0)
    db.close()

    rerun = _cli(db_url, tmp_path, "purge", "--confirmed-run", str(run.id))
    assert rerun.returncode == 0, rerun.stderr
    assert f"purge {run.id} finished" in rerun.stdout
    db.connect(reuse_if_open=True)
    run = PurgeRun.get_by_id(run.id)
    assert run.state == "finished" and run.processed == run.total and run.skipped == 0
    assert PurgeItem.select().where(PurgeItem.run == run.id).count() == 0
    done = json.loads(run.done)
    for code in planned:
        for action in ("delete", "minimise"):
            assert done.get(code, {}).get(action, retention._empty_counts()) == \
                planned[code][action], (code, action)
    after = _state_of(ids)
    assert all(after[i] == middle[i] for i in handled)  # nothing was done twice
    assert [e.action for e in AuditEvent.select().where(
        (AuditEvent.object_type == "purge_run") & (AuditEvent.object_id == str(run.id))
    ).order_by(AuditEvent.id)] == ["preview", "confirm", "purge_start", "purge_resume",
                                   "purge_end"]


def test_a_killed_purge_is_finished_by_a_rerun(db_url, tmp_path, register, make_user):
    """SIGKILL at a moment of the operating system's choosing, not the code's."""
    controller = _controller(make_user)
    ids = _many_unused(40) + [c.id for c in register.values()]
    run, _result = _confirmed_run(controller)
    before = _state_of(ids)
    db.close()
    environment = {**os.environ, "REGISTER_DATABASE_URL": db_url,
                   "REGISTER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
                   "REGISTER_SECRET_KEY": "test"}
    process = subprocess.Popen(
        flask_command("retention", "purge", "--confirmed-run", str(run.id),
                      "--batch-size", "1"),
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = 0
    for line in process.stdout:
        seen += "customers handled" in line
        if seen >= 3:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode in (-signal.SIGKILL, 0)
    db.connect(reuse_if_open=True)
    middle = _state_of(ids)
    for customer_id in ids:
        state = middle[customer_id]
        assert state is None or state == before[customer_id] or state[:4] == (None,) * 4
    db.close()
    assert _cli(db_url, tmp_path, "purge", "--confirmed-run", str(run.id)).returncode == 0
    db.connect(reuse_if_open=True)
    run = PurgeRun.get_by_id(run.id)
    assert run.state == "finished" and run.processed == run.total


# --- no personal data in the log ---------------------------------------------------------------


@pytest.mark.clock
def test_the_purge_log_holds_no_personal_data(client, logged_in_user, make_user, register):
    personal = []
    for c in Customer.select():
        personal += [v for v in (c.first_name, c.last_name, c.name, c.email, c.phone, c.mobile,
                                 c.business_id, c.own_info) if v]
    personal += [p.email for p in ContactPerson.select()] + [p.last_name for p in
                                                              ContactPerson.select()]
    controller = _controller(make_user)
    _purge_all(controller)
    erased = register["active_business"]
    retention.erase(erased.id, make_user("vastaava", "responsible"), TODAY)

    stored = []
    for model in (PurgeRun, PurgeItem, AuditEvent):
        for row in model.select().tuples():
            stored += [str(v) for v in row if v is not None]
    text = "\n".join(stored)
    for value in personal:
        assert value not in text, value
    logged_in_user("lukija", "controller")
    page = client.get("/retention/log/").get_data(as_text=True)
    for value in personal:
        assert value not in page, value


# --- the command line -------------------------------------------------------------------------


def test_cli_preview_prints_counts_without_names(runner, register):
    answer = runner.invoke(args=["retention", "preview"])
    assert answer.exit_code == 0, answer.output
    assert "tourism: 60 months" in answer.output and "delete 2 customers, minimise 2" in \
        answer.output
    assert "business: 60 months" in answer.output and "fingerprint " in answer.output
    for c in register.values():
        assert c.display_name not in answer.output and (c.email or "@") not in answer.output
    answer = runner.invoke(args=["retention", "preview", "--section", "business"])
    assert answer.exit_code == 0 and "tourism" not in answer.output
    answer = runner.invoke(args=["retention", "preview", "--section", "nope"])
    assert answer.exit_code == 1 and "nope" in answer.output


def test_cli_purge_refuses_what_was_not_confirmed(runner, register, make_user):
    controller = _controller(make_user)
    assert runner.invoke(args=["retention", "purge", "--confirmed-run", "999"]).exit_code == 1
    snapshot = _snapshot()
    run = retention.start_preview(snapshot, retention.preview(snapshot), controller)
    answer = runner.invoke(args=["retention", "purge", "--confirmed-run", str(run.id)])
    assert answer.exit_code == 1 and "ei ole vahvistettu" in answer.output
    assert Customer.get_or_none(Customer.id == register["delete_person"].id) is not None

    # Confirmed, but the customers changed before the purge started: refused.
    retention.confirm(run.id, controller)
    _event(register["delete_business"], utcnow())
    refresh_last_activity(register["delete_business"].id)
    answer = runner.invoke(args=["retention", "purge", "--confirmed-run", str(run.id)])
    assert answer.exit_code == 1 and "muuttuneet" in answer.output
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert Customer.select().count() == len(register)

    run, _result = _confirmed_run(controller)
    answer = runner.invoke(args=["retention", "purge", "--confirmed-run", str(run.id)])
    assert answer.exit_code == 0 and f"purge {run.id} finished: 2 deleted" in answer.output


# --- erasure on request (GDPR Art. 17) ------------------------------------------------------------


@pytest.mark.clock
def test_erasure_on_request_by_the_responsible_person(client, logged_in_user, register):
    logged_in_user("vastaava", "responsible")
    found = client.get("/retention/erasure/?q=Tuore").get_data(as_text=True)
    active = register["active_business"]
    assert "Tuore, Heikki" in found and f"customer={active.id}" in found

    page = client.get(f"/retention/erasure/?customer={active.id}").get_data(as_text=True)
    assert "Tuore, Heikki" in page and "Poista asiakkaan tiedot" in page
    answer = client.post(f"/retention/erasure/?customer={active.id}",
                         data={"csrf_token": csrf_token(page), "received_on": "2026-13-01"})
    assert answer.status_code == 200 and "Anna päivä" in answer.get_data(as_text=True)
    assert Customer.get_or_none(Customer.id == active.id) is not None

    answer = client.post(f"/retention/erasure/?customer={active.id}", data={
        "csrf_token": csrf_token(page), "received_on": TODAY.isoformat(), "confirmed": "yes"})
    assert answer.status_code == 302
    assert Customer.get_or_none(Customer.id == active.id) is None
    run = _latest_run()
    assert (run.kind, run.state, run.deleted, run.minimised) == ("erasure", "finished", 1, 0)
    assert run.request_received_on == TODAY
    assert run.confirmed_by.username == "vastaava"
    assert [e.action for e in AuditEvent.select().where(
        (AuditEvent.object_type == "purge_run") & (AuditEvent.object_id == str(run.id))
    ).order_by(AuditEvent.id)] == ["confirm", "purge_start", "purge_end"]

    # An active customer with a kept invoice is minimised, not deleted.
    customer = register["active_tourism"]
    page = client.get(f"/retention/erasure/?customer={customer.id}").get_data(as_text=True)
    assert "säilytysaika" in page
    client.post(f"/retention/erasure/?customer={customer.id}", data={
        "csrf_token": csrf_token(page), "received_on": TODAY.isoformat(), "confirmed": "yes"})
    kept = Customer.get_by_id(customer.id)
    assert kept.email is None and kept.name == "Aktiivinen Oy"
    assert [i.number for i in kept.invoices] == ["C-1"] and not kept.events.exists()
    assert _latest_run().minimised == 1
    log = client.get("/retention/log/").get_data(as_text=True)
    assert "Poisto pyynnöstä" in log
    # Sent twice: nothing is left to erase, and no second run says otherwise.
    runs = PurgeRun.select().count()
    answer = client.post(f"/retention/erasure/?customer={customer.id}", data={
        "csrf_token": csrf_token(page), "received_on": TODAY.isoformat(), "confirmed": "yes"})
    assert answer.status_code == 200 and "poistettu jo" in answer.get_data(as_text=True)
    assert PurgeRun.select().count() == runs


@pytest.mark.parametrize("role, sections", [
    ("controller", ()), ("handler", ("business",)), ("staff", ("business",)),
    ("maintenance", ())])
def test_only_the_responsible_person_erases(client, logged_in_user, register, role, sections):
    logged_in_user("muu", role, sections)
    customer = register["active_business"]
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.get(f"/retention/erasure/?customer={customer.id}").status_code == 403
    assert client.post(f"/retention/erasure/?customer={customer.id}", data={
        "csrf_token": token, "received_on": TODAY.isoformat(), "confirmed": "yes"}
    ).status_code == 403
    assert Customer.get_or_none(Customer.id == customer.id) is not None


@pytest.mark.clock
def test_the_purge_log_says_when_backups_holding_the_data_rotate_out(
        client, logged_in_user, make_user, register, app):
    from admin_views import backup as backup_views
    from services import backup

    controller = _controller(make_user)
    logged_in_user("lukija", "controller")
    _purge_all(controller)
    page = client.get("/retention/log/").get_data(as_text=True)
    assert "Mikään varmuuskopio ei enää sisällä poistettuja tietoja" in page

    settings = backup_views.settings(app)
    taken = backup.create_backup(settings)
    later = utcnow() + datetime.timedelta(minutes=1)
    expires = backup.backups_holding_expire_by(settings, later)
    assert expires is not None and expires > taken.created_at
    assert backup.backups_holding_expire_by(settings, taken.created_at
                                            - datetime.timedelta(seconds=1)) is None
    # A purge finished after the backup: the log names the day the backup rotates out.
    PurgeRun.update(finished_at=later).where(PurgeRun.finished_at.is_null(False)).execute()
    page = client.get("/retention/log/").get_data(as_text=True)
    assert "Poistetut tiedot sisältävät varmuuskopiot poistuvat viimeistään" in page


# --- holds: what the purge must not undo (seed §12, §14, §15, §17) ---------------------------

PAYABLE = "Taloushallintopalvelu, ostoreskontra"


def _inspection(customer=None, contact_person=None):
    """An approved inspection request about ``customer`` (or a contact person), not yet
    delivered: open."""
    received = NOW - datetime.timedelta(days=1)
    request = InspectionRequest.create(
        received_at=received, due_at=received + datetime.timedelta(days=7), channel="written",
        requester_name="Pyytäjä", section=Section.get(code="tourism"), language="en",
        identity_method="id_card", identity_checked_at=received, decision="approved",
        decided_at=received)
    InspectionSubject.create(request=request, customer=customer, contact_person=contact_person)
    return request


def _rectification(customer):
    """A rectification request about ``customer``, registered and not yet decided: open."""
    return RectificationRequest.create(customer=customer, received_at=NOW,
                                       requester_name="Pyytäjä", description="Osoite väärin")


def _disclosure(controller, customers, approve=False):
    """A disclosure of ``customers`` to accounts payable, prepared (or approved)."""
    from services import disclosures

    recipient = DisclosureRecipient.get(DisclosureRecipient.name_fi == PAYABLE)
    found = disclosures.prepare(controller, recipient.id, "Ostoreskontra", "Kirjanpitolaki")
    disclosures.add_customers(controller, found, [c.id for c in customers])
    disclosures.choose_categories(controller, Disclosure.get_by_id(found.id), ["identity"])
    found = Disclosure.get_by_id(found.id)
    if approve:
        disclosures.decide(controller, found, True, version=found.version)
    return Disclosure.get_by_id(found.id)


def _section_part(result, code):
    return next(p for p in result.sections if p.section.code == code)


def _english(client, page_html):
    client.post("/language", data={"lang": "en", "next": "/",
                                   "csrf_token": csrf_token(page_html)})


def test_an_open_inspection_request_keeps_its_subject_and_its_report(register, make_user):
    """The subject of an open request is not purged, and its report still shows its data;
    a contact person's request holds the company it is of."""
    from services import report

    controller = _controller(make_user)
    aino, company = register["delete_person"], register["minimise_company"]
    kalle = ContactPerson.get(ContactPerson.customer == company.id)
    request = _inspection(customer=aino)
    _inspection(contact_person=kalle)

    result, run = _purge_all(controller)
    run = PurgeRun.get_by_id(run.id)
    assert (run.deleted, run.minimised) == (2, 1)  # Frans and Greta; Postilan Seura
    assert _section_part(result, "tourism").held == sorted([aino.id, company.id])
    kept = Customer.get_by_id(aino.id)
    assert (kept.email, kept.mobile, kept.version) == (aino.email, aino.mobile, aino.version)
    assert ContactEvent.select().where(ContactEvent.customer == aino.id).count() == 2
    company_now = Customer.get_by_id(company.id)
    assert company_now.email == company.email and company_now.minimised_at is None
    assert ContactPerson.get_by_id(kalle.id).email == "kalle@laskula.example"

    built = report.build_report(InspectionRequest.get_by_id(request.id))
    assert len(built["subjects"]) == 1  # not "the register holds no data on you"
    text = report.render_json(built)
    assert "aino.vanhanen@example.com" in text and "Vanha tie 1" in text


def test_an_open_rectification_or_a_disclosure_not_carried_out_holds_the_customer(
        register, make_user):
    controller = _controller(make_user)
    aino, frans, greta = (register[k] for k in ("delete_person", "never_active",
                                                "delete_business"))
    company = register["minimise_company"]
    _rectification(aino)
    _disclosure(controller, [frans])  # prepared
    _disclosure(controller, [greta, company], approve=True)  # approved, not carried out
    before = _state_of([c.id for c in (aino, frans, greta, company)])

    result, run = _purge_all(controller)
    assert _section_part(result, "tourism").held == sorted([aino.id, frans.id, company.id])
    assert _section_part(result, "business").held == [greta.id]
    assert _section_part(result, "business").delete["customers"] == 0
    run = PurgeRun.get_by_id(run.id)
    assert (run.total, run.deleted, run.minimised) == (1, 0, 1)  # Postilan Seura only
    assert _state_of([c.id for c in (aino, frans, greta, company)]) == before
    assert json.loads(run.planned)["tourism"]["held"] == 3


def test_the_preview_page_and_the_cli_list_each_hold_with_its_reason(
        client, logged_in_user, make_user, register, runner):
    controller = _controller(make_user)
    aino, frans, greta = (register[k] for k in ("delete_person", "never_active",
                                                "delete_business"))
    company = register["minimise_company"]
    kalle = ContactPerson.get(ContactPerson.customer == company.id)
    inspection = _inspection(contact_person=kalle)
    rectification = _rectification(aino)
    disclosure = _disclosure(controller, [frans, greta])
    active = register["active_tourism"]
    _rectification(active)  # held, but not unused: the purge would leave it anyway

    logged_in_user("pitaja", "controller")
    _english(client, client.get("/").get_data(as_text=True))
    page = _preview_page(client, "?list=tourism")
    held = page.split('id="held-heading"', 1)[1].split('id="delete-heading"', 1)[0]
    assert "Held customers: Tourism and Convention Bureau (3)" in held
    for name, reason in ((company.name, f"Inspection request {inspection.id} has not been "
                          "delivered yet"),
                         ("Vanhanen, Aino", f"Rectification request {rectification.id} has "
                          "not been applied or refused yet"),
                         ("Hiljainen, Frans", f"Disclosure {disclosure.id} has not been "
                          "carried out yet")):
        row = held.split(name, 1)[1].split("</tr>", 1)[0]
        assert reason in row, name
    assert "Aktiivinen Oy" not in held
    # Neither to delete nor to minimise: only in the held list.
    rest = page.split('id="delete-heading"', 1)[1]
    assert "Vanhanen, Aino" not in rest and company.name not in rest
    summary = page.split('id="summary-heading"', 1)[1].split("</table>", 1)[0]
    assert "Held by a request or disclosure" in summary
    cells = [row.split("</tr>")[0] for row in summary.split("<tr>")[2:]]
    assert [c.count('class="text-right">') for c in cells] == [4, 4]
    assert cells[0].rstrip().endswith('<td class="text-right">1</td>')  # business: Greta
    assert cells[1].rstrip().endswith('<td class="text-right">3</td>')  # tourism
    business = _preview_page(client, "?list=business")
    assert f"Disclosure {disclosure.id} has not been carried out yet" in business.split(
        'id="held-heading"', 1)[1].split('id="delete-heading"', 1)[0]

    answer = runner.invoke(args=["retention", "preview"])
    assert answer.exit_code == 0, answer.output
    assert "delete 0 customers, minimise 1, awaiting final deletion 1, held 3" in answer.output
    assert "delete 0 customers, minimise 0, awaiting final deletion 0, held 1" in answer.output
    assert (f"held customer {company.id}: Inspection request {inspection.id} has not been "
            "delivered yet") in answer.output
    assert (f"held customer {aino.id}: Rectification request {rectification.id} has not "
            "been applied or refused yet") in answer.output
    assert (f"held customer {frans.id}: Disclosure {disclosure.id} has not been carried out "
            "yet") in answer.output
    assert f"held customer {greta.id}: Disclosure {disclosure.id}" in answer.output
    assert f"held customer {active.id}" not in answer.output
    for c in register.values():
        assert c.display_name not in answer.output


def test_a_hold_beginning_or_ending_after_the_preview_refuses_the_confirmation(
        client, logged_in_user, make_user, register):
    controller = _controller(make_user)
    logged_in_user("pitaja", "controller")
    page = _preview_page(client)
    run = _latest_run()
    request = _inspection(customer=register["delete_person"])  # opened after the preview

    answer = client.post(f"/retention/runs/{run.id}/confirm",
                         data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "muuttuneet esikatselun jälkeen" in text
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert PurgeItem.select().count() == 0
    fresh = _latest_run()
    assert fresh.id != run.id and fresh.total == 4
    listed = _preview_page(client, f"runs/{fresh.id}?list=tourism")
    assert "Vanhanen, Aino" in listed.split('id="held-heading"', 1)[1].split(
        'id="delete-heading"', 1)[0]

    # The hold ends after the fresh preview: that one is refused as well.
    InspectionRequest.update(delivered_at=NOW).where(InspectionRequest.id == request.id
                                                     ).execute()
    with pytest.raises(retention.SetChanged):
        retention.confirm(fresh.id, controller)
    assert Customer.get_or_none(Customer.id == register["delete_person"].id) is not None


def test_a_hold_between_confirmation_and_start_sends_the_run_back_to_a_preview(
        register, make_user):
    controller = _controller(make_user)
    run, _result = _confirmed_run(controller)
    _disclosure(controller, [register["never_active"]])
    with pytest.raises(retention.SetChanged):
        retention.execute(run.id, actor=controller)
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert Customer.select().count() == len(register)


def test_a_running_purge_keeps_a_customer_held_after_it_started(register, make_user):
    controller = _controller(make_user)
    run, _result = _confirmed_run(controller)
    retention.start(run.id, controller)
    aino = register["delete_person"]
    _rectification(aino)  # opened while the run is under way, before its batch
    run = retention.execute(run.id, batch_size=2, actor=controller)
    assert run.state == "finished"
    assert (run.deleted, run.minimised, run.skipped) == (2, 2, 1)
    assert json.loads(run.done)["tourism"]["held"] == 1
    kept = Customer.get_by_id(aino.id)
    assert kept.email == aino.email and kept.version == aino.version
    assert RectificationRequest.select().where(RectificationRequest.customer == aino.id
                                               ).count() == 2


def test_erasure_is_refused_while_the_customer_is_held(client, logged_in_user, make_user, register):
    responsible = make_user("vastaava", "responsible")
    customer = register["active_business"]
    logged_in_user("vastaava2", "responsible")
    _english(client, client.get("/").get_data(as_text=True))
    page = client.get(f"/retention/erasure/?customer={customer.id}").get_data(as_text=True)
    assert 'name="confirmed"' in page
    request = _inspection(customer=customer)  # the person asked to see the data first

    answer = client.post(f"/retention/erasure/?customer={customer.id}", data={
        "csrf_token": csrf_token(page), "received_on": TODAY.isoformat(), "confirmed": "yes"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert (f"This customer cannot be erased now. Inspection request {request.id} has not "
            "been delivered yet. Finish that first") in text
    assert 'name="confirmed"' not in text  # no erasure form while held
    assert Customer.get_by_id(customer.id).email == customer.email
    assert not PurgeRun.select().where(PurgeRun.kind == "erasure").exists()

    with pytest.raises(retention.RegisterError) as refused:
        retention.erase(customer.id, responsible, TODAY)
    assert refused.value.holds == [retention.Hold(retention.INSPECTION, request.id)]
    RectificationRequest.create(customer=customer, received_at=NOW, requester_name="X",
                                description="Y")
    page = client.get(f"/retention/erasure/?customer={customer.id}").get_data(as_text=True)
    assert f"Inspection request {request.id} has not been delivered yet" in page
    assert "has not been applied or refused yet" in page


def test_holds_end_when_the_request_is_delivered_or_the_disclosure_carried_out(
        register, make_user):
    from services import disclosures, rectification, requests

    controller = _controller(make_user)
    aino, frans, greta = (register[k] for k in ("delete_person", "never_active",
                                                "delete_business"))
    request = _inspection(customer=aino)
    open_rectification = _rectification(frans)
    disclosure = _disclosure(controller, [greta], approve=True)
    _purge_all(controller)
    for c in (aino, frans, greta):
        assert Customer.get_or_none(Customer.id == c.id) is not None

    requests.record_delivery(controller, InspectionRequest.get_by_id(request.id), method="post")
    rectification.decide(open_rectification, actor=controller, decision="refused",
                         reason="Tiedot oikein", version=open_rectification.version)
    disclosures.carry_out(controller, Disclosure.get_by_id(disclosure.id), "csv")
    assert retention.holds() == {}
    result, run = _purge_all(controller)
    assert all(not p.held for p in result.sections)
    for c in (aino, frans, greta):
        assert Customer.get_or_none(Customer.id == c.id) is None
    assert PurgeRun.get_by_id(run.id).deleted == 3


# --- minimised customers: prohibitions stay, no list (seed §12, §16) -------------------------


def test_a_minimised_customer_keeps_its_prohibitions_and_is_on_no_list(
        client, logged_in_user, make_user, register):
    from services import marketing, prohibitions, report

    company = register["minimise_company"]
    tourism = Section.get(code="tourism")
    Prohibition.create(customer=company, purpose="direct_marketing", action="given",
                       effective_on=OLD_DAY, source="letter")
    kalle = ContactPerson.get(ContactPerson.customer == company.id)
    Prohibition.create(customer=company, contact_person=kalle, purpose="direct_marketing",
                       action="given", effective_on=OLD_DAY, source="letter")
    criteria = {purpose: marketing.Criteria(section_id=tourism.id, language="fi",
                                            purpose=purpose)
                for purpose in ("direct_marketing", "market_research", "opinion_research")}

    def names(purpose):
        return [row["name"] for row in marketing.rows(criteria[purpose])]

    assert "Postilan Seura ry" in names("direct_marketing")

    result, _run = _purge_all(_controller(make_user))
    # The preview counted only the contact person's prohibition as going.
    assert _section_part(result, "tourism").minimise["record"] == 1
    company_now = Customer.get_by_id(company.id)
    assert company_now.minimised_at is not None
    assert prohibitions.is_in_force(company_now, "direct_marketing")
    assert prohibitions.is_in_force(company_now, "market_research")
    assert not ContactPerson.select().where(ContactPerson.customer == company.id).exists()
    for purpose in criteria:
        listed = names(purpose)
        assert "Laskulan Kongressit Oy" not in listed, purpose
        assert "Postilan Seura ry" not in listed, purpose  # minimised, no prohibition
        assert "Aktiivinen Oy" in listed, purpose
        counts = marketing.count(criteria[purpose])
        assert (counts.included, counts.minimised) == (1, 3), purpose  # and Jäljellä Oy
    assert marketing.count(criteria["direct_marketing"]).excluded == 0

    # The inspection report still shows the prohibition.
    text = report.render_json(report.build_report_for([company.id], language="en"))
    assert "Direct marketing" in text and "Market research" in text

    # The marketing page says why they are left out.
    logged_in_user("myyja", "staff", ("tourism",))
    _english(client, client.get("/").get_data(as_text=True))
    token = csrf_token(client.get("/marketing/").get_data(as_text=True))
    page = client.post("/marketing/", data={
        "section": str(tourism.id), "language": "fi", "kind": "", "postal_prefix": "",
        "purpose": "direct_marketing", "counted": "", "csrf_token": token}
    ).get_data(as_text=True)
    assert "3 customers were left out because they are kept only for accounting" in page
    details = client.get(f"/customers/details/?id={company.id}").get_data(as_text=True)
    assert "Minimised: kept only for accounting" in details
    details = client.get(f"/customers/details/?id={register['active_tourism'].id}"
                         ).get_data(as_text=True)
    assert "Minimised: kept only for accounting" not in details

    # New activity after the minimisation: a customer again, back on the lists.
    _event(company_now, utcnow())
    refresh_last_activity(company.id)
    assert Customer.get_by_id(company.id).minimised_at is None
    assert "Laskulan Kongressit Oy" in names("opinion_research")
    assert "Laskulan Kongressit Oy" not in names("direct_marketing")  # its prohibition


def test_a_customer_minimised_before_the_mark_is_marked_by_the_next_purge(register, make_user):
    from services import marketing

    tourism = Section.get(code="tourism")
    Customer.update(minimised_at=None).where(Customer.id == register["waiting"].id).execute()
    criteria = marketing.Criteria(section_id=tourism.id, language="fi")
    assert "Jäljellä Oy" in [row["name"] for row in marketing.rows(criteria)]

    result, run = _purge_all(_controller(make_user))
    tourism_part = _section_part(result, "tourism")
    assert (tourism_part.minimise["customers"], tourism_part.waiting) == (3, 0)
    waiting = Customer.get_by_id(register["waiting"].id)
    assert waiting.minimised_at is not None and waiting.name == "Jäljellä Oy"
    assert [i.number for i in waiting.invoices] == ["E-1"]
    assert "Jäljellä Oy" not in [row["name"] for row in marketing.rows(criteria)]
    # Marked once: the purge after it has nothing to do with it.
    tourism_part = _section_part(retention.preview(_snapshot()), "tourism")
    assert (tourism_part.minimise["customers"], tourism_part.waiting) == (0, 3)


# --- the package's layout -----------------------------------------------------------------


def _retention_submodules():
    import importlib
    import pkgutil

    return [importlib.import_module(f"services.retention.{info.name}")
            for info in pkgutil.iter_modules(retention.__path__)]


def _defined_names(module):
    import ast
    import inspect

    names = []
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                elts = target.elts if isinstance(target, ast.Tuple) else [target]
                names += [t.id for t in elts if isinstance(t, ast.Name)]
    return names


def test_each_retention_rule_is_defined_in_one_submodule_and_reexported():
    """A name of services.retention is defined once, in one submodule, and the package
    re-exports that very object: a copy in a second submodule, or a submodule's own
    version of a name the package exports, fails here."""
    where = {}
    for module in _retention_submodules():
        for name in _defined_names(module):
            where.setdefault(name, []).append(module.__name__)
            assert getattr(retention, name) is getattr(module, name), (module.__name__, name)
    copies = {name: modules for name, modules in where.items() if len(modules) > 1}
    assert copies == {}
    assert set(where) <= set(retention.__all__)
    assert not os.path.exists(os.path.join(ROOT, "services", "retention.py"))


def test_the_retention_package_keeps_within_the_size_measures():
    import ast
    import inspect

    over = []
    for module in [retention, *_retention_submodules()]:
        source = inspect.getsource(module)
        if len(source.splitlines()) > 500:
            over.append(module.__name__)
        over += [f"{module.__name__}.{node.name}" for node in ast.walk(ast.parse(source))
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.end_lineno - node.lineno + 1 > 60]
    assert over == []
