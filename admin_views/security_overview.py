"""The security overview (issue 17; seed §3): /access/security/ shows the responsible
person (and the controller) what needs a look — accounts without a second factor, past
their review or idle, failed logins and lockouts per week, the last backup and restore
drill, the audit chain's last verification — each with a link to the page where it is
acted on. The figures come from services/security_overview.py."""

from flask import current_app, url_for
from flask_admin import expose
from flask_babel import format_date, format_timedelta
from flask_babel import gettext as _
from flask_babel import ngettext

from admin_views.base import SecureBaseView
from services import backup as backups
from services import security_overview as rules
from services.localtime import helsinki_today
from services.vocabulary.administration import ROLE_LABELS

# Where each line of the overview is acted on: an endpoint of the register. Whoever sees
# the overview may open each of them (tests/test_security_overview.py holds it).
ACTION_LINKS = {
    "second_factor": "access_accounts.index",
    "past_review": "access_review.index",
    "idle": "access_review.index",
    "logins": "audit.index_view",
    "backup": "backups.index",
    "verification": "audit.index_view",
}


def summary(found):
    """Return the failed logins' and lockouts' weeks in words (the chart's description)."""
    failed = ngettext("%(num)d failed login", "%(num)d failed logins", found.failed)
    locked = ngettext("%(num)d lockout", "%(num)d lockouts", found.locked)
    text = _("In the last %(weeks)s weeks: %(failed)s and %(locked)s.",
             weeks=len(found.weeks), failed=failed, locked=locked)
    busiest = found.busiest
    if busiest is not None:
        text += " " + _("The most failed logins, %(num)s, in the week from %(day)s.",
                        num=busiest.failed, day=format_date(busiest.starts_on))
    return text


class SecurityOverviewView(SecureBaseView):
    """What the responsible person keeps an eye on, on one page."""

    capability = "see_security_overview"

    @expose("/")
    def index(self):
        config = current_app.config
        try:
            backup_settings, backup_error = backups.Settings.from_app(current_app), None
        except backups.SettingsError as e:  # said in the backups' part of the page
            backup_settings, backup_error = None, _(e.message, **e.params)
        found = rules.overview(backup_settings,
                               totp_enabled=config.get("TOTP_ENABLED"),
                               required_roles=config.get("TOTP_REQUIRED_ROLES"))
        links = {name: url_for(endpoint) for name, endpoint in ACTION_LINKS.items()}
        return self.render(
            "access/security.html",
            found=found,
            backup=found.backup,
            backup_error=backup_error,
            late_after=(format_timedelta(found.backup["late_after"], threshold=1)
                        if found.backup else ""),
            summary=summary(found),
            links=links,
            ROLE_LABELS=ROLE_LABELS,
            today=helsinki_today(),
        )
