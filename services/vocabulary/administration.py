"""The names of roles, access requests and accounts, the audit log's events and the backups'
states (seed §3, §9, §11, §17), and of the languages the pages are written in.

Keyed by the code tuples of ``models``; the audit actions by ``services.audit`` and the
features that record them, the backups' states by ``services.backup``.
"""

from services.vocabulary import _l

# models.ROLES
ROLE_LABELS = {
    "controller": _l("Controller"),
    "responsible": _l("Responsible person"),
    "handler": _l("Register handler"),
    "staff": _l("Staff member"),
    "maintenance": _l("Technical maintenance"),
}

# What each role does, as the front page tells its user.
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

# services.register_settings.LAWFUL_BASES: GDPR Art. 6(1) (a)–(f).
LAWFUL_BASIS_LABELS = {
    "consent": _l("Consent of the data subject"),
    "contract": _l("Performance of a contract"),
    "legal_obligation": _l("Compliance with a legal obligation"),
    "vital_interests": _l("Protection of vital interests"),
    "public_task": _l("Task carried out in the public interest"),
    "legitimate_interests": _l("Legitimate interests"),
}

# The parts of the controller's settings (services.register_settings.schema), as the
# settings page heads them.
SETTINGS_PART_LABELS = {
    "register_name": _l("Register name"),
    "controller": _l("Controller"),
    "postal_address": _l("Address for written requests"),
    "decision_maker": _l("Controller's decision-maker"),
    "responsible": _l("Person responsible for the register"),
    "handlers": _l("Persons handling register matters"),
    "handler_duties": _l("Duties of the persons handling register matters"),
    "purposes": _l("Purposes and their lawful bases"),
    "sources": _l("Regular sources of data"),
    "internal_use": _l("Internal use of the register"),
    "combining": _l("Combining with other registers"),
    "security": _l("Security measures"),
    "retention_note": _l("Keeping, archiving and destruction"),
    "informing": _l("Informing the data subjects"),
    "transfers": _l("Transfers outside the EU and the EEA"),
    "instructions": _l("Internal instructions and training"),
    "supervisory": _l("Supervisory authority"),
    "decision_maker_duties": _l("Duties of the decision-maker"),
    "responsible_duties": _l("Duties of the responsible person"),
}

# The fields of one part of the settings.
SETTINGS_FIELD_LABELS = {
    "name": _l("Name"),
    "title": _l("Title"),
    "contact": _l("Contact (phone or email)"),
    "duties": _l("Duties, one a line"),
    "text": _l("Purpose"),
    "basis": _l("Lawful basis"),
    "address": _l("Postal address"),
    "web": _l("Web address"),
}

# The languages of the pages, each in its own words (not translated).
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

# models.ACCESS_REQUEST_STATES
ACCESS_REQUEST_STATE_LABELS = {
    "requested": _l("Waiting for the controller's decision"),
    "approved": _l("Approved, waiting for implementation"),
    "refused": _l("Refused"),
    "implemented": _l("Implemented"),
}

# models.ACCESS_REQUEST_KINDS
ACCESS_REQUEST_KIND_LABELS = {
    "new": _l("A new account"),
    "change": _l("A change of an existing account"),
}

# Whether an account is open (services.access.AccountRow.state).
ACCOUNT_STATE_LABELS = {
    "active": _l("Open"),
    "disabled": _l("Disabled"),
    "ended": _l("Access ended"),
}

# models.REVIEW_OUTCOMES: of an account in the yearly review.
REVIEW_OUTCOME_LABELS = {
    "keep": _l("Keep"),
    "change": _l("Change"),
    "end": _l("End the access"),
}

# A backup's state in its manifest (services.backup): whether it passed its verification.
BACKUP_STATE_LABELS = {"good": _l("Verified"), "failed": _l("Failed")}

