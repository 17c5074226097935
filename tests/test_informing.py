"""Informing at registration (seed §13): the record a new customer and a new contact person
must have, the earlier customers "not yet informed" (the list's filter, the front page's
counts, the bulk action) and the short informing notice — through the real pages, on
SQLite and PostgreSQL."""

import datetime
import re
import urllib.parse

import pytest
from peewee import fn

import database
from models import INFORMED_HOW, AuditEvent, ContactPerson, Customer, Section, db, utcnow
from services import informing, policy
from services.localtime import to_helsinki
from tests.conftest import csrf_token, informed, typed_now

PEOPLE = ("staff_t", "staff_b", "handler_t", "controller", "maint")


def _customer(section, name, **fields):
    return Customer.create(section=Section.get(code=section), kind="company", name=name,
                           version=1, **fields)


@pytest.fixture
def customers(app):
    """Tourism: two not yet informed, one informed; business: one not yet informed."""
    informed_at = datetime.datetime(2026, 1, 10, 10, 0)
    return {
        "t1": _customer("tourism", "Alfa Matkat Oy").id,
        "t2": _customer("tourism", "Beta Matkat Oy").id,
        "t_done": _customer("tourism", "Gamma Matkat Oy", informed_how="email",
                            informed_at=informed_at).id,
        "b1": _customer("business", "Delta Bisnes Oy").id,
    }


def _new_company(client, **fields):
    page = client.get("/customers/new/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "version": "", "kind": "company",
            "name": "Uusi Yritys Oy", "language": "fi"}
    data.update(fields)
    return client.post("/customers/new/", data=data)


def _edit(client, customer_id, **fields):
    page = client.get(f"/customers/edit/?id={customer_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "version": version, "kind": "company",
            "name": Customer.get_by_id(customer_id).name, "language": "fi"}
    data.update(fields)
    return client.post(f"/customers/edit/?id={customer_id}", data=data)


# --- required on create ---------------------------------------------------------------------


