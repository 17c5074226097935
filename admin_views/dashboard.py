"""The register's front page: the user's work list — what waits for them, the oldest
first, each row a link to the thing itself (services/worklist.py): inspection requests
(seed §14: carried out within one week), rectification requests (§15), access requests
and the yearly access review (§3, §9, §17); then the customers not yet informed (§13) and
the backups' status (§11), for the roles that see them."""

from flask import url_for
from flask_admin import AdminIndexView, expose
from flask_babel import get_locale
from flask_babel import gettext as _

from admin_views.base import SecureMixin, account_label, acting_user, all_sections
from models import utcnow
from services import requests as request_rules
from services import worklist
from services.vocabulary.administration import ACCESS_REQUEST_KIND_LABELS, ROLE_LABELS
from services.vocabulary.rights import WORK_TASK_LABELS, WORKLIST_HEADINGS



def task_label(task):
    """Return the name of a work list row's task (an inspection worklist code or
    services.worklist.TASKS)."""
    return WORK_TASK_LABELS.get(task) or WORKLIST_HEADINGS[task]


class DashboardView(SecureMixin, AdminIndexView):
    def __init__(self, panels=None, **kwargs):
        super().__init__(**kwargs)
        # What other pages show here: {name in the template: panel(user, now)}, a panel
        # answering None when the user sees nothing of it. Given by admin_views/registry.py.
        self.panels = dict(panels or {})

    @expose("/")
    def index(self):
        user = acting_user()
        now = utcnow()
        locale = str(get_locale())
        sections = all_sections()
        work = worklist.work(user, now)
        return self.render(
            "admin/dashboard.html",
            rows=[_row(row, sections, locale) for row in worklist.shown(work)],
            cut_short=worklist.cut_short(work),
            max_rows=worklist.MAX_ROWS,
            may_register=request_rules.may_register(user),
            may_serve_on_site=request_rules.may_serve_on_site(user),
            deadline_of=lambda row: request_rules.deadline(row, now),
            **{name: panel(user, now) for name, panel in self.panels.items()},
        )


def _row(work, sections, locale):
    """Return what the front page shows of a :class:`services.worklist.Work`: the task,
    the link to the thing and its text, a line more about it, and its section."""
    thing = work.thing
    row = {"work": work, "task": task_label(work.task), "more": "", "section": ""}
    if work.kind == "inspection":
        row.update(url=url_for("requests.details", request_id=thing.id),
                   text=_("Request no. %(id)s", id=thing.id), more=thing.requester_name or "",
                   section=sections[thing.section_id].name_in(locale))
    elif work.kind == "rectification":
        row.update(url=url_for("rectification.details_view", request_id=thing.id),
                   text=_("Rectification request no. %(id)s", id=thing.id),
                   more=thing.requester_name or "",
                   section=sections[thing.customer.section_id].name_in(locale))
    elif work.kind == "access":
        who = thing.person_name if thing.kind == "new" else account_label(thing.account)
        row.update(url=url_for("access_requests.details", request_id=thing.id),
                   text=_("Access request no. %(id)s", id=thing.id),
                   more=f"{who}: {ACCESS_REQUEST_KIND_LABELS[thing.kind]}, "
                        f"{ROLE_LABELS[thing.role]}")
    elif work.kind == "purge_review":
        row.update(url=url_for("retention.index"), text=_("Purge preview"))
    else:
        row.update(url=url_for("access_review.index"), text=_("Access review"))
    return row
