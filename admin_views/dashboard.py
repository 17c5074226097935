"""The register's front page: who is logged in, in which role and sections, the
inspection requests the user must act on (seed §14: carried out within one week), and the
access requests and the yearly access review (seed §3, §9, §17)."""

from flask_admin import AdminIndexView, expose
from flask_babel import get_locale
from flask_login import current_user

from admin_views.base import SecureMixin, all_sections, user_name
from models import utcnow
from services import requests as request_rules
from services.vocabulary.administration import ROLE_DUTIES, ROLE_LABELS
from services.vocabulary.rights import INSPECTION_STATE_LABELS, WORKLIST_HEADINGS


class DashboardView(SecureMixin, AdminIndexView):
    def __init__(self, panels=None, **kwargs):
        super().__init__(**kwargs)
        # What other pages show here: {name in the template: panel(user, now)}, a panel
        # answering None when the user sees nothing of it. Given by admin_views/registry.py.
        self.panels = dict(panels or {})

    @expose("/")
    def index(self):
        locale = str(get_locale())
        user = current_user._get_current_object()
        now = utcnow()
        sections = all_sections()
        worklist = request_rules.worklist(user, now)
        return self.render(
            "admin/dashboard.html",
            user=current_user,
            role_label=ROLE_LABELS[current_user.role],
            role_duties=ROLE_DUTIES[current_user.role],
            sections=[s.name_in(locale) for s in current_user.sections],
            worklist=[(what, WORKLIST_HEADINGS[what], rows) for what, rows in worklist.items()],
            handles_requests=bool(worklist),
            may_register=request_rules.may_register(user),
            may_serve_on_site=request_rules.may_serve_on_site(user),
            state_of=request_rules.state_of,
            deadline_of=lambda row: request_rules.deadline(row, now),
            section_name=lambda row: sections[row.section_id].name_in(locale),
            user_name=user_name,
            STATE_LABELS=INSPECTION_STATE_LABELS,
            **{name: panel(user, now) for name, panel in self.panels.items()},
        )