@pytest.mark.clock
def test_a_new_customer_needs_how_and_when(client, auth, people):
    auth.login_as("staff_t", language="en")
    response = _new_company(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and Customer.select().count() == 0
    assert "Record how the person was informed of the registration" in page
    assert "Record when the person was informed" in page
    assert 'value="Uusi Yritys Oy"' in page  # the input stays
    response = _new_company(client, informed_how="email")
    assert response.status_code == 200 and Customer.select().count() == 0
    typed = typed_now(minutes_ago=3)
    response = _new_company(client, informed_how="email", informed_at=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = Customer.get()
    assert saved.informed_how == "email" and saved.not_reachable_reason is None
    assert to_helsinki(saved.informed_at).strftime("%Y-%m-%dT%H:%M") == typed
    assert not informing.not_informed_counts(None)


def test_a_new_contact_person_needs_the_record_too(client, auth, people):
    auth.login_as("staff_t", language="en")
    person = {"contact_persons-0-first_name": "Anna", "contact_persons-0-last_name": "Aalto"}
    response = _new_company(client, **informed(), **person)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and Customer.select().count() == 0
    # The row's, not the company's: at the row's field, and in the summary of the errors.
    assert page.count("Record how the person was informed") == 2
    assert "Contact persons #1: How informed: Record how the person was informed" in page
    assert ContactPerson.select().count() == 0
    response = _new_company(client, **informed(), **person,
                            **informed("contact_persons-0-", how="post"))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    row = ContactPerson.get()
    assert row.informed_how == "post" and row.informed_at is not None


def test_a_contact_person_added_later_needs_it_and_the_old_ones_do_not(client, auth, people,
                                                                       customers):
    """An existing customer and its existing contact person save without a record; a
    contact person added to it needs one."""
    old = ContactPerson.create(customer=customers["t1"], first_name="Vanha", last_name="Väinö")
    auth.login_as("staff_t", language="en")
    kept = {"contact_persons-0-id": str(old.id), "contact_persons-0-first_name": "Vanha",
            "contact_persons-0-last_name": "Väinö", "contact_persons-0-role": "johtaja"}
    added = {"contact_persons-1-first_name": "Uusi", "contact_persons-1-last_name": "Ulla"}
    response = _edit(client, customers["t1"], **kept, **added)
    assert response.status_code == 200
    assert ContactPerson.select().count() == 1 and ContactPerson.get().role is None
    response = _edit(client, customers["t1"], **kept, **added,
                     **informed("contact_persons-1-", how="in_person"))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert ContactPerson.get_by_id(old.id).role == "johtaja"
    assert ContactPerson.get_by_id(old.id).informed_how is None
    assert ContactPerson.get(ContactPerson.last_name == "Ulla").informed_how == "in_person"


def test_an_existing_customer_without_the_record_still_saves(client, auth, people, customers):
    auth.login_as("staff_t")
    response = _edit(client, customers["t1"], phone="040 123 4567")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = Customer.get_by_id(customers["t1"])
    assert saved.phone == "+358401234567" and saved.informed_how is None


def test_a_record_once_given_stays_whole(client, auth, people, customers):
    auth.login_as("staff_t", language="en")
    response = _edit(client, customers["t_done"], informed_how="")
    assert response.status_code == 200
    assert "Record how the person was informed" in response.get_data(as_text=True)
    assert Customer.get_by_id(customers["t_done"]).informed_how == "email"
    # Begun on a customer without one, it is checked whole as well.
    response = _edit(client, customers["t1"], informed_how="post")
    assert response.status_code == 200 and Customer.get_by_id(customers["t1"]).informed_how is None


def test_not_reachable_needs_a_reason_and_only_it_has_one(client, auth, people):
    auth.login_as("staff_t", language="en")
    response = _new_company(client, **informed(how="not_reachable"))
    assert response.status_code == 200
    assert "Say why the person could not be reached" in response.get_data(as_text=True)
    response = _new_company(client, **informed(how="email"), not_reachable_reason="Ei osoitetta")
    assert response.status_code == 200
    assert "A reason is recorded only when the person could not be reached" in \
        response.get_data(as_text=True)
    assert Customer.select().count() == 0
    response = _new_company(client, **informed(how="not_reachable"),
                            not_reachable_reason="Kirje palautui.")
    assert response.status_code == 302
    saved = Customer.get()
    assert (saved.informed_how, saved.not_reachable_reason) == ("not_reachable",
                                                                "Kirje palautui.")


@pytest.mark.clock
@pytest.mark.parametrize("fields, status, message", [
    ({"informed_at": "2999-01-01T10:00"}, 200, "Check the year"),  # year 2999
    ({"informed_at": "FUTURE"}, 200, "cannot be in the future"),
    ({"informed_how": "letter"}, 200, "Not a valid choice"),  # an earlier code
    ({"not_reachable_reason": "x" * 501, "informed_how": "not_reachable"}, 200, "500"),
    ({"not_reachable_reason": "soitettu 131052-308T"}, 200, "must not be stored"),
    ({"not_reachable_reason": "Ei\x00osoitetta"}, 400, ""),
])
def test_bad_informing_input_is_a_form_error_or_400_and_stores_nothing(client, auth, people,
                                                                      fields, status, message):
    auth.login_as("staff_t", language="en")
    if fields.get("informed_at") == "FUTURE":
        # Two hours ahead: typed in the hour that repeats when summer time ends, a time is
        # read as its earlier occurrence, up to an hour before it was meant.
        later = to_helsinki(utcnow() + datetime.timedelta(hours=2))
        fields = {"informed_at": later.strftime("%Y-%m-%dT%H:%M")}
    data = {**informed(how="not_reachable"), "not_reachable_reason": "Ei osoitetta", **fields}
    response = _new_company(client, **data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert Customer.select().count() == 0


def test_informing_before_the_birth_date_is_refused(client, auth, people):
    auth.login_as("staff_t", language="en")
    response = _new_company(client, kind="person", name="", first_name="Åsa",
                            last_name="Öberg", birth_date="1980-05-17",
                            informed_how="in_person", informed_at="1979-05-17T10:00")
    assert response.status_code == 200
    assert "is before the person&#39;s birth date" in response.get_data(as_text=True)


def test_the_rule_itself():
    now = datetime.datetime(2026, 12, 1, 12, 0)
    past = datetime.datetime(2026, 11, 1, 12, 0)
    assert informing.informing_problems({}, required=False, now=now) == {}
    assert set(informing.informing_problems({}, now=now)) == {"informed_how", "informed_at"}
    assert informing.informing_problems(
        {"informed_how": "post", "informed_at": past}, now=now) == {}
    assert informing.informing_problems(
        {"informed_how": "post", "informed_at": now + datetime.timedelta(minutes=4)},
        now=now) == {}  # a few minutes of clock difference
    assert set(informing.informing_problems(
        {"informed_how": "post", "informed_at": now + datetime.timedelta(minutes=6)},
        now=now)) == {"informed_at"}
    assert set(informing.informing_problems(
        {"informed_how": "not_reachable", "informed_at": past, "not_reachable_reason": " "},
        now=now)) == {"not_reachable_reason"}
    assert set(informing.informing_problems(
        {"informed_how": "phone", "informed_at": past}, now=now)) == {"informed_how"}
    assert informing.record_values("post", past, "left over") == {
        "informed_how": "post", "informed_at": past, "not_reachable_reason": None}


# --- the migration ---------------------------------------------------------------------------


def test_the_migration_maps_the_earlier_codes_and_back(db_url):
    done, _ = database.status()
    database.downgrade(steps=len(done) - done.index("022_informing"))
    codes = ["in_person", "letter", "email", "phone", "form", "web", None]
    for number, code in enumerate(codes, start=1):
        db.execute_sql(
            "INSERT INTO customer (id, section_id, kind, name, sort_name, language, informed_at,"
            " informed_how, created_at, updated_at, version) VALUES (%s, 1, 'company', 'Oy',"
            " 'oy', 'fi', %s, %s, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            .replace("%s", db.param), (number, "2025-03-01 08:30:00" if code else None, code))
    database.upgrade()
    mapped = {c.id: c.informed_how for c in Customer.select().order_by(Customer.id)}
    assert mapped == {1: "in_person", 2: "post", 3: "email", 4: "in_person", 5: "web_form",
                      6: "web_form", 7: None}
    assert Customer.get_by_id(2).informed_at == datetime.datetime(2025, 3, 1, 8, 30)
    Customer.update(informed_how="not_reachable", not_reachable_reason="Ei osoitetta").where(
        Customer.id == 3).execute()
    done, _ = database.status()
    database.downgrade(steps=len(done) - done.index("022_informing"))
    back = dict(db.execute_sql("SELECT id, informed_how FROM customer ORDER BY id").fetchall())
    assert back == {1: "in_person", 2: "letter", 3: None, 4: "in_person", 5: "form",
                    6: "form", 7: None}
    database.upgrade()


# --- not yet informed: the filter and the front page ---------------------------------------


def _front_page(client):
    page = client.get("/").get_data(as_text=True)
    start = page.find('id="not-informed-heading"')
    return page, (page[start:page.find("</section>", start)] if start >= 0 else "")


def test_the_front_page_counts_each_section_the_user_reads(client, auth, people, customers):
    auth.login_as("handler_t", language="en")
    _page, panel = _front_page(client)
    assert "Tourism" in panel and "not yet informed: 2" in panel
    assert "Business" not in panel
    auth.login_as("controller", switch=True, language="en")
    _page, panel = _front_page(client)
    assert re.search(r'<a href="[^"]+">Tourism[^<]*: not yet informed: 2</a>', panel)
    assert re.search(r'<a href="[^"]+">Business[^<]*: not yet informed: 1</a>', panel)
    auth.login_as("maint", switch=True)
    page, panel = _front_page(client)
    assert panel == "" and "Alfa" not in page


def test_the_count_is_one_query_and_follows_the_scope(app, customers):
    tourism = Section.get(code="tourism").id
    business = Section.get(code="business").id
    assert informing.not_informed_counts([tourism]) == {tourism: 2}
    assert informing.not_informed_counts(None) == {
        tourism: 2, business: 1}
    assert informing.not_informed_counts([]) == {}
    if database.is_sqlite():  # the partial index of migration 022 serves the count
        query = (Customer.select(Customer.section, fn.COUNT(Customer.id))
                 .where(policy.customer_scope([tourism]) & informing.not_informed())
                 .group_by(Customer.section))
        sql, params = query.sql()
        plan = str(db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert "customer_not_informed" in plan, plan


def test_the_front_page_link_lists_the_sections_customers_not_yet_informed(client, auth,
                                                                           people, customers):
    auth.login_as("controller", language="en")
    _page, panel = _front_page(client)
    links = re.findall(r'<a href="([^"]+)">Tourism[^<]*not yet informed', panel)
    assert len(links) == 1 and len(re.findall("not yet informed: ", panel)) == 2
    listing = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Alfa Matkat Oy" in listing and "Beta Matkat Oy" in listing
    assert "Gamma Matkat Oy" not in listing and "Delta Bisnes Oy" not in listing
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(links[0].replace("&amp;", "&")).query)
    informed_arg = next(name for name, value in query.items() if value == ["no"])
    listing = client.get(f"/customers/?flt0_{informed_arg.split('_', 1)[1]}=yes")
    assert "Gamma Matkat Oy" in listing.get_data(as_text=True)
    assert "Alfa Matkat Oy" not in listing.get_data(as_text=True)
    # A value that is neither filters nothing and is no error.
    response = client.get(f"/customers/?flt0_{informed_arg.split('_', 1)[1]}=%00x")
    assert response.status_code in (200, 400)


def test_a_handler_sees_only_the_own_sections_in_the_filtered_list(client, auth, people,
                                                                   customers):
    auth.login_as("controller", language="en")
    _page, panel = _front_page(client)
    business_link = re.findall(r'<a href="([^"]+)">Business', panel)[0]
    auth.login_as("handler_t", switch=True)
    listing = client.get(business_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Delta Bisnes Oy" not in listing


# --- the bulk action ---------------------------------------------------------------------------


def _action(client, ids):
    token = csrf_token(client.get("/customers/").get_data(as_text=True))
    return client.post("/customers/action/", data={
        "csrf_token": token, "action": "record_informing",
        "rowid": [str(i) for i in ids]})


def test_the_bulk_action_records_only_the_own_sections_customers(client, auth, people,
                                                                  customers):
    auth.login_as("staff_t", language="en")
    assert "Record informing" in client.get("/customers/").get_data(as_text=True)
    chosen = [customers["t1"], customers["t2"], customers["t_done"], customers["b1"]]
    response = _action(client, chosen)
    assert response.status_code == 302 and "/informing/record/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Alfa Matkat Oy" in page and "Gamma Matkat Oy" in page
    assert "Delta Bisnes Oy" not in page
    versions = {c.id: c.version for c in Customer.select()}
    before = AuditEvent.select().count()
    typed = typed_now(minutes_ago=10)
    # The foreign id is posted as well: it is neither written nor named.
    response = client.post("/informing/record/", data={
        "csrf_token": csrf_token(page), "id": [str(i) for i in chosen],
        "informed_how": "post", "informed_at": typed, "url": "/customers/"})
    assert response.status_code == 302 and response.location == "/customers/"
    after = {c.id: c for c in Customer.select()}
    for key in ("t1", "t2"):
        row = after[customers[key]]
        assert row.informed_how == "post"
        assert to_helsinki(row.informed_at).strftime("%Y-%m-%dT%H:%M") == typed
        assert row.version == versions[row.id] + 1
    assert after[customers["t_done"]].informed_how == "email"  # kept as it was
    assert after[customers["b1"]].informed_how is None
    assert after[customers["b1"]].version == versions[customers["b1"]]
    events = list(AuditEvent.select().where(AuditEvent.id > before)
                  .order_by(AuditEvent.id))
    updates = [e for e in events if e.action == "update"]
    assert sorted(int(e.object_id) for e in updates) == sorted([customers["t1"],
                                                                customers["t2"]])
    assert all(e.object_type == "customer" and e.section == "tourism" for e in updates)
    assert all("informed_how" in e.fields and "informed_at" in e.fields for e in updates)
    listing = client.get("/customers/").get_data(as_text=True)
    assert "Informing recorded for customers: 2." in listing
    assert "already had an informing record and were left as they were: 1." in listing


def test_the_bulk_action_informs_nobody_before_their_birth(client, auth, people, customers):
    """As the customer form: a time of informing before a chosen person's birth date is
    refused, and nothing is recorded for any of them."""
    young = Customer.create(section=Section.get(code="tourism"), kind="person",
                            first_name="Nuori", last_name="Henkilö",
                            birth_date=datetime.date(1990, 5, 17))
    auth.login_as("staff_t", language="en")
    chosen = [customers["t1"], young.id]
    page = client.get(f"/informing/record/?id={chosen[0]}&id={chosen[1]}").get_data(
        as_text=True)
    response = client.post("/informing/record/", data={
        "csrf_token": csrf_token(page), "id": [str(i) for i in chosen],
        "informed_how": "in_person", "informed_at": "1950-01-01T10:00"}, follow_redirects=True)
    assert "before the birth date of 1 of the customers" in response.get_data(as_text=True)
    assert all(Customer.get_by_id(i).informed_at is None for i in chosen)


def test_the_bulk_action_with_only_foreign_or_bad_ids(client, auth, people, customers):
    auth.login_as("staff_t", language="en")
    assert client.get(f"/informing/record/?id={customers['b1']}").status_code == 404
    page = client.get(f"/informing/record/?id={customers['t1']}").get_data(as_text=True)
    response = client.post("/informing/record/", data={
        "csrf_token": csrf_token(page), "id": [str(customers["b1"])],
        "informed_how": "post", "informed_at": typed_now(1)})
    assert response.status_code == 404
    assert Customer.get_by_id(customers["b1"]).informed_how is None
    for bad in ("99999999999999999999", "abc", "-1", "1" * 400):
        response = client.get("/informing/record/", query_string={"id": bad})
        assert response.status_code == 302  # "select the customers first"
    many = "&".join(f"id={i}" for i in range(1, informing.MAX_BULK + 2))
    assert client.get(f"/informing/record/?{many}").status_code == 302
    assert Customer.get_by_id(customers["t1"]).informed_how is None


def test_the_bulk_form_checks_the_record_and_stores_nothing_wrong(client, auth, people,
                                                                  customers):
    auth.login_as("staff_t", language="en")
    page = client.get(f"/informing/record/?id={customers['t1']}").get_data(as_text=True)
    for fields in ({"informed_how": "not_reachable", "informed_at": typed_now(1)},
                   {"informed_how": "post", "informed_at": "2999-01-01T10:00"},
                   {"informed_how": "post"},
                   {"informed_how": "post", "informed_at": typed_now(1),
                    "not_reachable_reason": "131052-308T"}):
        response = client.post("/informing/record/", data={
            "csrf_token": csrf_token(page), "id": str(customers["t1"]), **fields})
        assert response.status_code == 200, fields
        assert Customer.get_by_id(customers["t1"]).informed_how is None
    response = client.post("/informing/record/", data={
        "csrf_token": csrf_token(page), "id": str(customers["t1"]),
        "informed_how": "not_reachable", "informed_at": typed_now(1),
        "not_reachable_reason": "Ei osoitetta."})
    assert response.status_code == 302
    saved = Customer.get_by_id(customers["t1"])
    assert (saved.informed_how, saved.not_reachable_reason) == ("not_reachable",
                                                                "Ei osoitetta.")


def test_who_may_record_in_bulk(client, auth, people, customers):
    auth.login_as("controller")
    assert "record_informing" not in client.get("/customers/").get_data(as_text=True)
    assert client.get(f"/informing/record/?id={customers['t1']}").status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/customers/action/", data={
        "csrf_token": token, "action": "record_informing", "rowid": str(customers["t1"])})
    assert response.status_code == 403
    auth.login_as("maint", switch=True)
    assert client.get(f"/informing/record/?id={customers['t1']}").status_code == 403
    assert Customer.get_by_id(customers["t1"]).informed_how is None


# --- the informing notice ----------------------------------------------------------------------


@pytest.mark.parametrize("language, lang_arg, words, link", [
    ("sv", None, "Meddelande om registrering av personuppgifter", "/privacy-notice/?lang=sv"),
    ("fi", None, "Ilmoitus henkilötietojen tallentamisesta", "/privacy-notice/"),
    ("other", None, "Notice of the recording of personal data", "/privacy-notice/?lang=en"),
    ("fi", "en", "The whole privacy notice", "/privacy-notice/?lang=en"),
    ("sv", "fi", "Koko tietosuojaseloste", "/privacy-notice/"),
])
def test_the_notice_in_the_customers_language_with_the_link(client, auth, people, language,
                                                            lang_arg, words, link):
    customer = _customer("tourism", "Kieli Oy", language=language)
    auth.login_as("staff_t")
    page = client.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert f'href="/informing/notice/?id={customer.id}"' in page
    query = {"id": customer.id, **({"lang": lang_arg} if lang_arg else {})}
    response = client.get("/informing/notice/", query_string=query)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and words in text
    assert f'href="http://localhost{link}"' in text
    textarea = text[text.index("<textarea"):text.index("</textarea>")]
    assert f"http://localhost{link}" in textarea and words in textarea
    assert "Tuulikki Becker" in textarea or "Tuulikki Becker" in text
    assert AuditEvent.select().where(AuditEvent.object_id == str(customer.id),
                                     AuditEvent.action == "view").count() >= 2


def test_the_notice_of_another_section_or_a_bad_id_is_not_found(client, auth, people,
                                                                customers):
    auth.login_as("staff_t")
    assert client.get(f"/informing/notice/?id={customers['b1']}").status_code == 404
    for bad in ("99999999999999999999", "abc", ""):
        assert client.get("/informing/notice/", query_string={"id": bad}).status_code == 404
    response = client.get("/informing/notice/", query_string={"id": customers["t1"],
                                                              "lang": "de\x00"})
    assert response.status_code == 400
    response = client.get("/informing/notice/", query_string={"id": customers["t1"],
                                                              "lang": "de"})
    assert response.status_code == 200 and 'lang="fi"' in response.get_data(as_text=True)


def test_the_notice_takes_the_values_it_names_as_arguments():
    texts = informing.NOTICE_TEXTS
    assert set(texts) == {"fi", "sv", "en"} and all(
        texts[lang].keys() == texts["fi"].keys() for lang in texts)
    given = informing.notice("sv", controller="Helsingfors stad", register="Testregistret",
                             purposes="Kundtjänst.", contact="registret@hel.fi",
                             site="https://rekisteri.hel.fi/")
    assert "Personuppgiftsansvarig: Helsingfors stad\n" in given["text"]
    assert "Register: Testregistret\n" in given["text"]
    assert "registret@hel.fi" in given["text"]
    assert given["url"] == "https://rekisteri.hel.fi/privacy-notice/?lang=sv"


def test_the_notice_names_what_the_controllers_settings_say(app):
    """A change in the settings shows in the next notice (seed §17)."""
    from services import register_settings

    default = informing.notice("fi")
    assert "Rekisteri: Helsingin kaupungin elinkeinopalvelun asiakasrekisteri\n" in \
        default["text"]
    assert "Tuulikki Becker" in default["text"] and default["url"] == "/privacy-notice/"
    flat = register_settings.flatten(register_settings.document())
    flat.update({"register_name.sv": "Näringslivets testregister",
                 "handlers.tourism.name": "Tiina Testinen"})
    assert register_settings.save(None, flat, register_settings.current().number)
    notice = informing.notice("sv")
    assert "Register: Näringslivets testregister\n" in notice["text"]
    assert "Tiina Testinen" in notice["text"] and "Tuulikki Becker" not in notice["text"]


# --- demo data ------------------------------------------------------------------------------


def test_demo_customers_are_mostly_informed_and_some_not_yet(app):
    from services import demo_data

    demo_data.generate(300, seed=3, sections=list(Section.select().order_by(Section.id)))
    for model in (Customer, ContactPerson):
        rows = list(model.select())
        done = [r for r in rows if informing.is_recorded(r)]
        assert 0.75 * len(rows) < len(done) < len(rows), model.__name__  # some not yet
        assert {r.informed_how for r in done} <= set(INFORMED_HOW)
        for row in rows:
            assert (row.not_reachable_reason is not None) == (
                row.informed_how == informing.NOT_REACHABLE)
            assert (row.informed_how is None) == (row.informed_at is None)


def test_the_notices_link_leads_to_the_public_privacy_notice(client, auth, people, customers):
    Customer.update(language="sv").where(Customer.id == customers["t1"]).execute()
    auth.login_as("staff_t")
    page = client.get(f"/informing/notice/?id={customers['t1']}").get_data(as_text=True)
    link = re.search(r'<a href="http://localhost(/privacy-notice/[^"]*)"', page).group(1)
    auth.logout()
    public = client.get(link.replace("&amp;", "&"))
    assert public.status_code == 200 and 'lang="sv"' in public.get_data(as_text=True)
