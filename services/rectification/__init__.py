"""Rectification (tiedon korjaaminen, seed §15): a written request to correct one's data.

A request is registered at any time, for a customer or one of its contact persons, with
what should change in words and the new values asked for, target by target. The data are
then checked (seed §15: a person's against the population information system, a
company's against the trade register) and the request is approved or refused — a refusal
keeps its reason. An approved request is applied: the new values go through the same
validators as the register screens (the caller hands them in as ``validate``) and the
same optimistic locking, and the request keeps the values before and after.

    registered → verified → approved → applied
             ↘          ↘ refused

Who decides is the view's business (seed §17: the controller; the responsible person and
the section's handler too). Steps are checked against the request's own version, so two
people cannot decide or apply the same request at once.

What a request can correct: any field of the subject's data (``models.FIELD_CATEGORIES``,
the map the inspection report walks) in a data category of the customer's section — the
customer's own row and the rows of every mapped model that references the customer
(addresses, demographics, contact persons, contacts, purchases, invoices …). Not the
``record`` category: ids, times and codes the register keeps itself, and the records of
the person's own prohibitions and requests, whose fields are all ``record``. Not the
fields the register keeps in step itself (``models.MAINTAINED_FIELDS``), nor references to
other rows, nor the fields of the other kinds of customer (``models.NOT_FOR_KIND``); what
is left is ``services.categories.own_fields``.
A request about a contact person (its ``contact_person``) corrects that person's row.

Each change names its target as ``table.id.field`` (``customer.5.email``,
``address.12.street``): ``requested`` is the JSON object ``{target: new value}`` and
``before`` and ``after`` have the same keys. Requests registered before targets were
named so hold ``{field: value}`` of their own row (the contact person, else the customer):
``changes`` reads both.

The parts: ``reading`` (what a request may name: the subject's rows and fields, a
request's changes and state) and ``steps`` (registering, verifying, deciding and
applying, each a versioned write).
"""

from services.rectification.reading import (
    AUDIT_OBJECT_TYPE,
    CLASH,
    CLOCK_LEEWAY,
    FIELD_GONE,
    MAX_ID,
    MAX_TARGETS,
    NOT_A_TARGET,
    STALE_CUSTOMER,
    STALE_REQUEST,
    STATES,
    TABLES,
    TARGET_GONE,
    TIME_FORMAT,
    Change,
    SubjectRow,
    Target,
    after_values,
    as_text,
    before_values,
    changes,
    closed_condition,
    contact_persons_of,
    correctable_fields,
    is_open,
    open_condition,
    open_first,
    own_row_of,
    parse_target,
    requested_values,
    row_counts,
    rows_now,
    state,
    subject_rows,
    worklist_conditions,
)
from services.rectification.steps import (
    apply,
    decide,
    register,
    verify,
)

__all__ = [
    "AUDIT_OBJECT_TYPE",
    "CLASH",
    "CLOCK_LEEWAY",
    "Change",
    "FIELD_GONE",
    "MAX_ID",
    "MAX_TARGETS",
    "NOT_A_TARGET",
    "STALE_CUSTOMER",
    "STALE_REQUEST",
    "STATES",
    "SubjectRow",
    "TABLES",
    "TARGET_GONE",
    "TIME_FORMAT",
    "Target",
    "after_values",
    "apply",
    "as_text",
    "before_values",
    "changes",
    "closed_condition",
    "contact_persons_of",
    "correctable_fields",
    "decide",
    "is_open",
    "open_condition",
    "open_first",
    "own_row_of",
    "parse_target",
    "register",
    "requested_values",
    "row_counts",
    "rows_now",
    "state",
    "subject_rows",
    "verify",
    "worklist_conditions",
]
