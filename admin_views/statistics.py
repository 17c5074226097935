"""Statistics for annual reports and research (seed §5, §8): tables, charts, CSV and XLSX.

Counts and sums only, small cells hidden (services/statistics/). The controller, the
responsible person and the handlers may read and export them; every export is audited.
"""

import datetime
import functools

from babel import numbers
from flask import request
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form, SelectField, StringField
from wtforms.validators import Optional, Regexp, StopValidation

from admin_views.base import SecureBaseView, download, user_sections
from database import write_transaction
from models import Section
from services import audit, policy
from services import statistics as stats
from services.errors import RegisterError
from services.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from services.vocabulary.customers import (
    CHANNEL_LABELS,
    CUSTOMER_KIND_LABELS,
    CUSTOMER_LANGUAGE_LABELS,
    DIRECTION_LABELS,
    INVOICE_COLUMN_LABELS,
    STATISTIC_ROW_LABELS,
    STATISTIC_TITLES,
)

# The charts: which table, which column's values over its rows.
CHARTS = (
    ("new_customers", stats.TOTAL, _l("New customers per month, all shown sections")),
    ("contact_events", stats.TOTAL, _l("Contacts per month")),
    ("invoicing", "invoiced", _l("Invoiced per month (€)")),
)

MONTH = r"\A[0-9]{4}-(0[1-9]|1[0-2])\Z"  # \Z: "$" would let a final line break by


def _month_in_range(form, field):
    """A month the statistics can count (``stats.parse_month`` holds the years)."""
    if field.errors:  # not even written as a month: that message says it
        return
    try:
        stats.parse_month(field.data)
    except RegisterError as e:
        raise StopValidation(_(e.message, **e.params)) from None


class StatisticsForm(Form):
    # No Optional(): it would let a blank " " past the choices (it clears their error).
    section = SelectField(_l("Section"), default="")
    first = StringField(_l("From month"), validators=[
        Optional(), Regexp(MONTH, message=_l("Give the month as year and month, e.g. 2026-01.")),
        _month_in_range])
    last = StringField(_l("To month"), validators=[
        Optional(), Regexp(MONTH, message=_l("Give the month as year and month, e.g. 2026-12.")),
        _month_in_range])


def _form_error(form):
    """Return what is wrong with the choices, said of the field it is wrong in."""
    if "section" in form.errors:  # an old link, or a section not the user's
        return _("The section is not one whose statistics you read; the statistics of "
                 "every section you read are shown. Choose the section from the list.")
    return _("Check the period: %(errors)s",
             errors=" ".join(str(e) for errors in form.errors.values() for e in errors))


