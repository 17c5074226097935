"""The account page of one's own email notifications: the work address they go to, their
language and the kinds turned off (issue 17). Every logged-in user has it, reached from
the header's user menu.

A new address is the account's once its owner opens the link sent to it (logged in);
the page says which address waits for that.
"""

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from admin_views.base import (
    SecureBaseView,
    acting_user,
    field_refusal,
    flash_form_errors,
    flash_refusal,
)
from forms.notifications import NotificationSettingsForm
from services import notifications
from services.errors import RegisterError


class NotificationSettingsView(SecureBaseView):
    """/account/notifications: show and save the user's own settings."""

    def is_visible(self):
        return False  # in the user menu of the header, not in the register's menu

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = acting_user()
        if request.method == "POST":
            form = NotificationSettingsForm(request.form)
            if form.validate():
                try:
                    waiting = notifications.save_settings(
                        user, email=form.email.data, language=form.language.data,
                        kinds_off=form.kinds_off.data, daily_digest=form.daily_digest.data)
                except RegisterError as e:
                    field_refusal(form, e)
                else:
                    flash(_("Your notification settings were saved."), "success")
                    if waiting:
                        flash(_("A confirmation link was sent to %(address)s: the address "
                                "is used once you open the link, logged in, within 48 "
                                "hours.", address=waiting), "info")
                    return redirect(url_for(".index"), code=303)
            else:
                flash_form_errors()
        else:
            form = NotificationSettingsForm(
                email=user.email or "", language=user.language or "fi",
                kinds_off=(user.notifications_off or "").split(),
                daily_digest=user.daily_digest)
        return self.render("notifications/settings.html", form=form,
                           waiting=notifications.waiting_address(user))

    @expose("/confirm/<token>")
    def confirm(self, token):
        try:
            address = notifications.confirm_email(acting_user(), token)
        except RegisterError as e:
            flash_refusal(e)
        else:
            flash(_("Your email address %(address)s is confirmed: the register's "
                    "notifications go there.", address=address), "success")
        return redirect(url_for(".index"), code=303)
