"""The secure base every admin page stands on: login, role and section checks.

``RegisterModelView`` is the one choke point of the register screens: every path that
reads or writes a row — list, details, edit GET and POST, delete, bulk actions, export,
AJAX lookups and foreign-key choices — goes through its scoped query, so no path can
reach a row the list would not show (DESIGN.md §3 item 1).
"""

import datetime
import logging
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.filters import DateTimeBetweenFilter, FilterEqual
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.model import typefmt
from flask_admin.model.form import InlineFormAdmin
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from peewee import AutoField, Model, ModelSelect
from wtfpeewee.fields import ModelSelectField, SelectQueryField

from database import write_transaction
from forms.base import RegisterForm
from forms.fields import HelsinkiDateTimeField
from models import Customer, Section, User, db
from services import audit, localtime, policy
from services.errors import N_, RegisterError
from services.exports import safe_cell
from services.inputs import parse_id  # noqa: F401 - the pages import it from here
from services.search import customer_search_condition
from services.versioning import versioned_update

log = logging.getLogger(__name__)

# A redirect target taken from input longer than this is not one of our paths.
MAX_REDIRECT_LENGTH = 2000


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
    """A Flask-Admin list whose ``?page=`` is bounded before it reaches a query.

    Flask-Admin reads it with ``type=int``: any size and any sign (pages from 0).
    """

    def _get_list_extra_args(self):
        view_args = super()._get_list_extra_args()
        view_args.page = page_number(view_args.page, first=0)
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
        g.user_sections = [every[i] for i in policy.readable_section_ids(current_user)
                           if i in every]
    return g.user_sections


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
    return str(submitted) != str(stored)


def _entry_differs(entry, row):
    """Tell whether an inline form entry would change the stored ``row``."""
    return any(
        name != "id" and name in row._meta.fields and _differs(field.data, getattr(row, name))
        for name, field in entry.form._fields.items()
    )


def save_inline_rows(form, parent):
    """Save the inline rows of ``form`` under ``parent``; return the lists that changed.

    Like Flask-Admin's ``save_inline``, but a row nobody changed is not written again, and
    a posted id that is not one of the parent's own rows makes a new row, never an update.
    """
    changed = []
    for name, field in form._fields.items():
        if field.type != "InlineModelFormList":
            continue
        fk = getattr(field.model, field.prop)
        own = {str(row.id): row for row in field.model.select().where(fk == parent.id)}
        touched = False
        for entry in field.entries:
            existing = own.get(str(entry.get_pk() or ""))
            if field.should_delete(entry):
                if existing is not None:
                    existing.delete_instance()
                    touched = True
                continue
            if existing is not None and not _entry_differs(entry, existing):
                continue
            row = existing if existing is not None else field.model()
            entry.populate_obj(row, None)
            setattr(row, field.prop, parent.id)
            field.inline_view._on_model_change(entry, row, existing is None)
            row.save()
            touched = True
        if touched:
            changed.append(name)
    return changed


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
            query = query.where(customer_search_condition(term))
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
    and every time typed in Helsinki time (DESIGN.md §4 item 15)."""

    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        self.converters[AutoField] = self.handle_pk

    def handle_datetime(self, model, field, **kwargs):
        return field.name, HelsinkiDateTimeField(**kwargs)


class RegisterInlineForm(InlineFormAdmin):
    """An inline child form of a register screen, with the henkilötunnus guard."""

    form_base_class = RegisterForm


class ListRow(NamedTuple):
    """One row of a list page as the template shows it."""

    id: object
    name: str  # the first column as text: names the row's buttons for screen readers
    cells: list
    model: object


class RowButton(NamedTuple):
    """One of a list row's buttons, resolved once for the page."""

    kind: str  # "link" (the row's id is added to url), "delete", or "other"
    title: str
    icon: str
    url: str
    action: object  # the Flask-Admin row action, which renders an "other" button itself


