"""The retention rules of the register's own records (issue 14): closed requests, access
records, failed logins, ended sessions and the audit log, each kept so many months.

The controller changes the rules; the responsible person and the handlers read them.
Every purge applies them after its customers, and its preview counts what they take
(admin_views/retention.py, services/retention/records.py).
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.base import SecureBaseView, user_may, user_name
from services import retention as rules
from services.errors import RegisterError
from services.vocabulary.rights import RECORD_KIND_LABELS, RECORD_KIND_RULES


class RecordRetentionView(SecureBaseView):
    """Each kind of the register's own records and how long it is kept."""

    capability = "read_retention"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        rows = rules.rules()
        values, errors, shown = {}, {}, {}
        if request.method == "POST":
            if not user_may("decide_record_retention"):
                abort(403)
            for kind, _row in rows:
                values[kind] = request.form.get(f"months-{kind}", "").strip()
                shown[kind] = request.form.get(f"shown-{kind}", "").strip()
                try:
                    rules.parse_rule_months(kind, values[kind])
                except RegisterError as ex:
                    errors[kind] = _(ex.message, **ex.params)
            if not errors:
                try:
                    return self._save(values, shown)
                except rules.RulesChanged as ex:
                    flash(_(ex.message), "error")
                    for kind, months in ex.now_months.items():
                        values[kind] = months
                        errors[kind] = _("Changed meanwhile by someone else.")
                    shown = {}  # the page shows the rules as they are now
            else:
                flash(_("The rules were not saved. Correct the marked fields and save again."),
                      "error")
        return self.render(
            "retention/records.html",
            rows=rows,
            values=values,
            errors=errors,
            shown=shown,
            bounds=rules.BOUNDS,
            labels=RECORD_KIND_LABELS,
            explanations=RECORD_KIND_RULES,
            history=rules.rule_history(),
            user_name=user_name,
            can_edit=user_may("decide_record_retention"),
        )

    @staticmethod
    def _save(values, shown):
        actor = current_user._get_current_object()
        changed = rules.set_rules(values, shown, actor)
        if changed:
            flash(_("Saved the rules of: %(kinds)s.",
                    kinds=", ".join(str(RECORD_KIND_LABELS[k]) for k in changed)), "success")
        else:
            flash(_("Nothing changed: the rules were already those."), "info")
        return redirect(url_for(".index"))


def add_record_retention_views(admin, category):
    """Add the page of the record rules to ``admin`` under the menu ``category``."""
    admin.add_view(RecordRetentionView(name=_l("Retention of the register's own records"),
                                       category=category, endpoint="record_retention",
                                       url="/retention/records"))
