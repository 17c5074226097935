"""The register's data model, the database proxy and the field → data-category map.

Tables are created only by the numbered migrations in ``migrations/``; this module
declares the models the application reads and writes through.
"""

import datetime
import secrets

import peewee as pw

db = pw.DatabaseProxy()


def utcnow():
    """Return the current time as a naive UTC datetime (how every timestamp is stored).

    The register's one clock: every "now" in the code is this function, and every "today"
    is Helsinki's date of it (``services.localtime.helsinki_today``). The tests move it
    with time-machine (tests/conftest.py, README "Time").
    """
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# --- Vocabularies ------------------------------------------------------------------
# Codes are stored; what each is called on screen is in services/vocabulary/.

ROLES = ("controller", "responsible", "handler", "staff", "maintenance")

CUSTOMER_KINDS = ("person", "company", "organisation")
LANGUAGES = ("fi", "sv", "en", "other")
INFORMED_HOW = ("in_person", "letter", "email", "phone", "form", "web")
ADDRESS_KINDS = ("postal", "visiting", "billing")
DIRECTIONS = ("in", "out")
CHANNELS = ("phone", "email", "meeting", "letter", "event", "web", "other")
COLLECTION_STATES = ("open", "paid", "reminded", "in_collection", "written_off")

# Data subject rights (seed §14–§16).
REQUEST_CHANNELS = ("in_person", "written", "oral_on_site")
IDENTITY_METHODS = ("id_card", "passport", "driving_licence", "known_in_person",
                    "strong_electronic", "other")
DECISIONS = ("approved", "refused")
DELIVERY_METHODS = ("handed_over", "post", "secure_email")
VERIFICATION_SOURCES = ("population_register", "trade_register", "own_document", "other")
PROHIBITION_PURPOSES = ("direct_marketing", "market_research", "opinion_research")
PROHIBITION_ACTIONS = ("given", "withdrawn")
PROHIBITION_SOURCES = ("own_word", "letter", "email", "form")

# The data categories of the register description (seed §6), in its order, plus
# ``record``: what the register itself notes about an entry (ids, timestamps, when the
# person was informed). ``record`` belongs to every section.
CATEGORIES = (
    "identity",
    "birth_or_business_id",
    "address",
    "demographics",
    "phone",
    "fax",
    "email",
    "language",
    "own_info",
    "history",
    "contact_persons",
    "billing",
    "record",
)


def choices(codes):
    """Return ``(code, code)`` pairs for a peewee field's ``choices``."""
    return [(code, code) for code in codes]


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


# --- Sections and users ------------------------------------------------------------


class Section(BaseModel):
    """A register section (seed §1); its data categories decide what its screens show."""

    code = pw.CharField(max_length=32, unique=True)
    name_fi = pw.CharField(max_length=200)
    name_sv = pw.CharField(max_length=200)
    name_en = pw.CharField(max_length=200)
    # Space-separated category codes from CATEGORIES.
    categories = pw.TextField()

    @property
    def category_set(self):
        """Return the section's data categories as a frozenset of codes."""
        return frozenset(self.categories.split()) | {"record"}

    def name_in(self, locale):
        """Return the section's name in ``locale`` (fi, sv or en), Finnish otherwise."""
        return getattr(self, f"name_{locale}", None) or self.name_fi

    def __str__(self):
        return self.name_fi


def new_pseudonym():
    """Return a fresh pseudonymous user id that reveals nothing of the person."""
    return "u-" + secrets.token_hex(6)


class User(BaseModel):
    """A personal account (seed §9): one role, a set of sections."""

    # Nullable: ending access removes the username (seed §9), the row stays for history.
    username = pw.CharField(max_length=64, unique=True, null=True)
    pseudonym = pw.CharField(max_length=32, unique=True, default=new_pseudonym)
    role = pw.CharField(max_length=16, choices=choices(ROLES))
    active = pw.BooleanField(default=True)
    password_hash = pw.CharField(max_length=255, null=True)
    must_change_password = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)
    last_login_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "app_user"  # "user" is reserved in PostgreSQL

    # Flask-Login protocol.
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active and self.username is not None

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return str(self.id)

    @property
    def sections(self):
        """Return the user's sections, ordered by code."""
        return list(
            Section.select()
            .join(UserSection)
            .where(UserSection.user == self)
            .order_by(Section.code)
        )

    @classmethod
    def by_username(cls, username):
        """Return the account with this username, or None."""
        return cls.get_or_none(cls.username == username)

    def __str__(self):
        return self.username or f"#{self.id} ({self.pseudonym})"


