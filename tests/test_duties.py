"""Duties that come due (issue 17): the purge review's cadence and due day, the duties page,
training records and their flags; who may see and do what; dates across a simulated year
(Helsinki days); bad input refused, never a 500."""

import datetime
import re

import pytest

from models import AuditEvent, DutySetting, PurgeRun, TrainingAttendance, TrainingSession, User
from models import utcnow
from services import access, duties, worklist
from services.duties.dates import add_months
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.policy import NotAllowed
from tests.conftest import new_session

PEOPLE = ("eero", "nyrki", "tuulikki", "susanna", "anna", "ylla")
D = datetime.date


def at(day, hour=12):
    """Return a naive UTC moment on ``day`` (noon UTC is the same day in Helsinki)."""
    return datetime.datetime.combine(day, datetime.time(hour))


def text(response):
    return response.get_data(as_text=True)


def post(client, path, data):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      text(client.get("/", follow_redirects=True))).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def purge_run(confirmed_at, kind="purge", state="finished"):
    return PurgeRun.create(kind=kind, state=state, sections="tourism", keep_from=D(2020, 1, 1),
                           accounting_years=6, fingerprint="x" * 64,
                           previewed_at=confirmed_at, confirmed_at=confirmed_at)


def test_months_are_added_with_the_day_clamped_to_the_months_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert add_months(D(2026, 3, 15), -12) == D(2025, 3, 15)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


@pytest.mark.clock
def test_purge_review_comes_due_by_the_cadence_across_a_year(app, people):
    User.update(created_at=at(D(2025, 1, 10))).execute()
    duty = duties.purge_review(at(D(2025, 6, 1)))
    assert (duty.state, duty.due_on, duty.last_done) == ("ok", D(2026, 1, 10), None)
    assert duties.purge_review(at(D(2025, 12, 10))).state == "ok"  # 31 days before
    duty = duties.purge_review(at(D(2025, 12, 11)))
    assert (duty.state, duty.days_left) == ("soon", 30)
    duty = duties.purge_review(at(D(2026, 1, 11)))
    assert (duty.state, duty.days_left) == ("overdue", -1)

    # The controller's front page lists it; the others' do not (they do not purge).
    now = at(D(2026, 1, 11))
    assert [w.task for w in worklist.work(people["eero"], now)
            if w.kind == "purge_review"] == ["purge_review"]
    for name in ("nyrki", "tuulikki", "anna", "ylla"):
        assert not [w for w in worklist.work(people[name], now) if w.kind == "purge_review"]
    assert not [w for w in worklist.work(people["eero"], at(D(2025, 6, 1)))
                if w.kind == "purge_review"]

    # A purge confirmed late: the review runs from it; the log marks it late.
    first = purge_run(at(D(2026, 2, 1)))
    duty = duties.purge_review(at(D(2026, 3, 1)))
    assert (duty.state, duty.last_done, duty.due_on) == ("ok", D(2026, 2, 1), D(2027, 2, 1))
    assert duties.cadence_kept([first]) == {first.id: False}

    # Half-yearly: the next is due sooner; a purge in time keeps the cadence. An erasure
    # on request and an unconfirmed preview are no purge review.
    assert duties.set_months(duties.PURGE_CADENCE, "6", people["eero"]) is True
    assert duties.purge_review(at(D(2026, 3, 1))).due_on == D(2026, 8, 1)
    second = purge_run(at(D(2026, 7, 31)))
    erasure = purge_run(at(D(2026, 12, 1)), kind="erasure")
    purge_run(at(D(2026, 12, 2)), state="previewed")
    assert duties.purge_review(at(D(2026, 12, 5))).last_done == D(2026, 7, 31)
    assert duties.cadence_kept([first, second, erasure]) == {first.id: False,
                                                             second.id: True}


@pytest.mark.clock
def test_due_days_are_helsinki_days(app, people):
    User.update(created_at=at(D(2025, 1, 10))).execute()
    # 22:30 UTC on 31 December is 00:30 on 1 January in Helsinki.
    purge_run(datetime.datetime(2026, 12, 31, 22, 30))
    duty = duties.purge_review(datetime.datetime(2027, 1, 1, 8))
    assert (duty.last_done, duty.due_on) == (D(2027, 1, 1), D(2028, 1, 1))
    # On 31 December 2027 at 23:30 Helsinki (21:30 UTC) one day is left.
    assert duties.purge_review(datetime.datetime(2027, 12, 31, 21, 30)).days_left == 1
    assert duties.purge_review(datetime.datetime(2027, 12, 31, 22, 30)).days_left == 0


