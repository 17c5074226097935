"""Writing a notification in its recipient's language, from what the outbox row says.

A row holds codes, dates and the page's path (``params``); this module turns them into a
subject and a body with the register's message catalog of the language (as the inspection
report does: ``services.catalogs``), so a message is written in its recipient's language
whoever's request sends it. Nothing in a message names a person: what is due, where, by
when and the link to the page.
"""

import datetime
import json

from models import Section
from models.people import MAIL_LANGUAGES
from services.catalogs import translate
from services.localtime import format_date
from services.vocabulary.notifications import (
    NOTIFICATION_BODIES,
    NOTIFICATION_FOOTER,
    NOTIFICATION_SUBJECTS,
)

# The account page where a user changes the address and the notifications they get.
ACCOUNT_PATH = "/account/notifications"

# The kinds a user may turn off: those that are no legal deadline of theirs. A new
# inspection or rectification request starts one (seed §14, §15); these do not.
OPTIONAL_KINDS = ("access_request", "access_approved")


def render(message, base_url):
    """Return ``(subject, body)`` of the outbox row ``message``, in its language."""
    language = message.language if message.language in MAIL_LANGUAGES else "fi"
    params = json.loads(message.params or "{}")
    base_url = (base_url or "").rstrip("/")
    values = {"link": base_url + params.get("path", "/"),
              "account_link": base_url + ACCOUNT_PATH,
              "count": params.get("count", 1)}
    if "section" in params:
        section = Section.get_or_none(Section.code == params["section"])
        values["section"] = section.name_in(language) if section else params["section"]
    if "due" in params:
        values["due"] = format_date(datetime.date.fromisoformat(params["due"]), language,
                                    format="medium")
    subject = translate(NOTIFICATION_SUBJECTS[message.kind], language) % values
    body = (translate(NOTIFICATION_BODIES[message.kind], language) % values + "\n\n-- \n"
            + translate(NOTIFICATION_FOOTER, language) % values + "\n")
    return " ".join(subject.split()), body
