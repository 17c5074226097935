"""The names the inspection report (seed §14; GDPR Art. 15) and the disclosure exports give
fields, codes and tables, and the words the report's renderings need.

The same words the screens use, except where the report, written to the data subject,
says it otherwise. The report translates ``msgid_of(label)`` into the document's language.
"""

from services.vocabulary import _l
from services.vocabulary.customers import (
    ADDRESS_KIND_LABELS,
    CHANNEL_LABELS,
    COLLECTION_STATE_LABELS,
    CUSTOMER_KIND_LABELS,
    CUSTOMER_LANGUAGE_LABELS,
    DATA_SOURCE_LABELS,
    DIRECTION_LABELS,
    FIELD_LABELS,
    INFORMED_HOW_LABELS,
)
from services.vocabulary.rights import (
    CONSENT_CHANNEL_LABELS,
    CONSENT_METHOD_LABELS,
    DECISION_LABELS,
    PROHIBITION_ACTION_LABELS,
    PROHIBITION_PURPOSE_LABELS,
    PROHIBITION_SOURCE_LABELS,
    VERIFICATION_SOURCE_LABELS,
)

# Field labels by field name: the screens' names, and the fields of the rights' tables;
# (model name, field name) first when a name means different things in different tables.
# A field with neither shows its own name.
REPORT_FIELD_LABELS = {
    **FIELD_LABELS,
    # The report says what these are rather than how the screens head their columns.
    "sort_name": _l("Name as sorted"),
    "staff": _l("Recorded by"),
    "version": _l("Version number of the entry"),
    "contact_person": _l("Contact person"),
    "purpose": _l("Purpose"),
    "action": _l("Given or withdrawn"),
    "effective_on": _l("In effect from"),
    "source": _l("Source"),
    "note": _l("Note"),
    "recorded_by": _l("Recorded by"),
    "recorded_at": _l("Recorded at"),
    "received_at": _l("Received"),
    "requester_name": _l("Requester"),
    "description": _l("Description"),
    "requested": _l("Changes requested"),
    "verification_source": _l("Checked against"),
    "verification_result": _l("Result of the check"),
    "verified_by": _l("Checked by"),
    "verified_at": _l("Checked at"),
    "decision": _l("Decision"),
    "decision_reason": _l("Reason for the decision"),
    "decided_by": _l("Decided by"),
    "decided_at": _l("Decided at"),
    "before": _l("Values before the change"),
    "after": _l("Values after the change"),
    "applied_by": _l("Changed by"),
    "applied_at": _l("Changed at"),
    "registered_by": _l("Registered by"),
    "registered_at": _l("Registered at"),
    "requester_pseudonym": _l("Pseudonym of the requester's name"),
    "wiped_at": _l("Requester's details wiped at"),
    # Marketing consents (models.MarketingConsent).
    "given_on": _l("Consent given on"),
    "given_how": _l("How the consent was given"),
    "wording_version": _l("Version of the consent text"),
    "withdrawn_at": _l("Consent withdrawn at"),
    "withdrawn_how": _l("How the consent was withdrawn"),
    "withdrawn_by": _l("Withdrawal recorded by"),
    # Customers merged into this one (models.CustomerMerge).
    "merged_id": _l("Number of the customer merged into this one"),
    "merged_at": _l("Merged at"),
    "merged_by": _l("Merged by"),
    "changed_fields": _l("Data whose value the merge changed"),
}

MODEL_FIELD_LABELS = {
    ("Customer", "id"): _l("Customer number"),
    ("InspectionRequest", "id"): _l("Request number"),
    ("ContactPerson", "id"): _l("Contact person number"),
    ("ContactPerson", "customer"): _l("Company or organisation"),
    ("Address", "kind"): _l("Address type"),
}

