"""The disclosure register (seed §8, §17): only to allowed recipients, only on the
controller's decision, only the chosen customers and categories; escaped exports; an
audit event per step; the subject's disclosures for the inspection report."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from models import (
    Address,
    AuditEvent,
    ContactPerson,
    Customer,
    Demographics,
    Disclosure,
    DisclosureCustomer,
    DisclosureRecipient,
    Invoice,
    Section,
)
from services import disclosures as rules
from services.errors import RegisterError
from tests.conftest import csrf_token

LEGAL = "Helsingin kaupungin hallintokeskuksen oikeuspalvelut"
PAYABLE = "Taloushallintopalvelu, ostoreskontra"
Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))


def recipient(name_fi):
    return DisclosureRecipient.get(DisclosureRecipient.name_fi == name_fi)


PEOPLE = ("eero", "tuulikki", "susanna", "nyrki", "anna", "ylla")


@pytest.fixture
def data(app, people):
    """Tourism companies with invoices and contact details, a business person, and the
    controller, a tourism handler and a business handler."""
    tourism, business = Section.get(code="tourism"), Section.get(code="business")
    acme = Customer.create(section=tourism, kind="company", name="Äijälän Kahvila Oy",
                           business_id="0737546-2", email="kahvila@example.fi",
                           phone="+358401234567")
    Address.create(customer=acme, street="Mannerheimintie 1", postal_code="00100",
                   city="Helsinki")
    Invoice.create(customer=acme, number="T-100", invoice_date=datetime.date(2026, 2, 1),
                   due_date=datetime.date(2026, 2, 15), amount="120.50")
    Invoice.create(customer=acme, number="T-090", invoice_date=datetime.date(2025, 6, 1),
                   due_date=datetime.date(2025, 6, 15), amount="80.00")
    tricky = Customer.create(section=tourism, kind="company",
                             name='=HYPERLINK("http://evil.example","x")',
                             email="tricky@example.fi")
    Invoice.create(customer=tricky, number="-1+2", invoice_date=datetime.date(2026, 3, 1),
                   due_date=datetime.date(2026, 3, 15), amount="10.00")
    other = Customer.create(section=tourism, kind="company", name="Muu Matkailu Oy",
                            email="muu@example.fi")
    Invoice.create(customer=other, number="T-555", invoice_date=datetime.date(2026, 4, 2),
                   due_date=datetime.date(2026, 4, 16), amount="55.00")
    person = Customer.create(section=business, kind="person", first_name="Anna",
                             last_name="Virtanen", email="anna.virtanen@example.fi")
    Demographics.create(customer=person, profession="Insinööri")
    users = {"controller": people["eero"], "handler": people["tuulikki"],
             "business_handler": people["susanna"], "responsible": people["nyrki"],
             "staff": people["anna"], "maintenance": people["ylla"]}
    return {"acme": acme, "tricky": tricky, "other": other, "person": person, **users}


def approved(data, customers, categories, who="handler", recipient_name=PAYABLE):
    """Prepare a disclosure of ``customers`` and ``categories`` and have it approved."""
    handler = data[who]
    found = rules.prepare(handler, recipient(recipient_name).id, "Ostoreskontra Q1",
                          "Kirjanpitolaki 1336/1997")
    rules.add_customers(handler, found, [c.id for c in customers])
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), categories)
    found = Disclosure.get_by_id(found.id)
    return rules.decide(data["controller"], found, True, version=found.version)


def csv_rows(content):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_cells(content):
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


# --- recipients -------------------------------------------------------------------------


def test_the_two_recipients_of_the_register_description_are_seeded(app):
    rows = rules.recipients()
    assert [(r.name_fi, r.name_sv, r.name_en, r.active) for r in rows] == [
        (LEGAL, "Helsingfors stads förvaltningscentrals rättstjänster",
         "City of Helsinki Legal Services", True),
        (PAYABLE, "Ekonomiförvaltningen, leverantörsreskontra",
         "Financial Administration, accounts payable", True),
    ]


def test_unlisted_or_deactivated_recipient_is_refused(data):
    handler, controller = data["handler"], data["controller"]
    with pytest.raises(RegisterError, match="allowed recipients"):
        rules.prepare(handler, 99999, "Riita-asia", "Suostumus")
    with pytest.raises(RegisterError, match="allowed recipients"):
        rules.prepare(handler, "Mainostoimisto Oy", "Riita-asia", "Suostumus")

    legal = recipient(LEGAL)
    before = rules.prepare(handler, legal.id, "Riita-asia", "Oikeudenkäymiskaari")
    rules.add_customers(handler, before, [data["acme"].id])
    rules.choose_categories(handler, Disclosure.get_by_id(before.id), ["identity"])
    rules.set_recipient_active(controller, legal.id, False)
    with pytest.raises(RegisterError, match="no longer an allowed recipient"):
        rules.prepare(handler, legal.id, "Riita-asia", "Oikeudenkäymiskaari")
    # Prepared before the deactivation: cannot be approved now.
    before = Disclosure.get_by_id(before.id)
    with pytest.raises(RegisterError, match="no longer an allowed recipient"):
        rules.decide(controller, before, True, version=before.version)
    assert Disclosure.get_by_id(before.id).state == "prepared"

    # Approved, then the recipient deactivated: cannot be carried out.
    found = approved(data, [data["acme"]], ["identity"], recipient_name=PAYABLE)
    rules.set_recipient_active(controller, recipient(PAYABLE).id, False)
    with pytest.raises(RegisterError, match="no longer an allowed recipient"):
        rules.carry_out(handler, found, "csv")
    assert Disclosure.get_by_id(found.id).state == "approved"


def test_prepare_page_refuses_an_unlisted_recipient_and_keeps_the_input(client, auth, data):
    auth.login_as(data["handler"].username)
    page = client.get("/disclosures/new/").get_data(as_text=True)
    assert LEGAL in page and PAYABLE in page
    answer = client.post("/disclosures/new/", data={
        "csrf_token": csrf_token(page), "recipient": "99999",
        "purpose": "Tilitarkastus", "legal_basis": "Laki X"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "vastaanottajien luettelossa (rekisteriseloste, kohta 8)" in text
    assert "Tilitarkastus" in text and "Laki X" in text
    assert Disclosure.select().count() == 0

    answer = client.post("/disclosures/new/", data={
        "csrf_token": csrf_token(page), "recipient": "", "purpose": "", "legal_basis": ""})
    text = answer.get_data(as_text=True)
    assert "Valitse vastaanottaja sallittujen vastaanottajien luettelosta." in text
    assert "Kirjoita luovutuksen oikeusperuste." in text


def test_controller_keeps_the_recipients_on_a_page_and_others_read_it(client, auth, data):
    auth.login_as(data["controller"].username)
    page = client.get("/disclosures/recipients/").get_data(as_text=True)
    answer = client.post("/disclosures/recipients/", data={
        "csrf_token": csrf_token(page), "name_fi": "Sisäinen tarkastus", "name_sv": "",
        "name_en": "Internal audit"})
    assert answer.status_code == 303
    added = DisclosureRecipient.get(DisclosureRecipient.name_fi == "Sisäinen tarkastus")
    assert added.active and added.name_sv == "Sisäinen tarkastus"
    # The same name again is refused with the way forward.
    text = client.post("/disclosures/recipients/", data={
        "csrf_token": csrf_token(page), "name_fi": "sisäinen tarkastus"}).get_data(as_text=True)
    assert "on jo luettelossa" in text
    answer = client.post(f"/disclosures/recipients/{added.id}/active/",
                         data={"csrf_token": csrf_token(page), "active": "0"})
    assert answer.status_code == 303
    assert not DisclosureRecipient.get_by_id(added.id).active
    events = [(e.action, e.object_id, e.fields) for e in AuditEvent.select()
              .where(AuditEvent.object_type == "disclosure_recipient").order_by(AuditEvent.id)]
    assert events == [("create", str(added.id), "name_fi,name_sv,name_en"),
                      ("update", str(added.id), "active")]
    auth.logout()

    for who in ("handler", "responsible"):
        auth.login_as(data[who].username)
        page = client.get("/disclosures/recipients/")
        assert page.status_code == 200 and "Sisäinen tarkastus" in page.get_data(as_text=True)
        token = csrf_token(client.get("/").get_data(as_text=True))
        assert client.post("/disclosures/recipients/", data={
            "csrf_token": token, "name_fi": "Joku"}).status_code == 403
        assert client.post(f"/disclosures/recipients/{added.id}/active/", data={
            "csrf_token": token, "active": "1"}).status_code == 403
        auth.logout()
    assert not DisclosureRecipient.get_by_id(added.id).active
    with pytest.raises(rules.NotAllowed):
        rules.add_recipient(data["handler"], "Joku")


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    ("controller", 200), ("responsible", 200), ("handler", 200), ("staff", 403),
    ("maintenance", 403)])
def test_who_may_open_the_disclosure_pages(client, auth, data, who, status):
    found = approved(data, [data["acme"]], ["identity"])
    auth.login_as(data[who].username)
    assert client.get("/disclosures/").status_code == status
    assert client.get("/disclosures/recipients/").status_code == status
    assert client.get(f"/disclosures/{found.id}/").status_code == status
    menu = client.get("/").get_data(as_text=True)
    assert ('href="/disclosures/"' in menu) == (status == 200)
    may_prepare = who in ("controller", "handler")
    assert client.get("/disclosures/new/").status_code == (200 if may_prepare else 403)


@pytest.mark.parametrize("who", ["handler", "responsible", "staff", "maintenance"])
def test_only_the_controller_decides(client, auth, data, who):
    handler = data["handler"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    rules.add_customers(handler, found, [data["acme"].id])
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["billing"])
    found = Disclosure.get_by_id(found.id)
    auth.login_as(data[who].username)
    token = csrf_token(client.get("/").get_data(as_text=True))
    for decision in ("approve", "refuse"):
        answer = client.post(f"/disclosures/{found.id}/decide/", data={
            "csrf_token": token, "decision": decision, "decision-reason": "x",
            "decision-version": found.version})
        assert answer.status_code == 403
    assert Disclosure.get_by_id(found.id).state == "prepared"
    with pytest.raises(rules.NotAllowed):
        rules.decide(data[who], found, True, version=found.version)
    assert Disclosure.get_by_id(found.id).state == "prepared"


def test_the_controller_approves_and_refuses_on_the_page(client, auth, data):
    handler = data["handler"]
    first = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    second = rules.prepare(handler, recipient(LEGAL).id, "Riita", "Laki")
    for found in (first, second):
        rules.add_customers(handler, found, [data["acme"].id])
        rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["billing"])
    auth.login_as(data["controller"].username)
    page = client.get(f"/disclosures/{first.id}/").get_data(as_text=True)
    assert "Hyväksy luovutus" in page and "Äijälän Kahvila Oy" in page
    version = Disclosure.get_by_id(first.id).version
    answer = client.post(f"/disclosures/{first.id}/decide/", data={
        "csrf_token": csrf_token(page), "decision": "approve", "decision-version": version})
    assert answer.status_code == 303
    row = Disclosure.get_by_id(first.id)
    assert row.state == "approved" and row.decided_by_id == data["controller"].id

    # A refusal needs its reason; the page says so and nothing is decided.
    version = Disclosure.get_by_id(second.id).version
    text = client.post(f"/disclosures/{second.id}/decide/", data={
        "csrf_token": csrf_token(page), "decision": "refuse",
        "decision-version": version}).get_data(as_text=True)
    assert "Kirjoita kieltäytymisen perustelu." in text
    assert Disclosure.get_by_id(second.id).state == "prepared"
    answer = client.post(f"/disclosures/{second.id}/decide/", data={
        "csrf_token": csrf_token(page), "decision": "refuse", "decision-reason": "Ei tarvetta",
        "decision-version": version})
    assert answer.status_code == 303
    row = Disclosure.get_by_id(second.id)
    assert row.state == "refused" and row.decision_reason == "Ei tarvetta"


def test_a_change_after_the_controller_looked_makes_the_decision_stale(data):
    handler, controller = data["handler"], data["controller"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    rules.add_customers(handler, found, [data["acme"].id])
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["billing"])
    seen = Disclosure.get_by_id(found.id).version
    rules.add_customers(handler, found, [data["other"].id])  # after the controller looked
    with pytest.raises(RegisterError, match="changed this disclosure meanwhile"):
        rules.decide(controller, Disclosure.get_by_id(found.id), True, version=seen)
    assert Disclosure.get_by_id(found.id).state == "prepared"
    # Once decided, its customers and categories are fixed.
    current = Disclosure.get_by_id(found.id)
    rules.decide(controller, current, True, version=current.version)
    with pytest.raises(RegisterError, match="already been decided"):
        rules.add_customers(handler, Disclosure.get_by_id(found.id), [data["tricky"].id])
    assert rules.customer_count(found) == 2


def test_a_handler_chooses_only_customers_of_own_sections(data):
    business_handler = data["business_handler"]
    found = rules.prepare(business_handler, recipient(LEGAL).id, "Riita", "Laki")
    added = rules.add_customers(business_handler, found,
                                [data["acme"].id, data["person"].id])
    assert added == 1
    assert [c.id for c in rules.customers_of(found, data["controller"])] == [data["person"].id]
    result = rules.add_customers_by_list(business_handler, found, "0737546-2\n99999")
    assert result.added == 0 and result.unmatched == ("0737546-2", "99999")
    # A number written with leading zeros is the customer's and is not reported unmatched.
    fresh = rules.prepare(business_handler, recipient(LEGAL).id, "Riita", "Laki")
    result = rules.add_customers_by_list(business_handler, fresh, f"00{data['person'].id}")
    assert result.added == 1 and result.unmatched == ()
    assert rules.find_customers(business_handler, "Äijälän") == []
    assert [c.id for c in rules.find_customers(data["controller"], "äijälän")] == [
        data["acme"].id]
    # The tourism handler cannot open a disclosure of a business customer made by another,
    # nor change or carry it out.
    assert rules.get_visible(data["handler"], found.id) is None
    with pytest.raises(rules.NotAllowed):
        rules.add_customers(data["handler"], found, [data["acme"].id])
    rules.choose_categories(business_handler, found, ["identity"])
    current = Disclosure.get_by_id(found.id)
    rules.decide(data["controller"], current, True, version=current.version)
    with pytest.raises(rules.NotAllowed):
        rules.carry_out(data["handler"], Disclosure.get_by_id(found.id), "csv")
    assert rules.customer_count(found) == 1
    assert Disclosure.get_by_id(found.id).state == "approved"
    assert rules.get_visible(business_handler, found.id) is not None
    assert rules.get_visible(data["responsible"], found.id) is not None


def test_a_handler_gets_404_for_a_disclosure_of_another_section(client, auth, data):
    found = approved(data, [data["person"]], ["identity"], who="controller")
    auth.login_as(data["handler"].username)
    assert client.get(f"/disclosures/{found.id}/").status_code == 404
    assert client.get("/disclosures/abc/").status_code == 404
    assert client.get("/disclosures/99999999999999999999999/").status_code == 404
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post(f"/disclosures/{found.id}/export/",
                       data={"csrf_token": token, "format": "csv"}).status_code == 404


# --- choosing customers and categories ----------------------------------------------------


@pytest.mark.clock
def test_customers_with_invoices_in_a_period_and_only_their_invoices(data):
    handler = data["handler"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra Q1", "Kirjanpitolaki")
    assert rules.add_customers_with_invoices(handler, found, *Q1) == 2
    assert {c.id for c in rules.customers_of(found, handler)} == {data["acme"].id,
                                                                 data["tricky"].id}
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["billing"])
    found = Disclosure.get_by_id(found.id)
    rules.decide(data["controller"], found, True, version=found.version)
    content = rules.carry_out(handler, Disclosure.get_by_id(found.id), "csv").content
    text = content.decode("utf-8")
    assert "T-100" in text and "-1+2" in text
    assert "T-090" not in text  # invoiced in 2025, outside the period
    assert "T-555" not in text  # another customer, invoiced in April


def test_only_categories_the_customers_sections_hold_can_be_chosen(data):
    controller = data["controller"]
    found = rules.prepare(controller, recipient(LEGAL).id, "Riita", "Laki")
    with pytest.raises(RegisterError, match="customers first"):
        rules.choose_categories(controller, found, ["identity"])
    rules.add_customers(controller, found, [data["person"].id])  # business: no billing
    assert "billing" not in rules.available_categories(found)
    assert "demographics" in rules.available_categories(found)
    result = rules.choose_categories(controller, Disclosure.get_by_id(found.id),
                                     ["identity", "billing", "demographics"])
    assert result.kept == ("identity", "demographics") and result.dropped == ("billing",)
    assert Disclosure.get_by_id(found.id).category_list == ["identity", "demographics"]


def test_the_page_says_which_categories_were_left_out(client, auth, data):
    controller = data["controller"]
    found = rules.prepare(controller, recipient(LEGAL).id, "Riita", "Laki")
    rules.add_customers(controller, found, [data["person"].id])
    auth.login_as(controller.username)
    page = client.get(f"/disclosures/{found.id}/").get_data(as_text=True)
    assert 'value="demographics"' in page and 'value="billing"' not in page
    answer = client.post(f"/disclosures/{found.id}/categories/", data={
        "csrf_token": csrf_token(page), "category": ["identity", "billing"]},
        follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "joten ne jätettiin pois: Laskutus ja perintä" in text
    assert Disclosure.get_by_id(found.id).category_list == ["identity"]


# --- carrying out ---------------------------------------------------------------------------


def test_export_is_refused_before_the_decision_and_after_a_refusal(client, auth, data):
    handler, controller = data["handler"], data["controller"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    rules.add_customers(handler, found, [data["acme"].id])
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["identity", "billing"])
    with pytest.raises(RegisterError, match="not decided"):
        rules.carry_out(handler, Disclosure.get_by_id(found.id), "csv")

    auth.login_as(handler.username)
    page = client.get(f"/disclosures/{found.id}/").get_data(as_text=True)
    answer = client.post(f"/disclosures/{found.id}/export/",
                         data={"csrf_token": csrf_token(page), "format": "csv"})
    text = answer.get_data(as_text=True)
    assert "attachment" not in answer.headers.get("Content-Disposition", "")
    assert "ei ole vielä päättänyt" in text and "T-100" not in text

    current = Disclosure.get_by_id(found.id)
    rules.decide(controller, current, False, "Ei tarpeen", version=current.version)
    answer = client.post(f"/disclosures/{found.id}/export/",
                         data={"csrf_token": csrf_token(page), "format": "xlsx"})
    assert "attachment" not in answer.headers.get("Content-Disposition", "")
    assert "kieltäytyi" in answer.get_data(as_text=True)
    with pytest.raises(RegisterError, match="refused"):
        rules.carry_out(handler, Disclosure.get_by_id(found.id), "xlsx")
    row = Disclosure.get_by_id(found.id)
    assert row.state == "refused" and row.carried_out_at is None
    assert not AuditEvent.select().where((AuditEvent.object_type == "disclosure")
                                         & (AuditEvent.action == "export")).exists()


def test_export_holds_only_the_chosen_categories_and_customers(client, auth, data):
    acme, other = data["acme"], data["other"]
    found = approved(data, [acme], ["identity", "billing"])
    auth.login_as(data["handler"].username)
    page = client.get(f"/disclosures/{found.id}/").get_data(as_text=True)
    answer = client.post(f"/disclosures/{found.id}/export/",
                         data={"csrf_token": csrf_token(page), "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    text = answer.get_data().decode("utf-8")
    rows = csv_rows(answer.get_data())
    headers = [r for r in rows if r and r[0] == "Asiakasnumero"]
    assert headers == [
        ["Asiakasnumero", "Etunimet", "Sukunimi", "Yrityksen tai yhteisön nimi"],
        ["Asiakasnumero", "Laskun numero", "Laskun päiväys", "Eräpäivä", "Summa (EUR)",
         "Maksupäivä", "Perintä"],
    ]
    assert [str(acme.id), "", "", "Äijälän Kahvila Oy"] in rows
    assert [str(acme.id), "T-100", "2026-02-01", "2026-02-15", "120,50", "", "avoin"] in rows
    assert ["Vastaanottaja", PAYABLE] in rows and ["Tietoryhmät", "Nimi, Laskutus ja perintä"] in rows
    # Not chosen: email, phone, address; not included: the other customers.
    for absent in (acme.email, acme.phone, "Mannerheimintie", "00100", "0737546-2",
                   other.name, "T-555", data["tricky"].email, "Anna"):
        assert absent not in text, absent
    row = Disclosure.get_by_id(found.id)
    assert row.state == "carried_out" and row.carried_out_by_id == data["handler"].id
    assert row.carried_out_at is not None and row.customer_count == 1

    # Once: a second download is refused and said so.
    answer = client.post(f"/disclosures/{found.id}/export/",
                         data={"csrf_token": csrf_token(page), "format": "csv"})
    assert "attachment" not in answer.headers.get("Content-Disposition", "")
    assert "on jo toteutettu" in answer.get_data(as_text=True)


def test_xlsx_export_holds_only_the_chosen_categories(client, auth, data):
    acme = data["acme"]
    found = approved(data, [acme, data["person"]], ["email"], who="controller")
    auth.login_as(data["controller"].username)
    page = client.get(f"/disclosures/{found.id}/").get_data(as_text=True)
    answer = client.post(f"/disclosures/{found.id}/export/",
                         data={"csrf_token": csrf_token(page), "format": "xlsx"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    sheets = xlsx_cells(answer.get_data())
    everything = " ".join(str(v) for rows in sheets.values() for row in rows for v in row)
    assert acme.email in everything and data["person"].email in everything
    for absent in (acme.name, "Virtanen", "T-100", acme.phone, "Insinööri",
                   data["other"].email):
        assert absent not in everything, absent
    customers = next(rows for title, rows in sheets.items() if "Asiakkaat" in title)
    assert customers[0] == ["Asiakasnumero", "Sähköposti"]
    assert [acme.id, acme.email] in customers
    cover = next(iter(sheets.values()))
    assert ["Vastaanottaja", PAYABLE] in cover and ["Tietoryhmät", "Sähköposti"] in cover


def test_a_field_added_later_is_disclosed_by_its_category(data, monkeypatch):
    """The data set walks the field map: a new field of a chosen category goes with it."""
    import models

    found = approved(data, [data["acme"]], ["billing"])
    monkeypatch.setitem(models.FIELD_CATEGORIES[Customer], "business_id", "billing")
    tables = rules.data_set(found)
    customer_table = next(t for t in tables if t.model is Customer)
    assert [f.name for f in customer_table.fields] == ["business_id"]
    assert customer_table.rows == [(data["acme"].id, "0737546-2")]


def test_a_handler_chooses_among_the_categories_of_own_sections_customers(data):
    """The controller added a business customer to a tourism handler's disclosure: the
    handler is offered and may choose only what tourism holds (not the business section's
    demographics); the controller chooses among both."""
    handler, controller = data["handler"], data["controller"]
    found = rules.prepare(handler, recipient(LEGAL).id, "Riita", "Laki")
    rules.add_customers(handler, found, [data["acme"].id])
    rules.add_customers(controller, found, [data["person"].id])
    assert "demographics" not in rules.available_categories(found, handler)
    assert "demographics" in rules.available_categories(found, controller)
    choice = rules.choose_categories(handler, Disclosure.get_by_id(found.id),
                                     ["identity", "email", "demographics"])
    assert choice.kept == ("identity", "email") and choice.dropped == ("demographics",)
    choice = rules.choose_categories(controller, Disclosure.get_by_id(found.id),
                                     ["identity", "demographics"])
    assert choice.kept == ("identity", "demographics")


def test_register_entries_hand_over_no_rectification_prohibition_or_consent(data):
    """"Register entries" are the entries of the customer and its rows; the register's own
    records of the person's rights hold other categories' values in their text (a
    rectification's email before and after, a note) and are not handed over."""
    from models import MarketingConsent, Prohibition, RectificationRequest
    person = data["person"]
    RectificationRequest.create(
        customer=person, received_at=datetime.datetime(2026, 1, 5, 10),
        requester_name="Anna Virtanen", description="Vaihda sähköposti",
        requested='{"email": "uusi.salainen@example.fi"}',
        before='{"email": "vanha.salainen@example.fi"}',
        after='{"email": "uusi.salainen@example.fi"}')
    Prohibition.create(customer=person, purpose="direct_marketing", action="given",
                       effective_on=datetime.date(2026, 1, 5), source="letter",
                       note="puhelin 040 111 2222")
    MarketingConsent.create(customer=person, channel="email", given_on=datetime.date(2026, 1, 2),
                            given_how="form", wording_version=1)
    found = approved(data, [person], ["identity", "record"], who="business_handler",
                     recipient_name=LEGAL)
    tables = rules.data_set(found)
    handed = {t.model for t in tables}
    assert Customer in handed
    assert not handed & {RectificationRequest, Prohibition, MarketingConsent}
    content = rules.to_csv(tables).decode("utf-8-sig")
    assert "salainen" not in content and "040 111" not in content and "Virtanen" in content


def test_register_entries_hand_over_no_note_and_no_row_of_a_category_not_chosen(data):
    """A note is free text of any content ("on sick leave for three months"); a contact
    person's entries told there were contact persons though they were not chosen."""
    acme = data["acme"]
    Customer.update(not_reachable_reason="Jäi eläkkeelle, puh 0401234567",
                    data_source_note="Saatu Pekka Puupään kautta").where(
        Customer.id == acme.id).execute()
    ContactPerson.create(customer=acme, first_name="Pirkko", last_name="P",
                         data_source_note="Sairauslomalla 3 kk",
                         informed_at=datetime.datetime(2026, 1, 2, 10), informed_how="email")
    tables = rules.data_set(approved(data, [acme], ["identity", "record"]))
    assert ContactPerson not in {t.model for t in tables}
    content = rules.to_csv(tables).decode("utf-8-sig")
    assert "eläkkeelle" not in content and "Puupää" not in content
    assert "Sairauslomalla" not in content and "Äijälän Kahvila Oy" in content
    with_people = rules.data_set(approved(data, [acme], ["identity", "record",
                                                         "contact_persons"]))
    content = rules.to_csv(with_people).decode("utf-8-sig")
    assert "Pirkko" in content and "Sairauslomalla" not in content


@pytest.mark.parametrize("purpose", ["Suoramarkkinointi", "Markkinatutkimus 2027",
                                     "Direktmarknadsföring", "Opinion research",
                                     "Tapahtuman markkinointikampanja"])
def test_no_disclosure_is_prepared_for_marketing_or_research(data, purpose):
    """Seed §16: nothing is disclosed for direct marketing nor for market or opinion
    research."""
    with pytest.raises(RegisterError, match="marketing"):
        rules.prepare(data["handler"], recipient(LEGAL).id, purpose, "Suostumus")
    assert Disclosure.select().count() == 0


def test_formula_cells_are_escaped_in_csv_and_xlsx(data):
    tricky = data["tricky"]
    found = approved(data, [tricky], ["identity", "billing", "email"])
    tables = rules.data_set(found)
    rows = csv_rows(rules.to_csv(tables))
    assert [str(tricky.id), "", "", "'" + tricky.name, tricky.email] in rows
    assert any(r[:2] == [str(tricky.id), "'-1+2"] for r in rows)
    cells = [c for rows in xlsx_cells(rules.to_xlsx(tables)).values() for row in rows
             for c in row]
    assert "'" + tricky.name in cells and "'-1+2" in cells
    assert tricky.name not in cells and "-1+2" not in cells
    assert rules.safe_cell("@SUM(A1)") == "'@SUM(A1)" and rules.safe_cell("+358") == "'+358"
    assert rules.safe_cell("Oy Ab") == "Oy Ab"
    # A header or cover text is escaped too.
    labels = rules.ExportLabels(cover_title="=cover", cover=(("=label", "-text"),))
    assert csv_rows(rules.to_csv(tables, labels))[:2] == [["'=cover"], ["'=label", "'-text"]]


# --- the audit log ---------------------------------------------------------------------------


def test_each_step_is_an_audit_event(data):
    handler, controller = data["handler"], data["controller"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    rules.add_customers(handler, found, [data["acme"].id])
    rules.add_customers_with_invoices(handler, found, *Q1)
    rules.choose_categories(handler, Disclosure.get_by_id(found.id), ["identity", "billing"])
    current = Disclosure.get_by_id(found.id)
    rules.decide(controller, current, True, version=current.version)
    rules.carry_out(handler, Disclosure.get_by_id(found.id), "xlsx")
    events = [(e.action, e.actor, e.fields) for e in AuditEvent.select()
              .where((AuditEvent.object_type == "disclosure")
                     & (AuditEvent.object_id == str(found.id)))
              .order_by(AuditEvent.id)]
    h, c = handler.pseudonym, controller.pseudonym
    assert events == [
        ("create", h, "recipient,purpose,legal_basis"),
        ("update", h, "customers"),
        ("update", h, "customers,invoices_from,invoices_until"),
        ("update", h, "categories"),
        ("decide", c, "state,decision_reason,decided_by,decided_at"),
        ("export", h, "identity,billing"),
    ]


def test_a_failed_step_leaves_no_audit_event_and_no_change(data):
    handler = data["handler"]
    found = rules.prepare(handler, recipient(PAYABLE).id, "Ostoreskontra", "Kirjanpitolaki")
    before = AuditEvent.select().count()
    with pytest.raises(RegisterError):
        rules.choose_categories(handler, found, ["billing"])  # no customers yet
    with pytest.raises(RegisterError):
        rules.remove_customers(handler, found, [])
    assert AuditEvent.select().count() == before
    assert Disclosure.get_by_id(found.id).version == found.version


# --- the subject's disclosures (inspection report) ----------------------------------------


def test_disclosures_of_returns_the_subjects_disclosures_only(data):
    acme, other, person = data["acme"], data["other"], data["person"]
    done = approved(data, [acme], ["identity", "billing"])
    rules.carry_out(data["handler"], done, "csv")
    pending = approved(data, [acme, person], ["identity"], who="controller",
                       recipient_name=LEGAL)
    refused = rules.prepare(data["handler"], recipient(LEGAL).id, "Ei", "Ei")
    rules.add_customers(data["handler"], refused, [other.id])
    rules.choose_categories(data["handler"], Disclosure.get_by_id(refused.id), ["identity"])
    current = Disclosure.get_by_id(refused.id)
    rules.decide(data["controller"], current, False, "Ei perustetta", version=current.version)

    found = rules.disclosures_of([acme.id, other.id, person.id], language="sv")
    assert [d["id"] for d in found[acme.id]] == [done.id, pending.id]
    first = found[acme.id][0]
    assert first["recipient"] == "Ekonomiförvaltningen, leverantörsreskontra"
    assert first["purpose"] == "Ostoreskontra Q1"
    assert first["legal_basis"] == "Kirjanpitolaki 1336/1997"
    assert first["categories"] == ["identity", "billing"]
    assert first["carried_out_at"] is not None
    assert found[acme.id][1]["carried_out_at"] is None  # approved, not yet handed over
    assert [d["id"] for d in found[person.id]] == [pending.id]
    assert found[other.id] == []  # refused: nothing was disclosed
    assert rules.disclosures_of([]) == {}


def test_a_customer_deleted_later_leaves_the_disclosure_record(data):
    acme, tricky = data["acme"], data["tricky"]
    found = approved(data, [acme, tricky], ["identity"])
    rules.carry_out(data["handler"], found, "csv")
    Invoice.delete().where(Invoice.customer == acme.id).execute()
    Address.delete().where(Address.customer == acme.id).execute()
    # As the retention purge deletes a customer: the database cascades the link row.
    Customer.delete().where(Customer.id == acme.id).execute()
    assert not DisclosureCustomer.select().where(DisclosureCustomer.customer == acme.id).exists()
    row = Disclosure.get_by_id(found.id)
    assert row.state == "carried_out" and row.customer_count == 2
    assert rules.customer_count(row) == 1
    assert [d["id"] for d in rules.disclosures_of([tricky.id])[tricky.id]] == [found.id]


# --- the whole flow through the pages -------------------------------------------------------


def test_prepare_choose_decide_and_carry_out_on_the_pages(client, auth, data):
    auth.login_as(data["handler"].username)
    page = client.get("/disclosures/new/").get_data(as_text=True)
    answer = client.post("/disclosures/new/", data={
        "csrf_token": csrf_token(page), "recipient": str(recipient(PAYABLE).id),
        "purpose": "Ostoreskontra Q1", "legal_basis": "Kirjanpitolaki 1336/1997"})
    assert answer.status_code == 302
    found = Disclosure.get()
    url = f"/disclosures/{found.id}/"

    page = client.get(url + "?q=äijälän").get_data(as_text=True)
    assert "Äijälän Kahvila Oy" in page and 'id="found-' in page
    token = csrf_token(page)
    assert client.post(url + "customers/", data={
        "csrf_token": token, "action": "add", "customer": str(data["acme"].id)}
    ).status_code == 303
    text = client.post(url + "customers/", data={
        "csrf_token": token, "action": "list", "list-numbers": f"{data['tricky'].id}\n9999999"}
    ).get_data(as_text=True)
    assert "9999999" in text and "jätettiin pois" in text
    assert 'name="list-numbers"' in text  # the list stays in the form
    text = client.post(url + "customers/", data={
        "csrf_token": token, "action": "invoices", "period-first_day": "2026-13-01",
        "period-last_day": ""}).get_data(as_text=True)
    assert "Anna ensimmäinen päivä päivämääränä" in text
    assert client.post(url + "categories/", data={
        "csrf_token": token, "category": ["identity", "billing"]}).status_code == 303
    assert {c.id for c in rules.customers_of(found, data["controller"])} == {
        data["acme"].id, data["tricky"].id}
    page = client.get(url).get_data(as_text=True)
    assert "Odottaa rekisterinpitäjän päätöstä." in page
    assert "Hyväksy luovutus" not in page
    auth.logout()

    auth.login_as(data["controller"].username)
    page = client.get("/disclosures/").get_data(as_text=True)
    assert f'href="{url}"' in page and PAYABLE in page
    page = client.get(url).get_data(as_text=True)
    version = Disclosure.get_by_id(found.id).version
    assert client.post(url + "decide/", data={
        "csrf_token": csrf_token(page), "decision": "approve",
        "decision-version": str(version)}).status_code == 303
    auth.logout()

    auth.login_as(data["handler"].username)
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url + "export/", data={"csrf_token": csrf_token(page),
                                                "format": "xlsx"})
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    sheets = xlsx_cells(answer.get_data())
    everything = " ".join(str(v) for rows in sheets.values() for row in rows for v in row)
    assert "T-100" in everything and "Äijälän Kahvila Oy" in everything
    assert "kahvila@example.fi" not in everything
    page = client.get(url).get_data(as_text=True)
    assert "Toteutettu" in page
