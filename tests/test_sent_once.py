"""A form that makes something makes it once (services/once.py): the inspection request's
registering, the on-site request and the access request, sent twice — a double click, a
page sent again — register one, and the second sending is shown the first's row."""

import datetime
import re
import threading

import pytest

from models import AccessRequest, Customer, InspectionRequest, SentForm, Section, db, utcnow
from services import once
from services import requests as rules
from services.errors import RegisterError
from tests.conftest import csrf_token, helsinki_days_ago, typed, user

PEOPLE = ("handler_t", "staff_t", "eero", "nyrki")

RECEIVED_TYPED = typed(helsinki_days_ago(2, 10, 0))


def text(response):
    return response.get_data(as_text=True)


def form_of(client, path):
    """Return the CSRF token and the form's own token of the page at ``path``."""
    page = text(client.get(path))
    sent = re.search(r'name="sent"[^>]*value="([0-9a-f]{32})"', page)
    assert sent, "the form carries no token"
    return csrf_token(page), sent.group(1)


def new_request_form(client):
    csrf, sent = form_of(client, "/requests/new/")
    return {"csrf_token": csrf, "sent": sent, "received_at": RECEIVED_TYPED,
            "channel": "written", "requester_name": "Kalle Kävijä", "sections": "tourism",
            "language": "fi"}


@pytest.mark.clock
def test_a_request_sent_twice_is_registered_once(client, auth, people):
    auth.login_as("staff_t")
    form = new_request_form(client)
    first = client.post("/requests/new/", data=form)
    assert first.status_code == 302
    made = InspectionRequest.get()
    second = client.post("/requests/new/", data=form)
    assert second.status_code == 302 and second.location == first.location
    assert InspectionRequest.select().count() == 1
    page = text(client.get(second.location))
    assert f"pyyntö nro {made.id}" in page.lower() and "jo lähetetty" in page
    # A new form is a new request: the same requester may ask again.
    assert client.post("/requests/new/", data=new_request_form(client)).status_code == 302
    assert InspectionRequest.select().count() == 2


@pytest.mark.clock
def test_a_refused_form_keeps_its_token_and_registers_once_corrected(client, auth, people):
    auth.login_as("staff_t")
    form = new_request_form(client)
    refused = client.post("/requests/new/", data={**form, "channel": ""})
    assert refused.status_code == 200
    assert f'value="{form["sent"]}"' in text(refused)
    assert InspectionRequest.select().count() == 0
    for _ in range(2):
        assert client.post("/requests/new/", data=form).status_code == 302
    assert InspectionRequest.select().count() == 1


@pytest.mark.clock
def test_a_request_in_two_sections_sent_twice_makes_two_parts_once(client, auth, people):
    auth.login_as("staff_t")
    form = {**new_request_form(client), "sections": ["tourism", "business"]}
    first = client.post("/requests/new/", data=form)
    second = client.post("/requests/new/", data=form)
    assert first.location == second.location
    assert InspectionRequest.select().count() == 2


@pytest.mark.clock
def test_a_token_that_is_no_token_still_registers_and_never_fails(client, auth, people):
    """A script's form without a token, or with anything in it, registers each time."""
    auth.login_as("staff_t")
    form = new_request_form(client)
    for bad in ("", " ", "x" * 32, "A" * 32, form["sent"] + "0", "١" * 32, "9" * 20):
        r = client.post("/requests/new/", data={**form, "sent": bad})
        assert r.status_code == 302, bad
    del form["sent"]
    assert client.post("/requests/new/", data=form).status_code == 302
    assert InspectionRequest.select().count() == 8
    assert SentForm.select().count() == 1  # the form without the field: given a fresh token
    # A NUL byte is refused before any page reads the form, as everywhere (app.py).
    assert client.post("/requests/new/", data={**form, "sent": "\x00"}).status_code == 400


@pytest.mark.clock
def test_another_users_token_is_refused_as_stale(client, auth, people):
    auth.login_as("staff_t")
    form = new_request_form(client)
    assert client.post("/requests/new/", data=form).status_code == 302
    auth.logout()
    auth.login_as("handler_t")
    mine = new_request_form(client)
    r = client.post("/requests/new/", data={**mine, "sent": form["sent"]})
    assert r.status_code == 200
    assert "Lomake on vanhentunut" in text(r)
    assert InspectionRequest.select().count() == 1


@pytest.mark.clock
def test_an_on_site_request_sent_twice_is_served_once(client, auth, people):
    anna = Customer.create(section=Section.get(code="tourism"), kind="person",
                           first_name="Anna", last_name="Äijälä",
                           birth_date=datetime.date(1980, 5, 1))
    auth.login_as("staff_t")
    csrf, sent = form_of(client, "/requests/on-site/")
    form = {"csrf_token": csrf, "sent": sent, "requester_name": "Anna Äijälä",
            "section": "tourism", "language": "fi", "identity_method": "driving_licence",
            "birth_date": "1980-05-01", "action": "serve", "record": f"customer:{anna.id}"}
    first = client.post("/requests/on-site/", data=form)
    assert first.status_code == 302, text(first)
    second = client.post("/requests/on-site/", data=form)
    assert second.status_code == 302
    assert second.location.split("#")[0] == first.location.split("#")[0]
    assert InspectionRequest.select().count() == 1
    assert "jo lähetetty" in text(client.get(second.location))


