"""The names of the outbox's states and of the notification kinds, and the texts of the
notifications themselves (issue 17).

Keyed by ``models.OUTBOX_STATES`` and ``models.NOTIFICATION_KINDS``. A message is written
in its recipient's language from these msgids (``services.notifications.messages``): it
says what is due, in which section, by when and where — never whose.
"""

from services.vocabulary import _l

# models.OUTBOX_STATES
OUTBOX_STATE_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "held": _l("Held for the daily digest"),
    "digested": _l("Sent in a daily digest"),
    "dropped": _l("Not sent: no longer for its recipient"),
}

# models.NOTIFICATION_KINDS
NOTIFICATION_KIND_LABELS = {
    "inspection_request": _l("New inspection request"),
    "rectification_request": _l("New rectification request"),
    "access_request": _l("New access request"),
    "access_approved": _l("Access request approved"),
    "inspection_due": _l("Inspection request due soon"),
    "inspection_overdue": _l("Inspection request overdue"),
    "email_confirmation": _l("Confirmation of an email address"),
    "purge_review_due": _l("Purge review due"),
    "access_review_due": _l("Access review due"),
    "guidance_published": _l("New guidance published"),
    "daily_digest": _l("Daily digest"),
    "backup_problem": _l("Backup late or failed"),
    "drill_failed": _l("Restore drill failed"),
}

# Each kind's subject and first paragraph; %(section)s is the section's name in the
# recipient's language, %(due)s a date, %(link)s the page's address.
NOTIFICATION_SUBJECTS = {
    "inspection_request": _l("New inspection request for the section %(section)s, "
                             "due %(due)s"),
    "rectification_request": _l("New rectification request for the section %(section)s"),
    "access_request": _l("A new access request waits for your decision"),
    "access_approved": _l("An approved access request waits for implementation"),
    "inspection_due": _l("Inspection request for the section %(section)s due %(due)s"),
    "inspection_overdue": _l("Inspection request for the section %(section)s is overdue "
                             "(due %(due)s)"),
    "email_confirmation": _l("Confirm your email address for the customer register"),
    "purge_review_due": _l("The purge review of the customer register is due %(due)s"),
    "access_review_due": _l("The access review of the customer register is due %(due)s"),
    "guidance_published": _l("New guidance for the users of the customer register "
                             "(version %(version)s)"),
    "daily_digest": _l("The daily digest of your notifications from the customer register "
                       "(%(count)s)"),
    "backup_problem": _l("A backup of the customer register is late or has failed"),
    "drill_failed": _l("A restore drill of the customer register's backups failed"),
}

NOTIFICATION_BODIES = {
    "inspection_request": _l(
        "A new inspection request has come to the section %(section)s of the customer "
        "register. It must be carried out by %(due)s.\n\nOpen the request: %(link)s"),
    "rectification_request": _l(
        "A new rectification request has come to the section %(section)s of the customer "
        "register. Check it and decide on it without undue delay.\n\n"
        "Open the request: %(link)s"),
    "access_request": _l(
        "A new access request to the customer register waits for the controller's "
        "decision.\n\nOpen the request: %(link)s"),
    "access_approved": _l(
        "The controller has approved an access request to your sections of the customer "
        "register. Create or change the account.\n\nOpen the request: %(link)s"),
    "inspection_due": _l(
        "An inspection request of the section %(section)s of the customer register must "
        "be carried out by %(due)s.\n\nOpen the request: %(link)s"),
    "inspection_overdue": _l(
        "An inspection request of the section %(section)s of the customer register was "
        "due on %(due)s and has not been carried out. Carry it out at once.\n\n"
        "Open the request: %(link)s"),
    "email_confirmation": _l(
        "This address was given for the notifications of an account of the customer "
        "register. To confirm it, log in and open this link within 48 hours: %(link)s\n\n"
        "If you did not give it, ignore this message: the address is not changed."),
    "purge_review_due": _l(
        "The periodic review of the unused customers of the customer register is due on "
        "%(due)s. Make a purge preview and confirm it.\n\nOpen the purge preview: %(link)s"),
    "access_review_due": _l(
        "The yearly review of the accounts of the customer register is due on %(due)s. "
        "Review every account.\n\nOpen the access review: %(link)s"),
    "guidance_published": _l(
        "The controller has published a new version of the internal guidance of the customer "
        "register. Read it: the register asks you to acknowledge it the next time you log "
        "in.\n\nOpen the guidance: %(link)s"),
    "daily_digest": _l(
        "You chose to get the notifications of the customer register that have no legal "
        "deadline once a day. These came since the last digest; each line says what is due "
        "and links to its page:"),
    "backup_problem": _l(
        "A backup of the customer register is late or has failed, or its off-site copy is "
        "missing or failed. Until it is fixed, the newest data has no safe copy. Check the "
        "backup status and the server's log.\n\nOpen the backups: %(link)s"),
    "drill_failed": _l(
        "A restore drill of the customer register's backups failed: the backup could not "
        "be restored and checked. Find out why and run the drill again.\n\n"
        "Open the backups: %(link)s"),
}

# The end of every message.
NOTIFICATION_FOOTER = _l(
    "This message was sent by the customer register of the City of Helsinki Economic "
    "Development services; it holds no personal data. Change your email address and the "
    "notifications you get on your account page: %(account_link)s")
