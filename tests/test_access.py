"""Access management (seed §3, §4, §9, §17, §18): the grant workflow and its order, ending
access, the yearly review and its reminders, idle accounts, and the guidance every user
acknowledges — through the pages, the service and the CLI, on SQLite and PostgreSQL."""

import datetime
import re

import pytest

from models import (
    AccessRequest,
    AccessReview,
    AccountStatusChange,
    AuditEvent,
    GuidanceAcknowledgement,
    User,
    utcnow,
)
from services import access, accounts
from services.localtime import helsinki_today
from tests.conftest import PASSWORD, AuthActions, csrf_token, new_session

TODAY = helsinki_today  # Helsinki's today, from the register's own clock


def token(client):
    """Return a CSRF token of ``client``'s session (from whatever page it lands on)."""
    return csrf_token(client.get("/", follow_redirects=True).get_data(as_text=True))


def post(client, path, data=None, follow=False):
    return client.post(path, data={"csrf_token": token(client), **(data or {})},
                       follow_redirects=follow)


def text(response):
    return response.get_data(as_text=True)


# The register's people: a controller, a responsible person, a handler per section, staff
# and technical maintenance (conftest.ACCOUNTS).
PEOPLE = ("eero", "nyrki", "tuulikki", "susanna", "anna", "ylla")


NEW_PERSON = {"account": "", "person_name": "Pekka Uusi", "email": "pekka.uusi@hel.fi",
              "role": "staff", "sections": ["tourism"],
              "reason": "Asiakaspalvelu matkailuneuvonnassa 1.12. alkaen"}


def ask(client, **changes):
    """Post an access request; return the response (a redirect to it when accepted)."""
    return post(client, "/access/requests/new/", NEW_PERSON | changes)


def request_id(response):
    match = re.search(r"/access/requests/(\d+)/$", response.location or "")
    assert match, response.location
    return int(match.group(1))


# --- the grant workflow -------------------------------------------------------------------


