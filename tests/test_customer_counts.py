"""The counts of customers kept by triggers (migration 036, services/customer_counts.py):
exact after random writes of every shape, on SQLite and PostgreSQL, and read by the
menu, the front page and the statistics."""

import datetime
import random

import pytest

from models import Customer, Section, db, utcnow
from services import customer_counts, customer_rows, informing, monthly_counts, worklist
from tests.conftest import csrf_token, user
from tests.test_imports import HEADER, good_row, run_import, write_csv

KINDS = ("person", "company", "organisation")
LANGUAGES = ("fi", "sv", "en")
POSTAL_CODES = ("00100", "00170", "00500", "", None)
PEOPLE = ("staff_t", "handler_t", "controller")


def random_values(rng, sections):
    kind = rng.choice(KINDS)
    informed = rng.random() < 0.5
    return {"section": rng.choice(sections), "kind": kind,
            "first_name": "Testi" if kind == "person" else None,
            "last_name": f"Asiakas{rng.randrange(1000)}" if kind == "person" else None,
            "name": None if kind == "person" else f"Yhtiö {rng.randrange(1000)} Oy",
            "language": rng.choice(LANGUAGES), "postal_code": rng.choice(POSTAL_CODES),
            "informed_how": "in_person" if informed else None,
            "informed_at": utcnow() - datetime.timedelta(days=3) if informed else None}


def insert(values):
    customer = Customer(**values)
    customer.refresh_derived()
    return customer


@pytest.mark.parametrize("seed", [1, 2])
def test_the_kept_counts_equal_a_recount_after_random_writes(app, seed):
    rng = random.Random(seed)
    sections = [s.id for s in Section.select()]
    ids = []
    for _ in range(40):
        step = rng.choice(("create", "bulk", "save", "update", "move", "inform", "delete",
                           "bulk_delete", "rolled_back"))
        if step == "create" or not ids:
            customer = insert(random_values(rng, sections))
            customer.save()
            ids.append(customer.id)
        elif step == "bulk":
            rows = [insert(random_values(rng, sections)).__data__
                    for _ in range(rng.randint(2, 9))]
            ids += [row[0] for row in Customer.insert_many(rows).returning(Customer.id).tuples()]
        elif step == "save":
            customer = Customer.get_by_id(rng.choice(ids))
            customer.language = rng.choice(LANGUAGES)
            customer.postal_code = rng.choice(POSTAL_CODES)
            customer.save()
        elif step == "update":
            Customer.update(kind=rng.choice(KINDS), city="Espoo").where(
                Customer.id.in_(rng.sample(ids, min(len(ids), 5)))).execute()
        elif step == "move":
            Customer.update(section=rng.choice(sections)).where(
                Customer.id.in_(rng.sample(ids, min(len(ids), 4)))).execute()
        elif step == "inform":
            Customer.update(informed_how=rng.choice(("post", None)),
                            informed_at=utcnow()).where(
                Customer.id.in_(rng.sample(ids, min(len(ids), 4)))).execute()
        elif step == "delete":
            doomed = ids.pop(rng.randrange(len(ids)))
            Customer.delete().where(Customer.id == doomed).execute()
        elif step == "bulk_delete":
            doomed = set(rng.sample(ids, min(len(ids), 3)))
            Customer.delete().where(Customer.id.in_(list(doomed))).execute()
            ids = [i for i in ids if i not in doomed]
        else:
            with pytest.raises(RuntimeError), db.atomic():
                insert(random_values(rng, sections)).save()
                Customer.update(section=rng.choice(sections)).execute()
                raise RuntimeError("the transaction is rolled back")
        assert customer_counts.differences() == [], step
    assert sum(customer_counts.by_value("kind").values()) == Customer.select().count() > 0


def test_an_import_and_the_screens_keep_the_counts(app, runner, tmp_path, client, auth, people):
    tourism = Section.get(code="tourism").id
    run = run_import(runner, write_csv(tmp_path / "c.csv", [HEADER] + [good_row(i)
                                                                        for i in range(12)]),
                     "--duplicates", "create")
    assert run.accepted == 12
    assert customer_counts.by_value("postal_code", [tourism])[(tourism, "00100")] == 12
    auth.login_as("handler_t")
    doomed = Customer.select(Customer.id).order_by(Customer.id).first().id
    page = client.get(f"/customers/details/?id={doomed}").get_data(as_text=True)
    answer = client.post("/customers/delete/", data={"id": doomed, "csrf_token":
                                                     csrf_token(page)})
    assert answer.status_code == 302
    assert Customer.get_or_none(Customer.id == doomed) is None
    assert customer_counts.by_value("postal_code", [tourism])[(tourism, "00100")] == 11
    assert customer_counts.differences() == []
    assert monthly_counts.differences() == customer_rows.differences() == []


def test_the_menu_front_page_and_statistics_read_the_kept_counts(app, people):
    tourism, business = (Section.get(code=code).id for code in ("tourism", "business"))
    for section, informed in ((tourism, False), (tourism, False), (tourism, True),
                              (business, False)):
        insert({"section": section, "kind": "company", "name": "Oy", "language": "fi",
                "informed_how": "post" if informed else None,
                "informed_at": utcnow() if informed else None}).save()
    assert informing.not_informed_counts(None) == {tourism: 2, business: 1}
    assert informing.not_informed_counts([business]) == {business: 1}
    assert worklist.counts(user("staff_t"))["not_informed"] == 2
    assert worklist.counts(user("controller"))["not_informed"] == 3
    # A count put wrong by hand is what every reader shows: they read the kept counts.
    db.execute_sql("UPDATE customer_count SET customers = 7 WHERE dimension = 'not_informed'"
                   f" AND section_id = {tourism}")
    assert worklist.counts(user("staff_t"))["not_informed"] == 7


def test_recount_says_what_differed_and_puts_it_right(app, runner):
    tourism = Section.get(code="tourism").id
    insert({"section": tourism, "kind": "person", "first_name": "A", "last_name": "B",
            "language": "sv"}).save()
    db.execute_sql("UPDATE customer_count SET customers = 5 WHERE dimension = 'language'")
    result = runner.invoke(args=["statistics", "recount"])
    assert result.exit_code == 1
    assert f"section {tourism} language 'sv': kept 5, counted 1" in result.output
    assert customer_counts.differences() == []
    result = runner.invoke(args=["statistics", "recount"])
    assert result.exit_code == 0 and "every kept count was exact" in result.output
