"""Deep pages of the customer list (services/list_blocks.py, migrations 014 and 035), on
PostgreSQL and SQLite: the block counts stay exact through every kind of write, and a page
found through the blocks is exactly the page OFFSET finds."""

import importlib
import random
import re
import threading

import pytest

import database
from models import Customer, Section, db
from services import audit, list_blocks

NAMES = ["Aalto", "Äijälä", "Berg", "Lind", "Nieminen", "Virtanen", "Åström", "Öhman"]


def small_blocks():
    """Blocks of 3 customers (split past 6): a few hundred customers make many blocks."""
    if database.is_sqlite():
        if "customer_list_block_size" in db.get_tables():  # not before migration 035
            db.execute_sql("UPDATE customer_list_block_size SET size = 3")
    else:
        db.execute_sql("SET register.list_block_size = 3")  # on this connection


@pytest.fixture
def pg(db_url, db_kind):
    """The sections, with small blocks (PostgreSQL's only: the tests of its locks)."""
    if db_kind == "sqlite":
        pytest.skip("PostgreSQL's statement triggers and locks")
    yield from _small_blocks_sections()


@pytest.fixture
def blocks(db_url):
    """The sections, with small blocks, on either database."""
    yield from _small_blocks_sections()


def _small_blocks_sections():
    db.connect(reuse_if_open=True)
    small_blocks()
    yield {s.code: s.id for s in Section.select()}
    if database.is_sqlite():
        if "customer_list_block_size" in db.get_tables():
            db.execute_sql("UPDATE customer_list_block_size SET size = 2000")
    else:
        db.execute_sql("RESET register.list_block_size")


def add_customers(sections, count, rng, one_by_one=False):
    """Insert ``count`` customers with names that often tie; return their ids."""
    small_blocks()  # on this connection, whichever
    rows = []
    for _ in range(count):
        name = f"{rng.choice(NAMES)} {rng.choice(['Oy', 'Ab', 'ry'])}"
        rows.append({"section": rng.choice(list(sections.values())), "kind": "company",
                     "name": name, "sort_name": name.lower()})
    if one_by_one:
        return [Customer.insert(**row).execute() for row in rows]
    return [row[0] for row in Customer.insert_many(rows).returning(Customer.id).tuples()]


def offset_page(section_ids, offset, limit, descending=False):
    """The page as ORDER BY … OFFSET finds it: what the blocks must reproduce."""
    query = Customer.select(Customer.id)
    if section_ids is not None:
        query = query.where(Customer.section.in_(section_ids))
    order = (Customer.sort_name.desc(), Customer.id.desc()) if descending else (
        Customer.sort_name, Customer.id)
    return [row.id for row in query.order_by(*order).offset(offset).limit(limit)]


def assert_pages_match(sections):
    scopes = [None, [sections["tourism"]], [sections["business"]],
              [sections["tourism"], sections["business"]]]
    total = Customer.select().count()
    for scope in scopes:
        for limit in (1, 7, 25):
            for offset in list(range(0, total + 3, 5)) + [total - 1, total]:
                for descending in (False, True):
                    assert list_blocks.page_ids(scope, offset, limit, descending) == \
                        offset_page(scope, offset, limit, descending), (scope, offset, limit,
                                                                        descending)


def test_counts_stay_exact_through_inserts_deletes_renames_and_moves(blocks):
    rng = random.Random(14)
    ids = add_customers(blocks, 300, rng)  # one statement: one block splits many times
    ids += add_customers(blocks, 40, rng, one_by_one=True)
    assert list_blocks.check() == []
    sizes = list_blocks.block_sizes()
    assert len(sizes) > 40 and max(sizes) <= 6 and sum(sizes) == 340

    doomed = rng.sample(ids, 90)
    Customer.delete().where(Customer.id.in_(doomed[:60])).execute()
    for customer_id in doomed[60:]:
        Customer.delete().where(Customer.id == customer_id).execute()
    kept = [i for i in ids if i not in set(doomed)]
    assert list_blocks.check() == []

    # A rename moves a customer to another place in the order (maybe another block).
    for customer_id in rng.sample(kept, 30):
        Customer.update(sort_name=f"{rng.choice(NAMES).lower()} uusi").where(
            Customer.id == customer_id).execute()
    Customer.update(sort_name=Customer.sort_name.concat(" x")).where(
        Customer.id.in_(rng.sample(kept, 40))).execute()
    # A move to the other section moves the count, not the place.
    Customer.update(section=blocks["business"]).where(Customer.id.in_(kept[:50])).execute()
    # An update of other columns leaves the counts as they are.
    Customer.update(city="Espoo").where(Customer.id.in_(kept[50:80])).execute()
    assert list_blocks.check() == []
    assert sum(list_blocks.block_sizes()) == Customer.select().count() == 250


def test_names_at_the_far_end_of_unicode_are_counted_and_paged(blocks):
    """A name beginning with the last code point (a script may send one) is still in the
    last block's count when that block splits, and on the right page."""
    rng = random.Random(21)
    add_customers(blocks, 20, rng)
    for n in range(12):
        name = f"\U0010ffff{n % 3} Oy"
        Customer.insert(section=blocks["tourism"], kind="company", name=name,
                        sort_name=name.lower()).execute()
    assert list_blocks.check() == []
    assert_pages_match(blocks)


