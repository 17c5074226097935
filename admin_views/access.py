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

The access requests' pages are in ``admin_views.access_requests``; the forms in
``forms.access``.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import (
    SecureBaseView,
    account_label,
    acting_user,
    all_sections,
    field_refusal,
    flash_form_errors,
    flash_refusal,
    parse_id,
    safe_redirect_target,
    section_names,
    users_by_id,
    visible_or_404,
)
from forms.access import EndForm, GuidanceForm
from models import AccessReview, GuidanceVersion, User, utcnow
from services import access as rules
from services import duties as duty_rules
from services import policy
from services.errors import RegisterError
from services.vocabulary.administration import (
    ACCOUNT_STATE_LABELS,
    REVIEW_OUTCOME_LABELS,
    ROLE_LABELS,
)

_user = acting_user


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
            changed_by=users_by_id([r.change.changed_by_id for r in rows if r.change]),
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
                    field_refusal(form, e)
                else:
                    flash(_("The access of %(username)s has ended: the account was closed and "
                            "its username removed. The history shows it as %(pseudonym)s.",
                            username=label, pseudonym=account_label(ended)), "success")
                    return redirect(url_for(".index"), code=303)
            else:
                flash_form_errors()
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
            flash_refusal(e)
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
                flash_refusal(e)
                problems = {i: _(m, **p) for i, (m, p) in e.problems.items()}
                rows = rules.review_accounts()
            except RegisterError as e:
                flash_refusal(e)
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
            reviewers=users_by_id([r.reviewed_by_id for r in reviews]),
            trained=duty_rules.last_training(row.user.id for row in rows),
            training_cutoff=duty_rules.training_cutoff(),
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
            reviewer=users_by_id([review.reviewed_by_id]).get(review.reviewed_by_id),
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
            publishers=users_by_id([v.published_by_id for v in versions]),
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
            flash_form_errors()
            return self._render_index(form)
        try:
            version = rules.publish_guidance(user, form.text.data)
        except RegisterError as e:
            field_refusal(form, e)
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
                flash_refusal(e)
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