class StatisticsView(SecureBaseView):
    """Counts and sums of the register, with no personal data."""

    capability = "read_statistics"

    @expose("/")
    def index(self):
        form, filters, error = self._filters()
        tables = stats.build(filters)
        locale = str(get_locale())
        return self.render(
            "statistics/index.html",
            form=form,
            error=error,
            filters=filters,
            tables=[self._present(key, table, locale) for key, table in tables.items()],
            charts=self._charts(tables),
            shown_small=stats.SHOWN_SMALL,
            shown_hidden=stats.SHOWN_HIDDEN,
            total_key=stats.TOTAL,
        )

    @expose("/export.<fmt>")
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            return self.render("error.html", code=404), 404
        _form, filters, _error = self._filters()
        tables = stats.build(filters)
        locale = str(get_locale())
        sections = [self._rows_for_export(key, table, locale) for key, table in tables.items()]
        with write_transaction():
            audit.record("export", current_user, object_type="statistics",
                         object_id=f"{filters.start:%Y-%m}..{_last_month(filters):%Y-%m}",
                         section=filters.section)
        name = f"statistics-{filters.start:%Y-%m}-{_last_month(filters):%Y-%m}"
        if filters.section:
            name += f"-{filters.section}"
        if fmt == "csv":
            return download(stats.to_csv(sections, legend=self._legend()), f"{name}.csv",
                            CSV_CONTENT_TYPE)
        return download(stats.to_xlsx(sections, legend=self._legend()), f"{name}.xlsx",
                        XLSX_CONTENT_TYPE)

    # --- helpers ------------------------------------------------------------------

    def _filters(self):
        """Return the form, the filters it gives (defaults where empty) and an error."""
        locale = str(get_locale())
        form = StatisticsForm(request.args)
        # A handler reads the statistics of their own sections: sections are registers
        # of their own, their sums too.
        every = policy.may(current_user, "read_all_sections")
        readable = sorted(user_sections(), key=lambda s: s.code)
        within = None if every else tuple(s.code for s in readable)
        form.section.choices = [("", _("All sections") if every else _("All your sections"))] \
            + [(s.code, s.name_in(locale)) for s in readable]
        defaults = stats.default_filters(within=within)
        error = None
        if not form.validate():
            return form, defaults, _form_error(form)
        section = form.section.data or None
        first = form.first.data or f"{defaults.start:%Y-%m}"
        last = form.last.data or f"{_last_month(defaults):%Y-%m}"
        if first > last:
            return form, defaults, _("The first month is after the last; showing the last "
                                     "twelve months.")
        filters = stats.month_range(first, last, section=section, within=within)
        if len(filters.months()) > 120:
            return form, defaults, _("Choose a period of at most ten years.")
        return form, filters, error

    def _names(self, key, locale):
        """Return functions naming the rows and the columns of table ``key``."""
        sections = {s.code: s.name_in(locale) for s in Section.select()}

        def label(labels):
            return lambda code: str(labels.get(code, code))

        def channel(code):
            if code == stats.TOTAL:
                return _("Total")
            ch, direction = code.split("/")
            return f"{CHANNEL_LABELS.get(ch, ch)}: {DIRECTION_LABELS.get(direction, direction)}"

        def with_total(name):
            return lambda code: _("Total") if code == stats.TOTAL else name(code)

        section_name = with_total(label(sections))
        month = with_total(lambda code: code)
        postal = with_total(lambda code: code or _("Unknown"))

        def service(name):
            if name == stats.OTHER:
                return _("Other services (each bought by fewer than %(small)s customers)",
                         small=stats.SMALL)
            return name
        rows = {"customers_by_kind": section_name, "customers_by_language": section_name,
                "customers_by_postal_area": postal, "new_customers": month,
                "contact_events": month, "purchases": with_total(service),
                "invoicing": month}[key]
        columns = {"customers_by_kind": with_total(label(CUSTOMER_KIND_LABELS)),
                   "customers_by_language": with_total(label(CUSTOMER_LANGUAGE_LABELS)),
                   "customers_by_postal_area": section_name, "new_customers": section_name,
                   "contact_events": channel, "purchases": month,
                   "invoicing": with_total(label(INVOICE_COLUMN_LABELS))}[key]
        return rows, columns

    def _present(self, key, table, locale):
        rows, columns = self._names(key, locale)
        write = _number_writer(locale)
        return {
            "key": key,
            "title": STATISTIC_TITLES[key],
            "row_label": STATISTIC_ROW_LABELS[key],
            "columns": [(c, columns(c)) for c in table.column_keys()],
            "rows": [(r, rows(r), [_written(table.shown(r, c), write)
                                   for c in table.column_keys()])
                     for r in table.row_keys()],
            "hidden": len(table.hidden),
            "long": len(table.rows) > 40,
        }

    def _rows_for_export(self, key, table, locale):
        rows, columns = self._names(key, locale)
        return stats.table_rows(table, str(STATISTIC_TITLES[key]),
                                str(STATISTIC_ROW_LABELS[key]), rows, columns)

    def _legend(self):
        return [_("%(small)s: from 1 to 4.", small=stats.SHOWN_SMALL),
                _("%(hidden)s: hidden so that a small number cannot be calculated from the "
                  "totals.", hidden=stats.SHOWN_HIDDEN)]

    def _charts(self, tables):
        charts = []
        for key, column, title in CHARTS:
            table = tables.get(key)
            if table is None:
                continue
            drawn = stats.chart(table, column, _format)
            charts.append({"key": key, "title": title, "bars": drawn.bars,
                           "table_title": STATISTIC_TITLES[key],
                           "counts": drawn.counts, "summary": _summary(drawn)})
        return charts


def _summary(drawn):
    """Say in words what a chart shows: its highest month, and the months not numbers."""
    parts = []
    # With months not shown as numbers, what is said is of the months shown as numbers:
    # a hidden month may be the highest, a small one is above zero.
    partly = drawn.counts["small"] or drawn.counts["hidden"]
    if drawn.highest is not None:
        parts.append(_("Highest of the months shown as numbers: %(month)s (%(value)s).",
                       month=drawn.highest.label, value=drawn.highest.text) if partly else
                     _("Highest: %(month)s (%(value)s).", month=drawn.highest.label,
                       value=drawn.highest.text))
    elif drawn.counts["number"]:
        parts.append(_("No month shown as a number is above zero.") if partly else
                     _("No month above zero."))
    if drawn.counts["small"]:
        parts.append(_("Months from 1 to 4 (shown as “%(small)s”): %(num)s.",
                       small=stats.SHOWN_SMALL, num=drawn.counts["small"]))
    if drawn.counts["hidden"]:
        parts.append(_("Months hidden (“%(hidden)s”): %(num)s.", hidden=stats.SHOWN_HIDDEN,
                       num=drawn.counts["hidden"]))
    return " ".join(parts)


def _last_month(filters):
    return filters.end - datetime.timedelta(days=1)


def _format(value):
    """A published cell for the page: thousands grouped, sums with cents."""
    return _written(value, _number_writer(str(get_locale())))


def _written(value, write):
    return value if isinstance(value, str) else write(value)


@functools.lru_cache(maxsize=8)
def _number_writer(locale):
    """Return ``write(number)`` in ``locale``, each number written once: the table of
    every postal area has thousands of cells, most of them the same few counts. Typed:
    the count 1 is "1", the sum 1 is "1.00"."""
    @functools.lru_cache(maxsize=16384, typed=True)
    def write(value):
        if isinstance(value, int):
            return numbers.format_decimal(value, locale=locale)
        return numbers.format_decimal(value, format="#,##0.00", locale=locale)
    return write
