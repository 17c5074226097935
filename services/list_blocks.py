"""Deep pages of the customer list in name order on PostgreSQL, without a long OFFSET.

Migration 014 keeps the name order (``sort_name, id``) cut into blocks of a few thousand
customers, with each block's count per section kept exact by triggers. A page far down
the list starts at the block where the running count of the user's sections passes the
page's offset, and steps over fewer than one block's entries from there: page 10 000 of
a million customers steps over at most a few thousand entries instead of 250 000.

The pages are the same rows, in the same order, as ``ORDER BY sort_name, id OFFSET …``;
the tests compare the two after inserts, deletes, renames, moves between sections and
block splits. SQLite pages with OFFSET (fast enough there, and it has no such triggers).
"""

from peewee import Tuple

from database import is_sqlite
from models import Customer, db
from services.policy import customer_scope

# Below this offset OFFSET steps over few enough entries (well under a millisecond).
DEEP_OFFSET = 10_000

# The last block starting at or before the offset, with the count of the customers of
# the scope before it.
_BLOCK_SQL = """
SELECT start_name, start_id, before FROM (
    SELECT b.start_name, b.start_id,
           coalesce(sum(sum(c.customers)) OVER (
               ORDER BY b.start_name, b.start_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM customer_list_block b
      LEFT JOIN customer_list_block_count c ON c.block_id = b.id {scope}
     GROUP BY b.id, b.start_name, b.start_id
) blocks
WHERE before <= %s
ORDER BY start_name DESC, start_id DESC
LIMIT 1
"""


def applies(offset):
    """Tell whether a name-ordered page at ``offset`` is found through the blocks."""
    return offset >= DEEP_OFFSET and not is_sqlite()


def page_ids(section_ids, offset, limit, descending=False):
    """Return the ids of a page of the customer list in name order.

    ``section_ids``: the sections the user sees, or None for every section. The page is
    the ``limit`` customers from ``offset`` on, counted in ``sort_name, id`` order, or in
    the reverse order when ``descending``.
    """
    if not descending:
        return _ascending_ids(section_ids, offset, limit)
    # The reverse order's page is a run of the ascending order, counted from the end.
    start = _count(section_ids) - offset - limit
    if start < 0:
        limit += start
        start = 0
    if limit <= 0:
        return []
    return list(reversed(_ascending_ids(section_ids, start, limit)))


def _ascending_ids(section_ids, offset, limit):
    scope, params = "", [offset]
    if section_ids is not None:
        scope, params = "AND c.section_id = ANY(%s)", [list(section_ids), offset]
    start_name, start_id, before = db.execute_sql(
        _BLOCK_SQL.format(scope=scope), params).fetchone()
    query = (Customer.select(Customer.id)
             .where(customer_scope(section_ids)
                    & (Tuple(Customer.sort_name, Customer.id) >= Tuple(start_name, start_id)))
             .order_by(Customer.sort_name, Customer.id)
             .offset(offset - int(before)).limit(limit))
    return [row.id for row in query]


def _count(section_ids):
    """Return how many customers the sections hold, from the block counts."""
    query = db.execute_sql(
        "SELECT coalesce(sum(customers), 0) FROM customer_list_block_count"
        + (" WHERE section_id = ANY(%s)" if section_ids is not None else ""),
        [list(section_ids)] if section_ids is not None else [])
    return int(query.fetchone()[0])


def check():
    """Return the counts that differ from the rows, as ``[(block start, section, kept,
    counted)]``: empty when every count is exact."""
    rows = db.execute_sql("""
        WITH counted AS (
            SELECT customer_list_block_of(sort_name, id) AS block_id, section_id,
                   count(*) AS customers
              FROM customer GROUP BY 1, 2
        )
        SELECT b.start_name, b.start_id, coalesce(k.section_id, n.section_id),
               coalesce(k.customers, 0), coalesce(n.customers, 0)
          FROM customer_list_block_count k
          FULL JOIN counted n ON n.block_id = k.block_id AND n.section_id = k.section_id
          JOIN customer_list_block b ON b.id = coalesce(k.block_id, n.block_id)
         WHERE coalesce(k.customers, 0) <> coalesce(n.customers, 0)
    """).fetchall()
    return [((name, start_id), section, kept, counted)
            for name, start_id, section, kept, counted in rows]


def block_sizes():
    """Return each block's customer count, in name order."""
    rows = db.execute_sql("""
        SELECT coalesce(sum(c.customers), 0) FROM customer_list_block b
          LEFT JOIN customer_list_block_count c ON c.block_id = b.id
         GROUP BY b.id, b.start_name, b.start_id ORDER BY b.start_name, b.start_id
    """).fetchall()
    return [int(n) for (n,) in rows]

