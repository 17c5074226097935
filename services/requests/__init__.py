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

The parts, each a module of this package (import them from here, as
``from services import requests``; ``requests.register(…)``):

- ``common``: who may do what, the checks of what people type, the versioned write;
- ``deadlines``: the due time, the state and the worklists;
- ``registering``: registering a request or its parts, recording a view;
- ``steps``: the identity check, the decision, the delivery and the review;
- ``matching``: finding the subject's records; ``subjects``: confirming and reading them;
- ``on_site``: serving an oral request on site at once;
- ``reminders``: the due-date notifications (``duties check``).
"""

from services.errors import RegisterError
from services.localtime import from_helsinki
from services.localtime import to_helsinki as helsinki
from services.policy import NotAllowed
from services.requests.common import (
    AUDIT_OBJECT_TYPE,
    REPORT_LANGUAGES,
    STALE,
    STATES,
    get_visible,
    may_decide,
    may_handle,
    may_register,
    may_serve_on_site,
    visible_to,
)
from services.requests.deadlines import (
    DUE_IN,
    Deadline,
    deadline,
    due_from,
    open_condition,
    open_requests,
    overdue,
    state_of,
    subject_counts,
    to_review,
    worklist,
    worklist_conditions,
)
from services.requests.matching import MAX_CANDIDATES, Candidate, SubjectQuery, find_subjects
from services.requests.on_site import on_site_sections, other_sections, serve_on_site
from services.requests.registering import parts_of, record_view, register, register_parts
from services.requests.reminders import REMIND_DAYS, remind_due
from services.requests.steps import decide, record_delivery, record_identity, review
from services.requests.subjects import (
    link_subjects,
    reads_records,
    record_report,
    search_subjects,
    subject_customers,
    subjects_of,
    unlink_subject,
    visible_subject_customers,
    visible_subjects,
)

__all__ = [
    "AUDIT_OBJECT_TYPE", "DUE_IN", "MAX_CANDIDATES", "REPORT_LANGUAGES", "STALE", "STATES",
    "Candidate", "Deadline", "NotAllowed", "RegisterError", "SubjectQuery", "deadline",
    "decide", "due_from", "find_subjects", "from_helsinki", "get_visible", "helsinki",
    "link_subjects", "may_decide", "may_handle", "may_register", "may_serve_on_site",
    "on_site_sections", "open_condition", "open_requests", "other_sections", "overdue",
    "parts_of", "reads_records", "record_delivery", "record_identity", "record_report",
    "record_view", "register", "register_parts", "remind_due", "REMIND_DAYS", "review",
    "search_subjects", "serve_on_site", "state_of", "subject_counts", "subject_customers",
    "subjects_of", "to_review", "unlink_subject", "visible_subject_customers",
    "visible_subjects", "visible_to", "worklist", "worklist_conditions",
]
