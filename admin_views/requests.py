"""Inspection request pages (seed §14): the list, registering, one request's steps, and
the on-site flow.

The rules are in ``services.requests``; these pages read forms, call it and show what it
returns. Who may do what is checked on every endpoint: maintenance reaches none of them
(403), a request the user may not open answers 404, and a step the role may not take 403.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _

from admin_views.base import (
    SecureBaseView,
    acting_user,
    all_sections,
    local_datetime,
    page_number,
    parse_id,
    user_name,
    visible_or_404,
)
from forms.requests import (
    BLANK,
    DecisionForm,
    DeliveryForm,
    IdentityForm,
    OnSiteForm,
    RequestForm,
    SubjectSearchForm,
    VersionForm,
    choice,
)
from models import InspectionRequest, utcnow
from services import once
from services import requests as rules
from services.errors import RegisterError
from services.report import build_report, may_read_report
from services.vocabulary.customers import CUSTOMER_KIND_LABELS
from services.vocabulary.rights import (
    DECISION_LABELS,
    DELIVERY_METHOD_LABELS,
    IDENTITY_METHOD_LABELS,
    INSPECTION_STATE_LABELS,
    REPORT_LANGUAGE_LABELS,
    REQUEST_CHANNEL_LABELS,
    SUBJECT_MATCH_LABELS,
)

# Delivered requests are listed this many to a page, after every open one.
CLOSED_PAGE_SIZE = 25


_user = acting_user


def _error(error):
    flash(_(error.message, **error.params), "error")


def _form_errors():
    flash(_("Check the fields marked below, correct them and send the form again."), "error")


def _section_choices(sections=None, blank=True):
    """Return the sections as choices: every section, or those given."""
    locale = str(get_locale())
    options = [choice(s.code, s.name_in(locale))
               for s in (all_sections().values() if sections is None else sections)]
    return [BLANK, *options] if blank else options


def _query_of(form):
    return rules.SubjectQuery(
        name=form.requester_name.data if hasattr(form, "requester_name") else form.name.data,
        birth_date=form.birth_date.data,
        email=form.email.data,
        phone=form.phone.data,
        business_id=form.business_id.data,
    )




def subject_name(customer, contact_person=None):
    """Return the name of a subject's record: the contact person's, or the customer's."""
    if contact_person is not None:
        return f"{contact_person.first_name} {contact_person.last_name}"
    return customer.display_name


def subject_kind(customer, contact_person=None):
    """Return what a subject's record is: a kind of customer, or whose contact person."""
    if contact_person is None:
        return CUSTOMER_KIND_LABELS.get(customer.kind, customer.kind)
    text = _("Contact person of %(company)s", company=customer.display_name)
    return f"{text} ({contact_person.role})" if contact_person.role else text


def _seen(form):
    """Return the version the page showed: a form sent without it is as stale as one with
    an old one ("" is no version), as the services read None as "not checked"."""
    return form.version.data or ""


