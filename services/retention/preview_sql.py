"""The one statement that counts a section's preview, built in named steps."""

import database
from services import customer_rows
from services.retention.conditions import _minimise_condition, child_rows, customer_fields


def _unused_condition():
    return ("(c.last_activity_at < :cutoff"
            " OR (c.last_activity_at IS NULL AND c.created_at < :cutoff))")


def _held_ids():
    """The ids of the held customers, from the JSON array ``:held`` (one parameter, however
    many ids)."""
    if database.is_sqlite():
        return "SELECT CAST(j.value AS INTEGER) AS id FROM json_each(:held) AS j"
    return ("SELECT CAST(j.value AS BIGINT) AS id"
            " FROM json_array_elements_text(CAST(:held AS json)) AS j(value)")


def _unused_rows():
    """The counted rows (``customer_rows``) of the section's unused customers, with their
    ids as ``id``; a customer without rows counts none.

    The condition of :func:`_unused_condition` split at its OR: the customers last active
    before the cut-off are one range of the counted rows' index of section and last
    activity (migration 043; on SQLite the index holds the counts too), no customer row and
    no lookup a customer; the never active ones (few) are looked up by creation time.
    """
    columns = ", ".join(f"r.{t}" for t in customer_rows.TABLES) + ", r.last_invoice_date"
    return (f"SELECT r.customer_id AS id, {columns} FROM customer_rows AS r"
            " WHERE r.section_id = :section AND r.last_activity_at < :cutoff"
            f" UNION ALL SELECT u.id, {columns} FROM customer AS u"
            " LEFT JOIN customer_rows AS r ON r.customer_id = u.id"
            " WHERE u.last_activity_at IS NULL AND u.created_at < :cutoff"
            " AND u.section_id = :section")


def _section_sql(pages, with_holds=False):
    """The one statement counting a section's preview (see the package's docstring).

    ``cand0`` reads the index of last activity and the invoices' index only, no customer
    row; ``cand`` marks which kept customers have anything to minimise. The customers'
    own fields are read only for those (a deleted customer's fields go with its row and
    are counted as the customer).

    ``with_holds``: the held customers (``:held``) are left out of ``cand0``, and those of
    them the purge would otherwise delete or minimise are returned as rows "held", looked
    up by id (few). Without holds the statement is as it was, not a step slower.
    """
    fields_of = _minimised_fields_of()
    parts = [_candidates(_anything_to_minimise(fields_of, counted=True), with_holds),
             _customer_counts(),
             _field_sums(fields_of)]
    parts += _row_counts()
    parts.append(_ids())
    if with_holds:
        parts.append(_held_rows(_anything_to_minimise(fields_of)))
    if pages is not None:
        parts += _pages()
    return parts[0] + " " + " UNION ALL ".join(parts[1:])


def _minimised_fields_of():
    """``{category: fields}`` of the customer's own fields a minimisation empties."""
    return {category: minimised for category, (_d, minimised) in customer_fields().items()
            if minimised}


_KEPT_INVOICE = ("EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = c.id"
                 " AND i.invoice_date >= :keep_from)")


def _is_counted(table):
    """Tell whether the candidates carry their count of ``table``'s rows (``c.n_table``):
    a table each customer's rows are counted of (``customer_rows``, migration 038)."""
    return table in customer_rows.TABLES


def _anything_to_minimise(fields_of, counted=False):
    """The conditions, one per table, that a kept customer ``c`` has anything to minimise.

    ``counted``: ``c`` is a candidate with its rows counted, and a table whose every row
    a minimisation removes is asked of its count, not looked into.
    """
    own_fields = " OR ".join(f"x.{f} IS NOT NULL" for fs in fields_of.values() for f in fs)
    # A kept customer not yet marked minimised (one minimised before the mark existed) is
    # minimised again, if only to be marked: then it is on no list.
    anything = [f"EXISTS (SELECT 1 FROM customer AS x WHERE x.id = c.id AND ({own_fields}"
                " OR x.minimised_at IS NULL))"]
    counts = []  # asked first: most kept customers have a contact, and OR stops there
    for model, _category, condition in child_rows():
        table = model._meta.table_name
        condition = _minimise_condition(condition)
        if counted and condition is None and _is_counted(table):
            counts.append(f"c.n_{table} > 0")
            continue
        where = f" AND {condition}" if condition else ""
        anything.append(f"EXISTS (SELECT 1 FROM {table} AS e"
                        f" WHERE e.customer_id = c.id{where})")
    return counts + anything


def _candidates(anything, with_holds):
    """The WITH clause: ``held`` (with holds), ``cand0``, ``cand``, ``mini`` and ``sums``.

    Each candidate comes with its counts of rows and the date of its newest invoice
    (``customer_rows``, kept by triggers): one row read per unused customer, where each
    was looked up in every table before. ``cand`` is written once; ``mini`` holds the
    customers to minimise (the few whose rows are looked into) and ``sums`` adds up
    every count in one reading of ``cand``.
    """
    held_cte = not_held = ""
    if with_holds:
        held_cte = "held AS MATERIALIZED (" + _held_ids() + "), "
        not_held = " WHERE c.id NOT IN (SELECT h.id FROM held AS h)"
    counts = "".join(f", COALESCE(c.{t}, 0) AS n_{t}" for t in customer_rows.TABLES)
    return (
        "WITH " + held_cte + "cand0 AS (SELECT c.id,"
        " CASE WHEN c.last_invoice_date >= :keep_from THEN 1 ELSE 0 END AS kept" + counts
        + " FROM (" + _unused_rows() + ") AS c" + not_held + "),"
        " cand AS MATERIALIZED (SELECT c.*, CASE WHEN c.kept = 1 AND ("
        + " OR ".join(anything) + ") THEN 1 ELSE 0 END AS minimise FROM cand0 AS c),"
        # In id order, so that each child table's index is read in order.
        " mini AS MATERIALIZED (SELECT id FROM cand WHERE minimise = 1 ORDER BY id),"
        " sums AS MATERIALIZED (" + _sums() + ")")


