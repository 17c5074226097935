"""The secure base of every admin page: login, capability and section checks, the
one load-or-404 of a custom page, safe redirects, bounded numbers, the user's sections
and scoped customers, Helsinki times, and the pieces the model screens are built of."""

import datetime
import decimal
import logging
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.filters import DateTimeBetweenFilter, FilterEqual
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.model import typefmt
from flask_admin.model.form import InlineFormAdmin
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from peewee import AutoField, DateField, DecimalField, Model, ModelSelect, TextField
from wtforms.validators import Length
from wtfpeewee.fields import SelectChoicesField
from wtfpeewee.orm import ValueRequired

from forms.base import RegisterForm
from forms.fields import AmountField, HelsinkiDateTimeField, ModelChoiceField
from forms.fields import RegisterDateField, TypedRequired
from forms.validators import amount_fits
from models import Customer, Section, User
from services import localtime, policy
from services.inputs import parse_id
from services.search import customer_search_condition

log = logging.getLogger(__name__)

# A redirect target taken from input longer than this is not one of our paths.
MAX_REDIRECT_LENGTH = 2000
# The longest text a screen's text column (a note, a contact's summary) takes.
MAX_TEXT_LENGTH = 10_000


def safe_redirect_target(target, default=None):
    """Return ``target`` if it is a path on this site, else ``default`` (the front page).

    Every redirect whose target comes from input (``next``, Flask-Admin's ``url``) goes
    through here (DESIGN.md §4 item 16). A path on this site starts with one "/" and holds
    no control character, no whitespace (Werkzeug and browsers drop a tab or a line break,
    so "/<tab>/evil.example" would become "//evil.example"), no Unicode line separator,
    no backslash (browsers read "/\\evil" as "//evil"), no scheme and no host; its path,
    percent-decoded once as well, has no empty, "." or ".." segment, so that nothing
    resolves to "//host".
    """
    if isinstance(target, str) and _is_local_path(target):
        return target
    return default if default is not None else url_for("admin.index")


def _is_local_path(target):
    if not target.startswith("/") or len(target) > MAX_REDIRECT_LENGTH:
        return False
    path = target.split("#", 1)[0].split("?", 1)[0]
    decoded = unquote(path)
    if any(_unsafe_in_url(c) for c in target) or any(_unsafe_in_url(c) for c in decoded):
        return False
    segments = decoded.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments[:-1]) or \
            segments[-1] in (".", ".."):
        return False  # "//", "/./", "/../" anywhere in the path
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _unsafe_in_url(char):
    """Tell whether ``char`` must not appear in a redirect target: a control or format
    character, whitespace (line and paragraph separators included) or a backslash."""
    return char == "\\" or char.isspace() or unicodedata.category(char)[0] == "C"


# A list pages through at most this many pages: a page number past the last shows an
# empty page, and no OFFSET ever overflows (DESIGN.md §4 item 17: a 20-digit page
# overflowed SQLite's integer, a negative one is an error on PostgreSQL).
MAX_PAGE = 100000
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def user_may(capability):
    """Tell whether the logged-in user holds ``capability`` (services/policy.py); the
    templates call it as ``may``."""
    return policy.may(current_user, capability)


class SecureMixin:
    """Allow a page only to logged-in users who hold its ``capability``.

    Hiding a menu item is not security: every endpoint of the view checks this.
    """

    # None: every role. A page for some roles names the capability they hold.
    capability = None

    def _handle_view(self, name, **kwargs):
        # Flask-Admin redirects to ``?url=`` after a save, a delete or an action, and puts
        # it in its "Cancel" links: only a path on this site may be given (one rule with
        # every other redirect target taken from input).
        target = request.values.get("url")
        if target and safe_redirect_target(target, default="") != target:
            abort(400)
        return super()._handle_view(name, **kwargs)

    def is_accessible(self):
        if not current_user.is_authenticated:
            return False
        return self.capability is None or user_may(self.capability)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class SecureBaseView(SecureMixin, BaseView):
    """A custom page of the register."""


