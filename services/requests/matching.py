"""Finding the subject's records: a name and at least one identifying detail, matched
against the customers of the request's section and their contact persons."""

import dataclasses
import datetime
import re

import peewee as pw
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.fi import ytunnus

from models import ContactPerson, Customer
from services import policy
from services.errors import N_, RegisterError
from services.requests.common import _text
from services.search import customer_search_condition

# A subject search shows at most this many records.
MAX_CANDIDATES = 50


@dataclasses.dataclass(frozen=True)
class SubjectQuery:
    """Who is searched for: a name and at least one identifying detail."""

    name: str
    birth_date: datetime.date | None = None
    email: str | None = None
    phone: str | None = None
    business_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A record the search found: a customer, or a contact person of a company."""

    customer: Customer
    contact_person: ContactPerson | None
    matched: tuple  # which details matched: birth_date, email, phone, business_id

    @property
    def key(self):
        """Return the record's key in a form: ``customer:12`` or ``contact_person:7``."""
        if self.contact_person is not None:
            return f"contact_person:{self.contact_person.id}"
        return f"customer:{self.customer.id}"


def _email_forms(email):
    forms = {email, email.lower()}
    try:
        forms.add(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise RegisterError(N_("Check the email address: it should look like "
                               "name@example.fi.")) from None
    return sorted(forms)


def _phone_e164(phone):
    try:
        number = phonenumbers.parse(phone, "FI")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise RegisterError(N_("Check the phone number: write it e.g. as 040 123 4567 or "
                               "+46 8 123 456."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _business_id(value):
    if not ytunnus.is_valid(value):
        raise RegisterError(N_("Check the business ID (Y-tunnus): it is seven digits, a hyphen "
                               "and a check digit, e.g. 0737546-2, and the check digit must "
                               "match."))
    return ytunnus.format(value)


def _any(conditions):
    """Return the conditions OR-ed together."""
    result = conditions[0]
    for condition in conditions[1:]:
        result |= condition
    return result


# Names are compared word by word; a hyphen separates words ("Anna-Liisa" is "Anna Liisa").
_NAME_WORD_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def _name_words(*parts):
    """Return the case-folded words of a name."""
    text = " ".join(p for p in parts if p).casefold()
    return [w for w in _NAME_WORD_SEPARATORS.split(text) if w]


def _name_matches(words, *parts):
    """Tell whether every word of ``words`` is a whole word of the name ``parts``.

    Whole words, not parts of them: "Palm" is not "Palmén", and a name of one letter finds
    nobody's records by a company's public business ID.
    """
    own = set(_name_words(*parts))
    return all(word in own for word in words)


@dataclasses.dataclass(frozen=True)
class _Details:
    """What a subject search looks for, checked and in the forms the register stores."""

    words: list  # the name's case-folded words
    birth_date: datetime.date | None
    emails: list  # as given, lower-cased and normalised
    lowered: list  # the emails lower-cased, to compare case-insensitively
    e164: str | None
    business_id: str | None


def _details(query):
    """Return the checked :class:`_Details` of ``query``; refuse too little or a bad detail."""
    name = _text(query.name)
    email = _text(query.email)
    phone = _text(query.phone)
    business_id = _text(query.business_id)
    birth_date = query.birth_date
    if not name or not (birth_date or email or phone or business_id):
        raise RegisterError(N_("Give the name and at least one of: birth date, email, phone "
                               "number or business ID (Y-tunnus)."))
    words = _name_words(name)
    if not words:  # "-" was no name, and matched every record with the detail
        raise RegisterError(N_("Give the requester's name in letters: their first and last "
                               "name as they gave it."))
    emails = _email_forms(email) if email else []
    e164 = _phone_e164(phone) if phone else None
    business_id = _business_id(business_id) if business_id else None
    return _Details(words=words, birth_date=birth_date, emails=emails,
                    lowered=sorted({e.lower() for e in emails}), e164=e164,
                    business_id=business_id)


def _customer_queries(name, details, in_scope):
    """Return the customer queries of a search: those the name finds through the search
    index that have any one of the details (in any case: an email stored as
    "Anna.Aijala@…" too), and those with the email or Y-tunnus as given (their indexes)."""
    wanted = []
    if details.birth_date:
        wanted.append(Customer.birth_date == details.birth_date)
    if details.emails:
        wanted.append(pw.fn.LOWER(Customer.email).in_(details.lowered))
    if details.e164:
        wanted.append((Customer.phone == details.e164) | (Customer.mobile == details.e164))
    if details.business_id:
        wanted.append(Customer.business_id == details.business_id)
    queries = [Customer.select().where(customer_search_condition(name) & _any(wanted)
                                       & in_scope)]
    exact = ([Customer.email.in_(details.emails)] if details.emails else []) + (
        [Customer.business_id == details.business_id] if details.business_id else [])
    if exact:
        queries.append(Customer.select().where(_any(exact) & in_scope))
    return queries


def _matching_customers(name, details, in_scope):
    """Return the candidate customers: found by a detail, then checked word by word."""
    customers = {}
    for select in _customer_queries(name, details, in_scope):
        for customer in select.order_by(Customer.sort_name).limit(MAX_CANDIDATES * 4):
            customers[customer.id] = customer
    found = []
    for customer in sorted(customers.values(), key=lambda c: (c.sort_name, c.id)):
        if not _name_matches(details.words, customer.first_name, customer.last_name,
                             customer.name):
            continue
        matched = tuple(what for what, hit in (
            ("birth_date", details.birth_date and customer.birth_date == details.birth_date),
            ("email", customer.email and customer.email.lower() in details.lowered),
            ("phone", details.e164 and details.e164 in (customer.phone, customer.mobile)),
            ("business_id", details.business_id
             and customer.business_id == details.business_id),
        ) if hit)
        if matched:
            found.append(Candidate(customer, None, matched))
    return found


def _matching_contact_persons(details, in_scope):
    """Return the candidate contact persons: a detail first (their names have no index),
    then the name."""
    wanted = []
    if details.emails:  # in any case (migrations/051)
        wanted.append(pw.fn.LOWER(ContactPerson.email).in_(details.lowered))
    if details.e164:
        wanted.append(ContactPerson.phone == details.e164)
    if details.business_id:
        wanted.append(ContactPerson.customer.in_(
            Customer.select(Customer.id).where(Customer.business_id == details.business_id)))
    if not wanted:
        return []
    people = (ContactPerson.select(ContactPerson, Customer)
              .join(Customer)
              .where(_any(wanted) & in_scope)
              .order_by(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)
              .limit(MAX_CANDIDATES * 4))
    found = []
    for person in people:
        if not _name_matches(details.words, person.first_name, person.last_name):
            continue
        matched = tuple(what for what, hit in (
            ("email", person.email and person.email.lower() in details.lowered),
            ("phone", details.e164 and person.phone == details.e164),
            ("business_id", details.business_id
             and person.customer.business_id == details.business_id),
        ) if hit)
        found.append(Candidate(person.customer, person, matched))
    return found


def find_subjects(query, section_ids):
    """Return the records of sections ``section_ids`` that may be the person ``query`` is.

    A customer matches when every word of the name is a word of its name and its birth
    date, email, phone or mobile number, or Y-tunnus is one given; a contact person of a
    company or organisation when its name does and its email, phone or its company's
    Y-tunnus is one given. Only customers of ``section_ids`` (and their contact persons)
    are searched: a search is a path to the data like a list is.
    """
    details = _details(query)
    in_scope = policy.customer_scope(section_ids)
    found = (_matching_customers(_text(query.name), details, in_scope)
             + _matching_contact_persons(details, in_scope))
    return found[:MAX_CANDIDATES]
