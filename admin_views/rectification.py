"""Rectification requests (seed §15): the list, the register form and each request's page.

Who may do what (the role's sections only, except the responsible person and the
controller, who see every section):

| | staff | handler | responsible | controller | maintenance |
|---|---|---|---|---|---|
| list and read requests | yes | yes | yes | yes | 403 |
| register a request, record the check | yes | yes | yes | 403 | 403 |
| decide (seed §17) | 403 | yes | yes | yes | 403 |
| apply an approved request | 403 | yes | yes | 403 | 403 |

A request or customer outside the user's sections answers 404, whatever the role.

The register page lists the subject's data by data category, as the inspection report
does (``services.rectification.subject_rows``): the customer's own fields, then each
address, contact person, contact, purchase and invoice with its fields, each with its
value now and an empty input for the new value.
"""

import datetime
import decimal

import peewee as pw
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import (
    SecureBaseView,
    customer_or_404,
    flash_form_errors,
    page_number,
    user_customer_scope,
    user_may,
    user_section_ids,
    visible_or_404,
)
from database import write_transaction
from forms.customers import screen_form_args
from forms.data_rights import (
    ApplyForm,
    DecisionForm,
    RectificationRequestForm,
    VerificationForm,
    check_changes,
    field_label,
    row_values_form,
    target_of_input,
    value_text,
)
from models import (
    CATEGORIES,
    FIELD_CATEGORIES,
    ContactPerson,
    Customer,
    PhoneField,
    RectificationRequest,
    utcnow,
)
from services import audit, once
from services import rectification as rules
from services.categories import linked_models
from services.errors import RegisterError
from services.phones import display_phone
from services.vocabulary.customers import CATEGORY_LABELS, CUSTOMER_KIND_LABELS
from services.vocabulary.report import RELATION_LABELS, ROW_LABELS
from services.vocabulary.rights import (
    RECTIFICATION_DECISION_LABELS,
    RECTIFICATION_STATE_LABELS,
    VERIFICATION_SOURCE_LABELS,
)

# Of each kind of row (contacts, invoices …) the page lists the newest this many, unless
# asked for all: a long history would make a page of megabytes.
ROWS_LISTED = 50

# A row's heading names up to this many of its values ("Address 1: Postal address, …").
HEADING_VALUES = 3
HEADING_VALUE_LENGTH = 40

PAGE_SIZE = 50


def scoped_requests():
    """Return the requests about customers the current user may see."""
    query = RectificationRequest.select()
    condition = user_customer_scope()
    return query.where(RectificationRequest.customer.in_(
        Customer.select(Customer.id).where(condition)))


def request_or_404(value):
    """Return the request ``value`` names if the user may see it; 404 for anything else."""
    return visible_or_404(scoped_requests(), value)


def customer_rectification_url(customer):
    """For the customer's page: where to register a request, or None when the user may not."""
    if not user_may("register_rectification"):
        return None
    return url_for("rectification.new_view", customer=customer.id)