class UserSection(BaseModel):
    user = pw.ForeignKeyField(User, backref="section_links", on_delete="CASCADE")
    section = pw.ForeignKeyField(Section, backref="user_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("user", "section"), True),)


# --- The register data (seed §6) ---------------------------------------------------


class Customer(BaseModel):
    """A customer or partner: a private person, a company or an organisation."""

    section = pw.ForeignKeyField(Section, backref="customers", on_delete="RESTRICT")
    kind = pw.CharField(max_length=16, choices=choices(CUSTOMER_KINDS))
    first_name = pw.CharField(max_length=100, null=True)
    last_name = pw.CharField(max_length=100, null=True)
    name = pw.CharField(max_length=200, null=True)  # company or organisation
    # Kept in step with the name fields by save(): what lists sort and page on.
    sort_name = pw.CharField(max_length=300, index=True)
    birth_date = pw.DateField(null=True)
    business_id = pw.CharField(max_length=9, null=True, index=True)  # Y-tunnus
    phone = pw.CharField(max_length=32, null=True)
    mobile = pw.CharField(max_length=32, null=True)
    fax = pw.CharField(max_length=32, null=True)
    email = pw.CharField(max_length=254, null=True, index=True)
    language = pw.CharField(max_length=8, choices=choices(LANGUAGES), default="fi")
    own_info = pw.TextField(null=True)
    # The city of the postal (else any) address, kept in step with the addresses by
    # services.customers.refresh_city: what the list shows and sorts by.
    city = pw.CharField(max_length=100, null=True)
    # The postal code of the same address, kept with the city: what statistics count by
    # postal area.
    postal_code = pw.CharField(max_length=10, null=True)
    informed_at = pw.DateTimeField(null=True)  # seed §13
    informed_how = pw.CharField(max_length=16, choices=choices(INFORMED_HOW), null=True)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)
    last_activity_at = pw.DateTimeField(null=True, index=True)
    # Set when the retention purge (or an erasure) minimised the customer: only what the
    # Accounting Act needs is kept, and the customer is on no marketing or research list.
    # Cleared when new activity is recorded after it (services.customers).
    minimised_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = (
            (("section", "sort_name"), False),
            (("section", "last_activity_at"), False),
        )

    @property
    def display_name(self):
        """Return the name a person reads: "Last, First" or the company name."""
        if self.kind == "person":
            return ", ".join(p for p in (self.last_name, self.first_name) if p)
        return self.name or ""

    # Fields the model keeps in step with others: written with every change.
    derived_fields = ("sort_name",)

    def refresh_derived(self):
        """Recompute the derived fields from the name fields."""
        self.sort_name = self.display_name.casefold()

    def save(self, *args, **kwargs):
        self.refresh_derived()
        return super().save(*args, **kwargs)

    @classmethod
    def in_sections(cls, sections):
        """Return the customers of the given sections (the scope every view goes through)."""
        return cls.select().where(cls.section.in_([s.id for s in sections]))

    @classmethod
    def inactive_since(cls, moment):
        """Return customers with no activity (or, never active, not created) since ``moment``."""
        return cls.select().where(
            pw.fn.COALESCE(cls.last_activity_at, cls.created_at) < moment
        )

    def __str__(self):
        return self.display_name


class Address(BaseModel):
    customer = pw.ForeignKeyField(Customer, backref="addresses", on_delete="CASCADE")
    kind = pw.CharField(max_length=16, choices=choices(ADDRESS_KINDS), default="postal")
    street = pw.CharField(max_length=200, null=True)
    postal_code = pw.CharField(max_length=10, null=True, index=True)
    city = pw.CharField(max_length=100, null=True, index=True)
    country = pw.CharField(max_length=2, default="FI")


class Demographics(BaseModel):
    customer = pw.ForeignKeyField(
        Customer, backref="demographics", unique=True, on_delete="CASCADE"
    )
    profession = pw.CharField(max_length=200, null=True)
    education = pw.CharField(max_length=200, null=True)


