"""A private person's marketing consents (seed §16; Act 917/2014 §200): what is in force
per channel, the whole history, a form to record a consent and a one-click withdrawal.

Reached from the customer's page, not from the menu. Staff and handlers record and withdraw
consents of the customers of their sections (``edit_customers``); the controller and the
responsible person read them; technical maintenance sees none. A customer outside the
user's sections is 404, exactly as on the customer screens, and so is a consent of another
customer.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _

from admin_views.base import (
    CustomerRecordsView,
    acting_user,
    customer_or_404,
    flash_refusal,
    parse_id,
    user_may,
)
from database import write_transaction
from forms.consent import ConsentForm, WithdrawalForm
from models import CONSENT_CHANNELS
from services import audit
from services import consent as rules
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.vocabulary.customers import CUSTOMER_KIND_LABELS
from services.vocabulary.rights import (
    CONSENT_CHANNEL_LABELS,
    CONSENT_METHOD_LABELS,
    CONSENT_WORDINGS,
)


def may_record():
    """Tell whether the current user records consents (in the sections they see)."""
    return user_may("edit_customers")


class ConsentView(CustomerRecordsView):
    """One customer's marketing consents: /consents/?customer=ID."""

    # The customer's page shows the consents per channel and links here.
    panel_name = "customer_consents"

    @staticmethod
    def panel(customer):
        return customer_consents(customer)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        customer = customer_or_404(request.args.get("customer"))
        if request.method == "POST" and not may_record():
            abort(403)
        form = ConsentForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.given_on.data = helsinki_today()
        elif form.validate() and self._record(customer, form):
            return redirect(url_for(".index", customer=customer.id))
        with write_transaction():
            audit.record("view", actor=acting_user(), object_type="customer",
                         object_id=customer.id, section=customer.section.code,
                         fields=["marketing_consents"])
        return self.render(
            "data_rights/consents.html",
            customer=customer,
            kind_label=CUSTOMER_KIND_LABELS.get(customer.kind, customer.kind),
            section_name=customer.section.name_in(str(get_locale())),
            needs_consent=rules.needs_consent(customer),
            channels=_channels(customer),
            history=rules.history(customer),
            wordings=CONSENT_WORDINGS,
            current_wording=rules.CURRENT_WORDING,
            channel_labels=CONSENT_CHANNEL_LABELS,
            method_labels=CONSENT_METHOD_LABELS,
            form=form if may_record() and rules.needs_consent(customer) else None,
            withdrawal=WithdrawalForm() if may_record() else None,
        )

    @expose("/withdraw/", methods=("POST",))
    def withdraw(self):
        customer = customer_or_404(request.args.get("customer"))
        if not may_record():
            abort(403)
        consent_id = parse_id(request.form.get("consent"))
        row = rules.consent_of(customer, consent_id) if consent_id else None
        if row is None:
            abort(404)
        form = WithdrawalForm(request.form)
        if not form.validate():
            flash(_("Choose how the person withdrew the consent."), "error")
            return redirect(url_for(".index", customer=customer.id))
        try:
            rules.withdraw(customer, row, how=form.how.data, actor=acting_user())
        except RegisterError as ex:
            flash_refusal(ex)
        else:
            flash(_("Consent withdrawn: %(name)s, %(channel)s. It is no longer in force; its "
                    "record stays in the history below.",
                    channel=CONSENT_CHANNEL_LABELS[row.channel],
                    name=customer.display_name), "success")
        return redirect(url_for(".index", customer=customer.id))

    def _record(self, customer, form):
        """Record the posted consent; flash what happened and tell whether it saved."""
        try:
            rules.record(customer, channel=form.channel.data, given_on=form.given_on.data,
                         given_how=form.given_how.data,
                         wording_version=form.wording_version.data,
                         actor=acting_user(), today=helsinki_today())
        except RegisterError as ex:
            flash_refusal(ex)
            return False
        flash(_("Consent recorded: %(name)s, %(channel)s.",
                channel=CONSENT_CHANNEL_LABELS[form.channel.data],
                name=customer.display_name), "success")
        return True


def _channels(customer):
    """Return ``[(channel, label, row in force or None)]`` of the customer."""
    found = rules.in_force(customer)
    return [(code, CONSENT_CHANNEL_LABELS[code], found.get(code)) for code in CONSENT_CHANNELS]


def customer_consents(customer):
    """For the customer's page: the link here and the consents per channel, or None.

    ``{"url": …, "channels": [(channel, label, row or None)], "may_withdraw": bool}``;
    None when the user may not read consents or the customer is not a private person
    (a company's contact persons need no consent).
    """
    if not user_may("use_register") or not rules.needs_consent(customer):
        return None
    return {
        "url": url_for("consents.index", customer=customer.id),
        "withdraw_url": url_for("consents.withdraw", customer=customer.id),
        "channels": _channels(customer),
        "withdrawal": WithdrawalForm() if user_may("edit_customers") else None,
        "method_labels": CONSENT_METHOD_LABELS,
    }
