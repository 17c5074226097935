"""Sections and users."""

import secrets

import peewee as pw

from models.base import ROLES, BaseModel, choices, utcnow

# The languages an account's notifications are written in (the pages' languages).
MAIL_LANGUAGES = ("fi", "sv", "en")


# --- Sections and users ------------------------------------------------------------


class Section(BaseModel):
    """A register section (seed §1); its data categories decide what its screens show."""

    code = pw.CharField(max_length=32, unique=True)
    name_fi = pw.CharField(max_length=200)
    name_sv = pw.CharField(max_length=200)
    name_en = pw.CharField(max_length=200)
    # Space-separated category codes from CATEGORIES; the controller edits them
    # (services/sections.py), "record" is every section's.
    categories = pw.TextField()
    version = pw.IntegerField(default=1)

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
    # Where the register's notifications go (none: the account gets none), in which
    # language, and the kinds the user turned off, space-separated (migration 031).
    email = pw.CharField(max_length=254, null=True)
    language = pw.CharField(max_length=8, choices=choices(MAIL_LANGUAGES), default="fi")
    notifications_off = pw.TextField(default="")
    # One message a day of the notifications that are no legal deadline (migration 034).
    daily_digest = pw.BooleanField(default=False)

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
            .where(UserSection.user == self.id)  # an id, not the row: a kept statement
            .order_by(Section.code)
        )

    @classmethod
    def open_accounts(cls):
        """Return the accounts that may log in: active and not erased (an erased account
        keeps no username)."""
        return cls.select().where(cls.active & cls.username.is_null(False))

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


# What a change of a section did (services/sections.py).
SECTION_CHANGE_ACTIONS = ("create", "names", "categories", "delete_data", "delete")


class SectionChange(BaseModel):
    """One change of a section, with who, when and the old and new value (names as JSON,
    categories as codes); ``detail`` is the JSON counts of data deleted. Named by the
    section's code: the history stays when a section is deleted."""

    section_code = pw.CharField(max_length=32, index=True)
    action = pw.CharField(max_length=16, choices=choices(SECTION_CHANGE_ACTIONS))
    old_value = pw.TextField(null=True)
    new_value = pw.TextField(null=True)
    detail = pw.TextField(null=True)
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "section_change"
