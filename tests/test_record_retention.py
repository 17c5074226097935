"""Retention of the register's own records (issue 14): closed requests wiped with a kept
pseudonym, access records, failed logins and ended sessions removed, the audit log pruned
behind a signed checkpoint; each after its period and not before; the preview counts them,
the purge (page, service and CLI) applies them in batches; only the controller sets the
rules, and bad input stores nothing."""

import datetime
import re

import pytest

import database
from models import (
    AccessRequest,
    AccessRequestSection,
    AccountStatusChange,
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    Customer,
    InspectionRequest,
    LoginFailure,
    PurgeRun,
    RecordRetention,
    RecordRetentionChange,
    RectificationRequest,
    RetentionPolicy,
    Section,
    UserSession,
    db,
    utcnow,
)
from services import audit, retention
from services.localtime import helsinki_today
from tests.conftest import csrf_token

PEOPLE = ["controller", "responsible", "handler_t", "staff_t"]
FIVE_YEARS = 1826  # days: 60 months and a day or so
MARGIN = 10  # days either side of a period


def _keys(app):
    return retention.RecordKeys.from_config(app.config)


def _purge(app, actor, batch_size=None, inside_batch=None):
    """Preview, confirm and run a purge of every section; return (preview, run)."""
    snapshot = retention.Snapshot.now(list(Section.select()))
    result = retention.preview(snapshot)
    run = retention.start_preview(snapshot, result, actor)
    retention.confirm(run.id, actor)
    run = retention.execute(run.id, actor=actor, keys=_keys(app),
                            batch_size=batch_size or retention.BATCH_SIZE,
                            inside_batch=inside_batch)
    return result, run


def _counts():
    return retention.count_due(retention.Snapshot.now([]).ordered_record_cutoffs())


@pytest.fixture
def records(app, people, clock):
    """At the clock's present: closed and open requests, access records of an ended and an
    active account, a failed login and an ended session. The customers themselves are kept
    (their sections keep them 50 years), so only the record rules act."""
    RetentionPolicy.update(months=600).execute()
    now = utcnow()
    tourism = Section.get(code="tourism")
    customer = Customer.create(section=tourism, kind="person", first_name="Matti",
                               last_name="Meikäläinen", created_at=now)

    def inspection(name, **fields):
        return InspectionRequest.create(
            received_at=now, due_at=now + datetime.timedelta(days=7), channel="written",
            requester_name=name, requester_contact="Katu 1, 00100 Helsinki",
            identity_method="id_card", identity_note="Ajokortti nähty", section=tourism,
            **fields)

    made = {
        "delivered": inspection("Matti Meikäläinen", decision="approved", decided_at=now,
                                delivered_at=now, delivery_method="post"),
        "refused": inspection("  matti   MEIKÄLÄINEN ", decision="refused", decided_at=now,
                              decision_reason="Toistuva pyyntö"),
        "other": inspection("Liisa Virtanen", decision="approved", decided_at=now,
                            delivered_at=now, delivery_method="post"),
        "open": inspection("Matti Meikäläinen", decision="approved", decided_at=now),
        "applied": RectificationRequest.create(
            customer=customer, received_at=now, requester_name="Matti Meikäläinen",
            description="Osoite väärin", verification_source="population_register",
            verification_result="Osoite tarkistettu", decision="approved", decided_at=now,
            applied_at=now),
        "pending": RectificationRequest.create(
            customer=customer, received_at=now, requester_name="Matti Meikäläinen",
            description="Nimi väärin"),
    }
    ended, active = people["staff_t"], people["handler_t"]
    for kind in ("disabled", "reactivated", "ended"):
        AccountStatusChange.create(user=ended, kind=kind, effective_on=helsinki_today(),
                                   reason="Siirtyi muihin tehtäviin", changed_at=now)
    AccountStatusChange.create(user=active, kind="disabled", effective_on=helsinki_today(),
                               changed_at=now)
    AccountStatusChange.create(user=active, kind="reactivated", effective_on=helsinki_today(),
                               changed_at=now)

    def access(account, state, **fields):
        row = AccessRequest.create(kind="new", account=account, person_name="Anna Ahkera",
                                   email="anna@example.com", role="staff", reason="Uusi työ",
                                   state=state, requested_at=now, decided_at=now, **fields)
        AccessRequestSection.create(request=row, section=tourism)
        return row

    made["grant_ended"] = access(ended, "implemented", implemented_at=now)
    made["grant_active"] = access(active, "implemented", implemented_at=now)
    made["access_refused"] = access(None, "refused")
    LoginFailure.create(at=now, username_key="k" * 64, address="192.0.2.1")
    UserSession.create(token_hash="t" * 64, user=active, created_at=now, last_seen_at=now,
                       revoked_at=now, revoked_reason="logout")
    UserSession.create(token_hash="u" * 64, user=active, created_at=now, last_seen_at=now)
    return made