@pytest.mark.clock
def test_grant_workflow_in_order(app, people):
    staff = new_session(app, "anna")
    handler = new_session(app, "tuulikki")
    other_handler = new_session(app, "susanna")
    controller = new_session(app, "eero")
    responsible = new_session(app, "nyrki")

    # Anyone but maintenance may ask access for someone.
    response = ask(staff)
    assert response.status_code == 303
    rid = request_id(response)
    row = AccessRequest.get_by_id(rid)
    assert (row.state, row.kind, row.person_name, row.account_id) == (
        "requested", "new", "Pekka Uusi", None)
    page = text(staff.get(f"/access/requests/{rid}/"))
    assert "Odottaa rekisterinpitäjän päätöstä" in page and "Pekka Uusi" in page

    # No account before the approval: the handler's implementation is refused with a reason.
    response = post(handler, f"/access/requests/{rid}/implement/", {"username": "pekka.uusi"},
                    follow=True)
    assert "Rekisterinpitäjä ei ole vielä hyväksynyt pyyntöä" in text(response)
    assert User.by_username("pekka.uusi") is None
    with pytest.raises(access.RegisterError):
        access.implement(people["eero"], row, "pekka.uusi")
    assert User.by_username("pekka.uusi") is None

    # Only the controller decides: a POST by anyone else is 403.
    for client in (staff, handler, responsible):
        assert post(client, f"/access/requests/{rid}/decide/",
                    {"decision": "approve"}).status_code == 403
    assert AccessRequest.get_by_id(rid).state == "requested"
    # A refusal needs its reason.
    response = post(controller, f"/access/requests/{rid}/decide/", {"decision": "refuse"})
    assert response.status_code == 200
    assert "Kirjoita hylkäämisen perustelu" in text(response)
    assert AccessRequest.get_by_id(rid).state == "requested"
    response = post(controller, f"/access/requests/{rid}/decide/", {"decision": "approve"})
    assert response.status_code == 303
    row = AccessRequest.get_by_id(rid)
    assert row.state == "approved" and row.decided_by_id == people["eero"].id
    # Decided once.
    response = post(controller, f"/access/requests/{rid}/decide/", {"decision": "refuse",
                                                                   "reason": "Ei sittenkään"})
    assert "Pyynnöstä on jo päätetty" in text(response)
    assert AccessRequest.get_by_id(rid).state == "approved"

    # The handler of another section may not implement it (nor learn that it exists: 404
    # as for no request at all); staff may not either.
    assert post(other_handler, f"/access/requests/{rid}/implement/",
                {"username": "pekka.uusi"}).status_code == 404
    assert post(other_handler, "/access/requests/999999/implement/",
                {"username": "pekka.uusi"}).status_code == 404
    assert post(staff, f"/access/requests/{rid}/implement/",
                {"username": "pekka.uusi"}).status_code == 403
    assert User.by_username("pekka.uusi") is None

    # The section's handler creates the account; the one-time password is shown once.
    page = text(handler.get(f"/access/requests/{rid}/"))
    assert 'value="pekka.uusi"' in page  # the username offered from the email
    response = post(handler, f"/access/requests/{rid}/implement/", {"username": "pekka.uusi"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    password = re.search(r'id="one-time-password">([^<]+)<', page).group(1)
    assert "Salasana näytetään vain nyt." in page
    user = User.by_username("pekka.uusi")
    assert user.role == "staff" and [s.code for s in user.sections] == ["tourism"]
    assert user.must_change_password and user.active
    row = AccessRequest.get_by_id(rid)
    assert (row.state, row.account_id, row.implemented_by_id) == (
        "implemented", user.id, people["tuulikki"].id)
    assert password not in text(handler.get(f"/access/requests/{rid}/"))

    # Implemented once.
    response = post(handler, f"/access/requests/{rid}/implement/", {"username": "pekka.toinen"},
                    follow=True)
    assert "Pyyntö on jo toteutettu" in text(response)
    assert User.by_username("pekka.toinen") is None

    # The new user logs in with the one-time password and must change it first.
    assert AuthActions(app.test_client()).login("pekka.uusi", password).location == "/password"

    # Every step is in the audit log, by pseudonym.
    events = list(AuditEvent.select().where(AuditEvent.object_type.in_(
        ["access_request", "user"])).order_by(AuditEvent.id))
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "access_request"), ("approve", "access_request"),
        ("create", "user"), ("implement", "access_request")]
    assert events[0].actor == people["anna"].pseudonym and events[0].actor_role == "staff"
    assert events[2].section == "tourism"


def test_refused_request_is_never_implemented(app, people):
    controller = new_session(app, "eero")
    rid = request_id(ask(new_session(app, "anna")))
    response = post(controller, f"/access/requests/{rid}/decide/",
                    {"decision": "refuse", "reason": "Tehtävä ei vaadi rekisteriä"})
    assert response.status_code == 303
    assert AccessRequest.get_by_id(rid).decision_reason == "Tehtävä ei vaadi rekisteriä"
    response = post(controller, f"/access/requests/{rid}/implement/", {"username": "pekka"},
                    follow=True)
    assert "Pyyntö hylättiin: toteutettavaa ei ole." in text(response)
    assert User.by_username("pekka") is None


def test_request_form_says_what_to_fix_and_keeps_the_input(app, people):
    staff = new_session(app, "anna")
    response = ask(staff, person_name="", email="ei-osoite")
    assert response.status_code == 200
    page = text(response)
    assert "Kirjoita käyttöoikeutta tarvitsevan henkilön nimi." in page
    assert "Asiakaspalvelu matkailuneuvonnassa" in page  # the reason typed stays
    response = ask(staff, email="ei-osoite")
    assert "Anna henkilön työsähköpostiosoite" in text(response)
    assert 'value="Pekka Uusi"' in text(response)
    # A staff role needs a section; a controller has none.
    assert "valitse vähintään yksi" in text(ask(staff, sections=[]))
    assert "jätä osastot valitsematta" in text(ask(staff, role="controller"))
    # A henkilötunnus is refused in every text field.
    assert "Henkilötunnusta ei saa tallentaa" in text(ask(staff, reason="Pekka 131052-308T tarvitsee"))
    assert AccessRequest.select().count() == 0


