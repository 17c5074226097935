"""What a customer's details page shows first: the open requests that name the customer,
and the customer's history (contacts and purchases) as one timeline, newest first, a page
at a time.

The timeline is one ``UNION ALL`` of the two tables ordered in the database, so a page
deep in a long history costs one query and one page of rows, not the whole history.
A purchase has a date and a contact a time: a purchase sorts as at the start of its day.
"""

import peewee as pw

from models import (
    ContactEvent,
    ContactPerson,
    InspectionRequest,
    InspectionSubject,
    Purchase,
    RectificationRequest,
)
from services import rectification, requests

HISTORY_PAGE_SIZE = 20

# The rows of the timeline, by the kind the union names them with.
HISTORY_MODELS = {"event": ContactEvent, "purchase": Purchase}


def open_requests(customer, inspection_requests):
    """Return the open requests that name ``customer`` or one of its contact persons:
    ``(inspections, rectifications)``, each oldest first.

    ``inspection_requests`` is the query of the inspection requests the reader may open
    (``services.requests.visible_to``); the rectification requests of a customer the
    reader sees are the reader's to see (the customer's section).
    """
    people = ContactPerson.select(ContactPerson.id).where(ContactPerson.customer == customer.id)
    named = InspectionSubject.select(InspectionSubject.request).where(
        (InspectionSubject.customer == customer.id)
        | InspectionSubject.contact_person.in_(people))
    inspections = list(inspection_requests
                       .where(requests.open_condition() & InspectionRequest.id.in_(named))
                       .order_by(InspectionRequest.received_at, InspectionRequest.id))
    rectifications = list(RectificationRequest.select()
                          .where((RectificationRequest.customer == customer.id)
                                 & rectification.open_condition())
                          .order_by(RectificationRequest.received_at, RectificationRequest.id))
    return inspections, rectifications


def history_page(customer, page, size=HISTORY_PAGE_SIZE):
    """Return page ``page`` (from 1) of the customer's history, newest first:
    ``(rows, more)``, rows ``[(kind, row)]`` with kind "event" or "purchase", and ``more``
    whether older rows follow."""
    events = (ContactEvent
              .select(pw.Value("event").alias("kind"), ContactEvent.id.alias("row_id"),
                      ContactEvent.occurred_at.alias("moment"))
              .where(ContactEvent.customer == customer.id))
    purchases = (Purchase
                 .select(pw.Value("purchase"), Purchase.id, Purchase.purchased_on)
                 .where(Purchase.customer == customer.id))
    union = events.union_all(purchases)
    found = list(union.order_by(pw.SQL("moment DESC"), pw.SQL("kind"), pw.SQL("row_id DESC"))
                 .offset((page - 1) * size).limit(size + 1).tuples())
    more = len(found) > size
    found = found[:size]
    loaded = {}
    for kind, model in HISTORY_MODELS.items():
        ids = [row_id for row_kind, row_id, _moment in found if row_kind == kind]
        if ids:
            loaded.update({(kind, row.id): row
                           for row in model.select().where(model.id.in_(ids))})
    rows = [(kind, loaded[(kind, row_id)]) for kind, row_id, _moment in found
            if (kind, row_id) in loaded]
    return rows, more
