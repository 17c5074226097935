"""Ending an account's access when the duties end, and reopening a disabled account."""

import datetime

from database import is_sqlite, write_transaction
from models import AccountStatusChange, User
from services import audit, policy, sessions
from services.access.account_state import is_ended, manages_account
from services.access.common import (
    InvalidField,
    USER_OBJECT_TYPE,
    _clean_text,
    _now,
    _origin,
    _single_code,
)
from services.errors import N_, RegisterError
from services.localtime import helsinki_date
from services.policy import NotAllowed


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
            User.open_accounts().where(User.role.in_(deciders) & (User.id != current.id))
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
