"""The register data (seed §6): the customer and its rows."""

import peewee as pw

from models.base import (
    ADDRESS_KINDS,
    CHANNELS,
    COLLECTION_STATES,
    CUSTOMER_KINDS,
    DATA_SOURCES,
    DIRECTIONS,
    INFORMED_HOW,
    LANGUAGES,
    BaseModel,
    PhoneField,
    choices,
    utcnow,
)
from models.people import Section, User


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
    phone = PhoneField(max_length=32, null=True)
    mobile = PhoneField(max_length=32, null=True)
    fax = PhoneField(max_length=32, null=True)
    email = pw.CharField(max_length=254, null=True, index=True)
    language = pw.CharField(max_length=8, choices=choices(LANGUAGES), default="fi")
    own_info = pw.TextField(null=True)
    # The city of the postal (else any) address, kept in step with the addresses by
    # services.customers.refresh_city: what the list shows and sorts by.
    city = pw.CharField(max_length=100, null=True)
    # The postal code of the same address, kept with the city: what statistics count by
    # postal area.
    postal_code = pw.CharField(max_length=10, null=True)
    # Informed of the registration (seed §13): required of a new customer
    # (services.informing); an older customer without it is "not yet informed".
    informed_at = pw.DateTimeField(null=True)
    informed_how = pw.CharField(max_length=16, choices=choices(INFORMED_HOW), null=True)
    not_reachable_reason = pw.CharField(max_length=500, null=True)
    # Where the data came from (seed §7); empty on rows recorded before it was asked.
    data_source = pw.CharField(max_length=16, choices=choices(DATA_SOURCES), null=True)
    data_source_note = pw.CharField(max_length=200, null=True)
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
    # Looked up by the index (customer, kind) below (migration 042).
    customer = pw.ForeignKeyField(Customer, backref="addresses", on_delete="CASCADE",
                                  index=False)
    kind = pw.CharField(max_length=16, choices=choices(ADDRESS_KINDS), default="postal")
    street = pw.CharField(max_length=200, null=True)
    postal_code = pw.CharField(max_length=10, null=True, index=True)
    city = pw.CharField(max_length=100, null=True, index=True)
    country = pw.CharField(max_length=2, default="FI")
    # Where the address came from and the day it was last checked (seed §7).
    data_source = pw.CharField(max_length=16, choices=choices(DATA_SOURCES), null=True)
    data_source_note = pw.CharField(max_length=200, null=True)
    checked_on = pw.DateField(null=True)
    # Why a postal code or city the postal code table does not know was kept
    # (services.postal_codes): the check leaves the address alone while this is given.
    postal_check_reason = pw.CharField(max_length=200, null=True)

    class Meta:
        # The kind answers which address a minimisation keeps from the index alone.
        indexes = ((("customer", "kind"), False),)


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
    phone = PhoneField(max_length=32, null=True)
    email = pw.CharField(max_length=254, null=True, index=True)
    user_details = pw.TextField(null=True)  # e.g. their user id in a service they use
    # Informed of the registration, as the customer (seed §13).
    informed_at = pw.DateTimeField(null=True)
    informed_how = pw.CharField(max_length=16, choices=choices(INFORMED_HOW), null=True)
    not_reachable_reason = pw.CharField(max_length=500, null=True)
    # Where the data came from (seed §7).
    data_source = pw.CharField(max_length=16, choices=choices(DATA_SOURCES), null=True)
    data_source_note = pw.CharField(max_length=200, null=True)


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
        # The amount answers whether a kept invoice bills it from the index (migration 042).
        indexes = ((("customer", "purchased_on", "amount"), False),)


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
        indexes = ((("customer", "invoice_date", "amount"), False),)  # migration 042


class CustomerMerge(BaseModel):
    """A duplicate customer merged into this one (services/merge.py): what the register
    notes of it, for the customer's inspection report.

    ``merged_id`` is the number the other customer had; that customer is gone, so it is
    not a key. ``changed_fields`` are the names (never the values) of the fields whose
    value the merge changed, space-separated.
    """

    customer = pw.ForeignKeyField(Customer, backref="merges", on_delete="CASCADE")
    merged_id = pw.BigIntegerField()
    merged_at = pw.DateTimeField(default=utcnow)
    merged_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_fields = pw.TextField(default="")

    class Meta:
        table_name = "customer_merge"
