"""A statistics table and its protection: small counts hidden, and enough of the other
cells that no hidden one can be computed back (the package's docstring says how), from
this table alone or with the tables of the page's other choices (``Table.varies``)."""

import decimal
from dataclasses import dataclass, field


# Counts below this (and above zero) are hidden, as are sums over fewer customers.
SMALL = 5
# The key of the total row and column, and of the row of free-text names too rare to show:
# no section code or typed name can be either (a NUL byte is never stored). A section
# coded "total" or a service named so was summed over by its own total.
TOTAL = "\x00total"
UNKNOWN = ""  # the row of customers with no postal code
OTHER = "\x00other"

# How a hidden cell reads: a small count, or a value hidden to protect one.
SHOWN_SMALL = "< 5"
SHOWN_HIDDEN = ".."

DEFAULT_MONTHS = 12


# --- the tables ----------------------------------------------------------------------


@dataclass
class Table:
    """One statistic: rows × columns of numbers with their totals, some cells hidden.

    ``values`` maps (row, column) to a number, with ``TOTAL`` as the row or column key
    of the totals; ``hidden`` maps each hidden cell to "small" (a count of 1–4) or
    "protect" (hidden so that a small one cannot be computed back).
    """

    key: str
    rows: list
    columns: list
    values: dict
    kind: str = "count"  # or "sum"
    row_totals: bool = True  # a total column (each row's cells add up to it)
    column_totals: bool = True  # a total row
    # For sums: how many customers each cell sums over.
    contributors: dict = field(default_factory=dict)
    # Columns of a sum table that hold counts (hidden by the count rule).
    count_columns: tuple = ()
    # The axes ("rows", "columns") whose keys the page's choices change: the months of the
    # period, the sections chosen. A line running along such an axis adds up parts that
    # other choices publish on their own (another period's months, one section), so a
    # hidden part is never partnered by another part there but by the line's total; a
    # line along the other axis is partnered within itself, the same whatever is chosen.
    varies: tuple = ()
    # Cells hidden before this table's own rules: those hidden in the sections' own
    # tables, of a table adding the sections up.
    inherited: frozenset = frozenset()
    hidden: dict = field(default_factory=dict)

    def row_keys(self):
        return list(self.rows) + ([TOTAL] if self.column_totals else [])

    def column_keys(self):
        return list(self.columns) + ([TOTAL] if self.row_totals else [])

    def shown(self, row, column):
        """Return the cell as published: its number, "< 5" or ".."."""
        state = self.hidden.get((row, column))
        if state == "small":
            return SHOWN_SMALL
        if state:
            return SHOWN_HIDDEN
        return self.values.get((row, column), 0)

    def published(self):
        """Return every cell as published, {(row, column): shown}: what may leave."""
        return {(r, c): self.shown(r, c) for r in self.row_keys() for c in self.column_keys()}


def _lines(table):
    """Return the table's additive relations: (cells, total cell) pairs."""
    lines = []
    rows, columns = list(table.rows), list(table.columns)
    if table.row_totals:
        for r in table.row_keys():
            lines.append(([(r, c) for c in columns], (r, TOTAL)))
    if table.column_totals:
        for c in table.column_keys():
            lines.append(([(r, c) for r in rows], (TOTAL, c)))
    return lines


def _complete(table):
    """Fill absent cells with zero and compute the totals."""
    values = table.values
    for r in table.rows:
        for c in table.columns:
            values.setdefault((r, c), 0)
    zero = decimal.Decimal(0) if table.kind == "sum" else 0
    if table.row_totals:
        for r in table.rows:
            values[(r, TOTAL)] = sum((values[(r, c)] for c in table.columns), zero)
            _sum_contributors(table, (r, TOTAL), [(r, c) for c in table.columns])
    if table.column_totals:
        for c in table.column_keys():
            # A count column of a sum table adds up to a count (6 invoices, not 6.00).
            start = 0 if c in table.count_columns else zero
            values[(TOTAL, c)] = sum((values[(r, c)] for r in table.rows), start)
            _sum_contributors(table, (TOTAL, c), [(r, c) for r in table.rows])


