"""Translated labels for the codes the register stores."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "controller": _l("Controller"),
    "responsible": _l("Responsible person"),
    "handler": _l("Register handler"),
    "staff": _l("Staff member"),
    "maintenance": _l("Technical maintenance"),
}

ROLE_DUTIES = {
    "controller": _l(
        "Reads every section; decides access grants, disclosures, retention and purges."
    ),
    "responsible": _l(
        "Reads every section; decides inspection requests, reviews access yearly, "
        "looks after data security."
    ),
    "handler": _l(
        "Implements granted access, handles inspection and rectification requests, "
        "edits the own section."
    ),
    "staff": _l("Creates and updates customers in the sections granted."),
    "maintenance": _l("Backups and system status; sees no personal data."),
}

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

KIND_LABELS = {
    "person": _l("Private person"),
    "company": _l("Company"),
    "organisation": _l("Organisation"),
}

CUSTOMER_LANGUAGE_LABELS = {
    "fi": _l("Finnish"),
    "sv": _l("Swedish"),
    "en": _l("English"),
    "other": _l("Other"),
}

INFORMED_HOW_LABELS = {
    "in_person": _l("In person"),
    "letter": _l("By letter"),
    "email": _l("By email"),
    "phone": _l("By phone"),
    "form": _l("On a form"),
    "web": _l("On the web"),
}

ADDRESS_KIND_LABELS = {
    "postal": _l("Postal address"),
    "visiting": _l("Visiting address"),
    "billing": _l("Billing address"),
}

DIRECTION_LABELS = {"in": _l("From the customer"), "out": _l("To the customer")}

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "meeting": _l("Meeting"),
    "letter": _l("Letter"),
    "event": _l("Event"),
    "web": _l("Web"),
    "other": _l("Other"),
}

COLLECTION_STATE_LABELS = {
    "open": _l("Open"),
    "paid": _l("Paid"),
    "reminded": _l("Reminded"),
    "in_collection": _l("In collection"),
    "written_off": _l("Written off"),
}

CATEGORY_LABELS = {
    "identity": _l("Name"),
    "birth_or_business_id": _l("Birth date or business ID"),
    "address": _l("Addresses"),
    "demographics": _l("Demographics"),
    "phone": _l("Phone numbers"),
    "fax": _l("Fax"),
    "email": _l("Email"),
    "language": _l("Language"),
    "own_info": _l("Information the customer gave"),
    "history": _l("Customer history"),
    "contact_persons": _l("Contact persons"),
    "billing": _l("Billing and collection"),
    "record": _l("Register entry"),
}

# Field labels shared by every screen that shows these fields.
FIELD_LABELS = {
    "sort_name": _l("Name"),
    "display_name": _l("Name"),
    "kind": _l("Kind"),
    "first_name": _l("First names"),
    "last_name": _l("Last name"),
    "name": _l("Company or organisation name"),
    "birth_date": _l("Birth date"),
    "business_id": _l("Business ID (Y-tunnus)"),
    "id_code": _l("Birth date or business ID"),
    "phone": _l("Phone"),
    "mobile": _l("Mobile phone"),
    "fax": _l("Fax"),
    "email": _l("Email"),
    "language": _l("Language"),
    "own_info": _l("Information the customer gave"),
    "informed_at": _l("Informed of registration"),
    "informed_how": _l("How informed"),
    "created_at": _l("Created"),
    "updated_at": _l("Updated"),
    "last_activity_at": _l("Last activity"),
    "minimised_at": _l("Minimised: kept only for accounting"),
    "section": _l("Section"),
    "city": _l("City"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "profession": _l("Profession"),
    "education": _l("Education"),
    "role": _l("Role in the organisation"),
    "user_details": _l("User details"),
    "occurred_at": _l("Time"),
    "direction": _l("Direction"),
    "channel": _l("Channel"),
    "summary": _l("Summary"),
    "staff": _l("Staff member"),
    "service": _l("Service"),
    "purchased_on": _l("Purchase date"),
    "amount": _l("Amount (EUR)"),
    "number": _l("Invoice number"),
    "invoice_date": _l("Invoice date"),
    "due_date": _l("Due date"),
    "paid_on": _l("Paid on"),
    "collection_state": _l("Collection"),
    "customer": _l("Customer"),
    "addresses": _l("Addresses"),
    "demographics": _l("Demographics"),
    "contact_persons": _l("Contact persons"),
    "events": _l("Contacts"),
    "purchases": _l("Purchased services"),
    "invoices": _l("Invoices"),
}


def choices_of(labels):
    """Return ``(code, label)`` pairs for a select field."""
    return list(labels.items())