# What a stored code means, by field name; (model name, field name) first.
REPORT_CODE_LABELS = {
    "kind": CUSTOMER_KIND_LABELS,
    "language": CUSTOMER_LANGUAGE_LABELS,
    "informed_how": INFORMED_HOW_LABELS,
    "direction": DIRECTION_LABELS,
    "channel": CHANNEL_LABELS,
    "collection_state": COLLECTION_STATE_LABELS,
    "purpose": PROHIBITION_PURPOSE_LABELS,
    "action": PROHIBITION_ACTION_LABELS,
    # Written to the person: "told by the person" where the staff record "orally".
    "source": {**PROHIBITION_SOURCE_LABELS, "own_word": _l("Told by the person")},
    "verification_source": VERIFICATION_SOURCE_LABELS,
    "decision": DECISION_LABELS,
    "data_source": DATA_SOURCE_LABELS,
}

MODEL_CODE_LABELS = {
    ("Address", "kind"): ADDRESS_KIND_LABELS,
    ("MarketingConsent", "channel"): CONSENT_CHANNEL_LABELS,
    ("MarketingConsent", "given_how"): CONSENT_METHOD_LABELS,
    ("MarketingConsent", "withdrawn_how"): CONSENT_METHOD_LABELS,
}

# The tables of rows linked to a subject, by model name; a table without a label shows its
# table name.
RELATION_LABELS = {
    "Address": _l("Addresses"),
    "Demographics": _l("Demographics"),
    "ContactPerson": _l("Contact persons"),
    "ContactEvent": _l("Contacts"),
    "Purchase": _l("Purchased services"),
    "Invoice": _l("Invoices"),
    "Prohibition": _l("Prohibitions given and withdrawn"),
    "MarketingConsent": _l("Consents to email and SMS marketing, given and withdrawn"),
    "RectificationRequest": _l("Rectification requests"),
    "CustomerMerge": _l("Customer entries merged into this one"),
}

# One row of a wide table is shown as a list under a heading: "Invoice 1", …
ROW_LABELS = {
    "Address": _l("Address %(number)s"),
    "ContactPerson": _l("Contact person %(number)s"),
    "ContactEvent": _l("Contact %(number)s"),
    "Purchase": _l("Purchase %(number)s"),
    "Invoice": _l("Invoice %(number)s"),
    "Prohibition": _l("Prohibition entry %(number)s"),
    "MarketingConsent": _l("Marketing consent %(number)s"),
    "RectificationRequest": _l("Rectification request %(number)s"),
    "CustomerMerge": _l("Merge %(number)s"),
}

# Fields holding field names (``table.field``, or a customer's own field alone),
# space-separated: the report names each as the pages do.
FIELD_NAME_LISTS = {("CustomerMerge", "changed_fields")}
ROW_LABEL_DEFAULT = _l("Entry %(number)s")

# The disclosures that included a customer (seed §8; GDPR Art. 15(1)(c)).
DISCLOSURE_WORDS = {
    "heading": _l("Disclosures of your data"),
    "row": _l("Disclosure %(number)s"),
    "none": _l("No data about you has been disclosed from the register."),
    "recipient": _l("Recipient"),
    "purpose": _l("Purpose"),
    "legal_basis": _l("Legal basis"),
    "categories": _l("Data categories"),
    "decided_at": _l("Decided at"),
    "carried_out_at": _l("Disclosed on"),
}

# Words the renderings need, in the document's language.
WORDS = {
    "none": _l("None recorded."),
    "customer": _l("Customer"),
    "contact_person": _l("Contact person"),
    "linked_to": _l("Contact person of"),
    "yes": _l("Yes"),
    "no": _l("No"),
    "page": _l("Page %(page)s of %(pages)s"),
    "information": _l("About the register and your rights"),
    "no_subjects": _l("The register holds no data on you."),
    "empty_categories": _l("Nothing is recorded in these data categories:"),
    "leaving": _l("The section no longer keeps this data category: the purge removes this "
                  "data."),
}


def place_label(key):
    """Name a place of a customer's data as the pages do: "table" (its rows) or
    "table.field" (``services.retention.leftover``), e.g. "Invoices" or "Email"."""
    table, _dot, field = key.partition(".")
    model = "".join(part.title() for part in table.split("_"))
    parts = [] if model == "Customer" else [str(RELATION_LABELS.get(model, table))]
    if field:
        parts.append(str(FIELD_LABELS.get(field, field)))
    return ": ".join(parts)
