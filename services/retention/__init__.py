"""Retention purge (seed §12) and the erasure of one subject (GDPR Art. 17), without Flask.

A customer is **unused** when its last activity (or, never active, its creation) is
older than its section's retention period, N months (``RetentionPolicy``, default 60).
An unused customer is

- **deleted** with everything it holds, or
- **minimised** when it has an invoice still inside the keeping period of the Accounting
  Act (Kirjanpitolaki 1336/1997 2:10: vouchers six years from the end of the financial
  year, the calendar year here; ``accounting_years``). Everything the accounting record
  does not need goes now: contacts, purchases no kept invoice billed, demographics,
  contact persons (and their own prohibitions), phones, fax, email, own information,
  birth date, rectification requests, invoices past their own keeping period, and every
  address but the billing address (or, with none, the one the invoices went to). The
  name, the Y-tunnus, that address and the kept invoices stay until the keeping period of
  the newest invoice ends; then the customer is unused and not kept, and goes. The
  customer's own prohibitions (seed §16) stay as long as its row does, and
  ``Customer.minimised_at`` is set: a customer kept only for accounting is on no
  marketing or research list (services/marketing.py).

A customer is **held** — neither deleted, minimised nor erased — while it is the subject
of an inspection request not yet delivered (directly or through one of its contact
persons), of a rectification request neither applied nor refused, or is in a disclosure
not yet carried out (prepared or approved): the purge must not take away what a request
is about or a disclosure is to hand over. The preview lists the held customers with the
reason of each hold; the holds are read once per preview from the request and disclosure
tables (few rows), never per customer.

A purge goes

    preview → confirmed by the controller → running (in batches) → finished

The preview is a **snapshot**: the moment it was made, each section's cut-off moment
and the first day of the keeping period. Its **fingerprint** is the SHA-256 of that
snapshot, of the exact ids of the customers to delete and to minimise and of the held
customers with their holds. Confirming recomputes the set as of the same snapshot: if a
customer became active, gained an invoice, was added or removed, or a hold began or
ended meanwhile, the fingerprint differs and the confirmation is refused. A confirmed
run holds its customers as a work list (``PurgeItem``); each batch deletes or minimises
whole customers and removes their items in one transaction, so a crash loses at most
the batch in progress, which the rerun does again — nothing is done twice and no
customer is left half-purged. Each customer is checked once more as
its batch runs: one active since the preview is skipped, one held since is kept (its
rows locked first, so that no request or disclosure can name it unseen while the batch
runs), one that gained a kept invoice is minimised instead of deleted.

The run keeps counts per section, action and data category, never a name or a value.
The erasure of one subject on request is a run of one customer, decided by the
responsible person, under the same accounting rule; a held customer is not erased.

The preview's counts come from one statement per section: the unused customers are
materialised once (in id order, so each child table is read in index order) with their
counts of rows and the date of their newest invoice (``customer_rows``, kept by triggers,
migration 038); a deleted customer's rows are those counts, and only the customers an
invoice keeps are looked into, for the rows a minimisation takes. The rules of what goes are SQL predicates defined
once (``conditions``) and used both by those counts and by the purge's DELETE statements, so the
preview says exactly what the purge removes.

The package, by responsibility: ``settings`` (the constants, the dates and each section's
retention period), ``conditions`` (what goes, as SQL predicates), ``holding`` (holds),
``previews`` and ``preview_sql`` (the snapshot, the preview and its statement),
``listing`` (what listed customers hold), ``runs`` (preview recorded, confirmed,
executed in batches), ``purging`` (deleting and minimising a batch), ``erasure`` (one
subject), ``log`` (reading runs), ``leftover`` (the data of categories a section no
longer holds, kept until the purge) and ``records`` and ``record_purge`` (the retention
rules of the register's own records); every purge removes the kept data and applies
the record rules after its customers. Every name is re-exported here: callers use ``from services import retention``
and ``retention.X``. A test or a benchmark replacing a function replaces it in the
submodule that calls it (``retention.purging._delete``).
"""

