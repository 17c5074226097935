"""Duplicate customers (services/duplicates, migrations/026_duplicates.py): the check of one
customer, the create form's warning and the possible-duplicates page, on both databases."""

import datetime

import pytest

import database
from bench.replay import captured_sql
import models
from models import Address, AuditEvent, Customer, db
from services.duplicates import (
    DUPLICATE_REASONS,
    find_duplicates,
    name_similarity,
    normalise_business_id,
    normalise_email,
    normalise_name,
    normalise_phone,
    possible_pairs,
)
from services.duplicates.normalise import trigrams

from tests.conftest import informed

BIRTH = datetime.date(1980, 5, 17)
PEOPLE = ("staff_t", "staff_b", "handler_t", "controller", "maint")


def section_id(code="tourism"):
    return models.Section.get(code=code).id


def person(first_name, last_name, code="tourism", **fields):
    return Customer.create(section=section_id(code), kind="person", first_name=first_name,
                           last_name=last_name, **fields)


def company(name, code="tourism", **fields):
    return Customer.create(section=section_id(code), kind="company", name=name, **fields)


def reasons(code="tourism", exclude_id=None, **values):
    return [(m.customer_id, m.reason)
            for m in find_duplicates(section_id(code), values, exclude_id=exclude_id)]


@pytest.fixture
def register(db_url):
    return {
        "anna": person("Anna", "Virtanen", email="Anna.Virtanen@example.fi", birth_date=BIRTH,
                       postal_code="00100", mobile="+358401234567"),
        "viking": company("Viking Line Oy", business_id="0737546-2", postal_code="00160",
                          email="info@vikingline.example"),
        "other_anna": person("Anna", "Virtanen", code="business", email="anna.virtanen@example.fi",
                             birth_date=BIRTH, postal_code="00100"),
        "other_viking": company("Viking Line Oy", code="business", business_id="0737546-2"),
    }


# --- Normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize("text, key", [
    ("0737546-2", "0737546-2"), ("07375462", "0737546-2"), (" 0737546 2 ", "0737546-2"),
    ("FI07375462", "0737546-2"), ("0737546-3", None), ("", None), (None, None),
    ("1" * 20, None), ("0737546\x00-2", "0737546-2"),
])
def test_business_id_is_read_in_any_common_format(text, key):
    assert normalise_business_id(text) == key


@pytest.mark.parametrize("text, key", [
    ("  Anna.Virtanen@Example.FI ", "anna.virtanen@example.fi"), ("", None), (None, None),
    ("not an address", None),
])
def test_email_is_trimmed_and_lowered(text, key):
    assert normalise_email(text) == key


def test_names_and_phones_are_normalised():
    assert normalise_name("  ÅSTRÖM \t  Olof ") == "åström olof"
    assert normalise_phone("040 123 4567") == "+358401234567"
    assert normalise_phone("+358 40 1234567") == "+358401234567"
    assert normalise_phone("abc") is None
    assert name_similarity("anna virtanen", "anna virtanen") == 1.0
    assert name_similarity("anna virtanen", "ana virtanen") >= 0.5
    assert name_similarity("anna virtanen", "pekka korhonen") < 0.5


# --- The check of one customer -----------------------------------------------------------


def test_the_same_business_id_in_another_format_is_found_in_the_section_only(register):
    viking, other = register["viking"], register["other_viking"]
    assert reasons(kind="company", name="Aivan Muu Oy", business_id="07375462") == [
        (viking.id, "business_id")]
    assert reasons(code="business", kind="company", name="X Oy", business_id="0737546-2") == [
        (other.id, "business_id")]
    company("Kahvila Ky", code="business", business_id="1572860-0", postal_code="00100")
    assert reasons(kind="company", name="Kahvila Ky", business_id="1572860-0",
                   postal_code="00100") == []


def test_the_same_email_is_found_whatever_its_case(register):
    assert reasons(kind="person", first_name="Pekka", last_name="Muu",
                   email=" ANNA.virtanen@EXAMPLE.fi ") == [(register["anna"].id, "email")]
    assert reasons(kind="person", email="anna.virtanen@example.com") == []
    # The business section's Anna has the same address: found there only.
    assert reasons(code="business", kind="person", email="Anna.Virtanen@example.fi") == [
        (register["other_anna"].id, "email")]


