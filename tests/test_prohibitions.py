"""Prohibitions (seed §16): history kept in order, what is in force, refusals, who may
record and read, the audit trail — on SQLite and PostgreSQL."""

import datetime
import re

import pytest

from models import AuditEvent, ContactPerson, Customer, Prohibition, Section, User
from services import prohibitions
from services.errors import RegisterError
from services.localtime import helsinki_today
from tests.conftest import csrf_token

HETU = "131052-308T"
pytestmark = pytest.mark.clock


def today():
    """Helsinki's today, from the register's own clock."""
    return helsinki_today()


def yesterday():
    return today() - datetime.timedelta(days=1)


PEOPLE = ("staff_t", "handler_t", "staff_b", "controller", "responsible", "maint")


@pytest.fixture
def rows(app):
    tourism = Section.get(code="tourism")
    business = Section.get(code="business")
    company = Customer.create(section=tourism, kind="company", name="Matkailu Oy")
    anna = ContactPerson.create(customer=company, first_name="Anna", last_name="Äijälä")
    bertil = ContactPerson.create(customer=company, first_name="Bertil", last_name="Berg")
    person = Customer.create(section=tourism, kind="person", first_name="Pekka",
                             last_name="Pohjola")
    other = Customer.create(section=business, kind="person", first_name="Bertta",
                            last_name="Bisnes")
    return {"company": company.id, "anna": anna.id, "bertil": bertil.id,
            "person": person.id, "other": other.id}


def give(customer, purpose="direct_marketing", action="given", person=None,
         effective_on=None, source="letter", actor=None, note=None):
    return prohibitions.record(
        Customer.get_by_id(customer), purpose=purpose, action=action,
        effective_on=effective_on or today(), source=source, note=note,
        contact_person=ContactPerson.get_by_id(person) if person else None,
        actor=actor or User.get(User.username == "staff_t"))


# --- the service ------------------------------------------------------------------------

def test_history_is_kept_in_order_and_in_force_follows_the_newest(people, rows):
    first = give(rows["person"], effective_on=yesterday(), source="own_word")
    customer = Customer.get_by_id(rows["person"])
    assert prohibitions.is_in_force(customer, "direct_marketing")
    give(rows["person"], action="withdrawn", source="email")
    assert not prohibitions.is_in_force(customer, "direct_marketing")
    give(rows["person"], source="form", note="Soitti uudelleen")
    assert prohibitions.is_in_force(customer, "direct_marketing")
    assert not prohibitions.is_in_force(customer, "market_research")

    history = prohibitions.history(customer)
    assert [(r.action, r.source) for r in history] == [
        ("given", "own_word"), ("withdrawn", "email"), ("given", "form")]
    # The first row is as it was written: nothing is overwritten.
    again = Prohibition.get_by_id(first.id)
    assert (again.action, again.effective_on, again.source) == ("given", yesterday(), "own_word")
    assert all(r.recorded_by.username == "staff_t" for r in history)
    assert list(prohibitions.in_force(customer)) == [(None, "direct_marketing")]


def test_contact_persons_have_their_own_prohibitions(people, rows):
    give(rows["company"], person=rows["anna"], purpose="opinion_research")
    company = Customer.get_by_id(rows["company"])
    anna = ContactPerson.get_by_id(rows["anna"])
    bertil = ContactPerson.get_by_id(rows["bertil"])
    assert prohibitions.is_in_force(company, "opinion_research", anna)
    assert not prohibitions.is_in_force(company, "opinion_research", bertil)
    assert not prohibitions.is_in_force(company, "opinion_research")
    assert list(prohibitions.in_force(company)) == [(rows["anna"], "opinion_research")]


@pytest.mark.parametrize("first, second, message", [
    ("given", "given", "already in force"),
    (None, "withdrawn", "not in force"),
    ("withdrawn", "withdrawn", "not in force"),
])
def test_refusals_leave_nothing(people, rows, first, second, message):
    if first == "given":
        give(rows["person"])
    elif first == "withdrawn":
        give(rows["person"])
        give(rows["person"], action="withdrawn")
    before = Prohibition.select().count()
    with pytest.raises(RegisterError, match=message):
        give(rows["person"], action=second)
    assert Prohibition.select().count() == before


def test_dates_and_subjects_are_checked(people, rows):
    with pytest.raises(RegisterError, match="future"):
        give(rows["person"], effective_on=today() + datetime.timedelta(days=1))
    give(rows["person"])
    with pytest.raises(RegisterError, match="before the previous entry"):
        give(rows["person"], action="withdrawn", effective_on=yesterday())
    with pytest.raises(RegisterError, match="not one of this customer"):
        give(rows["person"], person=rows["anna"], purpose="market_research")
    with pytest.raises(RegisterError, match="henkilötunnus"):
        give(rows["person"], purpose="market_research", note=f"hetu {HETU}")
    with pytest.raises(RegisterError):
        give(rows["person"], purpose="telemarketing")
    assert Prohibition.select().count() == 1