def test_an_access_request_sent_twice_is_sent_once(client, auth, people):
    auth.login_as("nyrki")
    csrf, sent = form_of(client, "/access/requests/new/")
    form = {"csrf_token": csrf, "sent": sent, "account": "", "person_name": "Pekka Uusi",
            "email": "pekka.uusi@hel.fi", "role": "staff", "sections": ["tourism"],
            "reason": "Asiakaspalvelu matkailuneuvonnassa"}
    first = client.post("/access/requests/new/", data=form)
    second = client.post("/access/requests/new/", data=form)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert AccessRequest.select().count() == 1


@pytest.mark.clock
def test_tokens_are_kept_two_days(app, people, clock):
    staff = user("staff_t")

    def register():
        return rules.register(staff, received_at=utcnow() - datetime.timedelta(hours=1),
                              channel="written", requester_name="Kalle", section="tourism")

    first = once.run(staff, "inspection_request", "a" * 32, register)
    clock.advance(days=2, minutes=1)
    once.run(staff, "inspection_request", "b" * 32, register)
    assert [f.token for f in SentForm.select()] == ["b" * 32]
    with pytest.raises(once.SentBefore) as sent:
        once.run(staff, "inspection_request", "b" * 32, register)
    assert sent.value.made_id == first.id + 1


def test_two_sendings_at_once_make_one(app, people, db_kind):
    """Two sendings that both passed the check before either stored anything: the one that
    commits second is rolled back whole and told what the first made."""
    if db_kind == "sqlite":
        pytest.skip("SQLite's writers take the write lock first: they cannot race")
    staff = user("staff_t")
    past_check = threading.Barrier(2, timeout=10)
    outcome = {}

    def send(name):
        def make():
            past_check.wait()  # both sendings have found no earlier one
            return rules.register(staff, received_at=utcnow() - datetime.timedelta(hours=1),
                                  channel="written", requester_name=name, section="tourism")
        with app.app_context():
            try:
                outcome[name] = once.run(staff, "inspection_request", "c" * 32, make).id
            except once.SentBefore as e:
                outcome[name] = e
            finally:
                db.close()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("Eka", "Toka")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    made = [r.id for r in InspectionRequest.select()]
    told = [v for v in outcome.values() if isinstance(v, once.SentBefore)]
    assert len(made) == 1 and len(outcome) == 2 and len(told) == 1
    assert told[0].made_id == made[0]


def test_a_refusal_inside_keeps_nothing(app, people):
    staff = user("staff_t")

    def refused():
        rules.register(staff, received_at=utcnow(), channel="written",
                       requester_name="Kalle", section="tourism")
        raise RegisterError("no")

    with pytest.raises(RegisterError):
        once.run(staff, "inspection_request", "d" * 32, refused)
    assert SentForm.select().count() == 0 and InspectionRequest.select().count() == 0


@pytest.mark.clock
def test_a_rectification_request_sent_twice_is_registered_once(client, auth, people):
    from models import RectificationRequest
    customer = Customer.create(section=Section.get(code="tourism"), kind="person",
                               first_name="Matti", last_name="Meikäläinen")
    auth.login_as("staff_t")
    url = f"/rectification/new/?customer={customer.id}"
    csrf, sent = form_of(client, url)
    form = {"csrf_token": csrf, "sent": sent, "received_at": RECEIVED_TYPED,
            "requester_name": "Matti Meikäläinen", "description": "Sukunimi muuttunut"}
    first = client.post(url, data=form)
    second = client.post(url, data=form)
    assert first.status_code == second.status_code == 302, text(first)
    assert first.location == second.location
    assert RectificationRequest.select().count() == 1
    assert "Lomake on jo lähetetty" in text(client.get(second.location))


def test_a_disclosure_sent_twice_is_prepared_once(client, auth, people):
    from models import Disclosure
    auth.login_as("handler_t")
    csrf, sent = form_of(client, "/disclosures/new/")
    page = text(client.get("/disclosures/new/"))
    recipient = re.search(r'<option value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf, "sent": sent, "recipient": recipient,
            "purpose": "Tilitarkastus", "legal_basis": "Kuntalaki 122 §"}
    first = client.post("/disclosures/new/", data=form)
    second = client.post("/disclosures/new/", data=form)
    assert first.status_code == second.status_code == 302, text(first)
    assert first.location.split("#")[0] == second.location.split("#")[0]
    assert Disclosure.select().count() == 1
