"""Import runs: the dry run (everything checked, nothing stored but the run and its
report) and the commit (accepted rows stored in batches, each batch one transaction with
its audit events and the run's progress; a re-run resumes after the last committed batch).
"""

import itertools
import json
import time

import peewee as pw

import database
from models import ImportRefusal, ImportRun, utcnow
from services import audit
from services.bulk import insert_dicts
from services.duplicates import update_problem
from services.errors import N_, RegisterError
from services.imports.reading import header_and_rows
from services.imports.duplicates import file_keys
from services.imports.mapping import form_key, row_values
from services.imports.rows import Checked, check_row
from services.imports.store import store_batch

BATCH_SIZE = 1000
NOT_OPEN = N_("This import is finished or cancelled: nothing more is done to it.")
REOPENED = N_("The import of this file into this section was cancelled before: it goes on "
              "after row %(row)s, and the rows stored before stay.")
MOVED = N_("The import moved on in another window or process meanwhile; this step stored "
           "nothing. Continue the import to go on from where it is.")


def _refusal_rows(run_id, checked, job):
    """Return the report's rows of ``checked``: each refusal, and each row matching a
    customer (its reason, the customer and what the file's choice does with it)."""
    rows = [{"run": run_id, "row_number": c.number, "column": column[:255],
             "message": str(message), "params": json.dumps(params, ensure_ascii=False),
             "duplicate": False}
            for c in checked for column, message, params in c.refusals]
    rows += [{"run": run_id, "row_number": c.number, "column": "", "message": c.matches[0][1],
              "params": json.dumps({"customer": c.matches[0][0], "row": c.earlier,
                                    "choice": job.choice_for(c.matches[0][1], c.number)}),
              "duplicate": True}
             for c in checked if c.matches and not c.refusals]
    return rows


def _insert_refusals(rows):
    insert_dicts(ImportRefusal, rows)


def _options(job, rows=None):
    """Return a run's options as JSON: ``job``'s, the mapping by column index (the run's
    ``mapping`` names the columns by their headers, which two columns may share) and the
    file's ``rows`` when known."""
    options = {**json.loads(job.options_json()),
               "columns": {str(i): field for i, field in sorted(job.mapping.items())}}
    if rows is not None:
        options["rows"] = rows
    return json.dumps(options, sort_keys=True)


def _new_run(job, kind, state, key=None, rows=None):
    options = _options(job, rows)
    return ImportRun.create(section=job.section, user=job.user, kind=kind,
                            file_name=job.file_name[:255], file_hash=job.file_hash,
                            mapping=job.mapping_json(), options=options,
                            state=state, commit_key=key)


def _audit_run(action, job_or_run, user):
    section = job_or_run.section
    audit.record_many(action, actor=user, objects=[("import_run", job_or_run.id,
                                                    section.code)])


def _data_rows(job, after=0):
    _header, data = header_and_rows(job.path)
    return ((n, cells) for n, cells in data if n > after)


def start_dry_run(job, rows=None):
    """Return a new dry run of ``job``'s file, to be checked in steps (``check_steps``).
    ``rows``: the file's data rows, when known (the progress shows the share done)."""
    with database.write_transaction():
        return _new_run(job, "dry_run", "running", rows=rows)


def dry_run(job, progress=None):
    """Check every row of ``job``'s file at once; ``progress(rows done)`` is called every
    batch. Return the run."""
    run = start_dry_run(job)
    try:
        return check_steps(run, job, after_batch=(lambda current: progress(current.total))
                           if progress is not None else None)
    except (RegisterError, KeyboardInterrupt):
        # The file refused part way, or the command interrupted (Ctrl-C): its run is not
        # left open ("running" for ever in the imports list).
        cancel(run, job.user)
        raise


def check_steps(run, job, seconds=None, batch_size=BATCH_SIZE, after_batch=None):
    """Check the next rows of the dry run ``run`` (all, or for about ``seconds``), storing
    only the report and the counts, a batch at a time (memory stays flat)."""
    run = ImportRun.get_by_id(run.id)
    if run.state != "running":
        return run
    began, by_field, seen = time.monotonic(), job.column_of_field(), _seen_before(run, job)
    rows = _data_rows(job, after=run.progress_row)
    while True:
        batch = list(itertools.islice(rows, batch_size))
        if not batch:
            return _finish_check(run, job.user)
        counts, reported = _zero_counts(), []
        for number, cells in batch:
            checked = check_row(job, number, cells, by_field)
            _match_earlier_rows(checked, seen)
            _count(job, checked, counts)
            if checked.refusals or checked.matches:
                reported.extend(_refusal_rows(run.id, [checked], job))
        run = _store_progress(run, batch[-1][0], counts, reported)
        if after_batch is not None:
            after_batch(run)
        if run.state != "running" or (seconds is not None
                                      and time.monotonic() - began >= seconds):
            return run