def test_the_same_name_and_birth_date_is_found(register):
    anna = register["anna"]
    assert reasons(kind="person", first_name=" anna ", last_name="VIRTANEN",
                   birth_date=BIRTH) == [(anna.id, "name_and_birth_date")]
    assert reasons(kind="person", first_name="Anna", last_name="Virtanen",
                   birth_date="1980-05-17") == [(anna.id, "name_and_birth_date")]  # as text
    assert reasons(kind="person", first_name="Anna", last_name="Virtanen",
                   birth_date=BIRTH + datetime.timedelta(days=1)) == []
    assert reasons(kind="person", first_name="Anna", last_name="Virtanen",
                   birth_date="17.5.1980x") == []
    assert reasons(kind="person", first_name="Anne", last_name="Koski", birth_date=BIRTH) == []
    register["anna"].delete_instance()  # the business section's Anna is not this section's
    assert reasons(kind="person", first_name="Anna", last_name="Virtanen", birth_date=BIRTH,
                   postal_code="00100") == []


def test_a_similar_name_needs_the_same_postal_code_or_phone(register):
    anna = register["anna"]
    assert reasons(kind="person", first_name="Ana", last_name="Virtanen",
                   postal_code="00100") == [(anna.id, "similar_name")]
    assert reasons(kind="person", first_name="Ana", last_name="Virtanen",
                   mobile="040 123 4567") == [(anna.id, "similar_name")]
    assert reasons(kind="person", first_name="Ana", last_name="Virtanen",
                   postal_code="00200") == []
    assert reasons(kind="person", first_name="Pekka", last_name="Korhonen",
                   postal_code="00100") == []
    assert reasons(kind="company", name="Viking Line Ab", postal_code="00160") == [
        (register["viking"].id, "similar_name")]


def test_the_strongest_reason_comes_first_and_the_customer_itself_is_left_out(register):
    anna = register["anna"]
    values = dict(kind="person", first_name="Anna", last_name="Virtanen", birth_date=BIRTH,
                  email="anna.virtanen@example.fi", postal_code="00100")
    assert reasons(**values) == [(anna.id, "email")]
    assert reasons(exclude_id=anna.id, **values) == []
    found = find_duplicates(section_id(), values)
    assert found[0].reason in DUPLICATE_REASONS and found[0].score == 1.0


def test_empty_or_odd_values_find_nothing_and_do_not_fail(register):
    assert reasons() == []
    assert reasons(kind="person", first_name="\x00", last_name="x" * 5000, email="\x00@x",
                   business_id="9" * 20, phone="1" * 20, postal_code="\x00") == []


@pytest.mark.parametrize("kind, first_name, last_name, name", [
    ("person", "Anna-Liisa", "Virtanen", None),
    ("person", "ÅSA  MARIA", "Öhman", None),
    ("person", "Straße", "İzmir\tKoç", None),
    ("person", "Ἀθηνᾶ", "ΣΊΣΥΦΟΣ", None),
    ("person", "", "Ek", None),
    ("person", "Kalle", None, "Ignored Oy"),
    ("company", None, None, "Oy  Ab_Suomi,  Ltd."),
    ("organisation", "Unused", "Names", "Helsingin\u00a0Latu ry"),
])
def test_a_sort_name_has_the_trigrams_of_the_compared_name(kind, first_name, last_name, name):
    """The likely matches are scored by their sort name, read from the index: it must give
    the score the compared name (first and last name, or the company's) gives."""
    customer = Customer(kind=kind, first_name=first_name, last_name=last_name, name=name)
    customer.refresh_derived()
    compared = " ".join(filter(None, (normalise_name(first_name), normalise_name(last_name)))) \
        if kind == "person" else normalise_name(name)
    assert trigrams(customer.sort_name) == trigrams(compared)
    for other in ("Anna Virtanen", "asa ohman", "Strasse Izmir", "oy ab suomi", "latu"):
        assert name_similarity(other, customer.sort_name) == name_similarity(other, compared)


def checked(values, limit=10):
    """Return the tourism check's matches of ``values`` and the statements it ran on the
    customers (``[(sql, params)]``; the section's categories are read besides)."""
    tourism = section_id()
    with captured_sql() as statements:
        matches = find_duplicates(tourism, values, limit=limit)
    section_reads = [sql for sql, _params in statements if 'FROM "section"' in sql]
    assert len(section_reads) == 1
    return matches, [(sql, params) for sql, params in statements
                     if 'FROM "section"' not in sql]


