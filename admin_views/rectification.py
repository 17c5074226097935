"""Rectification requests (seed §15): the list, the register form and each request's page.

Who may do what (the role's sections only, except the responsible person and the
controller, who see every section):

| | staff | handler | responsible | controller | maintenance |
|---|---|---|---|---|---|
| list and read requests | yes | yes | yes | yes | 403 |
| register a request, record the check | yes | yes | yes | 403 | 403 |
| decide, apply an approved request | 403 | yes | yes | 403 | 403 |

A request about a customer outside the user's sections answers 404.
"""

import datetime

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale, to_user_timezone, to_utc
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import (
    REGISTER_ROLES,
    SecureBaseView,
    customer_scope,
    page_number,
    parse_id,
    user_section_ids,
)
from admin_views.labels import CUSTOMER_LANGUAGE_LABELS, KIND_LABELS
from admin_views.prohibitions import customer_or_404
from database import write_transaction
from forms.data_rights import (
    DECISION_LABELS,
    STATE_LABELS,
    VERIFICATION_SOURCE_LABELS,
    ApplyForm,
    DecisionForm,
    RectificationRequestForm,
    VerificationForm,
    check_values,
    field_label,
    typed_values,
    values_form,
)
from models import ContactPerson, Customer, RectificationRequest
from services import audit
from services import rectification as rules
from services.errors import RegisterError

# Roles per step (README "Rectification"); sections are checked through the scope.
REGISTERING_ROLES = ("staff", "handler", "responsible")
DECIDING_ROLES = ("handler", "responsible")

PAGE_SIZE = 50


def _role_in(roles):
    return current_user.is_authenticated and current_user.role in roles


def scoped_requests():
    """Return the requests about customers the current user may see."""
    query = RectificationRequest.select()
    condition = customer_scope(user_section_ids())
    return query.where(RectificationRequest.customer.in_(
        Customer.select(Customer.id).where(condition)))


def request_or_404(value):
    """Return the request ``value`` names if the user may see it; 404 for anything else."""
    request_id = parse_id(value)
    row = (scoped_requests().where(RectificationRequest.id == request_id).first()
           if request_id is not None else None)
    if row is None:
        abort(404)
    return row


def customer_rectification_url(customer):
    """For the customer's page: where to register a request, or None when the user may not."""
    if not _role_in(REGISTERING_ROLES):
        return None
    return url_for("rectification.new_view", customer=customer.id)


def _now_local():
    return to_user_timezone(datetime.datetime.now(datetime.timezone.utc)).replace(
        tzinfo=None, second=0, microsecond=0)


