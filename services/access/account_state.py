"""Accounts, their sections and their state: who may list or manage an account, and when it
was last used."""

import peewee as pw

from models import AccountStatusChange, Section, User, UserSection
from services import policy


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
