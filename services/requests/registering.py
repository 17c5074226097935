"""Registering a request, or its parts one a section, and recording who opened it."""

from database import write_transaction
from models import REQUEST_CHANNELS, InspectionRequest, utcnow
from services import notifications
from services.errors import N_, RegisterError
from services.policy import NotAllowed
from services.requests.common import (
    REPORT_LANGUAGES,
    _audit,
    _audit_with_reads,
    _naive_utc,
    _not_in_future,
    _refuse_hetu,
    _section,
    _sections,
    _text,
    may_register,
)
from services.requests.deadlines import due_from
from services.requests.subjects import visible_subject_customers

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
        notifications.inspection_request_registered(request, user, now)
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
        _audit_with_reads(user, "view", request, visible_subject_customers(user, request))
