"""The audit log viewer (906/2019 §17): read-only, for the controller and the responsible person.

Reading the log is not itself logged: the page shows who did what, not personal data.
"""

from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee import filters
from flask_babel import lazy_gettext as _l

from admin_views.base import (
    DETAIL_TYPE_FORMATTERS,
    TYPE_FORMATTERS,
    BoundedPagesMixin,
    HelsinkiDateTimeBetweenFilter,
    SecureMixin,
    local_datetime,
    visible_or_404,
)
from models import AuditEvent
from services.vocabulary.administration import (
    AUDIT_ACTION_LABELS,
    AUDIT_OBJECT_TYPE_LABELS,
    ROLE_LABELS,
)

def _label(labels, code):
    return labels.get(code, code) if code else ""


class AuditEventView(SecureMixin, BoundedPagesMixin, ModelView):
    """The audit events, newest first; nothing can be created, edited or deleted here."""

    capability = "read_audit_log"
    # Read-only: the log is append-only (the model and the database refuse changes too).
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    can_view_details = True
    # Millions of rows: no COUNT(*), a fixed page, index-backed order only (DESIGN.md §3.8).
    simple_list_pager = True
    page_size = 50
    can_set_page_size = False
    column_default_sort = ("id", True)
    column_sortable_list = ("id", "at")

    column_list = (
        "id", "at", "actor", "actor_role", "action",
        "object_type", "object_id", "section", "fields",
    )
    column_details_list = column_list + ("prev_hash", "hash")
    column_labels = {
        "id": _l("Event no."),
        "at": _l("Time"),
        "actor": _l("User (pseudonym)"),
        "actor_role": _l("User's role"),
        "action": _l("Event type"),
        "object_type": _l("Object type"),
        "object_id": _l("Object id"),
        "section": _l("Section code"),
        # The fields a change changed, or for a read of a customer's data the path it was
        # read through ("via.inspection_request.12").
        "fields": _l("Changed fields, or read through"),
        "prev_hash": _l("Previous event's hash"),
        "hash": _l("Hash"),
    }
    column_formatters = {
        "at": lambda view, context, model, name: local_datetime(model.at, "medium"),
        "actor_role": lambda view, context, model, name: _label(ROLE_LABELS, model.actor_role),
        "action": lambda view, context, model, name: _label(AUDIT_ACTION_LABELS, model.action),
        "object_type": lambda view, context, model, name:
            _label(AUDIT_OBJECT_TYPE_LABELS, model.object_type),
        "fields": lambda view, context, model, name: (model.fields or "").replace(",", ", "),
    }
    # Times in Helsinki time, to the second, as everywhere in the register.
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    # Equality filters only (each backed by an index); the time as a range typed in
    # Helsinki time.
    column_filters = (
        filters.FilterEqual(AuditEvent.actor, _l("User (pseudonym)")),
        filters.FilterEqual(
            AuditEvent.action, _l("Event type"), options=lambda: list(AUDIT_ACTION_LABELS.items())
        ),
        HelsinkiDateTimeBetweenFilter(AuditEvent.at, _l("Time")),
        filters.FilterEqual(AuditEvent.object_type, _l("Object type")),
        filters.FilterEqual(AuditEvent.object_id, _l("Object id")),
        filters.FilterEqual(AuditEvent.section, _l("Section code")),
    )

    def get_one(self, id):
        """Return the event ``id``; 404 for anything that is not an event's number."""
        return visible_or_404(AuditEvent, id)


def add_audit_views(admin, category=None):
    """Add the audit log viewer to ``admin``, under the menu ``category``."""
    admin.add_view(AuditEventView(AuditEvent, name=_l("Audit log"), category=category,
                                  endpoint="audit"))
