"""What every step of a disclosure shares: who may do what, the allowed recipient, the
checked texts, the versioned change of a prepared disclosure with its audit event, and the
disclosure's customers as a query."""

import re

import peewee as pw

from models import Customer, Disclosure, DisclosureCustomer, DisclosureRecipient
from services import audit, policy
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.inputs import parse_id
from services.policy import NotAllowed
from services.versioning import UNCHECKED, versioned_update

AUDIT_OBJECT_TYPE = "disclosure"
# A disclosure in these states has not been carried out yet, and may still be.
UNFINISHED_STATES = ("prepared", "approved")
RECIPIENT_OBJECT_TYPE = "disclosure_recipient"

# A customer search shows at most this many customers.
MAX_FOUND = 50
# A pasted list may name at most this many customers.
MAX_LIST_ITEMS = 5000
# Longest accepted purpose, legal basis and refusal reason.
MAX_TEXT = 2000
# An invoicing period may span at most this many days.
MAX_PERIOD_DAYS = 3660

EXPORT_FORMATS = ("csv", "xlsx")

_Y_TUNNUS = re.compile(r"\d{7}-\d")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


STALE = N_("Someone else changed this disclosure meanwhile: nothing was saved. Check the "
           "customers and categories now shown, then decide again.")
DECIDED = N_("The disclosure has already been decided: its customers and categories can no "
             "longer be changed. Prepare a new one.")


# --- who may (services/policy.py) --------------------------------------------------------
# A handler (own sections) or the controller prepares and carries out; only the controller
# decides and keeps the recipients; the responsible person reads.


def may_prepare(user):
    """Tell whether ``user`` may prepare and carry out disclosures."""
    return policy.may(user, "prepare_disclosures")


def may_decide(user):
    """Tell whether ``user`` may approve or refuse disclosures (the controller only)."""
    return policy.may(user, "decide_disclosures")


def may_manage_recipients(user):
    """Tell whether ``user`` may add and deactivate allowed recipients."""
    return policy.may(user, "manage_disclosure_recipients")


def section_ids_of(user):
    """Return the ids of the sections whose customers ``user`` may put in a disclosure."""
    if policy.may(user, "read_disclosures"):
        return policy.readable_section_ids(user)
    return []


def visible_to(user):
    """Return the disclosures ``user`` may open.

    The controller and the responsible person: every one. A handler: those they prepared,
    and those whose every customer is in the handler's sections. Anyone else: none.
    """
    query = Disclosure.select()
    if policy.may(user, "read_all_sections"):
        return query
    if not policy.may(user, "read_disclosures"):
        return query.where(pw.SQL("1 = 0"))
    own = Disclosure.prepared_by == user.id
    sections = section_ids_of(user)
    if not sections:
        return query.where(own)
    links = DisclosureCustomer.select(DisclosureCustomer.disclosure)
    outside = links.join(Customer).where(Customer.section.not_in(sections))
    return query.where(own | (Disclosure.id.in_(links) & Disclosure.id.not_in(outside)))


def get_visible(user, disclosure_id):
    """Return the disclosure ``disclosure_id`` if ``user`` may open it, else None."""
    return visible_to(user).where(Disclosure.id == disclosure_id).first()


def _require(allowed, message):
    if not allowed:
        raise NotAllowed(message)


def _require_preparer(user, disclosure=None):
    """Refuse a role that does not prepare, and a disclosure the user may not open."""
    _require(may_prepare(user), N_(
        "Only a register handler or the controller may prepare or carry out a disclosure."))
    if disclosure is not None:
        _require(get_visible(user, disclosure.id) is not None, N_(
            "This disclosure concerns customers of sections you do not have: ask the "
            "controller or the handler of those sections."))


def _clean_text(value, required_message, label):
    text = (value or "").strip()
    if not text:
        raise RegisterError(required_message)
    if len(text) > MAX_TEXT:
        raise RegisterError(N_("%(field)s is too long: shorten it to at most %(max)s "
                               "characters."), field=label, max=MAX_TEXT)
    message = refusal(text, message=N_("A henkilötunnus (personal identity code) must not be "
                                       "stored in the register: remove it from the field "
                                       "%(field)s."))
    if message:
        raise RegisterError(message, field=label)
    return text


def _allowed_recipient(recipient_id):
    """Return the recipient if it is on the list and active; refuse anything else."""
    recipient_id = parse_id(recipient_id)
    recipient = (DisclosureRecipient.get_or_none(DisclosureRecipient.id == recipient_id)
                 if recipient_id is not None else None)
    if recipient is None:
        raise RegisterError(N_(
            "Personal data may be disclosed only to a recipient on the list of allowed "
            "recipients (register description §8). Choose one from the list."))
    if not recipient.active:
        raise RegisterError(N_(
            "%(recipient)s is no longer an allowed recipient: nothing may be disclosed to it. "
            "Choose a recipient on the list, or ask the controller."),
            recipient=recipient.name_fi)
    return recipient


def _change(actor, disclosure, values=None, fields=()):
    """Move a prepared disclosure to its next version (writing ``values``); audit it.

    Call inside the step's transaction, before its other writes: the conditional UPDATE
    takes the row's lock, and fails when the disclosure has been decided meanwhile.
    """
    versioned_update(disclosure, values or {}, seen=UNCHECKED,
                     where=Disclosure.state == "prepared", stale=DECIDED)
    audit.record("update", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                 object_id=disclosure.id, fields=fields)


def _require_open(actor, disclosure):
    _require_preparer(actor, disclosure)
    if disclosure.state != "prepared":
        raise RegisterError(DECIDED)


def _record_reads(actor, action, disclosure, customers):
    """Record ``action`` on each customer of ``customers`` read through ``disclosure``."""
    audit.record_reads(action, actor, customers, AUDIT_OBJECT_TYPE,
                       disclosure.id if disclosure is not None else None)


def _linked_customers(disclosure):
    return DisclosureCustomer.select(DisclosureCustomer.customer).where(
        DisclosureCustomer.disclosure == disclosure.id)