class CustomerRecordsView(SecureBaseView):
    """A page of one customer's records of its own wishes (prohibitions, marketing
    consents), reached from the customer's page rather than the menu, by the users who
    read a section's customers.

    The customer's page shows the page's part through the template global ``panel_name``,
    the subclass's ``panel(customer)`` (None: nothing to show to this user).
    """

    capability = "use_register"
    panel_name = None

    @staticmethod
    def panel(customer):
        return None

    def is_accessible(self):
        return super().is_accessible() and bool(user_section_ids())

    def is_visible(self):
        return False  # reached from the customer's page

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(self.panel, self.panel_name)
        return blueprint


def bounded_int(value, low, high, default):
    """Return the query value ``value`` as an int clamped to ``low … high``; ``default``
    when it is not a whole number in ASCII digits (so not "²", "1e3" or "")."""
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if not _WHOLE_NUMBER.fullmatch(text):
            return default
        try:
            number = int(text)
        except ValueError:  # over Python's 4 300 digits
            return default
    return min(high, max(low, number))


def page_number(value, first=1):
    """Return the page number in the query value ``value``, counting pages from ``first``:
    ``first`` for anything that is not a number or is below it, at most MAX_PAGE pages on."""
    return bounded_int(value, first, first + MAX_PAGE - 1, first)


class BoundedPagesMixin:
    """A Flask-Admin list whose ``?page=``, ``?sort=`` and filters are bounded before they
    reach a query.

    Flask-Admin reads the page with ``type=int``: any size and any sign (pages from 0); a
    sort by any listed column's index, sortable or not (a KeyError); and any number of
    filters, each a nested condition (ninety overflowed SQLite's parser).
    """

    MAX_FILTERS = 20

    def _get_list_extra_args(self):
        view_args = super()._get_list_extra_args()
        view_args.page = page_number(view_args.page, first=0)
        column = self._get_column_by_idx(view_args.sort)
        if column is not None and column[0] not in self._sortable_columns:
            view_args.sort = None
        if len(view_args.filters or ()) > self.MAX_FILTERS:
            abort(400)
        return view_args


def acting_user():
    """Return the logged-in user as the services take it (not Flask-Login's proxy)."""
    return current_user._get_current_object()


def visible_or_404(source, raw_id):
    """Return the row the id in ``raw_id`` names; 404 when the id is malformed or the row
    is not there for this user (a custom page's every endpoint loads so).

    ``source`` is where the user's rows are: a service's ``lookup(user, id)``, a query
    already scoped to the user, or a model whose every row the page may show.
    """
    row_id = parse_id(raw_id)
    found = _find(source, row_id) if row_id is not None else None
    if found is None:
        abort(404)
    return found


def _find(source, row_id):
    if isinstance(source, type) and issubclass(source, Model):
        source = source.select()
    if isinstance(source, ModelSelect):
        return source.where(source.model._meta.primary_key == row_id).first()
    return source(acting_user(), row_id)


class ChoiceFilter(FilterEqual):
    """Equality filter over a column with translated options."""

    def __init__(self, column, name, choices):
        super().__init__(column, name, options=list(choices.items()))


class ConditionFilter(FilterEqual):
    """A filter whose options each stand for a condition: ``conditions`` maps an option's
    value to a function returning the condition; any other value filters nothing."""

    def __init__(self, column, name, choices, conditions):
        super().__init__(column, name, options=list(choices.items()))
        self.conditions = conditions

    def apply(self, query, value):
        condition = self.conditions.get(value)
        return query if condition is None else query.where(condition())


def customer_or_404(value):
    """Return the customer ``value`` names if the user may see it; 404 for anything else."""
    return visible_or_404(scoped_customers(), value)


def download(body, filename, content_type, inline=False):
    """Return a file to download (or, ``inline``, to show): ``body`` (bytes, text or an
    iterator of chunks) sent with ``content_type`` exactly as given — one of
    ``services.exports``' *_CONTENT_TYPE — never completed a second time by Werkzeug."""
    disposition = "inline" if inline else "attachment"
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"'})


def flash_form_errors():
    """Say that the form has errors, marked at their fields."""
    flash(_("Check the fields marked below, correct them and send the form again."), "error")


def flash_refusal(error):
    """Flash a service's refusal (a ``RegisterError``) in the user's language."""
    flash(_(error.message, **error.params), "error")


