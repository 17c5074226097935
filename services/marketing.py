"""The marketing list (seed §5): a CSV for the city's own mailing, never handed to outsiders.

A list is chosen by section, language, kind of customer (optionally a postal-code prefix)
and purpose (direct marketing, market research or opinion research). It leaves out every
customer whose own prohibition of that purpose is in force (seed §16), every private
person whose email or mobile number is that of someone with such a prohibition (their
other record, in any section), every contact person whose own prohibition is in force,
every email and number such a person gave (a company's own may be theirs), and every
customer the retention purge minimised (kept
only for what the Accounting Act needs, seed §12); it carries only what a mailing needs:
the name, a contact person's name for a company or organisation, the mailing address, the
email, the mobile number and the language. Nothing else of the register leaves through it.

A private person's email is given only with the person's email marketing consent in force,
and the mobile number only with the SMS consent (Act 917/2014 §200, services/consent.py);
without one the person stays on the list for post, with that cell empty, and the counts
say how many such cells were left empty. A company's or an organisation's contact data
needs no consent: the prohibitions above are its opt-out — but a consent withdrawn still
holds when a person's record was made a company's (the channel's cell stays empty).

The rows are read a batch at a time and written out as they are read, so a list of a
million customers never sits in memory.
"""

import codecs
import dataclasses
import io

from peewee import SQL, Case, fn

from models import (
    CUSTOMER_KINDS,
    LANGUAGES,
    PROHIBITION_PURPOSES,
    Address,
    ContactPerson,
    Customer,
    MarketingConsent,
    Section,
)
from services import audit, consent
from services.errors import N_, RegisterError
# Every cell passes it: a spreadsheet shows the text and runs no formula (CSV injection).
from services.exports import csv_writer
from services.exports import safe_cell as escape_formula
from services.prohibitions import (
    prohibited_addresses,
    prohibited_contact_persons,
    prohibited_customers,
)

AUDIT_OBJECT_TYPE = "marketing_list"

# The columns of the list: no more than a mailing needs.
COLUMNS = ("name", "contact_person", "street", "postal_code", "city", "email", "mobile",
           "language")

# Customers read per query while the list is written.
BATCH_SIZE = 2000

MAX_POSTAL_PREFIX = 5


@dataclasses.dataclass(frozen=True)
class Criteria:
    """What list to make: section id, language, kind (None: every kind), prefix, purpose."""

    section_id: int
    language: str
    purpose: str = "direct_marketing"
    kind: str | None = None
    postal_prefix: str = ""

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise RegisterError(N_("Choose the language of the mailing."))
        if self.purpose not in PROHIBITION_PURPOSES:
            raise RegisterError(N_("Choose what the list is for."))
        if self.kind is not None and self.kind not in CUSTOMER_KINDS:
            raise RegisterError(N_("Choose which customers the list is for."))
        prefix = self.postal_prefix or ""
        if not (prefix.isdigit() or prefix == "") or len(prefix) > MAX_POSTAL_PREFIX:
            raise RegisterError(N_("The postal code prefix is one to five digits, e.g. 00 or "
                                   "001; leave it empty for every postal code."))


@dataclasses.dataclass(frozen=True)
class Counts:
    """How many customers the list holds and how many a prohibition or minimisation left
    out."""

    included: int
    excluded: int  # customers whose own prohibition is in force
    contact_persons_skipped: int  # contact persons of included customers, by their own
    minimised: int = 0  # customers kept only for accounting
    # {channel: private persons on the list whose email or mobile (by channel) was left
    # empty because no consent of that channel is in force}
    no_consent: dict = dataclasses.field(default_factory=dict)


def _chosen_condition(criteria):
    """Return the condition on Customer the criteria's choices make, nothing else."""
    condition = ((Customer.section == criteria.section_id)
                 & (Customer.language == criteria.language))
    if criteria.kind:
        condition &= Customer.kind == criteria.kind
    if criteria.postal_prefix:
        # Customer.postal_code is that of the mailing address (kept in step with it).
        condition &= Customer.postal_code.startswith(criteria.postal_prefix)
    return condition


def segment_condition(criteria):
    """Return the condition on Customer the criteria make, prohibitions not yet considered.

    A customer kept only for accounting (minimised) is on no list, whatever its purpose.
    """
    return _chosen_condition(criteria) & Customer.minimised_at.is_null()


def segment(criteria):
    """Return the customers the criteria choose, prohibitions not yet considered."""
    return Customer.select().where(segment_condition(criteria))