def test_the_check_takes_a_fixed_number_of_queries(register):
    for n in range(30):
        person("Anna", f"Virtanen{n}", postal_code="00100", mobile="+358401234567")
    values = dict(kind="person", first_name="Anna", last_name="Virtanen", birth_date=BIRTH,
                  email="x@example.fi", business_id="0737546-2", postal_code="00100",
                  mobile="+358401234567")
    matches, statements = checked(values, limit=50)
    assert len(matches) >= 20
    assert len(statements) == 2


def test_the_likely_matches_are_read_from_the_name_index_alone(register):
    """SQLite is told to take the (section, postal code, sort name) index, which holds the
    id; PostgreSQL's holds it since migration 039 (no customer row of the area read)."""
    values = dict(kind="person", first_name="Anna", last_name="Virtanen", postal_code="00100")
    _matches, statements = checked(values)
    likely = [(sql, params) for sql, params in statements if "sort_name" in sql
              and "postal_code" in sql]
    assert len(likely) == 1
    if database.is_sqlite():
        # The statistics a sampled ANALYZE left of the name index at 1 000 000 customers,
        # with which the planner took the index (postal_code, section_id) and read the
        # area's rows (that index is gone since migration 047; the hint stays).
        db.execute_sql("ANALYZE customer")
        db.execute_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'customer'")
        db.execute_sql("INSERT INTO sqlite_stat1 VALUES"
                       " ('customer', 'customer_dup_postal_name', '873873 1001 1001 1')")
        db.execute_sql("ANALYZE sqlite_schema")  # the planner reads them again
        try:
            sql, params = likely[0]
            plan = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                              params))
        finally:
            db.execute_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'customer'")
            db.execute_sql("ANALYZE sqlite_schema")
        assert "COVERING INDEX customer_dup_postal_name" in plan
    else:
        definition = db.execute_sql("SELECT indexdef FROM pg_indexes WHERE indexname ="
                                    " 'customer_dup_postal_name'").fetchone()[0]
        assert "(section_id, postal_code, sort_name) INCLUDE (id)" in definition


def test_likely_matches_are_looked_for_only_while_the_limit_has_room(register):
    twin = person("Anna", "Virtanen", email="anna@example.fi", postal_code="00100")
    similar = person("Ana", "Virtanen", postal_code="00100")
    values = dict(kind="person", first_name="Anna", last_name="Virtanen",
                  email="ANNA@example.fi", postal_code="00100")
    found = find_duplicates(section_id(), values, limit=10)
    assert [m.customer_id for m in found][:1] == [twin.id]
    assert similar.id in [m.customer_id for m in found]
    found, statements = checked(values, limit=1)
    assert [(m.customer_id, m.reason) for m in found] == [(twin.id, "email")]
    assert len(statements) == 1  # the exact keys' query: its one match fills the limit


# --- The pairs already in the register ---------------------------------------------------


def pairs(reason, code="tourism", page=0, page_size=25):
    found, more = possible_pairs(section_id(code), reason, page, page_size)
    return [(p.first_id, p.second_id) for p in found], more


def test_each_kind_of_pair_is_listed_within_its_section(register):
    anna, viking = register["anna"], register["viking"]
    twin = person("ANNA", "Virtanen", email="ANNA.virtanen@example.FI", birth_date=BIRTH)
    namesake = person("Ana", "Virtanen", postal_code="00100")
    kopio = company("Viking Line Ab", business_id="0737546-2", postal_code="00160")
    assert pairs("business_id") == ([(viking.id, kopio.id)], False)
    assert pairs("email") == ([(anna.id, twin.id)], False)
    assert pairs("name_and_birth_date") == ([(anna.id, twin.id)], False)
    # In (postal code, name) order: "virtanen, ana" before "virtanen, anna".
    assert pairs("similar_name") == ([(namesake.id, anna.id), (kopio.id, viking.id)], False)
    # The business section has one of each, but no pair.
    for reason in DUPLICATE_REASONS:
        assert pairs(reason, code="business") == ([], False)


def test_pairs_are_paged(register):
    for n in range(5):
        company(f"Kopio {n} Oy", business_id="1572860-0")
    first, more = pairs("business_id", page_size=4)
    assert len(first) == 4 and more
    rest, more = pairs("business_id", page=2, page_size=4)
    assert len(rest) == 2 and not more  # 10 pairs of five customers
    assert pairs("business_id", page=10) == ([], False)


# --- The possible-duplicates page ---------------------------------------------------------


