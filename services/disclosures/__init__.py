"""The disclosure register (seed §8, §17): personal data leaves the register only to an
allowed recipient, on the controller's decision, and only the data decided.

A disclosure goes

    prepared → approved or refused (by the controller) → carried out (approved only)

While prepared, a handler (own sections) or the controller names the recipient, the
purpose and the legal basis, chooses the customers (by search, by a list of customer
numbers or business IDs, or every customer invoiced in a period — the usual set for
accounts payable) and the data categories. Only categories the chosen customers'
sections hold can be chosen. The controller approves or refuses the version they saw;
every later change makes that decision stale. Carrying out produces the data set
actually handed over — the chosen categories' fields only, found by walking
``models.FIELD_CATEGORIES`` so that a field added later is included by its category —
as CSV or XLSX, once.

The allowed recipients are data (seed §8 names two); the controller adds and deactivates
them. Every step writes its audit event (object type ``disclosure`` or
``disclosure_recipient``) in the step's own transaction.

A handler sees and handles only the customers of their own sections in a disclosure: a
disclosure that also holds other sections' customers (the controller may add any) is
carried out by the controller. Every read of a customer's data through a disclosure — a
search's results, the page listing its customers, the data set handed over — is an audit
event on that customer as well.

``disclosures_of(customer_ids)`` tells, for each customer, the disclosures that included
it: the inspection report shows them to the data subject.

The parts, each a module of this package (import them from here, as
``from services import disclosures``; ``disclosures.prepare(…)``):

- ``common``: who may do what, the allowed recipient, checked texts, the versioned change;
- ``recipients``: the list of allowed recipients;
- ``scope``: a disclosure's customers as each user sees them, the categories they hold;
- ``preparing``: recipient, purpose, customers and categories; ``deciding``: the decision;
- ``carrying_out``: the data set handed over; ``export``: it as CSV or XLSX;
- ``data_subjects``: the disclosures that included each customer.
"""

from models import Disclosure
from services.disclosures.carrying_out import NOTES, DataTable, Export, carry_out, data_set
from services.disclosures.common import (
    AUDIT_OBJECT_TYPE,
    DECIDED,
    EXPORT_FORMATS,
    MAX_FOUND,
    MAX_LIST_ITEMS,
    MAX_PERIOD_DAYS,
    MAX_TEXT,
    RECIPIENT_OBJECT_TYPE,
    STALE,
    UNFINISHED_STATES,
    get_visible,
    may_decide,
    may_manage_recipients,
    may_prepare,
    section_ids_of,
    visible_to,
)
from services.disclosures.data_subjects import disclosures_of
from services.disclosures.deciding import decide
from services.disclosures.export import ExportLabels, to_csv, to_xlsx
from services.disclosures.preparing import (
    NOT_DISCLOSED_FOR,
    CategoryChoice,
    ListResult,
    add_customers,
    add_customers_by_list,
    add_customers_with_invoices,
    choose_categories,
    customers_with_invoices,
    find_customers,
    prepare,
    remove_customers,
)
from services.disclosures.recipients import add_recipient, recipients, set_recipient_active
from services.disclosures.scope import (
    available_categories,
    customer_count,
    customers_of,
    reads_every_customer,
)
from services.errors import RegisterError
from services.exports import safe_cell
from services.policy import NotAllowed

__all__ = [
    "AUDIT_OBJECT_TYPE", "DECIDED", "EXPORT_FORMATS", "MAX_FOUND", "MAX_LIST_ITEMS",
    "MAX_PERIOD_DAYS", "MAX_TEXT", "NOTES", "NOT_DISCLOSED_FOR", "RECIPIENT_OBJECT_TYPE",
    "STALE", "UNFINISHED_STATES",
    "CategoryChoice", "DataTable", "Disclosure", "Export", "ExportLabels", "ListResult",
    "NotAllowed", "RegisterError", "add_customers", "add_customers_by_list",
    "add_customers_with_invoices", "add_recipient", "available_categories", "carry_out",
    "choose_categories", "customer_count", "customers_of", "customers_with_invoices",
    "data_set", "decide", "disclosures_of", "find_customers", "get_visible", "may_decide",
    "may_manage_recipients", "may_prepare", "prepare", "reads_every_customer", "recipients",
    "remove_customers", "safe_cell", "section_ids_of", "set_recipient_active", "to_csv",
    "to_xlsx", "visible_to",
]
