"""Customer search indexes: Unicode case-insensitive substring search (DESIGN.md §3 item 7).

SQLite: an FTS5 external-content table ``customer_fts`` with the trigram tokenizer (it
folds case for Unicode: ä/Ä, å/Å, ö/Ö) over the searchable columns, kept in step with
``customer`` by triggers, and filled from the existing rows. PostgreSQL: ``pg_trgm``
(a trusted extension since PostgreSQL 13, so the database owner may create it) and a
GIN trigram index over the lowered, concatenated columns — the exact expression that
``services/search.py`` queries with ``LIKE``; keep the two in step.
"""

import peewee as pw
from peewee_migrate import Migrator

# The searchable columns of customer, in index order.
COLUMNS = ("first_name", "last_name", "name", "email", "business_id", "phone", "mobile")

# PostgreSQL: one expression, so one index serves every column and every word of a term.
SEARCH_EXPRESSION = "lower(" + " || ' ' || ".join(f"coalesce({c}, '')" for c in COLUMNS) + ")"


def _is_sqlite(database):
    """Tell whether ``database`` (or the database behind a proxy) is SQLite."""
    return isinstance(getattr(database, "obj", None) or database, pw.SqliteDatabase)


def _values(prefix):
    return ", ".join(f"{prefix}.{c}" for c in COLUMNS)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the search index and fill it from the existing customers."""
    columns = ", ".join(COLUMNS)
    if _is_sqlite(database):
        migrator.sql(
            f"CREATE VIRTUAL TABLE customer_fts USING fts5({columns},"
            " content='customer', content_rowid='id', tokenize='trigram')"
        )
        # External content: the index stores no text, so a row is removed from it by
        # handing back exactly the old values ('delete' command).
        migrator.sql(
            "CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN"
            f" INSERT INTO customer_fts (rowid, {columns}) VALUES (new.id, {_values('new')});"
            " END"
        )
        migrator.sql(
            "CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN"
            f" INSERT INTO customer_fts (customer_fts, rowid, {columns})"
            f" VALUES ('delete', old.id, {_values('old')});"
            " END"
        )
        # Only when a searched column (or the id) changes: bumping last_activity_at or
        # version alone does not touch the index.
        migrator.sql(
            f"CREATE TRIGGER customer_fts_update AFTER UPDATE OF id, {columns} ON customer BEGIN"
            f" INSERT INTO customer_fts (customer_fts, rowid, {columns})"
            f" VALUES ('delete', old.id, {_values('old')});"
            f" INSERT INTO customer_fts (rowid, {columns}) VALUES (new.id, {_values('new')});"
            " END"
        )
        migrator.sql("INSERT INTO customer_fts (customer_fts) VALUES ('rebuild')")
        # Row counts for the planner: without them SQLite takes "section_id = ?" for a
        # handful of rows and walks a whole section's sort_name index instead of the
        # matched ids (250 ms instead of 1 ms at 1 000 000 customers). A no-op when empty.
        migrator.sql("ANALYZE customer")
    else:
        migrator.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        migrator.sql(
            "CREATE INDEX customer_search_trgm ON customer"
            f" USING gin (({SEARCH_EXPRESSION}) gin_trgm_ops)"
        )
        # services/search.py asks the planner how common a term is; at the default
        # statistics target its estimates come in steps of 1 % of the rows (a term
        # matching 1.1 % was taken for 5 %), at 1000 they are within a few tenths.
        migrator.sql("ALTER INDEX customer_search_trgm ALTER COLUMN 1 SET STATISTICS 1000")
        migrator.sql("ANALYZE customer")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the search index (the pg_trgm extension stays: other objects may use it)."""
    if _is_sqlite(database):
        migrator.sql("DROP TRIGGER IF EXISTS customer_fts_update")
        migrator.sql("DROP TRIGGER IF EXISTS customer_fts_delete")
        migrator.sql("DROP TRIGGER IF EXISTS customer_fts_insert")
        migrator.sql("DROP TABLE IF EXISTS customer_fts")
    else:
        migrator.sql("DROP INDEX IF EXISTS customer_search_trgm")