@pytest.fixture
def twins(register):
    kopio = company("Viking Line Ab", business_id="0737546-2", postal_code="00160")
    company("Viking Line Ab", code="business", business_id="0737546-2")
    return {**register, "kopio": kopio}


def test_the_page_lists_the_pairs_of_the_users_section(client, auth, people, twins):
    auth.login_as("staff_t", language="en")
    page = client.get("/customers/duplicates/").get_data(as_text=True)
    assert 'id="duplicate-pairs"' in page
    for name in ("viking", "kopio"):
        assert f'href="/customers/details/?id={twins[name].id}"' in page
    assert f'?id={twins["other_viking"].id}"' not in page
    assert client.get("/customers/duplicates/?section=business").status_code == 404
    viking, kopio = twins["viking"].id, twins["kopio"].id
    merge = f'href="/customers/merge/?a={viking}&amp;b={kopio}"'  # by id within the key
    assert merge in page
    page = client.get("/customers/duplicates/?reason=email").get_data(as_text=True)
    assert 'id="no-pairs"' in page


def test_a_reader_of_every_section_chooses_the_section(client, auth, people, twins):
    auth.login_as("controller")
    page = client.get("/customers/duplicates/?section=business").get_data(as_text=True)
    assert f'href="/customers/details/?id={twins["other_viking"].id}"' in page
    assert f'?id={twins["viking"].id}"' not in page
    assert "/customers/merge/" not in page  # the controller reads, but does not merge


def test_the_page_is_for_the_readers_of_customers_only(client, auth, people, twins):
    auth.login_as("maint")
    assert client.get("/customers/duplicates/").status_code == 403


def test_the_check_answers_as_json_for_the_users_section(client, auth, people, twins):
    auth.login_as("staff_t")
    r = client.get("/customers/duplicates/check/?kind=company&name=Viking+Line&"
                   "business_id=07375462&birth_date=x")
    assert r.status_code == 200
    assert [m["customer_id"] for m in r.get_json()] == [twins["viking"].id, twins["kopio"].id]
    assert {m["reason"] for m in r.get_json()} == {"business_id"}
    assert client.get("/customers/duplicates/check/?section=business&business_id=07375462"
                      ).status_code == 404


@pytest.mark.parametrize("query", [
    "page=-1", "page=99999999999999999999", "page=%00", "page=x", "reason=%00",
    "reason=nothing", "section=%00", "section=tourism%00", "section=" + "x" * 5000,
    "check/?birth_date=99999-01-01&email=" + "@" * 3000, "check/?phone=" + "9" * 40,
])
def test_odd_queries_are_no_server_error(client, auth, people, twins, query):
    auth.login_as("staff_t")
    r = client.get("/customers/duplicates/?" + query)
    assert r.status_code in (200, 400, 404)  # a NUL is refused before the page (400)


# --- The create form's warning -----------------------------------------------------------


def person_form(token, **extra):
    return {"csrf_token": token, "version": "", "kind": "person", "first_name": "Anna",
            "last_name": "Virtanen", "birth_date": "1980-05-17", "language": "fi",
            "email": "anna.v@example.org", **informed(),
            "addresses-0-kind": "postal", "addresses-0-street": "Mannerheimintie 1",
            "addresses-0-postal_code": "00100", "addresses-0-city": "Helsinki",
            "addresses-0-country": "FI", **extra}


