"""Many rows inserted at once, the statement written here rather than by ``insert_many``:
peewee builds a node per value, which took most of the time of a bulk insert (three
quarters of it for 100 000 demo customers; half of an import batch's store). The values
still pass through each field's ``db_value``, as peewee would pass them."""

from models import db

# SQLite binds at most 32 766 parameters per statement; PostgreSQL takes the same.
MAX_PARAMETERS = 32766


def insert_rows(model, fields, rows, returning=False):
    """Insert ``rows`` (tuples in the order of ``fields``, peewee fields of ``model``) in
    statements under the parameter limit. With ``returning``, return the new ids in the
    rows' order (RETURNING, SQLite 3.35 and later too: the ids come back in no promised
    order, but one statement numbers its rows in order from one sequence, so sorted they
    are the rows')."""
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
    tail = f' RETURNING "{model._meta.primary_key.column_name}"' if returning else ""
    group = "(" + ", ".join([db.param] * len(fields)) + ")"
    converters = [field.db_value for field in fields]
    size = max(1, MAX_PARAMETERS // max(len(fields), 1))
    ids = []
    for start in range(0, len(rows), size):
        batch = rows[start:start + size]
        params = [convert(value) for row in batch
                  for convert, value in zip(converters, row)]
        cursor = db.execute_sql(head + ", ".join([group] * len(batch)) + tail, params)
        if returning:
            ids += sorted(row[0] for row in cursor.fetchall())
    return ids


def insert_dicts(model, rows, returning=False, leave_out=()):
    """Insert ``rows`` (dicts of field name → value; a field one row has and another not
    is NULL in the other) as ``insert_rows`` does, the fields of ``leave_out`` (such as an
    id the database numbers) left out; with ``returning``, return the new ids in order."""
    if not rows:
        return []
    names = sorted({name for row in rows for name in row if name not in leave_out})
    return insert_rows(model, [model._meta.fields[name] for name in names],
                       [tuple(row.get(name) for name in names) for row in rows],
                       returning=returning)
