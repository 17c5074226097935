"""The life of a personal account (seed §3, §4, §9, §17, §18): granted, used, reviewed,
ended — and the internal guidance every user acknowledges.

Granting goes, in this order and no other:

    requested → approved or refused (the controller) → implemented (approved only)

Anyone with a register role except technical maintenance may ask access for someone: a
new account for a person (name and work email), or a change of an existing account's
role and sections. Only the controller decides. An approved request is implemented by
the register handler of its sections — every section of the request (and, for a change,
of the account as it is) must be the handler's own — or by the controller for any; a
request for a role without sections (controller, responsible person, maintenance) is
implemented by the controller. Implementing creates the account through
``services.accounts.create_user`` with a one-time password the user must change at the
first login, or changes the account; the request then links the decision and the account.

Access ends when the person leaves the duties: the handler (accounts of their own
sections only) or the controller records the date and the reason, and the account is
closed at once and its username removed (seed §9). The row stays, so the audit log's
pseudonymous id and role — "user u-3f2a…, staff" — keep the history readable without the
name. A disabled account (``disable_idle``) keeps its username and can be reactivated.

The server's command line (``flask users create``, ``users bootstrap``, ``users
deactivate``) takes the same steps through ``grant_on_command_line``,
``bootstrap_controller`` and ``end_access_on_command_line``: whoever runs a command holds
the server, so the request is asked, approved and implemented at once, no user of the
register is named in it, and it is marked as made there (``origin`` "cli"); its audit
events name no actor.

The responsible person reviews every account at least once a year (seed §3): the review
is due a year after the previous one (the first a year after the first account was
created), is reminded of from 30 days before and is overdue after. Accounts unused for 90
days are flagged in it; ``disable_idle`` closes them (``flask users disable-idle``).

Every step writes its audit event in the step's own transaction: object types
``access_request``, ``access_review``, ``guidance`` and ``user``.
"""

import dataclasses
import datetime
import re

import peewee as pw

from database import is_sqlite, write_transaction
from models import (
    REVIEW_OUTCOMES,
    ROLES,
    AccessRequest,
    AccessRequestSection,
    AccessReview,
    AccessReviewItem,
    AccountStatusChange,
    GuidanceAcknowledgement,
    GuidanceVersion,
    Section,
    User,
    UserSection,
    utcnow,
)
from services import accounts, audit, policy, sessions
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import helsinki_date
from services.policy import NotAllowed


REQUEST_OBJECT_TYPE = "access_request"
REVIEW_OBJECT_TYPE = "access_review"
GUIDANCE_OBJECT_TYPE = "guidance"
USER_OBJECT_TYPE = "user"

IDLE_DAYS = 90  # an account unused this long is flagged, and disable_idle closes it
REMINDER_DAYS = 30  # the review is reminded of this many days before it is due

MAX_TEXT = 2000
MAX_GUIDANCE = 50000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class InvalidField(RegisterError):
    """A value the user gave is refused; ``field`` names the form field it came from."""

    def __init__(self, field, message, **params):
        super().__init__(message, **params)
        self.field = field


class ReviewError(RegisterError):
    """A review that cannot be saved; ``problems`` maps account ids to (msgid, params)."""

    def __init__(self, message, problems=None, **params):
        super().__init__(message, **params)
        self.problems = problems or {}


# --- time -------------------------------------------------------------------------------


