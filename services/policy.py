"""Who may do what: the one capability table, the section rule and the customer scope.

Every permission of the register is a capability in ``CAPABILITIES``, held by a set of
roles (DESIGN.md §1, seed §3, §4, §9, §17). The pages, the services and the commands ask
``may(user, capability)``; none of them names a role. Which customers a user reads is
``readable_section_ids(user)``, and every path that reaches customers — a list, a custom
page's search, a request's records, a report, a disclosure, a deep list page — limits
them with ``customer_scope`` of those sections (DESIGN.md §4.14).

A step the user may not take raises ``NotAllowed``; the app answers it with 403. The
README's role table is ``role_table()``, and a test holds the two equal. No Flask here.
"""

from typing import NamedTuple

from peewee import SQL

from database import is_sqlite
from models import ROLES, Customer, Section, UserSection


class Capability(NamedTuple):
    roles: tuple
    allows: str  # in the README's words


CAPABILITIES = {
    # --- the register's customers ---
    "read_all_sections": Capability(
        ("controller", "responsible"), "read the customers of every section"),
    "read_granted_sections": Capability(
        ("handler", "staff"), "read the customers of the sections granted to them (only these "
        "roles' accounts have sections)"),
    "use_register": Capability(
        ("controller", "responsible", "handler", "staff"),
        "open the customer screens, their export, prohibitions, rectification requests, "
        "the marketing list and inspection reports (technical maintenance sees no "
        "personal data on any screen)"),
    "edit_customers": Capability(
        ("handler", "staff"),
        "create and update customers, their history, billing, prohibitions and marketing "
        "consents"),
    "delete_customers": Capability(("handler",), "delete a customer"),
    "import_customers": Capability(
        ("handler", "staff"),
        "import customers from a CSV or XLSX file into their sections (whoever creates "
        "customers; the sections are separate registers)"),
    "find_duplicates": Capability(
        ("controller", "responsible", "handler", "staff"),
        "list the possible duplicate customers of the sections they read"),
    "merge_customers": Capability(
        ("handler", "staff"),
        "merge two customers of one of their sections into one (the controller and the "
        "responsible person read only: a merge rewrites and deletes a customer)"),
    # --- inspection requests (seed §14) ---
    "register_inspection_requests": Capability(
        ("controller", "responsible", "handler", "staff"),
        "register an inspection request and follow the ones they registered"),
    "serve_on_site": Capability(
        ("controller", "responsible", "handler", "staff"),
        "serve an oral inspection request on site at once, from the sections they read"),
    "handle_section_inspection_requests": Capability(
        ("handler",), "handle the inspection requests of their sections: identity check, "
        "records, report, delivery"),
    "handle_all_inspection_requests": Capability(
        ("controller", "responsible"), "read and handle every inspection request"),
    "decide_inspection_requests": Capability(
        ("controller", "responsible"),
        "approve or refuse inspection requests; review those served on site"),
    # --- rectification (seed §15) ---
    "register_rectification": Capability(
        ("responsible", "handler", "staff"),
        "register a rectification request and record its check"),
    "decide_rectification": Capability(
        ("controller", "responsible", "handler"), "approve or refuse a rectification request"),
    "apply_rectification": Capability(
        ("responsible", "handler"), "apply an approved rectification"),
    # --- disclosures (seed §8, §17) ---
    "read_disclosures": Capability(
        ("controller", "responsible", "handler"),
        "read disclosures (a handler: those of their sections' customers)"),
    "prepare_disclosures": Capability(
        ("controller", "handler"), "prepare and carry out a disclosure"),
    "decide_disclosures": Capability(("controller",), "approve or refuse a disclosure"),
    "manage_disclosure_recipients": Capability(
        ("controller",), "add and deactivate the allowed recipients"),
    # --- access management (seed §3, §9, §17, §18) ---
    "request_access": Capability(
        ("controller", "responsible", "handler", "staff"),
        "ask access for a person, or a change to an account (staff: their own)"),
    "oversee_access": Capability(
        ("controller", "responsible"),
        "read every account, access request, access review and guidance acknowledgement"),
    "list_accounts": Capability(
        ("controller", "responsible", "handler"), "list the accounts (a handler: those "
        "sharing a section)"),
    "decide_access": Capability(("controller",), "approve or refuse access requests"),
    "implement_access": Capability(
        ("controller", "handler"), "implement approved access requests"),
    "manage_all_accounts": Capability(
        ("controller",), "implement any access request; end or reactivate any account but "
        "their own"),
    "manage_section_accounts": Capability(
        ("handler",), "implement a request, end or reactivate an account, whose every "
        "section is theirs"),
    "review_access": Capability(("responsible",), "carry out the yearly access review"),
    "publish_guidance": Capability(("controller",), "publish the internal guidance"),
    # --- the controller's settings and the register description (seed §13, §17) ---
    "manage_settings": Capability(
        ("controller",), "change the controller's settings; publish the register description "
        "and the privacy notice"),
    # --- retention, statistics, audit, backups (seed §11, §12) ---
    "read_retention": Capability(
        ("controller", "responsible", "handler"),
        "read the retention periods, purge previews and the purge log"),
    "decide_retention": Capability(
        ("controller",), "change retention periods; confirm and run a purge"),
    "decide_record_retention": Capability(
        ("controller",), "change the retention rules of the register's own records"),
    "erase_on_request": Capability(
        ("responsible",), "erase a customer on the subject's request"),
    "read_statistics": Capability(
        ("controller", "responsible", "handler"), "read the statistics"),
    "manage_sections": Capability(
        ("controller",), "add sections, name them and choose their data categories"),
    "read_audit_log": Capability(("controller", "responsible"), "read the audit log"),
    "see_backups": Capability(
        ("controller", "responsible", "maintenance"),
        "see the backups and their status; run a restore drill"),
    # --- email notifications (issue 17) ---
    "notified_of_section_requests": Capability(
        ("handler",), "get an email of each new inspection or rectification request of "
        "their sections, and of each approved access request they implement"),
    "notified_of_all_requests": Capability(
        ("responsible",), "get an email of each new inspection or rectification request of "
        "any section"),
    "notified_of_deadlines": Capability(
        ("controller", "responsible"), "get an email when an inspection request of any "
        "section is two days from its deadline, and when it is overdue"),
    "notified_of_backups": Capability(
        ("maintenance", "responsible"), "get an email when a backup is late or fails (or "
        "its off-site copy), and when a restore drill fails"),
    "see_outbox": Capability(
        ("controller", "maintenance"),
        "see the outbox of email notifications (addresses, kinds, states; no customer's "
        "data) and send failed mail again"),
    # --- duties that come due (issue 17; seed §3, §11, §12, §18) ---
    "see_duties": Capability(
        ("controller", "responsible"), "see the periodic duties with their last done and "
        "next due days, and every account's last training"),
    "see_security_overview": Capability(
        ("controller", "responsible"), "see the security overview: accounts without a second "
        "factor, past their review or idle, failed logins and lockouts per week, the last "
        "backup, its encryption and off-site copy, the restore drill and the audit chain's "
        "verification"),
    "record_training": Capability(
        ("responsible",), "record training sessions and who attended; set how long a "
        "training counts"),
    # --- the register's description of itself (seed §13, §17; GDPR Art. 30) ---
    "read_processing_record": Capability(
        ("controller",), "read and download the record of processing activities (GDPR "
        "Art. 30) as PDF and XLSX"),
}