def test_the_create_form_warns_keeps_the_input_and_saves_when_told(
        client, auth, people, register):
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    data = person_form(token)
    r = client.post("/customers/new/", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="possible-duplicates"' in page and "Same name and birth date" in page
    assert f'href="/customers/details/?id={register["anna"].id}"' in page
    assert f'?id={register["other_anna"].id}"' not in page  # another section's
    assert 'name="create_anyway"' in page and 'value="anna.v@example.org"' in page
    assert 'value="Mannerheimintie 1"' in page
    assert Customer.select().where(Customer.email == "anna.v@example.org").count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "create").exists()
    r = client.post("/customers/new/", data=data | {"create_anyway": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    assert Customer.select().where(Customer.email == "anna.v@example.org").count() == 1


def test_the_warning_fills_the_existing_customers_empty_fields_instead(
        client, auth, people, register):
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    anna = register["anna"]
    data = person_form(token, phone="09 123 4567", own_info="Toivoo ruotsinkielistä postia")
    page = client.post("/customers/new/", data=data).get_data(as_text=True)
    assert f'name="fill_existing" value="{anna.id}"' in page
    # Enter in a field saves: the form's first submit button is an unseen plain "Save".
    form = page[page.index('id="customer-form"'):]
    assert form.index("<button type=\"submit\" hidden") < form.index('name="fill_existing"')
    # Not a match, another section's customer, junk: the form again, nothing written.
    for posted in (str(register["viking"].id), str(register["other_anna"].id), "abc",
                   "9" * 20, "-1"):
        r = client.post("/customers/new/", data=data | {"fill_existing": posted})
        assert r.status_code == 200, posted
    assert Customer.get_by_id(anna.id).version == anna.version
    r = client.post("/customers/new/", data=data | {"fill_existing": str(anna.id)})
    assert r.status_code == 302 and r.location.endswith(f"/customers/details/?id={anna.id}")
    filled = Customer.get_by_id(anna.id)
    # The empty fields filled; the email it had kept (the form's differs only in case).
    assert (filled.phone, filled.own_info, filled.email) == (
        "+35891234567", "Toivoo ruotsinkielistä postia", "Anna.Virtanen@example.fi")
    assert filled.version == anna.version + 1
    assert Customer.select().where(Customer.section == anna.section).count() == 2
    event = AuditEvent.select().where(AuditEvent.action == "update").get()
    # Its informing record too: it had none, and the form records the informing just done.
    assert set(event.fields.split(",")) == {"phone", "own_info", "informed_how", "informed_at"}
    # Again: nothing left to fill, said so, nothing created.
    r = client.post("/customers/new/", data=data | {"fill_existing": str(anna.id)},
                    follow_redirects=True)
    assert "nothing was changed" in r.get_data(as_text=True)
    assert Customer.get_by_id(anna.id).version == anna.version + 1


def test_filling_the_existing_customer_says_the_rows_typed_were_not_stored(
        client, auth, people, register):
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    anna = register["anna"]
    addresses = Address.select().where(Address.customer == anna.id).count()
    data = person_form(token, phone="09 123 4567") | {
        "addresses-0-kind": "postal", "addresses-0-street": "Uusikatu 1",
        "addresses-0-postal_code": "00100", "addresses-0-city": "Helsinki",
        "addresses-0-country": "FI", "fill_existing": str(anna.id)}
    page = client.post("/customers/new/", data=data, follow_redirects=True).get_data(
        as_text=True)
    assert "The rows typed in the form were not stored (Addresses)" in page
    assert Address.select().where(Address.customer == anna.id).count() == addresses


def test_a_new_customer_without_matches_is_saved_at_once(client, auth, people, register):
    token = auth.login_as("staff_t", token_from="/customers/new/")
    page = client.get("/customers/new/").get_data(as_text=True)
    assert 'name="create_anyway"' not in page
    r = client.post("/customers/new/", data=person_form(token, first_name="Pekka",
                                                        last_name="Korhonen"))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]


def test_a_match_only_in_another_section_is_no_warning(client, auth, people, register):
    register["anna"].delete_instance()
    token = auth.login_as("staff_t", token_from="/customers/new/")
    r = client.post("/customers/new/", data=person_form(token, email="anna.virtanen@example.fi"))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]


def test_editing_a_customer_is_not_warned_of_itself(client, auth, people, register):
    anna = register["anna"]
    auth.login_as("staff_t")
    page = client.get(f"/customers/edit/?id={anna.id}").get_data(as_text=True)
    assert 'name="create_anyway"' not in page


def company_form(token, **extra):
    return {"csrf_token": token, "version": "", "kind": "company", "name": "Viking Line Oy",
            "business_id": "0737546-2", "language": "fi", **informed(),
            "addresses-0-kind": "postal", "addresses-0-street": "Mannerheimintie 1",
            "addresses-0-postal_code": "00160", "addresses-0-city": "Helsinki",
            "addresses-0-country": "FI", **extra}


def test_filling_a_match_does_not_give_it_another_customers_business_id_unasked(
        client, auth, people, db_url):
    other = company("Toinen Oy", business_id="0737546-2")
    target = company("Viking Line Oy", postal_code="00160")
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    page = client.post("/customers/new/", data=company_form(token)).get_data(as_text=True)
    assert "already has this Y-tunnus" in page
    r = client.post("/customers/new/", data=company_form(token, fill_existing=str(target.id)))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "already has this Y-tunnus" in page
    assert f'href="/customers/details/?id={other.id}"' in page
    assert Customer.get_by_id(target.id).business_id is None
    # Told it is a different company: the match is filled.
    r = client.post("/customers/new/", data=company_form(
        token, fill_existing=str(target.id), different_company="y"))
    assert r.status_code == 302 and r.location.endswith(f"/customers/details/?id={target.id}")
    assert Customer.get_by_id(target.id).business_id == "0737546-2"
    assert Customer.select().count() == 2