class RectificationView(SecureBaseView):
    """Rectification requests: /rectification/ (list), /new/, /<id>/ and its steps."""

    allowed_roles = REGISTER_ROLES

    def is_accessible(self):
        return super().is_accessible() and bool(user_section_ids())

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(customer_rectification_url,
                                          "customer_rectification_url")
        return blueprint

    # --- the list -------------------------------------------------------------------------

    @expose("/")
    def index(self):
        page = page_number(request.args.get("page")) - 1
        rows = list(rules.open_first(scoped_requests())
                    .offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1))
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        customers = {c.id: c for c in Customer.select().where(
            Customer.id.in_({r.customer_id for r in rows}))} if rows else {}
        return self.render(
            "data_rights/rectification_list.html",
            rows=[(r, customers.get(r.customer_id), rules.state(r)) for r in rows],
            state_labels=STATE_LABELS,
            page=page + 1,
            more=more,
        )

    # --- registering ------------------------------------------------------------------------

    @expose("/new/", methods=("GET", "POST"))
    def new_view(self):
        if not _role_in(REGISTERING_ROLES):
            abort(403)
        customer = customer_or_404(request.args.get("customer"))
        person = None
        if request.args.get("contact_person"):
            person_id = parse_id(request.args.get("contact_person"))
            person = (ContactPerson.get_or_none((ContactPerson.id == person_id)
                                                & (ContactPerson.customer == customer.id))
                      if person_id else None)
            if person is None:
                abort(404)
        names = rules.rectifiable_fields(customer, person)
        kind = "contact_person" if person is not None else "customer"
        posted = request.form if request.method == "POST" else None
        form = RectificationRequestForm(posted)
        new = values_form(kind, names, formdata=posted)
        if request.method == "GET":
            form.received_at.data = _now_local()
            # The form shows the customer's current values: a read of the customer.
            with write_transaction():
                audit.record("view", actor=current_user._get_current_object(),
                             object_type="customer", object_id=customer.id,
                             section=customer.section.code, fields=["rectification"])
        else:
            valid = form.validate()
            valid = new.validate() and valid
            requested = typed_values(new)
            if valid:
                try:
                    row = rules.register(
                        customer,
                        contact_person=person,
                        actor=current_user._get_current_object(),
                        received_at=to_utc(form.received_at.data),
                        requester_name=form.requester_name.data,
                        description=form.description.data,
                        requested={name: _stored_text(new[name].data) for name in requested},
                    )
                except RegisterError as ex:
                    flash(_(ex.message, **ex.params), "error")
                else:
                    flash(_("The rectification request was registered. Next, check the data "
                            "and record the check."), "success")
                    return redirect(url_for(".details_view", request_id=row.id))
        for name in names:
            now = _shown(customer if person is None else person, name)
            new[name].description = (_("Now: %(value)s", value=now) if now
                                     else _("Now empty."))
        return self.render(
            "data_rights/rectification_new.html",
            customer=customer,
            person=person,
            people=rules.contact_persons_of(customer),
            form=form,
            new=new,
            kind_label=KIND_LABELS.get(customer.kind, customer.kind),
        )

    # --- one request ------------------------------------------------------------------------

    @expose("/<request_id>/")
    def details_view(self, request_id):
        row = request_or_404(request_id)
        with write_transaction():
            audit.record("view", actor=current_user._get_current_object(),
                         object_type=rules.AUDIT_OBJECT_TYPE, object_id=row.id,
                         section=row.customer.section.code)
        return self._request_page(row)

    @expose("/<request_id>/verify/", methods=("POST",))
    def verify_view(self, request_id):
        if not _role_in(REGISTERING_ROLES):
            abort(403)
        row = request_or_404(request_id)
        form = VerificationForm(request.form, prefix="verify")
        if not form.validate():
            return self._request_page(row, verification=form)
        return self._step(row, lambda: rules.verify(
            row, actor=current_user._get_current_object(),
            source=form.verification_source.data, result=form.verification_result.data,
            version=form.version.data),
            _("The check was recorded."), verification=form)

    @expose("/<request_id>/decide/", methods=("POST",))
    def decide_view(self, request_id):
        if not _role_in(DECIDING_ROLES):
            abort(403)
        row = request_or_404(request_id)
        form = DecisionForm(request.form, prefix="decide")
        if not form.validate():
            return self._request_page(row, decision=form)
        done = (_("The request was approved. Apply it to change the data.")
                if form.decision.data == "approved" else _("The request was refused."))
        return self._step(row, lambda: rules.decide(
            row, actor=current_user._get_current_object(), decision=form.decision.data,
            reason=form.decision_reason.data, version=form.version.data),
            done, decision=form)

    @expose("/<request_id>/apply/", methods=("POST",))
    def apply_view(self, request_id):
        if not _role_in(DECIDING_ROLES):
            abort(403)
        row = request_or_404(request_id)
        form = ApplyForm(request.form, prefix="apply")
        return self._step(row, lambda: rules.apply(
            row, actor=current_user._get_current_object(), version=form.version.data,
            customer_version=form.customer_version.data, validate=check_values),
            _("The request was applied: the data were changed and the values before and "
              "after are kept with the request."))

    # --- helpers ----------------------------------------------------------------------------

    def _step(self, row, action, done, **forms):
        """Run one step; on success back to the request, else the page with the message."""
        try:
            action()
        except RegisterError as ex:
            flash(_(ex.message, **ex.params), "error")
            return self._request_page(RectificationRequest.get_by_id(row.id), **forms)
        flash(done, "success")
        return redirect(url_for(".details_view", request_id=row.id))

    def _request_page(self, row, verification=None, decision=None):
        customer = row.customer
        target = rules.target_of(row)
        requested = rules.requested_values(row)
        state = rules.state(row)
        verification = verification or VerificationForm(prefix="verify")
        decision = decision or DecisionForm(prefix="decide")
        apply_form = ApplyForm(prefix="apply")
        for form in (verification, decision, apply_form):
            form.version.data = row.version
        apply_form.customer_version.data = customer.version
        if verification.verification_source.data is None and row.verification_source:
            verification.verification_source.data = row.verification_source
            verification.verification_result.data = row.verification_result
        changes = [
            {"name": name, "label": field_label(name),
             "current": _shown(target, name),
             "requested": _shown_text(name, value),
             "before": _shown_text(name, (rules.before_values(row) or {}).get(name)),
             "after": _shown_text(name, (rules.after_values(row) or {}).get(name))}
            for name, value in requested.items()
        ]
        return self.render(
            "data_rights/rectification_request.html",
            row=row,
            customer=customer,
            person=row.contact_person if row.contact_person_id else None,
            state=state,
            state_label=STATE_LABELS[state],
            changes=changes,
            applied=row.applied_at is not None,
            source_label=VERIFICATION_SOURCE_LABELS.get(row.verification_source, ""),
            decision_label=DECISION_LABELS.get(row.decision, ""),
            section_name=customer.section.name_in(str(get_locale())),
            can_verify=state in ("registered", "verified") and _role_in(REGISTERING_ROLES),
            can_decide=state in ("registered", "verified") and _role_in(DECIDING_ROLES),
            can_apply=state == "approved" and _role_in(DECIDING_ROLES),
            verification=verification,
            decision=decision,
            apply_form=apply_form,
        )


def _stored_text(value):
    """Return a validated form value as the request stores it: text, dates as ISO."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _shown(row, name):
    """Return the stored value of ``row.name`` as a person reads it."""
    return _shown_text(name, getattr(row, name, None))


def _shown_text(name, value):
    """Return a value (stored or JSON text) as a person reads it."""
    if value is None or value == "":
        return ""
    if name == "language":
        return CUSTOMER_LANGUAGE_LABELS.get(value, value)
    if name == "birth_date":
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return value
        return value.strftime("%d.%m.%Y")
    return str(value)