def test_recording_writes_an_audit_event_without_values(people, rows):
    row = give(rows["company"], person=rows["anna"], note="Kirje 3.2.")
    event = AuditEvent.get(AuditEvent.object_type == "prohibition")
    assert (event.action, event.object_id, event.section) == ("create", str(row.id), "tourism")
    assert event.fields.split(",") == ["contact_person", "purpose", "action", "effective_on",
                                       "source", "note"]
    assert event.actor_role == "staff"


def test_a_failed_recording_writes_no_audit_event(people, rows):
    give(rows["person"])
    count = AuditEvent.select().count()
    with pytest.raises(RegisterError):
        give(rows["person"])
    assert AuditEvent.select().count() == count


# --- the page -----------------------------------------------------------------------------

def url(customer_id):
    return f"/prohibitions/?customer={customer_id}"


def form(client, customer_id, **values):
    data = {"subject": "", "purpose": "direct_marketing", "action": "given",
            "effective_on": today().isoformat(), "source": "letter", "note": ""}
    data.update(values)
    data["csrf_token"] = csrf_token(client.get(url(customer_id)).get_data(as_text=True))
    return data


def test_staff_records_through_the_page(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["company"]), data=form(client, rows["company"],
                                                   subject=str(rows["anna"]),
                                                   purpose="market_research",
                                                   note="Pyysi puhelimessa"))
    assert r.status_code == 302
    row = Prohibition.get()
    assert (row.customer_id, row.contact_person_id, row.purpose, row.action) == (
        rows["company"], rows["anna"], "market_research", "given")
    assert row.recorded_by.username == "staff_t" and row.note == "Pyysi puhelimessa"
    page = client.get(url(rows["company"])).get_data(as_text=True)
    assert "Kirjattu" in page  # the success message, in Finnish
    assert "Kielletty" in page and "Pyysi puhelimessa" in page


def test_page_shows_in_force_and_history_newest_first(client, auth, people, rows):
    give(rows["person"], source="own_word", effective_on=yesterday())
    give(rows["person"], action="withdrawn", source="email")
    give(rows["person"], purpose="opinion_research", source="form")
    auth.login_as("controller")
    page = client.get(url(rows["person"])).get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    order = [history.index(t) for t in ("lomakkeella", "sähköpostilla", "suullisesti")]
    assert order == sorted(order)
    in_force = page[page.index('id="in-force-heading"'):page.index('id="history-heading"')]
    assert in_force.count("Kielletty") == 1  # opinion research only
    assert "<form" not in history and 'name="purpose"' not in page  # readers get no form


def test_customer_page_links_and_shows_prohibitions_in_force(client, auth, people, rows):
    give(rows["company"], person=rows["anna"], purpose="opinion_research")
    auth.login_as("handler_t")
    page = client.get(f"/customers/details/?id={rows['company']}").get_data(as_text=True)
    assert url(rows["company"]) in page.replace("&amp;", "&")
    assert "Voimassa olevat kiellot" in page and "Anna Äijälä" in page
    page = client.get(f"/customers/details/?id={rows['person']}").get_data(as_text=True)
    assert "Voimassa olevat kiellot" not in page


def test_error_keeps_the_input_and_says_what_to_do(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["person"]), data=form(client, rows["person"], source="",
                                                  note="Toivoo ettei soiteta"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Valitse, miten henkilö ilmoitti kiellosta" in page
    assert "Toivoo ettei soiteta" in page
    assert Prohibition.select().count() == 0


def test_refusal_is_shown_on_the_page(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["person"]), data=form(client, rows["person"], action="withdrawn"))
    assert r.status_code == 200
    assert "ei ole voimassa" in r.get_data(as_text=True)
    assert Prohibition.select().count() == 0


def test_henkilotunnus_refused_in_the_note(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["person"]), data=form(client, rows["person"],
                                                  note=f"Hetu {HETU.lower()}"))
    assert r.status_code == 200
    assert "Henkilötunnusta ei saa tallentaa" in r.get_data(as_text=True)
    assert Prohibition.select().count() == 0


def test_viewing_is_audited(client, auth, people, rows):
    auth.login_as("responsible")
    client.get(url(rows["person"]))
    event = AuditEvent.get(AuditEvent.action == "view")
    assert (event.object_type, event.object_id, event.fields) == (
        "customer", str(rows["person"]), "prohibitions")


# --- who may -----------------------------------------------------------------------------

READ = [("staff_t", "own", 200), ("handler_t", "own", 200), ("controller", "own", 200),
        ("responsible", "own", 200), ("controller", "other", 200), ("maint", "own", 403),
        ("staff_t", "other", 404), ("handler_t", "other", 404), ("staff_b", "own", 404)]


@pytest.mark.parametrize("username, which, expected", READ)
def test_who_reads(client, auth, people, rows, username, which, expected):
    auth.login_as(username)
    customer = rows["person"] if which == "own" else rows["other"]
    assert client.get(url(customer)).status_code == expected


