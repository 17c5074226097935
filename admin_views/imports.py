"""Import of customers from a CSV or XLSX file (issue 15): upload, map the columns, the
dry run's report, the commit with its progress, cancelling, and the list of imports.

Staff and handlers import into their own sections, as they create customers there
(``policy.import_section_ids``); a user sees only the imports of those sections. Every row
is checked by the customer screen's own form (``forms.imports.row_validator``), handed
the customer view by the registry. The commit runs in steps as the retention purge does:
each POST stores batches for a couple of seconds and answers with the progress, and the
page's script posts the next one (without the script, a button does the same).
"""

import json
import os

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from admin_views.base import (
    SecureBaseView,
    download,
    flash_refusal,
    user_name,
    visible_or_404,
)
from forms.imports import row_validator
from models import ImportRun, Section, utcnow
from services import imports, policy
from services.errors import RegisterError
from services.exports import CSV_CONTENT_TYPE
from services.imports import files
from services.vocabulary.customers import DUPLICATE_REASON_LABELS, INFORMED_HOW_LABELS
from services.vocabulary.imports import (
    DUPLICATE_CHOICE_LABELS,
    IMPORT_KIND_LABELS,
    IMPORT_STATE_LABELS,
    TARGETS,
)

REPORT_ROWS = 1000


def _root():
    return os.path.join(current_app.instance_path, "imports")


def _directory(section):
    """Return the folder of the section's kept files (services/imports/files.py)."""
    return files.section_directory(_root(), section)


def _step_seconds():
    return float(current_app.config.get("IMPORT_STEP_SECONDS", 2.0))


def _batch_size():
    return int(current_app.config.get("IMPORT_STEP_BATCH_SIZE", 500))


def _sections():
    """Return the sections the user may import into, by code."""
    ids = policy.import_section_ids(current_user)
    return {s.code: s for s in Section.select().where(Section.id.in_(ids))
            .order_by(Section.code)}


def _section_or_404(code):
    section = _sections().get(code or "")
    if section is None:
        abort(404)
    return section


def _targets(section):
    """Return the fields a column can go to in ``section``, with their labels."""
    return {name: TARGETS[name] for name in imports.held_targets(section.category_set)}


def _run_or_404(run_id):
    ids = policy.import_section_ids(current_user)
    return visible_or_404(ImportRun.select().where(ImportRun.section.in_(ids)), run_id)


def _describe(column, message, params):
    return f"{column}: {_(message, **params)}"


def progress_of(run):
    """Return the JSON-able progress of a commit: rows done, rate, time left."""
    rows = json.loads(run.options or "{}").get("rows") or 0
    elapsed = max(((run.finished_at or utcnow()) - run.started_at).total_seconds(), 0.001)
    rate = run.total / elapsed
    left = (rows - run.total) / rate if rate and rows > run.total else 0
    percent = round(100 * run.total / rows) if rows else (100 if run.state != "running" else 0)
    text = _("%(done)s of %(rows)s rows done, %(rate)s rows a second, about %(left)s s left.",
             done=format_decimal(run.total), rows=format_decimal(rows),
             rate=format_decimal(round(rate)), left=format_decimal(round(left)))
    return {"id": run.id, "state": run.state, "state_label": str(IMPORT_STATE_LABELS[run.state]),
            "done": run.total, "rows": rows, "rate": round(rate), "seconds_left": round(left),
            "percent": percent, "text": text, "finished": run.state != "running",
            "accepted": run.accepted, "refused": run.refused, "updated": run.updated,
            "duplicates": run.duplicates, "skipped": run.skipped}


def _row_choices(checked):
    """Return ``{row number: choice}`` of the matching rows whose choice on the dry run's
    report differs from their kind's (only the report's rows; unknown values ignored)."""
    choices = {}
    # Updating the chosen fields needs fields chosen on the mapping step.
    offered = [c for c in DUPLICATE_CHOICE_LABELS if c != "update_chosen"
               or json.loads(checked.options or "{}").get("overwrite")]
    for number, _reason, _customer, choice, _earlier in imports.matches_of(checked):
        posted = request.form.get(f"row-{number}")
        if posted in offered and posted != choice:
            choices[number] = posted
    return choices