# Flask-Admin's row actions the list template renders itself: endpoint and icon.
OWN_ROW_BUTTONS = {
    "row_actions.view_row": (".details_view", "fa fa-eye"),
    "row_actions.edit_row": (".edit_view", "fa fa-pencil"),
    "row_actions.delete_row": (".delete_view", "fa fa-trash"),
}


class RegisterModelView(SecureMixin, BoundedPagesMixin, ModelView):
    """A section-scoped, role-checked, audited, transactional Flask-Admin model view."""

    capability = "use_register"
    form_base_class = RegisterForm
    model_form_converter = RegisterModelConverter
    # Times in Helsinki time, dates in the user's language, on every list, details and export.
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    # Flask-Admin's pages with labels and text for screen readers (templates/admin/).
    list_template = "admin/register_list.html"
    create_template = "admin/register_create.html"
    edit_template = "admin/register_edit.html"
    # No COUNT(*) over a large table on every page (§3 item 8).
    simple_list_pager = True
    page_size = 25
    can_set_page_size = False
    # Exports stream and are bounded (§3 item 8).
    export_max_rows = 10000
    export_types = ["csv"]
    # No in-list editing: every write goes through the whole form and its checks.
    column_editable_list = ()
    # The audit log calls things by these names.
    audit_object_type = None
    # Child relations whose rows make deleting refused (never a silent cascade).
    delete_blocked_by = ()

    # --- permissions, per request ---------------------------------------------------

    @property
    def can_create(self):
        return user_may("edit_customers")

    @property
    def can_edit(self):
        return user_may("edit_customers")

    @property
    def can_delete(self):
        return user_may("delete_customers")

    @property
    def can_export(self):
        return user_may("use_register")

    def is_accessible(self):
        return super().is_accessible() and bool(user_section_ids())

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        # A write the role may not make is forbidden, not silently redirected.
        permitted = {
            "create_view": self.can_create,
            "edit_view": self.can_edit,
            "delete_view": self.can_delete,
            "action_view": self.can_delete,
            "export": self.can_export,
            "details_view": self.can_view_details,
        }
        if not permitted.get(name, True):
            abort(403)
        if name in ("details_view", "edit_view") and parse_id(request.args.get("id")) is None:
            abort(404)
        return None

    # --- the scope ------------------------------------------------------------------

    def scope_condition(self):
        """Return the condition limiting ``self.model`` to the current user's sections."""
        raise NotImplementedError

    def search_condition(self, term):
        """Return the condition a search for ``term`` adds; None when the view has no search."""
        return None

    def scoped_query(self):
        """Return every row of ``self.model`` the current user may see."""
        return self.model.select().where(self.scope_condition())

    def get_query(self):
        query = self.scoped_query()
        term = g.get("search_term")
        if term:
            condition = self.search_condition(term)
            if condition is not None:
                query = query.where(condition)
        return query

    def get_one(self, id):
        """Return the row ``id`` if the user may see it; 404 for anything else."""
        row_id = parse_id(id)
        if row_id is None:
            abort(404)
        row = self.scoped_query().where(self.model.id == row_id).first()
        if row is None:
            abort(404)
        return row

    def return_url(self):
        """Return where a page's "back" and "cancel" lead: ``?url=`` if it is a path on
        this site, else the list."""
        return safe_redirect_target(request.values.get("url"), self.get_url(".index_view"))

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        # A ?sort= naming a column that is not sortable is ignored, not a 500.
        if sort_column is not None and sort_column not in self._sortable_columns:
            sort_column = None
        # The stock search is a LIKE scan per field; ours is applied in get_query.
        g.search_term = (search or "").strip()
        if g.search_term and request.endpoint == f"{self.endpoint}.index_view":
            with write_transaction():
                self.record("search")
        return super().get_list(page, sort_column, sort_desc, None, filters,
                                execute=execute, page_size=page_size)

    def _create_ajax_loader(self, name, options):
        field = getattr(self.model, name)
        scope = self.scope_for(field.rel_model)
        return ScopedAjaxLoader(name, field.rel_model, scope, **options)

    def scope_for(self, model):
        """Return a callable giving the rows of ``model`` a foreign key may point to."""
        if model is Customer:
            return scoped_customers
        if model is Section:
            return lambda: Section.select().where(Section.id.in_(user_section_ids()))
        raise LookupError(f"no scope for foreign keys to {model.__name__}")

    def _scope_foreign_keys(self, form):
        """Limit every foreign-key <select> of ``form`` (and its inline forms) to the scope."""
        for field in form:
            if isinstance(field, (ModelSelectField, SelectQueryField)):
                field.query = self.scope_for(field.model if hasattr(field, "model")
                                             else field.query.model)()
            elif hasattr(field, "entries"):
                for entry in field.entries:
                    if hasattr(entry, "form"):
                        self._scope_foreign_keys(entry.form)

    def create_form(self, obj=None):
        form = super().create_form(obj)
        self._scope_foreign_keys(form)
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        self._scope_foreign_keys(form)
        return form

    # --- writes: one transaction each, audited --------------------------------------

    def _flash_failure(self, ex, message):
        if isinstance(ex, RegisterError):
            flash(_(ex.message, **ex.params), "error")
        elif not self.handle_view_exception(ex):
            flash(_(message), "error")
            log.exception("register write failed")

    def changed_fields(self, form, model):
        """Return the names of the row's own fields the submitted form changes."""
        return [
            name for name, field in form._fields.items()
            if name not in ("csrf_token", "version") and name in model._meta.fields
            and _differs(field.data, getattr(model, name, None))
        ]

    def section_code_of(self, model):
        """Return the section code a row belongs to (for the audit log)."""
        return None

    def record(self, action_name, model=None, fields=()):
        """Append an audit event for ``model`` (inside the caller's transaction)."""
        audit.record(
            action_name,
            actor=current_user._get_current_object(),
            object_type=self.audit_object_type,
            object_id=model.id if model is not None else None,
            section=self.section_code_of(model) if model is not None else None,
            fields=fields,
        )

    def create_model(self, form):
        try:
            with write_transaction():
                model = self.model()
                form.populate_obj(model)
                self._on_model_change(form, model, True)
                model.save(force_insert=True)
                lists = save_inline_rows(form, model)
                fields = [n for n in form._fields if n in model._meta.fields
                          and getattr(model, n) not in (None, "")] + lists
                self.after_save(form, model, True, fields)
                self.record("create", model, fields=fields)
        except Exception as ex:
            self._flash_failure(ex, N_("Failed to create record. Nothing was saved; check the "
                                       "fields and try again."))
            return False
        return model

    def update_model(self, form, model):
        try:
            with write_transaction():
                fields = self.changed_fields(form, model)
                form.populate_obj(model)
                self._on_model_change(form, model, False)
                self.save_row(form, model, fields)
                fields += save_inline_rows(form, model)
                self.after_save(form, model, False, fields)
                self.record("update", model, fields=fields)
        except Exception as ex:
            self._flash_failure(ex, N_("Failed to save record. Nothing was changed; check "
                                       "the fields and try again."))
            return False
        return True

    def delete_model(self, model):
        try:
            with write_transaction():
                self.on_model_delete(model)
                self.record("delete", model)
                model.delete_instance(recursive=True)
        except Exception as ex:
            self._flash_failure(ex, N_("Failed to delete record. Nothing was deleted."))
            return False
        return True

    def save_row(self, form, model, fields):
        """Write the changed fields of ``model``, checking its version (optimistic locking).

        When someone else saved the row since this form was opened, nothing is written
        and the save is refused (``services.versioning``).
        """
        meta = self.model._meta
        if "version" not in meta.fields or not hasattr(form, "version"):
            model.save()
            return
        if hasattr(model, "refresh_derived"):
            model.refresh_derived()
        written = [*fields, *getattr(model, "derived_fields", ())]
        changes = {meta.fields[name]: getattr(model, name) for name in written}
        if "updated_at" in meta.fields:
            changes[meta.fields["updated_at"]] = model.updated_at
        model.version = versioned_update(model, changes, seen=form.version.data)

    def after_save(self, form, model, is_created, fields):
        """Hook run inside the write transaction after the row and its inline rows saved.

        ``fields`` names what the save changed: fields of the row and inline lists.
        """

    def on_model_delete(self, model):
        for relation in self.delete_blocked_by:
            if getattr(model, relation).exists():
                raise RegisterError(
                    N_("This record cannot be deleted because it has %(what)s. Personal data "
                       "leaves the register through the retention purge."),
                    what=_(self.relation_labels.get(relation, relation)),
                )

    relation_labels = {}

    @action(
        "delete",
        _l("Delete"),
        _l("Are you sure you want to delete selected records?"),
    )
    def action_delete(self, ids):
        """Delete the chosen rows that are in the user's scope, each through delete_model."""
        wanted = [i for i in (parse_id(x) for x in ids) if i is not None]
        count = 0
        for model in self.scoped_query().where(self.model.id.in_(wanted)):
            if self.delete_model(model):
                count += 1
        if count:
            flash(ngettext("Record was successfully deleted.",
                           "%(count)s records were successfully deleted.", count, count=count),
                  "success")

    # --- the list page --------------------------------------------------------------

    @pass_context
    def list_rows(self, context, models, list_columns):
        """Return the list page's rows with every cell formatted, for one plain loop.

        The stock template calls back into Python for each cell's id, value and
        editability and renders each row through nested blocks and macros: a third of a
        list page's time. Here each value is formatted once, by the view's own formatters.
        """
        rows = []
        for model in models:
            cells = [self.get_list_value(context, model, column) for column, _ in list_columns]
            first = cells[0] if cells else ""
            name = first.striptags() if isinstance(first, Markup) else str(first or "")
            rows.append(ListRow(self.get_pk_value(model), name, cells, model))
        return rows

    def row_buttons(self, actions, return_url):
        """Return the page's per-row buttons, each with its title and URL made once.

        A row's link is the page's link for its action with the row's id added: one
        ``url_for`` a page, not one a row.
        """
        buttons = []
        for row_action in actions:
            endpoint, icon = OWN_ROW_BUTTONS.get(getattr(row_action, "template_name", None),
                                                 (None, ""))
            title = str(row_action.title or "")
            if endpoint is None:
                buttons.append(RowButton("other", title, icon, "", row_action))
            elif endpoint == ".delete_view":
                buttons.append(RowButton("delete", title, icon, self.get_url(endpoint),
                                         row_action))
            else:
                url = self.get_url(endpoint, url=return_url) + "&id="
                buttons.append(RowButton("link", title, icon, url, row_action))
        return buttons

    # --- reads that are audited -------------------------------------------------------

    def _export_data(self):
        view_args = self._get_list_extra_args()
        sort_column_tuple = self._get_column_by_idx(view_args.sort)
        sort_column = sort_column_tuple[0] if sort_column_tuple is not None else None
        _count, query = self.get_list(0, sort_column, view_args.sort_desc, view_args.search,
                                      view_args.filters, execute=False,
                                      page_size=self.export_max_rows)
        with write_transaction():
            self.record("export")

        def rows():
            # Runs while the response streams, after this request's connection closed.
            db.connect(reuse_if_open=True)
            yield from query.iterator()

        return None, rows()

    def get_export_value(self, model, name):
        """Return the export cell: text a spreadsheet shows and never runs as a formula."""
        return safe_cell(super().get_export_value(model, name))


def user_name(user_id):
    """Return how a page names a user: the username, or the pseudonym of a closed account."""
    if user_id is None:
        return ""
    user = User.get_or_none(User.id == user_id)
    return str(user) if user is not None else ""