def test_change_of_an_existing_account_needs_handlers_of_every_section(app, people):
    staff = new_session(app, "anna")
    # Staff may ask a change of their own account only.
    response = ask(staff, account=str(people["eero"].id), sections=["tourism", "business"])
    assert "Valitse käyttäjätili luettelosta" in text(response)
    rid = request_id(ask(staff, account=str(people["anna"].id),
                         sections=["tourism", "business"]))
    assert AccessRequest.get_by_id(rid).kind == "change"
    post(new_session(app, "eero"), f"/access/requests/{rid}/decide/", {"decision": "approve"})
    # The business section is not the tourism handler's: only the controller implements.
    handler = new_session(app, "tuulikki")
    assert post(handler, f"/access/requests/{rid}/implement/").status_code == 403
    assert [s.code for s in people["anna"].sections] == ["tourism"]
    response = post(new_session(app, "eero"), f"/access/requests/{rid}/implement/")
    assert response.status_code == 303
    assert [s.code for s in User.by_username("anna").sections] == ["business", "tourism"]
    assert AccessRequest.get_by_id(rid).account_id == people["anna"].id


def test_a_request_or_an_account_of_no_section_is_implemented_by_the_controller(app, people):
    """A handler implements only what lies within their sections on both sides: a request
    of no section (the controller's role) and an account of none (the responsible person's)
    are the controller's, as ending such an account is."""
    with app.app_context():
        controller = people["eero"]
        to_controller = access.request_access(people["tuulikki"], "controller", [], "Sijainen",
                                              account_id=people["anna"].id)
        to_staff = access.request_access(controller, "staff", ["tourism"], "Siirto",
                                         account_id=people["nyrki"].id)
        for row in (to_controller, to_staff):
            access.decide(controller, row, True)
    handler = new_session(app, "tuulikki")
    for row in (to_controller, to_staff):
        assert not access.may_implement(people["tuulikki"], AccessRequest.get_by_id(row.id))
        assert post(handler, f"/access/requests/{row.id}/implement/").status_code == 403
    assert User.get_by_id(people["anna"].id).role == "staff"
    assert User.get_by_id(people["nyrki"].id).role == "responsible"
    assert access.may_implement(controller, AccessRequest.get_by_id(to_staff.id))


def test_a_change_of_an_ended_account_is_no_ones_to_implement(app, people):
    """An approved change whose account's access then ended cannot be implemented, so it is
    not counted on the menu or the work list as if it could (it stayed there for ever)."""
    from services import worklist
    from services.access import ending

    with app.app_context():
        controller = people["eero"]
        change = access.request_access(people["tuulikki"], "handler", ["tourism"], "Ylennys",
                                       account_id=people["anna"].id)
        access.decide(controller, change, True)
        assert worklist.counts(people["tuulikki"])["access"] == 1
        ending.end_access(people["tuulikki"], User.get_by_id(people["anna"].id),
                          helsinki_today(), "Lopetti")
        for someone in ("eero", "tuulikki"):
            assert not access.may_implement(people[someone], AccessRequest.get_by_id(change.id))
            assert worklist.counts(people[someone]).get("access", 0) == 0, someone


@pytest.mark.parametrize("path, allowed", [
    ("/access/requests/", {"eero", "nyrki", "tuulikki", "susanna", "anna"}),
    ("/access/requests/new/", {"eero", "nyrki", "tuulikki", "susanna", "anna"}),
    ("/access/accounts/", {"eero", "nyrki", "tuulikki", "susanna"}),
    ("/access/review/", {"eero", "nyrki"}),
    ("/access/guidance/", {"eero", "nyrki", "tuulikki", "susanna", "anna", "ylla"}),
])
def test_who_may_open_the_access_pages(app, people, path, allowed):
    for name in people:
        response = new_session(app, name).get(path)
        assert response.status_code == (200 if name in allowed else 403), (name, path)
    assert app.test_client().get(path).status_code == 302  # logged out: to the login page


