"""Data subject rights (seed §14, §15, §16)."""

import peewee as pw

from models.base import (
    DECISIONS,
    DELIVERY_METHODS,
    IDENTITY_METHODS,
    LANGUAGES,
    PROHIBITION_ACTIONS,
    PROHIBITION_PURPOSES,
    PROHIBITION_SOURCES,
    REQUEST_CHANNELS,
    VERIFICATION_SOURCES,
    BaseModel,
    choices,
    utcnow,
)
from models.people import Section, User
from models.register import ContactPerson, Customer


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
    # Set when the record retention rule wiped the requester's name (migration 023): a
    # keyed hash of the name, kept for the counts.
    requester_pseudonym = pw.CharField(max_length=64, null=True)
    wiped_at = pw.DateTimeField(null=True)

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
    # Set when the record retention rule wiped the requester's details (migration 023).
    requester_pseudonym = pw.CharField(max_length=64, null=True)
    wiped_at = pw.DateTimeField(null=True)

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
