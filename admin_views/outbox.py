"""The outbox of email notifications (issue 17): what waits to be sent, what was sent and
what failed, with a button that sends a failed message again.

Technical maintenance and the controller see it (``see_outbox``). A message shows its
recipient's address, its kind, subject, state, attempts and times; it holds no customer's
data. The rules are in services/notifications/.
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from admin_views.base import SecureBaseView, parse_id
from database import write_transaction
from models import OUTBOX_STATES
from services import notifications
from services.vocabulary.notifications import NOTIFICATION_KIND_LABELS, OUTBOX_STATE_LABELS


class OutboxView(SecureBaseView):
    """/outbox/ (the messages, by state) and /outbox/<id>/retry (POST)."""

    capability = "see_outbox"

    @expose("/")
    def index(self):
        state = request.args.get("state") or ""
        if state not in OUTBOX_STATES:
            state = ""
        settings = notifications.MailSettings.from_config(current_app.config)
        rows = notifications.listing(state or None)
        subjects = {row.id: notifications.subject_of(row, settings.base_url) for row in rows}
        return self.render(
            "outbox/index.html", rows=rows, subjects=subjects, state=state,
            counts=notifications.counts(), states=OUTBOX_STATES,
            STATE_LABELS=OUTBOX_STATE_LABELS, KIND_LABELS=NOTIFICATION_KIND_LABELS,
            mail_on=settings.enabled, max_attempts=notifications.MAX_ATTEMPTS)

    @expose("/<message_id>/retry", methods=("POST",))
    def retry(self, message_id):
        number = parse_id(message_id)
        if number is None:
            abort(404)
        with write_transaction():
            done = notifications.retry(number)
        if done:
            flash(_("The message will be sent again the next time the outbox is sent."),
                  "success")
        else:
            flash(_("The message is no longer failed: it was sent or is already waiting. "
                    "Reload the page."), "error")
        return redirect(url_for(".index", state="failed"), code=303)
