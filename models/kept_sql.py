"""The text of a plain select kept per shape: peewee writes each statement anew, node by
node, about 60–100 µs for a simple one, and a page runs some twenty.

A select is plain when it is made of the model's fields (not aliases), its tables and
joins on conditions, a WHERE of comparisons of fields with values (``=``, ``<``, ``IN``,
``IS NULL`` …) joined by AND and OR, literal SQL without parameters, an ORDER BY of fields
and a LIMIT and OFFSET: what the pages mostly ask. Its **shape** is all of that but the
values — which fields, operators, tables and joins in which order, how many values an
``IN`` has — and it decides the text peewee writes, aliases included. ``shape(query)``
walks the query once and returns the shape and the values as peewee would bind them (each
converted by its field's ``db_value``, as peewee converts it); anything else in a query
(a function, a subquery, a model alias, GROUP BY …) makes it not plain, and peewee writes
it as before.

``models/base.py`` ``KeptColumnsSelect`` keeps the text of the first statement of each
shape, checked against peewee's own values, and writes later ones as that text with their
values. With ``VERIFY`` (the test suite sets it) every statement is also written by
peewee and compared, so that the whole suite checks every shape the register uses.
"""

import datetime
import decimal
import uuid

import peewee as pw

# The values a shape binds as they are (peewee binds them the same way).
SCALARS = (str, int, float, bool, bytes, decimal.Decimal, datetime.date, datetime.time,
           uuid.UUID, type(None))


class NotPlain(Exception):
    """The query holds something a shape does not describe: peewee writes it."""


def shape(query):
    """Return ``(shape, values)`` of the select ``query``; raise NotPlain."""
    if (query._cte_list or query._group_by or query._having is not None
            or query._windows is not None or query._distinct is not None
            or query._simple_distinct or query._for_update is not None or query._lateral):
        raise NotPlain()
    key, values = [query.model, query._is_default], []
    for field in query._returning:  # the model's fields, when it is its default selection
        key.append(_field(field))
    key.append("FROM")
    for source in query._from_list:
        _source(source, key, values)
    if query._where is not None:
        key.append("WHERE")
        _node(query._where, key, values, None)
    key.append("ORDER")
    for node in query._order_by or ():
        _ordering(node, key)
    for part in (query._limit, query._offset):
        if part is not None and type(part) is not int:
            raise NotPlain()
        key.append(part is not None)
        if part is not None:
            values.append(part)
    return tuple(key), values


def _field(node):
    if not isinstance(node, pw.Field) or isinstance(node, pw.FieldAlias):
        raise NotPlain()
    return (node.model, node.name, node._coerce)


def _source(node, key, values):
    if isinstance(node, pw.Join):
        key.append(("JOIN", node.join_type))
        _source(node.lhs, key, values)
        _source(node.rhs, key, values)
        if node._on is not None:
            _node(node._on, key, values, None)
        key.append("ON-END")
    elif isinstance(node, pw.ModelBase):
        key.append(node)
    elif isinstance(node, pw.Table) and not node._alias and getattr(node, "_model", None):
        key.append(node._model)
    else:
        raise NotPlain()


def _ordering(node, key):
    if isinstance(node, pw.Ordering):
        if node.collation or node.nulls:
            raise NotPlain()
        key.append((_field(node.node), node.direction))
    else:
        key.append(_field(node))


def _node(node, key, values, converter):
    """Add ``node`` of a condition: its shape to ``key``, its bound values to ``values``;
    ``converter`` is what peewee converts a value with there (the compared field's)."""
    kind = type(node)
    if kind is pw.Expression:
        _expression(node, key, values)
    elif isinstance(node, pw.Field):
        key.append(_field(node))
    elif kind is pw.SQL and not node.params:
        key.append(("SQL", node.sql))
    elif kind is pw.Value and not node.multi:
        key.append("?")
        own = node.converter if node.converter is not None else converter
        values.append(_bound(node.value, own or None))  # False: none, as peewee
    elif not isinstance(node, pw.Node) and isinstance(node, SCALARS):
        key.append("?")
        values.append(_bound(node, converter))
    else:
        raise NotPlain()


def _expression(node, key, values):
    lhs, op, rhs = node.lhs, node.op, node.rhs
    converter = lhs.db_value if isinstance(lhs, pw.Field) and lhs._coerce else None
    key.append(("(", op, node.flat))
    _node(lhs, key, values, None)
    if op in (pw.OP.IN, pw.OP.NOT_IN):
        if not isinstance(rhs, (list, tuple, set, frozenset)):
            raise NotPlain()
        items = list(rhs)
        if any(isinstance(item, pw.Node) for item in items):
            raise NotPlain()
        key.append(("IN", len(items)))  # none: peewee writes 0 = 1
        values.extend(_bound(item, converter) for item in items)
    elif rhs is None and op in (pw.OP.IS, pw.OP.IS_NOT):
        key.append("NULL")
    else:
        _node(rhs, key, values, converter)
    key.append(")")


def _bound(value, converter):
    bound = converter(value) if converter else value
    if isinstance(bound, pw.Node) or not isinstance(bound, SCALARS):
        raise NotPlain()
    return bound
