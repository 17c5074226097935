"""Informing at registration (seed §13): recording how and when the customers selected in
the list were informed, the front page's count of customers not yet informed, and the
short informing notice to print or paste into an email.

The customer list's bulk action "Record informing" (admin_views/customers.py) sends the
selected ids here. Only customers of the user's own sections are written, whatever ids
are posted; one outside them is neither written nor named.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import (
    SecureBaseView,
    customer_or_404,
    flash_form_errors,
    flash_refusal,
    safe_redirect_target,
    scoped_customers,
    user_customer_scope,
    user_may,
    user_section_ids,
)
from database import write_transaction
from forms.informing import BulkInformingForm
from models import Customer
from services import audit, informing, policy
from services.errors import RegisterError
from services.vocabulary.customers import CUSTOMER_LANGUAGE_LABELS


class InformingView(SecureBaseView):
    """/informing/record/?id=…&id=… (the bulk action's form) and
    /informing/notice/?id=… (the informing notice of one customer)."""

    capability = "use_register"

    def is_accessible(self):
        return super().is_accessible() and bool(user_section_ids())

    def is_visible(self):
        return False  # reached from the customer list and the customer's page

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(informing_notice_url, "informing_notice_url")
        return blueprint

    @expose("/")
    def index(self):
        return redirect(url_for("customers.index_view"))

    @expose("/record/", methods=("GET", "POST"))
    def record(self):
        if not user_may("edit_customers"):
            abort(403)
        back = safe_redirect_target(request.values.get("url"), url_for("customers.index_view"))
        try:
            ids = informing.parse_ids(request.values.getlist("id"))
        except RegisterError as error:
            flash_refusal(error)
            return redirect(back)
        chosen = list(scoped_customers().where(Customer.id.in_(ids)).order_by(Customer.sort_name))
        if not chosen:
            abort(404)
        form = BulkInformingForm(request.form if request.method == "POST" else None)
        if request.method == "POST":
            if form.validate():
                done = self._record(ids, form)
                if done:
                    return redirect(back)
            else:
                flash_form_errors()
        return self.render("admin/informing_record.html", form=form, chosen=chosen,
                           back=back, is_recorded=informing.is_recorded)

    def _record(self, ids, form):
        try:
            recorded, skipped = informing.record_informing(
                current_user._get_current_object(), ids, user_customer_scope(),
                form.informed_how.data, form.informed_at.data,
                form.not_reachable_reason.data)
        except RegisterError as error:
            flash_refusal(error)
            return False
        if recorded:
            flash(_("Informing recorded for customers: %(count)s.", count=len(recorded)),
                  "success")
        if skipped:
            flash(_("Customers that already had an informing record and were left as they "
                    "were: %(count)s.", count=skipped), "info")
        return True

    @expose("/notice/")
    def notice(self):
        customer = customer_or_404(request.args.get("id"))
        language = request.args.get("lang")
        if language not in informing.NOTICE_LANGUAGES:
            language = informing.notice_language(customer.language)
        # What the notice names comes from the controller's settings.
        text = informing.notice(language, site=request.url_root)
        with write_transaction():
            audit.record("view", actor=current_user._get_current_object(),
                         object_type="customer", object_id=customer.id,
                         section=customer.section.code, fields=["informing_notice"])
        return self.render(
            "admin/informing_notice.html", customer=customer, notice=text,
            languages=[(code, CUSTOMER_LANGUAGE_LABELS[code])
                       for code in informing.NOTICE_LANGUAGES],
            section_name=customer.section.name_in(str(get_locale())))


def informing_notice_url(customer):
    """Return the address of ``customer``'s informing notice (the customer's page links it)."""
    return url_for("informing.notice", id=customer.id)


def front_page(list_url):
    """Return the front page's panel of customers not yet informed: a function of
    ``(user, now)`` giving ``[(section name, count, list address)]`` for each section the
    user reads, or None when the user reads no customers. ``list_url(section code)`` is the
    customer list showing a section's customers not yet informed."""

    def panel(user, now=None):
        if not policy.may(user, "use_register"):
            return None
        section_ids = policy.readable_section_ids(user)
        if not section_ids:
            return None
        counts = informing.not_informed_counts(section_ids)
        locale = str(get_locale())
        return [(section.name_in(locale), count, list_url(section.code))
                for section, count in informing.front_page_counts(section_ids, counts)]

    return panel