@pytest.mark.clock
def test_every_duty_has_its_last_and_next_day(app, people):
    User.update(created_at=at(D(2025, 1, 10))).execute()
    now = at(D(2025, 3, 1))
    found = {d.code: d for d in duties.duties(now)}
    assert list(found) == list(duties.DUTIES)
    assert {c: (d.last_done, d.due_on, d.state) for c, d in found.items()} == {
        "access_review": (None, D(2026, 1, 10), "ok"),
        "purge_review": (None, D(2026, 1, 10), "ok"),
        "restore_drill": (None, D(2025, 7, 10), "ok"),
        "guidance_review": (None, D(2026, 1, 10), "ok"),
        "training": (None, D(2026, 1, 10), "ok"),
    }
    access.publish_guidance(people["eero"], "Ohje", now=at(D(2025, 2, 1)))
    rows = access.review_accounts(now)
    access.save_review(people["nyrki"], {r.user.id: ("keep", "") for r in rows},
                       [r.user.id for r in rows], now=at(D(2025, 2, 2)))
    TrainingSession.create(held_on=D(2025, 2, 3), topic="Tietosuoja", recorded_at=now)
    later = at(D(2026, 1, 20))
    found = {d.code: d for d in duties.duties(later, last_drill=at(D(2025, 6, 1)))}
    assert (found["access_review"].last_done, found["access_review"].due_on) == (
        D(2025, 2, 2), D(2026, 2, 2))
    assert found["access_review"].state == "soon"
    assert found["guidance_review"].due_on == D(2026, 2, 1)
    assert (found["restore_drill"].due_on, found["restore_drill"].state) == (
        D(2025, 12, 1), "overdue")
    assert (found["training"].last_done, found["training"].due_on) == (
        D(2025, 2, 3), D(2026, 2, 3))
    assert found["purge_review"].state == "overdue"


def test_only_the_controller_and_the_responsible_person_see_the_duties(app, people):
    for name in ("eero", "nyrki"):
        page = text(new_session(app, name).get("/duties/"))
        for code in duties.DUTIES:
            assert f'data-duty="{code}"' in page
        assert "/access/review/" in page and "/retention/" in page
    for name in ("tuulikki", "anna", "ylla"):
        client = new_session(app, name)
        assert client.get("/duties/").status_code == 403
        for path in ("/duties/training", "/duties/training-months", "/duties/purge-cadence"):
            assert client.post(path, data={"months": "3"}).status_code in (400, 403)
    assert DutySetting.select().count() == 0


def test_the_controller_sets_the_purge_cadence_on_the_retention_page(app, people):
    controller = new_session(app, "eero")
    page = text(controller.get("/retention/policy/"))
    assert 'id="cadence-months"' in page and 'value="12"' in page
    response = post(controller, "/duties/purge-cadence", {"months": "24"})
    assert response.status_code == 303 and "/retention/policy/" in response.location
    assert duties.months(duties.PURGE_CADENCE) == 24
    event = AuditEvent.select().where(AuditEvent.object_type == "duty_setting").get()
    assert (event.action, event.object_id) == ("update", "purge_cadence")
    log = text(controller.get("/retention/log/"))
    assert "24" in log

    for bad in ("", "0", "61", "-3", "1.5", "99999999999999999999", "x" * 5000):
        response = post(controller, "/duties/purge-cadence", {"months": bad})
        assert response.status_code == 200  # the page again, what was typed in its field
        field = re.search(r'<input[^>]*id="cadence-months"[^>]*>', text(response)).group(0)
        assert f'value="{bad[:40]}"' in field and 'aria-invalid="true"' in field
        assert 'id="cadence-months-error"' in text(response)
        assert duties.months(duties.PURGE_CADENCE) == 24
    assert post(controller, "/duties/purge-cadence", {"months": "1\x00"}).status_code == 400
    with pytest.raises(RegisterError):
        duties.parse_months("61")

    # The responsible person and a handler read the periods but set no cadence.
    handler = new_session(app, "tuulikki")
    assert 'id="cadence-months"' not in text(handler.get("/retention/policy/"))
    assert post(handler, "/duties/purge-cadence", {"months": "3"}).status_code == 403
    assert post(new_session(app, "nyrki"), "/duties/purge-cadence",
                {"months": "3"}).status_code == 403
    with pytest.raises(NotAllowed):
        duties.set_months(duties.PURGE_CADENCE, "3", people["nyrki"])
    assert duties.months(duties.PURGE_CADENCE) == 24


