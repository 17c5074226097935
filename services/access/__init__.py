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

The rules live in this package's modules — ``requests`` (granting), ``ending`` and
``idle`` (closing), ``review``, ``guidance`` and ``front_page``, on ``account_state`` and
``common`` — and every name is read from here: ``from services import access``, then
``access.implement(…)``.
"""

from services.access.account_state import (
    get_visible_account,
    is_ended,
    last_used,
    latest_changes,
    manages_account,
    section_ids,
    sections_by_user,
    visible_accounts,
)
from services.access.common import (
    GUIDANCE_OBJECT_TYPE,
    IDLE_DAYS,
    InvalidField,
    MAX_GUIDANCE,
    MAX_TEXT,
    REMINDER_DAYS,
    REQUEST_OBJECT_TYPE,
    REVIEW_OBJECT_TYPE,
    ReviewError,
    USER_OBJECT_TYPE,
    add_year,
)
from services.access.ending import end_access, end_access_on_command_line, reactivate
from services.access.front_page import worklist, worklist_conditions
from services.access.guidance import (
    acknowledge,
    acknowledgements,
    current_guidance,
    may_publish,
    pending_guidance,
    publish_guidance,
)
from services.access.idle import disable_idle, idle_accounts
from services.access.requests import (
    accounts_to_change,
    bootstrap_controller,
    decide,
    get_visible_request,
    grant_on_command_line,
    implement,
    may_decide,
    implementable_condition,
    may_implement,
    may_request,
    request_access,
    request_sections,
    suggested_username,
    visible_requests,
)
from services.access.review import (
    AccountRow,
    ReviewStatus,
    account_rows,
    may_review,
    review_accounts,
    review_items,
    review_since,
    review_status,
    status_since,
    save_review,
)
from services.errors import RegisterError
from services.localtime import helsinki_date
from services.policy import NotAllowed

__all__ = [
    "AccountRow",
    "GUIDANCE_OBJECT_TYPE",
    "IDLE_DAYS",
    "InvalidField",
    "MAX_GUIDANCE",
    "MAX_TEXT",
    "NotAllowed",
    "REMINDER_DAYS",
    "REQUEST_OBJECT_TYPE",
    "REVIEW_OBJECT_TYPE",
    "RegisterError",
    "ReviewError",
    "ReviewStatus",
    "USER_OBJECT_TYPE",
    "account_rows",
    "accounts_to_change",
    "acknowledge",
    "acknowledgements",
    "add_year",
    "bootstrap_controller",
    "current_guidance",
    "decide",
    "disable_idle",
    "end_access",
    "end_access_on_command_line",
    "get_visible_account",
    "get_visible_request",
    "grant_on_command_line",
    "helsinki_date",
    "idle_accounts",
    "implement",
    "is_ended",
    "last_used",
    "latest_changes",
    "manages_account",
    "may_decide",
    "implementable_condition",
    "may_implement",
    "may_publish",
    "may_request",
    "may_review",
    "pending_guidance",
    "publish_guidance",
    "reactivate",
    "request_access",
    "request_sections",
    "review_accounts",
    "review_items",
    "review_since",
    "review_status",
    "status_since",
    "save_review",
    "section_ids",
    "sections_by_user",
    "suggested_username",
    "visible_accounts",
    "visible_requests",
    "worklist",
    "worklist_conditions",
]
