"""The address check (seed §7): the postal code table loaded by migration 020, the rule,
the customer form's corrections, the list filter and the `postal-codes update` command —
on SQLite and PostgreSQL."""

import csv
import datetime
import json
import re

import pytest

import database
from admin_views.customers import CustomerView, PostalCheckFilter
from forms.data_rights import check_changes
from models import Address, AuditEvent, Customer, PostalCode, RectificationRequest, Section
from services import demo_data, postal_codes, rectification
from services.customers import refresh_city
from services.errors import RegisterError
from tests.conftest import csrf_token, helsinki_days_ago, user
from tests.test_rectification import approved, key
from tests.test_screens import company_form

PEOPLE = ("staff_t", "staff_b", "handler_t")
MIGRATION = "020_sources_and_postal_codes"


def token(client):
    return csrf_token(client.get("/").get_data(as_text=True))


def shipped():
    return postal_codes.read_file(postal_codes.SHIPPED_FILE)


# --- the table ---------------------------------------------------------------------------


def test_the_migration_loads_the_shipped_table(app):
    table = shipped()
    assert len(table.rows) > 3000 and table.dataset_date == datetime.date(2024, 4, 13)
    assert PostalCode.select().count() == len(table.rows)
    helsinki = PostalCode.get_by_id("00100")
    assert (helsinki.name_fi, helsinki.name_sv) == ("HELSINKI", "HELSINGFORS")
    assert PostalCode.get_by_id("65100").name_sv == "VASA"
    assert postal_codes.dataset_date() == table.dataset_date


def test_the_migration_rolls_back_and_loads_again(app):
    while MIGRATION in database.status()[0]:
        database.downgrade(1)
    columns = {c.name for c in database.db.get_columns("address")}
    assert "postal_code" not in database.db.get_tables() and "checked_on" not in columns
    database.upgrade()
    assert PostalCode.select().count() == len(shipped().rows)
    assert "checked_on" in {c.name for c in database.db.get_columns("address")}


# --- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("code, city, country", [
    ("00100", "Helsinki", "FI"), ("00100", "HELSINGFORS", "FI"), ("00100", " helsingfors ", ""),
    ("65100", "Vasa", "fi"), ("65100", "Vaasa", None), ("96100", "Rovaniemi", "FI"),
    ("", "Mikä tahansa", "FI"), ("11122", "Stockholm", "SE"),
])
def test_a_known_code_with_either_name_passes(app, code, city, country):
    assert postal_codes.check(code, city, country) is None


def test_an_unknown_code_is_named(app):
    problem = postal_codes.check("98765", "Helsinki", "FI")
    assert problem.field == "postal_code" and problem.params == {"code": "98765"}


@pytest.mark.parametrize("city", ["Espoo", "", None, "Helsinkii"])
def test_a_wrong_city_gets_the_right_names(app, city):
    problem = postal_codes.check("00100", city, "FI")
    assert problem.field == "city"
    assert problem.params == {"code": "00100", "names": "HELSINKI / HELSINGFORS"}
    assert postal_codes.check("96100", "Oulu", "FI").params["names"] == "ROVANIEMI"


# --- the customer form -------------------------------------------------------------------


def address(**fields):
    return {f"addresses-0-{name}": value for name, value in fields.items()}


def post_company(client, **extra):
    return client.post("/customers/new/", data=company_form(csrf_token=token(client), **extra))


@pytest.mark.parametrize("code, city", [("00100", "Helsingfors"), ("00100", "helsinki"),
                                        ("65100", "Vaasa"), ("65100", "Vasa"),
                                        ("63700", "ähtäri"), ("02100", "Esbo  ")])
def test_the_form_takes_a_matching_address(client, auth, people, code, city):
    auth.login_as("staff_t")
    r = post_company(client, **address(postal_code=code, city=city))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert Address.get().city == city.strip()
    # The database's mark agrees with the form's check.
    assert postal_codes.failing_addresses().count() == 0