def test_the_responsible_person_records_training_and_untrained_are_flagged(app, people):
    responsible = new_session(app, "nyrki")
    today = helsinki_today()
    anna, tuulikki = people["anna"].id, people["tuulikki"].id
    response = post(responsible, "/duties/training", {
        "held_on": today.isoformat(), "topic": "Tietosuoja ja rekisterin käyttö",
        "material_url": "https://intra.hel.fi/koulutus", "attended": [str(anna), str(tuulikki)]})
    assert response.status_code == 303
    session = TrainingSession.get()
    assert (session.held_on, session.topic) == (today, "Tietosuoja ja rekisterin käyttö")
    assert {a.user_id for a in TrainingAttendance.select()} == {anna, tuulikki}
    event = AuditEvent.select().where(AuditEvent.object_type == "training").get()
    assert (event.action, event.object_id) == ("create", str(session.id))

    page = text(responsible.get("/duties/"))
    assert 'data-account="anna" data-training="ok"' in page
    assert 'data-account="susanna" data-training="flagged"' in page
    assert 'data-duty="training" data-state="ok"' in page
    review = text(responsible.get("/access/review/"))
    assert review.count('data-training="ok"') == 2
    assert review.count('data-training="flagged"') == len(PEOPLE) - 2

    # A training older than the setting allows is flagged; a longer setting clears it.
    TrainingSession.update(held_on=add_months(today, -13)).execute()
    assert 'data-account="anna" data-training="flagged"' in text(responsible.get("/duties/"))
    refused = post(responsible, "/duties/training-months", {"months": "999"})
    field = re.search(r'<input[^>]*id="months"[^>]*>', text(refused)).group(0)
    assert refused.status_code == 200 and 'value="999"' in field  # kept, the error at it
    assert 'aria-describedby="months-error"' in field and 'id="months-error"' in text(refused)
    assert post(responsible, "/duties/training-months", {"months": "24"}).status_code == 303
    assert duties.months(duties.TRAINING_VALID) == 24
    assert 'data-account="anna" data-training="ok"' in text(responsible.get("/duties/"))

    # The controller reads, but records no training and sets no training period.
    controller = new_session(app, "eero")
    assert 'data-account="anna"' in text(controller.get("/duties/"))
    assert post(controller, "/duties/training", {"held_on": today.isoformat(), "topic": "x",
                                                 "attended": [str(anna)]}).status_code == 403
    assert post(controller, "/duties/training-months", {"months": "3"}).status_code == 403
    with pytest.raises(NotAllowed):
        duties.record_session(people["eero"], today.isoformat(), "x", "", [anna])
    assert TrainingSession.select().count() == 1


@pytest.mark.parametrize("change, message", [
    ({"held_on": ""}, "Anna koulutuksen päivä"),
    ({"held_on": "2026-13-45"}, "Anna koulutuksen päivä"),
    ({"held_on": "99999-01-01"}, "Anna koulutuksen päivä"),
    ({"held_on": "2026-W01-1"}, "Anna koulutuksen päivä"),  # a day of an ISO week
    ({"held_on": "20260101"}, "Anna koulutuksen päivä"),
    ({"held_on": "0001-01-01"}, "Anna jo pidetyn koulutuksen päivä"),
    ({"held_on": "FUTURE"}, "Anna jo pidetyn koulutuksen päivä"),
    ({"topic": "  "}, "Kirjoita koulutuksen aihe."),
    ({"topic": "x" * 300}, "Lyhennä teksti"),
    ({"material_url": "javascript:alert(1)"}, "https://"),
    ({"attended": []}, "Valitse koulutukseen osallistuneet."),
    ({"attended": ["99999999999999999999"]}, "Valitse koulutukseen osallistuneet."),
    ({"attended": ["123456"]}, "Valitse osallistujat luettelosta."),
])
def test_bad_training_input_is_refused_with_what_to_do(app, people, change, message):
    responsible = new_session(app, "nyrki")
    data = {"held_on": helsinki_today().isoformat(), "topic": "Tietosuoja",
            "material_url": "", "attended": [str(people["anna"].id)], **change}
    if data["held_on"] == "FUTURE":
        data["held_on"] = (helsinki_today() + datetime.timedelta(days=1)).isoformat()
    response = post(responsible, "/duties/training", data)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page or 'id="attended-error"' in page
    assert TrainingSession.select().count() == 0


