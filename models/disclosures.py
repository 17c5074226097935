"""Disclosures (seed §8, §17)."""

import peewee as pw

from models.base import CATEGORIES, BaseModel, choices, utcnow
from models.people import User
from models.register import Customer


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
