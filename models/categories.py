"""The field → data-category map (seed §6): the one source of which category a field or
table is in."""

from models.base import CATEGORIES
from models.consent import MarketingConsent
from models.disclosures import DisclosureCustomer
from models.register import (
    Address,
    ContactEvent,
    ContactPerson,
    Customer,
    CustomerMerge,
    Demographics,
    Invoice,
    Purchase,
)
from models.rights import InspectionSubject, Prohibition, RectificationRequest


# --- Field → data category (seed §6) -----------------------------------------------
# Every stored field of the register data belongs to exactly one category. The
# inspection report, the statistics export and the public register description read
# this table; a test fails when a model gains a field that is not in it.

FIELD_CATEGORIES = {
    Customer: {
        "id": "record",
        "section": "record",
        "kind": "record",
        "first_name": "identity",
        "last_name": "identity",
        "name": "identity",
        "sort_name": "identity",
        "birth_date": "birth_or_business_id",
        "business_id": "birth_or_business_id",
        "phone": "phone",
        "mobile": "phone",
        "fax": "fax",
        "email": "email",
        "language": "language",
        "own_info": "own_info",
        "city": "address",
        "postal_code": "address",
        "informed_at": "record",
        "informed_how": "record",
        "not_reachable_reason": "record",
        "data_source": "record",
        "data_source_note": "record",
        "created_at": "record",
        "updated_at": "record",
        "last_activity_at": "record",
        "minimised_at": "record",
        "version": "record",
    },
    Address: {
        "id": "record",
        "customer": "record",
        "kind": "address",
        "street": "address",
        "postal_code": "address",
        "city": "address",
        "country": "address",
        "data_source": "record",
        "data_source_note": "record",
        "checked_on": "record",
        "postal_check_reason": "record",
    },
    Demographics: {
        "id": "record",
        "customer": "record",
        "profession": "demographics",
        "education": "demographics",
    },
    ContactPerson: {
        "id": "record",
        "customer": "record",
        "first_name": "contact_persons",
        "last_name": "contact_persons",
        "role": "contact_persons",
        "phone": "contact_persons",
        "email": "contact_persons",
        "user_details": "contact_persons",
        # What the register notes of the entry (seed §13), as of the customer.
        "informed_at": "record",
        "informed_how": "record",
        "not_reachable_reason": "record",
        "data_source": "record",
        "data_source_note": "record",
    },
    ContactEvent: {
        "id": "record",
        "customer": "record",
        "occurred_at": "history",
        "direction": "history",
        "channel": "history",
        "summary": "history",
        "staff": "history",
    },
    Purchase: {
        "id": "record",
        "customer": "record",
        "service": "history",
        "purchased_on": "history",
        "amount": "history",
    },
    Invoice: {
        "id": "record",
        "customer": "record",
        "number": "billing",
        "invoice_date": "billing",
        "due_date": "billing",
        "amount": "billing",
        "paid_on": "billing",
        "collection_state": "billing",
    },
    # What the register notes of the person's own wishes and requests: part of "record".
    Prohibition: {
        "id": "record",
        "customer": "record",
        "contact_person": "record",
        "purpose": "record",
        "action": "record",
        "effective_on": "record",
        "source": "record",
        "note": "record",
        "recorded_by": "record",
        "recorded_at": "record",
    },
    # A private person's consents to email and SMS marketing, given and withdrawn (seed §16).
    MarketingConsent: {name: "record" for name in (
        "id", "customer", "channel", "given_on", "given_how", "wording_version",
        "recorded_by", "recorded_at", "withdrawn_at", "withdrawn_how", "withdrawn_by")},
    RectificationRequest: {name: "record" for name in (
        "id", "customer", "contact_person", "received_at", "requester_name", "description",
        "requested", "verification_source", "verification_result", "verified_by",
        "verified_at", "decision", "decision_reason", "decided_by", "decided_at", "before",
        "after", "applied_by", "applied_at", "registered_by", "registered_at", "version",
        "requester_pseudonym", "wiped_at")},
    # The duplicates merged into the customer (services/merge.py): who, when, which fields.
    CustomerMerge: {name: "record" for name in (
        "id", "customer", "merged_id", "merged_at", "merged_by", "changed_fields")},
}

# The models holding personal data of customers: every one is in the map above.
REGISTER_MODELS = tuple(FIELD_CATEGORIES)

# Models that name a customer (or its contact person) but hold none of its data: whom an
# inspection request or a disclosure concerned. They are not in the map (the report lists
# a customer's disclosures of its own; the request is the requester's, not the customer's
# data), and their rows go with the customer by ON DELETE CASCADE. Every other model with a
# foreign key to a model of the map must be in the map (tests/test_categories.py); a
# merge of two customers moves the rows of both kinds (services.categories.references).
REFERENCES_NOT_DATA = (InspectionSubject, DisclosureCustomer)

# What the map alone does not say of the customer's own fields. Every list of its fields
# is here (tests/test_categories.py fails on one written elsewhere); the rest of the code
# derives what it needs from these and the map (services/categories.py).

# Kept in step by the register itself: the sort name follows the name fields
# (Customer.refresh_derived), the city and postal code the addresses
# (services.customers.refresh_city). Never typed or corrected on their own, and not data of
# their own: a purge counts the addresses, not these.
MAINTAINED_FIELDS = {Customer: (*Customer.derived_fields, "city", "postal_code")}

# The fields of the other kinds of customer than the key: the screens leave them out (a
# company has no birth date, a person no Y-tunnus) and a rectification request does not
# offer them.
NOT_FOR_KIND = {
    "person": ("name", "business_id"),
    "company": ("first_name", "last_name", "birth_date"),
    "organisation": ("first_name", "last_name", "birth_date"),
}

# What a minimised customer keeps of its own fields: what the accounting record needs
# (Accounting Act 2:10, services/retention/). Every other field of its data is emptied;
# the ``record`` fields stay.
ACCOUNTING_RECORD_FIELDS = ("first_name", "last_name", "name", "business_id", "language")


def category_of(model, field_name):
    """Return the data category of ``model.field_name``; KeyError if it is unmapped."""
    return FIELD_CATEGORIES[model][field_name]


def unmapped_fields():
    """Return ``Model.field`` names of register models that have no data category."""
    missing = []
    for model, mapping in FIELD_CATEGORIES.items():
        for name in model._meta.fields:
            if mapping.get(name) not in CATEGORIES:
                missing.append(f"{model.__name__}.{name}")
    return missing
