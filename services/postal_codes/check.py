"""The address check (seed §7): a Finnish address's postal code must be in the postal code
table, and its city one of the two names (Finnish, Swedish) of that code's post office.

Compared without regard to case or spacing ("helsingfors " is HELSINGFORS). Only Finnish
addresses are checked (the country empty or FI). A user may keep a code or city the table
does not know by giving the reason (``Address.postal_check_reason``): a new code the table
lacks. The customer list finds the addresses that fail the check with ``failing_condition``,
the same rule in SQL.
"""

from typing import NamedTuple

import peewee as pw

from database import is_sqlite
from models import Address, Customer, PostalCode
from services.errors import N_, RegisterError

FINNISH_COUNTRIES = ("", "FI", "SUOMI", "FINLAND")
# SQLite's UPPER folds only ASCII; these are the other letters of Posti's names.
NORDIC_LETTERS = (("ä", "Ä"), ("ö", "Ö"), ("å", "Å"))


# What the check reads of an address: a change to one of them is checked again.
CHECKED_FIELDS = (Address.postal_code, Address.city, Address.country)


class Problem(NamedTuple):
    """What is wrong with an address: the field to correct, and the message (a msgid)
    beside the address's reason field, and where the reason cannot be typed beside it (a
    rectification request's new values: the reason is given on the customer's screen)."""

    field: str  # "postal_code" or "city"
    message: str
    elsewhere: str
    params: dict


def is_finnish(country):
    """Tell whether an address in ``country`` is checked against the table."""
    return (country or "").strip().upper() in FINNISH_COUNTRIES


def normalise(name):
    """Return ``name`` as the table writes names: upper case, single spaces."""
    return " ".join((name or "").split()).upper()


def office_names(row):
    """Return how a message names the code's post office: "HELSINKI / HELSINGFORS"."""
    return row.name_fi if row.name_sv == row.name_fi else f"{row.name_fi} / {row.name_sv}"


def check(postal_code, city, country):
    """Return the ``Problem`` of a Finnish address whose postal code or city does not match
    the postal code table, else None. An address without a postal code is not checked."""
    code = (postal_code or "").strip()
    if not code or not is_finnish(country):
        return None
    row = PostalCode.get_or_none(PostalCode.code == code)
    if row is None:
        return Problem("postal_code", N_(
            "The postal code %(code)s is not in the postal code table. Check the code. If "
            "it is a new code the table lacks, keep it by writing the reason in the field "
            "%(field)s."), N_(
            "The postal code %(code)s is not in the postal code table: correct the "
            "requested postal code. If it is a new code the table lacks, give the reason to "
            "keep it on the customer's screen first."), {"code": code})
    if normalise(city) in (row.name_fi, row.name_sv):
        return None
    return Problem("city", N_(
        "The post office of postal code %(code)s is %(names)s. Correct the city, or keep "
        "yours by writing the reason in the field %(field)s."), N_(
        "The post office of postal code %(code)s is %(names)s: correct the requested city. "
        "To keep another name, give the reason on the customer's screen first."),
        {"code": code, "names": office_names(row)})


def refuse_failing(address, changed):
    """Raise RegisterError when ``address``, whose fields ``changed`` (names) were written
    elsewhere than on the customer's screen, fails the check and gives no reason."""
    if (address.postal_check_reason or "").strip() or not any(
            field.name in changed for field in CHECKED_FIELDS):
        return
    problem = check(address.postal_code, address.city, address.country)
    if problem is not None:
        raise RegisterError(problem.elsewhere, **problem.params)


def _city_key():
    """The address's city as the table writes names, in SQL."""
    city = Address.city
    if is_sqlite():
        for lower, upper in NORDIC_LETTERS:
            city = pw.fn.REPLACE(city, lower, upper)
    return pw.fn.UPPER(pw.fn.TRIM(pw.fn.REPLACE(city, "  ", " ")))


def failing_addresses():
    """Return a query of the ids of the addresses that fail the check and have no reason."""
    key = _city_key()
    known = PostalCode.select(pw.SQL("1")).where(
        (PostalCode.code == Address.postal_code)
        & ((PostalCode.name_fi == key) | (PostalCode.name_sv == key)))
    return Address.select(Address.id).where(
        Address.postal_check_reason.is_null()
        & (Address.country.is_null() | pw.fn.UPPER(Address.country).in_(["", "FI"]))
        & Address.postal_code.is_null(False) & (Address.postal_code != "")
        & ~pw.fn.EXISTS(known))


def failing_condition():
    """Return the condition on ``Customer``: it has an address that fails the check.

    One EXISTS per customer, on the address's customer index, and in it a look-up of the
    postal code by its primary key: the list reads customers in its own order and stops at
    a page, never reading every address.
    """
    return pw.fn.EXISTS(failing_addresses().where(Address.customer == Customer.id))
