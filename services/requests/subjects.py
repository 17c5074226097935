"""The subject's records of a request: searched, confirmed (linked), removed, and read
through the request (each read an audit event on the customer too)."""

from peewee import JOIN, fn

from database import write_transaction
from models import ContactPerson, Customer, InspectionSubject, utcnow
from services import audit, policy
from services.errors import N_, RegisterError
from services.requests.common import (
    AUDIT_OBJECT_TYPE,
    _audit_reads,
    _audit_with_reads,
    _on_site_section,
    _require_handler,
    _require_open,
    _update,
)
from services.requests.matching import find_subjects

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
            _audit_reads(user, "search", request, [c.customer for c in found])
        else:
            _audit_with_reads(user, "search", request, [c.customer for c in found])
    return found


def subjects_of(request):
    """Return the confirmed subject rows of ``request``, oldest first."""
    return list(InspectionSubject.select()
                .where(InspectionSubject.request == request.id)
                .order_by(InspectionSubject.id))


def _subject_rows(request):
    """Return ``[(subject row id, customer id, section id)]`` of the subject rows of
    ``request``, each with the customer whose records it names (a contact person's
    company), oldest row first: one query."""
    person = ContactPerson.alias()
    customer_id = fn.COALESCE(person.customer, InspectionSubject.customer)
    return list(InspectionSubject
                .select(InspectionSubject.id, customer_id, Customer.section)
                .join(person, JOIN.LEFT_OUTER,
                      on=(person.id == InspectionSubject.contact_person))
                .join(Customer, on=(Customer.id == customer_id), src=InspectionSubject)
                .where(InspectionSubject.request == request.id)
                .order_by(InspectionSubject.id).tuples())


def subject_customers(request):
    """Return ``[(customer id, section id)]`` of the customers whose records the subject
    rows of ``request`` name, oldest row first."""
    return [(customer, section) for _row, customer, section in _subject_rows(request)]


def visible_subjects(user, request):
    """Return the confirmed subject rows of ``request`` whose customers ``user`` reads.

    The request's own section's records: a user who registered a request for a section
    they do not have sees none of its names.
    """
    readable = set(policy.readable_section_ids(user))
    shown = {row for row, _customer, section in _subject_rows(request) if section in readable}
    return [s for s in subjects_of(request) if s.id in shown]


def visible_subject_customers(user, request):
    """Return ``[(customer id, section id)]`` of the customers of ``visible_subjects``
    (those of the sections ``user`` reads)."""
    readable = set(policy.readable_section_ids(user))
    return [(customer, section) for customer, section in subject_customers(request)
            if section in readable]


def reads_records(user, request):
    """Tell whether ``user`` sees the records of ``request``: those of its section."""
    return policy.reads_section(user, request.section_id)


def record_report(user, request):
    """Record that ``user`` produced the report of ``request``: an audit event on the
    request and one on each customer whose records it holds."""
    with write_transaction():
        _audit_with_reads(user, "report", request, subject_customers(request))


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