# With TOTP_ENABLED, these roles must use the second factor (the default of the setting
# TOTP_REQUIRED_ROLES): those who read every section.
SECOND_FACTOR_ROLES = CAPABILITIES["read_all_sections"].roles
# The roles the security overview advises to use it too: those who manage accounts or the
# backups (a copy of every customer).
SECOND_FACTOR_ADVISED_ROLES = tuple(dict.fromkeys(
    role for name in ("manage_section_accounts", "see_backups")
    for role in CAPABILITIES[name].roles if role not in SECOND_FACTOR_ROLES))


class NotAllowed(Exception):
    """The user's role (or sections) does not allow this step: the pages answer 403.

    ``message`` is an untranslated msgid with %(name)s parameters, as in RegisterError.
    """

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# --- who may ----------------------------------------------------------------------------


def roles_with(capability):
    """Return the roles that hold ``capability`` (a KeyError for an unknown one)."""
    return CAPABILITIES[capability].roles


def role_may(role, capability):
    """Tell whether the role ``role`` holds ``capability``."""
    return role in roles_with(capability)


def may(user, capability):
    """Tell whether ``user`` (None or anonymous: nobody) holds ``capability``."""
    if user is None or not getattr(user, "is_authenticated", False):
        roles_with(capability)  # an unknown capability is an error for everyone
        return False
    return role_may(user.role, capability)


