"""Access grants, reviews and guidance (seed §3, §4, §9, §17); login security and
sessions."""

import peewee as pw

from models.base import ROLES, BaseModel, choices, utcnow
from models.people import Section, User


# --- Access grants, reviews and guidance (seed §3, §4, §9, §17) ------------------------

# An account's life (seed §3, §4, §9, §17): someone asks access for a person, the
# controller decides, the handler of the section (or the controller) implements it by
# creating or changing the account, and the access ends when the duties end — the
# account is closed and its username removed, the row stays for history. The
# responsible person reviews every account at least yearly; the controller publishes the
# internal guidance (seed §18), which every user acknowledges.

# requested → approved or refused (the controller) → implemented (approved only).
ACCESS_REQUEST_STATES = ("requested", "approved", "refused", "implemented")
# A request for a new account, or to change an existing account's role and sections.
ACCESS_REQUEST_KINDS = ("new", "change")
# ended: the duties ended (username removed, for good); disabled: closed, e.g. unused
# for long, the username kept; reactivated: a disabled account opened again.
ACCOUNT_CHANGE_KINDS = ("ended", "disabled", "reactivated")
# Where a grant or an account change was made: the pages, or the server's command line
# (flask users create|bootstrap|deactivate), where no user of the register is named.
ORIGINS = ("web", "cli")
REVIEW_OUTCOMES = ("keep", "change", "end")


class AccessRequest(BaseModel):
    """A request for access, the controller's decision and its implementation, linked.

    ``account`` is the account to change (kind ``change``), or the account created when a
    request for a new account was implemented. ``person_name`` and ``email`` say whom a new
    account is for: the grant record keeps them, the account itself and the audit log
    do not.
    """

    kind = pw.CharField(max_length=8, choices=choices(ACCESS_REQUEST_KINDS), default="new")
    account = pw.ForeignKeyField(User, null=True, backref="access_requests",
                                 on_delete="RESTRICT")
    person_name = pw.CharField(max_length=200, null=True)
    email = pw.CharField(max_length=254, null=True)
    role = pw.CharField(max_length=16, choices=choices(ROLES))
    reason = pw.TextField()
    state = pw.CharField(max_length=16, choices=choices(ACCESS_REQUEST_STATES),
                         default="requested", index=True)
    requested_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    requested_at = pw.DateTimeField(default=utcnow)
    decision_reason = pw.TextField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    implemented_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    implemented_at = pw.DateTimeField(null=True)
    origin = pw.CharField(max_length=8, choices=choices(ORIGINS), default="web")

    class Meta:
        table_name = "access_request"


class AccessRequestSection(BaseModel):
    """A section an access request asks for."""

    request = pw.ForeignKeyField(AccessRequest, backref="section_links", on_delete="CASCADE",
                                 index=False)
    section = pw.ForeignKeyField(Section, backref="+", on_delete="RESTRICT")

    class Meta:
        table_name = "access_request_section"
        indexes = ((("request", "section"), True),)


class AccountStatusChange(BaseModel):
    """An account closed (access ended, or disabled) or opened again: when, why, by whom.

    ``changed_by`` is empty when the register did it itself (``users disable-idle``) or
    it was done on the server's command line (``origin`` "cli"); ``idle_days`` is set when
    an account was disabled for not being used that long.
    """

    user = pw.ForeignKeyField(User, backref="status_changes", on_delete="RESTRICT",
                              index=False)
    kind = pw.CharField(max_length=16, choices=choices(ACCOUNT_CHANGE_KINDS))
    effective_on = pw.DateField()
    reason = pw.TextField(null=True)
    idle_days = pw.IntegerField(null=True)
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)
    origin = pw.CharField(max_length=8, choices=choices(ORIGINS), default="web")

    class Meta:
        table_name = "account_status_change"
        indexes = ((("user", "changed_at"), False),)


class AccessReview(BaseModel):
    """One review of every account (seed §3: at least once a year), by the responsible
    person; its items are the outcome per account."""

    reviewed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reviewed_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "access_review"