def _sums():
    """One row: the customers to delete, minimise and wait, and per counted table the rows
    a deletion removes (``d_table``) and, of a table a minimisation empties, the rows it
    removes (``m_table``)."""
    columns = ["SUM(1 - c.kept) AS d, SUM(c.minimise) AS m, SUM(c.kept - c.minimise) AS w"]
    for model, _category, condition in child_rows():
        table = model._meta.table_name
        if not _is_counted(table):
            continue
        columns.append(f"SUM(c.n_{table}) FILTER (WHERE c.kept = 0) AS d_{table}")
        if condition is None:
            columns.append(f"SUM(c.n_{table}) FILTER (WHERE c.minimise = 1) AS m_{table}")
    return "SELECT " + ", ".join(columns) + " FROM cand AS c"


def _customer_counts():
    return ("SELECT 'customers' AS tag, s.d AS d, s.m AS m, s.w AS w, CAST(NULL AS TEXT) AS x"
            " FROM sums AS s")


def _field_sums(fields_of):
    """The minimised customers' own fields per category, as text "n,n,…" in the order of
    ``fields_of``."""
    return ("SELECT 'fields', NULL, NULL, NULL, "
            + " || ',' || ".join(
                "CAST(COALESCE(SUM(CASE WHEN "
                + " OR ".join(f"x.{f} IS NOT NULL" for f in fs)
                + " THEN 1 ELSE 0 END), 0) AS TEXT)"
                for fs in fields_of.values())
            + " FROM mini AS c CROSS JOIN customer AS x WHERE x.id = c.id")


def _row_counts():
    """Per child table, the rows a deletion and a minimisation remove.

    A deleted customer's rows all go: their counts add up. So do a minimised customer's
    of a table it loses whole; of the others (a condition says which rows go) the kept
    customers' rows are looked into, a few thousand customers instead of every unused one.
    """
    parts = []
    for model, _category, condition in child_rows():
        table = model._meta.table_name
        condition = _minimise_condition(condition)
        if _is_counted(table):
            minimised = f"s.m_{table}" if condition is None else (
                f"(SELECT COUNT(*) FROM mini AS k CROSS JOIN {table} AS e"
                f" WHERE e.customer_id = k.id AND {condition})")
            parts.append(f"SELECT 'rows/{table}', s.d_{table}, {minimised}, NULL, NULL"
                         " FROM sums AS s")
            continue
        minimised = f"c.minimise = 1 AND {condition}" if condition else "c.minimise = 1"
        # CROSS JOIN: SQLite walks the candidates in id order and looks the rows up by index.
        parts.append(
            f"SELECT 'rows/{table}',"
            " SUM(CASE WHEN c.kept = 0 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {minimised} THEN 1 ELSE 0 END), NULL, NULL"
            f" FROM cand AS c CROSS JOIN {table} AS e"
            " WHERE e.customer_id = c.id")
    return parts


def _ids():
    """The ids of the customers to delete, then of those to minimise, each in id order:
    "id,id,…|id,id,…"."""
    if database.is_sqlite():
        deleted = ("(SELECT group_concat(p.id, ',') FROM (SELECT id FROM cand WHERE kept = 0"
                   " ORDER BY id) AS p)")
        minimised = ("(SELECT group_concat(p.id, ',') FROM (SELECT id FROM mini ORDER BY id)"
                     " AS p)")
    else:
        deleted = "(SELECT string_agg(CAST(id AS TEXT), ',' ORDER BY id) FROM cand WHERE kept = 0)"
        minimised = "(SELECT string_agg(CAST(id AS TEXT), ',' ORDER BY id) FROM mini)"
    return (f"SELECT 'ids', NULL, NULL, NULL,"
            f" COALESCE({deleted}, '') || '|' || COALESCE({minimised}, '')")


def _held_rows(anything):
    """Held, unused, and with something the purge would delete or minimise."""
    return ("SELECT 'held', c.id, NULL, NULL, NULL FROM customer AS c"
            " WHERE c.id IN (SELECT h.id FROM held AS h) AND c.section_id = :section AND "
            + _unused_condition() + " AND (NOT " + _KEPT_INVOICE + " OR "
            + " OR ".join(anything) + ")")


def _pages():
    return ["SELECT 'delete_page', p.id, NULL, NULL, NULL FROM (SELECT id FROM cand"
            " WHERE kept = 0 ORDER BY id LIMIT :limit OFFSET :offset) AS p",
            "SELECT 'minimise_page', p.id, NULL, NULL, NULL FROM (SELECT id FROM cand"
            " WHERE minimise = 1 ORDER BY id LIMIT :limit OFFSET :moffset) AS p"]
