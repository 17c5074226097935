"""The statistics charts (services/statistics/charts.py): a count shown as "< 5" is a
marked bar of its own with its label, never a missing one, the chart has a legend and says
in words what it shows, and its table stays — on SQLite and PostgreSQL."""

import datetime
import re

import pytest

from models import Customer, Section
from services import statistics as stats
from services.localtime import helsinki_today


def _series(values):
    """A protected table of months × one section, as the new customers are."""
    months = [f"2026-{m:02d}" for m in range(1, len(values) + 1)]
    table = stats.Table("new_customers", months, ["tourism"],
                        {(m, "tourism"): v for m, v in zip(months, values)})
    return stats.protect(table)


def test_a_small_count_is_a_visible_bar_marked_small():
    drawn = stats.chart(_series([120, 3, 0, 60]), stats.TOTAL, str)
    kinds = [(bar.label, bar.kind, bar.text) for bar in drawn.bars]
    assert ("2026-02", "small", "< 5") in kinds
    small = next(bar for bar in drawn.bars if bar.kind == "small")
    assert small.value is None  # never the hidden number
    assert small.share >= 0.1  # tall enough to be seen beside 120
    assert next(bar for bar in drawn.bars if bar.label == "2026-03").share == 0
    assert drawn.highest.label == "2026-01" and drawn.counts["small"] == 1


def test_a_chart_of_small_counts_only_is_not_empty():
    drawn = stats.chart(_series([2, 3, 0, 4]), stats.TOTAL, str)
    small = [bar for bar in drawn.bars if bar.kind == "small"]
    assert len(small) == 3 and all(bar.share > 0 for bar in small)
    assert drawn.highest is None  # no month's number is known above zero


def test_a_hidden_cell_is_an_outline_bar_without_its_value():
    table = stats.protect(stats.Table(
        "t", ["2026-01", "2026-02", "2026-03"], ["a", "b"],
        {("2026-01", "a"): 3, ("2026-01", "b"): 40, ("2026-02", "a"): 50,
         ("2026-02", "b"): 2, ("2026-03", "a"): 30, ("2026-03", "b"): 30}))
    drawn = stats.chart(table, "a", str)
    assert {bar.kind for bar in drawn.bars} >= {"small"}
    for bar in drawn.bars:
        assert (bar.value is None) == (bar.kind != "number")
        assert bar.text == str(table.shown(bar.label, "a"))


def figure(page, key):
    """Return the markup of chart ``key`` on the statistics page, its legend included."""
    chart = page[page.index(f'id="chart-{key}-caption"'):]
    return chart[:chart.index("</figure>")]


@pytest.fixture
def small_months(app):
    """Three tourism customers last month, twelve this month (the register's own clock)."""
    tourism = Section.get(code="tourism")
    this = helsinki_today().replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    for month, count in ((last, 3), (this, 12)):
        at = datetime.datetime.combine(month, datetime.time(10))
        for i in range(count):
            Customer.create(section=tourism, kind="person", first_name=f"Etu{i}",
                            last_name="Pieni", created_at=at)
    return last, this


@pytest.mark.clock
def test_the_page_draws_the_small_month_marked_with_legend_summary_and_table(
        client, logged_in_user, small_months):
    last, this = small_months
    logged_in_user("controller", "controller")
    page = client.get(f"/statistics/?section=tourism&first={last:%Y-%m}"
                      f"&last={this:%Y-%m}").get_data(as_text=True)
    chart = figure(page, "new_customers")
    assert re.search(r'class="stat-bar stat-bar-small" data-label="&lt; 5"[^>]*'
                     r'fill="url\(#hatch-new_customers\)"', chart)
    assert '<pattern id="hatch-new_customers"' in chart
    assert "Vinoviivoitettu pylväs, ”&lt; 5”: lukumäärä 1–4" in chart  # the legend
    # This month's 12 is shown: the period's total is hidden instead (15 would give last
    # month's 3), as another period would show this month's 12 on its own.
    # With a small month, the highest is said of the months shown as numbers.
    summary = (f"Suurin lukuna näytetyistä kuukausista: {this:%Y-%m} (12). "
               "Kuukausia, joiden luku on 1–4 (näytetään muodossa ”&lt; 5”): 1.")
    assert f'<p id="chart-new_customers-summary" class="small mb-1" aria-hidden="true">' \
           f'{summary}</p>' in chart
    assert "stat-bar-hidden" not in chart
    assert f"<title>{this:%Y-%m}: 12</title>" in chart
    # The chart's description, read by screen readers, says it too, naming the table of
    # the same numbers as the page titles it.
    assert re.search(r'<desc id="chart-new_customers-desc">[^<]*' + re.escape(summary), chart)
    desc = re.search(r'<desc id="chart-new_customers-desc">([^<]*)', chart).group(1)
    named = re.search(r"taulukossa ”([^”]+)”", desc).group(1)
    assert f'<h2 id="table-new_customers" class="h5">{named}</h2>' in page
    # And the table stays, with the same cell, and the total hidden.
    table = page[page.index('id="table-new_customers"'):]
    assert re.search(rf'<th scope="row">{last:%Y-%m}</th>\s*<td class="text-right">&lt; 5</td>',
                     table)
    assert re.search(r'<th scope="row">Yhteensä</th>\s*<td class="text-right">\.\.</td>',
                     table)


@pytest.mark.clock
def test_a_chart_without_hidden_cells_has_no_legend(client, logged_in_user, small_months):
    _last, this = small_months
    logged_in_user("controller", "controller")
    page = client.get(f"/statistics/?section=tourism&first={this:%Y-%m}"
                      f"&last={this:%Y-%m}").get_data(as_text=True)
    chart = figure(page, "new_customers")
    assert "stat-bar-small" not in chart and "stat-legend" not in chart
    assert f"Suurin: {this:%Y-%m} (12)." in chart


def test_the_words_of_a_chart_with_months_not_shown_as_numbers_are_true(app):
    """A hidden month may be the highest, a small one is above zero: said of the months
    shown as numbers."""
    from admin_views.statistics import _summary
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        drawn = stats.chart(_series([0, 3, 0, 0]), stats.TOTAL, str)
        assert _summary(drawn).startswith("No month shown as a number is above zero.")
        drawn = stats.chart(_series([0, 0, 0, 0]), stats.TOTAL, str)
        assert _summary(drawn) == "No month above zero."
        drawn = stats.chart(_series([120, 3, 0, 60]), stats.TOTAL, str)
        assert _summary(drawn).startswith("Highest of the months shown as numbers: 2026-01")
        drawn = stats.chart(_series([120, 30, 0, 60]), stats.TOTAL, str)
        assert _summary(drawn) == "Highest: 2026-01 (120)."