def _zero_counts():
    return dict.fromkeys(("total", "accepted", "refused", "duplicates", "updated",
                          "skipped"), 0)


def _seen_before(run, job):
    """Return the exact keys of the rows a dry run checked in its earlier steps (read
    again from the file, without the form: the refused rows are known)."""
    if not run.progress_row:
        return {}
    refused = {r.row_number for r in run.refusals.select(ImportRefusal.row_number)
               .where(~ImportRefusal.duplicate)}
    seen = {}
    for number, cells in _data_rows(job):
        if number > run.progress_row:
            break
        if number not in refused:
            values = {"customer": row_values(cells, job.mapping)}
            for key in file_keys(Checked(number, values=values)):
                seen.setdefault(key, number)
    return seen


def _store_progress(run, last_row, counts, reported):
    """Store a dry run's batch: its report rows, counts and progress, in one transaction."""
    with database.write_transaction():
        _insert_refusals(reported)
        moved = ImportRun.update(
            progress_row=last_row,
            **{name: getattr(ImportRun, name) + value for name, value in counts.items()},
        ).where((ImportRun.id == run.id) & (ImportRun.progress_row == run.progress_row)
                & (ImportRun.state == "running")).execute()
        if moved != 1:
            raise RegisterError(MOVED)
    return ImportRun.get_by_id(run.id)


def _finish_check(run, user):
    with database.write_transaction():
        moved = ImportRun.update(state="checked", finished_at=utcnow()).where(
            (ImportRun.id == run.id) & (ImportRun.state == "running")).execute()
        if moved:
            _audit_run("import_dry_run", run, user)
    return ImportRun.get_by_id(run.id)


def _match_earlier_rows(checked, seen):
    """Match an accepted row with an earlier row of the file with its Y-tunnus or email
    (the dry run stores neither); remember its keys."""
    keys = file_keys(checked)
    if not checked.matches:
        for key in sorted(keys):
            if key in seen:
                checked.matches, checked.earlier = [(None, key[0])], seen[key]
                break
    for key in keys:
        seen.setdefault(key, checked.number)


def _refuse_contradicting_update(job, checked):
    """Refuse a row whose update of the customer it matches would contradict that
    customer's record (a birth date after its informing), as the customer form would."""
    if checked.refusals or not checked.matches or checked.matches[0][0] is None:
        return
    choice = job.choice_for(checked.matches[0][1], checked.number)
    if choice not in ("update_empty", "update_chosen"):
        return
    problem = update_problem(job.section, checked.matches[0][0], checked.values["customer"],
                             job.overwrite if choice == "update_chosen" else None)
    if problem:
        column = job.column_of_field().get(form_key("birth_date"), "")
        checked.refusals.append((column, problem, {}))


def _count(job, checked, counts):
    """Add a checked row to ``counts``; return what is done with it."""
    _refuse_contradicting_update(job, checked)
    counts["total"] += 1
    if checked.refusals:
        counts["refused"] += 1
        return "refuse"
    if not checked.matches:
        counts["accepted"] += 1
        return "create"
    counts["duplicates"] += 1
    choice = job.choice_for(checked.matches[0][1], checked.number)
    key = {"create": "accepted", "update_empty": "updated", "update_chosen": "updated",
           "skip": "skipped"}[choice]
    counts[key] += 1
    return choice


def commit_key(job):
    return f"{job.section.id}:{job.file_hash}"


def start_commit(job, rows=None):
    """Return the commit run of ``job``'s file in its section: a new one, or the one there
    already — resumed from its last committed batch (a cancelled one too, reopened with
    ``job``'s mapping and choices for the rows left: its ``reopened`` is then true), or
    finished. ``rows``: the file's data rows, when known (the progress shows the share
    done)."""
    with database.write_transaction():
        run = ImportRun.get_or_none(ImportRun.commit_key == commit_key(job))
        reopened = run is not None and run.state == "cancelled"
        if run is None:
            run = _new_run(job, "commit", "running", key=commit_key(job), rows=rows)
            _audit_run("import_start", run, job.user)
        elif run.state in ("running", "cancelled"):
            if reopened:
                ImportRun.update(state="running", cancelled_at=None, finished_at=None,
                                 mapping=job.mapping_json(), options=_options(job, rows)
                                 ).where(ImportRun.id == run.id).execute()
                run = ImportRun.get_by_id(run.id)
            _audit_run("import_resume", run, job.user)
    run.reopened = reopened
    return run


