"""A customer's prohibitions (seed §16): what is in force, the whole history, and a form.

Reached from the customer's page, not from the menu. Staff and handlers record
prohibitions of the customers of their sections; the controller and the responsible person
read them; technical maintenance sees none. A customer outside the user's sections is 404,
exactly as on the customer screens.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_login import current_user

from admin_views.base import (
    CustomerRecordsView,
    customer_or_404,
    user_may,
)
from database import write_transaction
from forms.data_rights import ProhibitionForm, select_choices
from models import PROHIBITION_PURPOSES
from services import audit
from services import prohibitions as rules
from services.errors import RegisterError
from services.localtime import helsinki_today
from services.vocabulary.customers import CUSTOMER_KIND_LABELS
from services.vocabulary.rights import (
    PROHIBITION_ACTION_LABELS,
    PROHIBITION_PURPOSE_LABELS,
    PROHIBITION_SOURCE_LABELS,
)


def may_record():
    """Tell whether the current user records prohibitions (in the sections they see)."""
    return user_may("edit_customers")


class ProhibitionView(CustomerRecordsView):
    """One customer's prohibitions: /prohibitions/?customer=ID."""

    # The customer's page shows the prohibitions in force and links here.
    panel_name = "customer_prohibitions"

    @staticmethod
    def panel(customer):
        return customer_prohibitions(customer)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        customer = customer_or_404(request.args.get("customer"))
        if request.method == "POST" and not may_record():
            abort(403)
        people = rules.contact_persons_of(customer)
        form = ProhibitionForm(request.form if request.method == "POST" else None)
        form.subject.choices = select_choices(subject_choices(customer, people))
        if request.method == "GET":
            form.effective_on.data = helsinki_today()
        elif form.validate():
            saved = self._record(customer, people, form)
            if saved:
                return redirect(url_for(".index", customer=customer.id))
        with write_transaction():
            audit.record("view", actor=current_user._get_current_object(),
                         object_type="customer", object_id=customer.id,
                         section=customer.section.code, fields=["prohibitions"])
        return self.render(
            "data_rights/prohibitions.html",
            customer=customer,
            kind_label=CUSTOMER_KIND_LABELS.get(customer.kind, customer.kind),
            section_name=customer.section.name_in(str(get_locale())),
            subjects=[(None, customer.display_name)] + [(p.id, _person(p)) for p in people],
            purposes=[(code, PROHIBITION_PURPOSE_LABELS[code]) for code in PROHIBITION_PURPOSES],
            in_force=rules.in_force(customer),
            history=list(reversed(rules.history(customer))),
            names={p.id: _person(p) for p in people},
            purpose_labels=PROHIBITION_PURPOSE_LABELS,
            action_labels=PROHIBITION_ACTION_LABELS,
            source_labels=PROHIBITION_SOURCE_LABELS,
            form=form if may_record() else None,
        )

    def _record(self, customer, people, form):
        """Record the posted prohibition; flash what happened and tell whether it saved."""
        person = None
        if form.subject.data:
            person = next((p for p in people if str(p.id) == form.subject.data), None)
            if person is None:
                abort(404)
        try:
            rules.record(
                customer,
                purpose=form.purpose.data,
                action=form.action.data,
                effective_on=form.effective_on.data,
                source=form.source.data,
                note=form.note.data,
                contact_person=person,
                actor=current_user._get_current_object(),
                today=helsinki_today(),
            )
        except RegisterError as ex:
            flash(_(ex.message, **ex.params), "error")
            return False
        whose = _person(person) if person else customer.display_name
        flash(_("Recorded for %(whose)s: %(action)s — %(purpose)s.", whose=whose,
                action=PROHIBITION_ACTION_LABELS[form.action.data],
                purpose=PROHIBITION_PURPOSE_LABELS[form.purpose.data]), "success")
        return True


def subject_choices(customer, people):
    """Return the choices of whose prohibition: the customer itself, then its contact persons."""
    choices = [("", _("%(name)s (the customer)", name=customer.display_name))]
    choices += [(str(p.id), _("%(name)s (contact person)", name=_person(p))) for p in people]
    return choices


def customer_prohibitions(customer):
    """For the customer's page: the link here and the prohibitions in force, or None.

    ``{"url": …, "in_force": [(whose, purpose label, since), …]}``; None when the user may
    not read prohibitions.
    """
    if not user_may("use_register"):
        return None
    rows = sorted(rules.in_force(customer).values(),
                  key=lambda r: (r.contact_person_id or 0, r.purpose))
    # The contact persons' names only when a prohibition of one is in force (most pages
    # have none: no query for them).
    names = ({p.id: _person(p) for p in rules.contact_persons_of(customer)}
             if any(r.contact_person_id for r in rows) else {})
    return {
        "url": url_for("prohibitions.index", customer=customer.id),
        "in_force": [
            # A contact person's prohibition never as the customer's own, whether the
            # section still shows its contact persons or not.
            (names.get(r.contact_person_id, _("a contact person")) if r.contact_person_id
             else customer.display_name, PROHIBITION_PURPOSE_LABELS[r.purpose], r.effective_on)
            for r in rows
        ],
    }


def _person(person):
    return " ".join(part for part in (person.first_name, person.last_name) if part)