class ContactPerson(BaseModel):
    """A contact person of a company or organisation customer."""

    customer = pw.ForeignKeyField(Customer, backref="contact_persons", on_delete="CASCADE")
    first_name = pw.CharField(max_length=100)
    last_name = pw.CharField(max_length=100)
    role = pw.CharField(max_length=200, null=True)  # title or task in the company
    phone = pw.CharField(max_length=32, null=True)
    email = pw.CharField(max_length=254, null=True, index=True)
    user_details = pw.TextField(null=True)  # e.g. their user id in a service they use


class ContactEvent(BaseModel):
    """One contact to or from the customer (customer history)."""

    customer = pw.ForeignKeyField(Customer, backref="events", on_delete="CASCADE")
    occurred_at = pw.DateTimeField(default=utcnow)
    direction = pw.CharField(max_length=3, choices=choices(DIRECTIONS))
    channel = pw.CharField(max_length=16, choices=choices(CHANNELS))
    summary = pw.TextField()
    staff = pw.ForeignKeyField(User, null=True, backref="contact_events", on_delete="SET NULL")

    class Meta:
        # Migration 015 adds channel and direction to it (the statistics of one section).
        indexes = ((("customer", "occurred_at"), False),)


class Purchase(BaseModel):
    """A service the customer purchased (customer history)."""

    customer = pw.ForeignKeyField(Customer, backref="purchases", on_delete="CASCADE")
    service = pw.CharField(max_length=200)
    purchased_on = pw.DateField()
    amount = pw.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        indexes = ((("customer", "purchased_on"), False),)


class Invoice(BaseModel):
    """An invoice to the customer and its collection (tourism)."""

    customer = pw.ForeignKeyField(Customer, backref="invoices", on_delete="CASCADE")
    number = pw.CharField(max_length=32, unique=True)
    invoice_date = pw.DateField()
    due_date = pw.DateField()
    amount = pw.DecimalField(max_digits=12, decimal_places=2)
    paid_on = pw.DateField(null=True)
    collection_state = pw.CharField(
        max_length=16, choices=choices(COLLECTION_STATES), default="open"
    )

    class Meta:
        indexes = ((("customer", "invoice_date"), False),)


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


# --- Data subject rights (seed §14, §15, §16) -------------------------------------


class Prohibition(BaseModel):
    """One prohibition given or withdrawn (seed §16): rows are added, never changed.

    The newest row of a (customer, contact person, purpose) tells whether a prohibition is
    in force; the rows before it are its history. ``contact_person`` is set when the
    prohibition is a company's contact person's own, empty when it is the customer's.
    """

    customer = pw.ForeignKeyField(Customer, backref="prohibitions", on_delete="CASCADE")
    contact_person = pw.ForeignKeyField(ContactPerson, null=True, backref="prohibitions",
                                        on_delete="CASCADE")
    purpose = pw.CharField(max_length=24, choices=choices(PROHIBITION_PURPOSES))
    action = pw.CharField(max_length=16, choices=choices(PROHIBITION_ACTIONS))
    effective_on = pw.DateField()
    source = pw.CharField(max_length=16, choices=choices(PROHIBITION_SOURCES))
    note = pw.TextField(null=True)
    recorded_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "purpose", "recorded_at"), False),
                   (("purpose", "customer"), False))


class RectificationRequest(BaseModel):
    """A written request to correct the customer's data (seed §15), kept with its outcome.

    ``requested`` is the JSON object of target → new value asked for, a target naming
    the row and field as ``table.id.field`` (``address.12.street``; older requests name a
    field of their own row only); ``before`` and ``after`` the JSON objects of the values
    the applied change replaced and wrote, under the same keys (services/rectification.py).
    """

    customer = pw.ForeignKeyField(Customer, backref="rectifications", on_delete="CASCADE")
    contact_person = pw.ForeignKeyField(ContactPerson, null=True, backref="rectifications",
                                        on_delete="CASCADE")
    received_at = pw.DateTimeField()
    requester_name = pw.CharField(max_length=200)
    description = pw.TextField()
    requested = pw.TextField(default="{}")
    verification_source = pw.CharField(max_length=24, null=True,
                                       choices=choices(VERIFICATION_SOURCES))
    verification_result = pw.TextField(null=True)
    verified_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    verified_at = pw.DateTimeField(null=True)
    decision = pw.CharField(max_length=16, null=True, choices=choices(DECISIONS))
    decision_reason = pw.TextField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    before = pw.TextField(null=True)
    after = pw.TextField(null=True)
    applied_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    applied_at = pw.DateTimeField(null=True)
    registered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    registered_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)

    class Meta:
        table_name = "rectification_request"


