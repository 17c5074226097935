"""The access request pages (seed §3, §4, §17) under the menu "Access": asking access for
someone, the controller's decision and the implementation of an approved request; and what
the front page shows of them.

Who may do what is listed in ``admin_views.access``; the rules are in ``services.access``.
"""

from flask import abort, flash, make_response, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _

from admin_views.base import (
    SecureBaseView,
    account_label,
    acting_user,
    all_sections,
    field_refusal,
    flash_form_errors,
    flash_refusal,
    page_number,
    section_names,
    users_by_id,
    visible_or_404,
)
from forms.access import DecisionForm, ImplementForm, RequestForm
from models import ROLES, AccessRequest
from services import access as rules
from services import once, policy
from services.errors import RegisterError
from services.vocabulary.administration import (
    ACCESS_REQUEST_KIND_LABELS,
    ACCESS_REQUEST_STATE_LABELS,
    ROLE_LABELS,
)

PAGE_SIZE = 25

_user = acting_user


def _locale():
    return str(get_locale())


def _page():
    return page_number(request.args.get("page"))


class AccessRequestView(SecureBaseView):
    """Access requests: /access/requests/ (list), /new/, /<id>/, its decision and
    implementation."""

    capability = "request_access"

    def _load(self, request_id):
        """Return the request if the user may open it; 404 for anything else."""
        return visible_or_404(rules.get_visible_request, request_id)

    def _helpers(self):
        return {
            "STATE_LABELS": ACCESS_REQUEST_STATE_LABELS,
            "KIND_LABELS": ACCESS_REQUEST_KIND_LABELS,
            "ROLE_LABELS": ROLE_LABELS,
            "section_names": section_names,
            "account_label": account_label,
            "may_request": rules.may_request(_user()),
            "may_decide": rules.may_decide(_user()),
        }

    @expose("/")
    def index(self):
        page = _page()
        rows = list(rules.visible_requests(_user())
                    .order_by((AccessRequest.state == "requested").desc(),
                              (AccessRequest.state == "approved").desc(),
                              AccessRequest.requested_at.desc(), AccessRequest.id.desc())
                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        users = users_by_id([r.account_id for r in rows] + [r.requested_by_id for r in rows])
        return self.render("access/requests.html", rows=[
            (r, users.get(r.account_id), users.get(r.requested_by_id), rules.request_sections(r))
            for r in rows], page=page, more=more, **self._helpers())

    @expose("/new/", methods=("GET", "POST"))
    def create(self):
        user = _user()
        form = RequestForm(request.form if request.method == "POST" else None)
        locale = _locale()
        form.account.choices = [("", _("A new account"))] + [
            (str(u.id), f"{u.username} ({ROLE_LABELS[u.role]})")
            for u in rules.accounts_to_change(user)]
        form.role.choices = [("", "—")] + [(code, ROLE_LABELS[code]) for code in ROLES]
        form.sections.choices = [(s.code, s.name_in(locale)) for s in all_sections().values()]
        if request.method == "POST":
            if form.validate():
                try:
                    created = once.run(user, "access_request", form.sent.data, lambda: (
                        rules.request_access(
                            user, form.role.data, form.sections.data, form.reason.data,
                            person_name=form.person_name.data, email=form.email.data,
                            account_id=form.account.data or None)))
                except once.SentBefore as e:
                    flash(_("This form was sent already: access request no. %(id)s was sent "
                            "then. Nothing more was sent now.", id=e.made_id), "info")
                    return redirect(url_for(".details", request_id=e.made_id), code=303)
                except RegisterError as e:
                    field_refusal(form, e)
                else:
                    flash(_("Access request no. %(id)s was sent to the controller for a "
                            "decision.", id=created.id), "success")
                    return redirect(url_for(".details", request_id=created.id), code=303)
            else:
                flash_form_errors()
        return self.render("access/request_new.html", form=form, **self._helpers())

    @expose("/<request_id>/")
    def details(self, request_id):
        return self._render_details(self._load(request_id))

    def _render_details(self, found, decision_form=None, implement_form=None):
        user = _user()
        sections = rules.request_sections(found)
        users = users_by_id([found.account_id, found.requested_by_id, found.decided_by_id,
                              found.implemented_by_id])
        may_implement = rules.may_implement(user, found, sections)
        if implement_form is None and may_implement and found.kind == "new":
            implement_form = ImplementForm(username=rules.suggested_username(found))
        return self.render(
            "access/request.html",
            row=found,
            sections=sections,
            users=users,
            decision_form=decision_form or DecisionForm(),
            implement_form=implement_form,
            may_implement=may_implement,
            **self._helpers(),
        )

    @expose("/<request_id>/decide/", methods=("POST",))
    def decide(self, request_id):
        if not rules.may_decide(_user()):
            abort(403)
        found = self._load(request_id)
        decision = request.form.get("decision")
        if decision not in ("approve", "refuse"):
            abort(400)
        form = DecisionForm(request.form)
        if not form.validate():
            flash_form_errors()
            return self._render_details(found, decision_form=form)
        try:
            rules.decide(_user(), found, decision == "approve", form.reason.data)
        except RegisterError as e:
            field_refusal(form, e)
            return self._render_details(AccessRequest.get_by_id(found.id), decision_form=form)
        if decision == "approve":
            flash(_("The request was approved. The register handler of its sections (or the "
                    "controller) can now implement it."), "success")
        else:
            flash(_("The request was refused."), "success")
        return redirect(url_for(".details", request_id=found.id, _anchor="decision-heading"),
                        code=303)

    @expose("/<request_id>/implement/", methods=("POST",))
    def implement(self, request_id):
        user = _user()
        if not policy.may(user, "implement_access"):
            abort(403)
        # A request the user may not open answers 404 whatever its state, like one that
        # does not exist: the answer tells nothing of other sections' requests.
        found = self._load(request_id)
        if found.state == "approved" and not rules.may_implement(user, found):
            abort(403)
        form = ImplementForm(request.form)
        if found.kind == "new" and found.state == "approved" and not form.validate():
            flash_form_errors()
            return self._render_details(found, implement_form=form)
        try:
            account, password = rules.implement(user, found, form.username.data)
        except RegisterError as e:
            if getattr(e, "field", None) == "username":
                field_refusal(form, e)
                return self._render_details(found, implement_form=form)
            flash_refusal(e)
            if rules.get_visible_request(user, found.id) is None:
                return redirect(url_for(".index"), code=303)
            return redirect(url_for(".details", request_id=found.id), code=303)
        if password is None:
            flash(_("The account %(username)s now has the role and sections of the request.",
                    username=account_label(account)), "success")
            return redirect(url_for(".details", request_id=found.id), code=303)
        # The one-time password is shown on this response only: never stored, never cached.
        response = make_response(self.render(
            "access/implemented.html", row=found, account=account, password=password,
            sections=account.sections, **self._helpers()))
        response.headers["Cache-Control"] = "no-store"
        return response