def test_deep_pages_are_the_offset_pages_in_every_scope_and_direction(blocks):
    rng = random.Random(7)
    ids = add_customers(blocks, 220, rng)
    Customer.delete().where(Customer.id.in_(rng.sample(ids, 40))).execute()
    add_customers(blocks, 30, rng, one_by_one=True)
    assert_pages_match(blocks)


def test_a_failed_write_leaves_the_counts_as_they_were(blocks):
    rng = random.Random(3)
    add_customers(blocks, 50, rng)
    before = list_blocks.block_sizes()
    with pytest.raises(RuntimeError):
        with db.atomic():
            add_customers(blocks, 30, rng)
            raise RuntimeError("the write fails after its inserts")
    assert list_blocks.block_sizes() == before
    assert list_blocks.check() == []


def test_truncate_empties_the_blocks(pg):
    add_customers(pg, 40, random.Random(1))
    db.execute_sql("TRUNCATE customer CASCADE")
    assert list_blocks.block_sizes() == [0]
    add_customers(pg, 20, random.Random(2))
    assert list_blocks.check() == []


def test_the_migration_cuts_the_customers_already_there_into_blocks(blocks):
    undone = []
    while "014_list_blocks" not in undone:  # back to before the blocks, later ones first
        undone += database.downgrade(1)
    add_customers(blocks, 4500, random.Random(5))  # no triggers yet
    database.upgrade()
    sizes = list_blocks.block_sizes()
    assert list_blocks.check() == [] and sum(sizes) == 4500
    # The migration cuts blocks of 2000 (the default size), the first after its start.
    assert sizes == [2000, 2000, 500]
    assert list_blocks.page_ids(None, 4000, 25) == offset_page(None, 4000, 25)


def test_list_screen_pages_deep_through_the_blocks(blocks, client, auth, make_user, monkeypatch):
    monkeypatch.setattr(list_blocks, "DEEP_OFFSET", 25)
    through_blocks = []
    page_ids = list_blocks.page_ids
    monkeypatch.setattr(list_blocks, "page_ids",
                        lambda *args, **kw: through_blocks.append(args) or page_ids(*args, **kw))
    rng = random.Random(11)
    add_customers(blocks, 200, rng)
    make_user("controller", "controller")
    make_user("staff_b", "staff", sections=("business",))
    for username, scope in (("controller", None), ("staff_b", [blocks["business"]])):
        assert auth.login(username).status_code == 302
        # Page 0 pages with OFFSET, the others through the blocks: the same order.
        for page, query in ((0, ""), (1, ""), (2, ""), (1, "&sort=0&desc=1"), (3, "&sort=0")):
            html = client.get(f"/customers/?page={page}{query}").get_data(as_text=True)
            shown = [int(i) for i in re.findall(r'/customers/details/\?[^"]*id=(\d+)"', html)]
            expected = offset_page(scope, page * 25, 25, descending="desc=1" in query)
            assert shown == expected, (username, page, query)
            assert shown
        auth.logout()
    assert len(through_blocks) == 8
    # A filtered or searched list, or another order, pages with OFFSET.
    assert auth.login("controller").status_code == 302
    for query in ("&sort=1", "&search=aalto", "&flt0_0=tourism"):
        assert client.get(f"/customers/?page=1{query}").status_code == 200
    assert len(through_blocks) == 8


def test_a_save_and_a_delete_at_once_take_the_locks_in_one_order(pg):
    """A save writes the customer (the triggers' lock), then its audit event (the head);
    a delete records its audit event first, then deletes. Both take the write lock first,
    so the two wait for each other in turn, never in a cycle (PostgreSQL would break a
    cycle after a second by failing one of them)."""
    doomed = add_customers(pg, 1, random.Random(9))[0]
    inserted, recorded = threading.Event(), threading.Event()
    failures = []

    def in_thread(work):
        def run():
            db.connect(reuse_if_open=True)
            try:
                with db.atomic():
                    work()
            except Exception as error:  # pragma: no cover - the failure under test
                failures.append(error)
            finally:
                db.close()
        return threading.Thread(target=run)

    def save():
        Customer.insert(section=pg["tourism"], kind="company", name="Uusi Oy",
                        sort_name="uusi oy").execute()
        inserted.set()
        recorded.wait(1.0)  # the delete cannot record while this save holds the lock
        audit.record("create", object_type="customer")

    def delete():
        inserted.wait(5)
        audit.record("delete", object_type="customer", object_id=doomed)
        recorded.set()
        Customer.delete().where(Customer.id == doomed).execute()

    threads = [in_thread(save), in_thread(delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert Customer.get_or_none(Customer.id == doomed) is None
    assert Customer.get_or_none(Customer.sort_name == "uusi oy") is not None
    assert list_blocks.check() == []
    assert audit.verify()[0]


def test_the_migration_and_the_code_share_the_write_lock():
    migration = importlib.import_module("migrations.014_list_blocks")
    assert migration.LOCK_KEY == database.WRITE_LOCK_KEY