from services.errors import RegisterError
from services.localtime import helsinki_today
from services.retention.settings import (  # noqa: F401
    AUDIT_OBJECT_TYPE,
    POLICY_OBJECT_TYPE,
    ACCOUNTING_YEARS,
    MIN_MONTHS,
    MAX_MONTHS,
    BATCH_SIZE,
    PAGE_SIZE,
    INVOICE_AFTER_PURCHASE_DAYS,
    DELETE,
    MINIMISE,
    months_before,
    cutoff,
    keeping_starts,
    final_deletion,
    policy_months,
    policies,
    policy_history,
    parse_months,
    ChangedMeanwhile,
    page_changes,
    PeriodsChanged,
    set_months,
    set_periods,
)
from services.retention.conditions import (  # noqa: F401
    _PURCHASE_NOT_BILLED,
    _INVOICE_PAST_KEEPING,
    _PROHIBITION_OF_CONTACT_PERSON,
    _ADDRESS_NOT_KEPT,
    MINIMISE_CONDITIONS,
    COUNTED_CATEGORIES,
    customer_fields,
    minimised_fields,
    minimised_categories,
    own_row_categories,
    child_rows,
    _purchase_plus_days,
    _minimise_condition,
    _empty_counts,
    _TOKEN,
    _bind,
    _sql_value,
)
from services.retention.holding import (  # noqa: F401
    INSPECTION,
    RECTIFICATION,
    DISCLOSURE,
    HOLD_REASONS,
    Hold,
    _hold_queries,
    holds,
    _hold_tokens,
    Held,
)
from services.retention.preview_sql import (  # noqa: F401
    _unused_condition,
    _held_ids,
    _unused_rows,
    _section_sql,
    _minimised_fields_of,
    _KEPT_INVOICE,
    _is_counted,
    _anything_to_minimise,
    _candidates,
    _sums,
    _customer_counts,
    _field_sums,
    _row_counts,
    _ids,
    _held_rows,
    _pages,
)
from services.retention.previews import (  # noqa: F401
    Snapshot,
    SectionPreview,
    Preview,
    preview,
    _on_own_connection,
    fingerprint,
    kept_now,
    _counted,
    _section_preview,
)
from services.retention.listing import (  # noqa: F401
    Listed,
    listed,
    listed_held,
    holdings,
)
from services.retention.purging import (  # noqa: F401
    _lock_customers,
    _purge_items,
    _still_unused,
    _field_counts,
    _delete_rows,
    _delete,
    _minimise,
)
from services.retention.runs import (  # noqa: F401
    start_preview,
    record_preview,
    SetChanged,
    PolicyChanged,
    _check_unchanged,
    _locked_run,
    unfinished_run,
    confirm,
    _mark_stale,
    _insert_items,
    _audit_section,
    _remove_leftover,
    start,
    run_batch,
    _record_batch,
    execute,
)
from services.retention.leftover import (  # noqa: F401
    REQUIRED_CATEGORIES,
    DataPlace,
    _emptied_value,
    data_places,
    _removable,
    _row_condition,
    _filled,
    _has_data,
    missing_categories,
    kept_categories,
    data_counts,
    kept_for_accounts,
    held_customers,
    _with_data,
    remove_batch,
    leftover_counts,
)
from services.retention.erasure import (  # noqa: F401
    ERASED_ALREADY,
    ErasurePlan,
    erasure_plan,
    erase,
    erasure_search,
    record_erasure_view,
)
from services.retention.log import (  # noqa: F401
    counts_of,
    logged_runs,
)
from services.retention.records import (  # noqa: F401
    RULE_OBJECT_TYPE,
    BOUNDS,
    WIPED_KINDS,
    _MAX_DIGITS,
    RecordKeys,
    normalised_name,
    pseudonym,
    rules,
    record_months,
    record_cutoffs,
    rule_history,
    parse_rule_months,
    RulesChanged,
    set_rule,
    set_rules,
)
from services.retention.record_purge import (  # noqa: F401
    WIPED_NAME,
    _closed_inspections,
    _closed_rectifications,
    _old_access_requests,
    _superseded_status_changes,
    _ended_sessions,
    _TABLES,
    count_due,
    apply_batch,
    _apply,
    _wipe,
    _keys,
    requester_counts,
)

