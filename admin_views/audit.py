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
from admin_views.labels import ROLE_LABELS
from models import AuditEvent

# The actions' names on screen. A feature that records a new action code adds its label
# here (the code itself shows until it does).
ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "view": _l("Viewed a record"),
    "create": _l("Created a record"),
    "update": _l("Changed a record"),
    "delete": _l("Deleted a record"),
    "export": _l("Exported records"),
    "search": _l("Searched"),
    # Inspection requests (seed §14).
    "identify": _l("Checked identity"),
    "link_subject": _l("Linked a record to a request"),
    "unlink_subject": _l("Unlinked a record from a request"),
    "approve": _l("Approved a request"),
    "refuse": _l("Refused a request"),
    "deliver": _l("Delivered a report"),
    "review": _l("Reviewed a request served on site"),
    "report": _l("Produced an inspection report"),
    # Disclosures (seed §8) and the retention purge (seed §12).
    "decide": _l("Decided a disclosure"),
    "preview": _l("Previewed a purge"),
    "confirm": _l("Confirmed a purge"),
    "confirm_refused": _l("Purge confirmation refused: the set had changed"),
    "purge_start": _l("Started a purge"),
    "purge_resume": _l("Resumed a purge"),
    "purge_end": _l("Finished a purge"),
    "purge_refused": _l("Purge refused: the set had changed"),
    # Access management (seed §3, §9), login security and backups (seed §11).
    "implement": _l("Implemented an access grant"),
    "end_access": _l("Ended access"),
    "disable": _l("Disabled an account"),
    "reactivate": _l("Reactivated an account"),
    "publish": _l("Published guidance"),
    "acknowledge": _l("Acknowledged guidance"),
    "lockout": _l("Locked after failed logins"),
    "login_slowdown": _l("Logins from an address slowed down after failed logins"),
    "lockout_reset": _l("Login lock reset"),
    "password_change": _l("Changed password"),
    "totp_enrol": _l("Turned on two-step login"),
    "totp_remove": _l("Turned off two-step login"),
    "totp_reset": _l("Reset two-step login"),
    "backup_drill": _l("Ran a restore drill"),
    "backup_restore": _l("Restored a backup over the live database"),
}


# The kinds of record an event names.
OBJECT_TYPE_LABELS = {
    "customer": _l("Customer"),
    "invoice": _l("Invoice"),
    "user": _l("User account"),
    "inspection_request": _l("Inspection request"),
    "rectification_request": _l("Rectification request"),
    "prohibition": _l("Prohibition"),
    "marketing_list": _l("Marketing list"),
    "statistics": _l("Statistics"),
    "disclosure": _l("Disclosure"),
    "disclosure_recipient": _l("Disclosure recipient"),
    "purge_run": _l("Purge run"),
    "retention_policy": _l("Retention period"),
    "access_request": _l("Access request"),
    "access_review": _l("Access review"),
    "guidance": _l("Guidance"),
    "backup": _l("Backup"),
}


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
        "action": lambda view, context, model, name: _label(ACTION_LABELS, model.action),
        "object_type": lambda view, context, model, name:
            _label(OBJECT_TYPE_LABELS, model.object_type),
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
            AuditEvent.action, _l("Event type"), options=lambda: list(ACTION_LABELS.items())
        ),
        HelsinkiDateTimeBetweenFilter(AuditEvent.at, _l("Time")),
        filters.FilterEqual(AuditEvent.object_type, _l("Object type")),
        filters.FilterEqual(AuditEvent.object_id, _l("Object id")),
        filters.FilterEqual(AuditEvent.section, _l("Section code")),
    )

    def get_one(self, id):
        """Return the event ``id``; 404 for anything that is not an event's number."""
        return visible_or_404(AuditEvent, id)


def add_audit_views(admin):
    """Add the audit log viewer to ``admin``."""
    admin.add_view(AuditEventView(AuditEvent, name=_l("Audit log"), endpoint="audit"))
