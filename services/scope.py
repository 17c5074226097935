"""Whose customers a user may read: the one section rule every path applies (DESIGN.md §4.14).

The controller and the responsible person read every section; staff and handlers the
sections granted to them; technical maintenance none. A list, a custom page's search, a
request's records, a report, a disclosure: each reaches customers only through
``readable_section_ids``. No Flask here: the pages, the services and the commands share it.
"""

import peewee as pw

from models import Customer, Section, UserSection

# Who reads every section (seed §3, §17), and who reads the sections granted to them.
READ_ALL_ROLES = ("controller", "responsible")
SECTION_ROLES = ("staff", "handler")


def readable_section_ids(user):
    """Return the ids of the sections whose customers ``user`` may read, in id order."""
    if user is None or getattr(user, "is_anonymous", False):
        return []
    if user.role in READ_ALL_ROLES:
        return [s.id for s in Section.select(Section.id).order_by(Section.id)]
    if user.role in SECTION_ROLES:
        return [row.section_id for row in UserSection.select(UserSection.section)
                .where(UserSection.user == user.id).order_by(UserSection.section)]
    return []


def reads_section(user, section_id):
    """Tell whether ``user`` may read the customers of section ``section_id``."""
    return section_id in readable_section_ids(user)


def customers_in(section_ids):
    """Return the condition limiting customers to ``section_ids`` (none when empty)."""
    ids = list(section_ids)
    return Customer.section.in_(ids) if ids else pw.SQL("1 = 0")
