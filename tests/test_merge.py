"""Merging two customers of one section (issue 15): every row naming the merged customer
moves to the one kept — the list of tables derived from the models, a model added later
included — the stricter prohibition wins, the earlier consent and informing stay, a link
naming both is kept once, the chosen values are written, one audit event names both, the
inspection report tells of it; refusals (sections, kinds, holds, stale pages, bad ids)
write nothing, and a failure half-way leaves both customers as they were. SQLite and
PostgreSQL."""

import datetime
import re

import pytest

from models import (
    AuditEvent,
    Customer,
    CustomerMerge,
    Demographics,
    Disclosure,
    DisclosureCustomer,
    DisclosureRecipient,
    InspectionSubject,
    Invoice,
    MarketingConsent,
    Prohibition,
    Section,
    utcnow,
)
from services import (
    categories,
    consent,
    customer_counts,
    customer_rows,
    merge,
    monthly_counts,
    prohibitions,
    report,
    sections,
)
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.merge import merging
from services.versioning import StaleVersion
from tests.conftest import csrf_token, user
# The fixtures of a customer with every field filled, and of a model added to the map.
from tests.test_categories import added, every_category, full_customer  # noqa: F401
from tests.test_report import make_request

pytestmark = pytest.mark.clock

PEOPLE = ("staff_t", "handler_t", "staff_b", "controller", "responsible")


def today():
    return helsinki_today()


def person(section="tourism", **values):
    data = {"first_name": "Pekka", "last_name": "Pohjola", **values}
    return Customer.create(section=Section.get(code=section), kind="person", **data)


def fresh(customer):
    return Customer.get_or_none(Customer.id == customer.id)


def rows_of(customer_id):
    """How many rows of each model referencing Customer name the customer."""
    return {model: model.select().where(field == customer_id).count()
            for model, field in categories.references(Customer)}


def run_merge(survivor, merged, chosen=None, actor="staff_t", **options):
    survivor, merged = fresh(survivor), fresh(merged)
    return merge.merge(survivor, merged, seen_survivor=survivor.version,
                       seen_merged=merged.version, chosen=chosen or {},
                       actor=user(actor), **options)


def page(a, b):
    return f"/customers/merge/?a={a}&b={b}"


def post(client, a, b, **form):
    token = csrf_token(client.get(page(a, b)).get_data(as_text=True))
    return client.post(page(a, b), data={"csrf_token": token, **form})


# --- what moves: every model referencing Customer, derived ------------------------------


def test_every_row_naming_the_merged_customer_moves(every_category, people, added):
    """Both customers hold a row, every field filled, of every model referencing Customer
    (the temporary model ``Vehicle`` and field ``nickname`` of ``added`` included)."""
    first = full_customer(every_category, with_references=True)
    # What is unique in the whole register, renamed before the second is filled alike.
    Invoice.update(number="A-1").where(Invoice.customer == first.id).execute()
    DisclosureRecipient.update(name_fi="A").where(
        DisclosureRecipient.name_fi == "DisclosureRecipient name_fi").execute()
    second = full_customer(every_category, with_references=True)
    before_first, before_second = rows_of(first.id), rows_of(second.id)
    assert added in before_second and before_second[added] == 1
    assert all(before_second.values()), [m.__name__ for m, n in before_second.items() if not n]

    run_merge(first, second)

    after = rows_of(first.id)
    expected = {model: before_first[model] + before_second[model] for model in before_first}
    expected[Demographics] = 1  # one row a customer: the survivor's, with the values chosen
    expected[CustomerMerge] += 1  # and the merge itself
    assert after == expected
    assert set(rows_of(second.id).values()) == {0}
    assert fresh(second) is None
    assert added.get(added.customer == first.id) is not None
    # What the triggers keep counted followed the rows (migrations 036–038).
    assert customer_counts.differences() == monthly_counts.differences() == []
    assert customer_rows.differences() == []


def test_a_model_referencing_customer_is_moved_without_a_change_to_the_merge(app, people,
                                                                             added):
    """The list is read from the models: a model added with a foreign key to Customer moves
    (and were it left out, the survivor would miss its row and the delete would take it)."""
    first, second = person(), person(first_name="Pertti")
    added.create(customer=second, plate="ABC-123")
    assert (added, added.customer) in categories.references(Customer)
    run_merge(first, second)
    assert [v.plate for v in added.select().where(added.customer == first.id)] == ["ABC-123"]


