"""PostgreSQL: the statement triggers tell what an UPDATE changed without joining its old
rows with its new ones.

Every statement trigger that keeps a count (the list's blocks, migration 014; the
customer counts, 036; the monthly counts, 037 and 040; each customer's rows, 038) first
asks whether an UPDATE changed anything it counts::

    IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                    WHERE o.x IS DISTINCT FROM n.x OR …) THEN RETURN NULL;

PostgreSQL ran that join as a nested loop, the new rows read again for every old row: an
UPDATE of 2 000 customers that changed nothing counted (their own information, say) took
0.6 s in one trigger and 0.4 s in the next (100 000 customers), and the time grows with
the square of the rows updated. A trigger's statement is also planned once per
connection and reused for any size (migration 040), so no join of two transition tables
is safe. Now the question is a set difference, which PostgreSQL answers by hashing or
sorting each side once::

    IF NOT EXISTS (SELECT n.id, n.x, … FROM new_rows n
                   EXCEPT SELECT o.id, o.x, … FROM old_rows o) THEN RETURN NULL;

and the list blocks' counts of the rows that moved in the order are read the same way.
The columns compared are those the condition named (036's "informed or not" is compared
as its two columns: a change of either is counted again, which leaves the counts as they
were). The functions are read from the database and rewritten in place; a function whose
text is not as expected stops the migration.
"""

import re

import peewee as pw
from peewee_migrate import Migrator

_CHECK = re.compile(r"IF NOT EXISTS \(SELECT FROM old_rows o JOIN new_rows n ON n\.id = o\.id"
                    r"\s+WHERE (?P<cond>.*?)\) THEN", re.S)
_MOVED = re.compile(r"FROM (?P<a>old_rows o|new_rows n) JOIN (?P<b>new_rows n|old_rows o)"
                    r" ON (?:n\.id = o\.id|o\.id = n\.id)\s+WHERE (?P<cond>.*?)(?=\s+GROUP BY)",
                    re.S)
_CHECK_BACK = re.compile(r"IF NOT EXISTS \(SELECT n\.id, (?P<cols>[^()]*?) FROM new_rows n"
                         r" EXCEPT SELECT o\.id, [^()]*? FROM old_rows o\) THEN")
_MOVED_BACK = re.compile(r"FROM \(SELECT (?P<x>[on])\.id, (?P<cols>[^()]*?) FROM (?P<a>\w+) "
                         r"(?P=x) EXCEPT SELECT (?P<y>[on])\.id, [^()]*? FROM (?P<b>\w+) "
                         r"(?P=y)\) AS (?P=x)")


def _columns(condition):
    """The columns a condition compares (``o.x``), in the order it names them."""
    return list(dict.fromkeys(re.findall(r"\bo\.(\w+)", condition)))


def _listed(alias, columns):
    return ", ".join(f"{alias}.{c}" for c in ["id", *columns])


def _compare_as_sets(source):
    """Return a function's definition with each join of old and new rows rewritten."""
    def check(match):
        columns = _columns(match["cond"])
        return (f"IF NOT EXISTS (SELECT {_listed('n', columns)} FROM new_rows n"
                f" EXCEPT SELECT {_listed('o', columns)} FROM old_rows o) THEN")

    def moved(match):
        first, second = match["a"].split()[1], match["b"].split()[1]
        columns = _columns(match["cond"])
        return (f"FROM (SELECT {_listed(first, columns)} FROM {match['a']}"
                f" EXCEPT SELECT {_listed(second, columns)} FROM {match['b']}) AS {first}")

    return _MOVED.sub(moved, _CHECK.sub(check, source))


def _join_again(source):
    """The inverse of ``_compare_as_sets`` (each condition as a comparison per column)."""
    def condition(columns):
        return " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns.split(", "))

    def check(match):
        columns = ", ".join(c.split(".", 1)[1] for c in match["cols"].split(", "))
        return ("IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id"
                f" WHERE {condition(columns)}) THEN")

    def moved(match):
        columns = ", ".join(c.split(".", 1)[1] for c in match["cols"].split(", "))
        first, second = match["x"], match["y"]
        return (f"FROM {match['a']} {first} JOIN {match['b']} {second}"
                f" ON {second}.id = {first}.id WHERE {condition(columns)}")

    return _MOVED_BACK.sub(moved, _CHECK_BACK.sub(check, source))


def _functions(database, marker):
    """``{name: definition}`` of the public functions whose text has ``marker``."""
    rows = database.execute_sql(
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc AS p"
        " JOIN pg_namespace AS s ON s.oid = p.pronamespace"
        " WHERE s.nspname = 'public' AND p.prosrc LIKE %s ORDER BY 1",
        (f"%{marker}%",)).fetchall()
    return dict(rows)


def _rewrite(migrator, database, marker, change, left):
    for name, definition in _functions(database, marker).items():
        changed = change(definition)
        if changed == definition or left in changed:
            raise RuntimeError(f"migration 041: the function {name} is not as expected")
        migrator.sql(changed)


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Rewrite every trigger function that joins its old rows with its new ones."""
    if _is_sqlite(database) or fake:
        return
    _rewrite(migrator, database, "JOIN new_rows n ON n.id = o.id", _compare_as_sets,
             " JOIN new_rows")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Join the old and new rows again, as the earlier migrations did."""
    if _is_sqlite(database) or fake:
        return
    _rewrite(migrator, database, "EXCEPT SELECT o.id", _join_again, "EXCEPT SELECT o.id")