class InspectionRequest(BaseModel):
    """A request to inspect one's data (seed §14), from receipt to delivery.

    Not register data of a customer: the requester may not be a customer at all. The
    records found to be the requester's are linked by :class:`InspectionSubject`; they are
    customers (or their contact persons) of the request's own section only, so that each
    section's handler handles and sees the part of the register that is theirs.
    """

    received_at = pw.DateTimeField()
    due_at = pw.DateTimeField(index=True)  # one week from receipt (seed §14)
    channel = pw.CharField(max_length=16, choices=choices(REQUEST_CHANNELS))
    requester_name = pw.CharField(max_length=200)
    requester_contact = pw.TextField(null=True)
    description = pw.TextField(null=True)
    language = pw.CharField(max_length=8, choices=choices(LANGUAGES), default="fi")
    # The section whose handler handles the request.
    section = pw.ForeignKeyField(Section, backref="inspection_requests", on_delete="RESTRICT")
    on_site = pw.BooleanField(default=False)
    registered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    registered_at = pw.DateTimeField(default=utcnow)
    identity_method = pw.CharField(max_length=24, null=True, choices=choices(IDENTITY_METHODS))
    identity_note = pw.TextField(null=True)
    identity_checked_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    identity_checked_at = pw.DateTimeField(null=True)
    decision = pw.CharField(max_length=16, null=True, choices=choices(DECISIONS))
    decision_reason = pw.TextField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    delivered_at = pw.DateTimeField(null=True)
    delivery_method = pw.CharField(max_length=16, null=True, choices=choices(DELIVERY_METHODS))
    delivered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # A request served at once on site (seed §14) is reviewed afterwards by the
    # responsible person (or the controller).
    reviewed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reviewed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)
    # The parts of a request that concerns several sections, one a section, share the
    # number of the first part; a request of one section has none (migration 016).
    group = pw.ForeignKeyField("self", null=True, backref="parts", on_delete="SET NULL")

    class Meta:
        table_name = "inspection_request"


class InspectionSubject(BaseModel):
    """A record the handler confirmed to be the requester's: a customer or a contact person."""

    request = pw.ForeignKeyField(InspectionRequest, backref="subjects", on_delete="CASCADE")
    customer = pw.ForeignKeyField(Customer, null=True, backref="+", on_delete="CASCADE")
    contact_person = pw.ForeignKeyField(ContactPerson, null=True, backref="+",
                                        on_delete="CASCADE")
    confirmed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    confirmed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "inspection_subject"
        indexes = ((("request", "customer", "contact_person"), True),)


# --- Retention and purge (seed §12) -------------------------------------------------
# Long-unused customers leave the register periodically (seed §12): a retention period
# per section, a purge the controller previews and confirms, run in batches, and its log.
# These tables hold no personal data: codes, counts and, while a run is under way, the
# ids of the customers it has still to purge (the work list goes as the run finishes).

DEFAULT_RETENTION_MONTHS = 60
PURGE_KINDS = ("purge", "erasure")  # erasure: one subject's request (GDPR Art. 17)
# previewed → confirmed → running → finished; a preview a newer one replaced is
# superseded, one whose customers changed before it was confirmed or started is stale.
PURGE_STATES = ("previewed", "superseded", "stale", "confirmed", "running", "finished")
PURGE_ACTIONS = ("delete", "minimise")


class RetentionPolicy(BaseModel):
    """How long a section keeps a customer with no activity: ``months`` (seed §12)."""

    section = pw.ForeignKeyField(Section, unique=True, backref="+", on_delete="CASCADE")
    months = pw.IntegerField(default=DEFAULT_RETENTION_MONTHS)
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "retention_policy"


