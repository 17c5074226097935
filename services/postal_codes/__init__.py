"""Finland's postal codes (seed §7): the table (``table``), the address check (``check``)
and the marks of the addresses that fail it (``marking``)."""

from services.postal_codes.check import (
    Problem,
    check,
    is_finnish,
    normalise,
    office_names,
    refuse_failing,
)
from services.postal_codes.marking import (
    failing_addresses,
    failing_condition,
    failing_sql,
    recheck,
    trigger_sql,
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
    "is_finnish",
    "normalise",
    "office_names",
    "refuse_failing",
    "failing_addresses",
    "failing_condition",
    "failing_sql",
    "recheck",
    "trigger_sql",
    "SHIPPED_FILE",
    "Changes",
    "Table",
    "dataset_date",
    "insert_rows",
    "read_file",
    "update",
]