def commit_steps(run, job, seconds=None, batch_size=BATCH_SIZE, after_batch=None):
    """Store the next batches of ``run`` (all, or for about ``seconds``); return the run as
    it is now. ``after_batch(run)`` is called after each committed batch."""
    run = ImportRun.get_by_id(run.id)
    if run.state != "running":
        return run
    began = time.monotonic()
    for checked in _batches(job, _data_rows(job, after=run.progress_row), batch_size):
        run = _commit_batch(run, job, checked)
        if after_batch is not None:
            after_batch(run)
        if run.state != "running" or (seconds is not None
                                      and time.monotonic() - began >= seconds):
            return run
    return finish(run, job.user)


def _batches(job, rows, batch_size):
    """Yield the checked rows in batches of at most ``batch_size``; a batch ends before a
    row with the Y-tunnus or email of a row in it, and that row is checked again once the
    batch is stored (the generator goes on only then), so it matches the stored one."""
    batch, keys, by_field = [], set(), job.column_of_field()
    for number, cells in rows:
        checked = check_row(job, number, cells, by_field)
        if file_keys(checked) & keys:
            yield batch
            batch, keys = [], set()
            checked = check_row(job, number, cells, by_field)
        batch.append(checked)
        keys |= file_keys(checked)
        if len(batch) >= batch_size:
            yield batch
            batch, keys = [], set()
    if batch:
        yield batch


def _commit_batch(run, job, checked):
    counts = _zero_counts()
    actions = [(c, _count(job, c, counts)) for c in checked]
    with database.write_transaction():
        current = ImportRun.get_by_id(run.id)
        if current.state != "running":
            return current  # cancelled meanwhile: this batch is not stored
        if current.progress_row != run.progress_row:
            raise RegisterError(MOVED)
        store_batch(job, actions)
        _insert_refusals(_refusal_rows(run.id, checked, job))
        moved = ImportRun.update(
            progress_row=checked[-1].number,
            **{name: getattr(ImportRun, name) + value for name, value in counts.items()},
        ).where((ImportRun.id == run.id) & (ImportRun.progress_row == run.progress_row)
                & (ImportRun.state == "running")).execute()
        if moved != 1:  # another step stored this batch first: this one rolls back
            raise RegisterError(MOVED)
    return ImportRun.get_by_id(run.id)


def finish(run, user):
    """Mark ``run`` finished. A run that stored nothing (every row refused or skipped)
    gives its file back: the same file imported again, with the mistake of the first run
    mended (its informing time, say), is a new run, not this one's report again."""
    with database.write_transaction():
        stored = ImportRun.accepted + ImportRun.updated > 0
        moved = ImportRun.update(
            state="finished", finished_at=utcnow(),
            commit_key=pw.Case(None, [(stored, ImportRun.commit_key)], None)).where(
            (ImportRun.id == run.id) & (ImportRun.state == "running")).execute()
        if moved:
            _audit_run("import_end", run, user)
    return ImportRun.get_by_id(run.id)


def cancel(run, user):
    """Cancel a running import: the batches committed stay, and the log says so."""
    with database.write_transaction():
        moved = ImportRun.update(state="cancelled", cancelled_at=utcnow(),
                                 finished_at=utcnow()).where(
            (ImportRun.id == run.id) & (ImportRun.state == "running")).execute()
        if not moved:
            raise RegisterError(NOT_OPEN)
        _audit_run("import_cancel", run, user)
    return ImportRun.get_by_id(run.id)


def refusals_of(run):
    """Return the run's refusals in row order: ``[(row number, column, msgid, params)]``."""
    return [(r.row_number, r.column, r.message, json.loads(r.params or "{}"))
            for r in run.refusals.where(~ImportRefusal.duplicate)
            .order_by(ImportRefusal.row_number, ImportRefusal.id)]


def matches_of(run):
    """Return the run's rows matching a customer (or, in a dry run, an earlier row of the
    file), in row order: ``[(row number, reason, customer id, choice, earlier row)]``."""
    found = []
    for r in run.refusals.where(ImportRefusal.duplicate).order_by(ImportRefusal.row_number):
        params = json.loads(r.params or "{}")
        found.append((r.row_number, r.message, params.get("customer"), params.get("choice"),
                      params.get("row")))
    return found
