"""Inspection requests (tarkastuspyyntö, seed §14): from receipt to delivery within a week.

A request is registered (received when, how, from whom), the requester's identity is
checked, the register's records of the requester are searched and confirmed, the
responsible person (or the controller) approves or refuses, and the report or the refusal
is delivered. The request's state follows from what has been recorded:

    received → identified → decided → delivered

A request belongs to one section, and its records are that section's customers (and their
contact persons) only: the section's handler searches, confirms and sees them, the report
holds them. A request that concerns several sections is registered as parts, one a
section, that share a group (``register_parts``); each section's handler completes its
part, and the responsible person and the controller see every part. Changing the
confirmed records after the decision sends the request back to the decision: what was
approved is what is reported.

Every read of a customer's data through a request — a search's results, the request page,
the report — is an audit event on that customer as well as on the request.

It is due one week from receipt, counted on Helsinki's calendar and clock (received on
Monday at 10:00 → due on the next Monday at 10:00, summer time or not). An oral request
on site by an identified person may be served at once by the user at work from the
sections that user reads (``serve_on_site``); the responsible person reviews it
afterwards. The other sections' parts are registered at the same time, the identity
check carried over, for their handlers to answer within the week.

Every change is one conditional ``UPDATE … WHERE version = ?`` (two handlers cannot
overwrite each other) and writes its audit event in the same transaction, as does every
view of a request. Times are naive UTC, as stored; the pages convert what people type.
"""

import dataclasses
import datetime
import re

import peewee as pw
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.fi import ytunnus

from database import write_transaction
from models import (
    DECISIONS,
    DELIVERY_METHODS,
    IDENTITY_METHODS,
    REQUEST_CHANNELS,
    ContactPerson,
    Customer,
    InspectionRequest,
    InspectionSubject,
    Section,
    utcnow,
)
from services import audit, policy
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import CLOCK_SLACK, from_helsinki
from services.localtime import to_helsinki as helsinki
from services.policy import NotAllowed
from services.search import customer_search_condition
from services.versioning import check_version, versioned_update

# Seed §14: "carried out within one week of the request".
DUE_IN = datetime.timedelta(days=7)
# The languages a report is written in.
REPORT_LANGUAGES = ("fi", "sv", "en")
STATES = ("received", "identified", "decided", "delivered")
AUDIT_OBJECT_TYPE = "inspection_request"

# A subject search shows at most this many records.
MAX_CANDIDATES = 50


STALE = N_("Someone else changed this request meanwhile. Nothing was saved: reload the page "
           "to see the current state, then do the step again if it is still needed.")


# --- who may (services/policy.py) --------------------------------------------------------
# Anyone with a register role registers a request; the handler of its section, the
# responsible person and the controller handle it; only the responsible person and the
# controller decide; on site, whoever is at work serves it.


def may_register(user):
    """Tell whether ``user`` may register a request."""
    return policy.may(user, "register_inspection_requests")


def may_handle(user, request=None):
    """Tell whether ``user`` may handle ``request`` (identity, subjects, delivery).

    Without a request: whether the role handles requests at all.
    """
    if policy.may(user, "handle_all_inspection_requests"):
        return True
    if not policy.may(user, "handle_section_inspection_requests"):
        return False
    return request is None or policy.reads_section(user, request.section_id)


def may_decide(user):
    """Tell whether ``user`` may approve or refuse requests (and review on-site ones)."""
    return policy.may(user, "decide_inspection_requests")


def may_serve_on_site(user):
    """Tell whether ``user`` may serve an oral request on site at once."""
    return policy.may(user, "serve_on_site")


def visible_to(user):
    """Return the requests ``user`` may open: every one for the responsible person and the
    controller, a handler's sections' ones, and those the user registered."""
    query = InspectionRequest.select()
    if policy.may(user, "handle_all_inspection_requests"):
        return query
    own = InspectionRequest.registered_by == user.id
    if policy.may(user, "handle_section_inspection_requests"):
        ids = policy.readable_section_ids(user)
        return query.where(own | InspectionRequest.section.in_(ids)) if ids else query.where(own)
    if policy.may(user, "register_inspection_requests"):
        return query.where(own)
    return query.where(pw.SQL("1 = 0"))


def get_visible(user, request_id):
    """Return the request ``request_id`` if ``user`` may open it, else None."""
    return visible_to(user).where(InspectionRequest.id == request_id).first()


