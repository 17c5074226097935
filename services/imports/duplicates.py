"""The duplicate check of an imported row: the register's own
(``services.duplicates.find_duplicates``) when it is there, else an exact Y-tunnus in the
same section."""

from models import Customer
from services.imports.mapping import ADDRESS_FIELDS

try:
    from services.duplicates import find_duplicates
except ImportError:  # the duplicate detection not yet in this tree
    find_duplicates = None

LIMIT = 10


def _same_business_id(section_id, values):
    business_id = values.get("business_id")
    if not business_id:
        return []
    return [(row.id, "business_id") for row in Customer.select(Customer.id).where(
        (Customer.section == section_id) & (Customer.business_id == business_id))
        .order_by(Customer.id).limit(LIMIT)]


def matches_of(section_id, row):
    """Return ``[(customer id, reason)]`` of the section's customers the row matches."""
    values = dict(row["customer"])
    if row.get("address"):
        values.update({k: v for k, v in row["address"].items() if k in ADDRESS_FIELDS})
    if find_duplicates is None:
        return _same_business_id(section_id, values)
    return [(m.customer_id, m.reason) for m in find_duplicates(section_id, values,
                                                               limit=LIMIT)]
