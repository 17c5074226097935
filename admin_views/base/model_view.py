"""``RegisterModelView``, the base of the register's model screens, is their one choke
point: every path that reads or writes a row — list, details, edit GET and POST, delete,
bulk actions, export, AJAX lookups and foreign-key choices — goes through its scoped
query, so no path can reach a row the list would not show (DESIGN.md §3 item 1).
"""

import hashlib
from typing import NamedTuple

from flask import Response, abort, flash, g, request, stream_with_context
from flask_admin._compat import csv_encode
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.utils import secure_filename
from wtforms.fields import HiddenField
from wtfpeewee.fields import ModelSelectField, SelectQueryField

from admin_views.base.inline_rows import RegisterInlineConverter, save_inline_rows
from admin_views.base.list_memory import RememberedListMixin
from admin_views.base.pages import (
    DETAIL_TYPE_FORMATTERS,
    EXPORT_TYPE_FORMATTERS,
    TYPE_FORMATTERS,
    BoundedPagesMixin,
    RegisterModelConverter,
    ScopedAjaxLoader,
    SecureMixin,
    _differs,
    log,
    safe_redirect_target,
    scoped_customers,
    user_may,
    user_section_ids,
)
from database import is_sqlite, write_transaction
from forms.base import RegisterForm
from models import Customer, Section, db
from services import audit
from services.errors import N_, RegisterError
from services.exports import csv_writer, safe_cell
from services.inputs import parse_id
from services.versioning import StaleVersion, versioned_update


def row_digest(row):
    """Return a digest of ``row``'s stored values: what an edit form was built from."""
    values = [(name, str(row.__data__.get(name))) for name in sorted(row._meta.fields)]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


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


class RegisterModelView(SecureMixin, BoundedPagesMixin, RememberedListMixin, ModelView):
    """A section-scoped, role-checked, audited, transactional Flask-Admin model view."""

    capability = "use_register"
    form_base_class = RegisterForm
    model_form_converter = RegisterModelConverter
    inline_model_form_converter = RegisterInlineConverter
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

    def record_name(self, model):
        """Name a record on its edit page's title and heading: its display name, an
        invoice's number, else its id."""
        return (getattr(model, "display_name", None) or getattr(model, "number", None)
                or str(model.get_id()))

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
            # Each action says who may run it (is_action_allowed): delete, the handler.
            "action_view": bool(self.get_actions_list()[0]),
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

    # A row without a version is kept from a stale save by what its edit form was built
    # from: the form carries the digest of the row as read (``seen``), and the save is
    # refused when the row is no longer so — whatever page or step changed it meanwhile.

    def get_edit_form(self):
        form_class = super().get_edit_form()
        if "version" not in self.model._meta.fields:
            form_class.seen = HiddenField()
        return form_class

    def on_form_prefill(self, form, id):
        # A GET shows what the row is; a re-shown form keeps what was posted.
        if request.method == "GET" and hasattr(form, "seen"):
            form.seen.data = row_digest(self.get_one(id))

    def _check_seen(self, form, model):
        """Refuse the save when the row is no longer as the form saw it (or the form says
        nothing of it: a script's, as a form without its version)."""
        query = self.scoped_query().where(self.model._meta.primary_key == model.get_id())
        stored = (query if is_sqlite() else query.for_update()).get_or_none()
        posted = form.seen.raw_data[0] if form.seen.raw_data else ""
        if stored is None or row_digest(stored) != posted:
            raise StaleVersion()

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
            if hasattr(form, "seen"):
                self._check_seen(form, model)
            model.save()
            return
        if hasattr(model, "refresh_derived"):
            model.refresh_derived()
        written = [*fields, *getattr(model, "derived_fields", ())]
        changes = {meta.fields[name]: getattr(model, name) for name in written}
        if "updated_at" in meta.fields:
            changes[meta.fields["updated_at"]] = model.updated_at
        # What the page sent: a form without its version (a script's) is as stale as one
        # with an old one; the field's data would be the row's own version then.
        seen = form.version.raw_data[0] if form.version.raw_data else ""
        model.version = versioned_update(model, changes, seen=seen)

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

    def _export_csv(self, return_url):
        """Flask-Admin's CSV export, each cell quoted as every export of the register
        (``services.exports.csv_writer``), streamed."""
        _count, data = self._export_data()
        writer = csv_writer(_Echo())

        def generate():
            yield writer.writerow([csv_encode(title) for _name, title in self._export_columns])
            for row in data:
                yield writer.writerow([csv_encode(self.get_export_value(row, name))
                                       for name, _title in self._export_columns])

        disposition = f"attachment;filename={secure_filename(self.get_export_name('csv'))}"
        return Response(stream_with_context(generate()), mimetype="text/csv",
                        headers={"Content-Disposition": disposition})


class _Echo:
    """A file that returns what is written to it: a CSV writer's line, to stream."""

    def write(self, value):
        return value