def test_nul_in_a_training_is_refused_whole(app, people):
    responsible = new_session(app, "nyrki")
    response = post(responsible, "/duties/training", {
        "held_on": helsinki_today().isoformat(), "topic": "Tieto\x00suoja",
        "attended": [str(people["anna"].id)]})
    assert response.status_code == 400
    assert TrainingSession.select().count() == 0


@pytest.mark.clock
def test_the_front_page_shows_the_purge_review_to_the_controller(app, people, clock):
    User.update(created_at=utcnow() - datetime.timedelta(days=380)).execute()
    page = text(new_session(app, "eero").get("/"))
    assert 'data-task="purge_review"' in page and "Myöhässä" in page
    assert 'data-task="purge_review"' not in text(new_session(app, "nyrki").get("/"))
    purge_run(utcnow())
    assert 'data-task="purge_review"' not in text(new_session(app, "eero").get("/"))


@pytest.mark.clock
def test_the_restore_drill_runs_from_the_last_passed_drill(app, people, tmp_path):
    import json
    import pathlib

    from services import backup

    directory = pathlib.Path(backup.Settings.from_app(app).directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    passed, failed = now - datetime.timedelta(days=10), now - datetime.timedelta(days=2)
    (directory / backup.DRILL_LOG).write_text(json.dumps([
        {"at": passed.isoformat(), "ok": True, "problems": []},
        {"at": failed.isoformat(), "ok": False, "problems": []}]), encoding="utf-8")
    page = text(new_session(app, "nyrki").get("/duties/"))
    row = re.search(r'<tr data-duty="restore_drill".*?</tr>', page, re.S).group(0)
    assert 'data-state="ok"' in row
    from services.localtime import format_date, helsinki_date
    assert format_date(helsinki_date(passed), "fi") in row
    assert format_date(add_months(helsinki_date(passed), duties.DRILL_MONTHS), "fi") in row


def duties_check(runner):
    result = runner.invoke(args=["duties", "check"])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1])


@pytest.mark.clock
def test_duties_check_tells_of_the_purge_and_access_reviews_once_per_due_day(
        app, people, runner, clock):
    from models import OutboxMessage
    from services import notifications

    for name in PEOPLE:
        User.update(email=f"{name}@hel.fi", language="sv" if name == "eero" else "fi").where(
            User.username == name).execute()
    start = utcnow() - datetime.timedelta(days=340)  # both reviews due in 25 days or so
    User.update(created_at=start).execute()
    assert duties_check(runner) == 2
    reviews = OutboxMessage.kind != "backup_problem"  # no backup taken here: told apart
    kinds = {(m.kind, m.address) for m in OutboxMessage.select().where(reviews)}
    assert kinds == {("purge_review_due", "eero@hel.fi"), ("access_review_due", "nyrki@hel.fi")}
    assert duties_check(runner) == 0  # once per due day

    [purge] = OutboxMessage.select().where(OutboxMessage.kind == "purge_review_due")
    subject, body = notifications.render(purge, "https://rekisteri.example")
    assert subject.startswith("Granskningen inför gallring i kundregistret förfaller")
    [review] = OutboxMessage.select().where(OutboxMessage.kind == "access_review_due")
    subject_fi, body_fi = notifications.render(review, "https://rekisteri.example")
    assert subject_fi.startswith("Asiakasrekisterin käyttöoikeuksien tarkistuksen määräpäivä")
    assert "https://rekisteri.example/access/review/" in body_fi
    assert "https://rekisteri.example/retention/" in body
    for name in PEOPLE:
        assert name not in subject and f"{name}@" not in body

    clock.advance(days=40)  # overdue: told once more
    assert duties_check(runner) == 2
    assert duties_check(runner) == 0
    # Done: the next due day is a year away, nothing more to tell.
    purge_run(utcnow())
    rows = access.review_accounts()
    access.save_review(people["nyrki"], {r.user.id: ("keep", "") for r in rows},
                       [r.user.id for r in rows])
    assert duties_check(runner) == 0
    assert OutboxMessage.select().where(reviews).count() == 4
