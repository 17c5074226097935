"""The names of the data subject rights' codes: inspection and rectification requests,
prohibitions, marketing consents (and their texts), disclosures and the retention purge (seed §8, §12, §14–§17).

Keyed by the code tuples of ``models``; the states a request passes through by
``services.requests`` and ``services.rectification``.
"""

from services.vocabulary import _l
from services.vocabulary.customers import CATEGORY_LABELS, CUSTOMER_LANGUAGE_LABELS

# --- inspection requests (seed §14) --------------------------------------------------------

# models.REQUEST_CHANNELS
REQUEST_CHANNEL_LABELS = {
    "written": _l("In writing"),
    "in_person": _l("In person"),
    "oral_on_site": _l("Orally on site"),
}

# models.IDENTITY_METHODS
IDENTITY_METHOD_LABELS = {
    "id_card": _l("Identity card"),
    "passport": _l("Passport"),
    "driving_licence": _l("Driving licence"),
    "known_in_person": _l("Known in person"),
    "strong_electronic": _l("Strong electronic identification"),
    "other": _l("Other (describe in the note)"),
}

# models.DELIVERY_METHODS
DELIVERY_METHOD_LABELS = {
    "handed_over": _l("Handed over in person"),
    "post": _l("By post"),
    "secure_email": _l("By secure email"),
}

# models.DECISIONS: a decision made (inspection requests, the report).
DECISION_LABELS = {"approved": _l("Approved"), "refused": _l("Refused")}

# services.requests.STATES
INSPECTION_STATE_LABELS = {
    "received": _l("Received, identity not checked"),
    "identified": _l("Identity checked, waiting for the decision"),
    "decided": _l("Decided, waiting for delivery"),
    "delivered": _l("Delivered"),
}

# services.requests.REPORT_LANGUAGES: the languages the report is written in.
REPORT_LANGUAGE_LABELS = {code: CUSTOMER_LANGUAGE_LABELS[code] for code in ("fi", "sv", "en")}

# What a found record matched of the details given with the requester's name.
SUBJECT_MATCH_LABELS = {
    "birth_date": _l("birth date"),
    "email": _l("email"),
    "phone": _l("phone"),
    "business_id": _l("business ID"),
}

# The lists of requests each role acts on (services.requests.worklist), their headings.
WORKLIST_HEADINGS = {
    "identity": _l("Waiting for the identity check"),
    "subjects": _l("Waiting for the requester's records to be confirmed"),
    "delivery": _l("Decided, waiting for delivery"),
    "decision": _l("Waiting for your decision"),
    "review": _l("Served on site, to review"),
    "overdue": _l("All overdue requests"),
}

# services.worklist.TASKS: the front page's other rows, what the user is to do.
WORK_TASK_LABELS = {
    "rectification_verify": _l("Check the data against the source"),
    "rectification_decide": _l("Decide on the rectification"),
    "rectification_apply": _l("Apply the approved rectification"),
    "access_decision": _l("Decide on the access request"),
    "access_implementation": _l("Implement the approved access"),
    "access_review": _l("Carry out the yearly access review"),
    "purge_review": _l("Review the unused customers and purge them"),
}

# --- prohibitions (seed §16) ---------------------------------------------------------------

# models.PROHIBITION_PURPOSES
PROHIBITION_PURPOSE_LABELS = {
    "direct_marketing": _l("Direct marketing"),
    "market_research": _l("Market research"),
    "opinion_research": _l("Opinion research"),
}

# models.PROHIBITION_ACTIONS
PROHIBITION_ACTION_LABELS = {
    "given": _l("Prohibition given"),
    "withdrawn": _l("Prohibition withdrawn"),
}

# models.PROHIBITION_SOURCES: how the prohibition came, as the staff record it (the report
# tells the person "told by the person": report.REPORT_CODE_LABELS).
PROHIBITION_SOURCE_LABELS = {
    "own_word": _l("Orally"),
    "letter": _l("By letter"),
    "email": _l("By email"),
    "form": _l("On a form"),
}

# --- direct marketing consent (seed §16; Act 917/2014 §200) -------------------------------

# models.CONSENT_CHANNELS
CONSENT_CHANNEL_LABELS = {
    "email": _l("Email marketing"),
    "sms": _l("Text message (SMS) marketing"),
}

# models.CONSENT_METHODS: how the person gave or withdrew a consent.
CONSENT_METHOD_LABELS = {
    "in_person": _l("In person"),
    "paper_form": _l("On a paper form"),
    "web_form": _l("On a web form"),
    "email": _l("By email"),
    "letter": _l("By letter"),
    "phone": _l("By phone"),
}