class RetentionPolicyChange(BaseModel):
    """One change of a section's retention period, with the old and new months.

    The policy's history lives here: the audit log names changed fields, never values.
    """

    section = pw.ForeignKeyField(Section, backref="+", on_delete="RESTRICT")
    old_months = pw.IntegerField(null=True)
    new_months = pw.IntegerField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "retention_policy_change"


class PurgeRun(BaseModel):
    """One purge (or one subject's erasure): its preview, confirmation, progress and counts.

    ``policy`` is the JSON snapshot the preview was made with: per section code its months
    and the cut-off moment (naive UTC) a customer's last activity had to be before.
    ``planned`` and ``done`` are JSON counts per section code and action: customers and
    rows per data category — never a name or any other value of a customer.
    """

    kind = pw.CharField(max_length=16, choices=choices(PURGE_KINDS), default="purge")
    state = pw.CharField(max_length=16, choices=choices(PURGE_STATES), default="previewed",
                         index=True)
    sections = pw.TextField()  # space-separated section codes the run covers
    policy = pw.TextField(default="{}")
    # Invoices dated on or after this day are still kept (Accounting Act 2:10).
    keep_from = pw.DateField()
    accounting_years = pw.IntegerField()
    fingerprint = pw.CharField(max_length=64)
    planned = pw.TextField(default="{}")
    done = pw.TextField(default="{}")
    total = pw.IntegerField(default=0)  # customers on the work list when confirmed
    processed = pw.IntegerField(default=0)
    deleted = pw.IntegerField(default=0)
    minimised = pw.IntegerField(default=0)
    skipped = pw.IntegerField(default=0)  # active again, or gone, by the time of the purge
    previewed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    previewed_at = pw.DateTimeField(default=utcnow)
    confirmed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    confirmed_at = pw.DateTimeField(null=True)
    started_at = pw.DateTimeField(null=True)
    progress_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    request_received_on = pw.DateField(null=True)  # erasure: when the request came

    class Meta:
        table_name = "purge_run"


class PurgeItem(BaseModel):
    """A customer a confirmed run has still to purge: the run's work list.

    Each item is removed in the transaction that deletes or minimises its customer, so a
    rerun after a crash goes on from what is left. ``customer_id`` is not a foreign key: a
    customer deleted meanwhile by other means is counted as skipped, not lost silently.
    """

    run = pw.ForeignKeyField(PurgeRun, backref="items", on_delete="CASCADE", index=False)
    customer_id = pw.IntegerField()
    action = pw.CharField(max_length=16, choices=choices(PURGE_ACTIONS))

    class Meta:
        table_name = "purge_item"
        indexes = ((("run", "customer_id"), True),)



# --- Disclosures (seed §8, §17) -------------------------------------------------------

# Where a disclosure stands: prepared, then decided by the controller (approved or
# refused), then — approved only — carried out by handing the data set over.
DISCLOSURE_STATES = ("prepared", "approved", "refused", "carried_out")


class DisclosureRecipient(BaseModel):
    """A recipient personal data may be disclosed to (seed §8); the controller keeps the list.

    Rows are never deleted (the disclosures made to a recipient keep naming it): a recipient
    no longer allowed is deactivated.
    """

    name_fi = pw.CharField(max_length=200, unique=True)
    name_sv = pw.CharField(max_length=200)
    name_en = pw.CharField(max_length=200)
    active = pw.BooleanField(default=True)
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "disclosure_recipient"

    def name_in(self, locale):
        """Return the recipient's name in ``locale`` (fi, sv or en), Finnish otherwise."""
        return getattr(self, f"name_{locale}", None) or self.name_fi

    def __str__(self):
        return self.name_fi


