"""The address check (seed §7): a Finnish address's postal code must be in the postal code
table, and its city one of the two names (Finnish, Swedish) of that code's post office.

Compared without regard to case or spacing ("helsingfors " is HELSINGFORS). Only Finnish
addresses are checked (the country empty or FI). A user may keep a code or city the table
does not know by giving the reason (``Address.postal_check_reason``): a new code the table
lacks. The same rule in SQL marks each address that fails it (``marking``), for the
customer list's filter.
"""

from typing import NamedTuple

from models import Address, PostalCode
from services.errors import N_, RegisterError

FINNISH_COUNTRIES = ("", "FI", "SUOMI", "FINLAND")


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


class _Office(NamedTuple):
    name_fi: str
    name_sv: str


def _office(code):
    """Return the post office of ``code`` in the table, or None: one indexed read written
    as SQL (an import checks every row's address; building the query cost more)."""
    if len(code) > PostalCode.code.max_length:
        return None
    found = PostalCode._meta.database.execute_sql(
        f"SELECT name_fi, name_sv FROM {PostalCode._meta.table_name} WHERE code = "
        f"{PostalCode._meta.database.param}", (code,)).fetchone()
    return _Office(*found) if found else None


def check(postal_code, city, country):
    """Return the ``Problem`` of a Finnish address whose postal code or city does not match
    the postal code table, else None. An address without a postal code is not checked."""
    code = (postal_code or "").strip()
    if not code or not is_finnish(country):
        return None
    row = _office(code)
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