class ImportView(SecureBaseView):
    """Import customers from a file into a section."""

    capability = "import_customers"

    def __init__(self, customers, **kwargs):
        self.customers = customers  # the customer view: its form checks every row
        super().__init__(**kwargs)

    def _job(self, section, path, file_name, header, mapping, options):
        return imports.ImportJob(
            section=section, user=current_user._get_current_object(), path=path,
            file_name=file_name, file_hash=os.path.basename(path), header=header,
            mapping=mapping, validate_row=row_validator(self.customers, section),
            duplicates=options.get("duplicates") or {"*": "skip"},
            informing=options.get("informing") or {},
            row_choices={int(n): c for n, c in (options.get("row_choices") or {}).items()},
            overwrite=options.get("overwrite") or [])

    def _job_of(self, run):
        path = files.kept(_directory(run.section), run.file_hash)
        header, _rows = imports.header_and_rows(path)
        options = json.loads(run.options or "{}")
        mapping = imports.run_mapping(header, json.loads(run.mapping), options,
                                      _targets(run.section))
        return self._job(run.section, path, run.file_name, header, mapping, options)

    @expose("/")
    def index(self):
        sections = _sections()
        runs = list(imports.runs_for([s.id for s in sections.values()]).limit(100))
        locale = str(get_locale())
        return self.render("imports/index.html", runs=runs, user_name=user_name,
                           sections={c: s.name_in(locale) for c, s in sections.items()},
                           names={s.id: s.name_in(locale) for s in sections.values()},
                           mappings=imports.saved_mappings([s.id for s in sections.values()]),
                           kind_labels=IMPORT_KIND_LABELS, state_labels=IMPORT_STATE_LABELS)

    @expose("/upload", methods=("POST",))
    def upload(self):
        section = _section_or_404(request.form.get("section"))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose the file to import."), "error")
            return redirect(url_for(".index"))
        try:
            name = files.file_name(upload.filename)
        except RegisterError as error:
            flash_refusal(error)
            return redirect(url_for(".index"))
        files.prune(_root())
        file_hash, path = files.keep(upload.stream, _directory(section))
        try:
            header, _rows = imports.header_and_rows(path)
            imports.check_header(header)
        except RegisterError as error:
            files.discard(_directory(section), file_hash)
            flash_refusal(error)
            return redirect(url_for(".index"))
        return redirect(url_for(".mapping", file_hash=file_hash, section=section.code,
                                name=name, mapping=request.form.get("mapping") or None))

    def _mapping_of(self, section, header):
        name = request.values.get("mapping")
        if name:
            try:
                return imports.mapping_by_header(header, imports.saved_mapping(section, name),
                                                 _targets(section))
            except RegisterError as error:
                flash_refusal(error)
        return imports.auto_mapping(header, _targets(section))

    @expose("/map/<file_hash>", methods=("GET", "POST"))
    def mapping(self, file_hash):
        section = _section_or_404(request.values.get("section"))
        try:
            path = files.kept(_directory(section), file_hash)
            header, _rows = imports.header_and_rows(path)
        except RegisterError as error:
            flash_refusal(error)
            return redirect(url_for(".index"))
        if request.method == "POST":
            return self._dry_run(section, path, header, file_hash)
        return self._mapping_page(section, header, file_hash,
                                  self._mapping_of(section, header), MultiDict())

    def _mapping_page(self, section, header, file_hash, mapping, posted):
        """The mapping step; ``posted``, the form sent (refused): its choices kept."""
        return self.render("imports/mapping.html", header=header, mapping=mapping,
                           posted=posted, targets=_targets(section),
                           section=section, file_hash=file_hash,
                           file_name=request.values.get("name") or file_hash[:12],
                           duplicate_labels=DUPLICATE_CHOICE_LABELS,
                           reason_labels=DUPLICATE_REASON_LABELS,
                           informed_labels=INFORMED_HOW_LABELS,
                           overwritable=[name for name in _targets(section)
                                         if name in imports.OVERWRITABLE])

    def _dry_run(self, section, path, header, file_hash):
        form = request.form
        targets = _targets(section)
        mapping = {i: form.get(f"column-{i}") for i in range(len(header))
                   if form.get(f"column-{i}") in targets}
        # One choice for each kind of match, for the whole file (skip when not chosen).
        choices = {reason: form.get(f"duplicates-{reason}") for reason in DUPLICATE_REASON_LABELS}
        options = {"duplicates": {"*": "skip", **{
                       reason: choice for reason, choice in choices.items()
                       if choice in DUPLICATE_CHOICE_LABELS}},
                   "informing": {"informed_how": form.get("informed_how") or "",
                                 "informed_at": form.get("informed_at") or ""},
                   "overwrite": sorted({name for name in form.getlist("overwrite")
                                        if name in targets and name in imports.OVERWRITABLE})}
        try:
            file_name = files.file_name(form.get("name")) or "import"
            imports.check_mapping(header, mapping, options)
            if (form.get("save_as") or "").strip():
                imports.save_mapping(section, form["save_as"], header, mapping,
                                     current_user._get_current_object())
            _header, data = imports.header_and_rows(path)
            run = imports.start_dry_run(
                self._job(section, path, file_name, header, mapping, options),
                rows=sum(1 for _row in data))
        except RegisterError as error:
            flash_refusal(error)  # the form again, as it was sent
            return self._mapping_page(section, header, file_hash, mapping, form)
        return redirect(url_for(".run", run_id=run.id))

    @expose("/runs/<int:run_id>")
    def run(self, run_id):
        run = _run_or_404(run_id)
        refusals = imports.refusals_of(run)
        kept = os.path.isfile(os.path.join(_directory(run.section), run.file_hash))
        return self.render(
            "imports/run.html", run=run, refusals=refusals[:REPORT_ROWS],
            matches=imports.matches_of(run)[:REPORT_ROWS], reason_labels=DUPLICATE_REASON_LABELS,
            choice_labels=DUPLICATE_CHOICE_LABELS,
            choosing=kept and run.kind == "dry_run" and run.state == "checked",
            overwrite=json.loads(run.options or "{}").get("overwrite"),
            more=max(len(refusals) - REPORT_ROWS, 0), describe=_describe, file_kept=kept,
            progress=progress_of(run), user_name=user_name,
            section_name=run.section.name_in(str(get_locale())),
            kind_labels=IMPORT_KIND_LABELS, state_labels=IMPORT_STATE_LABELS,
            mapping=json.loads(run.mapping), targets=TARGETS, number=format_decimal)

    @expose("/runs/<int:run_id>/refused.csv")
    def refused(self, run_id):
        run = _run_or_404(run_id)
        try:
            path = files.kept(_directory(run.section), run.file_hash)
        except RegisterError as error:
            flash_refusal(error)
            return redirect(url_for(".run", run_id=run.id))
        stem = os.path.splitext(run.file_name)[0].encode("ascii", "ignore").decode()
        safe = "".join(c for c in stem if c.isalnum() or c in "-_")[:60] or "import"
        return download(imports.refused_rows_csv(run, path, _describe),
                        f"{safe}-refused.csv", CSV_CONTENT_TYPE)

    @expose("/runs/<int:run_id>/commit", methods=("POST",))
    def commit(self, run_id):
        checked = _run_or_404(run_id)
        if checked.kind != "dry_run" or checked.state != "checked":
            return redirect(url_for(".run", run_id=checked.id))
        try:
            job = self._job_of(checked)
            job.file_name = checked.file_name
            job.row_choices = _row_choices(checked)
            run = imports.start_commit(job, rows=checked.total)
        except RegisterError as error:
            flash_refusal(error)
            return redirect(url_for(".run", run_id=checked.id))
        if run.reopened:
            flash(_(imports.REOPENED, row=format_decimal(run.progress_row)), "info")
        elif run.state != "running":
            flash(_("This file was imported into this section before: nothing is stored "
                    "twice. Here is that import."), "info")
        return redirect(url_for(".run", run_id=run.id))

    @expose("/runs/<int:run_id>/status")
    def status(self, run_id):
        return jsonify(progress_of(_run_or_404(run_id)))

    @expose("/runs/<int:run_id>/step", methods=("POST",))
    def step(self, run_id):
        run = _run_or_404(run_id)
        wants_json = request.accept_mimetypes.best == "application/json"
        try:
            if run.state == "running":
                steps = imports.check_steps if run.kind == "dry_run" else imports.commit_steps
                run = steps(run, self._job_of(run), seconds=_step_seconds(),
                            batch_size=_batch_size())
            if run.state == "finished":
                files.discard_unused(_directory(run.section), run)
        except RegisterError as error:
            if wants_json:
                return jsonify({"error": _(error.message, **error.params),
                                **progress_of(run)}), 409
            flash_refusal(error)
        if wants_json:
            return jsonify(progress_of(run))
        return redirect(url_for(".run", run_id=run.id))

    @expose("/runs/<int:run_id>/cancel", methods=("POST",))
    def cancel(self, run_id):
        run = _run_or_404(run_id)
        try:
            run = imports.cancel(run, current_user._get_current_object())
            files.discard_unused(_directory(run.section), run)
            flash(_("The import was cancelled: the %(count)s rows stored before stay.",
                    count=format_decimal(run.accepted + run.updated)), "info")
        except RegisterError as error:
            flash_refusal(error)
        return redirect(url_for(".run", run_id=run.id))
