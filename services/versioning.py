"""Optimistic locking: the one rule for every row that carries a ``version``.

A page shows the version of the row it was built from and posts it back with the change.
The change is one conditional ``UPDATE … SET …, version = version + 1 WHERE id = ? AND
version = ?``: when someone else has changed the row meanwhile it touches no row, nothing
is written and the caller gets ``StaleVersion`` with its own message saying what to do.
Call it inside the step's transaction: a refusal then rolls back the step's other writes,
and on PostgreSQL the UPDATE holds the row's lock until the transaction ends, so a second
writer waits and then finds the version moved on.

A step may refuse at once, before it does any other work, with ``check_version``; the
write is still checked by ``versioned_update``. A write guarded by the row's state instead
of a version the user saw (a prepared disclosure's customers) passes ``seen=UNCHECKED``
and a ``where``; a bulk write moves the version with ``next_version``.

Nothing else compares or moves a version: ``tests/test_versioning.py`` scans the source.
"""

from services.errors import N_, RegisterError
from services.inputs import parse_id

# What the register's screens say when a save comes too late.
STALE = N_("Someone else changed this record meanwhile. Your changes were not saved: "
           "reload the page to see the current data, then make your changes again.")

# ``seen`` of a write that its ``where`` guards instead of a version (see above).
UNCHECKED = object()


class StaleVersion(RegisterError):
    """The row is no longer as the user saw it: nothing was written."""

    def __init__(self, message=STALE, **params):
        super().__init__(message, **params)


def check_version(row, seen, stale=STALE):
    """Return ``seen`` (posted text or a number) as a version if it is still ``row``'s.

    Raise ``StaleVersion(stale)`` when it is not, or is not a version at all.
    """
    expected = parse_id(seen)
    if expected is None or expected != row.version:
        raise StaleVersion(stale)
    return expected


def next_version(model):
    """Return the assignment that moves the version of ``model``'s rows on, for an UPDATE."""
    return {model.version: model.version + 1}


def versioned_update(row, changes, *, seen, where=None, stale=STALE):
    """Write ``changes`` to ``row`` if it is still at version ``seen``; return the new version.

    ``changes`` maps fields or field names to values. ``where`` is a further condition the
    row must meet (a state). Raise ``StaleVersion(stale)`` when no row was written. With
    ``seen=UNCHECKED`` only ``where`` guards the write, and the new version is not known
    (None). ``row`` in memory is left as it was.
    """
    model = type(row)
    condition = model._meta.primary_key == row.get_id()
    if seen is UNCHECKED:
        if where is None:
            raise ValueError("an unchecked write needs a where condition")
        expected = None
    else:
        expected = parse_id(seen)
        if expected is None:
            raise StaleVersion(stale)
        condition &= model.version == expected
    if where is not None:
        condition &= where
    written = model.update({**changes, **next_version(model)}).where(condition).execute()
    if written != 1:
        raise StaleVersion(stale)
    return expected + 1 if expected is not None else None