def prohibited_elsewhere(purpose):
    """Return the condition on Customer "a private person whose email or mobile number is
    that of a person with a prohibition of ``purpose`` in force" — the same person's
    prohibition recorded on another record of theirs, in any section."""
    emails, numbers = prohibited_addresses(purpose)
    return (Customer.kind == "person") & (
        fn.COALESCE(fn.LOWER(Customer.email), "").in_(emails)
        | fn.COALESCE(Customer.mobile, "").in_(numbers))


def included(criteria):
    """Return the customers on the list: the segment less those with a prohibition in
    force, on their own record or on another of theirs (``prohibited_elsewhere``)."""
    return segment(criteria).where(
        Customer.id.not_in(prohibited_customers(criteria.purpose))
        & ~prohibited_elsewhere(criteria.purpose))


def count(criteria):
    """Return the :class:`Counts` of the list the criteria make."""
    banned = prohibited_customers(criteria.purpose)
    excluded = segment(criteria).where(Customer.id.in_(banned)
                                       | prohibited_elsewhere(criteria.purpose)).count()
    total = included(criteria).count()
    # From the (few) contact persons with a prohibition to their customers, not the reverse.
    skipped = (ContactPerson.select(ContactPerson.id)
               .join(Customer, on=(ContactPerson.customer == Customer.id))
               .where(ContactPerson.id.in_(prohibited_contact_persons(criteria.purpose))
                      & segment_condition(criteria)
                      & Customer.id.not_in(banned))
               .count())
    minimised = (Customer.select().where(_chosen_condition(criteria)
                                         & Customer.minimised_at.is_null(False)).count())
    return Counts(included=total, excluded=excluded, contact_persons_skipped=skipped,
                  minimised=minimised, no_consent=_left_without_consent(criteria))


def _left_without_consent(criteria):
    """Return ``{channel: n}``: the private persons on the list with an email (a mobile
    number) that is left out for want of a consent of the channel. One pass over the list's
    customers, an index probe (``consent.has_consent``) for each person."""
    channels = list(consent.CHANNEL_FIELDS.items())
    sums = [fn.SUM(Case(None, [((field.is_null(False) & (field != ""))
                                & ~consent.has_consent(channel), 1)], 0))
            for channel, field in channels]
    found = (included(criteria).select(*sums)
             .where(consent.needs_consent_condition()).tuples().first()) or ()
    return {channel: int(value or 0) for (channel, _field), value in zip(channels, found)}


def rows(criteria, batch_size=BATCH_SIZE):
    """Yield the list's rows (dicts of COLUMNS), customer by customer in id order.

    Reads ``batch_size`` customers at a time with their addresses, the first contact
    person whose own prohibition is not in force and the consents in force. The email is
    the customer's, else that contact person's; a private person's email and mobile number
    only with the consent of their channel.
    """
    query = included(criteria).select(
        Customer.id, Customer.kind, Customer.first_name, Customer.last_name, Customer.name,
        Customer.email, Customer.mobile, Customer.language,
    ).tuples()  # plain tuples: building model instances would be most of the time
    # Only what the section holds (seed §6): the data of a removed category is not listed.
    held = Section.get_by_id(criteria.section_id).category_set
    # An address or number a person with a prohibition in force gave is in no cell (a
    # company's own email may be its prohibited contact person's).
    emails, numbers = (set(value for (value,) in query.tuples())
                       for query in prohibited_addresses(criteria.purpose))
    last_id = 0
    while True:
        batch = list(query.where(Customer.id > last_id).order_by(Customer.id)
                     .limit(batch_size))
        if not batch:
            return
        addresses = _first_addresses([row[0] for row in batch]) if "address" in held else {}
        people = _first_contact_persons([row[0] for row in batch if row[1] != "person"],
                                        criteria.purpose) if "contact_persons" in held else {}
        consents = _consents_in_force([row[0] for row in batch if row[1] == "person"])
        refused = _withdrawn_only([row[0] for row in batch if row[1] != "person"])
        for customer_id, kind, first_name, last_name, name, email, mobile, language in batch:
            street, postal_code, city = addresses.get(customer_id, ("", "", ""))
            person_name, person_email = people.get(customer_id, ("", ""))
            if kind == "person":
                email = email if (customer_id, "email") in consents else ""
                mobile = mobile if (customer_id, "sms") in consents else ""
            else:  # a person's record made a company's: a consent withdrawn still holds
                email = "" if (customer_id, "email") in refused else email
                mobile = "" if (customer_id, "sms") in refused else mobile
            email, person_email = (None if (address or "").lower() in emails else address
                                   for address in (email, person_email))
            mobile = None if mobile in numbers else mobile
            yield {
                "name": _person_name(first_name, last_name) if kind == "person"
                else (name or ""),
                "contact_person": person_name,
                "street": street or "",
                "postal_code": postal_code or "",
                "city": city or "",
                "email": (email if "email" in held else None) or person_email or "",
                "mobile": (mobile if "phone" in held else None) or "",
                "language": language,
            }
        last_id = batch[-1][0]


