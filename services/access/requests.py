"""Requests for access: asked, decided by the controller, implemented — on the pages or at
once on the server's command line."""

import re


import peewee as pw

from database import write_transaction
from models import ROLES, AccessRequest, AccessRequestSection, Section, User, UserSection
from services import accounts, audit, notifications, policy
from services.access.account_state import is_ended, section_ids, visible_accounts
from services.access.common import (
    InvalidField,
    REQUEST_OBJECT_TYPE,
    USER_OBJECT_TYPE,
    clean_email,
    _USERNAME,
    _clean_text,
    _now,
    _origin,
    _single_code,
)
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.policy import NotAllowed


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

    Never a change of an account whose access ended. The controller: any other. A
    register handler: a request whose sections and, for a change,
    the account's present sections are all the handler's own, neither of them none (a
    request or an account of no section is the controller's, as ``manages_account``
    says) — never one about their own account. Nobody implements a change of their own
    account.
    """
    if access_request.state != "approved":
        return False
    if access_request.account_id is not None and access_request.kind == "change" \
            and access_request.account_id == user.id:
        return False
    if access_request.kind == "change" and access_request.account_id is not None \
            and User.get_by_id(access_request.account_id).username is None:
        return False  # the account's access ended: nothing left to change
    if policy.may(user, "manage_all_accounts"):
        return True
    if not policy.may(user, "manage_section_accounts"):
        return False
    own = section_ids(user)
    asked = {s.id for s in (sections if sections is not None
                            else request_sections(access_request))}
    if not asked or not asked <= own:
        return False
    if access_request.kind == "change" and access_request.account_id is not None:
        held = section_ids(User.get_by_id(access_request.account_id))
        return bool(held) and held <= own
    return True


def implementable_condition(user):
    """Return the condition on AccessRequest of the requests ``user`` may implement now:
    :func:`may_implement` as SQL, for the menu's count (a test holds the two equal)."""
    request = AccessRequest
    own_change = (request.kind == "change") & (request.account == user.id)
    ended = User.select(pw.SQL("1")).where((User.id == request.account) & User.username.is_null())
    approved = ((request.state == "approved") & ~own_change
                & ~((request.kind == "change") & pw.fn.EXISTS(ended)))
    if policy.may(user, "manage_all_accounts"):
        return approved
    if not policy.may(user, "manage_section_accounts"):
        return pw.SQL("1 = 0")
    mine = UserSection.select(UserSection.section).where(UserSection.user == user.id)
    asked = AccessRequestSection.select(pw.SQL("1")).where(
        AccessRequestSection.request == request.id)
    held = UserSection.select(pw.SQL("1")).where(UserSection.user == request.account)
    change = (request.kind == "change") & request.account.is_null(False)
    return (approved
            & pw.fn.EXISTS(asked)
            & ~pw.fn.EXISTS(asked.where(AccessRequestSection.section.not_in(mine)))
            & ~(change & ~pw.fn.EXISTS(held))
            & ~(change & pw.fn.EXISTS(held.where(UserSection.section.not_in(mine)))))


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
        email = clean_email(email)
    sections = _role_sections(role, section_codes)
    reason = _clean_text("reason", reason, N_("Write why the person needs this access."))
    if account is not None and role == account.role and \
            {s.id for s in sections} == section_ids(account):
        raise InvalidField("role", N_(
            "The account already has this role and these sections: choose what should "
            "change."))
    with write_transaction():
        created = _ask(actor, account, person_name, email, role, sections, reason, moment)
        notifications.access_requested(created, actor, moment)
    return created


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
    """Approve or refuse a request (the controller only); a refusal needs its reason.

    A change of the controller's own account is approved by another controller, as it is
    implemented by another (:func:`may_implement`): nobody grants themselves access.
    """
    if not may_decide(actor):
        raise NotAllowed(N_("Only the controller decides access requests."))
    moment = _now(now)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidField("reason", N_("Write the reason for the refusal: it is kept with "
                                        "the request."))
    if reason:
        reason = _clean_text("reason", reason, "")
    if approve and access_request.kind == "change" and access_request.account_id == actor.id:
        raise RegisterError(N_("A change of your own account is approved by another "
                               "controller: you may refuse it, but not approve it."))
    with write_transaction():
        if approve and access_request.kind == "change":
            account = User.get_or_none(User.id == access_request.account_id)
            if account is None or is_ended(account):
                # Approved, it could never be implemented, and would wait for ever.
                raise RegisterError(N_("This account's access has ended, so its change "
                                       "cannot be approved: refuse the request with that "
                                       "reason."))
        _decide(actor, access_request, approve, reason, moment)
        if approve:
            notifications.access_approved(access_request, actor, moment)
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
        if access_request.email:  # where the new account's notifications go
            User.update(email=access_request.email).where(User.id == account.id).execute()
            account = User.get_by_id(account.id)
            fields += ("email",)
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


def grant_on_command_line(username, role, section_codes, reason, password=None, now=None,
                          email=None):
    """Create an account on the server's command line (``flask users create``); return
    ``(account, password)``.

    The grant is recorded as on the pages — a request for a new account, its approval and
    its implementation, each audited — at once, marked as made on the command line.
    ``password``: the initial password (generated when None); the user changes it at the
    first login. ``email``: where the account's notifications go (none when None).
    """
    moment = _now(now)
    email = clean_email(email) if email is not None else None
    accounts.known_role_and_sections(role, section_codes)
    sections = _role_sections(role, section_codes)
    reason = _clean_text("reason", reason, N_("Write why the person needs this access."))
    with write_transaction():
        created = _ask(None, None, None, email, role, sections, reason, moment)
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