def field_refusal(form, error):
    """Put a service's refusal next to the field it is about (or flash it)."""
    field = getattr(form, getattr(error, "field", "") or "", None)
    if field is None:
        flash_refusal(error)
    else:
        field.errors = list(field.errors) + [_(error.message, **error.params)]
        flash_form_errors()


def section_names(sections):
    """Return the sections' names in the user's language, comma-separated."""
    locale = str(get_locale())
    return ", ".join(s.name_in(locale) for s in sections)


def account_label(user):
    """Name an account: its username, or "#17 (u-…)" once the access has ended."""
    return str(user) if user is not None else ""


def users_by_id(ids):
    """Return ``{id: User}`` for the given ids (empty ones left out), in one query."""
    ids = {i for i in ids if i}
    return {u.id: u for u in User.select().where(User.id.in_(list(ids)))} if ids else {}


def local_datetime(moment, format="short"):
    """Return a stored (naive UTC) time as Helsinki time in the user's language ("" for None).

    The one formatter of times on the pages (the Jinja filter ``local_datetime``, every
    list, details page and export column of a time) — ``services.localtime`` does the work.
    """
    return localtime.format_datetime(moment, str(get_locale()), format)


def local_date(value, format="short"):
    """Return a date (or a stored time's Helsinki day) in the user's language."""
    return localtime.format_date(value, str(get_locale()), format)


# Flask-Admin shows a column's value by its type: times in Helsinki time, dates in the
# user's language (a datetime is a date too: it comes first). Exports write Helsinki time
# in one sortable form for every language.
TYPE_FORMATTERS = {
    datetime.datetime: lambda view, value, name: local_datetime(value),
    datetime.date: lambda view, value, name: local_date(value),
    **typefmt.BASE_FORMATTERS,
}
DETAIL_TYPE_FORMATTERS = {
    datetime.datetime: lambda view, value, name: local_datetime(value),
    datetime.date: lambda view, value, name: local_date(value),
    **typefmt.DETAIL_FORMATTERS,
}
EXPORT_TYPE_FORMATTERS = {
    datetime.datetime: lambda view, value, name: localtime.export_datetime(value),
    datetime.date: lambda view, value, name: value.isoformat(),
    **typefmt.EXPORT_FORMATTERS,
}


class HelsinkiDateTimeBetweenFilter(DateTimeBetweenFilter):
    """A "between" filter of a stored time, its ends typed in Helsinki time."""

    FORMAT = "%Y-%m-%d %H:%M:%S"  # what Flask-Admin's range picker writes

    def _ends(self, value):
        return [localtime.from_helsinki_typed(datetime.datetime.strptime(end, self.FORMAT))
                for end in value.split(" to ")]

    def validate(self, value):
        try:
            ends = self._ends(value)
        except ValueError:  # no such time, or none in Helsinki (TypedTimeError)
            return False
        return len(ends) == 2 and ends[0] <= ends[1]

    def clean(self, value):
        return self._ends(value)


def all_sections():
    """Return every section by id, read once per request."""
    if "all_sections" not in g:
        g.all_sections = {s.id: s for s in Section.select().order_by(Section.id)}
    return g.all_sections


def user_sections():
    """Return the sections the current user may read, by id (read once per request)."""
    if "user_sections" not in g:
        every = all_sections()
        g.user_sections = [every[i] for i in policy.readable_section_ids(current_user, every)
                           if i in every]
    return g.user_sections


def granted_sections():
    """Return the user's granted sections (``User.sections``, by code), read once per
    request: for a role reading only those, the sections the page read already."""
    if "granted_sections" not in g:
        granted_only = (policy.may(current_user, "read_granted_sections")
                        and not policy.may(current_user, "read_all_sections"))
        g.granted_sections = (sorted(user_sections(), key=lambda s: s.code) if granted_only
                              else current_user.sections if current_user.is_authenticated
                              else [])
    return list(g.granted_sections)


def user_section_ids():
    """Return the ids of the current user's readable sections."""
    return [s.id for s in user_sections()]


def user_customer_scope():
    """The condition limiting customers to the current user's sections
    (``policy.customer_scope``, knowing every section from this request)."""
    return policy.customer_scope(user_section_ids(), all_sections())


