"""Deep pages of the customer list on SQLite too: the blocks of migration 014.

The same two tables as on PostgreSQL (the name order ``sort_name, id`` cut into blocks of
a few thousand customers, each block's count per section), kept exact by row triggers
instead of statement triggers: an inserted, deleted, renamed or moved customer adds or
takes one from its block's count. A block grown past twice the block size is split at
its middle by a trigger on the counts, which counts its two halves again from the rows.
SQLite has one writer at a time, so no lock is needed; a failed statement's or
transaction's trigger work is rolled back with it.

The block size is the one row of ``customer_list_block_size`` (2000), so the tests can
split blocks of a few customers. PostgreSQL keeps migration 014's (nothing here for it).
"""

import peewee as pw
from peewee_migrate import Migrator

# The block holding the key (name, id): the one with the greatest start not above it.
BLOCK_OF = ("(SELECT b.id FROM customer_list_block AS b"
            " WHERE (b.start_name, b.start_id) <= ({name}, {id})"
            " ORDER BY b.start_name DESC, b.start_id DESC LIMIT 1)")

ADD_ONE = ("INSERT INTO customer_list_block_count (block_id, section_id, customers)"
           " VALUES (" + BLOCK_OF.format(name="NEW.sort_name", id="NEW.id")
           + ", NEW.section_id, 1)"
           " ON CONFLICT (block_id, section_id) DO UPDATE SET customers = customers + 1;")
TAKE_ONE = ("UPDATE customer_list_block_count SET customers = customers - 1"
            " WHERE block_id = " + BLOCK_OF.format(name="OLD.sort_name", id="OLD.id")
            + " AND section_id = OLD.section_id;")

# The start of the block ``{block}``, and of the block after it (or, after the last, a
# key above every name: bytes no UTF-8 text begins with, compared as text byte by byte).
START = "(SELECT s.start_name, s.start_id FROM customer_list_block AS s WHERE s.id = {block})"
NEXT_START = ("(SELECT n.start_name, n.start_id FROM (SELECT start_name, start_id"
              " FROM customer_list_block WHERE (start_name, start_id) > " + START +
              " UNION ALL SELECT CAST(x'F4908080' AS TEXT), 0) AS n"
              " ORDER BY n.start_name, n.start_id LIMIT 1)")
NEXT_ID = ("(SELECT x.id FROM customer_list_block AS x WHERE (x.start_name, x.start_id) > "
           + START + " ORDER BY x.start_name, x.start_id LIMIT 1)")
BLOCK_SUM = ("(SELECT sum(t.customers) FROM customer_list_block_count AS t"
             " WHERE t.block_id = {block})")


def _recount(block):
    """The statements counting block ``block`` again from the rows, per section."""
    return ("DELETE FROM customer_list_block_count WHERE block_id = " + block + ";"
            " INSERT INTO customer_list_block_count (block_id, section_id, customers)"
            " SELECT " + block + ", c.section_id, count(*) FROM customer AS c"
            " WHERE (c.sort_name, c.id) >= " + START.format(block=block) +
            " AND (c.sort_name, c.id) < " + NEXT_START.format(block=block) +
            " AND " + block + " IS NOT NULL GROUP BY c.section_id;")


SPLIT_WHEN = (BLOCK_SUM.format(block="NEW.block_id")
              + " > 2 * (SELECT size FROM customer_list_block_size)")
# Its middle customer starts a new block (none when the counts and the rows disagree:
# a split never fails a write); then both halves are counted from the rows.
SPLIT = ("INSERT OR IGNORE INTO customer_list_block (start_name, start_id)"
         " SELECT c.sort_name, c.id FROM customer AS c"
         " WHERE (c.sort_name, c.id) >= " + START.format(block="NEW.block_id") +
         " AND (c.sort_name, c.id) < " + NEXT_START.format(block="NEW.block_id") +
         " ORDER BY c.sort_name, c.id LIMIT 1 OFFSET "
         + BLOCK_SUM.format(block="NEW.block_id") + " / 2;"
         + _recount(NEXT_ID.format(block="NEW.block_id"))
         + _recount("NEW.block_id"))

CREATE = [
    "CREATE TABLE customer_list_block (id INTEGER PRIMARY KEY,"
    " start_name VARCHAR(300) NOT NULL, start_id INTEGER NOT NULL,"
    " UNIQUE (start_name, start_id))",
    "CREATE TABLE customer_list_block_count ("
    " block_id INTEGER NOT NULL REFERENCES customer_list_block (id) ON DELETE CASCADE,"
    " section_id INTEGER NOT NULL, customers INTEGER NOT NULL,"
    " PRIMARY KEY (block_id, section_id))",
    "CREATE TABLE customer_list_block_size (size INTEGER NOT NULL)",
    "INSERT INTO customer_list_block_size (size) VALUES (2000)",
    # The first block starts below every key; the customers already here are cut into
    # blocks of the block size in one pass, and counted.
    "INSERT INTO customer_list_block (start_name, start_id) VALUES ('', 0)",
    "INSERT INTO customer_list_block (start_name, start_id)"
    " SELECT sort_name, id FROM (SELECT sort_name, id,"
    " row_number() OVER (ORDER BY sort_name, id) AS position FROM customer)"
    " WHERE position % 2000 = 1 AND position > 1",
    "INSERT INTO customer_list_block_count (block_id, section_id, customers)"
    " SELECT " + BLOCK_OF.format(name="c.sort_name", id="c.id") + ", c.section_id, count(*)"
    " FROM customer AS c GROUP BY 1, 2",
    "CREATE TRIGGER customer_list_blocks_insert AFTER INSERT ON customer"
    " BEGIN " + ADD_ONE + " END",
    "CREATE TRIGGER customer_list_blocks_delete AFTER DELETE ON customer"
    " BEGIN " + TAKE_ONE + " END",
    "CREATE TRIGGER customer_list_blocks_update AFTER UPDATE OF sort_name, section_id"
    " ON customer WHEN OLD.sort_name IS NOT NEW.sort_name"
    " OR OLD.section_id IS NOT NEW.section_id"
    " BEGIN " + TAKE_ONE + " " + ADD_ONE + " END",
    "CREATE TRIGGER customer_list_blocks_split_insert AFTER INSERT"
    " ON customer_list_block_count WHEN " + SPLIT_WHEN + " BEGIN " + SPLIT + " END",
    "CREATE TRIGGER customer_list_blocks_split_update AFTER UPDATE OF customers"
    " ON customer_list_block_count WHEN " + SPLIT_WHEN + " BEGIN " + SPLIT + " END",
]

DROP = [
    "DROP TRIGGER IF EXISTS customer_list_blocks_split_update",
    "DROP TRIGGER IF EXISTS customer_list_blocks_split_insert",
    "DROP TRIGGER IF EXISTS customer_list_blocks_update",
    "DROP TRIGGER IF EXISTS customer_list_blocks_delete",
    "DROP TRIGGER IF EXISTS customer_list_blocks_insert",
    "DROP TABLE IF EXISTS customer_list_block_size",
    "DROP TABLE IF EXISTS customer_list_block_count",
    "DROP TABLE IF EXISTS customer_list_block",
]


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the blocks and their triggers on SQLite (PostgreSQL has them since 014)."""
    if _is_sqlite(database):
        for statement in CREATE:
            migrator.sql(statement)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove them."""
    if _is_sqlite(database):
        for statement in DROP:
            migrator.sql(statement)
