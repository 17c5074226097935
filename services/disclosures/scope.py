"""A disclosure's customers as each user sees them, and the categories their sections hold."""

from database import write_transaction
from models import CATEGORIES, Customer, Section
from services import policy
from services.disclosures.common import _linked_customers, _record_reads

def customer_count(disclosure, user=None):
    """Return how many customers the disclosure includes now (those ``user`` reads, when
    given)."""
    if user is None:
        return _linked_customers(disclosure).count()
    return (Customer.select().where(Customer.id.in_(_linked_customers(disclosure))
                                    & policy.readable_customers(user)).count())


def customers_of(disclosure, user, offset=0, limit=50):
    """Return a page of the disclosure's customers that ``user`` reads, by name; audit it as
    a read of each customer shown."""
    shown = list(Customer.select()
                 .where(Customer.id.in_(_linked_customers(disclosure))
                        & policy.readable_customers(user))
                 .order_by(Customer.sort_name, Customer.id)
                 .offset(offset).limit(limit))
    with write_transaction():
        _record_reads(user, "view", disclosure, shown)
    return shown


def reads_every_customer(user, disclosure):
    """Tell whether ``user`` reads every customer of the disclosure (and so may hand its
    data set over)."""
    return not (Customer.select(Customer.id)
                .where(Customer.id.in_(_linked_customers(disclosure))
                       & ~Customer.section.in_(policy.readable_section_ids(user)))
                .exists())


def available_categories(disclosure, user=None):
    """Return the categories the disclosure's customers' sections hold, in CATEGORIES order;
    with ``user``, of the customers ``user`` reads only (a handler chooses among the
    categories of their own sections' customers, and is not told another's)."""
    customers = Customer.select(Customer.section).distinct().where(
        Customer.id.in_(_linked_customers(disclosure)))
    if user is not None:
        customers = customers.where(Customer.section.in_(policy.readable_section_ids(user)))
    sections = Section.select().where(Section.id.in_(customers))
    held = set()
    for section in sections:
        held |= section.category_set
    return [code for code in CATEGORIES if code in held]