def scoped_customers():
    """Return the customers the current user may see."""
    return Customer.select().where(user_customer_scope())


def _differs(submitted, stored):
    """Tell whether a submitted form value differs from the stored one."""
    if submitted in ("", None) and stored in ("", None):
        return False
    if hasattr(stored, "id") and not isinstance(stored, (str, int)):
        stored = stored.id
    if hasattr(submitted, "id") and not isinstance(submitted, (str, int)):
        submitted = submitted.id
    if isinstance(submitted, decimal.Decimal) and isinstance(stored, (decimal.Decimal, int)):
        return submitted != stored  # 37.80 typed is the 37.8 SQLite gives back
    return str(submitted) != str(stored)


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """An AJAX foreign-key loader that looks up and accepts only rows in the user's scope."""

    def __init__(self, name, model, scope, **options):
        self.scope = scope
        super().__init__(name, model, **options)

    def get_one(self, pk):
        row_id = parse_id(pk)
        if row_id is None:
            return None
        return self.scope().where(self.model.id == row_id).first()

    def get_list(self, term, offset=0, limit=10):
        query = self.scope()
        if term and self.model is Customer:
            query = query.where(customer_search_condition(term,
                                                          sections=all_sections().values()))
        elif term:
            clauses = [field.contains(term) for field in self._cached_fields]
            condition = clauses[0]
            for clause in clauses[1:]:
                condition |= clause
            query = query.where(condition)
        # Flask-Admin reads both with ``type=int``: any size, any sign.
        limit = bounded_int(limit, 1, 50, 10)
        offset = bounded_int(offset, 0, MAX_PAGE * limit, 0)
        query = query.order_by(*self._cached_fields).limit(limit)
        if offset:
            query = query.offset(offset)
        return list(query)


class RegisterModelConverter(CustomModelConverter):
    """Flask-Admin's converter, with an optional hidden id for new inline rows (§3 item 5),
    every time typed in Helsinki time (DESIGN.md §4 item 15), and a field with choices
    checked by a lookup (``ModelChoiceField``)."""

    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        self.converters[AutoField] = self.handle_pk

    def convert(self, model, field, field_args):
        info = super().convert(model, field, field_args)  # (name, unbound field or None)
        if getattr(info[1], "field_class", None) is SelectChoicesField:
            info[1].field_class = ModelChoiceField
        if isinstance(field, TextField) and info[1] is not None:
            # A text column has no length of its own: a script's 400 kB note was stored,
            # and every page showing it carried it.
            info[1].kwargs["validators"] = [*info[1].kwargs.get("validators", ()),
                                            Length(max=MAX_TEXT_LENGTH)]
        if isinstance(field, DecimalField) and info[1] is not None:
            # An amount the column cannot hold ("sNaN", "1e30") would be stored and then
            # fail every page showing it.
            info[1].field_class = AmountField
            info[1].kwargs["validators"] = [*info[1].kwargs.get("validators", ()),
                                            amount_fits(field)]
        if isinstance(field, DateField) and info[1] is not None:
            info[1].field_class = RegisterDateField
        if info[1] is not None:  # "1.11.2026" not understood was said to be missing
            info[1].kwargs["validators"] = [
                TypedRequired() if isinstance(check, ValueRequired) else check
                for check in info[1].kwargs.get("validators", ())]
        return info

    def handle_datetime(self, model, field, **kwargs):
        return field.name, HelsinkiDateTimeField(**kwargs)


class RegisterInlineForm(InlineFormAdmin):
    """An inline child form of a register screen, with the henkilötunnus guard."""

    form_base_class = RegisterForm


class HandlerDeletedInline(RegisterInlineForm):
    """An inline row only a handler deletes (an invoice, a purchase), as on its own page:
    the capability its list's delete ticks need (``admin_views/base/inline_rows.py``)."""

    delete_capability = "delete_customers"


def user_name(user_id):
    """Return how a page names a user: the username, or the pseudonym of a closed account."""
    if user_id is None:
        return ""
    user = User.get_or_none(User.id == user_id)
    return str(user) if user is not None else ""