def csv_chunks(criteria, header, batch_size=BATCH_SIZE):
    """Yield the list as UTF-8 CSV with a byte-order mark (so Excel reads ä and ö), in pieces.

    ``header`` gives the column titles in the reader's language, in COLUMNS order. A cell a
    spreadsheet would take as a formula is prefixed with an apostrophe.
    """
    buffer = io.StringIO()
    writer = csv_writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    writer.writerow([escape_formula(str(title)) for title in header])
    yield codecs.BOM_UTF8 + flush()
    written = 0
    for row in rows(criteria, batch_size=batch_size):
        writer.writerow([escape_formula(row[column]) for column in COLUMNS])
        written += 1
        if written % 500 == 0:
            yield flush()
    tail = flush()
    if tail:
        yield tail


def record_export(criteria, counts, actor, section_code):
    """Write the audit event of an export: who, which section, and the counts — no names.

    The object id carries the counts in short (it holds 64 characters): ``in`` customers
    on the list, ``out`` left out for a prohibition, ``cp`` contact persons left out for
    their own, ``noemail`` and ``nosms`` private persons' emails and mobile numbers left
    out for want of a consent. The field list names the columns handed out. Call it inside
    the caller's write transaction.
    """
    return audit.record(
        "export",
        actor=actor,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=(f"in={counts.included};out={counts.excluded};"
                   f"cp={counts.contact_persons_skipped};"
                   f"noemail={counts.no_consent.get('email', 0)};"
                   f"nosms={counts.no_consent.get('sms', 0)}"),
        section=section_code,
        fields=COLUMNS,
    )


# --- helpers ------------------------------------------------------------------------


def _person_name(first, last):
    return " ".join(part for part in (first, last) if part)


def _first_addresses(customer_ids):
    """Return ``{customer_id: (street, postal code, city)}`` of each customer's postal
    address, else its first (the address Customer.city and postal_code follow)."""
    if not customer_ids:
        return {}
    first = {}
    query = (Address.select(Address.customer, Address.street, Address.postal_code,
                            Address.city)
             .where(Address.customer.in_(customer_ids))
             .order_by(Address.customer,
                       SQL("CASE WHEN kind = 'postal' THEN 0 ELSE 1 END"), Address.id)
             .tuples())
    for customer_id, street, postal_code, city in query:
        first.setdefault(customer_id, (street, postal_code, city))
    return first


def _first_contact_persons(customer_ids, purpose):
    """Return ``{customer_id: (name, email)}`` of each customer's first contact person
    whose own prohibition of ``purpose`` is not in force."""
    if not customer_ids:
        return {}
    first = {}
    query = (ContactPerson.select(ContactPerson.customer, ContactPerson.first_name,
                                  ContactPerson.last_name, ContactPerson.email)
             .where(ContactPerson.customer.in_(customer_ids)
                    & ContactPerson.id.not_in(prohibited_contact_persons(purpose)))
             .order_by(ContactPerson.customer, ContactPerson.id)
             .tuples())
    for customer_id, first_name, last_name, email in query:
        first.setdefault(customer_id, (_person_name(first_name, last_name), email))
    return first


def _withdrawn_only(customer_ids):
    """Return the ``(customer id, channel)`` pairs of the customers that have consents of
    the channel recorded and none in force (withdrawn)."""
    if not customer_ids:
        return set()
    recorded = set(MarketingConsent.select(MarketingConsent.customer, MarketingConsent.channel)
                   .where(MarketingConsent.customer.in_(customer_ids)).tuples())
    return recorded - _consents_in_force(customer_ids)


def _consents_in_force(customer_ids):
    """Return the ``(customer id, channel)`` pairs of the consents in force of the
    customers."""
    if not customer_ids:
        return set()
    return set(MarketingConsent.select(MarketingConsent.customer, MarketingConsent.channel)
               .where(MarketingConsent.customer.in_(customer_ids) & MarketingConsent.in_force())
               .tuples())
