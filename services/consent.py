"""Direct marketing consent (seed §16; Act on Electronic Communications Services 917/2014
§200).

Email and SMS marketing to a private person (a customer of kind ``person``) needs the
person's prior consent, one consent a channel; a company's or an organisation's contact
persons need none — their opt-out is the prohibition (services/prohibitions.py).

The states of one consent row::

    recorded (in force) --withdraw--> withdrawn

A withdrawal fills the row's ``withdrawn_at``, ``withdrawn_how`` and ``withdrawn_by`` and
deletes nothing; a consent given again afterwards is a new row. At most one row of a
customer and channel is in force (also a unique index of the database). Each step is one
transaction with its audit event (object type ``marketing_consent``).

The consent texts shown to the person, and their version codes, are
``services.vocabulary.rights.CONSENT_WORDINGS``: the newest version is the current one.
"""

import datetime

from peewee import SQL, fn

import database
from models import CONSENT_CHANNELS, CONSENT_METHODS, Customer, MarketingConsent, utcnow
from services import audit
from services.errors import N_, RegisterError
from services.localtime import helsinki_today, to_helsinki
from services.prohibitions import lock_customer
from services.vocabulary.rights import CONSENT_WORDINGS

AUDIT_OBJECT_TYPE = "marketing_consent"

# The version of the consent text shown to the person now: the newest one.
CURRENT_WORDING = list(CONSENT_WORDINGS)[-1]

# The customer's field each channel sends to: what the marketing list gives out only with
# a consent in force.
CHANNEL_FIELDS = {"email": Customer.email, "sms": Customer.mobile}


def needs_consent(customer):
    """Tell whether email and SMS marketing to the customer need its consent (a private
    person), rather than only the absence of a prohibition (a company, an organisation)."""
    return customer.kind == "person"


def needs_consent_condition():
    """Return the condition on Customer of :func:`needs_consent` (for a query)."""
    return Customer.kind == "person"


def wording(version, channel):
    """Return the consent text (a label) of ``version`` for ``channel``, or None."""
    return CONSENT_WORDINGS.get(version, {}).get(channel)


def history(customer):
    """Return every consent row of the customer, newest first."""
    return list(MarketingConsent.select()
                .where(MarketingConsent.customer == customer)
                .order_by(MarketingConsent.id.desc()))


def in_force(customer):
    """Return ``{channel: row}`` of the customer's consents in force."""
    rows = (MarketingConsent.select()
            .where((MarketingConsent.customer == customer) & MarketingConsent.in_force()))
    return {row.channel: row for row in rows}


def consent_of(customer, consent_id):
    """Return the customer's consent row ``consent_id``, or None (another customer's too)."""
    return (MarketingConsent.select()
            .where((MarketingConsent.id == consent_id)
                   & (MarketingConsent.customer == customer)).first())


def has_consent(channel):
    """Return the condition on Customer: a consent of ``channel`` is in force.

    An ``EXISTS`` on the partial unique index (customer, channel) of the rows in force
    (migration 021): one index probe a customer, whatever the number of customers.
    """
    return fn.EXISTS(MarketingConsent.select(SQL("1")).where(
        (MarketingConsent.customer == Customer.id) & (MarketingConsent.channel == channel)
        & MarketingConsent.in_force()))