def requires_second_factor(user, required_roles):
    """Tell whether ``user``'s role is one of ``required_roles`` (TOTP_REQUIRED_ROLES)."""
    return user.role in (required_roles or ())


# --- whose customers --------------------------------------------------------------------


def readable_section_ids(user, every=None):
    """Return the ids of the sections whose customers ``user`` may read, in id order.

    ``every``: the ids of every section, when the caller has read them already."""
    if may(user, "read_all_sections"):
        if every is not None:
            return sorted(every)
        return [s.id for s in Section.select(Section.id).order_by(Section.id)]
    if may(user, "read_granted_sections"):
        return [row.section_id for row in UserSection.select(UserSection.section)
                .where(UserSection.user == user.id).order_by(UserSection.section)]
    return []


def import_section_ids(user):
    """Return the ids of the sections ``user`` may import customers into: the sections
    whose customers the user creates and edits (their own)."""
    if not may(user, "import_customers"):
        return []
    return [row.section_id for row in UserSection.select(UserSection.section)
            .where(UserSection.user == user.id).order_by(UserSection.section)]


def reads_section(user, section_id):
    """Tell whether ``user`` may read the customers of section ``section_id``."""
    return section_id in readable_section_ids(user)


def limiting_section_ids(section_ids, every_section_id):
    """Return ``section_ids`` as a list, or None when they hold every section of
    ``every_section_id`` (then there is nothing to limit)."""
    ids = list(section_ids)
    return None if set(ids) >= set(every_section_id) else ids


def customer_scope(section_ids, every_section_id=None):
    """The condition limiting customers to ``section_ids``, shaped for paging by name.

    ``section_ids`` None: every section, no condition at all; empty: no customer. Given
    ``every_section_id`` (the ids of every section, which a page reads once per request),
    sections that are all of them are no condition either, so an index walk has nothing to
    test. One section: ``section_id = ?`` walks the (section, sort_name) index in order.
    Several, on SQLite: ``section_id + 0 IN (…)`` keeps the planner off that index (it
    would have to sort every matching row) and lets it walk a (sort_name, section_id)
    index, filtering as it goes. PostgreSQL plans a plain ``IN`` well, from its statistics.
    """
    if section_ids is None:
        return SQL("1 = 1")
    ids = list(section_ids)
    if not ids:
        return SQL("1 = 0")
    if every_section_id is not None and limiting_section_ids(ids, every_section_id) is None:
        return SQL("1 = 1")
    if len(ids) == 1:
        return Customer.section == ids[0]
    if is_sqlite():
        return (Customer.section + 0).in_(ids)
    return Customer.section.in_(ids)


def readable_customers(user):
    """Return the condition limiting customers to those ``user`` may read."""
    return customer_scope(readable_section_ids(user))


# --- the README's role table ------------------------------------------------------------


def role_table():
    """Return the README's role table: a row a capability, a column a role."""
    lines = ["| capability | may | " + " | ".join(f"`{role}`" for role in ROLES) + " |",
             "|---|---|" + "---|" * len(ROLES)]
    for name, capability in CAPABILITIES.items():
        marks = ("yes" if role in capability.roles else "—" for role in ROLES)
        lines.append(f"| `{name}` | {capability.allows} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