class AccessReviewItem(BaseModel):
    """One account as the review saw it — role, sections, last login, idle, the guidance
    version acknowledged — and the outcome: keep, change or end, with a comment."""

    review = pw.ForeignKeyField(AccessReview, backref="items", on_delete="CASCADE",
                                index=False)
    user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    role = pw.CharField(max_length=16, choices=choices(ROLES))
    sections = pw.TextField(default="")  # space-separated section codes
    active = pw.BooleanField()
    last_login_at = pw.DateTimeField(null=True)
    idle = pw.BooleanField(default=False)
    guidance_version = pw.IntegerField(null=True)  # the newest one acknowledged
    outcome = pw.CharField(max_length=8, choices=choices(REVIEW_OUTCOMES))
    comment = pw.TextField(null=True)

    class Meta:
        table_name = "access_review_item"
        indexes = ((("review", "user"), True),)


class GuidanceVersion(BaseModel):
    """A version of the register's internal guidance (seed §18), published by the controller."""

    number = pw.IntegerField(unique=True)
    text = pw.TextField()
    published_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    published_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "guidance_version"


class GuidanceAcknowledgement(BaseModel):
    """A user's acknowledgement of having read one version of the guidance."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    version = pw.ForeignKeyField(GuidanceVersion, backref="acknowledgements",
                                 on_delete="RESTRICT")
    acknowledged_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "guidance_acknowledgement"
        indexes = ((("user", "version"), True),)


# --- Login security and sessions -------------------------------------------------------
# Counted in the database, so that every process of the register sees the same failures
# and locks; a session lives here and the signed cookie only carries its token.


class LoginFailure(BaseModel):
    """A failed login: when, for which username and from which address (kept a day)."""

    at = pw.DateTimeField(index=True)  # naive UTC
    # A keyed hash of the typed username (services.accounts.username_key), never the
    # text itself: a password typed into the username field must not be stored.
    username_key = pw.CharField(max_length=64)
    address = pw.CharField(max_length=45, null=True)

    class Meta:
        table_name = "login_failure"
        indexes = (
            (("username_key", "at"), False),
            (("address", "at"), False),
        )


class LoginLock(BaseModel):
    """A username locked out of logging in until ``until``; or an address slowed down, its
    next login attempt not before ``until`` (services/accounts.py)."""

    kind = pw.CharField(max_length=16)  # "username" or "address"
    key = pw.CharField(max_length=64)  # LoginFailure.username_key or the address
    user = pw.ForeignKeyField(User, null=True, on_delete="CASCADE")  # the username's account
    locked_at = pw.DateTimeField()
    until = pw.DateTimeField()

    class Meta:
        table_name = "login_lock"
        indexes = ((("kind", "key"), True),)


class UserSession(BaseModel):
    """A logged-in session; the cookie carries a random token, this table its hash."""

    token_hash = pw.CharField(max_length=64, primary_key=True)
    user = pw.ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    last_seen_at = pw.DateTimeField()
    revoked_at = pw.DateTimeField(null=True)
    # logout, idle, absolute, deactivated, password, access_ended …
    revoked_reason = pw.CharField(max_length=16, null=True)

    class Meta:
        table_name = "user_session"
        indexes = ((("user", "revoked_at"), False),)


class TotpCredential(BaseModel):
    """A user's authenticator key for the second login factor (TOTP, RFC 6238).

    The key is stored encrypted (Fernet, services.totp); it is shown once, while enrolling,
    and used only when ``confirmed_at`` is set (a code from it was typed right).
    """

    user = pw.ForeignKeyField(User, unique=True, backref="totp_credentials", on_delete="CASCADE")
    secret = pw.TextField()
    created_at = pw.DateTimeField()
    confirmed_at = pw.DateTimeField(null=True)
    # The 30-second time step of the last code accepted: a code is good once.
    last_step = pw.BigIntegerField(default=0)

    class Meta:
        table_name = "totp_credential"


class SentForm(BaseModel):
    """A form that made something, by the random token the page gave it (services/once.py):
    the same form sent again — a double click, a resent page — makes nothing more and is
    shown what the first sending made. Kept two days."""

    token = pw.CharField(max_length=32, primary_key=True)
    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = pw.CharField(max_length=32)  # what the form makes, e.g. "inspection_request"
    made_id = pw.IntegerField()  # the first row it made
    sent_at = pw.DateTimeField(index=True)

    class Meta:
        table_name = "sent_form"
