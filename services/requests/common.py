"""What every step of an inspection request shares: who may do what, the checks of what
people type, and the one versioned write with its audit event (``_update``)."""

import datetime

import peewee as pw

from models import InspectionRequest, Section
from services import audit, policy
from services.errors import N_, RegisterError
from services.hetu import refusal
from services.localtime import CLOCK_SLACK
from services.policy import NotAllowed
from services.versioning import check_version, versioned_update

# The languages a report is written in.
REPORT_LANGUAGES = ("fi", "sv", "en")
STATES = ("received", "identified", "decided", "delivered")
AUDIT_OBJECT_TYPE = "inspection_request"


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


def _naive_utc(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


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


def _audit_reads(user, action, request, customers):
    """Record ``action`` on each customer of ``customers``, read through ``request`` (None:
    a request being served on site)."""
    audit.record_reads(action, user, customers, AUDIT_OBJECT_TYPE,
                       request.id if request is not None else None)


def _audit_with_reads(user, action, request, customers):
    """Record ``action`` on ``request`` (as ``_audit``) and on each customer of
    ``customers`` read through it (as ``_audit_reads``), in one append."""
    audit.record_reads(action, user, customers, AUDIT_OBJECT_TYPE, request.id,
                       first=[(AUDIT_OBJECT_TYPE, request.id, request.section_id)])


def _on_site_section(user, section):
    if not may_serve_on_site(user):
        raise NotAllowed(N_("Your role does not serve inspection requests."))
    chosen = _section(section)
    if chosen.id not in policy.readable_section_ids(user):
        raise RegisterError(N_("You can serve on site only from the sections you work in. "
                               "Choose one of them; the other sections' handlers answer "
                               "their part within a week."))
    return chosen
