"""The access pages (seed §3, §4, §9, §17, §18), under the menu "Access": access requests
and their implementation, the accounts and ending access, the yearly access review, and
the internal guidance with its acknowledgement at login.

The rules are in ``services.access``; these pages read forms, call it and show what it
returns. Who may do what, checked on every endpoint:

| | staff | handler | responsible | controller | maintenance |
|---|---|---|---|---|---|
| ask access for someone | yes | yes | yes | yes | 403 |
| read requests | own | own, own sections' | all | all | 403 |
| approve or refuse | 403 | 403 | 403 | yes | 403 |
| implement an approved request | 403 | own sections | 403 | yes | 403 |
| list accounts | 403 | sharing a section | all | all | 403 |
| end access, reactivate | 403 | accounts of own sections | through the review | any | 403 |
| the yearly review | 403 | 403 | carry out | read | 403 |
| read the guidance, acknowledge it | yes | yes | yes | yes | yes |
| publish the guidance | 403 | 403 | 403 | yes | 403 |
| who acknowledged which version | 403 | 403 | yes | yes | 403 |

Anyone but maintenance may ask access — for a new colleague or for themselves — because
asking grants nothing: the controller decides every request. A request or account the
user may not open answers 404.

After the controller publishes a new version of the guidance, every user must
acknowledge it before using the register (``require_guidance_acknowledgement``, like the
forced password change); logging in and out, changing the password and static files stay
reachable.
"""

from flask import abort, flash, make_response, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from admin_views.base import (
    SecureBaseView,
    acting_user,
    all_sections,
    flash_form_errors,
    page_number,
    parse_id,
    safe_redirect_target,
    visible_or_404,
)
from forms.base import RegisterForm
from models import (
    ROLES,
    AccessRequest,
    AccessReview,
    GuidanceVersion,
    User,
    utcnow,
)
from services import access as rules
from services import policy
from services.errors import RegisterError
from services.vocabulary.administration import (
    ACCESS_REQUEST_KIND_LABELS,
    ACCESS_REQUEST_STATE_LABELS,
    ACCOUNT_STATE_LABELS,
    REVIEW_OUTCOME_LABELS,
    ROLE_LABELS,
)

PAGE_SIZE = 25

_user = acting_user


def _error(error):
    flash(_(error.message, **error.params), "error")


_form_errors = flash_form_errors


def _field_error(form, error):
    """Put a service's refusal next to the field it is about (or flash it)."""
    field = getattr(form, getattr(error, "field", "") or "", None)
    if field is None:
        _error(error)
    else:
        field.errors = list(field.errors) + [_(error.message, **error.params)]
        _form_errors()


def _locale():
    return str(get_locale())


def section_names(sections):
    """Return the sections' names in the user's language, comma-separated."""
    locale = _locale()
    return ", ".join(s.name_in(locale) for s in sections)


def account_label(user):
    """Name an account: its username, or "#17 (u-…)" once the access has ended."""
    return str(user) if user is not None else ""


def _users_by_id(ids):
    ids = {i for i in ids if i}
    return {u.id: u for u in User.select().where(User.id.in_(list(ids)))} if ids else {}


def _page():
    return page_number(request.args.get("page"))


# --- forms ------------------------------------------------------------------------------


class RequestForm(RegisterForm):
    """Access for whom, which role and sections, and why."""

    account = SelectField(
        _l("Account"), validate_choice=False,
        description=_l("Choose “A new account” for a person who has no account, or the "
                       "existing account whose role and sections should change."))
    person_name = StringField(
        _l("Name of the person"), validators=[Length(max=200)],
        description=_l("For a new account: the person's first and last name."))
    email = StringField(
        _l("Work email"), validators=[Length(max=254)],
        description=_l("For a new account, e.g. etunimi.sukunimi@hel.fi."))
    role = SelectField(_l("Role"), validate_choice=False,
                       validators=[DataRequired(_l("Choose the role."))])
    sections = SelectMultipleField(_l("Sections"), validate_choice=False)
    reason = TextAreaField(
        _l("Why the access is needed"),
        validators=[DataRequired(_l("Write why the person needs this access.")),
                    Length(max=rules.MAX_TEXT)],
        description=_l("The duties the access is needed for, e.g. customer service at the "
                       "tourist information from 1 December."))


class DecisionForm(RegisterForm):
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=rules.MAX_TEXT)],
        description=_l("Required when refusing. It is kept with the request."))