def _sum_contributors(table, total, cells):
    # An upper bound is enough: a total over many cells is over at least as many customers
    # as its largest cell, and the largest cell's count decides whether it is small.
    if table.contributors:
        table.contributors.setdefault(total, max((table.contributors.get(c, 0) for c in cells),
                                                 default=0))


def _primary(table):
    """Return the cells hidden for their own sake."""
    hidden = {}
    for cell, value in table.values.items():
        customers = table.contributors.get(cell)
        if table.kind == "count" or cell[1] in table.count_columns:
            if 0 < value < SMALL:
                hidden[cell] = "small"
            elif customers is not None and 0 < customers < SMALL:
                hidden[cell] = "protect"  # six invoices of one customer are theirs
        elif 0 < (customers or 0) < SMALL or (not customers and value):
            hidden[cell] = "protect"
    return hidden


def protect(table):
    """Hide the table's small cells and enough others; return the table."""
    _complete(table)
    hidden = _primary(table)
    for cell in table.inherited:
        if cell in table.values:
            hidden.setdefault(cell, "protect")
    lines = _lines(table)
    while True:
        # A part hidden as a partner hides its totals over a varying axis in turn.
        count = None
        while count != len(hidden):
            count = len(hidden)
            _totals_of_varying_lines(table, hidden)
            _two_per_line(table, hidden, lines)
        if not _may_be_determined(table, hidden):
            break
        determined = _determined_cells(hidden, lines)
        if not determined:
            break
        cell = determined[0]
        line = next(line for line in lines if cell in line[0] or cell == line[1])
        _hide_one_more(table, hidden, line)
    table.hidden = hidden
    return table


def _varying_lines(table):
    """Return the lines running along an axis in ``table.varies``: (cells, total)."""
    rows, columns = list(table.rows), list(table.columns)
    found = []
    if table.row_totals and "columns" in table.varies:
        found += [([(r, c) for c in columns], (r, TOTAL)) for r in table.row_keys()]
    if table.column_totals and "rows" in table.varies:
        found += [([(r, c) for r in rows], (TOTAL, c)) for c in table.column_keys()]
    return found


def _is_varying(table, line):
    """Tell whether ``line`` (cells, total) runs along an axis in ``table.varies``: a row's
    line (its total in the total column) along the columns, a column's along the rows."""
    cells, total = line
    along_columns = bool(cells) and total == (cells[0][0], TOTAL)
    return ("columns" if along_columns else "rows") in table.varies


def _totals_of_varying_lines(table, hidden):
    """Hide the total of each line along a varying axis with a hidden part, until none is
    left: a total over a period (or the sections) is published by other choices too, as
    is each part, so only the total can keep a part from being its difference."""
    lines = _varying_lines(table)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if total not in hidden and any(c in hidden for c in cells):
                hidden[total] = "protect"
                changed = True


def _hide(table, hidden, cell):
    """Hide ``cell`` as a partner, and the totals over a varying axis that it is a part of
    (and theirs in turn), at once: a partner picked next must see them hidden."""
    hidden[cell] = "protect"
    row, column = cell
    if "rows" in table.varies and table.column_totals and row != TOTAL:
        if (TOTAL, column) not in hidden:
            _hide(table, hidden, (TOTAL, column))
    if "columns" in table.varies and table.row_totals and column != TOTAL:
        if (row, TOTAL) not in hidden:
            _hide(table, hidden, (row, TOTAL))


def _two_per_line(table, hidden, lines):
    """Hide more until no line has exactly one hidden cell."""
    members = [(line, line[0] + [line[1]]) for line in lines]  # (line, its cells and total)
    changed = True
    while changed:
        changed = False
        for line, cells in members:
            if sum(map(hidden.__contains__, cells)) == 1:
                _hide_one_more(table, hidden, line)
                changed = True


def _hide_one_more(table, hidden, line):
    """Hide the line's smallest visible part (non-zero first), else its total; the total
    first on a line along a varying axis (``_totals_of_varying_lines``)."""
    cells, total = line
    visible = [c for c in cells if c not in hidden]
    if _is_varying(table, line) and total not in hidden:
        pick = total
    elif visible:
        pick = min(visible, key=lambda c: (table.values[c] == 0, abs(table.values[c]), str(c)))
    elif total not in hidden:
        pick = total
    else:
        return
    _hide(table, hidden, pick)