@pytest.mark.parametrize("bad", ["abc", "", "0", "-1", "99999999", "1" * 20])
def test_bad_customer_id_is_404(client, auth, people, rows, bad):
    auth.login_as("controller")
    assert client.get(f"/prohibitions/?customer={bad}").status_code == 404


WRITE = [("staff_t", "own", 302), ("handler_t", "own", 302), ("controller", "own", 403),
         ("responsible", "own", 403), ("maint", "own", 403), ("staff_t", "other", 404),
         ("handler_t", "other", 404)]


@pytest.mark.parametrize("username, which, expected", WRITE)
def test_who_records(client, auth, people, rows, username, which, expected):
    auth.login_as(username)
    customer = rows["person"] if which == "own" else rows["other"]
    token = csrf_token(client.get("/").get_data(as_text=True))
    r = client.post(url(customer), data={
        "csrf_token": token, "subject": "", "purpose": "direct_marketing", "action": "given",
        "effective_on": today().isoformat(), "source": "letter", "note": ""})
    assert r.status_code == expected
    assert Prohibition.select().count() == (1 if expected == 302 else 0)


def test_contact_person_of_another_customer_is_refused(client, auth, people, rows):
    auth.login_as("staff_t")
    r = client.post(url(rows["person"]), data=form(client, rows["person"],
                                                  subject=str(rows["anna"])))
    assert r.status_code == 200  # not one of the choices: the form says so
    assert Prohibition.select().count() == 0


def test_logged_out_goes_to_login(client, rows):
    r = client.get(url(rows["person"]))
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_not_in_the_menu(client, auth, people):
    auth.login_as("staff_t")
    assert "/prohibitions/" not in client.get("/").get_data(as_text=True)


def test_a_contact_person_with_a_prohibition_is_not_deleted_from_the_form(client, auth,
                                                                          people, rows):
    """The prohibitions are history kept whole: deleting their contact person in the form
    would take them along (ON DELETE CASCADE) without a word, and the person added again
    would be on the marketing list."""
    give(rows["company"], person=rows["anna"])
    auth.login_as("staff_t")
    company = Customer.get_by_id(rows["company"])
    page = client.get(f"/customers/edit/?id={company.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "version": str(company.version), "kind": "company",
            "name": company.name, "language": "fi"}
    for i, key in enumerate(("anna", "bertil")):
        person = ContactPerson.get_by_id(rows[key])
        form |= {f"contact_persons-{i}-id": str(person.id),
                 f"contact_persons-{i}-first_name": person.first_name,
                 f"contact_persons-{i}-last_name": person.last_name}
    response = client.post(f"/customers/edit/?id={company.id}",
                           data=form | {"del-contact_persons-0": "y"})
    assert response.status_code == 200
    assert "Anna Äijälä" in response.get_data(as_text=True)
    assert ContactPerson.get_or_none(ContactPerson.id == rows["anna"]) is not None
    assert Prohibition.select().where(Prohibition.contact_person == rows["anna"]).count() == 1
    # A contact person nothing names is deleted as before.
    response = client.post(f"/customers/edit/?id={company.id}",
                           data=form | {"del-contact_persons-1": "y"})
    assert response.status_code == 302
    assert ContactPerson.get_or_none(ContactPerson.id == rows["bertil"]) is None


@pytest.mark.clock
def test_a_customer_with_a_prohibition_is_not_deleted(client, auth, people, rows):
    """A company whose contact person had a prohibition, and a person with their own, were
    deleted with it (the contact person alone is kept for this): the person's other
    records lost the prohibition."""
    give(rows["company"], person=rows["anna"])
    give(rows["person"])
    auth.login_as("handler_t")
    for customer in (rows["company"], rows["person"]):
        page = client.get(f"/customers/details/?id={customer}").get_data(as_text=True)
        answer = client.post("/customers/delete/", data={"id": customer,
                                                         "csrf_token": csrf_token(page)},
                             follow_redirects=True)
        assert "suoramarkkinointikieltoja" in answer.get_data(as_text=True)
        assert Customer.get_or_none(Customer.id == customer) is not None
    assert Prohibition.select().count() == 2


@pytest.mark.clock
def test_a_contact_persons_prohibition_is_never_shown_as_the_customers_own(client, auth,
                                                                           people, rows):
    """With contact persons taken out of the section, the customer's page said the
    company's own prohibition was in force (the prohibitions page: none)."""
    give(rows["company"], person=rows["anna"])
    tourism = Section.get(code="tourism")
    tourism.categories = " ".join(c for c in tourism.categories.split()
                                  if c != "contact_persons")
    tourism.save()
    auth.login_as("staff_t")
    page = client.get(f"/customers/details/?id={rows['company']}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Matkailu Oy: Suoramarkkinointi" not in text
    assert "yhteyshenkilö: Suoramarkkinointi" in text
