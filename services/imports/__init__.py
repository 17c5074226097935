"""Import of customers from a CSV or XLSX file (issue 15).

- ``reading``: the file as a stream of rows (encoding and delimiter detected; XLSX's first
  sheet), never whole in memory;
- ``mapping``: columns to customer fields from their headers in Finnish, Swedish or
  English, and a row's cells as the customer form's data;
- ``rows``: one row checked — henkilötunnus in any cell, the customer form's own rules
  (handed in by the application), the duplicate check;
- ``runs``: the dry run and the commit in batches (resumable, idempotent), cancelling;
- ``store``: a batch's customers stored with their audit events;
- ``saved``: named mappings and the refused rows' file.
"""

from services.imports.mapping import (
    auto_mapping,
    check_mapping,
    held_targets,
    mapping_by_header,
    check_header,
    run_mapping,
)
from services.imports.reading import file_hash, header_and_rows
from services.imports.rows import ImportJob
from services.imports.runs import (
    BATCH_SIZE,
    REOPENED,
    cancel,
    check_steps,
    commit_steps,
    dry_run,
    matches_of,
    refusals_of,
    start_commit,
    start_dry_run,
)
from services.duplicates import OVERWRITABLE
from services.imports.saved import (
    refused_rows_csv,
    runs_for,
    save_mapping,
    saved_mapping,
    saved_mappings,
)

__all__ = [
    "BATCH_SIZE", "OVERWRITABLE", "REOPENED", "ImportJob", "auto_mapping", "cancel", "check_mapping",
    "check_steps", "commit_steps", "dry_run", "file_hash", "header_and_rows", "held_targets",
    "mapping_by_header", "matches_of", "refusals_of", "check_header",
    "refused_rows_csv", "run_mapping", "runs_for", "save_mapping", "saved_mapping",
    "saved_mappings", "start_commit", "start_dry_run",
]