def test_a_field_added_to_the_map_is_offered(app, people, added):
    first, second = person(), person(nickname="Pete")
    first = fresh(first)
    keys = {choice.key for choice in merge.choices(first, fresh(second))}
    assert "nickname" in keys and "name" not in keys and "business_id" not in keys
    run_merge(first, second, chosen={"nickname": merge.MERGED})
    assert fresh(first).nickname == "Pete"


# --- prohibitions, consents, informing --------------------------------------------------


def _prohibit(customer, action, days_ago, purpose="direct_marketing"):
    prohibitions.record(fresh(customer), purpose=purpose, action=action,
                        effective_on=today() - datetime.timedelta(days=days_ago),
                        source="own_word", actor=user("staff_t"))


@pytest.mark.parametrize("kept_side", ["given_side", "withdrawn_side"])
def test_a_prohibition_in_force_on_either_stays_in_force(app, people, kept_side):
    given, withdrawn = person(), person(first_name="Pertti")
    _prohibit(given, "given", 30)
    _prohibit(withdrawn, "given", 20)
    _prohibit(withdrawn, "withdrawn", 5)  # the newest row of the two: a withdrawal
    _prohibit(withdrawn, "given", 10, purpose="market_research")
    _prohibit(withdrawn, "withdrawn", 3, purpose="market_research")
    survivor, other = (given, withdrawn) if kept_side == "given_side" else (withdrawn, given)
    run_merge(survivor, other)
    survivor = fresh(survivor)
    assert prohibitions.is_in_force(survivor, "direct_marketing")
    assert survivor.id in [row.customer_id for row in
                           prohibitions.prohibited_customers("direct_marketing")]
    # Withdrawn on the one that had it, and never given on the other: stays withdrawn.
    assert not prohibitions.is_in_force(survivor, "market_research")
    newest = prohibitions.in_force(survivor)[(None, "direct_marketing")]
    assert newest.effective_on >= today() - datetime.timedelta(days=5)
    # The whole history of both is kept: five rows and the one restating the prohibition.
    assert Prohibition.select().where(Prohibition.customer == survivor.id).count() == 6


def _consent(customer, channel, days_ago):
    return consent.record(fresh(customer), channel=channel,
                          given_on=today() - datetime.timedelta(days=days_ago),
                          given_how="web_form", wording_version=consent.CURRENT_WORDING,
                          actor=user("staff_t"))


def test_the_earlier_consent_stays_in_force_and_the_other_is_history(app, people):
    survivor, other = person(), person(first_name="Pertti")
    later = _consent(survivor, "email", 3)
    earlier = _consent(other, "email", 10)
    sms = _consent(other, "sms", 1)
    run_merge(survivor, other)
    in_force = consent.in_force(fresh(survivor))
    assert {channel: row.id for channel, row in in_force.items()} == \
        {"email": earlier.id, "sms": sms.id}
    closed = MarketingConsent.get_by_id(later.id)
    assert closed.customer_id == survivor.id and closed.withdrawn_at is not None
    assert closed.withdrawn_how is None  # the person withdrew nothing
    assert closed.withdrawn_by_id == user("staff_t").id
    assert len(consent.history(fresh(survivor))) == 3


def test_a_consent_given_before_a_withdrawal_on_the_other_record_is_closed(app, people):
    """What the person said last holds: a consent on one record given before they
    withdrew the channel's consent on the other is not left in force by the merge, while
    a consent given after the withdrawal stays, and a merge's own closing of a duplicate is
    no withdrawal of the person's."""
    survivor, other = person(), person(first_name="Pertti")
    old = _consent(survivor, "email", 30)
    withdrawn = _consent(other, "email", 20)
    consent.withdraw(fresh(other), withdrawn, how="email", actor=user("staff_t"))
    sms_withdrawn = _consent(survivor, "sms", 9)
    consent.withdraw(fresh(survivor), sms_withdrawn, how="email", actor=user("staff_t"))
    sms = _consent(other, "sms", 0)  # given again, after the withdrawal: it holds
    row = run_merge(survivor, other)
    assert set(consent.in_force(fresh(survivor))) == {"sms"}
    closed = MarketingConsent.get_by_id(old.id)
    assert closed.withdrawn_at is not None and closed.withdrawn_how is None
    assert "marketing_consent.withdrawn_at" in row.changed_fields.split()
    assert consent.in_force(fresh(survivor))["sms"].id == sms.id
    # A duplicate a merge closed does not close the next merge's earlier consent.
    first, second, third = person(first_name="A"), person(first_name="B"), person()
    _consent(first, "email", 5)
    _consent(second, "email", 3)
    run_merge(first, second)
    earliest = _consent(third, "email", 40)
    run_merge(first, third)
    assert consent.in_force(fresh(first))["email"].id == earliest.id


