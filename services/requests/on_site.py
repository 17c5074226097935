"""An oral request served on site at once (seed §14), its other sections' parts left to
their handlers."""

from database import write_transaction
from models import IDENTITY_METHODS, InspectionRequest, Section, utcnow
from services import policy
from services.errors import N_, RegisterError
from services.requests.common import (
    _audit,
    _audit_reads,
    _on_site_section,
    _refuse_hetu,
    _section,
    _text,
    _update,
)
from services.requests.registering import register
from services.requests.steps import _decide, _deliver
from services.requests.subjects import _chosen, _link

def on_site_sections(user):
    """Return the sections whose records ``user`` may serve on site: those the user reads."""
    return list(Section.select().where(Section.id.in_(policy.readable_section_ids(user)))
                .order_by(Section.id))


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
