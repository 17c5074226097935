"""Email notifications through an outbox (issue 17).

A notification is a row of ``outbox_message`` written inside the transaction of the event
that causes it (``events``): a rolled-back event leaves no row, so sends nothing. The
outbox is sent by ``send_due`` (``flask --app app outbox send``, from cron): each message
due is claimed, written in its recipient's language (``messages``) and handed to the mail
server (``smtp``). A message the server does not take stays pending with one attempt more
and its next attempt later, the wait doubling each time (``outbox``); after the last
attempt it is failed, and the outbox page can send it again. Nothing here imports Flask.

The states: pending → sent; pending → pending (an attempt failed, the next one later) →
… → failed (MAX_ATTEMPTS failed); failed → pending (retried by hand). An account that chose
the daily digest gets its notifications that are no legal deadline as held rows, which the
morning's first send gathers into one pending message (``digest``): held → digested.
"""

from services.notifications.account import confirm_email, save_settings, waiting_address
from services.notifications.digest import DIGEST_HOUR, digest_moment, gather_digests
from services.notifications.events import (
    access_approved,
    access_requested,
    guidance_published,
    inspection_request_registered,
    rectification_registered,
)
from services.notifications.messages import (
    ACCOUNT_PATH,
    LEGAL_DEADLINE_KINDS,
    OPTIONAL_KINDS,
    SENT_AT_ONCE,
    render,
    subject_of,
)
from services.notifications.outbox import (
    MAX_ATTEMPTS,
    counts,
    listing,
    notify,
    recipients,
    retry,
    retry_delay,
    send_due,
)
from services.notifications.smtp import MailSettings

__all__ = [
    "ACCOUNT_PATH",
    "DIGEST_HOUR",
    "LEGAL_DEADLINE_KINDS",
    "SENT_AT_ONCE",
    "digest_moment",
    "gather_digests",
    "guidance_published",
    "MAX_ATTEMPTS",
    "MailSettings",
    "OPTIONAL_KINDS",
    "access_approved",
    "access_requested",
    "confirm_email",
    "counts",
    "inspection_request_registered",
    "listing",
    "notify",
    "recipients",
    "rectification_registered",
    "render",
    "subject_of",
    "retry",
    "retry_delay",
    "save_settings",
    "send_due",
    "waiting_address",
]