# The consent texts shown to the person, by version code, oldest first: the last one is
# the current text (services.consent.CURRENT_WORDING). A changed text is a new version with
# a new code, never an edit of an old one: a recorded consent names the text it was given to.
CONSENT_WORDINGS = {
    "2026-1": {
        "email": _l("I agree that the City of Helsinki Economic Development services may send "
                    "me news, invitations and offers of their services by email. I can "
                    "withdraw my consent at any time by telling the Economic Development "
                    "services or through the link in each message."),
        "sms": _l("I agree that the City of Helsinki Economic Development services may send "
                  "me news, invitations and offers of their services as text messages (SMS) "
                  "to my mobile phone. I can withdraw my consent at any time by telling the "
                  "Economic Development services."),
    },
}

# --- rectification requests (seed §15) -----------------------------------------------------

# models.VERIFICATION_SOURCES
VERIFICATION_SOURCE_LABELS = {
    "population_register": _l("Population information system"),
    "trade_register": _l("Trade register"),
    "own_document": _l("The customer's own document"),
    "other": _l("Other"),
}

# models.DECISIONS as the rectification pages offer and show them: what to do.
RECTIFICATION_DECISION_LABELS = {
    "approved": _l("Approve"),
    "refused": _l("Refuse"),
}

# services.rectification.STATES
RECTIFICATION_STATE_LABELS = {
    "registered": _l("Registered, data not checked"),
    "verified": _l("Checked, waiting for a decision"),
    "approved": _l("Approved, not yet applied"),
    "refused": _l("Refused"),
    "applied": _l("Applied"),
}

# --- disclosures (seed §8) -----------------------------------------------------------------

# models.DISCLOSURE_STATES
DISCLOSURE_STATE_LABELS = {
    "prepared": _l("Prepared, waiting for the controller's decision"),
    "approved": _l("Approved, not yet carried out"),
    "refused": _l("Refused"),
    "carried_out": _l("Carried out"),
}

# services.disclosures.EXPORT_FORMATS
EXPORT_FORMAT_LABELS = {
    "csv": _l("CSV (semicolon-separated, UTF-8)"),
    "xlsx": _l("XLSX (Excel)"),
}

# --- the retention purge (seed §12) --------------------------------------------------------

# models.PURGE_KINDS
PURGE_KIND_LABELS = {
    "purge": _l("Purge of unused customers"),
    "erasure": _l("Erasure on request (GDPR Art. 17)"),
}

# models.PURGE_STATES
PURGE_STATE_LABELS = {
    "previewed": _l("Previewed, not confirmed"),
    "superseded": _l("Replaced by a newer preview"),
    "stale": _l("Not confirmed: the customers changed"),
    "confirmed": _l("Confirmed, not started"),
    "running": _l("Under way"),
    "finished": _l("Finished"),
}

# What a purge counts (services.retention.COUNTED_CATEGORIES and the customers): the data
# categories, two of them said more precisely.
PURGE_COUNT_LABELS = {
    "customers": _l("Customers"),
    **CATEGORY_LABELS,
    "history": _l("Customer history (contacts and purchases)"),
    "record": _l("Prohibitions, marketing consents and rectification requests"),
}

# models.RECORD_KINDS: the register's own records, each with a retention rule.
RECORD_KIND_LABELS = {
    "inspection_requests": _l("Closed inspection requests: the requester's details"),
    "rectification_requests": _l("Closed rectification requests: the requester's details"),
    "access_requests": _l("Access requests of ended accounts and refused requests"),
    "account_status_changes": _l("Superseded account status changes"),
    "login_failures": _l("Failed logins"),
    "ended_sessions": _l("Ended sessions"),
    "audit_log": _l("Audit log events"),
}
# What each rule does, and from when its period runs.
RECORD_KIND_RULES = {
    "inspection_requests": _l("The requester's name, contact details and identity note are "
                              "wiped this long after the request was delivered or refused; "
                              "a pseudonym of the name is kept for the counts."),
    "rectification_requests": _l("The requester's name and the note of the check are wiped "
                                 "this long after the request was applied or refused; a "
                                 "pseudonym of the name is kept for the counts."),
    "access_requests": _l("Deleted this long after the account's access ended, or after the "
                          "request was refused. The grants of accounts in use stay."),
    "account_status_changes": _l("Deleted this long after a later change superseded them. "
                                 "The newest change of each account stays."),
    "login_failures": _l("Deleted this long after the attempt. The login removes them "
                         "already a day after, at the next failed login."),
    "ended_sessions": _l("Deleted this long after the session ended. The login removes them "
                         "already 90 days after, at the next login."),
    "audit_log": _l("Events older than this are removed from the start of the log; a signed "
                    "checkpoint keeps the rest of the log verifiable."),
}