def _reload(row):
    return type(row).get_or_none(type(row).id == row.id)


# --- the rules act after their period, not before ------------------------------------------


@pytest.mark.clock
def test_requests_and_access_records_go_after_their_period_and_not_before(
        app, people, records, clock):
    controller = people["controller"]
    key = _keys(app).pseudonym
    before = retention.requester_counts(InspectionRequest, key)
    assert before[retention.pseudonym("Matti Meikäläinen", key)] == 3  # spellings alike
    clock.advance(days=FIVE_YEARS - MARGIN)
    result, run = _purge(app, controller)
    for kind in ("inspection_requests", "rectification_requests", "access_requests",
                 "account_status_changes"):
        assert result.records[kind] == 0, kind
    assert _reload(records["delivered"]).requester_name == "Matti Meikäläinen"
    assert AccessRequest.select().count() == 3 and AccountStatusChange.select().count() == 5

    clock.advance(days=2 * MARGIN)
    result, run = _purge(app, controller)
    assert result.records["inspection_requests"] == 3  # delivered, refused, other
    assert result.records["rectification_requests"] == 1
    assert result.records["access_requests"] == 2  # the ended account's and the refusal
    assert result.records["account_status_changes"] == 3  # superseded of both accounts
    assert retention.counts_of(run, "records_done") == {
        kind: result.records[kind] for kind in result.records if result.records[kind]}

    delivered, refused = _reload(records["delivered"]), _reload(records["refused"])
    for row in (delivered, refused, _reload(records["other"])):
        assert row.requester_name == "" and row.requester_contact is None
        assert row.identity_note is None and row.wiped_at == utcnow()
        assert row.decision in ("approved", "refused")  # the record of the request stays
    assert delivered.requester_pseudonym == refused.requester_pseudonym \
        == retention.pseudonym("Matti Meikäläinen", key)
    assert _reload(records["other"]).requester_pseudonym != delivered.requester_pseudonym
    assert _reload(records["open"]).requester_name == "Matti Meikäläinen"  # not closed
    applied, pending = _reload(records["applied"]), _reload(records["pending"])
    assert applied.requester_name == "" and applied.verification_result is None
    assert applied.requester_pseudonym == delivered.requester_pseudonym
    assert pending.requester_name == "Matti Meikäläinen" and pending.wiped_at is None
    # The counts per person are what they were.
    assert retention.requester_counts(InspectionRequest, key) == before
    assert retention.requester_counts(RectificationRequest, key) == {
        delivered.requester_pseudonym: 2}
    assert InspectionRequest.select().count() == 4

    assert _reload(records["grant_ended"]) is None and _reload(records["access_refused"]) is None
    assert _reload(records["grant_active"]) is not None
    assert AccessRequestSection.select().count() == 1
    kept = list(AccountStatusChange.select().order_by(AccountStatusChange.id))
    assert [(c.user_id, c.kind) for c in kept] == [(people["staff_t"].id, "ended"),
                                                   (people["handler_t"].id, "reactivated")]
    # Audited per kind, with no value of any record.
    events = AuditEvent.select().where(AuditEvent.action == "purge_records")
    assert {e.fields for e in events} >= {"inspection_requests", "access_requests"}
    assert "Meikäläinen" not in " ".join(str(v) for r in AuditEvent.select().tuples() for v in r)
    # Nothing is left to do, and a purge again does nothing twice.
    assert not any(_counts()[k] for k in ("inspection_requests", "access_requests"))
    _result, again = _purge(app, controller)
    assert retention.counts_of(again, "records_done").get("inspection_requests") is None


@pytest.mark.clock
@pytest.mark.parametrize("kind, model, period_days", [
    ("login_failures", LoginFailure, 30), ("ended_sessions", UserSession, 91)])
def test_failed_logins_and_ended_sessions_go_after_their_period(
        app, people, records, clock, kind, model, period_days):
    clock.advance(days=period_days - 5)
    assert _counts()[kind] == 0
    _purge(app, people["controller"])
    assert model.select().count() == (1 if model is LoginFailure else 2)
    clock.advance(days=10)
    assert _counts()[kind] == model.select().count()  # an idle session has ended too
    _result, run = _purge(app, people["controller"])
    assert model.select().count() == 0
    assert retention.counts_of(run, "records_done")[kind] >= 1


# --- the audit log --------------------------------------------------------------------------


