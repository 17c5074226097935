"""The audit log (906/2019 §17): login events, the hash chain, tampering, the append-only
guard, transactions, concurrent appenders, `audit verify` and the read-only viewer."""

import datetime
import threading

import peewee as pw
import pytest

import database
from admin_views.audit import AuditEventView
from admin_views.base import HelsinkiDateTimeBetweenFilter
from database import write_transaction
from models import (
    AUDIT_GENESIS_HASH,
    AuditAppendOnlyError,
    AuditEvent,
    AuditHead,
    User,
    db,
    utcnow,
)
from services import access, audit
from tests.conftest import PASSWORD, csrf_token


def append(count, **kwargs):
    """Append ``count`` events, each in its own write transaction; return them."""
    action = kwargs.pop("action", "view")
    events = []
    for i in range(count):
        with write_transaction():
            events.append(audit.record(action, object_type="customer", object_id=i + 1,
                                       **kwargs))
    return events


def drop_append_only_guard():
    """What a tamperer with the database owner's rights can do first."""
    if database.is_sqlite():
        db.execute_sql("DROP TRIGGER audit_event_no_update")
        db.execute_sql("DROP TRIGGER audit_event_no_delete")
    else:
        db.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")


def raw_update(event_id, **values):
    """Change a row with plain SQL, behind the application's back."""
    sets = ", ".join(f"{column} = {db.param}" for column in values)
    db.execute_sql(f"UPDATE audit_event SET {sets} WHERE id = {db.param}",
                   (*values.values(), event_id))


def all_stored_text():
    """Every value of every audit row, as text."""
    return " ".join(str(v) for row in AuditEvent.select().tuples() for v in row)


# --- authentication events ------------------------------------------------------------


def test_login_and_logout_are_recorded(client, auth, make_user):
    user = make_user("anna", "staff", ["tourism"])
    assert auth.login("anna").location == "/"
    assert auth.logout().location == "/login"
    events = list(AuditEvent.select().order_by(AuditEvent.id))
    assert [e.action for e in events] == ["login", "logout"]
    for event in events:
        assert event.actor == user.pseudonym and event.actor_role == "staff"
        assert event.object_type is None and event.object_id is None
    assert "anna" not in all_stored_text()
    assert audit.verify() == (True, None, 2)


def test_failed_logins_store_no_username_or_password(client, auth, make_user):
    user = make_user("kirsikka.virtanen", "staff", ["tourism"])
    wrong = "wrong password here"
    assert auth.login("kirsikka.virtanen", wrong).status_code == 200
    assert auth.login("ei.ole.olemassa", wrong).status_code == 200
    known, unknown = AuditEvent.select().order_by(AuditEvent.id)
    assert (known.action, known.actor, known.actor_role) == ("login_failed", None, None)
    assert (known.object_type, known.object_id) == ("user", str(user.id))
    assert (unknown.action, unknown.actor, unknown.object_type, unknown.object_id) == (
        "login_failed", None, None, None)
    stored = all_stored_text()
    for typed in ("kirsikka", "ei.ole.olemassa", wrong, PASSWORD):
        assert typed not in stored
    assert audit.verify() == (True, None, 2)


def test_login_of_a_closed_account_is_a_failed_login(client, auth, make_user):
    user = make_user("anna", "staff", ["tourism"])
    # Disabled for being unused: closed, its username kept.
    assert access.disable_idle(days=1, now=utcnow() + datetime.timedelta(days=2))
    auth.login("anna")  # the right password, but the account is closed
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.object_type, event.object_id) == ("login_failed", "user",
                                                                  str(user.id))


# --- the chain --------------------------------------------------------------------------


