"""Duties that come due (issue 17; seed §3, §11, §12, §18): /duties/ lists every periodic
duty with its last done and next due day and a link to do it, every account's last
training, and the training sessions; the responsible person records a training and sets
how long one counts, the controller sets the purge review's cadence (its form is on the
retention periods page). The rules are in services/duties/."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from admin_views.base import SecureBaseView, acting_user
from models import User
from services import backup as backup_rules
from services import duties as rules
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.vocabulary.administration import DUTY_LABELS, DUTY_STATE_LABELS, ROLE_LABELS

# Where each duty is done: an endpoint of the register (with an anchor, if any).
DUTY_LINKS = {
    "access_review": ("access_review.index", ""),
    "purge_review": ("retention.index", ""),
    "restore_drill": ("backups.index", ""),
    "guidance_review": ("access_guidance.index", ""),
    "training": ("duties.index", "#training"),
}


def duty_link(code):
    """Return the address where the duty ``code`` is done."""
    endpoint, anchor = DUTY_LINKS[code]
    return url_for(endpoint) + anchor


def accounts():
    """Return the open accounts with their last training: ``[(user, day or None)]``."""
    users = list(User.open_accounts().order_by(User.username))
    trained = rules.last_training(u.id for u in users)
    return [(u, trained.get(u.id)) for u in users]


class DutiesView(SecureBaseView):
    """The periodic duties, the accounts' last training and the training sessions."""

    capability = "see_duties"

    @expose("/")
    def index(self, errors=None, values=None):
        user = acting_user()
        try:
            last_drill, backup_error = backup_rules.last_passed_drill(
                backup_rules.Settings.from_app(current_app)), None
        except backup_rules.SettingsError as e:  # the drill's duty cannot be read: said
            last_drill, backup_error = None, _(e.message, **e.params)
        return self.render(
            "duties/index.html",
            duties=rules.duties(last_drill=last_drill),
            backup_error=backup_error,
            link=duty_link,
            DUTY_LABELS=DUTY_LABELS,
            STATE_LABELS=DUTY_STATE_LABELS,
            ROLE_LABELS=ROLE_LABELS,
            accounts=accounts(),
            cutoff=rules.training_cutoff(),
            sessions=rules.sessions(),
            training_months=rules.months(rules.TRAINING_VALID),
            may_record=rules.may_record(user),
            errors=errors or {},
            values=values or {},
            today=helsinki_today(),
            low=rules.MIN_MONTHS,
            high=rules.MAX_MONTHS,
        )

    @expose("/training", methods=("POST",))
    def training(self):
        user = acting_user()
        if not rules.may_record(user):
            abort(403)
        form = request.form
        values = {"held_on": form.get("held_on", "")[:40], "topic": form.get("topic", "")[:400],
                  "material_url": form.get("material_url", "")[:1000],
                  "attended": form.getlist("attended")[:10000]}
        try:
            rules.record_session(user, values["held_on"], values["topic"],
                                 values["material_url"], values["attended"])
        except rules.TrainingError as e:
            flash(_("The training was not recorded. Correct the marked field and save again."),
                  "error")
            return self.index(errors={e.field: _(e.message, **e.params)}, values=values)
        flash(_("The training was recorded."), "success")
        return redirect(url_for(".index") + "#training", code=303)

    @expose("/training-months", methods=("POST",))
    def training_months(self):
        return self._set(rules.TRAINING_VALID, url_for(".index") + "#training-months",
                         lambda typed: self.index(**typed))

    @expose("/purge-cadence", methods=("POST",))
    def purge_cadence(self):
        policy = next(view for view in self.admin._views
                      if view.endpoint == "retention_policy")
        return self._set(rules.PURGE_CADENCE, url_for("retention_policy.index") + "#cadence",
                         policy.refused_cadence)

    def _set(self, name, back, page):
        """Set the months of ``name``; a refusal shows ``page`` again with what was typed
        and the message at the field."""
        user = acting_user()
        if not rules.may_set(user, name):
            abort(403)
        typed = request.form.get("months", "")[:40]
        try:
            changed = rules.set_months(name, typed, user)
        except RegisterError as e:
            flash(_("The setting was not saved. Correct the marked field and save again."),
                  "error")
            return page({"values": {name: typed}, "errors": {name: _(e.message, **e.params)}})
        flash(_("The setting was saved.") if changed else
              _("Nothing changed: the setting was already that."),
              "success" if changed else "info")
        return redirect(back, code=303)
