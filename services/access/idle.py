"""Accounts left unused: flagged in the review, closed by ``disable_idle`` (``flask users
disable-idle``)."""

import datetime

from database import write_transaction
from models import AccountStatusChange, User
from services import audit, policy, sessions
from services.access.account_state import _reactivations, last_used
from services.access.common import IDLE_DAYS, USER_OBJECT_TYPE, _now, _single_code
from services.errors import N_, RegisterError
from services.localtime import helsinki_date


def idle_accounts(days=IDLE_DAYS, now=None):
    """Return the open accounts not used for ``days`` days, oldest use first."""
    cutoff = _now(now) - datetime.timedelta(days=days)
    users = list(User.open_accounts())
    reactivated = _reactivations([u.id for u in users])
    idle = [u for u in users if last_used(u, reactivated.get(u.id)) < cutoff]
    return sorted(idle, key=lambda u: last_used(u, reactivated.get(u.id)))


def disable_idle(days=IDLE_DAYS, now=None):
    """Disable every open account unused for ``days`` days; return those disabled.

    Each is recorded as disabled (with the number of days) and audited, in one
    transaction per account. The username stays: a handler can reactivate the account.
    The last open account that decides access requests stays open (as ending it is
    refused): with none left, nobody could reactivate the others or grant access.
    """
    if days < 1:
        raise RegisterError(N_("Give the number of days as a whole number of at least 1."))
    moment = _now(now)
    disabled = []
    deciders = policy.roles_with("decide_access")
    for user in idle_accounts(days, moment):
        with write_transaction():
            if policy.role_may(user.role, "decide_access") and not User.open_accounts().where(
                    User.role.in_(deciders) & (User.id != user.id)).exists():
                continue
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
