"""The due-date notifications of inspection requests (seed §14: carried out within one
week), raised by ``flask --app app duties check`` (from cron, daily or more often).

An open request whose due day is at most REMIND_DAYS Helsinki days away is told once to
the handlers of its section and to those who watch every deadline (the responsible person
and the controller); once it is past its due time, it is told once more as overdue. Each
message has a key of its request, kind and due day, so running the check again writes
nothing new.
"""

import datetime

from models import InspectionRequest, utcnow
from services import notifications
from services.localtime import from_helsinki, helsinki_date
from services.requests.deadlines import deadline, open_requests

REMIND_DAYS = 2


def remind_due(now=None):
    """Write the due and overdue notifications not written yet; return how many."""
    now = now or utcnow()
    written = 0
    # The due day is at most REMIND_DAYS ahead: due before the start of the day after.
    last_day = helsinki_date(now) + datetime.timedelta(days=REMIND_DAYS + 1)
    until = from_helsinki(datetime.datetime.combine(last_day, datetime.time()))
    for request in open_requests().where(InspectionRequest.due_at < until):
        state = deadline(request, now)
        kind = "inspection_overdue" if state.overdue else "inspection_due"
        due = helsinki_date(request.due_at)
        accounts = (notifications.recipients("notified_of_section_requests",
                                             [request.section_id])
                    + notifications.recipients("notified_of_deadlines"))
        written += notifications.notify(
            kind, accounts,
            {"section": request.section.code, "due": due.isoformat(),
             "path": f"/requests/{request.id}/"},
            dedupe_key=f"{kind}:{request.id}:{due.isoformat()}", now=now)
    return written