def _naive_utc(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _now(now):
    return _naive_utc(now) if now is not None else utcnow()


def add_year(day):
    """Return the same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


# --- accounts, their sections and their state -------------------------------------------


def is_ended(user):
    """Tell whether the account's access has ended (its username removed)."""
    return user.username is None


def sections_by_user(user_ids=None):
    """Return ``{user_id: [Section, …]}`` (by code) in one query."""
    query = (UserSection.select(UserSection.user, Section)
             .join(Section).order_by(Section.code))
    if user_ids is not None:
        query = query.where(UserSection.user.in_(list(user_ids)))
    found = {}
    for link in query:
        found.setdefault(link.user_id, []).append(link.section)
    return found


def section_ids(user):
    """Return the ids of the account's sections."""
    return {s.id for s in user.sections}


def _single_code(sections):
    """The section code an audit event carries: the only one, or none for several."""
    codes = {s.code for s in sections}
    return codes.pop() if len(codes) == 1 else None


def get_visible_account(user, account_id):
    """Return the account ``account_id`` if ``user`` may list it, else None."""
    return visible_accounts(user).where(User.id == account_id).first()


def manages_account(actor, account, account_sections=None):
    """Tell whether ``actor`` may end (or reactivate) ``account``.

    The controller: any account but their own. A register handler: an account whose every
    section is the handler's own (an account with no section is the controller's).
    """
    if actor.id == account.id:
        return False
    if policy.may(actor, "manage_all_accounts"):
        return True
    if not policy.may(actor, "manage_section_accounts"):
        return False
    own = section_ids(actor)
    theirs = ({s.id for s in account_sections} if account_sections is not None
              else section_ids(account))
    return bool(theirs) and theirs <= own


def visible_accounts(user):
    """Return the accounts ``user`` may list: every one for the controller and the
    responsible person, those sharing a section with a handler, none for others."""
    query = User.select()
    if policy.may(user, "oversee_access"):
        return query
    if not policy.may(user, "list_accounts"):
        return query.where(pw.SQL("1 = 0"))
    shared = (UserSection.select(UserSection.user)
              .where(UserSection.section.in_(list(section_ids(user)))))
    return query.where(User.id.in_(shared))


def last_used(user, reactivated_at=None):
    """Return when the account was last used: its last login (its creation if it has never
    logged in), or its reactivation if that came later."""
    used = user.last_login_at or user.created_at
    return max(used, reactivated_at) if reactivated_at else used


def _reactivations(user_ids=None):
    """Return ``{user_id: the latest reactivation}``."""
    query = (AccountStatusChange
             .select(AccountStatusChange.user, pw.fn.MAX(AccountStatusChange.changed_at))
             .where(AccountStatusChange.kind == "reactivated")
             .group_by(AccountStatusChange.user))
    if user_ids is not None:
        query = query.where(AccountStatusChange.user.in_(list(user_ids)))
    return dict(query.tuples())


def latest_changes(user_ids):
    """Return ``{user_id: AccountStatusChange}``: each account's newest closure or reopening."""
    found = {}
    query = (AccountStatusChange.select()
             .where(AccountStatusChange.user.in_(list(user_ids)))
             .order_by(AccountStatusChange.changed_at, AccountStatusChange.id))
    for change in query:
        found[change.user_id] = change
    return found


def idle_accounts(days=IDLE_DAYS, now=None):
    """Return the open accounts not used for ``days`` days, oldest use first."""
    cutoff = _now(now) - datetime.timedelta(days=days)
    users = list(User.select().where((User.active == True)  # noqa: E712
                                     & User.username.is_null(False)))
    reactivated = _reactivations([u.id for u in users])
    idle = [u for u in users if last_used(u, reactivated.get(u.id)) < cutoff]
    return sorted(idle, key=lambda u: last_used(u, reactivated.get(u.id)))


def disable_idle(days=IDLE_DAYS, now=None):
    """Disable every open account unused for ``days`` days; return those disabled.

    Each is recorded as disabled (with the number of days) and audited, in one
    transaction per account. The username stays: a handler can reactivate the account.
    """
    if days < 1:
        raise RegisterError(N_("Give the number of days as a whole number of at least 1."))
    moment = _now(now)
    disabled = []
    for user in idle_accounts(days, moment):
        with write_transaction():
            closed = (User.update(active=False)
                      .where((User.id == user.id) & (User.active == True))  # noqa: E712
                      .execute())
            if not closed:
                continue
            sessions.revoke_all(user, "disabled")
            AccountStatusChange.create(user=user.id, kind="disabled",
                                       effective_on=helsinki_date(moment), idle_days=days,
                                       changed_at=moment)
            audit.record("disable", object_type=USER_OBJECT_TYPE, object_id=user.id,
                         section=_single_code(user.sections), fields=("active",), at=moment)
        disabled.append(user)
    return disabled


def end_access(actor, account, ended_on, reason, now=None):
    """End ``account``'s access (the duties ended): close it at once, remove its username,
    record the date and reason. The handler of the account's sections or the controller."""
    if not manages_account(actor, account):
        if actor.id == account.id:
            raise NotAllowed(N_("You cannot end your own access: ask the controller."))
        raise NotAllowed(N_(
            "Only the controller, or the register handler of every section of the account, "
            "may end its access."))
    moment = _now(now)
    reason = _clean_text("reason", reason, N_("Write the reason the access ends, e.g. the "
                                              "person moved to other duties."))
    ended_on = _ending_day("ended_on", ended_on, account, moment)
    with write_transaction():
        _end(actor, account, ended_on, reason, moment)
    return User.get_by_id(account.id)


def _ending_day(field, day, account, moment):
    if not isinstance(day, datetime.date):
        raise InvalidField(field, N_("Give the day the duties ended as a date, e.g. 2026-11-30."))
    if day > helsinki_date(moment):
        raise InvalidField(field, N_(
            "The day cannot be in the future: end the access on the day the duties end."))
    if day < helsinki_date(account.created_at):
        raise InvalidField(field, N_(
            "The day cannot be before the account was created (%(day)s)."),
            day=helsinki_date(account.created_at).isoformat())
    return day


def end_access_on_command_line(username, reason, ended_on=None, now=None):
    """End the access of the account ``username`` on the server's command line (``flask
    users deactivate``): closed at once, its username removed, the date and reason
    recorded, audited — as ``end_access``, by no named user. ``ended_on``: today (Helsinki)
    when not given."""
    account = User.by_username(username) if username else None
    if account is None:
        raise RegisterError(N_("No account has the username %(username)s."),
                            username=username)
    moment = _now(now)
    reason = _clean_text("reason", reason, N_("Write the reason the access ends, e.g. the "
                                              "person moved to other duties."))
    ended_on = _ending_day("ended_on", ended_on or helsinki_date(moment), account, moment)
    with write_transaction():
        _end(None, account, ended_on, reason, moment)
    return User.get_by_id(account.id)


def _end(actor, account, ended_on, reason, moment):
    """Close the account and remove its username, inside the caller's transaction.

    ``actor`` None: on the server's command line."""
    query = User.select().where(User.id == account.id)
    current = (query if is_sqlite() else query.for_update()).first()
    if current is None or is_ended(current):
        raise RegisterError(N_("This account's access has already ended. Reload the page."))
    # Someone must be left to decide access requests.
    deciders = policy.roles_with("decide_access")
    if policy.role_may(current.role, "decide_access") and current.active and not (
            User.select().where(User.role.in_(deciders) & (User.active == True)  # noqa: E712
                                & User.username.is_null(False) & (User.id != current.id))
            .exists()):
        raise RegisterError(N_(
            "This is the only open controller account: grant the new controller's access "
            "first, then end this one."))
    User.update(active=False, username=None).where(User.id == current.id).execute()
    sessions.revoke_all(current, "access_ended")
    AccountStatusChange.create(user=current.id, kind="ended", effective_on=ended_on,
                               reason=reason, changed_by=actor.id if actor else None,
                               changed_at=moment, origin=_origin(actor))
    audit.record("end_access", actor=actor, object_type=USER_OBJECT_TYPE,
                 object_id=current.id, section=_single_code(current.sections),
                 fields=("active", "username"), at=moment)


def reactivate(actor, account, now=None):
    """Open a disabled account again (not one whose access ended); return it."""
    if not manages_account(actor, account):
        raise NotAllowed(N_(
            "Only the controller, or the register handler of every section of the account, "
            "may reactivate it."))
    if is_ended(account):
        raise RegisterError(N_(
            "This account's access has ended for good. Ask access for the person again."))
    moment = _now(now)
    with write_transaction():
        opened = (User.update(active=True)
                  .where((User.id == account.id) & (User.active == False)  # noqa: E712
                         & User.username.is_null(False))
                  .execute())
        if not opened:
            raise RegisterError(N_("This account is already open. Reload the page."))
        AccountStatusChange.create(user=account.id, kind="reactivated",
                                   effective_on=helsinki_date(moment), changed_by=actor.id,
                                   changed_at=moment)
        audit.record("reactivate", actor=actor, object_type=USER_OBJECT_TYPE,
                     object_id=account.id, section=_single_code(account.sections),
                     fields=("active",), at=moment)
    return User.get_by_id(account.id)


# --- access requests --------------------------------------------------------------------


def may_request(user):
    """Tell whether ``user`` may ask access for someone."""
    return policy.may(user, "request_access")


def may_decide(user):
    """Tell whether ``user`` may approve or refuse access requests (the controller only)."""
    return policy.may(user, "decide_access")


def request_sections(access_request):
    """Return the sections a request asks for, by code."""
    return list(Section.select().join(AccessRequestSection)
                .where(AccessRequestSection.request == access_request.id)
                .order_by(Section.code))


def may_implement(user, access_request, sections=None):
    """Tell whether ``user`` may implement ``access_request`` now that it is approved.

    The controller: any. A register handler: a request whose sections (and, for a change,
    the account's present sections) are all the handler's own — never one about their own
    account. Nobody implements a change of their own account.
    """
    if access_request.state != "approved":
        return False
    if access_request.account_id is not None and access_request.kind == "change" \
            and access_request.account_id == user.id:
        return False
    if policy.may(user, "manage_all_accounts"):
        return True
    if not policy.may(user, "manage_section_accounts"):
        return False
    wanted = {s.id for s in (sections if sections is not None
                             else request_sections(access_request))}
    if access_request.kind == "change" and access_request.account_id is not None:
        wanted |= section_ids(User.get_by_id(access_request.account_id))
    return bool(wanted) and wanted <= section_ids(user)


def visible_requests(user):
    """Return the access requests ``user`` may open.

    The controller and the responsible person: every one. A handler: those they made,
    those about their sections and those about their own account. Staff: those they made
    and those about their own account. Maintenance: none.
    """
    query = AccessRequest.select()
    if policy.may(user, "oversee_access"):
        return query
    if not policy.may(user, "request_access"):
        return query.where(pw.SQL("1 = 0"))
    mine = (AccessRequest.requested_by == user.id) | (AccessRequest.account == user.id)
    if policy.may(user, "manage_section_accounts"):
        about_sections = (AccessRequestSection.select(AccessRequestSection.request)
                          .where(AccessRequestSection.section.in_(list(section_ids(user)))))
        return query.where(mine | AccessRequest.id.in_(about_sections))
    return query.where(mine)


def get_visible_request(user, request_id):
    """Return the request ``request_id`` if ``user`` may open it, else None."""
    return visible_requests(user).where(AccessRequest.id == request_id).first()


def accounts_to_change(user):
    """Return the accounts ``user`` may ask a change for: every open one for the controller
    and the responsible person, those of a handler's sections, a staff member's own."""
    query = User.select().where(User.username.is_null(False)).order_by(User.username)
    if policy.may(user, "oversee_access"):
        return list(query)
    if policy.may(user, "manage_section_accounts"):
        return [u for u in visible_accounts(user).where(User.username.is_null(False))
                .order_by(User.username)] or [user]
    if policy.may(user, "request_access"):
        return [user]
    return []


def request_access(actor, role, section_codes, reason, person_name=None, email=None,
                   account_id=None, now=None):
    """Ask access for someone; return the request.

    With ``account_id`` it asks that the account get ``role`` and exactly these sections;
    without, a new account for ``person_name`` at ``email``.
    """
    if not may_request(actor):
        raise NotAllowed(N_("Technical maintenance cannot ask access for anyone."))
    moment = _now(now)
    account = None
    if account_id not in (None, ""):
        account = next((u for u in accounts_to_change(actor) if str(u.id) == str(account_id)),
                       None)
        if account is None:
            raise InvalidField("account", N_(
                "Choose the account from the list, or ask for a new account."))
        person_name = email = None
    else:
        person_name = " ".join((person_name or "").split())
        if not person_name:
            raise InvalidField("person_name", N_("Write the name of the person who needs "
                                                 "access."))
        if len(person_name) > 200:
            raise InvalidField("person_name", N_("Shorten the name to at most 200 characters."))
        message = refusal(person_name, message=N_(
            "A henkilötunnus (personal identity code) must not be stored in the register: "
            "remove it from the name."))
        if message:
            raise InvalidField("person_name", message)
        email = (email or "").strip()
        if not _EMAIL.fullmatch(email) or len(email) > 254:
            raise InvalidField("email", N_(
                "Give the person's work email address, e.g. etunimi.sukunimi@hel.fi."))
        message = refusal(email)
        if message:
            raise InvalidField("email", message)
    sections = _role_sections(role, section_codes)
    reason = _clean_text("reason", reason, N_("Write why the person needs this access."))
    if account is not None and role == account.role and \
            {s.id for s in sections} == section_ids(account):
        raise InvalidField("role", N_(
            "The account already has this role and these sections: choose what should "
            "change."))
    with write_transaction():
        return _ask(actor, account, person_name, email, role, sections, reason, moment)


def _ask(actor, account, person_name, email, role, sections, reason, moment):
    """Record a request, inside the caller's transaction (``actor`` None: the command line)."""
    created = AccessRequest.create(
        kind="change" if account is not None else "new",
        account=account.id if account is not None else None,
        person_name=person_name, email=email, role=role, reason=reason,
        requested_by=actor.id if actor else None, requested_at=moment,
        origin=_origin(actor))
    for section in sections:
        AccessRequestSection.create(request=created.id, section=section.id)
    audit.record("create", actor=actor, object_type=REQUEST_OBJECT_TYPE,
                 object_id=created.id, section=_single_code(sections),
                 fields=("kind", "account", "person_name", "email", "role", "sections",
                         "reason"), at=moment)
    return created


def _role_sections(role, section_codes):
    if role not in ROLES:
        raise InvalidField("role", N_("Choose the role from the list."))
    codes = list(dict.fromkeys(c for c in (section_codes or ()) if c))
    sections = list(Section.select().where(Section.code.in_(codes)).order_by(Section.code))
    if len(sections) != len(codes):
        raise InvalidField("sections", N_("Choose the sections from the list."))
    in_sections = policy.role_may(role, "read_granted_sections")
    if in_sections and not sections:
        raise InvalidField("sections", N_(
            "A register handler or a staff member works in sections: choose at least one."))
    if not in_sections and sections:
        raise InvalidField("sections", N_(
            "This role works across sections or in none: leave the sections unchosen."))
    return sections


def decide(actor, access_request, approve, reason="", now=None):
    """Approve or refuse a request (the controller only); a refusal needs its reason."""
    if not may_decide(actor):
        raise NotAllowed(N_("Only the controller decides access requests."))
    moment = _now(now)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidField("reason", N_("Write the reason for the refusal: it is kept with "
                                        "the request."))
    if reason:
        reason = _clean_text("reason", reason, "")
    with write_transaction():
        _decide(actor, access_request, approve, reason, moment)
    return AccessRequest.get_by_id(access_request.id)


def _decide(actor, access_request, approve, reason, moment):
    """Record the decision, inside the caller's transaction (``actor`` None: the command
    line)."""
    changed = (AccessRequest
               .update(state="approved" if approve else "refused",
                       decision_reason=reason or None,
                       decided_by=actor.id if actor else None, decided_at=moment)
               .where((AccessRequest.id == access_request.id)
                      & (AccessRequest.state == "requested"))
               .execute())
    if not changed:
        raise RegisterError(N_("This request has already been decided. Reload the page."))
    audit.record("approve" if approve else "refuse", actor=actor,
                 object_type=REQUEST_OBJECT_TYPE, object_id=access_request.id,
                 section=_single_code(request_sections(access_request)),
                 fields=("state", "decision_reason"), at=moment)


def suggested_username(access_request):
    """Return a username to offer for a new account: the email's local part, in lower case."""
    local = (access_request.email or "").split("@")[0].lower()
    local = re.sub(r"[^a-z0-9._-]", "", local)
    return local[:64]


def implement(actor, access_request, username=None, now=None):
    """Carry out an approved request; return ``(account, one_time_password or None)``.

    A new account is created with a one-time password (shown to the implementer once; the
    user must change it at the first login); a change sets the account's role and sections.
    """
    state = access_request.state
    if state == "requested":
        raise RegisterError(N_(
            "The controller has not approved this request yet: the account can be created "
            "only after the approval."))
    if state == "refused":
        raise RegisterError(N_("This request was refused: there is nothing to implement."))
    if state == "implemented":
        raise RegisterError(N_("This request has already been implemented. Reload the page."))
    sections = request_sections(access_request)
    if not may_implement(actor, access_request, sections):
        raise NotAllowed(N_(
            "Only the register handler of every section of the request, or the controller, "
            "may implement it."))
    moment = _now(now)
    with write_transaction():
        return _implement(actor, access_request, sections, username, moment)


def _implement(actor, access_request, sections, username, moment, password=None):
    """Create or change the account, inside the caller's transaction; return ``(account,
    password)``. ``actor`` None: the command line. ``password``: the new account's
    initial password (one is generated when None); the user changes it at the first login.
    """
    if access_request.kind == "new":
        username = (username or "").strip().lower()
        if not _USERNAME.fullmatch(username):
            raise InvalidField("username", N_(
                "Give a username of 2–64 characters: lower-case letters a–z, digits, "
                "dots, hyphens or underscores, e.g. etunimi.sukunimi."))
        try:
            account, password = accounts.create_user(
                username, access_request.role, [s.code for s in sections], password=password)
        except RegisterError as e:
            raise InvalidField("username", e.message, **e.params) from e
        fields = ("username", "role", "sections")
        action = "create"
    else:
        account = User.get_by_id(access_request.account_id)
        if is_ended(account):
            raise RegisterError(N_(
                "This account's access has ended: it cannot be changed. Ask access for "
                "a new account instead."))
        User.update(role=access_request.role).where(User.id == account.id).execute()
        UserSection.delete().where(UserSection.user == account.id).execute()
        for section in sections:
            UserSection.create(user=account.id, section=section.id)
        account = User.get_by_id(account.id)
        fields = ("role", "sections")
        action = "update"
        password = None
    done = (AccessRequest
            .update(state="implemented", account=account.id,
                    implemented_by=actor.id if actor else None, implemented_at=moment)
            .where((AccessRequest.id == access_request.id)
                   & (AccessRequest.state == "approved"))
            .execute())
    if not done:
        raise RegisterError(N_("This request has already been implemented. Reload the "
                               "page."))
    code = _single_code(sections)
    audit.record(action, actor=actor, object_type=USER_OBJECT_TYPE, object_id=account.id,
                 section=code, fields=fields, at=moment)
    audit.record("implement", actor=actor, object_type=REQUEST_OBJECT_TYPE,
                 object_id=access_request.id, section=code,
                 fields=("state", "account"), at=moment)
    return account, password


def grant_on_command_line(username, role, section_codes, reason, password=None, now=None):
    """Create an account on the server's command line (``flask users create``); return
    ``(account, password)``.

    The grant is recorded as on the pages — a request for a new account, its approval and
    its implementation, each audited — at once, marked as made on the command line.
    ``password``: the initial password (generated when None); the user changes it at the
    first login.
    """
    moment = _now(now)
    accounts.known_role_and_sections(role, section_codes)
    sections = _role_sections(role, section_codes)
    reason = _clean_text("reason", reason, N_("Write why the person needs this access."))
    with write_transaction():
        created = _ask(None, None, None, None, role, sections, reason, moment)
        _decide(None, created, True, "", moment)
        return _implement(None, AccessRequest.get_by_id(created.id), sections, username,
                          moment, password=password)


def bootstrap_controller(reason, now=None):
    """Create the first controller (``accounts.BOOTSTRAP_USERNAME``) when there are no
    accounts, granted on the command line; return its one-time password.

    Returns None when accounts exist already: the password is shown only once.
    """
    with write_transaction():
        if User.select().exists():
            return None
        _, password = grant_on_command_line(accounts.BOOTSTRAP_USERNAME, "controller", (),
                                            reason, now=now)
    return password


def _origin(actor):
    """Where a step was taken: the pages (an actor), or the server's command line (None)."""
    return "web" if actor is not None else "cli"


# --- the yearly review ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReviewStatus:
    """When the access review is due (Helsinki days) and where it stands.

    ``state``: ``none`` (no accounts yet), ``ok``, ``soon`` (within REMINDER_DAYS of the due
    day) or ``overdue`` (after it).
    """

    state: str
    due_on: datetime.date | None = None
    days_left: int | None = None
    last_review: AccessReview | None = None

    @property
    def remind(self):
        """Tell whether the front page should remind of the review."""
        return self.state in ("soon", "overdue")


def may_review(user):
    """Tell whether ``user`` may carry out the access review (the responsible person)."""
    return policy.may(user, "review_access")


def review_status(now=None):
    """Return the :class:`ReviewStatus` at ``now`` (naive UTC; default the present)."""
    today = helsinki_date(_now(now))
    last = AccessReview.select().order_by(AccessReview.reviewed_at.desc()).first()
    if last is not None:
        since = last.reviewed_at
    else:
        since = User.select(pw.fn.MIN(User.created_at)).scalar()
        if since is None:
            return ReviewStatus("none")
    due_on = add_year(helsinki_date(since))
    days_left = (due_on - today).days
    if days_left < 0:
        state = "overdue"
    elif days_left <= REMINDER_DAYS:
        state = "soon"
    else:
        state = "ok"
    return ReviewStatus(state, due_on, days_left, last)


@dataclasses.dataclass
class AccountRow:
    """An account as the review and the account list show it."""

    user: User
    sections: list
    last_used: datetime.datetime
    idle: bool
    guidance_version: int | None
    acknowledged_at: datetime.datetime | None
    change: AccountStatusChange | None = None

    @property
    def state(self):
        if is_ended(self.user):
            return "ended"
        return "active" if self.user.active else "disabled"


def account_rows(users, now=None, days=IDLE_DAYS):
    """Return an :class:`AccountRow` for each of ``users``, read in a few queries."""
    users = list(users)
    ids = [u.id for u in users]
    if not ids:
        return []
    cutoff = _now(now) - datetime.timedelta(days=days)
    sections = sections_by_user(ids)
    reactivated = _reactivations(ids)
    acknowledged = acknowledgements(ids)
    changes = latest_changes(ids)
    rows = []
    for user in users:
        used = last_used(user, reactivated.get(user.id))
        version, at = acknowledged.get(user.id, (None, None))
        rows.append(AccountRow(
            user=user, sections=sections.get(user.id, []), last_used=used,
            idle=user.active and not is_ended(user) and used < cutoff,
            guidance_version=version, acknowledged_at=at, change=changes.get(user.id)))
    return rows


def review_accounts(now=None):
    """Return the rows the review goes through: every account whose access has not ended
    (open and disabled alike), by username."""
    users = User.select().where(User.username.is_null(False)).order_by(User.username)
    return account_rows(users, now)


def save_review(actor, outcomes, reviewed_ids, now=None):
    """Record a review of every account; end the access of those marked ``end``.

    ``outcomes`` maps account ids to ``(outcome, comment)``; ``reviewed_ids`` are the
    accounts the page showed — if accounts were added or ended meanwhile, nothing is saved.
    A change or an ending needs a comment. Returns the review.
    """
    if not may_review(actor):
        raise NotAllowed(N_("Only the responsible person carries out the access review."))
    moment = _now(now)
    rows = review_accounts(moment)
    if {r.user.id for r in rows} != {int(i) for i in reviewed_ids}:
        raise ReviewError(N_(
            "Accounts were added or ended while you reviewed: nothing was saved. The list "
            "now shows every account; check the new ones and save again."))
    problems = {}
    cleaned = {}
    for row in rows:
        outcome, comment = outcomes.get(row.user.id, (None, ""))
        comment = " ".join((comment or "").split())
        if outcome not in REVIEW_OUTCOMES:
            problems[row.user.id] = (N_("Choose keep, change or end."), {})
        elif outcome != "keep" and not comment:
            problems[row.user.id] = (N_("Write a comment: what should change, or why the "
                                        "access ends."), {})
        elif len(comment) > MAX_TEXT:
            problems[row.user.id] = (N_("Shorten the comment to at most %(max)s characters."),
                                     {"max": MAX_TEXT})
        elif hetu_refusal := refusal(comment, message=N_(
                "A henkilötunnus (personal identity code) must not be stored in the register: "
                "remove it from the comment.")):
            problems[row.user.id] = (hetu_refusal, {})
        elif outcome == "end" and row.user.id == actor.id:
            problems[row.user.id] = (N_("You cannot end your own access: ask the controller."),
                                     {})
        cleaned[row.user.id] = (outcome, comment or None)
    if problems:
        raise ReviewError(N_("Check the accounts marked below, correct them and save the "
                             "review again."), problems)
    today = helsinki_date(moment)
    with write_transaction():
        review = AccessReview.create(reviewed_by=actor.id, reviewed_at=moment)
        for row in rows:
            outcome, comment = cleaned[row.user.id]
            AccessReviewItem.create(
                review=review.id, user=row.user.id, role=row.user.role,
                sections=" ".join(s.code for s in row.sections), active=row.user.active,
                last_login_at=row.user.last_login_at, idle=row.idle,
                guidance_version=row.guidance_version, outcome=outcome, comment=comment)
        audit.record("create", actor=actor, object_type=REVIEW_OBJECT_TYPE,
                     object_id=review.id, fields=("outcome", "comment"), at=moment)
        for row in rows:
            outcome, comment = cleaned[row.user.id]
            if outcome == "end":
                try:
                    _end(actor, row.user, today, comment, moment)
                except RegisterError as e:
                    raise ReviewError(N_("Check the accounts marked below, correct them and "
                                         "save the review again."),
                                      {row.user.id: (e.message, e.params)}) from e
    return review


def review_items(review):
    """Return the review's items with their accounts, by the account's id."""
    return list(AccessReviewItem.select(AccessReviewItem, User)
                .join(User, on=(AccessReviewItem.user == User.id))
                .where(AccessReviewItem.review == review.id)
                .order_by(AccessReviewItem.id))


# --- guidance (seed §3, §18) ------------------------------------------------------------


def may_publish(user):
    """Tell whether ``user`` may publish the guidance (the controller)."""
    return policy.may(user, "publish_guidance")


def current_guidance():
    """Return the newest published version of the guidance, or None."""
    return GuidanceVersion.select().order_by(GuidanceVersion.number.desc()).first()


def publish_guidance(actor, text, now=None):
    """Publish a new version of the guidance (the controller); return it.

    The publisher has read what they wrote: their acknowledgement is recorded with it.
    """
    if not may_publish(actor):
        raise NotAllowed(N_("Only the controller publishes the guidance."))
    moment = _now(now)
    text = (text or "").strip().replace("\r\n", "\n")
    if not text:
        raise InvalidField("text", N_("Write the guidance before publishing it."))
    if len(text) > MAX_GUIDANCE:
        raise InvalidField("text", N_("Shorten the guidance to at most %(max)s characters."),
                           max=MAX_GUIDANCE)
    message = refusal(text, message=N_(
        "A henkilötunnus (personal identity code) must not be stored in the register: "
        "remove it from the guidance."))
    if message:
        raise InvalidField("text", message)
    with write_transaction():
        current = current_guidance()
        if current is not None and current.text == text:
            raise InvalidField("text", N_(
                "The text is the same as in the current version: change it before publishing."))
        number = (current.number if current else 0) + 1
        version = GuidanceVersion.create(number=number, text=text, published_by=actor.id,
                                         published_at=moment)
        GuidanceAcknowledgement.create(user=actor.id, version=version.id,
                                       acknowledged_at=moment)
        audit.record("publish", actor=actor, object_type=GUIDANCE_OBJECT_TYPE,
                     object_id=version.number, fields=("text",), at=moment)
    return version


def pending_guidance(user):
    """Return the current guidance if ``user`` has not acknowledged it yet, else None.

    One indexed query: it runs before every request of a logged-in user.
    """
    acknowledged = (GuidanceAcknowledgement.select(GuidanceAcknowledgement.id)
                    .where((GuidanceAcknowledgement.version == GuidanceVersion.id)
                           & (GuidanceAcknowledgement.user == user.id)))
    row = (GuidanceVersion.select(GuidanceVersion.id, GuidanceVersion.number,
                                  pw.fn.EXISTS(acknowledged).alias("done"))
           .order_by(GuidanceVersion.number.desc()).limit(1).first())
    if row is None or row.done:
        return None
    return GuidanceVersion.get_by_id(row.id)


def acknowledge(user, version_id, now=None):
    """Record that ``user`` has read the guidance version ``version_id`` (the current one)."""
    moment = _now(now)
    current = current_guidance()
    if current is None or str(current.id) != str(version_id):
        raise RegisterError(N_(
            "A newer version of the guidance has been published meanwhile: read it and "
            "acknowledge it."))
    with write_transaction():
        exists = GuidanceAcknowledgement.select().where(
            (GuidanceAcknowledgement.user == user.id)
            & (GuidanceAcknowledgement.version == current.id)).exists()
        if not exists:
            GuidanceAcknowledgement.create(user=user.id, version=current.id,
                                           acknowledged_at=moment)
            audit.record("acknowledge", actor=user, object_type=GUIDANCE_OBJECT_TYPE,
                         object_id=current.number, at=moment)
    return current


def acknowledgements(user_ids=None):
    """Return ``{user_id: (version number, when)}``: the newest version each acknowledged."""
    query = (GuidanceAcknowledgement
             .select(GuidanceAcknowledgement.user, GuidanceVersion.number,
                     GuidanceAcknowledgement.acknowledged_at)
             .join(GuidanceVersion)
             .order_by(GuidanceVersion.number))
    if user_ids is not None:
        query = query.where(GuidanceAcknowledgement.user.in_(list(user_ids)))
    return {user_id: (number, at) for user_id, number, at in query.tuples()}


# --- the front page ---------------------------------------------------------------------


def worklist(user, now=None):
    """Return what ``user`` must act on: ``{"decision": [...], "implementation": [...],
    "review": ReviewStatus or None}`` (empty lists and None when nothing).

    The controller: requests waiting for a decision, and approved ones waiting for
    implementation. A handler: the approved requests they may implement. The responsible
    person: the review, from REMINDER_DAYS before it is due.
    """
    work = {"decision": [], "implementation": [], "review": None}
    if may_decide(user):
        work["decision"] = list(AccessRequest.select()
                                .where(AccessRequest.state == "requested")
                                .order_by(AccessRequest.requested_at, AccessRequest.id))
    if policy.may(user, "implement_access"):
        approved = (visible_requests(user).where(AccessRequest.state == "approved")
                    .order_by(AccessRequest.decided_at, AccessRequest.id))
        work["implementation"] = [r for r in approved if may_implement(user, r)]
    if may_review(user):
        status = review_status(now)
        work["review"] = status if status.remind else None
    return work


# --- helpers ----------------------------------------------------------------------------


def _clean_text(field, value, required_message):
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, required_message)
    if len(text) > MAX_TEXT:
        raise InvalidField(field, N_("Shorten the text to at most %(max)s characters."),
                           max=MAX_TEXT)
    message = refusal(text)
    if message:
        raise InvalidField(field, message)
    return text

