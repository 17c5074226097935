"""The names of the customer register's codes and fields (models: customers and their rows).

Keyed by the code tuples of ``models``; the statistics by ``services.statistics``.
"""

from services.vocabulary import _l

# models.CUSTOMER_KINDS
CUSTOMER_KIND_LABELS = {
    "person": _l("Private person"),
    "company": _l("Company"),
    "organisation": _l("Organisation"),
}

# models.CUSTOMER_KINDS in the plural: which customers a marketing list is for.
CUSTOMER_KIND_PLURAL_LABELS = {
    "person": _l("Private persons"),
    "company": _l("Companies"),
    "organisation": _l("Organisations"),
}

# models.LANGUAGES: the customer's language.
CUSTOMER_LANGUAGE_LABELS = {
    "fi": _l("Finnish"),
    "sv": _l("Swedish"),
    "en": _l("English"),
    "other": _l("Other"),
}

# models.INFORMED_HOW: how a person was informed of the registration (seed §13).
INFORMED_HOW_LABELS = {
    "in_person": _l("Given in person"),
    "email": _l("Sent by email"),
    "post": _l("Sent by post"),
    "web_form": _l("Via the privacy notice link at a web form"),
    "not_reachable": _l("Not reachable"),
}

# The customer list's filter of informing (services.informing): with or without a record.
INFORMING_STATE_LABELS = {
    "no": _l("Not yet informed"),
    "yes": _l("Informed"),
}

# services.customers.INACTIVE_YEARS: the customer list's filter "no activity for".
INACTIVE_YEARS_LABELS = {
    "1": _l("over a year"),
    "2": _l("over 2 years"),
    "3": _l("over 3 years"),
    "5": _l("over 5 years"),
    "10": _l("over 10 years"),
}

# models.DATA_SOURCES: where the data of a customer, a contact person or an address came
# from (seed §7). A row recorded before the source was asked has none: NOT_RECORDED.
DATA_SOURCE_LABELS = {
    "customer": _l("The customer itself"),
    "posti": _l("Posti address service"),
    "dvv": _l("Population information system (DVV)"),
    "trade_register": _l("Trade register"),
    "import_file": _l("Import file"),
    "other": _l("Other source"),
}
NOT_RECORDED = _l("Not recorded")

# models.ADDRESS_KINDS
ADDRESS_KIND_LABELS = {
    "postal": _l("Postal address"),
    "visiting": _l("Visiting address"),
    "billing": _l("Billing address"),
}

# models.DIRECTIONS: of a contact.
DIRECTION_LABELS = {"in": _l("From the customer"), "out": _l("To the customer")}

# models.CHANNELS: of a contact.
CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "meeting": _l("Meeting"),
    "letter": _l("Letter"),
    "event": _l("Event"),
    "web": _l("Web"),
    "other": _l("Other"),
}

# models.COLLECTION_STATES: of an invoice.
COLLECTION_STATE_LABELS = {
    "open": _l("Open"),
    "paid": _l("Paid"),
    "reminded": _l("Reminded"),
    "in_collection": _l("In collection"),
    "written_off": _l("Written off"),
}

# models.CATEGORIES: the data categories of the register description (seed §6).
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

# The customer form's fieldsets (forms.customers.CUSTOMER_FIELDSETS), and its groups of
# fields for some kinds of customer only, by those kinds joined with "_".
FIELDSET_LABELS = {
    "identity": _l("Identity"),
    "contact": _l("Contact information"),
    "language_informing": _l("Language and informing"),
    "own_info": _l("Own additional information"),
    "person": _l("Private person's details"),
    "company_organisation": _l("Company's or organisation's details"),
}

# One line of help under the customer form's fields people most often get wrong.
FIELD_HELP = {
    "business_id": _l("Seven digits, a hyphen and the check digit, e.g. 0737546-2."),
    "birth_date": _l("Year-month-day, e.g. 1980-05-17."),
    "phone": _l("For example 040 123 4567, or +46 8 123 456 for a number abroad."),
    "mobile": _l("For example 040 123 4567, or +46 8 123 456 for a number abroad."),
    "fax": _l("For example 09 123 4567, or +46 8 123 456 for a number abroad."),
}

# Field labels shared by every register screen that shows these fields (the customer
# screens, billing, the marketing list, the fields of a rectification request).
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
    "not_reachable_reason": _l("Why not reachable"),
    "data_source": _l("Source of the data"),
    "data_source_note": _l("Note on the source"),
    "checked_on": _l("Last checked"),
    "postal_check_reason": _l("Reason to keep a postal code or city not in the table"),
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

# A customer's rows that keep it from being deleted, as the refusal names them
# ("… because it has contact history"); a prohibition or a consent is kept too (deleted
# with the customer, the person's other records lost the prohibition).
DELETE_BLOCKING_LABELS = {
    "events": _l("contact history"),
    "purchases": _l("purchases"),
    "invoices": _l("invoices"),
    "prohibitions": _l("prohibitions of direct marketing"),
    "marketing_consents": _l("marketing consents"),
}

# services.statistics.STATISTICS: each statistic's title, and what its rows are.
STATISTIC_TITLES = {
    "customers_by_kind": _l("Customers by section and kind"),
    "customers_by_language": _l("Customers by section and language"),
    "customers_by_postal_area": _l("Customers by postal area"),
    "new_customers": _l("New customers per month"),
    "contact_events": _l("Contacts per month by channel and direction"),
    "purchases": _l("Purchases per service per month"),
    "invoicing": _l("Invoicing and collection per month"),
}
STATISTIC_ROW_LABELS = {
    "customers_by_kind": _l("Section"),
    "customers_by_language": _l("Section"),
    "customers_by_postal_area": _l("Postal code"),
    "new_customers": _l("Month"),
    "contact_events": _l("Month"),
    "purchases": _l("Service"),
    "invoicing": _l("Month"),
}

# services.statistics.INVOICE_COLUMNS
INVOICE_COLUMN_LABELS = {
    "invoices": _l("Number of invoices"),
    "invoiced": _l("Invoiced (€)"),
    "collected": _l("Collected (€)"),
}

# services.duplicates.DUPLICATE_REASONS: why two customers of a section may be the same.
DUPLICATE_REASON_LABELS = {
    "business_id": _l("Same business ID"),
    "email": _l("Same email address"),
    "name_and_birth_date": _l("Same name and birth date"),
    "similar_name": _l("Similar name with the same postal code or phone number"),
}
