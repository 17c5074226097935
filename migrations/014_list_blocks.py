"""Deep pages of the customer list on PostgreSQL: blocks of the name order with counts.

``OFFSET 250000`` makes PostgreSQL step over 250 000 index entries one by one (about 18 ms
at 1 000 000 customers on two cores), however narrow the index. These tables cut the name
order (``sort_name, id``) into blocks of a few thousand customers and keep, per block and
section, how many customers it holds; page N then starts at the block where the running
count passes N*25 and steps over fewer than one block's entries (services/list_blocks.py).

Triggers keep the counts exact on every write, whoever makes it (the screens, the purge,
the command line): one aggregated statement per SQL statement, through its transition
table. A block grown past twice the block size is split in two at its middle; an emptied
block stays (a block is a boundary, never a row). Writers that change counts take one
transaction-scoped advisory lock, so a split counts a block no other writer is changing;
the audit log takes the same lock before its head row, so the two locks are always taken
in one order.
The block size is ``register.list_block_size`` (a setting; 2000 when unset), so the tests
can split blocks of a few customers.

SQLite needs none of this: its OFFSET over the covering index is fast enough
(README, Performance), and it has no statement-level triggers.
"""

import peewee as pw
from peewee_migrate import Migrator

# pg_advisory_xact_lock key of the block counts: database.WRITE_LOCK_KEY, which the audit
# log takes before its head row (one lock order for every writer). Repeated here so that
# the migration stays as it was written whatever the code becomes.
LOCK_KEY = 710_014

