"""Finland's postal codes (seed §7): the table (``table``) and the address check (``check``)."""

from services.postal_codes.check import (
    Problem,
    check,
    failing_addresses,
    failing_condition,
    is_finnish,
    normalise,
    office_names,
    refuse_failing,
)
from services.postal_codes.table import (
    SHIPPED_FILE,
    Changes,
    Table,
    dataset_date,
    insert_rows,
    read_file,
    update,
)

__all__ = [
    "Problem",
    "check",
    "failing_addresses",
    "failing_condition",
    "is_finnish",
    "normalise",
    "office_names",
    "refuse_failing",
    "SHIPPED_FILE",
    "Changes",
    "Table",
    "dataset_date",
    "insert_rows",
    "read_file",
    "update",
]