class InspectionRequestView(SecureBaseView):
    """Inspection requests: registered by anyone at work, handled by the section's handler,
    decided by the responsible person or the controller."""

    capability = "register_inspection_requests"

    # --- loading, with the checks every endpoint makes ------------------------------------

    def _load(self, request_id):
        """Return the request if the user may open it; 404 for anything else."""
        return visible_or_404(rules.get_visible, request_id)

    def _load_to_handle(self, request_id):
        if not rules.may_handle(_user()):
            abort(403)
        found = self._load(request_id)
        if not rules.may_handle(_user(), found):
            abort(403)
        return found

    def _load_to_decide(self, request_id):
        if not rules.may_decide(_user()):
            abort(403)
        return self._load(request_id)

    def _details_url(self, found, anchor=None):
        return url_for(".details", request_id=found.id, _anchor=anchor)

    # --- the list ---------------------------------------------------------------------

    @expose("/")
    def index(self):
        visible = rules.visible_to(_user())
        open_rows = list(visible.where(InspectionRequest.delivered_at.is_null())
                         .order_by(InspectionRequest.due_at, InspectionRequest.id))
        page = page_number(request.args.get("page"))
        closed_rows = list(visible.where(InspectionRequest.delivered_at.is_null(False))
                           .order_by(InspectionRequest.delivered_at.desc(),
                                     InspectionRequest.id.desc())
                           .offset((page - 1) * CLOSED_PAGE_SIZE)
                           .limit(CLOSED_PAGE_SIZE + 1))
        has_next = len(closed_rows) > CLOSED_PAGE_SIZE
        return self.render(
            "requests/list.html",
            open_rows=open_rows,
            closed_rows=closed_rows[:CLOSED_PAGE_SIZE],
            page=page,
            has_next=has_next,
            **self._helpers(),
        )

    def _helpers(self):
        """What every request template uses to show codes, states and deadlines."""
        locale = str(get_locale())
        sections = all_sections()
        now = utcnow()
        return {
            "state_of": rules.state_of,
            "deadline_of": lambda row: rules.deadline(row, now),
            "section_name": lambda row: sections[row.section_id].name_in(locale),
            "user_name": user_name,
            "STATE_LABELS": INSPECTION_STATE_LABELS,
            "CHANNEL_LABELS": REQUEST_CHANNEL_LABELS,
            "IDENTITY_METHOD_LABELS": IDENTITY_METHOD_LABELS,
            "DELIVERY_METHOD_LABELS": DELIVERY_METHOD_LABELS,
            "DECISION_LABELS": DECISION_LABELS,
            "REPORT_LANGUAGE_LABELS": REPORT_LANGUAGE_LABELS,
            "MATCH_LABELS": SUBJECT_MATCH_LABELS,
            "subject_name": subject_name,
            "subject_kind": subject_kind,
            "matched_text": lambda c: ", ".join(str(SUBJECT_MATCH_LABELS[m]) for m in c.matched),
            "may_register": rules.may_register(_user()),
            "may_serve_on_site": rules.may_serve_on_site(_user()),
            "section_names": lambda sections: ", ".join(s.name_in(locale) for s in sections),
        }

    # --- registering ----------------------------------------------------------------------

    @expose("/new/", methods=("GET", "POST"))
    def create(self):
        if not rules.may_register(_user()):
            abort(403)
        if request.method == "POST":
            form = RequestForm(request.form)
        else:
            form = RequestForm(received_at=utcnow(),
                               sections=[s.code for s in all_sections().values()])
        form.sections.choices = _section_choices(blank=False)
        if request.method == "POST":
            if form.validate():
                try:
                    parts = once.run(_user(), "inspection_request", form.sent.data, lambda: (
                        rules.register_parts(
                            _user(),
                            received_at=form.received_at.data,
                            channel=form.channel.data,
                            requester_name=form.requester_name.data,
                            requester_contact=form.requester_contact.data,
                            description=form.description.data,
                            sections=form.sections.data,
                            language=form.language.data,
                        )), made_id=lambda parts: parts[0].id)
                except once.SentBefore as e:
                    flash(_("This form was sent already: inspection request no. %(id)s was "
                            "registered then. Nothing more was registered now.", id=e.made_id),
                          "info")
                    return redirect(url_for(".details", request_id=e.made_id))
                except RegisterError as e:
                    _error(e)
                else:
                    self._flash_registered(parts)
                    return redirect(self._details_url(parts[0]))
            else:
                _form_errors()
        return self.render("requests/new.html", form=form, **self._helpers())

    @staticmethod
    def _due_text(found):
        return local_datetime(found.due_at)

    def _flash_registered(self, parts):
        """Say which requests were registered: one a section, each with its number."""
        locale = str(get_locale())
        sections = all_sections()
        if len(parts) == 1:
            flash(_("Inspection request no. %(id)s registered. It is due on %(due)s.",
                    id=parts[0].id, due=self._due_text(parts[0])), "success")
            return
        listed = ", ".join(_("no. %(id)s (%(section)s)", id=p.id,
                             section=sections[p.section_id].name_in(locale)) for p in parts)
        flash(_("The inspection request was registered in one part a section: %(parts)s. Each "
                "section's handler handles its part. They are due on %(due)s.",
                parts=listed, due=self._due_text(parts[0])), "success")

    # --- one request ------------------------------------------------------------------------

    @expose("/<request_id>/")
    def details(self, request_id):
        found = self._load(request_id)
        rules.record_view(_user(), found)
        return self._render_details(found)

    def _render_details(self, found, status=200, **forms):
        """Render the request page; ``forms`` replaces a step's fresh form with a posted one."""
        user = _user()
        handles = rules.may_handle(user, found)
        decides = rules.may_decide(user)
        identity = forms.get("identity") or IdentityForm(
            prefix="identity", version=found.version, method=found.identity_method or "",
            note=found.identity_note, checked_at=utcnow())
        search = forms.get("search") or SubjectSearchForm(
            prefix="subjects", version=found.version, name=found.requester_name)
        decision = forms.get("decision") or DecisionForm(prefix="decision",
                                                         version=found.version)
        delivery = forms.get("delivery") or DeliveryForm(
            prefix="delivery", version=found.version, delivered_at=utcnow())
        subjects = rules.visible_subjects(user, found)
        linked = {f"contact_person:{s.contact_person_id}" if s.contact_person_id
                  else f"customer:{s.customer_id}" for s in subjects}
        return self.render(
            "requests/details.html",
            row=found,
            state=rules.state_of(found),
            subjects=subjects,
            linked=linked,
            candidates=forms.get("candidates"),
            chosen=set(forms.get("chosen") or ()),
            parts=rules.parts_of(found),
            reads_records=rules.reads_records(user, found),
            handles=handles,
            decides=decides,
            identity_form=identity,
            search_form=search,
            decision_form=decision,
            delivery_form=delivery,
            report_url=self._report_url,
            **self._helpers(),
        ), status

    @staticmethod
    def _report_url(found, fmt):
        """Return the address of the request's report in ``fmt``; None when the user may not
        read it (``services.report.may_read_report``)."""
        if not may_read_report(_user(), found):
            return None
        return url_for("inspection_report.report", request_id=found.id, fmt=fmt)

    @expose("/<request_id>/identity", methods=("POST",))
    def identity(self, request_id):
        found = self._load_to_handle(request_id)
        form = IdentityForm(request.form, prefix="identity")
        return self._step(found, lambda: rules.record_identity(
            _user(), found, method=form.method.data, note=form.note.data,
            checked_at=form.checked_at.data, version=_seen(form)),
            _("The identity check was recorded."), "identity-heading",
            valid=form.validate(), identity=form)

    @expose("/<request_id>/subjects", methods=("POST",))
    def subjects(self, request_id):
        found = self._load_to_handle(request_id)
        form = SubjectSearchForm(request.form, prefix="subjects")
        keys = request.form.getlist("record")
        valid = form.validate()
        query = _query_of(form)

        def again():
            try:
                candidates = rules.search_subjects(_user(), found, query)
            except RegisterError:
                candidates = None
            return self._render_details(found, search=form, candidates=candidates,
                                        chosen=keys)

        if valid and request.form.get("action") != "confirm":
            try:
                candidates = rules.search_subjects(_user(), found, query)
            except RegisterError as e:
                _error(e)
                return again()
            return self._render_details(found, search=form, candidates=candidates)
        return self._step(found, lambda: rules.link_subjects(
            _user(), found, query, keys, version=_seen(form)),
            lambda added: _("%(count)s record(s) confirmed as the requester's.", count=added),
            "subjects-heading", valid=valid, again=again, search=form)

    @expose("/<request_id>/subjects/<subject_id>/remove", methods=("POST",))
    def remove_subject(self, request_id, subject_id):
        found = self._load_to_handle(request_id)
        form = VersionForm(request.form)
        subject = parse_id(subject_id)
        if subject is None:
            abort(404)
        return self._step(found, lambda: rules.unlink_subject(
            _user(), found, subject, version=_seen(form)),
            _("The record was removed from the request."), "subjects-heading")

    @expose("/<request_id>/decision", methods=("POST",))
    def decision(self, request_id):
        found = self._load_to_decide(request_id)
        form = DecisionForm(request.form, prefix="decision")
        choice = request.form.get("decision")
        valid = form.validate()
        if choice == "refused" and not (form.reason.data or "").strip():
            form.reason.errors = list(form.reason.errors) + [
                _("Write the reason for the refusal: it is told to the requester in the report "
                  "letter.")]
            valid = False
        if choice == "approved":
            done = _("The request was approved. The handler can now produce the report and "
                     "deliver it.")
        else:
            done = _("The request was refused. The handler delivers the refusal with its "
                     "reason.")
        return self._step(found, lambda: rules.decide(
            _user(), found, decision=choice, reason=form.reason.data, version=_seen(form)),
            done, "decision-heading", valid=valid, decision=form)

    @expose("/<request_id>/delivery", methods=("POST",))
    def delivery(self, request_id):
        found = self._load_to_handle(request_id)
        form = DeliveryForm(request.form, prefix="delivery")
        return self._step(found, lambda: rules.record_delivery(
            _user(), found, method=form.method.data, delivered_at=form.delivered_at.data,
            version=_seen(form)),
            _("The delivery was recorded. The request is complete."), "delivery-heading",
            valid=form.validate(), delivery=form)

    @expose("/<request_id>/review", methods=("POST",))
    def review(self, request_id):
        found = self._load_to_decide(request_id)
        form = VersionForm(request.form)
        return self._step(found, lambda: rules.review(_user(), found, version=_seen(form)),
                          _("The request served on site was marked as reviewed."))

    def _step(self, found, call, done, anchor=None, valid=True, again=None, **shown):
        """Take one step of request ``found``: every step endpoint above ends here.

        A form that is not ``valid`` is marked, and the request page shown again with the
        posted forms ``shown``. When the service refuses ``call()`` its message is shown
        with the page again: ``again()``, or the same page. Else ``done`` (a text, or a
        function of what ``call`` returned) is said and the request opens at ``anchor``.
        """
        if not valid:
            _form_errors()
            return self._render_details(found, **shown)
        try:
            result = call()
        except RegisterError as e:
            _error(e)
            return again() if again else self._render_details(found, **shown)
        flash(done(result) if callable(done) else done, "success")
        return redirect(self._details_url(found, anchor))

    # --- on site, at once -----------------------------------------------------------------

    @expose("/on-site/", methods=("GET", "POST"))
    def on_site(self):
        user = _user()
        if not rules.may_serve_on_site(user):
            abort(403)
        form = OnSiteForm(request.form) if request.method == "POST" else OnSiteForm()
        own = rules.on_site_sections(user)
        form.section.choices = _section_choices(own)
        if request.method == "GET" and len(own) == 1:
            form.section.data = own[0].code
        candidates = None
        keys = request.form.getlist("record")
        if request.method == "POST":
            serve = request.form.get("action") == "serve"
            if serve:
                valid = form.validate()
                valid = form.has_detail() and valid
            else:
                valid = form.validate_search()
            if not valid:
                _form_errors()
            else:
                query = _query_of(form)
                try:
                    if serve:
                        return self._serve(user, form, query, keys)
                    candidates = rules.search_subjects(user, None, query,
                                                       section=form.section.data)
                except once.SentBefore as e:
                    flash(_("This form was sent already: request no. %(id)s was served on site "
                            "then. Nothing more was recorded now.", id=e.made_id), "info")
                    return redirect(url_for(".details", request_id=e.made_id,
                                            _anchor="report-heading"))
                except RegisterError as e:
                    _error(e)
                    try:
                        candidates = rules.search_subjects(user, None, query,
                                                           section=form.section.data)
                    except RegisterError:
                        candidates = None
        served_section = next((s for s in own if s.code == form.section.data), None)
        others = rules.other_sections(served_section) if served_section else [
            s for s in all_sections().values() if s not in own]
        return self.render("requests/on_site.html", form=form, candidates=candidates,
                           chosen=set(keys), linked=set(), own_sections=own,
                           other_sections=others, many_sections=len(all_sections()) > 1,
                           **self._helpers())

    def _serve(self, user, form, query, keys):
        """Serve the on-site request the form describes, once however often it is sent."""
        served, _report, parts = once.run(user, "on_site_request", form.sent.data, lambda: (
            rules.serve_on_site(
                user,
                requester_name=form.requester_name.data,
                requester_contact=form.requester_contact.data,
                description=form.description.data,
                section=form.section.data,
                language=form.language.data,
                identity_method=form.identity_method.data,
                identity_note=form.identity_note.data,
                query=query,
                keys=keys,
                other_parts=form.other_parts.data,
                produce_report=build_report,
            )), made_id=lambda served: served[0].id)
        flash(_("Request no. %(id)s was served on site and recorded as handed over. Open the "
                "report below to print it or save it as PDF for the requester.", id=served.id),
              "success")
        if parts:
            self._flash_parts_left(parts)
        return redirect(self._details_url(served, "report-heading"))

    def _flash_parts_left(self, parts):
        """Say which parts of the request the other sections' handlers answer, and when."""
        locale = str(get_locale())
        sections = all_sections()
        listed = ", ".join(_("no. %(id)s (%(section)s)", id=p.id,
                             section=sections[p.section_id].name_in(locale)) for p in parts)
        flash(_("The request was registered for the other sections as well: %(parts)s. Their "
                "handlers search their records and answer by %(due)s.",
                parts=listed, due=self._due_text(parts[0])), "info")