CREATE = f"""
CREATE TABLE customer_list_block (
    id serial PRIMARY KEY,
    start_name varchar(300) NOT NULL,
    start_id integer NOT NULL,
    UNIQUE (start_name, start_id)
);
CREATE TABLE customer_list_block_count (
    block_id integer NOT NULL REFERENCES customer_list_block ON DELETE CASCADE,
    section_id integer NOT NULL,
    customers integer NOT NULL,
    PRIMARY KEY (block_id, section_id)
);

-- The name order, with the id breaking ties, straight from an index (no sort step):
-- every section, some sections (section_id filtered inside the index), one section.
DROP INDEX IF EXISTS customer_sort_name_section_id;
CREATE INDEX customer_sort_name_id ON customer (sort_name, id) INCLUDE (section_id);
CREATE INDEX customer_section_id_sort_name_id ON customer (section_id, sort_name, id);

-- The block holding the key (name, id): the one with the greatest start not above it.
CREATE FUNCTION customer_list_block_of(name varchar, customer_id integer) RETURNS integer
STABLE LANGUAGE sql AS $$
    SELECT id FROM customer_list_block
    WHERE (start_name, start_id) <= (name, customer_id)
    ORDER BY start_name DESC, start_id DESC LIMIT 1
$$;

-- Split each of the blocks that holds over twice the block size, until none does.
CREATE FUNCTION customer_list_blocks_split(block_ids integer[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    size integer := coalesce(nullif(current_setting('register.list_block_size', true), ''),
                             '2000')::integer;
    full_block record;
    next_block record;
    middle record;
    new_id integer;
BEGIN
    LOOP
        SELECT b.id, b.start_name, b.start_id, sum(c.customers) AS customers
          INTO full_block
          FROM customer_list_block b JOIN customer_list_block_count c ON c.block_id = b.id
         WHERE b.id = ANY(block_ids)
         GROUP BY b.id HAVING sum(c.customers) > 2 * size
         LIMIT 1;
        EXIT WHEN NOT FOUND;
        SELECT start_name, start_id INTO next_block FROM customer_list_block
         WHERE (start_name, start_id) > (full_block.start_name, full_block.start_id)
         ORDER BY start_name, start_id LIMIT 1;
        SELECT sort_name, id INTO middle FROM customer
         WHERE (sort_name, id) >= (full_block.start_name, full_block.start_id)
         ORDER BY sort_name, id OFFSET full_block.customers / 2 LIMIT 1;
        EXIT WHEN NOT FOUND;  -- counts out of step with the rows: never fail the write
        INSERT INTO customer_list_block (start_name, start_id)
             VALUES (middle.sort_name, middle.id) RETURNING id INTO new_id;
        -- The upper half moves to the new block, counted per section.
        INSERT INTO customer_list_block_count (block_id, section_id, customers)
        SELECT new_id, section_id, count(*) FROM customer
         WHERE (sort_name, id) >= (middle.sort_name, middle.id)
           AND (next_block.start_name IS NULL
                OR (sort_name, id) < (next_block.start_name, next_block.start_id))
         GROUP BY section_id;
        UPDATE customer_list_block_count AS c
           SET customers = c.customers - moved.customers
          FROM customer_list_block_count AS moved
         WHERE moved.block_id = new_id AND c.block_id = full_block.id
           AND c.section_id = moved.section_id;
        block_ids := block_ids || new_id;
    END LOOP;
END
$$;

-- After each statement that adds, removes or re-sorts customers: add its rows to their
-- blocks' counts (old rows -1, new rows +1), then split what grew too large. An update
-- counts only the rows whose name order or section changed.
CREATE FUNCTION customer_list_blocks_after() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched integer[];
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- (nested: an INSERT has no old_rows to plan the test on)
        IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                        WHERE o.sort_name IS DISTINCT FROM n.sort_name
                           OR o.section_id IS DISTINCT FROM n.section_id) THEN
            RETURN NULL;  -- no row changed its place in the order or its section
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF TG_OP = 'DELETE' THEN
        INSERT INTO customer_list_block_count AS c (block_id, section_id, customers)
        SELECT customer_list_block_of(o.sort_name, o.id), o.section_id, -count(*)
          FROM old_rows o GROUP BY 1, 2
        ON CONFLICT (block_id, section_id)
        DO UPDATE SET customers = c.customers + EXCLUDED.customers;
    ELSIF TG_OP = 'INSERT' THEN
        WITH added AS (
            INSERT INTO customer_list_block_count AS c (block_id, section_id, customers)
            SELECT customer_list_block_of(n.sort_name, n.id), n.section_id, count(*)
              FROM new_rows n GROUP BY 1, 2
            ON CONFLICT (block_id, section_id)
            DO UPDATE SET customers = c.customers + EXCLUDED.customers
            RETURNING c.block_id
        )
        SELECT array_agg(DISTINCT block_id) INTO touched FROM added;
    ELSE
        INSERT INTO customer_list_block_count AS c (block_id, section_id, customers)
        SELECT customer_list_block_of(o.sort_name, o.id), o.section_id, -count(*)
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.sort_name IS DISTINCT FROM n.sort_name
            OR o.section_id IS DISTINCT FROM n.section_id
         GROUP BY 1, 2
        ON CONFLICT (block_id, section_id)
        DO UPDATE SET customers = c.customers + EXCLUDED.customers;
        WITH added AS (
            INSERT INTO customer_list_block_count AS c (block_id, section_id, customers)
            SELECT customer_list_block_of(n.sort_name, n.id), n.section_id, count(*)
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE o.sort_name IS DISTINCT FROM n.sort_name
                OR o.section_id IS DISTINCT FROM n.section_id
             GROUP BY 1, 2
            ON CONFLICT (block_id, section_id)
            DO UPDATE SET customers = c.customers + EXCLUDED.customers
            RETURNING c.block_id
        )
        SELECT array_agg(DISTINCT block_id) INTO touched FROM added;
    END IF;
    PERFORM customer_list_blocks_split(touched);
    RETURN NULL;
END
$$;

-- TRUNCATE empties the register: the counts go with it, the first block stays.
CREATE FUNCTION customer_list_blocks_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    DELETE FROM customer_list_block_count;
    DELETE FROM customer_list_block WHERE (start_name, start_id) <> ('', 0);
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_list_blocks_insert AFTER INSERT ON customer
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_list_blocks_after();
CREATE TRIGGER customer_list_blocks_delete AFTER DELETE ON customer
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_list_blocks_after();
CREATE TRIGGER customer_list_blocks_update AFTER UPDATE ON customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_list_blocks_after();
CREATE TRIGGER customer_list_blocks_truncate AFTER TRUNCATE ON customer
    FOR EACH STATEMENT EXECUTE FUNCTION customer_list_blocks_truncated();

-- The first block starts below every key; the customers already here are cut into
-- blocks of the block size in one pass.
INSERT INTO customer_list_block (start_name, start_id) VALUES ('', 0);
INSERT INTO customer_list_block (start_name, start_id)
SELECT sort_name, id FROM (
    SELECT sort_name, id, row_number() OVER (ORDER BY sort_name, id) AS position
      FROM customer
) numbered
WHERE mod(position, 2000) = 1 AND position > 1;
INSERT INTO customer_list_block_count (block_id, section_id, customers)
SELECT customer_list_block_of(sort_name, id), section_id, count(*)
  FROM customer GROUP BY 1, 2;
"""

DROP = """
DROP TRIGGER IF EXISTS customer_list_blocks_truncate ON customer;
DROP TRIGGER IF EXISTS customer_list_blocks_update ON customer;
DROP TRIGGER IF EXISTS customer_list_blocks_delete ON customer;
DROP TRIGGER IF EXISTS customer_list_blocks_insert ON customer;
DROP FUNCTION IF EXISTS customer_list_blocks_truncated();
DROP FUNCTION IF EXISTS customer_list_blocks_after();
DROP FUNCTION IF EXISTS customer_list_blocks_split(integer[]);
DROP FUNCTION IF EXISTS customer_list_block_of(varchar, integer);
DROP TABLE IF EXISTS customer_list_block_count;
DROP TABLE IF EXISTS customer_list_block;
DROP INDEX IF EXISTS customer_section_id_sort_name_id;
DROP INDEX IF EXISTS customer_sort_name_id;
CREATE INDEX customer_sort_name_section_id ON customer (sort_name, section_id) INCLUDE (id);
"""


def _is_sqlite(database):
    return isinstance(getattr(database, "obj", database), pw.SqliteDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the blocks, their triggers and the name-order indexes (PostgreSQL only)."""
    if not _is_sqlite(database):
        migrator.sql(CREATE)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove them and bring back the index they replaced."""
    if not _is_sqlite(database):
        migrator.sql(DROP)
