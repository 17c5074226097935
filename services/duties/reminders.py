"""The due-date notifications of the periodic duties, raised by ``flask --app app duties
check`` beside those of the inspection requests: the purge review to the controller, the
access review to the responsible person, each from SOON_DAYS before its due day and once
more when it is overdue. The key of a message is its kind, state and due day, so a second
check writes nothing new, and a new due day (after the duty is done) is told again."""

from models import utcnow
from services import access, notifications
from services.duties.schedule import purge_review

# {kind: (the capability of who is told, the page's path)}
REMINDED = {
    "purge_review_due": ("decide_retention", "/retention/"),
    "access_review_due": ("review_access", "/access/review/"),
}


def _remind(kind, state, due_on, now):
    capability, path = REMINDED[kind]
    return notifications.notify(
        kind, notifications.recipients(capability),
        {"due": due_on.isoformat(), "path": path},
        dedupe_key=f"{kind}:{state}:{due_on.isoformat()}", now=now)


def remind_duties(now=None):
    """Write the duties' due and overdue notifications not written yet; return how many."""
    now = now or utcnow()
    written = 0
    purge = purge_review(now)
    if purge.remind:
        written += _remind("purge_review_due", purge.state, purge.due_on, now)
    review = access.review_status(now)
    if review.remind:
        written += _remind("access_review_due", review.state, review.due_on, now)
    return written