def test_requests_are_visible_by_role(app, people):
    rid = request_id(ask(new_session(app, "tuulikki")))
    business = request_id(ask(new_session(app, "susanna"), sections=["business"]))
    staff = new_session(app, "anna")
    assert staff.get(f"/access/requests/{rid}/").status_code == 404  # not theirs
    tourism_handler = new_session(app, "tuulikki")
    assert tourism_handler.get(f"/access/requests/{business}/").status_code == 404
    assert tourism_handler.get("/access/requests/abc/").status_code == 404
    assert tourism_handler.get("/access/requests/99999999999999999999/").status_code == 404
    for name in ("eero", "nyrki"):
        assert new_session(app, name).get(f"/access/requests/{business}/").status_code == 200


# --- ending access ----------------------------------------------------------------------------


@pytest.mark.clock
def test_ending_access_closes_the_account_at_once(app, people):
    staff = new_session(app, "anna")
    assert staff.get("/").status_code == 200
    anna = people["anna"]

    # Only the handler of every section of the account, or the controller: the responsible
    # person sees the account but may not end it, another section's handler does not see it.
    data = {"ended_on": TODAY().isoformat(), "reason": "Lähti"}
    responsible = new_session(app, "nyrki")
    assert post(responsible, f"/access/accounts/{anna.id}/end/", data).status_code == 403
    assert post(new_session(app, "susanna"), f"/access/accounts/{anna.id}/end/",
                data).status_code == 404
    assert post(staff, f"/access/accounts/{anna.id}/end/").status_code == 403

    handler = new_session(app, "tuulikki")
    page = text(handler.get("/access/accounts/"))
    assert "Päätä käyttöoikeus: anna" in page
    assert "Päätä käyttöoikeus: susanna" not in page  # another section's account is not listed
    # The day is checked, and the reason required; the input stays.
    response = post(handler, f"/access/accounts/{anna.id}/end/",
                    {"ended_on": (TODAY() + datetime.timedelta(days=3)).isoformat(),
                     "reason": "Siirtyi muihin tehtäviin"})
    assert "Päivä ei voi olla tulevaisuudessa" in text(response)
    assert "Siirtyi muihin tehtäviin" in text(response)
    response = post(handler, f"/access/accounts/{anna.id}/end/",
                    {"ended_on": TODAY().isoformat(), "reason": ""})
    assert "Kirjoita käyttöoikeuden päättymisen syy" in text(response)
    assert User.get_by_id(anna.id).active

    response = post(handler, f"/access/accounts/{anna.id}/end/",
                    {"ended_on": TODAY().isoformat(), "reason": "Siirtyi muihin tehtäviin"},
                    follow=True)
    assert anna.pseudonym in text(response)
    closed = User.get_by_id(anna.id)
    assert closed.active is False and closed.username is None
    assert closed.pseudonym == anna.pseudonym and closed.role == "staff"
    change = AccountStatusChange.get(AccountStatusChange.user == anna.id)
    assert (change.kind, change.effective_on, change.reason, change.changed_by_id) == (
        "ended", TODAY(), "Siirtyi muihin tehtäviin", people["tuulikki"].id)

    # The live session stops working on its next request; the password no longer works.
    assert staff.get("/").status_code == 302
    assert staff.get("/").location.startswith("/login")
    assert AuthActions(app.test_client()).login("anna").status_code == 200
    # Ended once; the username is free again, the old row stays for history.
    assert post(handler, f"/access/accounts/{anna.id}/end/").status_code == 303
    with pytest.raises(access.RegisterError):
        access.reactivate(people["eero"], closed)

    # The audit log keeps the account's pseudonymous id, role and section.
    event = AuditEvent.get(AuditEvent.action == "end_access")
    assert (event.object_type, event.object_id, event.section, event.actor) == (
        "user", str(anna.id), "tourism", people["tuulikki"].pseudonym)
    viewer = new_session(app, "eero")
    page = text(viewer.get(f"/audit/?flt0_0={anna.pseudonym}"))
    assert anna.pseudonym in page and "Henkilökunta" in page
    assert "anna" not in re.sub(r"<[^>]+>", " ", page).split()


def english(client):
    """Switch ``client``'s pages to English (new texts are asserted in their msgid)."""
    post(client, "/language", {"lang": "en"})
    return client