__all__ = [
    "RegisterError",
    "helsinki_today",
    "AUDIT_OBJECT_TYPE",
    "POLICY_OBJECT_TYPE",
    "ACCOUNTING_YEARS",
    "MIN_MONTHS",
    "MAX_MONTHS",
    "BATCH_SIZE",
    "PAGE_SIZE",
    "INVOICE_AFTER_PURCHASE_DAYS",
    "DELETE",
    "MINIMISE",
    "months_before",
    "cutoff",
    "keeping_starts",
    "final_deletion",
    "policy_months",
    "policies",
    "policy_history",
    "parse_months",
    "set_months",
    "set_periods",
    "PeriodsChanged",
    "ChangedMeanwhile",
    "page_changes",
    "_PURCHASE_NOT_BILLED",
    "_INVOICE_PAST_KEEPING",
    "_PROHIBITION_OF_CONTACT_PERSON",
    "_ADDRESS_NOT_KEPT",
    "MINIMISE_CONDITIONS",
    "COUNTED_CATEGORIES",
    "customer_fields",
    "minimised_fields",
    "minimised_categories",
    "own_row_categories",
    "child_rows",
    "_purchase_plus_days",
    "_minimise_condition",
    "_empty_counts",
    "_TOKEN",
    "_bind",
    "_sql_value",
    "INSPECTION",
    "RECTIFICATION",
    "DISCLOSURE",
    "HOLD_REASONS",
    "Hold",
    "_hold_queries",
    "holds",
    "_hold_tokens",
    "Held",
    "_unused_condition",
    "_held_ids",
    "_unused_rows",
    "_section_sql",
    "_minimised_fields_of",
    "_KEPT_INVOICE",
    "_is_counted",
    "_anything_to_minimise",
    "_candidates",
    "_sums",
    "_customer_counts",
    "_field_sums",
    "_row_counts",
    "_ids",
    "_held_rows",
    "_pages",
    "Snapshot",
    "SectionPreview",
    "Preview",
    "preview",
    "_on_own_connection",
    "fingerprint",
    "kept_now",
    "_counted",
    "_section_preview",
    "Listed",
    "listed",
    "listed_held",
    "holdings",
    "_lock_customers",
    "_purge_items",
    "_still_unused",
    "_field_counts",
    "_delete_rows",
    "_delete",
    "_minimise",
    "start_preview",
    "record_preview",
    "SetChanged",
    "PolicyChanged",
    "_check_unchanged",
    "_locked_run",
    "unfinished_run",
    "confirm",
    "_mark_stale",
    "_insert_items",
    "_audit_section",
    "_remove_leftover",
    "start",
    "run_batch",
    "_record_batch",
    "execute",
    "REQUIRED_CATEGORIES",
    "DataPlace",
    "_emptied_value",
    "data_places",
    "_removable",
    "_row_condition",
    "_filled",
    "_has_data",
    "missing_categories",
    "kept_categories",
    "data_counts",
    "kept_for_accounts",
    "held_customers",
    "_with_data",
    "remove_batch",
    "leftover_counts",
    "ERASED_ALREADY",
    "ErasurePlan",
    "erasure_plan",
    "erase",
    "erasure_search",
    "record_erasure_view",
    "counts_of",
    "logged_runs",
    "RULE_OBJECT_TYPE",
    "BOUNDS",
    "WIPED_KINDS",
    "_MAX_DIGITS",
    "RecordKeys",
    "normalised_name",
    "pseudonym",
    "rules",
    "record_months",
    "record_cutoffs",
    "rule_history",
    "parse_rule_months",
    "set_rule",
    "set_rules",
    "RulesChanged",
    "WIPED_NAME",
    "_closed_inspections",
    "_closed_rectifications",
    "_old_access_requests",
    "_superseded_status_changes",
    "_ended_sessions",
    "_TABLES",
    "count_due",
    "apply_batch",
    "_apply",
    "_wipe",
    "_keys",
    "requester_counts",
]