def _drop_checkpoint_guard():
    if database.is_sqlite():
        db.execute_sql("DROP TRIGGER audit_checkpoint_no_update")
        db.execute_sql("DROP TRIGGER audit_checkpoint_no_delete")
    else:
        db.execute_sql("DROP TRIGGER audit_checkpoint_append_only ON audit_checkpoint")


def _drop_event_guard():
    if database.is_sqlite():
        db.execute_sql("DROP TRIGGER audit_event_no_delete")
    else:
        db.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")


@pytest.mark.clock
def test_the_audit_log_is_pruned_behind_a_signed_checkpoint(app, runner, people, records,
                                                            clock):
    key = _keys(app).checkpoint
    for i in range(30):
        audit.record("view", people["controller"], object_type="customer", object_id=i + 1)
    old = AuditHead.get().last_id
    clock.advance(days=FIVE_YEARS - MARGIN)
    result, _run = _purge(app, people["controller"])
    assert result.records["audit_log"] == 0 and AuditCheckpoint.select().count() == 0
    clock.advance(days=2 * MARGIN)
    result, run = _purge(app, people["controller"], batch_size=7)
    assert result.records["audit_log"] == old
    assert retention.counts_of(run, "records_done")["audit_log"] == old
    # In batches: one checkpoint a batch, each naming the last event it removed.
    checkpoints = list(AuditCheckpoint.select().order_by(AuditCheckpoint.id))
    assert len(checkpoints) == -(-old // 7)
    newest = checkpoints[-1]
    assert (newest.last_id, newest.removed_count, newest.run_id) == (old, old, run.id)
    assert AuditEvent.select().where(AuditEvent.id <= old).count() == 0
    assert AuditEvent.get_by_id(old + 1).prev_hash == newest.last_hash
    ok, broken, checked = audit.verify(checkpoint_key=key)
    assert ok and broken is None and checked == AuditHead.get().last_id - old
    answer = runner.invoke(args=["audit", "verify"])
    assert answer.exit_code == 0, answer.output
    assert f"{old} older events removed" in answer.output
    assert not audit.verify(checkpoint_key="another key")[0]
    # The database refuses to remove an event no checkpoint covers.
    with pytest.raises(Exception), db.atomic():
        db.execute_sql(f"DELETE FROM audit_event WHERE id = {old + 2}")
    assert AuditEvent.get_or_none(AuditEvent.id == old + 2) is not None


@pytest.mark.parametrize("tamper", ["hash", "count", "signature", "deleted", "forged"])
def test_a_tampered_checkpoint_fails_verification(app, runner, people, tamper):
    key = _keys(app).checkpoint
    for i in range(10):
        audit.record("view", people["controller"], object_type="customer", object_id=i + 1)
    assert audit.prune(5, key) == 5 and audit.prune(8, key) == 3
    assert audit.verify(checkpoint_key=key)[0]
    _drop_checkpoint_guard()
    newest = AuditCheckpoint.newest()
    if tamper == "hash":
        AuditCheckpoint.update(last_hash="0" * 64).where(AuditCheckpoint.id == newest.id).execute()
    elif tamper == "count":
        AuditCheckpoint.update(removed_count=7).where(AuditCheckpoint.id == newest.id).execute()
    elif tamper == "signature":
        AuditCheckpoint.update(signature="f" * 64).where(AuditCheckpoint.id == newest.id).execute()
    elif tamper == "deleted":  # back to the checkpoint before: its events are gone
        db.execute_sql(f"DELETE FROM audit_checkpoint WHERE id = {newest.id}")
    else:  # a checkpoint hiding events 9 and 10, signed with another key
        _drop_event_guard()
        forged = AuditCheckpoint(id=newest.id + 1, last_id=10,
                                 last_hash=AuditEvent.get_by_id(10).hash, removed_count=10,
                                 at=utcnow(), prev_signature=newest.signature)
        forged.signature = audit.checkpoint_signature(forged, "guessed key")
        forged.save(force_insert=True)
        db.execute_sql("DELETE FROM audit_event WHERE id IN (9, 10)")
    assert not audit.verify(checkpoint_key=key)[0]
    answer = runner.invoke(args=["audit", "verify"])
    assert answer.exit_code == 1 and "broken" in answer.output


def test_a_row_deleted_from_the_remaining_chain_fails_verification(app, people):
    key = _keys(app).checkpoint
    for i in range(10):
        audit.record("view", people["controller"], object_type="customer", object_id=i + 1)
    audit.prune(4, key)
    _drop_event_guard()
    db.execute_sql("DELETE FROM audit_event WHERE id = 7")
    assert audit.verify(checkpoint_key=key) == (False, 8, 3)
    db.execute_sql("DELETE FROM audit_event WHERE id = 5")
    assert audit.verify(checkpoint_key=key)[:2] == (False, 6)


# --- crash safety ---------------------------------------------------------------------------


class Crash(Exception):
    pass


@pytest.mark.clock
def test_a_crash_in_a_record_batch_leaves_nothing_half_done(app, people, records, clock):
    clock.advance(days=FIVE_YEARS + MARGIN)
    snapshot = retention.Snapshot.now(list(Section.select()))
    result = retention.preview(snapshot)
    run = retention.start_preview(snapshot, result, people["controller"])
    retention.confirm(run.id, people["controller"])

    def crash():
        raise Crash()

    with pytest.raises(Crash):
        retention.execute(run.id, keys=_keys(app), batch_size=2, inside_batch=crash)
    # The first batch (two inspection requests) rolled back whole.
    assert InspectionRequest.select().where(InspectionRequest.wiped_at.is_null()).count() == 4
    assert PurgeRun.get_by_id(run.id).records_done == "{}"
    run = retention.execute(run.id, keys=_keys(app), batch_size=2)
    assert run.state == "finished"
    assert retention.counts_of(run, "records_done")["inspection_requests"] == 3
    assert InspectionRequest.select().where(InspectionRequest.wiped_at.is_null()).count() == 1
    assert audit.verify(checkpoint_key=_keys(app).checkpoint)[0]


def test_without_the_keys_a_request_to_wipe_stops_the_purge(app, people):
    long_ago = utcnow() - datetime.timedelta(days=FIVE_YEARS + 100)
    InspectionRequest.create(received_at=long_ago, due_at=long_ago, channel="written",
                             requester_name="Liisa Virtanen", section=Section.get(code="tourism"),
                             decision="refused", decided_at=long_ago)
    snapshot = retention.Snapshot.now(list(Section.select()))
    run = retention.start_preview(snapshot, retention.preview(snapshot), people["controller"])
    retention.confirm(run.id, people["controller"])
    with pytest.raises(retention.RegisterError):
        retention.execute(run.id)
    assert InspectionRequest.get().requester_name == "Liisa Virtanen"


# --- the pages and the command line -----------------------------------------------------------


@pytest.mark.clock
def test_the_preview_page_and_the_cli_show_the_counts(app, client, auth, runner, people,
                                                      records, clock):
    clock.advance(days=FIVE_YEARS + MARGIN)
    auth.login_as("controller")
    page = client.get("/retention/").get_data(as_text=True)
    assert "Rekisterin omat tiedot" in page
    row = page[page.index("Suljetut tarkastuspyynnöt"):]
    assert row.split("</tr>")[0].count(">3<") == 1  # three to wipe
    answer = runner.invoke(args=["retention", "preview"])
    assert "records inspection_requests: 60 months" in answer.output
    assert "3 to wipe" in answer.output and "Meikäläinen" not in answer.output
    run = PurgeRun.select().order_by(PurgeRun.id.desc()).get()
    assert '"inspection_requests": 3' in run.records_planned
    retention.confirm(run.id, people["controller"])
    answer = runner.invoke(args=["retention", "purge", "--confirmed-run", str(run.id)])
    assert answer.exit_code == 0, answer.output
    assert "records inspection_requests: 3 wiped" in answer.output
    for url in (f"/retention/runs/{run.id}", "/retention/log/"):
        page = client.get(url).get_data(as_text=True)
        row = page[page.index("Suljetut tarkastuspyynnöt"):].split("</tr>")[0]
        assert row.count(">3<") == 2, url  # planned and done
    # The wiped request's page says so instead of a name.
    page = client.get(f"/requests/{records['delivered'].id}/").get_data(as_text=True)
    assert "(poistettu säilytyssäännön mukaisesti)" in page and "Meikäläinen" not in page
    assert "Katu 1" not in page and "Ajokortti" not in page


def test_a_rule_changed_after_the_preview_refuses_the_confirmation(app, people):
    snapshot = retention.Snapshot.now(list(Section.select()))
    run = retention.start_preview(snapshot, retention.preview(snapshot), people["controller"])
    assert retention.set_rule("ended_sessions", "6", people["controller"])
    with pytest.raises(retention.PolicyChanged):
        retention.confirm(run.id, people["controller"])
    assert PurgeRun.get_by_id(run.id).state == "stale"
    assert '"ended_sessions": {"cutoff"' in retention.Snapshot.now([]).policy_json()


def shown_form():
    """Return the rules' form as the page sends it unchanged: each rule's months, typed and
    as shown."""
    form = {}
    for kind, row in retention.rules():
        form[f"months-{kind}"] = form[f"shown-{kind}"] = str(row.months)
    return form


def test_a_stale_rules_page_keeps_what_someone_else_changed(client, auth, people):
    auth.login_as("controller")
    page = client.get("/retention/records/").get_data(as_text=True)
    assert 'name="shown-audit_log" value="60"' in page
    form = {**shown_form(), "csrf_token": csrf_token(page)}
    retention.set_rule("audit_log", "120", people["controller"])  # another controller
    # Only login failures changed on this page: the audit log's 120 stays.
    answer = client.post("/retention/records/", data={**form, "months-login_failures": "6"})
    assert answer.status_code == 302
    assert RecordRetention.get(kind="audit_log").months == 120
    assert RecordRetention.get(kind="login_failures").months == 6
    # The audit log changed on this page too: refused whole, the rule marked as it is now.
    answer = client.post("/retention/records/", data={
        **form, "months-audit_log": "72", "months-ended_sessions": "2"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Joku muu muutti" in text
    assert 'name="months-audit_log"' in text and 'value="120"' in text
    assert RecordRetention.get(kind="audit_log").months == 120
    assert RecordRetention.get(kind="ended_sessions").months != 2
    # Sent again as re-shown, the other change is saved and the audit log is left alone.
    shown = dict(re.findall(r'name="(shown-[a-z_]+)" value="(\d+)"', text))
    typed = dict(re.findall(r'name="(months-[a-z_]+)"[^>]*value="(\d+)"', text))
    answer = client.post("/retention/records/", data={
        **shown, **typed, "csrf_token": csrf_token(text)})
    assert answer.status_code == 302
    assert RecordRetention.get(kind="audit_log").months == 120
    assert RecordRetention.get(kind="ended_sessions").months == 2
    # A page that says nothing of what it showed is as stale.
    without = {k: v for k, v in shown_form().items() if not k.startswith("shown-")}
    answer = client.post("/retention/records/", data={
        **without, "months-audit_log": "84", "csrf_token": csrf_token(text)})
    assert answer.status_code == 200
    assert RecordRetention.get(kind="audit_log").months == 120


def test_only_the_controller_changes_the_rules(client, auth, people):
    auth.login_as("controller")
    page = client.get("/retention/records/").get_data(as_text=True)
    assert 'name="months-audit_log"' in page and 'value="60"' in page
    form = shown_form()
    answer = client.post("/retention/records/", data={
        **form, "months-audit_log": "84", "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert RecordRetention.get(kind="audit_log").months == 84
    change = RecordRetentionChange.get()
    assert (change.kind, change.old_months, change.new_months) == ("audit_log", 60, 84)
    assert change.changed_by_id == people["controller"].id
    event = AuditEvent.select().where(AuditEvent.object_type == "record_retention").get()
    assert (event.action, event.object_id, event.fields) == ("update", "audit_log", "months")
    page = client.get("/retention/records/").get_data(as_text=True)
    assert "84" in page and "controller" in page

    for username, status in (("responsible", 200), ("handler_t", 200), ("staff_t", 403)):
        auth.login_as(username, switch=True)
        assert client.get("/retention/records/").status_code == status
        token = auth.token()
        answer = client.post("/retention/records/", data={
            **form, "months-audit_log": "12", "csrf_token": token})
        assert answer.status_code == 403
        if status == 200:
            text = client.get("/retention/records/").get_data(as_text=True)
            assert 'name="months-audit_log"' not in text and "84 kuukautta" in text
    assert RecordRetention.get(kind="audit_log").months == 84


@pytest.mark.parametrize("value, status", [
    ("0", 200), ("-5", 200), ("12345678901234567890", 200), ("abc", 200), ("", 200),
    ("１２", 200), ("11", 200), ("601", 200), ("12\x00", 400)])
def test_bad_months_store_nothing(client, auth, people, value, status):
    auth.login_as("controller")
    page = client.get("/retention/records/").get_data(as_text=True)
    form = shown_form()
    answer = client.post("/retention/records/", data={
        **form, "months-audit_log": value, "csrf_token": csrf_token(page)})
    assert answer.status_code == status
    if status == 200:
        text = answer.get_data(as_text=True)
        assert "kokonaislukuna" in text and 'aria-invalid="true"' in text
    assert RecordRetentionChange.select().count() == 0
    assert RecordRetention.get(kind="audit_log").months == 60
    with pytest.raises(retention.RegisterError):
        retention.set_rule("audit_log", value, people["controller"])
    with pytest.raises(retention.RegisterError):
        retention.set_rule("no_such_kind", "60", people["controller"])