def test_a_consent_is_closed_only_by_a_withdrawal_on_the_other_record(app, people):
    """A consent given again after its own record's withdrawal (a form that came late, given
    on a back date after the withdrawal) stays in force when the other record has nothing
    of the channel."""
    survivor, other = person(), person(first_name="Pertti")
    first = _consent(survivor, "email", 30)
    consent.withdraw(fresh(survivor), first, how="email", actor=user("staff_t"),
                     now=utcnow() - datetime.timedelta(days=5))
    again = _consent(survivor, "email", 3)
    run_merge(survivor, other)
    assert consent.in_force(fresh(survivor))["email"].id == again.id


def test_the_earlier_informing_is_kept(app, people):
    now = utcnow()
    survivor = person(informed_at=now - datetime.timedelta(days=1), informed_how="in_person")
    other = person(informed_at=now - datetime.timedelta(days=30), informed_how="email")
    unreached = person(informed_at=now - datetime.timedelta(days=60),
                       informed_how="not_reachable", not_reachable_reason="Ei osoitetta")
    run_merge(survivor, other)
    kept = fresh(survivor)
    assert (kept.informed_how, kept.informed_at) == ("email", other.informed_at)
    # One informed beats one not reached, even earlier.
    run_merge(kept, unreached)
    kept = fresh(survivor)
    assert kept.informed_how == "email" and kept.not_reachable_reason is None


def test_the_data_of_a_category_kept_until_the_purge_is_carried(app, people):
    """A category taken out of the section with its data kept until the purge is not
    offered (the screens show none of it), but the merge loses none of it: the survivor
    keeps its own value and takes the other's where it has none, and the merge says so."""
    business = Section.get(code="business")
    survivor = person("business")
    other = person("business", first_name="Pertti", fax="+35891234567")
    Demographics.create(customer=survivor, profession=None)
    Demographics.create(customer=other, profession="Rehtori")
    kept = [c for c in business.category_set if c not in ("demographics", "fax")]
    sections.save_section(business, {"fi": business.name_fi, "sv": business.name_sv,
                                     "en": business.name_en}, kept, business.version,
                          user("controller"), choice=sections.KEEP)
    offered = {c.key for c in merge.choices(fresh(survivor), fresh(other))}
    assert "fax" not in offered and "demographics.profession" not in offered
    # A choice naming a field not offered is not followed.
    row = run_merge(survivor, other, chosen={"fax": merge.SURVIVOR}, actor="staff_b")
    assert fresh(survivor).fax == "+35891234567"
    assert [d.profession for d in Demographics.select()
            .where(Demographics.customer == survivor.id)] == ["Rehtori"]
    assert {"fax", "demographics.profession"} <= set(row.changed_fields.split())


# --- links named by a unique index ---------------------------------------------------------


def test_a_request_or_disclosure_naming_both_keeps_one_link(app, people):
    survivor, other = person(), person(first_name="Pertti")
    req = make_request(subjects=[("customer", survivor.id), ("customer", other.id)])
    req.delivered_at = utcnow()
    req.save()
    recipient = DisclosureRecipient.create(name_fi="Oikeuspalvelut", name_sv="Rättstjänster",
                                           name_en="Legal services")
    disclosure = Disclosure.create(recipient=recipient, purpose="Laskutus", legal_basis="§8",
                                   state="carried_out", customer_count=2)
    for customer in (survivor, other):
        DisclosureCustomer.create(disclosure=disclosure, customer=customer)
    run_merge(survivor, other)
    assert [s.customer_id for s in InspectionSubject.select()
            .where(InspectionSubject.request == req.id)] == [survivor.id]
    assert [d.customer_id for d in DisclosureCustomer.select()
            .where(DisclosureCustomer.disclosure == disclosure.id)] == [survivor.id]
    assert Disclosure.get_by_id(disclosure.id).customer_count == 2  # what was handed over


# --- holds ---------------------------------------------------------------------------------