# The actions' names on screen. A feature that records a new action code adds its label
# here (the code itself shows until it does).
AUDIT_ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "view": _l("Viewed a record"),
    "create": _l("Created a record"),
    "update": _l("Changed a record"),
    "delete": _l("Deleted a record"),
    "export": _l("Exported records"),
    "search": _l("Searched"),
    "merge": _l("Merged two customers"),
    # Inspection requests (seed §14).
    "identify": _l("Checked identity"),
    "link_subject": _l("Linked a record to a request"),
    "unlink_subject": _l("Unlinked a record from a request"),
    "approve": _l("Approved a request"),
    "refuse": _l("Refused a request"),
    "deliver": _l("Delivered a report"),
    "review": _l("Reviewed a request served on site"),
    "report": _l("Produced an inspection report"),
    # Disclosures (seed §8) and the retention purge (seed §12).
    "decide": _l("Decided a disclosure"),
    "preview": _l("Previewed a purge"),
    "confirm": _l("Confirmed a purge"),
    "confirm_refused": _l("Purge confirmation refused: the set had changed"),
    "purge_start": _l("Started a purge"),
    "purge_records": _l("Applied a record retention rule"),
    "purge_resume": _l("Resumed a purge"),
    "purge_end": _l("Finished a purge"),
    "purge_refused": _l("Purge refused: the set had changed"),
    # Imports of customers from a file (issue 15).
    "import_dry_run": _l("Checked an import file (dry run)"),
    "import_start": _l("Started an import"),
    "import_resume": _l("Resumed an import"),
    "import_end": _l("Finished an import"),
    "import_cancel": _l("Cancelled an import; the rows stored before stay"),
    # Access management (seed §3, §9), login security and backups (seed §11).
    "implement": _l("Implemented an access grant"),
    "end_access": _l("Ended access"),
    "disable": _l("Disabled an account"),
    "reactivate": _l("Reactivated an account"),
    "publish": _l("Published guidance"),
    "acknowledge": _l("Acknowledged guidance"),
    "lockout": _l("Locked after failed logins"),
    "login_slowdown": _l("Logins from an address slowed down after failed logins"),
    "lockout_reset": _l("Login lock reset"),
    "password_change": _l("Changed password"),
    "totp_enrol": _l("Turned on two-step login"),
    "totp_remove": _l("Turned off two-step login"),
    "totp_reset": _l("Reset two-step login"),
    "backup_drill": _l("Ran a restore drill"),
    "backup_restore": _l("Restored a backup over the live database"),
    # One server's scheduler took the scheduled backup of every server (README "More than
    # one server"); the event has no actor.
    "scheduled_backup": _l("Took the scheduled backup"),
    "scheduled_backup_failed": _l("The scheduled backup failed"),
    # The postal code table of the address check (seed §7).
    "postal_codes_update": _l("Updated the postal code table"),
}

# models.SECTION_CHANGE_ACTIONS: what a change of a section did (services/sections.py).
SECTION_CHANGE_LABELS = {
    "create": _l("Section added"),
    "names": _l("Names changed"),
    "categories": _l("Data categories changed"),
    "delete_data": _l("Data of removed categories deleted"),
    "delete": _l("Section deleted"),
}

# The kinds of record an event names.
AUDIT_OBJECT_TYPE_LABELS = {
    "customer": _l("Customer"),
    "invoice": _l("Invoice"),
    "user": _l("User account"),
    "inspection_request": _l("Inspection request"),
    "rectification_request": _l("Rectification request"),
    "prohibition": _l("Prohibition"),
    "marketing_consent": _l("Marketing consent"),
    "marketing_list": _l("Marketing list"),
    "statistics": _l("Statistics"),
    "disclosure": _l("Disclosure"),
    "disclosure_recipient": _l("Disclosure recipient"),
    "purge_run": _l("Purge run"),
    "import_run": _l("Customer import"),
    "retention_policy": _l("Retention period"),
    "record_retention": _l("Retention rule of the register's own records"),
    "section": _l("Section"),
    "access_request": _l("Access request"),
    "access_review": _l("Access review"),
    "guidance": _l("Guidance"),
    "backup": _l("Backup"),
    "postal_code_table": _l("Postal code table"),
    "duty_setting": _l("Setting of a periodic duty"),
    "training": _l("Training session"),
}

# --- duties that come due (issue 17) ---------------------------------------------------

# services.duties.DUTIES
DUTY_LABELS = {
    "access_review": _l("Access review (yearly)"),
    "purge_review": _l("Purge review"),
    "restore_drill": _l("Restore drill of the backups"),
    "guidance_review": _l("Review of the internal guidance"),
    "training": _l("Training of the users"),
}

# services.duties.Duty.state
DUTY_STATE_LABELS = {
    "ok": _l("In time"),
    "soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "none": _l("Not yet due"),
}