def test_chain_verifies_after_many_appends(db_url, make_user):
    user = make_user("anna", "handler", ["tourism"])
    append(150, actor=user, section="tourism", fields=["first_name", "email"])
    # timestamps the databases store differently: whole seconds, an aware datetime
    with write_transaction():
        audit.record("create", actor=user, at=datetime.datetime(2024, 1, 2, 3, 4, 5))
        audit.record("update", at=datetime.datetime(
            2024, 1, 2, 5, 4, 5, 6, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
    append(148, action="search")
    assert audit.verify() == (True, None, 300)
    assert audit.verify(batch_size=7) == (True, None, 300)  # batches join seamlessly
    assert [e.id for e in AuditEvent.select().order_by(AuditEvent.id)] == list(range(1, 301))
    first, last = AuditEvent.get_by_id(1), AuditEvent.get_by_id(300)
    assert first.prev_hash == AUDIT_GENESIS_HASH
    head = AuditHead.get()
    assert (head.last_id, head.last_hash) == (300, last.hash)
    assert AuditEvent.get_by_id(152).at == datetime.datetime(2024, 1, 2, 3, 4, 5, 6)
    assert AuditEvent.get_by_id(3).fields == "first_name,email"


def test_empty_log_verifies(db_url):
    assert audit.verify() == (True, None, 0)


@pytest.mark.parametrize("bad", [
    {"action": "Logged In"},
    {"action": ""},
    {"action": "update", "fields": ["Matti Meikäläinen"]},
    {"action": "update", "fields": "name,131052-308T"},
    {"action": "update", "object_type": "Customer name"},
    {"action": "update", "object_id": "x" * 65},
])
def test_record_refuses_anything_but_codes_and_names(db_url, bad):
    with pytest.raises(ValueError):
        audit.record(**bad)
    assert AuditEvent.select().count() == 0
    assert AuditHead.get().last_id == 0


@pytest.mark.parametrize("column, value", [("action", "delete"), ("fields", "name")])
def test_cli_verify_finds_a_row_edited_behind_the_apps_back(runner, column, value):
    append(5, fields=["email"])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 5 events" in result.output
    drop_append_only_guard()
    raw_update(3, **{column: value})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain broken at event #3" in result.output


def test_a_row_rehashed_after_editing_breaks_the_next_link(db_url):
    append(5)
    drop_append_only_guard()
    event = AuditEvent.get_by_id(3)
    event.action = "export"
    raw_update(3, action="export", hash=audit.event_hash(event))
    assert audit.verify() == (False, 4, 4)


def test_deleting_a_middle_row_is_caught(db_url):
    append(5)
    drop_append_only_guard()
    db.execute_sql("DELETE FROM audit_event WHERE id = 3")
    ok, broken, _checked = audit.verify()
    assert not ok and broken == 4


def test_deleting_the_newest_rows_is_caught_by_the_head(db_url):
    append(5)
    drop_append_only_guard()
    db.execute_sql("DELETE FROM audit_event WHERE id >= 4")
    assert audit.verify() == (False, 4, 3)


def test_a_forged_row_after_the_head_is_caught(db_url):
    append(3)
    forged = AuditEvent(id=4, at=datetime.datetime(2026, 1, 1), action="view",
                        prev_hash=AuditEvent.get_by_id(3).hash, fields="")
    forged.hash = audit.event_hash(forged)
    forged.save(force_insert=True)  # a correct link, but the head was not moved
    assert audit.verify() == (False, 4, 4)


# --- append-only ------------------------------------------------------------------------


def test_application_cannot_change_or_delete_events(db_url):
    event = append(2)[0]
    event.action = "delete"
    with pytest.raises(AuditAppendOnlyError):
        event.save()
    with pytest.raises(AuditAppendOnlyError):
        event.delete_instance()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.update(action="delete").where(AuditEvent.id == 1).execute()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.delete().execute()
    assert AuditEvent.get_by_id(1).action == "view"
    assert audit.verify() == (True, None, 2)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'delete' WHERE id = 1",
    "DELETE FROM audit_event WHERE id = 1",
])
def test_database_refuses_changes_to_events(db_url, statement):
    append(2)
    with pytest.raises(pw.DatabaseError, match="append-only"):
        with db.atomic():
            db.execute_sql(statement)
    assert audit.verify() == (True, None, 2)


# --- transactions and concurrency --------------------------------------------------------


def test_event_rolls_back_with_its_change(db_url, make_user):
    append(1)
    user = make_user("anna", "staff", ["tourism"])
    with pytest.raises(RuntimeError):
        with write_transaction():
            User.update(role="handler").where(User.id == user.id).execute()
            audit.record("update", object_type="user", object_id=user.id, fields=["role"])
            raise RuntimeError("the change fails after the event was recorded")
    assert User.get_by_id(user.id).role == "staff"
    assert AuditEvent.select().count() == 1
    assert AuditHead.get().last_id == 1
    assert audit.verify() == (True, None, 1)
    event = append(1)[0]
    assert event.id == 2
    assert audit.verify() == (True, None, 2)


