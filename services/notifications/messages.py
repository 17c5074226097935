"""Writing a notification in its recipient's language, from what the outbox row says.

A row holds codes, dates and the page's path (``params``); this module turns them into a
subject and a body with the register's message catalog of the language (as the inspection
report does: ``services.catalogs``), so a message is written in its recipient's language
whoever's request sends it. Nothing in a message names a person: what is due, where, by
when and the link to the page.
"""

import datetime
import json
import logging

from models import Section
from models.people import MAIL_LANGUAGES
from services.catalogs import translate
from services.localtime import format_date
from services.vocabulary.notifications import (
    NOTIFICATION_BODIES,
    NOTIFICATION_FOOTER,
    NOTIFICATION_SUBJECTS,
)

log = logging.getLogger("register.notifications")

# The account page where a user changes the address and the notifications they get.
ACCOUNT_PATH = "/account/notifications"

# The kinds a user may turn off: those that are no legal deadline of theirs. A new
# inspection or rectification request starts one (seed §14, §15); these do not.
OPTIONAL_KINDS = ("access_request", "access_approved", "guidance_published")

# The kinds of a legal deadline (seed §14, §15): sent at once even to an account that chose
# the daily digest, so a handler learns of a new request the same day.
LEGAL_DEADLINE_KINDS = ("inspection_request", "rectification_request", "inspection_due",
                        "inspection_overdue")
# Sent at once to everyone: the legal deadlines, an address's confirmation link (valid for
# 48 hours) and the digest itself. Every other kind waits for the digest of those who
# chose it.
SENT_AT_ONCE = LEGAL_DEADLINE_KINDS + ("email_confirmation", "daily_digest")

# What a message's ``params`` may pass into its text as it is (the rest are looked up).
PLAIN_VALUES = ("count", "version")


def render(message, base_url):
    """Return ``(subject, body)`` of the outbox row ``message``, in its language."""
    language = message.language if message.language in MAIL_LANGUAGES else "fi"
    params = json.loads(message.params or "{}")
    base_url = (base_url or "").rstrip("/")
    if message.kind == "daily_digest":
        subject, text = _digest(params, language, base_url)
    else:
        subject, text = _text(message.kind, params, language, base_url)
    footer = translate(NOTIFICATION_FOOTER, language) % {"account_link": base_url + ACCOUNT_PATH}
    return subject, text + "\n\n-- \n" + footer + "\n"


def subject_of(message, base_url):
    """Return the subject line of the outbox row ``message``: the one it was sent with, or
    as it would be written; None when no mail can be written of the row (its sending
    failed for that: the outbox page lists it all the same)."""
    if message.subject:
        return message.subject
    try:
        return render(message, base_url)[0]
    except Exception:  # noqa: BLE001 - the row's fault, told on the page as no subject
        log.warning("outbox message %s cannot be written", message.id, exc_info=True)
        return None


def _text(kind, params, language, base_url):
    """Return the subject line and the first paragraph of a ``kind`` message."""
    values = {"link": base_url + params.get("path", "/"), "count": 1, "version": ""}
    values.update((name, params[name]) for name in PLAIN_VALUES if name in params)
    if "section" in params:
        section = Section.get_or_none(Section.code == params["section"])
        values["section"] = section.name_in(language) if section else params["section"]
    if "due" in params:
        values["due"] = format_date(datetime.date.fromisoformat(params["due"]), language,
                                    format="medium")
    subject = translate(NOTIFICATION_SUBJECTS[kind], language) % values
    return " ".join(subject.split()), translate(NOTIFICATION_BODIES[kind], language) % values


def _digest(params, language, base_url):
    """Return the subject and the text of a daily digest: each held notification's subject
    line and link, oldest first."""
    items = [item for item in params.get("items", ())
             if item.get("kind") in NOTIFICATION_SUBJECTS and item["kind"] != "daily_digest"]
    lines = []
    for number, item in enumerate(items, 1):
        item_params = item.get("params") or {}
        line, _paragraph = _text(item["kind"], item_params, language, base_url)
        lines.append(f"{number}. {line}\n   {base_url}{item_params.get('path', '/')}")
    values = {"count": len(items)}
    subject = translate(NOTIFICATION_SUBJECTS["daily_digest"], language) % values
    text = translate(NOTIFICATION_BODIES["daily_digest"], language) % values
    return " ".join(subject.split()), text + "\n\n" + "\n\n".join(lines)
