"""The disclosure register's pages (seed §8, §17): the list, preparing, the controller's
decision, carrying out (the data set handed over) and the allowed recipients.

The rules are in ``services.disclosures``; these pages read forms, call it and show what
it returns. Who may do what, checked on every endpoint:

| | handler | controller | responsible | staff, maintenance |
|---|---|---|---|---|
| list and read disclosures | own (see ``visible_to``) | all | all | 403 |
| prepare, choose customers and categories, carry out | own sections | all sections | 403 | 403 |
| approve or refuse | 403 | yes | 403 | 403 |
| read the allowed recipients | yes | yes | yes | 403 |
| add, deactivate recipients | 403 | yes | 403 | 403 |

A disclosure the user may not open answers 404.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from peewee import fn

from admin_views.base import (
    SecureBaseView,
    acting_user,
    all_sections,
    download,
    flash_form_errors,
    local_date,
    page_number,
    parse_id,
    user_name,
    visible_or_404,
)
from database import write_transaction
from forms.disclosures import (
    CustomerListForm,
    DecisionForm,
    InvoicePeriodForm,
    PrepareForm,
    RecipientForm,
)
from models import (
    Customer,
    Disclosure,
    DisclosureCustomer,
    DisclosureRecipient,
    Section,
    User,
)
from services import audit, once
from services import disclosures as rules
from services.errors import RegisterError
from services.vocabulary import report as texts
from services.vocabulary.administration import ROLE_LABELS
from services.vocabulary.customers import CATEGORY_LABELS, CUSTOMER_KIND_LABELS
from services.vocabulary.rights import DISCLOSURE_STATE_LABELS, EXPORT_FORMAT_LABELS

PAGE_SIZE = 25
CUSTOMER_PAGE_SIZE = 50


def _text(label):
    """Return a label of the report's vocabulary in the user's language; "" for none."""
    return str(label) if label is not None else ""


_user = acting_user


def _error(error):
    # A text parameter may itself be a msgid (a field's name); a name or number is kept.
    params = {k: _(v) if isinstance(v, str) else v for k, v in error.params.items()}
    flash(_(error.message, **params), "error")


_form_errors = flash_form_errors


def category_names(codes):
    """Return the categories' names in the user's language, comma-separated."""
    return ", ".join(str(CATEGORY_LABELS.get(c, c)) for c in codes)


# --- the page ---------------------------------------------------------------------------


class DisclosureView(SecureBaseView):
    """Disclosures: /disclosures/ (list), /new/, /<id>/ and its steps, /recipients/."""

    capability = "read_disclosures"

    # --- loading, with the checks every endpoint makes ------------------------------------

    def _load(self, disclosure_id):
        """Return the disclosure if the user may open it; 404 for anything else."""
        return visible_or_404(rules.get_visible, disclosure_id)

    def _load_to_prepare(self, disclosure_id):
        if not rules.may_prepare(_user()):
            abort(403)
        return self._load(disclosure_id)

    def _details_url(self, found, anchor=None):
        return url_for(".details", disclosure_id=found.id, _anchor=anchor)

    def _helpers(self):
        locale = str(get_locale())
        return {
            "STATE_LABELS": DISCLOSURE_STATE_LABELS,
            "CATEGORY_LABELS": CATEGORY_LABELS,
            "KIND_LABELS": CUSTOMER_KIND_LABELS,
            "FORMAT_LABELS": EXPORT_FORMAT_LABELS,
            "category_names": category_names,
            "user_name": user_name,
            "recipient_name": lambda r: r.name_in(locale),
            "section_name": lambda c: all_sections()[c.section_id].name_in(locale),
            "may_prepare": rules.may_prepare(_user()),
            "may_decide": rules.may_decide(_user()),
            "may_manage_recipients": rules.may_manage_recipients(_user()),
        }

    # --- the list ---------------------------------------------------------------------------

    @expose("/")
    def index(self):
        page = page_number(request.args.get("page"))
        rows = list(rules.visible_to(_user())
                    .order_by((Disclosure.state == "prepared").desc(),
                              Disclosure.prepared_at.desc(), Disclosure.id.desc())
                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        counts = {}
        if rows:
            counts = dict(DisclosureCustomer
                          .select(DisclosureCustomer.disclosure,
                                  fn.COUNT(DisclosureCustomer.id))
                          .where(DisclosureCustomer.disclosure.in_([r.id for r in rows]))
                          .group_by(DisclosureCustomer.disclosure).tuples())
        recipients = {r.id: r for r in DisclosureRecipient.select()}
        return self.render(
            "disclosures/list.html",
            rows=[(r, recipients[r.recipient_id],
                   r.customer_count if r.state == "carried_out" else counts.get(r.id, 0))
                  for r in rows],
            page=page,
            more=more,
            **self._helpers(),
        )

    # --- preparing ----------------------------------------------------------------------------

    @expose("/new/", methods=("GET", "POST"))
    def create(self):
        if not rules.may_prepare(_user()):
            abort(403)
        form = PrepareForm(request.form if request.method == "POST" else None)
        locale = str(get_locale())
        form.recipient.choices = [("", "—")] + [
            (str(r.id), r.name_in(locale)) for r in rules.recipients(active_only=True)]
        if request.method == "POST":
            if form.validate():
                try:
                    created = once.run(_user(), "disclosure", form.sent.data, lambda: (
                        rules.prepare(_user(), form.recipient.data, form.purpose.data,
                                      form.legal_basis.data)))
                except once.SentBefore as e:
                    flash(_("This form was sent already: disclosure no. %(id)s was prepared "
                            "then. Nothing more was prepared now.", id=e.made_id), "info")
                    return redirect(url_for(".details", disclosure_id=e.made_id))
                except RegisterError as e:
                    _error(e)
                else:
                    flash(_("Disclosure no. %(id)s prepared. Next, choose the customers and "
                            "the data categories.", id=created.id), "success")
                    return redirect(self._details_url(created, "customers-heading"))
            else:
                _form_errors()
        return self.render("disclosures/new.html", form=form, **self._helpers())

    # --- one disclosure -------------------------------------------------------------------

    @expose("/<disclosure_id>/")
    def details(self, disclosure_id):
        found = self._load(disclosure_id)
        with write_transaction():
            audit.record("view", actor=_user(), object_type=rules.AUDIT_OBJECT_TYPE,
                         object_id=found.id)
        return self._render_details(found)

    def _render_details(self, found, **forms):
        """Render the disclosure's page; ``forms`` replaces a step's fresh form with a
        posted one (its input kept)."""
        user = _user()
        editable = found.state == "prepared" and rules.may_prepare(user)
        page = page_number(request.args.get("page"))
        customers = rules.customers_of(found, user, (page - 1) * CUSTOMER_PAGE_SIZE,
                                       CUSTOMER_PAGE_SIZE + 1)
        term = (request.args.get("q") or "").strip()[:200]
        found_customers = None
        if editable and term:
            found_customers = rules.find_customers(user, term, found)
        included = set()
        if found_customers:
            included = {i for (i,) in DisclosureCustomer
                        .select(DisclosureCustomer.customer)
                        .where((DisclosureCustomer.disclosure == found.id)
                               & DisclosureCustomer.customer.in_(
                                   [c.id for c in found_customers])).tuples()}
        available = rules.available_categories(found, user)
        return self.render(
            "disclosures/details.html",
            row=found,
            recipient=DisclosureRecipient.get_by_id(found.recipient_id),
            editable=editable,
            count=rules.customer_count(found, user),
            count_elsewhere=rules.customer_count(found) - rules.customer_count(found, user),
            reads_every_customer=rules.reads_every_customer(user, found),
            customers=customers[:CUSTOMER_PAGE_SIZE],
            customer_page=page,
            more_customers=len(customers) > CUSTOMER_PAGE_SIZE,
            term=term,
            found_customers=found_customers,
            max_found=rules.MAX_FOUND,
            included=included,
            available=available,
            not_held=[c for c in CATEGORY_LABELS if c not in available],
            chosen=set(forms.get("chosen") or found.category_list),
            list_form=forms.get("list_form") or CustomerListForm(prefix="list"),
            period_form=forms.get("period_form") or InvoicePeriodForm(
                prefix="period", first_day=found.invoices_from, last_day=found.invoices_until),
            decision_form=forms.get("decision_form") or DecisionForm(
                prefix="decision", version=found.version),
            export_format=forms.get("export_format") or "xlsx",
            **self._helpers(),
        )

    @expose("/<disclosure_id>/customers/", methods=("POST",))
    def customers(self, disclosure_id):
        found = self._load_to_prepare(disclosure_id)
        action = request.form.get("action")
        user = _user()
        forms = {}
        try:
            if action == "add":
                ids = [i for i in map(parse_id, request.form.getlist("customer")) if i]
                added = rules.add_customers(user, found, ids)
                flash(self._added_text(added), "success")
            elif action == "list":
                form = CustomerListForm(request.form, prefix="list")
                forms["list_form"] = form
                if not form.validate():
                    _form_errors()
                    return self._render_details(found, **forms)
                result = rules.add_customers_by_list(user, found, form.numbers.data)
                flash(self._added_text(result.added), "success")
                if result.unmatched:
                    flash(_("These named no customer of your sections, and were left out: "
                            "%(items)s", items=", ".join(result.unmatched[:50])), "warning")
                    return self._render_details(Disclosure.get_by_id(found.id), **forms)
            elif action == "invoices":
                form = InvoicePeriodForm(request.form, prefix="period")
                forms["period_form"] = form
                if not form.validate():
                    _form_errors()
                    return self._render_details(found, **forms)
                added = rules.add_customers_with_invoices(user, found, form.first_day.data,
                                                          form.last_day.data)
                flash(self._added_text(added), "success")
            elif action in ("remove", "remove_all"):
                ids = None
                if action == "remove":
                    ids = [i for i in map(parse_id, request.form.getlist("customer")) if i]
                dropped = rules.remove_customers(user, found, ids)
                flash(_("The customers were removed from the disclosure."), "success")
                if dropped:
                    flash(_("The remaining customers' sections do not hold these categories, "
                            "so they were left out: %(categories)s",
                            categories=category_names(dropped)), "warning")
            else:
                abort(400)
        except RegisterError as e:
            _error(e)
            return self._render_details(Disclosure.get_by_id(found.id), **forms)
        return redirect(self._details_url(found, "customers-heading"), code=303)

    @staticmethod
    def _added_text(added):
        if added == 0:
            return _("No new customers: those chosen were already included.")
        return _("Customers added: %(count)s.", count=added)

    @expose("/<disclosure_id>/categories/", methods=("POST",))
    def categories(self, disclosure_id):
        found = self._load_to_prepare(disclosure_id)
        chosen = request.form.getlist("category")
        try:
            result = rules.choose_categories(_user(), found, chosen)
        except RegisterError as e:
            _error(e)
            return self._render_details(Disclosure.get_by_id(found.id), chosen=chosen)
        flash(_("Data categories saved: %(categories)s.",
                categories=category_names(result.kept)), "success")
        if result.dropped:
            flash(_("The chosen customers' sections do not hold these categories, so they "
                    "were left out: %(categories)s", categories=category_names(result.dropped)),
                  "warning")
        return redirect(self._details_url(found, "categories-heading"), code=303)

    # --- the controller's decision ------------------------------------------------------------

    @expose("/<disclosure_id>/decide/", methods=("POST",))
    def decide(self, disclosure_id):
        if not rules.may_decide(_user()):
            abort(403)
        found = self._load(disclosure_id)
        form = DecisionForm(request.form, prefix="decision")
        decision = request.form.get("decision")
        if decision not in ("approve", "refuse"):
            abort(400)
        if not form.validate():
            _form_errors()
            return self._render_details(found, decision_form=form)
        try:
            # No version posted is a stale page, never "skip the check".
            rules.decide(_user(), found, decision == "approve", form.reason.data,
                         version=form.version.data or "")
        except RegisterError as e:
            _error(e)
            return self._render_details(Disclosure.get_by_id(found.id), decision_form=form)
        if decision == "approve":
            flash(_("The disclosure was approved. It can now be carried out: download the "
                    "data set and hand it over to the recipient."), "success")
        else:
            flash(_("The disclosure was refused. No data will be handed over."), "success")
        return redirect(self._details_url(found, "decision-heading"), code=303)

    # --- carrying out ---------------------------------------------------------------------

    @expose("/<disclosure_id>/export/", methods=("POST",))
    def export(self, disclosure_id):
        found = self._load_to_prepare(disclosure_id)
        fmt = request.form.get("format")
        try:
            result = rules.carry_out(_user(), found, fmt, labels=self._export_labels(found),
                                     locale=str(get_locale()))
        except (RegisterError, rules.NotAllowed) as e:
            # NotAllowed too: a disclosure holding other sections' customers is no 403,
            # the page says the controller carries it out.
            _error(e)
            return self._render_details(Disclosure.get_by_id(found.id), export_format=fmt)
        return download(result.content, result.filename, result.content_type)

    def _export_labels(self, found):
        """Return what the file calls things, in the user's language."""
        locale = str(get_locale())
        recipient = DisclosureRecipient.get_by_id(found.recipient_id)
        cover = [
            (_("Disclosure"), _("No. %(id)s", id=found.id)),
            (_("Recipient"), recipient.name_in(locale)),
            (_("Purpose"), found.purpose),
            (_("Legal basis"), found.legal_basis),
            (_("Data categories"), category_names(found.category_list)),
        ]
        if found.invoices_from and found.invoices_until:
            cover.append((_("Invoices dated"), f"{found.invoices_from:%Y-%m-%d} – "
                                               f"{found.invoices_until:%Y-%m-%d}"))
        decided = local_date(found.decided_at)
        cover.append((_("Decided"), f"{decided} ({ROLE_LABELS['controller']})"))
        cover.append((_("Controller"), _("City of Helsinki Economic Development services")))

        sections = {sec.code: sec.name_in(locale) for sec in all_sections().values()}

        def value(model, name, code):
            if model is Section:
                return sections.get(code, code)
            if model is User:
                return str(ROLE_LABELS.get(code, code))
            labels = (texts.MODEL_CODE_LABELS.get((model.__name__, name))
                      or texts.REPORT_CODE_LABELS.get(name) or {})
            return _text(labels.get(code)) or code

        def field(model, name):
            return _text(texts.MODEL_FIELD_LABELS.get((model.__name__, name))
                         or texts.REPORT_FIELD_LABELS.get(name)) or name

        def table(model):
            if model is Customer:
                return _("Customers")
            return _text(texts.RELATION_LABELS.get(model.__name__)) or model.__name__

        return rules.ExportLabels(
            table=table,
            field=field,
            value=value,
            customer_number=_("Customer number"),
            yes=_("Yes"),
            no=_("No"),
            cover_title=_("Disclosure of personal data"),
            cover=tuple(cover),
        )

    # --- allowed recipients -------------------------------------------------------------------

    @expose("/recipients/", methods=("GET", "POST"))
    def recipients(self):
        form = RecipientForm(request.form if request.method == "POST" else None)
        if request.method == "POST":
            if not rules.may_manage_recipients(_user()):
                abort(403)
            if form.validate():
                try:
                    added = rules.add_recipient(_user(), form.name_fi.data, form.name_sv.data,
                                                form.name_en.data)
                except RegisterError as e:
                    _error(e)
                else:
                    flash(_("%(name)s was added to the allowed recipients.",
                            name=added.name_in(str(get_locale()))), "success")
                    return redirect(url_for(".recipients"), code=303)
            else:
                _form_errors()
        return self.render("disclosures/recipients.html", form=form,
                           recipients=rules.recipients(), **self._helpers())

    @expose("/recipients/<recipient_id>/active/", methods=("POST",))
    def recipient_active(self, recipient_id):
        if not rules.may_manage_recipients(_user()):
            abort(403)
        row_id = visible_or_404(DisclosureRecipient, recipient_id).id
        active = request.form.get("active") == "1"
        try:
            changed = rules.set_recipient_active(_user(), row_id, active)
        except RegisterError as e:
            _error(e)
        else:
            name = changed.name_in(str(get_locale()))
            if changed.active:
                flash(_("%(name)s is an allowed recipient again.", name=name), "success")
            else:
                flash(_("%(name)s was deactivated: nothing can be disclosed to it any more.",
                        name=name), "success")
        return redirect(url_for(".recipients"), code=303)
