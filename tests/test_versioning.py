"""Optimistic locking (``services/versioning.py``): two writers of one row, on both
databases, and a scan of the source that fails when a version is compared or moved on
anywhere but there."""

import io
import pathlib
import re
import threading
import tokenize

import pytest

from database import write_transaction
from models import Customer, Section, db
from services.versioning import (
    UNCHECKED,
    StaleVersion,
    check_version,
    next_version,
    versioned_update,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
HELPER = ROOT / "services" / "versioning.py"

# ``GuidanceAcknowledgement.version`` is a foreign key to a published guidance version,
# not a row's version: comparing it is a join, not a lock.
NOT_A_ROW_VERSION = re.compile(r"GuidanceAcknowledgement\.version\b")
# Comparing a version (``row.version != seen``, ``Model.version == expected``) or moving
# it on (``Model.version + 1``).
VERSION_LOGIC = re.compile(
    r"\bversion\s*\+|\bversion\s*[!=]=|[!=]=\s*[\w.()]*\bversion\b"
)
from tests.sources import source_files


def _code_lines(text):
    """Return the lines of ``text`` with its comments and strings blanked out."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    code = list(text)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING):
            begin = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            code[begin:end] = [c if c == "\n" else " " for c in code[begin:end]]
    return "".join(code).splitlines()


def version_logic(text):
    """Return the lines of ``text`` that compare a row's version or move it on."""
    return [(number, code.strip()) for number, code in enumerate(_code_lines(text), 1)
            if VERSION_LOGIC.search(NOT_A_ROW_VERSION.sub("", code))]


def _source_files():
    return [path for path in source_files() if path != HELPER]


@pytest.mark.parametrize("code", [
    "changes[InspectionRequest.version] = InspectionRequest.version + 1",
    "updates = {Customer.version: Customer.version+1, Customer.updated_at: now}",
    ".where((self.model.id == model.id) & (self.model.version == expected))",
    "if version != request.version:",
    "if customer.version != expected:",
    "if expected == row.version:",
    "condition &= Disclosure.version == version",
])
def test_the_scan_finds_a_copied_version_check(code):
    assert version_logic(code + "\n")


@pytest.mark.parametrize("code", [
    ".where((GuidanceAcknowledgement.version == GuidanceVersion.id))",
    "form = Form(prefix='x', version=found.version)",
    '"""Every change is one conditional ``UPDATE … WHERE version = ?``."""',
    "# if version != request.version: raise",
    "version = HiddenField()",
])
def test_the_scan_leaves_other_uses_of_the_word(code):
    assert version_logic(code + "\n") == []


def test_versions_are_compared_and_moved_only_in_the_helper():
    found = [f"{path.relative_to(ROOT)}:{number}: {code}"
             for path in _source_files()
             for number, code in version_logic(path.read_text(encoding="utf-8"))]
    assert len(_source_files()) > 20
    assert found == [], ("compare or move a version with services/versioning.py "
                         "(versioned_update, check_version, next_version):\n" + "\n".join(found))


def test_only_the_helper_defines_the_stale_error():
    pattern = re.compile(r"class \w*Stale\w*\(|def _stale\b")
    copies = [str(path.relative_to(ROOT)) for path in _source_files()
              if pattern.search(path.read_text(encoding="utf-8"))]
    assert copies == []


# --- the helper on both databases -------------------------------------------------------


@pytest.fixture
def customer(db_url):
    return Customer.create(section=Section.get(code="tourism"), kind="person",
                           first_name="Aino", last_name="Aalto")


def stored(customer):
    return Customer.get_by_id(customer.id)


def test_second_of_two_writers_who_saw_one_version_is_refused(customer):
    first, second = stored(customer), stored(customer)
    assert (first.version, second.version) == (1, 1)
    with write_transaction():
        assert versioned_update(first, {"last_name": "Virtanen"}, seen=first.version) == 2
    with pytest.raises(StaleVersion) as refused:
        with write_transaction():
            versioned_update(second, {Customer.last_name: "Nieminen"}, seen=second.version,
                             stale="Too late: %(who)s")
    assert refused.value.message == "Too late: %(who)s"
    now = stored(customer)
    assert (now.last_name, now.version) == ("Virtanen", 2)
    assert second.last_name == "Aalto" and second.version == 1  # memory is left as it was


@pytest.mark.parametrize("seen", [None, "", "abc", "0", "-1", "1.0", "9" * 20, 2])
def test_a_version_that_is_not_the_row_writes_nothing(customer, seen):
    with pytest.raises(StaleVersion) as refused:
        versioned_update(customer, {"last_name": "Virtanen"}, seen=seen)
    assert "reload the page" in refused.value.message
    now = stored(customer)
    assert (now.last_name, now.version) == ("Aalto", 1)


def test_posted_text_of_the_current_version_writes(customer):
    assert versioned_update(customer, {"last_name": "Virtanen"}, seen=" 1 ") == 2
    assert versioned_update(customer, {"last_name": "Nieminen"}, seen="2") == 3
    assert (stored(customer).last_name, stored(customer).version) == ("Nieminen", 3)


def test_check_version_refuses_at_once(customer):
    assert check_version(customer, "1") == 1
    for seen in ("2", None, "x"):
        with pytest.raises(StaleVersion):
            check_version(customer, seen, "Stale %(x)s")


def test_an_unchecked_write_is_guarded_by_its_condition(customer):
    assert versioned_update(customer, {"first_name": "Anna"}, seen=UNCHECKED,
                            where=Customer.last_name == "Aalto") is None
    with pytest.raises(StaleVersion):
        versioned_update(customer, {"first_name": "Anni"}, seen=UNCHECKED,
                         where=Customer.last_name == "Virtanen")
    with pytest.raises(ValueError):
        versioned_update(customer, {"first_name": "Anni"}, seen=UNCHECKED)
    now = stored(customer)
    assert (now.first_name, now.version) == ("Anna", 2)


def test_a_check_with_a_condition_needs_both(customer):
    with pytest.raises(StaleVersion):
        versioned_update(customer, {"first_name": "Anni"}, seen=1,
                         where=Customer.last_name == "Virtanen")
    assert stored(customer).version == 1


def test_next_version_moves_every_row_of_a_bulk_write(customer):
    other = Customer.create(section=customer.section_id, kind="person", first_name="Olli",
                            last_name="Ojala")
    versioned_update(other, {}, seen=1)
    Customer.update(next_version(Customer)).execute()
    assert [stored(c).version for c in (customer, other)] == [2, 3]


def test_concurrent_writers_the_later_one_waits_and_then_writes_nothing(customer):
    """Two transactions at once: the second waits for the first's lock, then finds the
    version moved on; its other write in the same transaction is rolled back too."""
    other = Customer.create(section=customer.section_id, kind="person", first_name="Olli",
                            last_name="Ojala")
    first_wrote, second_started = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            db.connect(reuse_if_open=True)  # peewee: one connection per thread
            with write_transaction():
                outcome["first"] = versioned_update(stored(customer), {"last_name": "Virtanen"},
                                                    seen=1)
                first_wrote.set()
                second_started.wait(timeout=10)
                threading.Event().wait(0.5)  # hold the lock while the second one waits
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["first"] = error
            first_wrote.set()
        finally:
            db.close()

    def second():
        try:
            db.connect(reuse_if_open=True)
            first_wrote.wait(timeout=10)
            row = stored(customer)  # the first one has not committed: still version 1
            outcome["seen"] = row.version
            second_started.set()
            with write_transaction():
                Customer.update(first_name="Osku").where(Customer.id == other.id).execute()
                versioned_update(row, {"last_name": "Nieminen"}, seen=row.version)
            outcome["second"] = "written"
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["second"] = error
        finally:
            db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.connect(reuse_if_open=True)
    assert outcome["first"] == 2 and outcome["seen"] == 1
    assert isinstance(outcome["second"], StaleVersion)
    now = stored(customer)
    assert (now.last_name, now.version) == ("Virtanen", 2)
    assert stored(other).first_name == "Olli"
