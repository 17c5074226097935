"""Holds: what a purge and an erasure must not undo (open requests, unfinished
disclosures), read once from the request and disclosure tables."""

import dataclasses

from models import (
    ContactPerson,
    Disclosure,
    DisclosureCustomer,
    InspectionRequest,
    InspectionSubject,
    RectificationRequest,
)
from services import disclosures, rectification, requests
from services.errors import N_, RegisterError


INSPECTION, RECTIFICATION, DISCLOSURE = "inspection", "rectification", "disclosure"
# Why a customer is held, as a person reads it: the pages translate it, the command line
# prints it as it is. %(number)s is the request's or the disclosure's number.
HOLD_REASONS = {
    INSPECTION: N_("Inspection request %(number)s has not been delivered yet"),
    RECTIFICATION: N_("Rectification request %(number)s has not been applied or refused yet"),
    DISCLOSURE: N_("Disclosure %(number)s has not been carried out yet"),
}


@dataclasses.dataclass(frozen=True, order=True)
class Hold:
    """One reason a customer is held: an open request or a disclosure not carried out."""

    kind: str  # INSPECTION, RECTIFICATION or DISCLOSURE
    number: int  # the request's or the disclosure's id

    @property
    def message(self):
        """Return the untranslated reason (a msgid of HOLD_REASONS) and its parameters."""
        return HOLD_REASONS[self.kind], {"number": self.number}

    def __str__(self):
        message, params = self.message
        return message % params


def _hold_queries():
    """Return ``[(kind, query of (customer id, number), customer column)]``, one per kind of
    hold. Each reads the open requests or unfinished disclosures first: they are few."""
    open_inspection = requests.open_condition()
    return [
        (INSPECTION,
         InspectionSubject.select(InspectionSubject.customer, InspectionSubject.request)
         .join(InspectionRequest, on=(InspectionSubject.request == InspectionRequest.id))
         .where(open_inspection & InspectionSubject.customer.is_null(False)),
         InspectionSubject.customer),
        # A contact person's request holds the company or organisation the person is of.
        (INSPECTION,
         InspectionSubject.select(ContactPerson.customer, InspectionSubject.request)
         .join(InspectionRequest, on=(InspectionSubject.request == InspectionRequest.id))
         .join(ContactPerson, on=(InspectionSubject.contact_person == ContactPerson.id))
         .where(open_inspection),
         ContactPerson.customer),
        (RECTIFICATION,
         RectificationRequest.select(RectificationRequest.customer, RectificationRequest.id)
         .where(rectification.open_condition()),
         RectificationRequest.customer),
        (DISCLOSURE,
         DisclosureCustomer.select(DisclosureCustomer.customer, DisclosureCustomer.disclosure)
         .join(Disclosure, on=(DisclosureCustomer.disclosure == Disclosure.id))
         .where(Disclosure.state.in_(disclosures.UNFINISHED_STATES)),
         DisclosureCustomer.customer),
    ]


def holds(customer_ids=None):
    """Return ``{customer_id: [Hold, …]}`` of the held customers (of ``customer_ids`` only,
    when given), each customer's holds sorted. Customers not held are not in it."""
    if customer_ids is not None and not customer_ids:
        return {}
    found = {}
    for kind, query, column in _hold_queries():
        if customer_ids is not None:
            query = query.where(column.in_(list(customer_ids)))
        for customer_id, number in query.tuples():
            found.setdefault(customer_id, set()).add(Hold(kind, number))
    return {customer_id: sorted(held) for customer_id, held in found.items()}


def _hold_tokens(held):
    return "+".join(f"{h.kind}:{h.number}" for h in held)


class Held(RegisterError):
    """The customer is held: an erasure must wait until its requests and disclosures end.

    ``message`` says what waits (a merge gives its own); ``%(reasons)s`` in it lists the
    holds.
    """

    ERASURE = N_("This customer cannot be erased now. %(reasons)s. Finish that first (deliver "
                 "the inspection report, apply or refuse the rectification request, carry out "
                 "the disclosure or take the customer out of it), then erase the data.")

    def __init__(self, held, message=ERASURE):
        super().__init__(message, reasons=". ".join(str(h) for h in held))
        self.holds = held