# --- time -------------------------------------------------------------------------------


def _naive_utc(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def due_from(received_at):
    """Return when a request received at ``received_at`` (naive UTC) is due: the same
    Helsinki clock time one week later, as naive UTC."""
    local = helsinki(received_at).replace(tzinfo=None)
    return from_helsinki(local + DUE_IN)


@dataclasses.dataclass(frozen=True)
class Deadline:
    """Where a request stands against its one-week deadline, in Helsinki time."""

    due_at: datetime.datetime  # naive UTC
    days_left: int  # Helsinki calendar days from today to the due day; negative when past
    overdue: bool  # open and past its due time
    late: bool  # delivered after its due time

    @property
    def days_over(self):
        """Return how many Helsinki calendar days the due day is behind (0 on the due day)."""
        return max(0, -self.days_left)

    @property
    def due_today(self):
        return self.days_left == 0


def deadline(request, now=None):
    """Return the request's :class:`Deadline` at ``now`` (naive UTC; default the present)."""
    now = _naive_utc(now) if now is not None else utcnow()
    days_left = (helsinki(request.due_at).date() - helsinki(now).date()).days
    delivered = request.delivered_at is not None
    return Deadline(
        due_at=request.due_at,
        days_left=days_left,
        overdue=not delivered and now > request.due_at,
        late=delivered and request.delivered_at > request.due_at,
    )


def state_of(request):
    """Return the request's state: received, identified, decided or delivered."""
    if request.delivered_at is not None:
        return "delivered"
    if request.decision is not None:
        return "decided"
    if request.identity_checked_at is not None:
        return "identified"
    return "received"


def open_condition():
    """Return the condition on InspectionRequest of a request still open: not delivered."""
    return InspectionRequest.delivered_at.is_null()


def open_requests():
    """Return the requests not yet delivered, the soonest due first."""
    return (InspectionRequest.select()
            .where(open_condition())
            .order_by(InspectionRequest.due_at, InspectionRequest.id))


def overdue(now=None):
    """Return the open (not delivered) requests past their due time at ``now``."""
    now = _naive_utc(now) if now is not None else utcnow()
    return list(open_requests().where(InspectionRequest.due_at < now))


def subject_counts(request_ids):
    """Return ``{request id: number of confirmed subjects}`` for ``request_ids``."""
    if not request_ids:
        return {}
    rows = (InspectionSubject
            .select(InspectionSubject.request, pw.fn.COUNT(InspectionSubject.id).alias("n"))
            .where(InspectionSubject.request.in_(list(request_ids)))
            .group_by(InspectionSubject.request)
            .tuples())
    return dict(rows)


def to_review():
    """Return the requests served on site that no responsible person has reviewed yet."""
    return list(InspectionRequest.select()
                .where(InspectionRequest.on_site & InspectionRequest.reviewed_at.is_null()
                       & InspectionRequest.delivered_at.is_null(False))
                .order_by(InspectionRequest.delivered_at, InspectionRequest.id))


def worklist(user, now=None):
    """Return what ``user`` must act on, as ``{what: [request, …]}`` (see the dashboard).

    Handlers: their sections' open requests waiting for the identity check
    (``identity``), the confirmation of the subject's records (``subjects``) or the
    delivery (``delivery``). The responsible person and the controller: requests waiting
    for a decision (``decision``), on-site ones to review (``review``) and every overdue
    one (``overdue``). Other roles have nothing to act on.
    """
    lists = {}
    if policy.may(user, "handle_section_inspection_requests"):
        ids = policy.readable_section_ids(user)
        rows = list(open_requests().where(InspectionRequest.section.in_(ids))) if ids else []
        counts = subject_counts([r.id for r in rows])
        lists["identity"] = [r for r in rows if state_of(r) == "received"]
        lists["subjects"] = [r for r in rows
                             if state_of(r) == "identified" and not counts.get(r.id)]
        lists["delivery"] = [r for r in rows if state_of(r) == "decided"]
    elif policy.may(user, "decide_inspection_requests"):
        rows = list(open_requests())
        lists["decision"] = [r for r in rows if state_of(r) == "identified"]
        lists["review"] = to_review()
        lists["overdue"] = [r for r in rows if deadline(r, now).overdue]
    return lists


# --- checks -------------------------------------------------------------------------------


def _text(value):
    value = (value or "").strip()
    return value or None


def _refuse_hetu(**texts):
    """Refuse a henkilötunnus in any free text (the forms check it too)."""
    message = refusal(*texts.values())
    if message:
        raise RegisterError(message)


def _section(section):
    if isinstance(section, Section):
        return section
    found = Section.get_or_none(Section.code == section) if isinstance(section, str) else None
    if found is None:
        raise RegisterError(N_("Choose the section whose handler handles the request."))
    return found


def _sections(sections):
    """Return the sections named by ``sections`` (codes or rows), each once, in id order."""
    if isinstance(sections, (str, Section)):
        sections = [sections]
    found = {s.id: s for s in (_section(code) for code in sections or ())}
    if not found:
        raise RegisterError(N_("Choose the sections the request concerns."))
    return [found[i] for i in sorted(found)]


def _not_in_future(moment, now):
    if moment > now + CLOCK_SLACK:
        raise RegisterError(N_("A time cannot be in the future: check the date and time."))


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _expect_version(request, version):
    """Return the version the caller saw; refuse at once when it is no longer the row's."""
    if version is None:
        return request.version
    return check_version(request, version, STALE)


def _require_handler(user, request):
    if not may_handle(user, request):
        raise NotAllowed(N_("Only the handler of the request's section, the responsible person "
                            "or the controller may handle an inspection request."))


def _require_open(request):
    if request.delivered_at is not None:
        raise RegisterError(N_("The request has already been delivered; it cannot be changed."))


# --- writing ------------------------------------------------------------------------------


def _audit(user, action, request, fields=()):
    audit.record(action, actor=user, object_type=AUDIT_OBJECT_TYPE, object_id=request.id,
                 section=Section.get_by_id(request.section_id).code, fields=fields)


def _update(user, request, version, action, values, audit_fields=None):
    """Write ``values`` to the request if it is still at ``version``; audit it as ``action``.

    One conditional UPDATE (``services.versioning``): when someone else changed the
    request meanwhile it touches no row and nothing is saved.
    """
    expected = _expect_version(request, version)
    new_version = versioned_update(request, values, seen=expected, stale=STALE)
    for name, value in values.items():
        setattr(request, name, value)
    request.version = new_version
    _audit(user, action, request,
           fields=audit_fields if audit_fields is not None else list(values))


def register(user, *, received_at, channel, requester_name, section, language="fi",
             requester_contact=None, description=None, on_site=False, group=None, now=None):
    """Register a request received at ``received_at`` (naive UTC); return it.

    ``group`` is the first part of the request this one is a part of (``register_parts``).
    """
    if not may_register(user):
        raise NotAllowed(N_("Your role does not register inspection requests."))
    now = now or utcnow()
    received_at = _naive_utc(received_at)
    requester_name = _text(requester_name)
    requester_contact = _text(requester_contact)
    description = _text(description)
    if channel not in REQUEST_CHANNELS:
        raise RegisterError(N_("Choose how the request was made."))
    if language not in REPORT_LANGUAGES:
        raise RegisterError(N_("Choose the language of the report: Finnish, Swedish or English."))
    if not requester_name:
        raise RegisterError(N_("Write the requester's name."))
    _not_in_future(received_at, now)
    _refuse_hetu(requester_name=requester_name, requester_contact=requester_contact,
                 description=description)
    section = _section(section)
    with write_transaction():
        request = InspectionRequest.create(
            received_at=received_at,
            due_at=due_from(received_at),
            channel=channel,
            requester_name=requester_name,
            requester_contact=requester_contact,
            description=description,
            language=language,
            section=section,
            on_site=bool(on_site),
            registered_by=user.id,
            registered_at=now,
            version=1,
            group=group.id if group is not None else None,
        )
        fields = ["received_at", "channel", "requester_name", "language", "section"]
        if group is not None:
            fields.append("group")
        fields += [name for name, value in (("requester_contact", requester_contact),
                                            ("description", description)) if value]
        _audit(user, "create", request, fields)
    return request


def register_parts(user, *, sections, **details):
    """Register a request that concerns ``sections`` as one part a section; return the parts.

    The parts share a group (the first part's number) and everything else: each is handled
    by its own section's handler. One section makes a request of its own, with no group.
    """
    chosen = _sections(sections)
    with write_transaction():
        first = register(user, section=chosen[0], **details)
        parts = [first]
        if len(chosen) > 1:
            (InspectionRequest.update(group=first.id)
             .where(InspectionRequest.id == first.id).execute())
            first.group = first.id
            for section in chosen[1:]:
                parts.append(register(user, section=section, group=first, **details))
    return parts


def parts_of(request):
    """Return the other parts of the request ``request`` is a part of, by number."""
    if request.group_id is None:
        return []
    return list(InspectionRequest.select()
                .where((InspectionRequest.group == request.group_id)
                       & (InspectionRequest.id != request.id))
                .order_by(InspectionRequest.id))


def record_view(user, request):
    """Write the audit events of ``user`` opening ``request``: on the request, and on each
    customer whose records the page shows."""
    with write_transaction():
        _audit(user, "view", request)
        _audit_reads(user, "view", request,
                     [_subject_customer(s) for s in visible_subjects(user, request)])


def record_identity(user, request, *, method, note=None, checked_at=None, version=None,
                    now=None):
    """Record how, when and by whom the requester's identity was checked."""
    _require_handler(user, request)
    now = now or utcnow()
    checked_at = _naive_utc(checked_at) if checked_at is not None else now
    note = _text(note)
    if method not in IDENTITY_METHODS:
        raise RegisterError(N_("Choose how the requester's identity was checked."))
    if method == "other" and not note:
        raise RegisterError(N_("Describe in the note how the identity was checked."))
    if request.decision is not None:
        raise RegisterError(N_("The request has already been decided; its identity check can "
                               "no longer be changed."))
    _not_in_future(checked_at, now)
    if _minute(checked_at) < _minute(request.received_at):
        raise RegisterError(N_("The identity check cannot be before the request was received: "
                               "check the date and time."))
    _refuse_hetu(note=note)
    with write_transaction():
        _update(user, request, version, "identify", {
            "identity_method": method,
            "identity_note": note,
            "identity_checked_by": user.id,
            "identity_checked_at": checked_at,
        })
    return request


def _decide(user, request, decision, reason, version, now):
    reason = _text(reason)
    if decision not in DECISIONS:
        raise RegisterError(N_("Choose whether the request is approved or refused."))
    if request.identity_checked_at is None:
        raise RegisterError(N_("The requester's identity has not been checked: record the "
                               "identity check before the decision."))
    if request.decision is not None:
        raise RegisterError(N_("The request has already been decided."))
    if decision == "refused" and not reason:
        raise RegisterError(N_("Write the reason for the refusal: it is told to the requester "
                               "in the report letter."))
    _refuse_hetu(reason=reason)
    _update(user, request, version, "approve" if decision == "approved" else "refuse", {
        "decision": decision,
        "decision_reason": reason,
        "decided_by": user.id,
        "decided_at": now,
    })


def decide(user, request, *, decision, reason=None, version=None, now=None):
    """Approve or refuse the request (the responsible person or the controller only).

    A refusal needs its reason, which the requester is told.
    """
    if not may_decide(user):
        raise NotAllowed(N_("Only the responsible person or the controller decides inspection "
                            "requests."))
    with write_transaction():
        _decide(user, request, decision, reason, version, now or utcnow())
    return request


def _deliver(user, request, method, delivered_at, version, now):
    if request.decision is None:
        raise RegisterError(N_("The request has not been decided yet: it is delivered after the "
                               "decision."))
    _require_open(request)
    if method not in DELIVERY_METHODS:
        raise RegisterError(N_("Choose how the report was delivered."))
    _not_in_future(delivered_at, now)
    if _minute(delivered_at) < _minute(request.decided_at):
        raise RegisterError(N_("The delivery cannot be before the decision: check the date and "
                               "time."))
    _update(user, request, version, "deliver", {
        "delivery_method": method,
        "delivered_at": delivered_at,
        "delivered_by": user.id,
    })


def record_delivery(user, request, *, method, delivered_at=None, version=None, now=None):
    """Record when, how and by whom the report (or the refusal) was delivered."""
    _require_handler(user, request)
    now = now or utcnow()
    delivered_at = _naive_utc(delivered_at) if delivered_at is not None else now
    with write_transaction():
        _deliver(user, request, method, delivered_at, version, now)
    return request


def review(user, request, *, version=None, now=None):
    """Mark a request served on site as reviewed by the responsible person (or controller)."""
    if not may_decide(user):
        raise NotAllowed(N_("Only the responsible person or the controller reviews requests "
                            "served on site."))
    if not request.on_site or request.delivered_at is None:
        raise RegisterError(N_("Only a request served on site is reviewed afterwards."))
    if request.reviewed_at is not None:
        raise RegisterError(N_("The request has already been reviewed."))
    with write_transaction():
        _update(user, request, version, "review", {
            "reviewed_by": user.id,
            "reviewed_at": now or utcnow(),
        })
    return request


# --- the subject's records ----------------------------------------------------------------


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


def find_subjects(query, section_ids):
    """Return the records of sections ``section_ids`` that may be the person ``query`` is.

    A customer matches when every word of the name is a word of its name and its birth
    date, email, phone or mobile number, or Y-tunnus is one given; a contact person of a
    company or organisation when its name does and its email, phone or its company's
    Y-tunnus is one given. Only customers of ``section_ids`` (and their contact persons)
    are searched: a search is a path to the data like a list is.
    """
    name = _text(query.name)
    email = _text(query.email)
    phone = _text(query.phone)
    business_id = _text(query.business_id)
    birth_date = query.birth_date
    if not name or not (birth_date or email or phone or business_id):
        raise RegisterError(N_("Give the name and at least one of: birth date, email, phone "
                               "number or business ID (Y-tunnus)."))
    words = _name_words(name)
    emails = _email_forms(email) if email else []
    e164 = _phone_e164(phone) if phone else None
    business_id = _business_id(business_id) if business_id else None
    in_scope = policy.customer_scope(section_ids)

    # Customers: those with the email or Y-tunnus as given (their indexes), and those the
    # name finds through the search index that have any one of the details (in any case:
    # an email stored as "Anna.Aijala@…" too). The name is then checked word by word.
    lowered = sorted({e.lower() for e in emails})
    details = []
    if birth_date:
        details.append(Customer.birth_date == birth_date)
    if emails:
        details.append(pw.fn.LOWER(Customer.email).in_(lowered))
    if e164:
        details.append((Customer.phone == e164) | (Customer.mobile == e164))
    if business_id:
        details.append(Customer.business_id == business_id)
    queries = [Customer.select().where(customer_search_condition(name) & _any(details)
                                       & in_scope)]
    exact = ([Customer.email.in_(emails)] if emails else []) + (
        [Customer.business_id == business_id] if business_id else [])
    if exact:
        queries.append(Customer.select().where(_any(exact) & in_scope))
    customers = {}
    for select in queries:
        for customer in select.order_by(Customer.sort_name).limit(MAX_CANDIDATES * 4):
            customers[customer.id] = customer
    found = []
    for customer in sorted(customers.values(), key=lambda c: (c.sort_name, c.id)):
        if not _name_matches(words, customer.first_name, customer.last_name, customer.name):
            continue
        matched = tuple(what for what, hit in (
            ("birth_date", birth_date and customer.birth_date == birth_date),
            ("email", customer.email and customer.email.lower() in lowered),
            ("phone", e164 and e164 in (customer.phone, customer.mobile)),
            ("business_id", business_id and customer.business_id == business_id),
        ) if hit)
        if matched:
            found.append(Candidate(customer, None, matched))

    # Contact persons: a detail first (their names have no index), then the name.
    details = []
    if emails:
        details.append(ContactPerson.email.in_(emails))
    if e164:
        details.append(ContactPerson.phone == e164)
    if business_id:
        details.append(ContactPerson.customer.in_(
            Customer.select(Customer.id).where(Customer.business_id == business_id)))
    if details:
        people = (ContactPerson.select(ContactPerson, Customer)
                  .join(Customer)
                  .where(_any(details) & in_scope)
                  .order_by(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)
                  .limit(MAX_CANDIDATES * 4))
        for person in people:
            if not _name_matches(words, person.first_name, person.last_name):
                continue
            matched = tuple(what for what, hit in (
                ("email", person.email and person.email in emails),
                ("phone", e164 and person.phone == e164),
                ("business_id", business_id and person.customer.business_id == business_id),
            ) if hit)
            found.append(Candidate(person.customer, person, matched))
    return found[:MAX_CANDIDATES]


def search_subjects(user, request, query, section=None):
    """Search the subject's records for ``request`` — in its section — or, for a request
    being served on site (``request`` None), in ``section``, one the user reads.

    Audited as a search of inspection requests, and as a read of each customer found.
    """
    if request is None:
        section = _on_site_section(user, section)
        section_ids = [section.id]
    else:
        _require_handler(user, request)
        section_ids = [request.section_id]
    found = find_subjects(query, section_ids)
    with write_transaction():
        if request is None:
            audit.record("search", actor=user, object_type=AUDIT_OBJECT_TYPE,
                         section=section.code)
        else:
            _audit(user, "search", request)
        _audit_reads(user, "search", request, [c.customer for c in found])
    return found


def subjects_of(request):
    """Return the confirmed subject rows of ``request``, oldest first."""
    return list(InspectionSubject.select()
                .where(InspectionSubject.request == request.id)
                .order_by(InspectionSubject.id))


def _subject_customer(subject):
    """Return the customer whose records a subject row names (a contact person's company)."""
    if subject.contact_person_id is not None:
        return subject.contact_person.customer
    return subject.customer


def visible_subjects(user, request):
    """Return the confirmed subject rows of ``request`` whose customers ``user`` reads.

    The request's own section's records: a user who registered a request for a section
    they do not have sees none of its names.
    """
    readable = set(policy.readable_section_ids(user))
    return [s for s in subjects_of(request) if _subject_customer(s).section_id in readable]


def reads_records(user, request):
    """Tell whether ``user`` sees the records of ``request``: those of its section."""
    return policy.reads_section(user, request.section_id)


def _audit_reads(user, action, request, customers):
    """Record ``action`` on each customer of ``customers``, read through ``request`` (None:
    a request being served on site)."""
    audit.record_reads(action, user, customers, AUDIT_OBJECT_TYPE,
                       request.id if request is not None else None)


def record_report(user, request):
    """Record that ``user`` produced the report of ``request``: an audit event on the
    request and one on each customer whose records it holds."""
    with write_transaction():
        _audit(user, "report", request)
        _audit_reads(user, "report", request,
                     [_subject_customer(s) for s in subjects_of(request)])


def _chosen(query, keys, section_ids):
    """Return the candidates of ``query`` named by ``keys``; refuse a key it did not find.

    Only what the search shows can be confirmed: a posted id of some other record never is.
    """
    wanted = [k for k in dict.fromkeys(keys or ()) if k]
    if not wanted:
        return []
    by_key = {c.key: c for c in find_subjects(query, section_ids)}
    missing = [k for k in wanted if k not in by_key]
    if missing:
        raise RegisterError(N_("A chosen record is not among the search results any more: "
                               "search again and choose from the results."))
    return [by_key[k] for k in wanted]


def _link(user, request, candidates, now):
    """Insert subject rows for ``candidates`` not yet linked; return the fields added."""
    existing = {(s.customer_id, s.contact_person_id) for s in
                InspectionSubject.select().where(InspectionSubject.request == request.id)}
    fields = []
    for candidate in candidates:
        if candidate.customer.section_id != request.section_id:
            raise RegisterError(N_("A chosen record belongs to another section: its part of "
                                   "the request is handled by that section's handler."))
        if candidate.contact_person is not None:
            pair = (None, candidate.contact_person.id)
        else:
            pair = (candidate.customer.id, None)
        if pair in existing:
            continue
        existing.add(pair)
        InspectionSubject.create(request=request.id, customer=pair[0], contact_person=pair[1],
                                 confirmed_by=user.id, confirmed_at=now)
        fields.append("contact_person" if pair[1] else "customer")
    return fields


# A decision made on other records does not stand: changing the records takes it back.
_UNDECIDED = {"decision": None, "decision_reason": None, "decided_by": None,
              "decided_at": None}


def _records_changed(request):
    """Return what changing the confirmed records writes to ``request``: a decided request
    goes back to waiting for the decision."""
    return dict(_UNDECIDED) if request.decision is not None else {}


def link_subjects(user, request, query, keys, *, version=None, now=None):
    """Confirm the records ``keys`` (from the results of ``query``) as the subject's.

    Returns how many were added (a record already confirmed is not added twice). A decided
    request that gains a record goes back to the decision.
    """
    _require_handler(user, request)
    _require_open(request)
    candidates = _chosen(query, keys, [request.section_id])
    if not candidates:
        raise RegisterError(N_("Choose at least one record from the search results."))
    now = now or utcnow()
    with write_transaction():
        fields = _link(user, request, candidates, now)
        values = _records_changed(request) if fields else {}
        _update(user, request, version, "link_subject", values,
                audit_fields=fields + list(values))
    return len(fields)


def unlink_subject(user, request, subject_id, *, version=None):
    """Remove a record wrongly confirmed as the subject's; a decided request goes back to
    the decision."""
    _require_handler(user, request)
    _require_open(request)
    with write_transaction():
        row = InspectionSubject.get_or_none((InspectionSubject.id == subject_id)
                                            & (InspectionSubject.request == request.id))
        if row is None:
            raise RegisterError(N_("That record is not linked to this request any more: reload "
                                   "the page."))
        field = "contact_person" if row.contact_person_id else "customer"
        row.delete_instance()
        values = _records_changed(request)
        _update(user, request, version, "unlink_subject", values,
                audit_fields=[field, *values])
    return request


# --- on site, at once ---------------------------------------------------------------------


def on_site_sections(user):
    """Return the sections whose records ``user`` may serve on site: those the user reads."""
    return list(Section.select().where(Section.id.in_(policy.readable_section_ids(user)))
                .order_by(Section.id))


def _on_site_section(user, section):
    if not may_serve_on_site(user):
        raise NotAllowed(N_("Your role does not serve inspection requests."))
    chosen = _section(section)
    if chosen.id not in policy.readable_section_ids(user):
        raise RegisterError(N_("You can serve on site only from the sections you work in. "
                               "Choose one of them; the other sections' handlers answer "
                               "their part within a week."))
    return chosen


def other_sections(section):
    """Return the sections besides ``section``, whose parts of an on-site request are left
    to their handlers."""
    return list(Section.select().where(Section.id != _section(section).id)
                .order_by(Section.id))


def serve_on_site(user, *, requester_name, section, identity_method, produce_report,
                  identity_note=None, requester_contact=None, description=None,
                  language="fi", query=None, keys=(), other_parts=True, now=None):
    """Serve an oral request made on site at once (seed §14); return ``(request, report,
    other parts)``.

    In one transaction: registers the request (oral on site) for ``section`` — one the
    user reads —, records the identity check, the approval by ``user`` (the user at work),
    the records confirmed as the subject's (``keys`` among the results of ``query`` in that
    section), calls ``produce_report(request)`` (audited as a report produced, on the
    request and on each customer in it) and records the report handed over. With
    ``other_parts``, the request's part in every other section is registered as well (made
    in person, the identity check carried over, due in a week) for that section's handler.
    Any failure saves nothing. The responsible person reviews the request afterwards
    (``to_review``).
    """
    section = _on_site_section(user, section)
    now = now or utcnow()
    candidates = _chosen(query, keys, [section.id]) if query is not None else []
    if identity_method not in IDENTITY_METHODS:
        raise RegisterError(N_("Choose how the requester's identity was checked."))
    note = _text(identity_note)
    if identity_method == "other" and not note:
        raise RegisterError(N_("Describe in the note how the identity was checked."))
    _refuse_hetu(note=note)
    identified = {"identity_method": identity_method, "identity_note": note,
                  "identity_checked_by": user.id, "identity_checked_at": now}
    details = {"requester_name": requester_name, "requester_contact": requester_contact,
               "description": description, "language": language, "now": now}
    with write_transaction():
        request = register(user, received_at=now, channel="oral_on_site", section=section,
                           on_site=True, **details)
        # The user at work checks the identity and decides (seed §14), whatever the role.
        _update(user, request, None, "identify", identified)
        if candidates:
            fields = _link(user, request, candidates, now)
            _update(user, request, None, "link_subject", {}, audit_fields=fields)
        _decide(user, request, "approved", None, None, now)
        report = produce_report(request)
        _audit(user, "report", request)
        _audit_reads(user, "report", request, [c.customer for c in candidates])
        _deliver(user, request, "handed_over", now, None, now)
        parts = []
        if other_parts:
            for other in other_sections(section):
                if not parts:
                    (InspectionRequest.update(group=request.id)
                     .where(InspectionRequest.id == request.id).execute())
                    request.group = request.id
                part = register(user, received_at=now, channel="in_person", section=other,
                                group=request, **details)
                _update(user, part, None, "identify", identified)
                parts.append(part)
    return request, report, parts