class Disclosure(BaseModel):
    """One disclosure of personal data (seed §8, §17): what, to whom, why, decided by whom.

    ``categories`` are space-separated codes from CATEGORIES. ``invoices_from`` and
    ``invoices_until``, when set, limit the invoices handed over to that period (the
    typical accounts-payable disclosure). ``customer_count`` is how many customers the
    data set handed over held: the customers' link rows go when a customer is deleted
    later, the record of the disclosure stays.
    """

    recipient = pw.ForeignKeyField(DisclosureRecipient, backref="disclosures",
                                   on_delete="RESTRICT")
    purpose = pw.TextField()
    legal_basis = pw.TextField()
    categories = pw.TextField(default="")
    invoices_from = pw.DateField(null=True)
    invoices_until = pw.DateField(null=True)
    state = pw.CharField(max_length=16, choices=choices(DISCLOSURE_STATES), default="prepared",
                         index=True)
    prepared_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    prepared_at = pw.DateTimeField(default=utcnow, index=True)
    decision_reason = pw.TextField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    carried_out_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    carried_out_at = pw.DateTimeField(null=True)
    customer_count = pw.IntegerField(null=True)
    # Every change to a prepared disclosure moves it on: a decision names the version the
    # controller saw, so nothing added after it is approved unseen.
    version = pw.IntegerField(default=1)

    @property
    def category_list(self):
        """Return the chosen category codes in the order of CATEGORIES."""
        chosen = set(self.categories.split())
        return [code for code in CATEGORIES if code in chosen]


class DisclosureCustomer(BaseModel):
    """A customer included in a disclosure; deleting the customer deletes this row only."""

    # The unique (disclosure, customer) index serves lookups by disclosure.
    disclosure = pw.ForeignKeyField(Disclosure, backref="customer_links", on_delete="CASCADE",
                                    index=False)
    customer = pw.ForeignKeyField(Customer, backref="disclosure_links", on_delete="CASCADE")

    class Meta:
        table_name = "disclosure_customer"
        indexes = ((("disclosure", "customer"), True),)



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
    RectificationRequest: {name: "record" for name in (
        "id", "customer", "contact_person", "received_at", "requester_name", "description",
        "requested", "verification_source", "verification_result", "verified_by",
        "verified_at", "decision", "decision_reason", "decided_by", "decided_at", "before",
        "after", "applied_by", "applied_at", "registered_by", "registered_at", "version")},
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
# (Accounting Act 2:10, services/retention.py). Every other field of its data is emptied;
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


# --- The audit log (Act on Information Management in Public Administration 906/2019 §17)
# Who did what to which record and when — never the personal data itself (changed
# fields are named, their values are not), so the log is not register data and is not in
# FIELD_CATEGORIES. Rows are appended by services/audit.py only and never changed: each
# carries the SHA-256 of its predecessor's hash and its own content, so a row edited or
# removed behind the application's back breaks the chain (``flask audit verify``).

AUDIT_GENESIS_HASH = "0" * 64


class AuditAppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""

    def __init__(self):
        super().__init__("the audit log is append-only: events are never changed or deleted")


class AuditEvent(BaseModel):
    """One event of the audit log, chained to the event before it."""

    # Assigned by services/audit.record under the head lock: 1, 2, 3 … with no gaps, so
    # the number is the event's place in the chain.
    id = pw.IntegerField(primary_key=True)
    at = pw.DateTimeField(default=utcnow, index=True)  # naive UTC
    actor = pw.CharField(max_length=32, null=True)  # User.pseudonym; None: anonymous
    actor_role = pw.CharField(max_length=16, null=True)
    action = pw.CharField(max_length=32)
    object_type = pw.CharField(max_length=32, null=True)
    object_id = pw.CharField(max_length=64, null=True)
    section = pw.CharField(max_length=32, null=True)  # Section.code
    fields = pw.TextField(default="")  # comma-separated field NAMES, never values
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_event"
        indexes = (
            (("actor", "at"), False),
            (("object_type", "object_id"), False),
            (("action", "at"), False),
        )

    # The application-level guard; the database has triggers as well (migration 003).
    def save(self, force_insert=False, only=None):
        if not force_insert:
            raise AuditAppendOnlyError()
        return super().save(force_insert=True, only=only)

    def delete_instance(self, *args, **kwargs):
        raise AuditAppendOnlyError()

    @classmethod
    def update(cls, *args, **kwargs):
        raise AuditAppendOnlyError()

    @classmethod
    def delete(cls):
        raise AuditAppendOnlyError()


class AuditHead(BaseModel):
    """The chain's newest event (one row, id 1): every append locks and moves it."""

    id = pw.IntegerField(primary_key=True)
    last_id = pw.IntegerField()
    last_hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "audit_head"
