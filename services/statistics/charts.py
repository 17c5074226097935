"""A monthly series of a published table as a bar chart: each bar's height and kind.

A bar is drawn from what the table publishes, never from a hidden value. A count shown
as "< 5" is a bar of its own kind ("small"), drawn as tall as 4 would be but never so low
that it vanishes, so that a chart of small counts does not read as an empty one; a cell
hidden to protect another ("..") is a bar of the kind "hidden", drawn as an outline of
the least height. The page marks both with a pattern and their label, not by colour alone,
and says in words what the chart shows (its highest month and how many are not numbers).
"""

from dataclasses import dataclass, field

from services.statistics.tables import SHOWN_SMALL, SMALL

# A bar that is not a number is drawn at least this high, as a share of the tallest.
LEAST_SHARE = 0.12
# A "< 5" bar when no month has a number to compare it with.
SMALL_ALONE_SHARE = 0.3


@dataclass
class Bar:
    label: str  # the row: a month "2026-11"
    value: object  # the number, or None when the cell is hidden
    text: str  # the cell as published: a number formatted for the page, "< 5" or ".."
    kind: str  # "number", "small" or "hidden"
    share: float = 0.0  # the bar's height as a share of the chart's


@dataclass
class Chart:
    bars: list
    highest: object = None  # the Bar of the greatest number (the first of equals), or None
    counts: dict = field(default_factory=dict)  # kind → how many bars


def chart(table, column, text_of):
    """Return the bars of ``column`` over the table's rows; ``text_of`` formats a cell."""
    bars = []
    for row in table.rows:
        shown = table.shown(row, column)
        if isinstance(shown, str):
            kind = "small" if shown == SHOWN_SMALL else "hidden"
            bars.append(Bar(row, None, shown, kind))
        else:
            bars.append(Bar(row, shown, text_of(shown), "number"))
    numbers = [bar for bar in bars if bar.kind == "number"]
    top = max((float(bar.value) for bar in numbers), default=0.0)
    for bar in bars:
        bar.share = _share(bar, top)
    highest = max(numbers, key=lambda bar: bar.value, default=None)
    if highest is not None and not highest.value:
        highest = None  # every month a zero: nothing is highest
    counts = {kind: sum(1 for bar in bars if bar.kind == kind)
              for kind in ("number", "small", "hidden")}
    return Chart(bars, highest, counts)


def _share(bar, top):
    if bar.kind == "number":
        return float(bar.value) / top if top else 0.0
    if bar.kind == "hidden":
        return LEAST_SHARE
    if not top:
        return SMALL_ALONE_SHARE
    return min(1.0, max((SMALL - 1) / top, LEAST_SHARE))