class ImplementForm(RegisterForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Give the username.")), Length(max=64)],
        description=_l("Lower-case letters a–z, digits, dots, hyphens or underscores, e.g. "
                       "etunimi.sukunimi."))


class EndForm(RegisterForm):
    ended_on = DateField(
        _l("Day the duties ended"),
        validators=[DataRequired(_l("Give the day the duties ended as a date, e.g. "
                                    "2026-11-30."))])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write the reason the access ends, e.g. the person "
                                    "moved to other duties.")), Length(max=rules.MAX_TEXT)],
        description=_l("E.g. moved to other duties, employment ended."))


class GuidanceForm(RegisterForm):
    text = TextAreaField(
        _l("Text of the guidance"),
        validators=[DataRequired(_l("Write the guidance before publishing it.")),
                    Length(max=rules.MAX_GUIDANCE)],
        description=_l("Plain text; an empty line starts a new paragraph. Every user must "
                       "acknowledge the new version when they next use the register."))


# --- access requests --------------------------------------------------------------------


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
        users = _users_by_id([r.account_id for r in rows] + [r.requested_by_id for r in rows])
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
                    created = rules.request_access(
                        user, form.role.data, form.sections.data, form.reason.data,
                        person_name=form.person_name.data, email=form.email.data,
                        account_id=form.account.data or None)
                except RegisterError as e:
                    _field_error(form, e)
                else:
                    flash(_("Access request no. %(id)s was sent to the controller for a "
                            "decision.", id=created.id), "success")
                    return redirect(url_for(".details", request_id=created.id), code=303)
            else:
                _form_errors()
        return self.render("access/request_new.html", form=form, **self._helpers())

    @expose("/<request_id>/")
    def details(self, request_id):
        return self._render_details(self._load(request_id))

    def _render_details(self, found, decision_form=None, implement_form=None):
        user = _user()
        sections = rules.request_sections(found)
        users = _users_by_id([found.account_id, found.requested_by_id, found.decided_by_id,
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
            _form_errors()
            return self._render_details(found, decision_form=form)
        try:
            rules.decide(_user(), found, decision == "approve", form.reason.data)
        except RegisterError as e:
            _field_error(form, e)
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
            _form_errors()
            return self._render_details(found, implement_form=form)
        try:
            account, password = rules.implement(user, found, form.username.data)
        except RegisterError as e:
            if getattr(e, "field", None) == "username":
                _field_error(form, e)
                return self._render_details(found, implement_form=form)
            _error(e)
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


# --- accounts ---------------------------------------------------------------------------


class AccountView(SecureBaseView):
    """Accounts: /access/accounts/ (list), ending access, reactivating a disabled one."""

    capability = "list_accounts"

    def _load(self, account_id):
        return visible_or_404(rules.get_visible_account, account_id)

    @expose("/")
    def index(self):
        user = _user()
        users = list(rules.visible_accounts(user)
                     .order_by(User.username.is_null(), User.username, User.id))
        rows = rules.account_rows(users)
        current = rules.current_guidance()
        return self.render(
            "access/accounts.html",
            rows=rows,
            manages=lambda row: rules.manages_account(user, row.user, row.sections),
            current_version=current.number if current else None,
            idle_days=rules.IDLE_DAYS,
            STATE_LABELS=ACCOUNT_STATE_LABELS,
            ROLE_LABELS=ROLE_LABELS,
            section_names=section_names,
            account_label=account_label,
            changed_by=_users_by_id([r.change.changed_by_id for r in rows if r.change]),
        )

    @expose("/<account_id>/end/", methods=("GET", "POST"))
    def end(self, account_id):
        user = _user()
        account = self._load(account_id)
        if not rules.manages_account(user, account):
            abort(403)
        if rules.is_ended(account):
            flash(_("This account's access has already ended."), "info")
            return redirect(url_for(".index"), code=303)
        today = rules.helsinki_date(utcnow())
        form = EndForm(request.form if request.method == "POST" else None, ended_on=today)
        if request.method == "POST":
            if form.validate():
                label = account_label(account)
                try:
                    ended = rules.end_access(user, account, form.ended_on.data,
                                             form.reason.data)
                except RegisterError as e:
                    _field_error(form, e)
                else:
                    flash(_("The access of %(username)s has ended: the account was closed and "
                            "its username removed. The history shows it as %(pseudonym)s.",
                            username=label, pseudonym=account_label(ended)), "success")
                    return redirect(url_for(".index"), code=303)
            else:
                _form_errors()
        return self.render("access/end.html", account=account, form=form,
                           sections=account.sections, ROLE_LABELS=ROLE_LABELS,
                           section_names=section_names)

    @expose("/<account_id>/reactivate/", methods=("POST",))
    def reactivate(self, account_id):
        user = _user()
        account = self._load(account_id)
        if not rules.manages_account(user, account):
            abort(403)
        try:
            rules.reactivate(user, account)
        except RegisterError as e:
            _error(e)
        else:
            flash(_("The account %(username)s is open again.",
                    username=account_label(account)), "success")
        return redirect(url_for(".index"), code=303)


# --- the yearly review ------------------------------------------------------------------


class AccessReviewView(SecureBaseView):
    """The yearly access review: /access/review/ (status, the form, past reviews), /<id>/."""

    capability = "oversee_access"  # the responsible person reviews, the controller reads

    def _helpers(self):
        return {
            "ROLE_LABELS": ROLE_LABELS,
            "OUTCOME_LABELS": REVIEW_OUTCOME_LABELS,
            "STATE_LABELS": ACCOUNT_STATE_LABELS,
            "section_names": section_names,
            "account_label": account_label,
            "idle_days": rules.IDLE_DAYS,
        }

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = _user()
        may_review = rules.may_review(user)
        if request.method == "POST" and not may_review:
            abort(403)
        rows = rules.review_accounts() if may_review else []
        chosen, comments, problems = {}, {}, {}
        if request.method == "POST":
            for row in rows:
                chosen[row.user.id] = request.form.get(f"outcome-{row.user.id}")
                comments[row.user.id] = request.form.get(f"comment-{row.user.id}", "")[:5000]
            reviewed = [i for i in map(parse_id, request.form.getlist("account")) if i]
            outcomes = {i: (chosen.get(i), comments.get(i)) for i in chosen}
            try:
                review = rules.save_review(user, outcomes, reviewed)
            except rules.ReviewError as e:
                _error(e)
                problems = {i: _(m, **p) for i, (m, p) in e.problems.items()}
                rows = rules.review_accounts()
            except RegisterError as e:
                _error(e)
            else:
                flash(_("The access review was saved."), "success")
                return redirect(url_for(".details", review_id=review.id), code=303)
        current = rules.current_guidance()
        reviews = list(AccessReview.select().order_by(AccessReview.reviewed_at.desc())
                       .limit(20))
        return self.render(
            "access/review.html",
            status=rules.review_status(),
            may_review=may_review,
            rows=rows,
            chosen=chosen,
            comments=comments,
            problems=problems,
            current_version=current.number if current else None,
            reviews=reviews,
            reviewers=_users_by_id([r.reviewed_by_id for r in reviews]),
            **self._helpers(),
        )

    @expose("/<review_id>/")
    def details(self, review_id):
        review = visible_or_404(AccessReview, review_id)
        items = rules.review_items(review)
        sections = {s.code: s for s in all_sections().values()}
        return self.render(
            "access/review_details.html",
            review=review,
            items=items,
            reviewer=_users_by_id([review.reviewed_by_id]).get(review.reviewed_by_id),
            item_sections=lambda item: section_names(
                [sections[c] for c in item.sections.split() if c in sections]),
            **self._helpers(),
        )


# --- guidance ---------------------------------------------------------------------------


class GuidanceView(SecureBaseView):
    """The internal guidance: /access/guidance/ (read; publish), /acknowledge/."""

    capability = None  # every role reads the guidance

    @expose("/")
    def index(self):
        return self._render_index()

    def _render_index(self, form=None):
        user = _user()
        versions = list(GuidanceVersion.select().order_by(GuidanceVersion.number.desc()))
        shown = versions[0] if versions else None
        wanted = parse_id(request.args.get("version"))
        if wanted is not None:
            shown = next((v for v in versions if v.number == wanted), None)
            if shown is None:
                abort(404)
        may_publish = rules.may_publish(user)
        if form is None and may_publish:
            form = GuidanceForm(text=versions[0].text if versions else "")
        acknowledgements = None
        if policy.may(user, "oversee_access"):
            acknowledgements = rules.account_rows(
                User.select().where(User.username.is_null(False)).order_by(User.username))
        return self.render(
            "access/guidance.html",
            shown=shown,
            current=versions[0] if versions else None,
            versions=versions,
            publishers=_users_by_id([v.published_by_id for v in versions]),
            may_publish=may_publish,
            form=form,
            acknowledgements=acknowledgements,
            ROLE_LABELS=ROLE_LABELS,
            account_label=account_label,
        )

    @expose("/publish/", methods=("POST",))
    def publish(self):
        user = _user()
        if not rules.may_publish(user):
            abort(403)
        form = GuidanceForm(request.form)
        if not form.validate():
            _form_errors()
            return self._render_index(form)
        try:
            version = rules.publish_guidance(user, form.text.data)
        except RegisterError as e:
            _field_error(form, e)
            return self._render_index(form)
        flash(_("Version %(number)s of the guidance was published. Every user must "
                "acknowledge it when they next use the register.", number=version.number),
              "success")
        return redirect(url_for(".index"), code=303)

    @expose("/acknowledge/", methods=("GET", "POST"))
    def acknowledge(self):
        user = _user()
        pending = rules.pending_guidance(user)
        target = safe_redirect_target(request.values.get("next"))
        if pending is None:
            return redirect(target)
        if request.method == "POST":
            try:
                rules.acknowledge(user, request.form.get("version"))
            except RegisterError as e:
                _error(e)
                return redirect(url_for(".acknowledge", next=target), code=303)
            flash(_("Thank you: you have acknowledged version %(number)s of the guidance.",
                    number=pending.number), "success")
            return redirect(target, code=303)
        return self.render("access/acknowledge.html", version=pending, next=target)


# --- the guidance must be acknowledged before anything else -----------------------------

ACKNOWLEDGE_ENDPOINT = "access_guidance.acknowledge"
# Reachable with the acknowledgement pending: the acknowledgement page itself, and (with
# every endpoint of the auth blueprint: login, logout, password change, language) the
# static files.
ACKNOWLEDGE_EXEMPT = {ACKNOWLEDGE_ENDPOINT, "static", "admin.static"}


def require_guidance_acknowledgement():
    """Send a logged-in user who has not acknowledged the current guidance to do so."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in ACKNOWLEDGE_EXEMPT or request.blueprint == "auth":
        return None
    if not current_user.is_authenticated:
        return None
    if rules.pending_guidance(current_user) is None:
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for(ACKNOWLEDGE_ENDPOINT, next=target))


# --- the front page ---------------------------------------------------------------------


def front_page(user, now=None):
    """Return what the front page shows ``user`` of access management, or None.

    ``decision``: requests waiting for the controller's decision; ``implementation``:
    approved requests the user may implement; ``review``: the review's status when it is
    due within 30 days or overdue (the responsible person).
    """
    work = rules.worklist(user, now)
    if not (work["decision"] or work["implementation"] or work["review"]
            or policy.may(user, "implement_access")):
        return None
    requests = work["decision"] + work["implementation"]
    users = _users_by_id([r.account_id for r in requests])

    def describe(row):
        return {
            "id": row.id,
            "who": row.person_name if row.kind == "new" else account_label(
                users.get(row.account_id)),
            "kind": ACCESS_REQUEST_KIND_LABELS[row.kind],
            "role": ROLE_LABELS[row.role],
            "sections": section_names(rules.request_sections(row)),
            "requested_at": row.requested_at,
            "decided_at": row.decided_at,
        }

    return {
        "decision": [describe(r) for r in work["decision"]],
        "implementation": [describe(r) for r in work["implementation"]],
        "review": work["review"],
    }


# --- registration -----------------------------------------------------------------------


def add_access_views(admin):
    """Add the access pages to ``admin`` under the menu "Access", and make every request
    of a user wait for the acknowledgement of a new guidance version.

    The hook is registered after the login check of ``admin_views.auth`` (``create_app``
    sets up auth before the admin), so a password that must change comes first.
    """
    category = _l("Access")
    admin.add_view(AccessRequestView(name=_l("Access requests"), category=category,
                                     endpoint="access_requests", url="/access/requests"))
    admin.add_view(AccountView(name=_l("Accounts"), category=category,
                               endpoint="access_accounts", url="/access/accounts"))
    admin.add_view(AccessReviewView(name=_l("Access review"), category=category,
                                    endpoint="access_review", url="/access/review"))
    admin.add_view(GuidanceView(name=_l("Guidance"), category=category,
                                endpoint="access_guidance", url="/access/guidance"))
    admin.app.before_request(require_guidance_acknowledgement)