def test_the_form_corrects_a_wrong_city_and_keeps_the_input(client, auth, people):
    auth.login_as("staff_t")
    r = post_company(client, **address(postal_code="00100", city="Espoo"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Postinumeron 00100 postitoimipaikka on HELSINKI / HELSINGFORS" in page
    assert 'value="Espoo"' in page and "Mannerheimintie 1" in page
    assert Customer.select().count() == 0 and Address.select().count() == 0


def test_the_form_refuses_an_unknown_code(client, auth, people):
    auth.login_as("staff_t")
    r = post_company(client, **address(postal_code="98765", city="Helsinki"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Postinumeroa 98765 ei ole postinumerotaulukossa" in page
    assert 'value="98765"' in page and Customer.select().count() == 0


def test_a_reason_keeps_the_value(client, auth, people):
    auth.login_as("staff_t")
    reason = "Uusi postinumero, Posti otti käyttöön 1.12.2026"
    r = post_company(client, **address(postal_code="98765", city="Uusikylä",
                                       postal_check_reason=reason))
    assert r.status_code == 302
    saved = Address.get()
    assert (saved.postal_code, saved.city, saved.postal_check_reason) == ("98765", "Uusikylä",
                                                                          reason)


def test_a_foreign_address_is_not_checked(client, auth, people):
    auth.login_as("staff_t")
    r = post_company(client, **address(postal_code="", city="Stockholm", country="SE"))
    assert r.status_code == 302


def test_a_swedish_error_names_both_languages(client, auth, people):
    auth.login_as("staff_t", language="sv")
    page = post_company(client, **address(postal_code="00100", city="Åbo")).get_data(
        as_text=True)
    assert "Postanstalten för postnummer 00100 är HELSINKI / HELSINGFORS" in page


def old_customer(section="tourism", code="00990", city="Vuosaari", reason=None):
    customer = Customer.create(section=Section.get(code=section), kind="company",
                               name=f"Vanha {section} {city} Oy")
    Address.create(customer=customer, kind="postal", street="Vanhatie 1", postal_code=code,
                   city=city, postal_check_reason=reason)
    refresh_city(customer.id)
    return customer


def edit_form(client, customer):
    page = client.get(f"/customers/edit/?id={customer.id}").get_data(as_text=True)
    address_row = Address.get(Address.customer == customer)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return {"csrf_token": csrf_token(page), "version": version, "kind": "company",
            "name": customer.name, "language": "fi", "informed_how": "",
            **address(id=str(address_row.id), kind="postal", street="Uusitie 2",
                      postal_code=address_row.postal_code, city=address_row.city,
                      country="FI")}


def test_an_unchanged_old_address_is_not_asked_again(client, auth, people):
    customer = old_customer()
    auth.login_as("staff_t")
    r = client.post(f"/customers/edit/?id={customer.id}", data=edit_form(client, customer))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert Address.get().street == "Uusitie 2"
    data = edit_form(client, customer)
    data["addresses-0-city"] = "Nordsjö"
    page = client.post(f"/customers/edit/?id={customer.id}", data=data).get_data(as_text=True)
    assert "Postinumeron 00990 postitoimipaikka on HELSINKI / HELSINGFORS" in page
    assert Address.get().city == "Vuosaari"


# --- the list filter ---------------------------------------------------------------------


def filter_arg(app):
    view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, CustomerView))
    key = next(key for key, (_i, flt) in view._filter_args.items()
               if type(flt) is PostalCheckFilter)
    return f"flt0_{key}"


def test_the_list_shows_the_customers_whose_address_fails(app, client, auth, people):
    failing = old_customer()
    passing = old_customer(code="00990", city="Helsinki")
    kept = old_customer(code="98765", city="Uusikylä", reason="Uusi koodi")
    other_section = old_customer(section="business")
    no_address = Customer.create(section=Section.get(code="tourism"), kind="company",
                                 name="Osoitteeton Oy")
    foreign = old_customer(code="11122", city="Stockholm")
    Address.update(country="SE").where(Address.customer == foreign.id).execute()
    auth.login_as("staff_t")
    page = client.get("/customers/", query_string={filter_arg(app): "fails"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert failing.name in text
    for customer in (passing, kept, other_section, no_address, foreign):
        assert customer.name not in text, customer.name
    # The same rule in SQL as in Python: exactly the failing customers of every section.
    failing_ids = {a.customer_id for a in Address.select().where(
        Address.id.in_(postal_codes.failing_addresses()))}
    assert failing_ids == {failing.id, other_section.id}


def failing_ids():
    return {row.id for row in postal_codes.failing_addresses()}


def test_the_marks_follow_every_write_of_an_address(app):
    customer = old_customer(code="00100", city="Helsinki")
    row = Address.get(Address.customer == customer)
    assert failing_ids() == set()
    Address.update(city="Espoo").where(Address.id == row.id).execute()
    assert failing_ids() == {row.id}
    Address.update(postal_check_reason="Posti vahvisti").where(Address.id == row.id).execute()
    assert failing_ids() == set()
    Address.update(postal_check_reason="  ", country="fi").where(Address.id == row.id).execute()
    assert failing_ids() == {row.id}
    Address.update(country="SE").where(Address.id == row.id).execute()
    assert failing_ids() == set()
    Address.update(country="FI", postal_code="02100").where(Address.id == row.id).execute()
    assert failing_ids() == set()
    Address.update(street="Toinen katu 5", customer=customer.id).where(
        Address.id == row.id).execute()
    assert failing_ids() == set()


def test_the_marks_follow_a_table_update(runner, tmp_path):
    unknown = old_customer(code="98765", city="Uusikylä")
    renamed = old_customer(code="00990", city="Helsinki")
    kept = old_customer(code="00100", city="Helsinki")
    ids = {c: Address.get(Address.customer == c).id for c in (unknown, renamed, kept)}
    assert failing_ids() == {ids[unknown]}
    rows = dict(shipped().rows)
    rows["98765"] = ("UUSIKYLÄ", "NYBY")
    rows["00990"] = ("VUOSAARI", "NORDSJÖ")
    newer = tmp_path / "postal_codes_fi.csv"
    write_csv(newer, rows, "2026-11-30")
    assert runner.invoke(args=["postal-codes", "update", str(newer)]).exit_code == 0
    assert failing_ids() == {ids[renamed]}


def test_the_filter_of_another_section_shows_nothing_of_it(app, client, auth, people):
    other_section = old_customer(section="business")
    auth.login_as("staff_t")
    text = client.get("/customers/", query_string={filter_arg(app): "fails"}).get_data(
        as_text=True)
    assert other_section.name not in text
    auth.login_as("staff_b", switch=True)
    text = client.get("/customers/", query_string={filter_arg(app): "fails"}).get_data(
        as_text=True)
    assert other_section.name in text


# --- the command -------------------------------------------------------------------------


def write_csv(path, rows, day):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name_fi", "name_sv", "dataset_date"])
        for code, (name_fi, name_sv) in sorted(rows.items()):
            writer.writerow([code, name_fi, name_sv, day])


def test_update_reports_added_changed_and_removed(runner, tmp_path):
    rows = dict(shipped().rows)
    del rows["00990"]
    rows["00100"] = ("HELSINKI", "HELSINGFORS CENTRUM")
    rows["98765"] = ("UUSIKYLÄ", "NYBY")
    newer = tmp_path / "postal_codes_fi.csv"
    write_csv(newer, rows, "2026-11-30")
    result = runner.invoke(args=["postal-codes", "update", str(newer)])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 changed, 1 removed" in result.output
    assert PostalCode.get_or_none(PostalCode.code == "00990") is None
    assert PostalCode.get_by_id("00100").name_sv == "HELSINGFORS CENTRUM"
    assert PostalCode.get_by_id("98765").name_fi == "UUSIKYLÄ"
    assert postal_codes.dataset_date() == datetime.date(2026, 11, 30)
    assert PostalCode.select().where(
        PostalCode.dataset_date != datetime.date(2026, 11, 30)).count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "postal_codes_update").count() == 1
    again = runner.invoke(args=["postal-codes", "update", str(newer)])
    assert "0 added, 0 changed, 0 removed" in again.output
    status = runner.invoke(args=["postal-codes", "status"])
    assert f"{len(rows)} postal codes of 2026-11-30" in status.output


def test_update_reads_the_package_json(runner, tmp_path):
    records = [{"date": "20261201", "postcode": code, "postcode_fi_name": fi,
                "postcode_sv_name": sv} for code, (fi, sv) in shipped().rows.items()]
    records.append({"date": "20261201", "postcode": "99998", "postcode_fi_name": "KOEKYLÄ",
                    "postcode_sv_name": "PROVBY"})
    path = tmp_path / "postcodes.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["postal-codes", "update", str(path)])
    assert result.exit_code == 0 and "1 added, 0 changed, 0 removed" in result.output
    assert PostalCode.get_by_id("99998").name_sv == "PROVBY"


def test_update_reads_postis_own_file(runner, tmp_path):
    """Posti's PCF file: fixed-width records in Latin-1, after a header line."""
    rows = dict(shipped().rows, **{"98765": ("KOEKYLÄ", "PROVBY")})
    lines = ["KOOSTE20261201"] + [f"PONOT20261201{code}{fi:<30}{sv:<30}HKI         "
                                  for code, (fi, sv) in sorted(rows.items())]
    path = tmp_path / "PCF_20261201.dat"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    result = runner.invoke(args=["postal-codes", "update", str(path)])
    assert result.exit_code == 0 and "1 added, 0 changed, 0 removed" in result.output
    assert PostalCode.get_by_id("98765").name_fi == "KOEKYLÄ"
    assert postal_codes.dataset_date() == datetime.date(2026, 12, 1)


def test_update_refuses_an_older_or_broken_file(runner, tmp_path):
    older = tmp_path / "old.csv"
    write_csv(older, {"00100": ("HELSINKI", "HELSINGFORS")}, "2020-01-01")
    result = runner.invoke(args=["postal-codes", "update", str(older)])
    assert result.exit_code == 1 and "vanhempi kuin postinumerotaulukon" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text("code,name_fi,name_sv,dataset_date\n1234,X,Y,2027-01-01\n\x00",
                      encoding="utf-8")
    result = runner.invoke(args=["postal-codes", "update", str(broken)])
    assert result.exit_code == 1 and "tietue 1 ei ole postinumero" in result.output
    dated = tmp_path / "dated.csv"
    dated.write_text("code,name_fi,name_sv,dataset_date\n00100,HELSINKI,HELSINGFORS,2027-01-01"
                     "\n00200,HELSINKI,HELSINGFORS,31.12.2027\n", encoding="utf-8")
    result = runner.invoke(args=["postal-codes", "update", str(dated)])
    assert result.exit_code == 1 and "tietue 2 ei ole postinumero" in result.output
    listed = tmp_path / "postcode_map_light.json"
    listed.write_text(json.dumps({"00100": "HELSINKI"}), encoding="utf-8")
    result = runner.invoke(args=["postal-codes", "update", str(listed)])
    assert result.exit_code == 1 and "tietue 1 ei ole postinumero" in result.output
    other = tmp_path / "codes.txt"
    other.write_text("00100 HELSINKI", encoding="utf-8")
    result = runner.invoke(args=["postal-codes", "update", str(other)])
    assert result.exit_code == 1 and "ei ole postinumerotiedosto" in result.output
    assert PostalCode.select().count() == len(shipped().rows)


# --- the demo data -----------------------------------------------------------------------


def test_demo_addresses_pass_the_check_and_record_their_sources(app):
    demo_data.generate(200, seed=3, sections=list(Section.select()))
    assert Address.select().count() > 150
    assert postal_codes.failing_addresses().count() == 0
    for model in (Customer, Address):
        assert model.select().where(model.data_source.is_null()).count() == 0


# --- a rectification request's new address -----------------------------------------------


def test_a_rectified_address_is_checked_too(app, people):
    customer = old_customer(code="00100", city="Helsinki")
    row = Address.get(Address.customer == customer)

    def request(values):
        made = rectification.register(
            customer, actor=user("staff_t"), received_at=helsinki_days_ago(34, 9, 0),
            requester_name="Vanha Oy", description="Osoite muuttunut",
            requested={key(Address, row.id, name): value for name, value in values.items()})
        made = approved(made.id)
        return rectification.apply(made, actor=user("staff_t"), version=made.version,
                                   customer_version=Customer.get_by_id(customer.id).version,
                                   validate=check_changes)

    with pytest.raises(RegisterError) as refused:
        request({"city": "Espoo"})
    assert refused.value.params == {"code": "00100", "names": "HELSINKI / HELSINGFORS"}
    assert Address.get_by_id(row.id).city == "Helsinki"
    request({"postal_code": "02100", "city": "Espoo"})
    assert (Address.get_by_id(row.id).postal_code, Address.get_by_id(row.id).city) == (
        "02100", "Espoo")
    assert RectificationRequest.select().count() == 2


def test_a_file_cut_short_removes_nothing_without_force(runner, tmp_path):
    rows = dict(sorted(shipped().rows.items())[:3])
    cut = tmp_path / "postal_codes_fi.csv"
    write_csv(cut, rows, "2026-11-30")
    result = runner.invoke(args=["postal-codes", "update", str(cut)])
    assert result.exit_code == 1 and "näyttää katkenneelta" in result.output, result.output
    assert PostalCode.select().count() == len(shipped().rows)
    forced = runner.invoke(args=["postal-codes", "update", str(cut), "--force"])
    assert forced.exit_code == 0 and PostalCode.select().count() == 3