def _may_be_determined(table, hidden):
    """Tell whether a hidden cell might be computed back; False only when none can.

    With both totals, write each total cell with its sign flipped: then every row and
    every column of the table with its totals sums to zero. The hidden cells are edges of
    a graph between the rows and the columns (the totals' row and column among them); a
    change of hidden values that keeps every sum is a flow around the graph's cycles, so a
    hidden cell is determined exactly when its edge lies on no cycle (a bridge). Finding
    none takes one walk of the graph, where the exact check below solves the system: a
    table of every postal area (thousands of hidden cells) is protected in about 40 ms
    instead of 275. When there are bridges, the exact check decides which cell to hide
    next, as before.
    """
    if not (table.row_totals and table.column_totals) or not hidden:
        return bool(hidden)
    return _has_bridge(hidden)


def _has_bridge(cells):
    """Tell whether the graph whose edges are ``cells`` (row, column) has a bridge."""
    # Rows and columns numbered 0, 1, …, each with its list of (other end, edge number).
    nodes = {}
    neighbours = []
    for number, (row, column) in enumerate(cells):
        ends = []
        for node in (("row", row), ("column", column)):
            if node not in nodes:
                nodes[node] = len(neighbours)
                neighbours.append([])
            ends.append(nodes[node])
        a, b = ends
        neighbours[a].append((b, number))
        neighbours[b].append((a, number))
    order = [-1] * len(neighbours)  # when the walk came to each node (-1: not yet)
    low = [0] * len(neighbours)  # the earliest node reachable without its edge in
    counter = 0
    for start in range(len(neighbours)):
        if order[start] >= 0:
            continue
        order[start] = low[start] = counter
        counter += 1
        # Depth first without recursion: (node, the edge it was reached by, its next edge).
        stack = [(start, -1, iter(neighbours[start]))]
        while stack:
            node, via, edges = stack[-1]
            for other, number in edges:
                if number == via:
                    continue
                if order[other] >= 0:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append((other, number, iter(neighbours[other])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    if low[node] > order[parent]:
                        return True  # the edge parent–node is on no cycle
                    low[parent] = min(low[parent], low[node])
    return False


def _determined_cells(hidden, lines):
    """Return the hidden cells whose value the visible cells and the totals determine.

    Each line says: sum of its cells − its total = 0. With the visible values moved to
    the right-hand side, the hidden cells are unknowns of a linear system; an unknown is
    determined when its unit vector lies in the row space of the system's matrix, that
    is, in the reduced row echelon form its pivot row has no free column. The matrix has
    entries 0 and ±1; its rank is computed modulo a large prime.
    """
    unknowns = sorted(hidden, key=str)
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    for cells, total in lines:
        row = {}
        for c in cells:
            if c in index:
                row[index[c]] = 1
        if total in index:
            row[index[total]] = _P - 1
        if row:
            equations.append(row)
    pivots = _reduce(equations)
    return [unknowns[col] for col, row in pivots.items() if set(row) == {col}]


_P = (1 << 61) - 1  # a Mersenne prime


def _reduce(equations):
    """Return the reduced row echelon form of sparse rows mod _P as {pivot column: row}."""
    pivots = {}
    for row in equations:
        row = dict(row)
        # Eliminate the existing pivots from the new row.
        for col in [c for c in row if c in pivots]:
            if col in row:
                _subtract(row, pivots[col], row[col])
        while row:
            col = min(row)
            if col in pivots:
                _subtract(row, pivots[col], row[col])
                continue
            inverse = pow(row[col], _P - 2, _P)
            row = {c: v * inverse % _P for c, v in row.items()}
            # Keep the form reduced: clear the new pivot column from the other rows.
            for other in pivots.values():
                if col in other:
                    _subtract(other, row, other[col])
            pivots[col] = row
            break
    return pivots


def _subtract(row, pivot_row, factor):
    """row -= factor × pivot_row (mod _P), dropping zeros."""
    for c, v in pivot_row.items():
        value = (row.get(c, 0) - factor * v) % _P
        if value:
            row[c] = value
        else:
            row.pop(c, None)