def test_a_different_company_of_the_same_business_id_is_still_warned_of_other_matches(
        client, auth, people, db_url):
    company("Toinen Oy", business_id="0737546-2")
    same_email = company("Jokin Muu Oy", email="info@viking.example")
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    data = company_form(token, name="Uusi Ab", email="info@viking.example",
                        different_company="y")
    r = client.post("/customers/new/", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="possible-duplicates"' in page
    # The email's match is asked about; the Y-tunnus's, confirmed, is not again.
    warning = page[page.index('id="possible-duplicates"'):]
    assert f'name="fill_existing" value="{same_email.id}"' in warning
    assert "Same Y-tunnus" not in warning
    assert 'name="different_company"' in page and 'value="Uusi Ab"' in page
    r = client.post("/customers/new/", data=data | {"create_anyway": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    assert Customer.select().where(Customer.name == "Uusi Ab").count() == 1


def test_filling_a_company_from_a_persons_form_writes_no_persons_field(
        client, auth, people, db_url):
    viking = company("Viking Line Oy", email="info@viking.example")
    token = auth.login_as("staff_t", language="en", token_from="/customers/new/")
    data = person_form(token, email="info@viking.example", phone="09 123 4567")
    page = client.post("/customers/new/", data=data).get_data(as_text=True)
    assert f'name="fill_existing" value="{viking.id}"' in page
    r = client.post("/customers/new/", data=data | {"fill_existing": str(viking.id)})
    assert r.status_code == 302
    filled = Customer.get_by_id(viking.id)
    assert (filled.first_name, filled.last_name, filled.birth_date) == (None, None, None)
    assert filled.phone == "+35891234567"


def test_the_json_check_without_a_kind_compares_the_birth_date(client, auth, people, register):
    auth.login_as("staff_t")
    query = "first_name=Anna&last_name=Virtanen&birth_date=1980-05-17"
    found = client.get("/customers/duplicates/check/?" + query).get_json()
    assert found == client.get("/customers/duplicates/check/?kind=person&" + query).get_json()
    assert [(m["customer_id"], m["reason"]) for m in found] == [
        (register["anna"].id, "name_and_birth_date")]


def test_filling_a_birth_date_after_the_existing_informing_is_refused(app, people, tmp_path,
                                                                       runner):
    """The existing customer keeps its informing record: a birth date given to it by the
    duplicate warning or by an import is refused when it is after that record."""
    from models import Section
    from services.duplicates import update_matched
    from services.errors import RegisterError
    from tests.test_imports import refusals, run_import, write_csv

    tourism = Section.get(code="tourism")
    old = Customer.create(section=tourism, kind="person", first_name="Öljy",
                          last_name="Äijälä", email="oljy@example.com",
                          birth_date=datetime.date(1980, 2, 1), informed_how="post",
                          informed_at=datetime.datetime(2001, 3, 1, 10))
    with pytest.raises(RegisterError, match="birth date"):
        update_matched(tourism, old.id, {"birth_date": datetime.date(2010, 2, 1)},
                       people["staff_t"], overwrite=["birth_date"])
    header = ["Sukunimi", "Etunimet", "Sähköposti", "Syntymäaika"]
    run = run_import(runner, write_csv(tmp_path / "a.csv", [
        header, ["Äijälä", "Öljy", "oljy@example.com", "1.2.2010"]]),
        "--duplicates", "update_chosen", "--overwrite", "birth_date")
    assert refusals(run) == [(2, "Syntymäaika")]
    assert Customer.get_by_id(old.id).birth_date == datetime.date(1980, 2, 1)
    run = run_import(runner, write_csv(tmp_path / "b.csv", [
        header, ["Äijälä", "Öljy", "oljy@example.com", "1.2.1979"]]),
        "--duplicates", "update_chosen", "--overwrite", "birth_date")
    assert refusals(run) == [(2, "")]  # a match reported, nothing refused
    assert Customer.get_by_id(old.id).birth_date == datetime.date(1979, 2, 1)