def test_command_line_grants_and_endings_are_on_the_pages(app, people, runner):
    """``flask users create|deactivate`` leave the same record as the pages, marked as
    made on the server's command line."""
    result = runner.invoke(args=["users", "create", "pekka", "--role", "staff", "--section",
                                 "tourism", "--password", PASSWORD, "--reason",
                                 "Kesätyöntekijä matkailuneuvonnassa"])
    assert result.exit_code == 0, result.output
    pekka = User.by_username("pekka")
    grant = AccessRequest.get(AccessRequest.account == pekka.id)
    controller = english(new_session(app, "eero"))
    page = text(controller.get("/access/requests/"))
    assert "the server's command line" in page and "pekka" in page
    page = text(controller.get(f"/access/requests/{grant.id}/"))
    assert "Kesätyöntekijä matkailuneuvonnassa" in page
    assert page.count("the server's command line") == 3  # asked, decided, implemented
    assert "None" not in page
    # The handler of the section sees the account as any other.
    handler = new_session(app, "tuulikki")
    assert "pekka" in text(handler.get("/access/accounts/"))

    result = runner.invoke(args=["users", "deactivate", "pekka", "--reason",
                                 "Kesätyö päättyi"])
    assert result.exit_code == 0, result.output
    assert User.get_by_id(pekka.id).username is None
    page = text(english(handler).get("/access/accounts/"))
    assert "Kesätyö päättyi (on the server's command line)" in page
    events = (AuditEvent.select().where(AuditEvent.object_id == str(pekka.id),
                                        AuditEvent.object_type == "user")
              .order_by(AuditEvent.id))
    assert [(e.action, e.actor, e.section) for e in events] == [
        ("create", None, "tourism"), ("end_access", None, "tourism")]
    # Ended for good: it cannot be reactivated, nor granted again under the same request.
    with pytest.raises(access.RegisterError):
        access.reactivate(people["eero"], User.get_by_id(pekka.id))


def test_oneself_and_the_last_controller_cannot_be_ended(app, people):
    eero = people["eero"]
    assert post(new_session(app, "eero"), f"/access/accounts/{eero.id}/end/").status_code == 403
    # A handler ends only accounts of their own sections: a controller has none, and is
    # not even listed to them.
    assert post(new_session(app, "tuulikki"), f"/access/accounts/{eero.id}/end/").status_code == 404
    # The review may not end the only open controller account either.
    rows = access.review_accounts()
    outcomes = {r.user.id: ("keep", "") for r in rows} | {eero.id: ("end", "Eläkkeelle")}
    with pytest.raises(access.ReviewError) as refused:
        access.save_review(people["nyrki"], outcomes, [r.user.id for r in rows])
    assert "only open controller" in refused.value.problems[eero.id][0]
    assert User.get_by_id(eero.id).active and AccessReview.select().count() == 0


# --- the yearly review --------------------------------------------------------------------


def at(day, hour=12):
    """Return a naive UTC moment on ``day``."""
    return datetime.datetime.combine(day, datetime.time(hour))