def record(customer, *, channel, given_on, given_how, wording_version, actor, today=None):
    """Record a consent the person gave; return the row.

    Refuses a customer that is not a private person, a consent already in force for the
    channel, a date in the future and a text version the register does not know. ``today``
    is Helsinki's today by default.
    """
    given_on = _checked(customer, channel, given_on, given_how, wording_version, today)
    with database.write_transaction():
        lock_customer(customer)
        current = in_force(customer).get(channel)
        if current is not None:
            raise RegisterError(
                N_("A consent to this channel is already in force (given on %(date)s). "
                   "Nothing was recorded."), date=current.given_on.strftime("%d.%m.%Y"))
        withdrawn = _last_withdrawn_on(customer, channel)
        if withdrawn is not None and given_on < withdrawn:
            # A paper signed earlier and posted late would undo the person's latest wish.
            raise RegisterError(
                N_("The person withdrew this consent on %(date)s: a consent given before "
                   "that is no longer in force. Nothing was recorded."),
                date=withdrawn.strftime("%d.%m.%Y"))
        row = MarketingConsent.create(
            customer=customer, channel=channel, given_on=given_on, given_how=given_how,
            wording_version=wording_version, recorded_by=actor, recorded_at=utcnow())
        audit.record("create", actor=actor, object_type=AUDIT_OBJECT_TYPE, object_id=row.id,
                     section=customer.section.code,
                     fields=["channel", "given_on", "given_how", "wording_version"])
    return row


def withdraw(customer, consent, *, how, actor, now=None):
    """Withdraw the consent ``consent`` of the customer at once; return the row as stored.

    Refuses a consent already withdrawn (by someone else meanwhile, too) and a way of
    telling the register does not know. The row stays, with the withdrawal on it.
    """
    if how not in CONSENT_METHODS:
        raise RegisterError(N_("Choose how the person withdrew the consent."))
    if consent.customer_id != customer.id:
        raise RegisterError(N_("That consent is not this customer's. Nothing was recorded."))
    with database.write_transaction():
        lock_customer(customer)
        changed = (MarketingConsent
                   .update(withdrawn_at=now or utcnow(), withdrawn_how=how, withdrawn_by=actor)
                   .where((MarketingConsent.id == consent.id) & MarketingConsent.in_force())
                   .execute())
        if changed != 1:
            raise RegisterError(N_("This consent has already been withdrawn. Nothing was "
                                   "recorded."))
        audit.record("update", actor=actor, object_type=AUDIT_OBJECT_TYPE,
                     object_id=consent.id, section=customer.section.code,
                     fields=["withdrawn_at", "withdrawn_how", "withdrawn_by"])
    return MarketingConsent.get_by_id(consent.id)


# --- helpers ------------------------------------------------------------------------


def _checked(customer, channel, given_on, given_how, wording_version, today):
    """Return the consent's date, or refuse a value no consent may have."""
    if not needs_consent(customer):
        raise RegisterError(N_("A consent is recorded for private persons only. A company's "
                               "or an organisation's contact persons need none: record a "
                               "prohibition for one who does not want marketing."))
    if channel not in CONSENT_CHANNELS:
        raise RegisterError(N_("Choose the channel of the consent: email or SMS."))
    if given_how not in CONSENT_METHODS:
        raise RegisterError(N_("Choose how the person gave the consent."))
    if wording_version not in CONSENT_WORDINGS:
        raise RegisterError(N_("Choose the version of the consent text the person was "
                               "shown."))
    if not isinstance(given_on, datetime.date):
        raise RegisterError(N_("Enter the date the consent was given."))
    if isinstance(given_on, datetime.datetime):
        given_on = given_on.date()
    if given_on > (today or helsinki_today()):
        raise RegisterError(N_("The date cannot be in the future: record the consent on or "
                               "after the day the person gave it."))
    if customer.birth_date is not None and given_on < customer.birth_date:
        raise RegisterError(N_("The date is before the person's birth date (%(date)s): check "
                               "the date the consent was given."),
                            date=customer.birth_date.strftime("%d.%m.%Y"))
    return given_on


def _last_withdrawn_on(customer, channel):
    """Return the Helsinki day of the last withdrawal of ``customer``'s consent to
    ``channel``, or None."""
    last = (MarketingConsent.select(MarketingConsent.withdrawn_at)
            .where((MarketingConsent.customer == customer)
                   & (MarketingConsent.channel == channel)
                   & MarketingConsent.withdrawn_at.is_null(False))
            .order_by(MarketingConsent.withdrawn_at.desc()).first())
    return to_helsinki(last.withdrawn_at).date() if last is not None else None
