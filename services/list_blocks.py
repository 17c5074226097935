"""Deep pages of the customer list in name order, without a long OFFSET.

Migrations 014 (PostgreSQL) and 035 (SQLite) keep the name order (``sort_name, id``) cut
into blocks of a few thousand customers, with each block's count per section kept exact
by triggers. A page far down
the list starts at the block where the running count of the user's sections passes the
page's offset, and steps over fewer than one block's entries from there: page 10 000 of
a million customers steps over at most a few thousand entries instead of 250 000.

The pages are the same rows, in the same order, as ``ORDER BY sort_name, id OFFSET …``;
the tests compare the two after inserts, deletes, renames, moves between sections and
block splits, on both databases.
"""

from peewee import Tuple

from database import is_sqlite, one_of
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

# The block of a customer's key: migration 014's function on PostgreSQL; on SQLite the
# same lookup written out (migration 035's triggers use it too).
_BLOCK_OF_SQLITE = ("(SELECT b.id FROM customer_list_block AS b"
                    " WHERE (b.start_name, b.start_id) <= (customer.sort_name, customer.id)"
                    " ORDER BY b.start_name DESC, b.start_id DESC LIMIT 1)")


def applies(offset):
    """Tell whether a name-ordered page at ``offset`` is found through the blocks."""
    return offset >= DEEP_OFFSET


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
    scope, params = _in_sections("c.section_id", section_ids)
    sql = _BLOCK_SQL.format(scope="AND " + scope if scope else "").replace("%s", db.param)
    start_name, start_id, before = db.execute_sql(sql, params + [offset]).fetchone()
    query = (Customer.select(Customer.id)
             .where(customer_scope(section_ids)
                    & (Tuple(Customer.sort_name, Customer.id) >= Tuple(start_name, start_id)))
             .order_by(Customer.sort_name, Customer.id)
             .offset(offset - int(before)).limit(limit))
    return [row.id for row in query]


def _count(section_ids):
    """Return how many customers the sections hold, from the block counts."""
    scope, params = _in_sections("section_id", section_ids)
    query = db.execute_sql("SELECT coalesce(sum(customers), 0) FROM customer_list_block_count"
                           + (" WHERE " + scope if scope else ""), params)
    return int(query.fetchone()[0])


def _in_sections(column, section_ids):
    """Return the condition that ``column`` is one of ``section_ids`` and its parameters
    ("" and none for every section)."""
    return ("", []) if section_ids is None else one_of(column, section_ids)


def check():
    """Return the counts that differ from the rows, as ``[(block start, section, kept,
    counted)]``: empty when every count is exact."""
    rows = db.execute_sql("""
        WITH counted AS (
            SELECT {block_of} AS block_id, section_id,
                   count(*) AS customers
              FROM customer GROUP BY 1, 2
        )
        SELECT b.start_name, b.start_id, coalesce(k.section_id, n.section_id),
               coalesce(k.customers, 0), coalesce(n.customers, 0)
          FROM customer_list_block_count k
          FULL JOIN counted n ON n.block_id = k.block_id AND n.section_id = k.section_id
          JOIN customer_list_block b ON b.id = coalesce(k.block_id, n.block_id)
         WHERE coalesce(k.customers, 0) <> coalesce(n.customers, 0)
    """.format(block_of=_BLOCK_OF_SQLITE if is_sqlite()
               else "customer_list_block_of(sort_name, id)")).fetchall()
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