@pytest.mark.clock
def test_review_due_reminded_and_overdue_across_a_year(app, people):
    User.update(created_at=at(datetime.date(2025, 1, 10))).execute()
    status = access.review_status(at(datetime.date(2025, 6, 1)))
    assert (status.state, status.due_on) == ("ok", datetime.date(2026, 1, 10))
    assert access.review_status(at(datetime.date(2025, 12, 10))).state == "ok"  # 31 days
    status = access.review_status(at(datetime.date(2025, 12, 11)))  # 30 days before
    assert (status.state, status.days_left, status.remind) == ("soon", 30, True)
    assert access.review_status(at(datetime.date(2026, 1, 10))).days_left == 0
    status = access.review_status(at(datetime.date(2026, 1, 11)))
    assert (status.state, status.days_left) == ("overdue", -1)

    rows = access.review_accounts(at(datetime.date(2026, 1, 20)))
    access.save_review(people["nyrki"], {r.user.id: ("keep", "") for r in rows},
                       [r.user.id for r in rows], now=at(datetime.date(2026, 1, 20)))
    status = access.review_status(at(datetime.date(2026, 2, 1)))
    assert (status.state, status.due_on) == ("ok", datetime.date(2027, 1, 20))
    assert access.review_status(at(datetime.date(2027, 1, 21))).state == "overdue"
    # 29 February moves to 28 February.
    assert access.add_year(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_front_page_reminds_the_responsible_person(app, people, runner):
    responsible = new_session(app, "nyrki")
    staff = new_session(app, "anna")
    assert "Käyttöoikeuksien tarkistuksen määräpäivä" not in text(responsible.get("/"))
    assert runner.invoke(args=["users", "review-due"]).exit_code == 0

    User.update(created_at=utcnow() - datetime.timedelta(days=350)).execute()
    page = text(responsible.get("/"))
    assert "Käyttöoikeuksien tarkistuksen määräpäivä on" in page
    assert "/access/review/" in page
    assert "Käyttöoikeuksien tarkistuksen" not in text(staff.get("/"))

    User.update(created_at=utcnow() - datetime.timedelta(days=400)).execute()
    page = text(responsible.get("/"))
    assert "Myöhässä" in page and 'role="alert"' in page
    result = runner.invoke(args=["users", "review-due"])
    assert result.exit_code == 1 and "MYÖHÄSSÄ" in result.output

    # Reviewing through the page clears it.
    page = text(responsible.get("/access/review/"))
    ids = re.findall(r'name="account" value="(\d+)"', page)
    assert len(ids) == len(people)
    response = post(responsible, "/access/review/", {"account": ids})
    assert "Valitse säilytetään, muutetaan tai päätetään." in text(response)
    response = post(responsible, "/access/review/", keep_all(ids))
    assert response.status_code == 303
    assert "Myöhässä" not in text(responsible.get("/"))
    result = runner.invoke(args=["users", "review-due"])
    assert result.exit_code == 0 and "määräpäivä on" in result.output


def keep_all(ids):
    """The review form's data with every account kept."""
    return {"account": ids, **{f"outcome-{i}": "keep" for i in ids}}


@pytest.mark.clock
def test_review_page_records_outcomes_and_ends_access(app, people):
    responsible = new_session(app, "nyrki")
    staff = new_session(app, "anna")
    User.update(last_login_at=utcnow() - datetime.timedelta(days=120)).where(
        User.username == "susanna").execute()
    page = text(responsible.get("/access/review/"))
    for name in people:
        assert f"<th scope=\"row\">{name}" in page
    assert "Käyttämättä yli 90 päivää" in page  # susanna
    ids = re.findall(r'name="account" value="(\d+)"', page)
    anna, susanna = people["anna"].id, people["susanna"].id

    # A change and an ending need a comment; what was chosen and typed stays.
    data = keep_all(ids) | {f"outcome-{anna}": "end", f"outcome-{susanna}": "change",
                            f"comment-{susanna}": "Vain matkailu"}
    response = post(responsible, "/access/review/", data)
    assert response.status_code == 200
    page = text(response)
    assert "Kirjoita kommentti" in page
    assert f'id="outcome-{anna}-end" name="outcome-{anna}" value="end" checked' in page
    assert 'value="Vain matkailu"' in page
    assert AccessReview.select().count() == 0 and User.get_by_id(anna).active

    # Only the responsible person saves a review.
    assert post(new_session(app, "eero"), "/access/review/", data).status_code == 403

    data[f"comment-{anna}"] = "Työsuhde päättyi"
    response = post(responsible, "/access/review/", data)
    assert response.status_code == 303
    review = AccessReview.get()
    items = {i.user_id: i for i in review.items}
    assert len(items) == len(people)
    assert (items[anna].outcome, items[anna].comment) == ("end", "Työsuhde päättyi")
    assert (items[susanna].outcome, items[susanna].idle, items[susanna].sections) == (
        "change", True, "business")
    assert items[people["eero"].id].outcome == "keep"
    ended = User.get_by_id(anna)
    assert ended.username is None and not ended.active
    assert staff.get("/").status_code == 302
    page = text(responsible.get(response.location))
    assert "Työsuhde päättyi" in page and people["anna"].pseudonym in page
    # The controller reads reviews but has no form.
    page = text(new_session(app, "eero").get("/access/review/"))
    assert "Aiemmat tarkistukset" in page and "Tallenna tarkistus" not in page
    assert AuditEvent.select().where(AuditEvent.object_type == "access_review").count() == 1


def test_review_refuses_a_stale_account_list(app, people):
    responsible = new_session(app, "nyrki")
    page = text(responsible.get("/access/review/"))
    ids = re.findall(r'name="account" value="(\d+)"', page)
    accounts.create_user("uusi", "staff", ["tourism"], password=PASSWORD)
    response = post(responsible, "/access/review/", keep_all(ids))
    assert "Käyttäjätilejä lisättiin tai päätettiin" in text(response)
    assert "uusi" in text(response)
    assert AccessReview.select().count() == 0


# --- idle accounts ----------------------------------------------------------------------------


@pytest.mark.clock
def test_idle_accounts_are_flagged_and_disabled(app, people, runner):
    now = utcnow()
    User.update(last_login_at=now - datetime.timedelta(days=100)).where(
        User.username == "anna").execute()
    User.update(last_login_at=now - datetime.timedelta(days=10)).where(
        User.username.not_in(["anna", "susanna"])).execute()
    # Never logged in: counted from the creation.
    User.update(created_at=now - datetime.timedelta(days=95)).where(
        User.username == "susanna").execute()
    User.update(created_at=now - datetime.timedelta(days=80)).where(
        User.username == "ylla").execute()
    User.update(last_login_at=None).where(User.username == "ylla").execute()
    assert {u.username for u in access.idle_accounts(90, now)} == {"anna", "susanna"}
    assert access.idle_accounts(120, now) == []
    rows = {r.user.username: r for r in access.review_accounts(now)}
    assert rows["anna"].idle and rows["susanna"].idle and not rows["ylla"].idle

    result = runner.invoke(args=["users", "disable-idle", "--days", "90"])
    assert result.exit_code == 0, result.output
    assert "2 tiliä" in result.output and "anna" not in result.output
    anna = User.by_username("anna")  # the username stays: the account is only disabled
    assert anna.active is False and User.by_username("susanna").active is False
    assert User.by_username("eero").active
    change = AccountStatusChange.get(AccountStatusChange.user == anna.id)
    assert (change.kind, change.idle_days, change.changed_by_id) == ("disabled", 90, None)
    events = AuditEvent.select().where(AuditEvent.action == "disable")
    assert {(e.actor, e.object_id) for e in events} == {
        (None, str(anna.id)), (None, str(people["susanna"].id))}
    assert AuthActions(app.test_client()).login("anna").status_code == 200  # cannot log in
    assert "0 tiliä" in runner.invoke(args=["users", "disable-idle"]).output

    # The handler of the section opens it again; reactivation counts as use.
    handler = new_session(app, "tuulikki")
    page = text(handler.get("/access/accounts/"))
    assert "Poistettu käytöstä" in page and "käyttämättä 90 päivää" in page
    response = post(handler, f"/access/accounts/{anna.id}/reactivate/", follow=True)
    assert "on taas käytössä" in text(response)
    assert User.get_by_id(anna.id).active
    assert access.disable_idle(90) == []
    # Another section's handler may not.
    assert post(handler, f"/access/accounts/{people['susanna'].id}/reactivate/"
                ).status_code == 404


# --- guidance ---------------------------------------------------------------------------------


def publish(app, text_):
    controller = new_session(app, "eero")
    return post(controller, "/access/guidance/publish/", {"text": text_})


def test_guidance_must_be_acknowledged_once_per_version(app, people):
    staff = new_session(app, "anna")
    assert staff.get("/").status_code == 200  # nothing published: nothing to acknowledge
    assert post(staff, "/access/guidance/publish/", {"text": "Ohje"}).status_code == 403
    assert post(new_session(app, "nyrki"), "/access/guidance/publish/",
                {"text": "Ohje"}).status_code == 403

    assert publish(app, "Älä tallenna henkilötunnuksia.\n\nKirjaudu ulos lopuksi."
                   ).status_code == 303
    # Already logged in: the next request goes to the acknowledgement, keeping the target.
    response = staff.get("/customers/")
    assert response.status_code == 302
    assert response.location.startswith("/access/guidance/acknowledge/")
    page = text(staff.get(response.location))
    assert "Kirjaudu ulos lopuksi." in page and "Versio 1" in page
    # Login, logout, password change and static files stay reachable.
    assert staff.get("/password").status_code == 200
    assert staff.get("/assets/register.css").status_code == 200
    # The publisher has read it already.
    assert new_session(app, "eero").get("/").status_code == 200

    version = access.current_guidance()
    response = post(staff, "/access/guidance/acknowledge/",
                    {"version": version.id, "next": "/customers/"})
    assert response.status_code == 303 and response.location == "/customers/"
    assert staff.get("/").status_code == 200
    assert staff.get("/access/requests/").status_code == 200  # once: not asked again
    assert GuidanceAcknowledgement.select().where(
        GuidanceAcknowledgement.user == people["anna"].id).count() == 1

    # A new version: asked again, at the next login as well.
    assert "sama kuin nykyisessä" in text(publish(app, "Älä tallenna henkilötunnuksia.\n\n"
                                                       "Kirjaudu ulos lopuksi."))
    publish(app, "Versio 2: lukitse näyttö.")
    fresh = app.test_client()
    response = AuthActions(fresh).login("anna")
    assert fresh.get(response.location).location.startswith("/access/guidance/acknowledge/")
    # An old version's acknowledgement is refused.
    response = post(fresh, "/access/guidance/acknowledge/", {"version": version.id},
                    follow=True)
    assert "uudempi versio" in text(response)
    post(fresh, "/access/guidance/acknowledge/", {"version": access.current_guidance().id})
    assert fresh.get("/").status_code == 200

    # Who has acknowledged which version.
    responsible = new_session(app, "nyrki")
    page = text(responsible.get("/access/guidance/", follow_redirects=True))
    assert "Versio 2: lukitse näyttö." in page and "Kuittaa ohje luetuksi" in page
    post(responsible, "/access/guidance/acknowledge/", {"version": access.current_guidance().id})
    page = text(responsible.get("/access/guidance/"))
    assert "Kuka on kuitannut minkäkin version" in page
    assert access.acknowledgements()[people["anna"].id][0] == 2
    assert access.acknowledgements()[people["nyrki"].id][0] == 2
    assert people["tuulikki"].id not in access.acknowledgements()
    events = AuditEvent.select().where(AuditEvent.object_type == "guidance")
    assert [e.action for e in events.order_by(AuditEvent.id)] == [
        "publish", "acknowledge", "publish", "acknowledge", "acknowledge"]


def test_password_change_comes_before_the_guidance(app, people, make_user):
    publish(app, "Ohje 1")
    make_user("uusi", "staff", ["tourism"], must_change=True)
    client = app.test_client()
    assert AuthActions(client).login("uusi").location == "/password"
    assert client.get("/").location == "/password"
    page = text(client.get("/password"))
    new = "a brand new passphrase"
    response = client.post("/password", data={"csrf_token": csrf_token(page),
                                              "current_password": PASSWORD,
                                              "new_password": new, "confirm": new})
    assert response.location == "/"
    assert client.get("/").location.startswith("/access/guidance/acknowledge/")


# --- the front page ---------------------------------------------------------------------------


def test_front_page_shows_what_each_role_acts_on(app, people):
    rid = request_id(ask(new_session(app, "anna")))
    controller = new_session(app, "eero")
    page = text(controller.get("/"))
    assert 'data-task="access_decision"' in page and "Päätä käyttöoikeuspyynnöstä" in page
    assert f"/access/requests/{rid}/" in page and "Pekka Uusi" in page
    post(controller, f"/access/requests/{rid}/decide/", {"decision": "approve"})
    assert 'data-task="access_decision"' not in text(controller.get("/"))
    page = text(new_session(app, "tuulikki").get("/"))
    assert 'data-task="access_implementation"' in page and "Pekka Uusi" in page
    page = text(new_session(app, "susanna").get("/"))
    assert 'data-task="access_implementation"' not in page and "Pekka Uusi" not in page
    # The inspection requests are in the menu and on the front page's links still.
    assert "Tarkastuspyynnöt" in text(new_session(app, "tuulikki").get("/"))
