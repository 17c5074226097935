"""The events that notify, and whom (issue 17): each is called inside the transaction of
its event, so the notification commits or rolls back with it.

- a new inspection request (seed §14) or rectification request (§15) → the handlers of its
  section and the responsible person;
- a new access request → the controller, who decides it;
- an approved access request → the handlers of all its sections, who implement it;
- a new version of the guidance → every user, who must read and acknowledge it.

Who is who is a capability of ``services.policy``; the one who caused the event is not
told of it.
"""

from models import AccessRequestSection
from services.localtime import helsinki_date
from services.notifications.outbox import notify, recipients

# The page every user reads the guidance on.
GUIDANCE_PATH = "/access/guidance/"


def inspection_request_registered(request, actor=None, now=None):
    """Notify of the new inspection request ``request`` (one section's part)."""
    accounts = (recipients("notified_of_section_requests", [request.section_id], actor)
                + recipients("notified_of_all_requests", exclude=actor))
    return notify("inspection_request", accounts,
                  {"section": request.section.code,
                   "due": helsinki_date(request.due_at).isoformat(),
                   "path": f"/requests/{request.id}/"}, now=now)


def rectification_registered(request, actor=None, now=None):
    """Notify of the new rectification request ``request``."""
    section = request.customer.section
    accounts = (recipients("notified_of_section_requests", [section.id], actor)
                + recipients("notified_of_all_requests", exclude=actor))
    return notify("rectification_request", accounts,
                  {"section": section.code, "path": f"/rectification/{request.id}/"},
                  now=now)


def access_requested(access_request, actor=None, now=None):
    """Notify the controller of the new access request ``access_request``."""
    return notify("access_request", recipients("decide_access", exclude=actor),
                  {"path": f"/access/requests/{access_request.id}/"}, now=now)


def access_approved(access_request, actor=None, now=None):
    """Notify the handlers who implement the approved ``access_request``: those holding
    all its sections (a request of no section is implemented by the controller)."""
    section_ids = [link.section_id for link in AccessRequestSection.select()
                   .where(AccessRequestSection.request == access_request.id)]
    if not section_ids:
        return 0
    return notify("access_approved",
                  recipients("notified_of_section_requests", section_ids, actor),
                  {"path": f"/access/requests/{access_request.id}/"}, now=now)


def guidance_published(version, actor=None, now=None):
    """Notify every open account with an address of the new guidance ``version`` (but
    its publisher, and those who turned the kind off): a link to the guidance page."""
    return notify("guidance_published", recipients(exclude=actor),
                  {"path": GUIDANCE_PATH, "version": version.number}, now=now)
