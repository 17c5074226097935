"""The register's front page: who is logged in, in which role and sections."""

from flask_admin import AdminIndexView, expose
from flask_babel import get_locale
from flask_login import current_user

from admin_views.base import SecureMixin
from admin_views.labels import ROLE_DUTIES, ROLE_LABELS


class DashboardView(SecureMixin, AdminIndexView):
    @expose("/")
    def index(self):
        locale = str(get_locale())
        return self.render(
            "admin/dashboard.html",
            user=current_user,
            role_label=ROLE_LABELS[current_user.role],
            role_duties=ROLE_DUTIES[current_user.role],
            sections=[s.name_in(locale) for s in current_user.sections],
        )
