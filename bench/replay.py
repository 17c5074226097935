"""Capturing the SQL statements of a request, and replaying them on their own."""

import contextlib
import logging
import re

import database
from models import Customer, db


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            self.statements.append(record.msg)


@contextlib.contextmanager
def captured_sql():
    """Collect the ``(sql, params)`` of every statement peewee runs inside the block."""
    logger = logging.getLogger("peewee")
    handler = _Capture()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


# What the page asks of the database (services/search.py EXPLAINs a term on PostgreSQL).
_DATA_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|EXPLAIN)\b", re.I)
_AUDIT = re.compile(r'"audit_(event|head)"')


def replayable(statements):
    """Return the data statements of a request, without its audit-log append."""
    return [(sql, list(params or ())) for sql, params in statements
            if _DATA_STATEMENT.match(sql) and not _AUDIT.search(sql)]


def statement_counts(statements):
    """Return how many statements of each kind a request ran (N+1 queries show here)."""
    counts = {}
    for sql, _params in statements:
        word = sql.split(None, 1)[0].upper() if sql.strip() else "?"
        if _AUDIT.search(sql):
            word = "audit " + word
        counts[word] = counts.get(word, 0) + 1
    return counts


_VERSION_CHECK = re.compile(r'"customer"\."version" = (\?|%s)\)+\s*$')


def replayer(statements, write, customer_id=None):
    """Return ``(prepare, replay)``: ``replay`` runs ``statements``, fetching every row.

    A save's optimistic-locking UPDATE names the version it expects: it is set to the
    row's current version before each replay, so the replay touches the row like the page.
    """
    version_checks = [i for i, (sql, _p) in enumerate(statements) if _VERSION_CHECK.search(sql)]

    def prepare():
        if version_checks:
            current = Customer.select(Customer.version).where(
                Customer.id == customer_id).scalar()
            for i in version_checks:
                statements[i][1][-1] = current

    def run():
        for sql, params in statements:
            cursor = db.execute_sql(sql, params)
            if cursor.description is not None:
                cursor.fetchall()

    def replay():
        if write:
            with database.write_transaction():
                run()
        else:
            run()

    return prepare, replay
