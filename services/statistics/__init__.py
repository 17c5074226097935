"""Statistics for annual reports and research (seed §5, §8): counts and sums, no personal data.

Every statistic is a table of counts (or sums) over groups of customers, never a row of
one. A small count is itself revealing ("three customers in postal area 00170 prohibited
marketing"), so before a table leaves this module:

- a count from 1 to 4 is hidden and shown as "< 5" (``SMALL``);
- a sum over fewer than 5 customers is hidden;
- complementary cells are hidden too, so that no hidden value can be computed back
  from the totals of its row and column: every row and column holding a hidden cell
  holds at least two, and an exact check (a hidden cell is determined by the table's
  totals when it lies in the row space of their equations) hides more until none is;
- nor from the tables of the page's other choices (another period, another section):
  a hidden cell is partnered along the axis the choices do not change, a total over one
  they change is hidden with any hidden part, and a sum of the sections hides what a
  section's own table hides (``Table.varies``, ``Table.inherited``);
- a row named by free text someone typed (a purchased service) is shown under its own
  name only when at least 5 customers make it up: a name typed for one customer would
  tell what that customer bought even with its numbers hidden. Such rows are added up
  into one row, ``OTHER``, whose cells are never shown.

Codes (section, kind, language, channel, month) are returned as they are stored; the
page and the exports translate them. No Flask here.

The parts: ``tables`` (a table and its protection), ``filters`` (the period and the
sections), ``queries`` (the statistics themselves), ``exports`` (CSV and XLSX) and
``charts`` (the monthly series as bars, what is hidden marked).
"""

from services.statistics.charts import (
    Bar,
    Chart,
    chart,
)
from services.statistics.exports import (
    table_rows,
    to_csv,
    to_xlsx,
)
from services.statistics.filters import (
    Filters,
    default_filters,
    month_range,
    parse_month,
)
from services.statistics.queries import (
    INVOICE_COLUMNS,
    STATISTICS,
    billing_sections,
    build,
    contact_events,
    customers_by,
    customers_by_postal_area,
    invoicing,
    new_customers,
    purchases,
)
from services.statistics.tables import (
    DEFAULT_MONTHS,
    OTHER,
    SHOWN_HIDDEN,
    SHOWN_SMALL,
    SMALL,
    TOTAL,
    UNKNOWN,
    Table,
    _lines,
    protect,
)

__all__ = [
    "Bar",
    "Chart",
    "DEFAULT_MONTHS",
    "Filters",
    "INVOICE_COLUMNS",
    "OTHER",
    "SHOWN_HIDDEN",
    "SHOWN_SMALL",
    "SMALL",
    "STATISTICS",
    "TOTAL",
    "Table",
    "UNKNOWN",
    "_lines",
    "billing_sections",
    "build",
    "chart",
    "contact_events",
    "customers_by",
    "customers_by_postal_area",
    "default_filters",
    "invoicing",
    "month_range",
    "new_customers",
    "parse_month",
    "protect",
    "purchases",
    "table_rows",
    "to_csv",
    "to_xlsx",
]