@pytest.mark.parametrize("count", [1, 3, 101])  # one statement, and bulk inserts
def test_an_append_to_a_head_that_moved_saves_nothing(db_url, count):
    """The events and the head's move go together: appended after a head that is no
    longer the log's, they are refused and rolled back, on either way of appending."""
    append(2)
    with pytest.raises(RuntimeError, match="head moved"):
        with write_transaction():
            stale = AuditHead.get()
            stale.last_id -= 1  # as an appender that read the head before the last append
            events = [AuditEvent(id=3 + i, at=datetime.datetime(2026, 1, 1), action="view",
                                 prev_hash="x", hash="y").__data__ for i in range(count)]
            audit._append(stale, events)
    assert AuditEvent.select().count() == 2 and AuditHead.get().last_id == 2
    assert audit.verify() == (True, None, 2)
    events = audit.record_many("view", objects=[("customer", i, None) for i in range(count)])
    assert events == count and audit.verify() == (True, None, 2 + count)


def test_concurrent_appenders_keep_one_chain(db_url):
    threads, per_thread = 4, 50
    start = threading.Barrier(threads, timeout=30)
    errors = []

    def appender(number):
        try:
            db.connect(reuse_if_open=True)  # peewee: one connection per thread
            start.wait()
            for i in range(per_thread):
                with write_transaction():
                    audit.record("view", object_type="customer", object_id=f"{number}-{i}")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.close()

    workers = [threading.Thread(target=appender, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert audit.verify() == (True, None, threads * per_thread)
    recorded = {e.object_id for e in AuditEvent.select(AuditEvent.object_id)}
    assert recorded == {f"{n}-{i}" for n in range(threads) for i in range(per_thread)}


# --- the migration ------------------------------------------------------------------------


def test_migration_rolls_back_cleanly(empty_db_url):
    database.open_database(empty_db_url)
    database.upgrade()
    audit.record("login")
    database.downgrade(steps=None)
    assert not {"audit_event", "audit_head"} & set(db.get_tables())
    database.upgrade()  # again: nothing of the first time is left in the way
    head = AuditHead.get()
    assert (head.id, head.last_id, head.last_hash) == (1, 0, AUDIT_GENESIS_HASH)
    append(2)
    drop_append_only_guard()  # the guard was recreated
    assert audit.verify() == (True, None, 2)
    db.close()


# --- the viewer ---------------------------------------------------------------------------


@pytest.fixture
def viewer(app):
    """The audit viewer that register_views added to the app."""
    admin = app.extensions["admin"][0]
    return next(view for view in admin._views if isinstance(view, AuditEventView))


@pytest.mark.parametrize("role", ["controller", "responsible"])
def test_viewer_for_controller_and_responsible(viewer, client, auth, make_user, role):
    user = make_user("lukija", role)
    auth.login("lukija")
    assert "Tapahtumaloki" in client.get("/").get_data(as_text=True)  # in the menu
    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert user.pseudonym in page and "Kirjautui sisään" in page
    assert "lukija" not in page.split("<main", 1)[1]  # pseudonyms, not usernames
    details = client.get("/audit/details/?id=1")
    assert details.status_code == 200
    assert AuditEvent.get_by_id(1).hash in details.get_data(as_text=True)


@pytest.mark.parametrize("role, sections", [
    ("staff", ["tourism"]), ("handler", ["business"]), ("maintenance", [])])
def test_viewer_refused_to_other_roles(viewer, client, auth, make_user, role, sections):
    make_user("muu", role, sections)
    auth.login("muu")
    assert "Tapahtumaloki" not in client.get("/").get_data(as_text=True)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/details/?id=1").status_code == 403


def test_viewer_needs_login(viewer, client):
    response = client.get("/audit/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_viewer_is_read_only_and_not_audited(viewer, client, auth, make_user):
    make_user("eero", "controller")
    auth.login("eero")
    events = AuditEvent.select().count()
    assert client.get("/audit/").status_code == 200
    assert client.get("/audit/details/?id=1").status_code == 200
    # no create or edit form: back to the list
    assert client.get("/audit/new/").status_code == 302
    assert client.get("/audit/edit/?id=1").status_code == 302
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    client.post("/audit/delete/", data={"id": "1", "csrf_token": token})
    client.post("/audit/action/", data={"action": "delete", "rowid": "1", "csrf_token": token})
    assert AuditEvent.select().count() == events  # nothing deleted, reading not logged
    assert audit.verify() == (True, None, events)


@pytest.mark.parametrize("event_id", ["abc", "0", "-1", "999999", "99999999999999999999"])
def test_viewer_answers_404_for_no_such_event(viewer, client, auth, make_user, event_id):
    make_user("eero", "controller")
    auth.login("eero")
    assert client.get(f"/audit/details/?id={event_id}").status_code == 404


def test_viewer_newest_first_and_filters(viewer, client, auth, make_user):
    make_user("eero", "controller")
    with write_transaction():
        audit.record("export", object_type="customer", object_id=9100001, section="tourism",
                     at=datetime.datetime(2020, 6, 1, 12, 0))
        audit.record("delete", object_type="customer", object_id=9200002, section="business",
                     at=datetime.datetime(2030, 6, 1, 12, 0))
    auth.login("eero")

    def arg(column, kind):
        return next(f"flt0_{key}" for key, (_i, flt) in viewer._filter_args.items()
                    if flt.column is column and type(flt) is kind)

    def shown(query):
        response = client.get("/audit/", query_string=query)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return [n for n in ("9200002", "9100001") if n in page], page

    from flask_admin.contrib.peewee import filters

    everything, page = shown({})
    assert everything == ["9200002", "9100001"]
    assert page.index("9200002") < page.index("9100001")  # newest first
    assert shown({arg(AuditEvent.action, filters.FilterEqual): "export"})[0] == ["9100001"]
    assert shown({arg(AuditEvent.action, filters.FilterEqual): "delete"})[0] == ["9200002"]
    assert shown({arg(AuditEvent.section, filters.FilterEqual): "business"})[0] == ["9200002"]
    assert shown({arg(AuditEvent.object_id, filters.FilterEqual): "9100001"})[0] == ["9100001"]
    assert shown({arg(AuditEvent.at, HelsinkiDateTimeBetweenFilter):
                  "2020-01-01 00:00:00 to 2020-12-31 23:59:59"})[0] == ["9100001"]
    login = AuditEvent.get(AuditEvent.action == "login")
    only_login, page = shown({arg(AuditEvent.actor, filters.FilterEqual): login.actor})
    assert only_login == [] and "Kirjautui sisään" in page


@pytest.mark.clock
def test_viewer_shows_and_filters_times_in_helsinki_time(viewer, client, auth, make_user):
    """An event at 21:30 UTC on 1 June is at 00:30 on 2 June in Helsinki: the list shows
    that, and a filter typed in Helsinki time finds it on 2 June, not on 1 June."""
    make_user("eero", "controller")
    with write_transaction():
        audit.record("export", object_type="customer", object_id=9100001, section="tourism",
                     at=datetime.datetime(2020, 6, 1, 21, 30, 5))
    auth.login("eero")
    key = next(f"flt0_{key}" for key, (_i, flt) in viewer._filter_args.items()
               if flt.column is AuditEvent.at)

    def shown(query):
        response = client.get("/audit/", query_string=query)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    page = shown({})
    assert "2.6.2020 0.30.05" in page and "21.30" not in page
    assert "9100001" in shown({key: "2020-06-02 00:00:00 to 2020-06-02 23:59:59"})
    assert "9100001" not in shown({key: "2020-06-01 00:00:00 to 2020-06-01 23:59:59"})
    # A range from a time that does not exist in Helsinki is no filter at all, never a 500.
    assert "9100001" in shown({key: "2026-03-29 03:30:00 to 2026-03-29 05:00:00"})
    event = AuditEvent.get(AuditEvent.object_id == 9100001)
    assert "2.6.2020 0.30.05" in client.get(f"/audit/details/?id={event.id}").get_data(
        as_text=True)


def test_viewer_names_object_types_in_finnish(viewer, client, auth, make_user):
    make_user("lukija", "controller")
    auth.login("nobody-here", "wrong password here")  # an event without an object
    auth.login("lukija", "wrong password here")  # login_failed naming the user account
    auth.login("lukija")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Käyttäjätili" in page