def test_a_held_customer_is_not_merged(app, client, auth, people):
    survivor, other = person(), person(first_name="Pertti")
    req = make_request(subjects=[("customer", other.id)])  # not delivered yet
    auth.login_as("staff_t")  # the page says what to finish, in the user's language
    answer = post(client, survivor.id, other.id, survivor="a", version_a=survivor.version,
                  version_b=other.version)
    assert answer.status_code == 200
    assert f"Tarkastuspyyntöä {req.id} ei ole vielä toimitettu" in \
        answer.get_data(as_text=True).replace("&#39;", "'")
    with pytest.raises(merge.Held) as refused:
        run_merge(survivor, other)
    assert f"Inspection request {req.id} has not been delivered yet" in str(refused.value)
    assert fresh(other) is not None and fresh(survivor).version == survivor.version
    req.delivered_at = utcnow()
    req.save()
    run_merge(survivor, other)
    assert fresh(other) is None


# --- the page ------------------------------------------------------------------------------


def test_the_page_merges_with_the_values_chosen(app, client, auth, people):
    first = person(section="business", email="pekka@example.fi", phone="+358911111")
    second = person(section="business", first_name="Pekka Juhani", email="pj@example.fi",
                    mobile="+358401234567")
    Demographics.create(customer=second, profession="Rehtori", education="FM")
    Demographics.create(customer=first, profession="Opettaja")
    auth.login_as("staff_b")
    shown = client.get(page(first.id, second.id))
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    # A radio for each field that differs, the survivor's non-empty value chosen.
    assert 'name="choice-email"' in html and 'name="choice-phone"' in html
    assert re.search(r'id="choice-email-a" value="a" checked', html)
    assert re.search(r'id="choice-mobile-b" value="b" checked', html)  # the survivor's empty
    assert 'name="choice-last_name"' not in html  # the same on both
    assert 'name="choice-name"' not in html  # a company's name: not a person's field
    assert 'name="choice-demographics.profession"' in html
    # The link that keeps the other one shows the page with the two swapped.
    assert f'href="/customers/merge/?a={second.id}&amp;b={first.id}"' in html

    answer = post(client, first.id, second.id, survivor="a", version_a=first.version,
                  version_b=second.version, **{"choice-email": "b", "choice-phone": "a",
                                               "choice-mobile": "b", "choice-first_name": "b",
                                               "choice-demographics.profession": "b",
                                               "choice-demographics.education": "b"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    assert answer.headers["Location"].endswith(f"/customers/details/?id={first.id}")
    kept = fresh(first)
    assert (kept.first_name, kept.email, kept.phone, kept.mobile) == \
        ("Pekka Juhani", "pj@example.fi", "+358911111", "+358401234567")
    assert kept.sort_name == "pohjola, pekka juhani"
    assert [(d.profession, d.education) for d in kept.demographics] == [("Rehtori", "FM")]
    assert fresh(second) is None

    event = AuditEvent.select().where(AuditEvent.action == "merge").get()
    assert (event.object_type, event.object_id, event.section) == \
        ("customer", str(first.id), "business")
    names = event.fields.split(",")
    assert names[0] == f"merged_customer.{second.id}"
    assert set(names[1:]) == {"first_name", "email", "mobile", "demographics.profession",
                              "demographics.education"}
    assert "pj@example.fi" not in event.fields and "Rehtori" not in event.fields
    record = CustomerMerge.get(CustomerMerge.customer == first.id)
    assert record.merged_id == second.id and record.merged_by_id == user("staff_b").id
    assert set(record.changed_fields.split()) == set(names[1:])


@pytest.mark.parametrize("language, label, field", [
    ("fi", None, None), ("sv", None, None), ("en", "Customer entries merged into this one",
                                             "Demographics: Profession")])
def test_the_report_tells_of_the_merge(app, people, language, label, field):
    survivor = person(section="business")
    other = person(section="business", email="toinen@example.fi")
    Demographics.create(customer=other, profession="Rehtori")
    run_merge(survivor, other, chosen={"email": merge.MERGED}, actor="staff_b")
    subject = report.build_report_for(customer_ids=[survivor.id],
                                      language=language)["subjects"][0]
    tables = [table for entry in subject["categories"] for table in entry["tables"]
              if table["model"] == "customer_merge"]
    assert len(tables) == 1 and len(tables[0]["rows"]) == 1
    cells = {cell["name"]: cell for cell in tables[0]["rows"][0]}
    assert cells["merged_id"]["value"] == other.id
    assert set(cells["changed_fields"]["value"]) == {"email", "demographics.profession"}
    if label:
        assert tables[0]["label"] == label
        assert field in cells["changed_fields"]["text"] and "Email" in \
            cells["changed_fields"]["text"]
    else:  # translated: the table and the fields read in the document's language
        assert tables[0]["label"] != "Customer entries merged into this one"
        assert "demographics.profession" not in cells["changed_fields"]["text"]


def test_a_stale_page_is_refused_with_the_input_kept(app, client, auth, people):
    first, second = person(email="a@example.fi"), person(email="b@example.fi")
    auth.login_as("staff_t", language="en")
    token = csrf_token(client.get(page(first.id, second.id)).get_data(as_text=True))
    Customer.update(version=Customer.version + 1, phone="+35891234").where(
        Customer.id == second.id).execute()  # someone saved the other meanwhile
    answer = client.post(page(first.id, second.id), data={
        "csrf_token": token, "survivor": "b", "version_a": first.version,
        "version_b": second.version, "choice-email": "a"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Someone else changed one of these customers" in html
    assert re.search(r'id="survivor-b" value="b" checked', html)
    assert re.search(r'id="choice-email-a" value="a" checked', html)
    assert "+358 9 1234" in html.replace("\u00a0", " ")  # the change, shown
    assert fresh(first) is not None and fresh(second) is not None
    assert not AuditEvent.select().where(AuditEvent.action == "merge").exists()
    with pytest.raises(StaleVersion):
        merge.merge(fresh(first), fresh(second), seen_survivor=first.version,
                    seen_merged=second.version, chosen={}, actor=user("staff_t"))
    # The page goes on with the versions it now shows: sent again, it merges.
    versions = dict(re.findall(r'name="version_(a|b)" value="(\d+)"', html))
    assert versions == {"a": str(first.version), "b": str(second.version + 1)}
    answer = client.post(page(first.id, second.id), data={
        "csrf_token": token, "survivor": "b", "choice-email": "a",
        **{f"version_{side}": version for side, version in versions.items()}})
    assert answer.status_code == 302 and fresh(first) is None
    assert (fresh(second).email, fresh(second).phone) == ("a@example.fi", "+35891234")


def test_who_may_merge(app, client, auth, people, make_user):
    tourism_a, tourism_b = person(), person(first_name="Pertti")
    business = person(section="business")
    for name in ("controller", "responsible"):  # read every section, change none
        auth.login_as(name, switch=True)
        assert client.get(page(tourism_a.id, tourism_b.id)).status_code == 403
        assert client.post(page(tourism_a.id, tourism_b.id)).status_code in (400, 403)
    auth.login_as("staff_b", switch=True)  # another section's
    assert client.get(page(tourism_a.id, tourism_b.id)).status_code == 404
    assert client.get(page(business.id, tourism_b.id)).status_code == 404
    auth.login_as("handler_t", switch=True)
    assert client.get(page(tourism_a.id, tourism_b.id)).status_code == 200
    assert client.get(page(tourism_a.id, business.id)).status_code == 404
    # The customer's page offers it to the section's staff only.
    details = client.get(f"/customers/details/?id={tourism_a.id}").get_data(as_text=True)
    assert 'id="merge-other"' in details
    auth.login_as("controller", switch=True)
    details = client.get(f"/customers/details/?id={tourism_a.id}").get_data(as_text=True)
    assert 'id="merge-other"' not in details


def test_customers_of_two_sections_are_never_merged(app, client, auth, people, make_user):
    tourism, business = person(), person(section="business")
    make_user("molemmat", "staff", ["tourism", "business"])
    auth.login_as("molemmat", language="en")
    shown = client.get(page(tourism.id, business.id))
    assert shown.status_code == 200
    assert "are in different sections" in shown.get_data(as_text=True)
    answer = post(client, tourism.id, business.id, survivor="a", version_a=1, version_b=1)
    assert answer.status_code == 200 and fresh(business) is not None
    # Whoever asks: the service refuses it too.
    with pytest.raises(RegisterError, match="different sections"):
        run_merge(tourism, business, actor="controller")
    company = Customer.create(section=Section.get(code="tourism"), kind="company",
                              name="Pohjola Oy")
    with pytest.raises(RegisterError, match="different kinds"):
        run_merge(tourism, company)
    assert fresh(tourism) and fresh(business) and fresh(company)


@pytest.mark.parametrize("b", ["9" * 20, "abc", "-1", "1.5", "", " "])
def test_bad_ids_never_answer_500(app, client, auth, people, b):
    first = person()
    auth.login_as("staff_t")
    answer = client.get(f"/customers/merge/?a={first.id}&b={b}")
    assert answer.status_code == (200 if b.strip() == "" else 404)
    assert client.get(f"/customers/merge/?a={b}&b={first.id}").status_code == 404


def test_nul_and_the_same_id_twice(app, client, auth, people):
    first = person()
    auth.login_as("staff_t", language="en")
    assert client.get(f"/customers/merge/?a={first.id}&b=1%00").status_code == 400
    same = client.get(page(first.id, first.id))
    assert same.status_code == 200 and "cannot be merged with itself" in \
        same.get_data(as_text=True)
    answer = post(client, first.id, first.id, survivor="a", version_a=1, version_b=1)
    assert answer.status_code == 200 and fresh(first) is not None
    second = person(first_name="Pertti")
    answer = post(client, first.id, second.id, survivor="c", version_a=1, version_b=1)
    assert answer.status_code == 200 and "Choose which customer is kept" in \
        answer.get_data(as_text=True)
    assert fresh(second) is not None


def test_a_failure_half_way_leaves_both_customers_as_they_were(app, people, monkeypatch):
    survivor = person(email="a@example.fi")
    other = person(first_name="Pertti", email="b@example.fi")
    _prohibit(other, "given", 3)
    _consent(other, "email", 2)
    before = (rows_of(survivor.id), rows_of(other.id))

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # After every row has moved, before the survivor is written and the other deleted.
    monkeypatch.setattr(merging, "_keep_prohibitions", fail)
    with pytest.raises(RuntimeError):
        run_merge(survivor, other, chosen={"email": merge.MERGED})
    assert (rows_of(survivor.id), rows_of(other.id)) == before
    assert fresh(other).email == "b@example.fi" and fresh(survivor).email == "a@example.fi"
    assert fresh(survivor).version == survivor.version
    assert not AuditEvent.select().where(AuditEvent.action == "merge").exists()


def test_the_second_customer_can_be_the_one_kept(app, client, auth, people):
    first = person(email="a@example.fi", phone="+35891111")
    second = person(first_name="Pertti", email="b@example.fi")
    auth.login_as("staff_t")
    answer = post(client, first.id, second.id, survivor="b", version_a=first.version,
                  version_b=second.version, **{"choice-email": "a", "choice-first_name": "b",
                                               "choice-phone": "a"})
    assert answer.headers["Location"].endswith(f"/customers/details/?id={second.id}")
    kept = fresh(second)
    assert (kept.first_name, kept.email, kept.phone) == ("Pertti", "a@example.fi", "+35891111")
    assert fresh(first) is None
    assert CustomerMerge.get(CustomerMerge.customer == second.id).merged_id == first.id


def test_a_birth_date_after_the_informing_that_stays_is_refused(app, people):
    """The earlier informing record stays: a birth date chosen from the other record that
    is after it is refused, as the customer form refuses it, and nothing is merged."""
    first = person(birth_date=datetime.date(1950, 1, 1), informed_how="post",
                   informed_at=datetime.datetime(2001, 3, 1, 10))
    second = person(birth_date=datetime.date(2005, 6, 1), informed_how="email",
                    informed_at=datetime.datetime(2026, 1, 1, 10))
    with pytest.raises(RegisterError, match="birth date"):
        run_merge(first, second, chosen={"birth_date": merging.MERGED})
    assert fresh(second) is not None and fresh(first).birth_date == datetime.date(1950, 1, 1)
    run_merge(first, second)  # the survivor's own birth date: merged
    assert fresh(second) is None


def test_the_merge_page_after_the_other_was_merged_elsewhere(app, client, auth, people):
    """Two tabs: B merged into C, then the A+B page sent: a bare 404 said nothing of C."""
    a, b, c = (person(first_name=first) for first in ("Pekka", "Pertti", "Paavo"))
    token = auth.login_as("staff_t", token_from=f"/customers/merge/?a={a.id}&b={b.id}")
    done = client.post(f"/customers/merge/?a={c.id}&b={b.id}", data={
        "csrf_token": token, "survivor": "a", "version_a": c.version, "version_b": b.version})
    assert done.status_code == 302 and fresh(b) is None
    client.get(done.location)
    answer = client.post(f"/customers/merge/?a={a.id}&b={b.id}", data={
        "csrf_token": token, "survivor": "a", "version_a": a.version, "version_b": b.version})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f"(numero {c.id})" in page
    assert fresh(a) is not None and fresh(c) is not None