class RectificationView(SecureBaseView):
    """Rectification requests: /rectification/ (list), /new/, /<id>/ and its steps."""

    capability = "use_register"

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
            state_labels=RECTIFICATION_STATE_LABELS,
            page=page + 1,
            more=more,
        )

    # --- registering ------------------------------------------------------------------------

    @expose("/new/", methods=("GET", "POST"))
    def new_view(self):
        if not user_may("register_rectification"):
            abort(403)
        customer = customer_or_404(request.args.get("customer"))
        person = None
        if request.args.get("contact_person"):
            person = visible_or_404(
                ContactPerson.select().where(ContactPerson.customer == customer.id),
                request.args.get("contact_person"))
        posted = request.form if request.method == "POST" else None
        form = RectificationRequestForm(posted)
        every_row = request.args.get("all") == "1"
        subject = rules.subject_rows(customer, person,
                                     limit=None if every_row else ROWS_LISTED,
                                     include=_posted_rows(posted))
        values = [row_values_form(r.model, r.row, r.fields, formdata=posted) for r in subject]
        if request.method == "GET":
            form.received_at.data = utcnow()
            # The page shows the customer's data: a read of the customer.
            with write_transaction():
                audit.record("view", actor=current_user._get_current_object(),
                             object_type="customer", object_id=customer.id,
                             section=customer.section.code, fields=["rectification"])
        else:
            valid = form.validate()
            for row_form in values:
                valid = row_form.validate() and valid
            if not valid:
                flash_form_errors()
            else:
                registered = self._register(customer, person, form, subject, values)
                if registered is not None:
                    return registered
        return self.render(
            "data_rights/rectification_new.html",
            customer=customer,
            person=person,
            people=rules.contact_persons_of(customer),
            form=form,
            categories=_by_category(customer, subject, values, counts=(
                {} if every_row or person is not None else rules.row_counts(customer))),
            every_row=every_row,
            kind_label=CUSTOMER_KIND_LABELS.get(customer.kind, customer.kind),
        )

    @staticmethod
    def _register(customer, person, form, subject, values):
        """Register the request the form describes, once however often it is sent; return
        the redirect to it, or None when refused (the reason flashed)."""
        actor = current_user._get_current_object()
        try:
            row = once.run(actor, "rectification_request", form.sent.data, lambda: (
                rules.register(
                    customer,
                    contact_person=person,
                    actor=actor,
                    received_at=form.received_at.data,
                    requester_name=form.requester_name.data,
                    description=form.description.data,
                    requested=_requested(subject, values, request.form),
                )))
        except once.SentBefore as ex:
            flash(_("This form was sent already: rectification request no. %(id)s was "
                    "registered then. Nothing more was registered now.", id=ex.made_id),
                  "info")
            return redirect(url_for(".details_view", request_id=ex.made_id))
        except RegisterError as ex:
            flash(_(ex.message, **ex.params), "error")
            return None
        flash(_("The rectification request was registered. Next, check the data and record "
                "the check."), "success")
        return redirect(url_for(".details_view", request_id=row.id))

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
        if not user_may("register_rectification"):
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
        if not user_may("decide_rectification"):
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
        if not user_may("apply_rectification"):
            abort(403)
        row = request_or_404(request_id)
        form = ApplyForm(request.form, prefix="apply")
        return self._step(row, lambda: rules.apply(
            row, actor=current_user._get_current_object(), version=form.version.data,
            customer_version=form.customer_version.data, validate=check_changes),
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
        return self.render(
            "data_rights/rectification_request.html",
            row=row,
            customer=customer,
            person=row.contact_person if row.contact_person_id else None,
            state=state,
            state_label=RECTIFICATION_STATE_LABELS[state],
            changes=_changes_shown(row, customer),
            applied=row.applied_at is not None,
            source_label=VERIFICATION_SOURCE_LABELS.get(row.verification_source, ""),
            decision_label=RECTIFICATION_DECISION_LABELS.get(row.decision, ""),
            section_name=customer.section.name_in(str(get_locale())),
            can_verify=state in ("registered", "verified") and user_may("register_rectification"),
            can_decide=state in ("registered", "verified") and user_may("decide_rectification"),
            can_apply=state == "approved" and user_may("apply_rectification"),
            verification=verification,
            decision=decision,
            apply_form=apply_form,
        )


# --- the subject's data on the page -----------------------------------------------------


def _requested(subject, values, posted):
    """Return ``{target: new value}`` of the typed inputs, checked, and of any other posted
    new-value input (a target the page did not offer: the service refuses it)."""
    requested = {}
    known = set()
    for subject_row, row_form in zip(subject, values):
        known.update(field.name for field in row_form)
        for field in row_form.typed():
            requested[f"{subject_row.key}.{field.short_name}"] = value_text(field)
    for name in posted:
        key = target_of_input(name)
        if key is not None and name not in known and posted.get(name, "").strip():
            requested[key] = posted.get(name)
    return requested


def _posted_rows(posted):
    """Return ``(model, id)`` of the rows the posted new-value inputs name."""
    rows = set()
    for name in posted or ():
        target = rules.parse_target(target_of_input(name) or "")
        if target is not None:
            rows.add((target.model, target.row_id))
    return rows


def _by_category(customer, subject, values, counts):
    """Return the subject's data as the page lists it: per data category (in the order of
    the register description), the customer's own fields, then each row with its fields,
    and where only the newest rows are listed, how many there are."""
    numbers = _row_numbers(customer, {r.model for r in subject})
    listed = {}
    for subject_row in subject:
        listed[subject_row.model] = listed.get(subject_row.model, 0) + 1
    only_row = len(subject) == 1
    categories = []
    for code in CATEGORIES:
        entries = []
        for subject_row, row_form in zip(subject, values):
            mapping = FIELD_CATEGORIES[subject_row.model]
            fields = [row_form[name] for name in subject_row.fields if mapping[name] == code]
            if not fields:
                continue
            for field in fields:
                now = _shown(subject_row.model, field.short_name,
                             rules.as_text(getattr(subject_row.row, field.short_name)))
                field.description = (_("Now: %(value)s", value=now) if now
                                     else _("Now empty."))
            own = subject_row.model is Customer
            entries.append({
                "id": f"row-{subject_row.key}-{code}".replace(".", "-"),
                "heading": None if own else _row_heading(
                    subject_row, numbers.get((subject_row.model, subject_row.row.id), "")),
                "fields": fields,
                "open": own or only_row or any(f.errors or f.raw_data and f.raw_data[0]
                                               for f in fields),
            })
        more = [_("%(what)s: the newest %(listed)s of %(total)s are listed.",
                  what=RELATION_LABELS.get(model.__name__, model.__name__),
                  listed=listed.get(model, 0), total=total)
                for model, total in counts.items()
                if total > listed.get(model, 0) and code in FIELD_CATEGORIES[model].values()]
        if entries:
            categories.append({"code": code, "label": CATEGORY_LABELS.get(code, code),
                               "entries": entries, "more": more})
    return categories


def _row_numbers(customer, models):
    """Number each model's rows 1, 2, … by id among the customer's rows of the model
    (as the register page lists them): one query of ids per model."""
    links = dict(linked_models())
    numbers = {}
    for model in set(models) & set(links):
        key = model._meta.primary_key
        ids = (model.select(key).where(links[model] == customer.id).order_by(key).tuples())
        numbers.update({(model, row_id): n for n, (row_id,) in enumerate(ids, start=1)})
    return numbers


def _row_label(model, number):
    """Return "Address 1", "Contact 3" … (the inspection report's words), or "Demographics"."""
    label = ROW_LABELS.get(model.__name__)
    if label is None:
        return str(RELATION_LABELS.get(model.__name__, model.__name__))
    return label % {"number": number}


def _row_heading(subject_row, number):
    """Return a row's heading: its label and the first of its values, to tell rows apart."""
    shown = []
    for name in subject_row.fields:
        text = _shown(subject_row.model, name, rules.as_text(getattr(subject_row.row, name)))
        if text:
            shown.append(text if len(text) <= HEADING_VALUE_LENGTH
                         else text[:HEADING_VALUE_LENGTH - 1] + "…")
        if len(shown) == HEADING_VALUES:
            break
    label = _row_label(subject_row.model, number)
    return f"{label}: {', '.join(shown)}" if shown else label


def _changes_shown(row, customer):
    """Return the request's changes as its page shows them: where, now, asked, before, after."""
    found = rules.changes(row)
    person = (ContactPerson.get_or_none(ContactPerson.id == row.contact_person_id)
              if row.contact_person_id is not None else None)
    rows = rules.rows_now([change.target for change in found], customer, person)
    numbers = _row_numbers(customer, {change.target.model for change in found})
    shown = []
    for change in found:
        model, field = change.target.model, change.target.field
        current = rows.get((model, change.target.row_id))
        if model is Customer or model is ContactPerson and row.contact_person_id:
            where = ""
        elif (model, change.target.row_id) in numbers:
            where = _row_label(model, numbers[(model, change.target.row_id)])
        else:
            where = _("no longer in the register")
        shown.append({
            "label": field_label(field),
            "where": where,
            "current": (_shown(model, field, rules.as_text(getattr(current, field, None)))
                        if current is not None else ""),
            "requested": _shown(model, field, change.requested),
            "before": _shown(model, field, change.before),
            "after": _shown(model, field, change.after),
        })
    return shown


def _shown(model, name, value):
    """Return a value as a request keeps it (``rules.as_text``) as a person reads it."""
    if value is None or value == "":
        return ""
    column = model._meta.fields.get(name)
    if isinstance(column, PhoneField):
        return display_phone(value)
    choices = dict(screen_form_args(model).get(name, {}).get("choices") or ())
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    try:
        if isinstance(column, pw.DateTimeField):
            return datetime.datetime.strptime(value, rules.TIME_FORMAT).strftime(
                "%d.%m.%Y %H:%M")
        if isinstance(column, pw.DateField):
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        if isinstance(column, pw.DecimalField):
            return format_decimal(decimal.Decimal(value), format="#,##0.00")
    except (TypeError, ValueError, decimal.InvalidOperation):
        pass
    return str(value)
