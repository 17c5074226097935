"""Which addresses fail the check, kept in the database (seed §7): the customer list's
filter finds them without reading every address.

Each address row has ``postal_check_failed``: true when it is Finnish, has a postal code,
gives no reason to keep its values, and its code is not in the postal code table with its
city as one of the post office's names — the rule of ``check.check`` in SQL. Database
triggers (migration 020) set it whenever an address is inserted or its postal code, city,
country or reason change, whichever code writes it; ``recheck`` sets it again for the
addresses of the codes a table update changed. A partial index on the failing addresses'
customers makes the filter read only them.

The column is the database's own, not a field of ``models.Address``: no screen, report or
export shows it, and no code writes it but the triggers and ``recheck``.
"""

import peewee as pw

from database import is_sqlite
from models import Address, Customer
from services.postal_codes.check import FINNISH_COUNTRIES

FLAG = "postal_check_failed"
# SQLite's UPPER folds only ASCII; these are the other letters of Posti's names.
NORDIC_LETTERS = (("ä", "Ä"), ("ö", "Ö"), ("å", "Å"))
# Codes rechecked per statement.
BATCH = 500


def failing_sql(sqlite, row="address"):
    """Return the SQL condition "the address ``row`` fails the check" (``row``: the table,
    or NEW in a trigger), for SQLite or PostgreSQL."""
    city = f"{row}.city"
    if sqlite:
        for lower, upper in NORDIC_LETTERS:
            city = f"REPLACE({city}, '{lower}', '{upper}')"
    key = f"UPPER(TRIM(REPLACE({city}, '  ', ' ')))"
    countries = ", ".join(f"'{code}'" for code in FINNISH_COUNTRIES)
    return (f"(COALESCE(TRIM({row}.postal_check_reason), '') = '' "
            f"AND UPPER(TRIM(COALESCE({row}.country, ''))) IN ({countries}) "
            f"AND COALESCE({row}.postal_code, '') <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM postal_code AS known "
            f"WHERE known.code = {row}.postal_code AND {key} IN (known.name_fi, known.name_sv)))")


def trigger_sql(sqlite):
    """Return the statements creating the triggers that keep the mark (migration 020)."""
    watched = "postal_code, city, country, postal_check_reason"
    if sqlite:
        update = f"UPDATE address SET {FLAG} = {failing_sql(True)} WHERE id = NEW.id;"
        return [f"CREATE TRIGGER address_postal_check_insert AFTER INSERT ON address "
                f"BEGIN {update} END",
                f"CREATE TRIGGER address_postal_check_update AFTER UPDATE OF {watched} "
                f"ON address BEGIN {update} END"]
    return [f"CREATE FUNCTION address_postal_check() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.{FLAG} := {failing_sql(False, 'NEW')}; RETURN NEW; END $$",
            f"CREATE TRIGGER address_postal_check BEFORE INSERT OR UPDATE OF {watched} "
            f"ON address FOR EACH ROW EXECUTE FUNCTION address_postal_check()"]


def recheck(database, codes=None):
    """Mark again the addresses with the postal ``codes`` (every address when None)."""
    sqlite = is_sqlite(getattr(database, "obj", database))  # the models' proxy, or not
    update = f"UPDATE address SET {FLAG} = {failing_sql(sqlite)}"
    if codes is None:
        database.execute_sql(update)
        return
    codes = sorted(codes)
    for start in range(0, len(codes), BATCH):
        batch = codes[start:start + BATCH]
        marks = ", ".join([database.param] * len(batch))
        database.execute_sql(f"{update} WHERE postal_code IN ({marks})", batch)


def failing_addresses():
    """Return a query of the ids of the addresses that fail the check and give no reason."""
    return Address.select(Address.id).where(pw.SQL(FLAG))


def failing_condition():
    """Return the condition on ``Customer``: it has an address that fails the check.

    The customers of the failing addresses, read on their partial index: however many
    customers the register holds, only the failing addresses are read.
    """
    return Customer.id.in_(Address.select(Address.customer).where(pw.SQL(FLAG)))
