"""Retention (seed §12): the retention periods, the purge preview and its runs, the purge
log, and the erasure of one subject on request (GDPR Art. 17).

Who does what (DESIGN.md §1): the controller sets the periods and confirms and runs
purges; the responsible person and the handlers read the periods and the log, and preview
(a handler only the own section); the responsible person decides erasures on request.
Staff and technical maintenance have no page here. The rules are in services/retention/.

A purge runs from the run page in steps: each POST purges batches for a couple of seconds
and answers with the progress, and the page's script posts the next step until the run
finishes (without the script, a button does the same). No request runs long, whatever
the size of the register; a run left half-way goes on from the page or from
``flask --app app retention purge --confirmed-run ID``.
"""

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.base import SecureBaseView, page_number, user_may, user_name, visible_or_404
from database import write_transaction
from forms.retention import ErasureForm
from models import Customer, PurgeRun, Section
from services import duties as duty_rules
from services import policy
from services import retention as rules
from services.errors import RegisterError
from services.vocabulary.customers import CUSTOMER_KIND_LABELS
from services.vocabulary.report import place_label
from services.vocabulary.rights import (
    PURGE_COUNT_LABELS,
    PURGE_KIND_LABELS,
    PURGE_STATE_LABELS,
    RECORD_KIND_LABELS,
)


# Categories a listed customer is shown losing: the name and language go with every
# deleted customer, which the list says already.
SHOWN_GOES = [c for c in rules.COUNTED_CATEGORIES if c not in ("identity", "language")]


# A run's states while it is a preview (its customers listed, not yet purged).
PREVIEW_STATES = ("previewed", "superseded", "stale")


def accounting_years():
    return int(current_app.config.get("RETENTION_ACCOUNTING_YEARS", rules.ACCOUNTING_YEARS))


def batch_size():
    return int(current_app.config.get("RETENTION_BATCH_SIZE", rules.BATCH_SIZE))


def step_seconds():
    return float(current_app.config.get("RETENTION_STEP_SECONDS", 2.0))


def actor():
    return current_user._get_current_object()


def decides():
    """Tell whether the user changes the periods and confirms and runs purges."""
    return user_may("decide_retention")


def readable_sections():
    """Return the sections the user may preview, by code: every one, or a handler's own."""
    return list(Section.select()
                .where(Section.id.in_(policy.readable_section_ids(current_user)))
                .order_by(Section.code))


def section_names():
    locale = str(get_locale())
    return {s.code: s.name_in(locale) for s in Section.select()}




def hold_text(hold):
    """Return why a customer is held, in the reader's language."""
    message, params = hold.message
    return _(message, **params)


def holds_text(holds):
    """Return every reason a customer is held, one sentence after another."""
    return ". ".join(hold_text(h) for h in holds)


def goes_text(goes):
    """Return "Category n · Category n" of what goes of one customer."""
    return " · ".join(f"{PURGE_COUNT_LABELS[c]} {format_decimal(goes[c])}"
                      for c in SHOWN_GOES if goes.get(c))


def progress_of(run):
    """Return the JSON-able progress of a run, with a sentence for screen readers."""
    percent = (run.processed / run.total) if run.total else (1.0 if run.state == "finished"
                                                             else 0.0)
    if run.state == "finished":
        text = _("Finished: %(deleted)s customers deleted, %(minimised)s minimised, "
                 "%(skipped)s skipped.", deleted=format_decimal(run.deleted),
                 minimised=format_decimal(run.minimised), skipped=format_decimal(run.skipped))
    else:
        text = _("%(processed)s of %(total)s customers handled (%(percent)s).",
                 processed=format_decimal(run.processed), total=format_decimal(run.total),
                 percent=format_percent(percent))
    return {"id": run.id, "state": run.state, "state_label": str(PURGE_STATE_LABELS[run.state]),
            "processed": run.processed, "total": run.total, "deleted": run.deleted,
            "minimised": run.minimised, "skipped": run.skipped,
            "percent": round(percent * 100), "text": text,
            "finished": run.state == "finished"}


def place_counts(counts):
    """Return "Invoices 3, Email 2" of ``{place: count}`` (services.retention.leftover)."""
    return ", ".join(f"{place_label(key)} {format_decimal(number)}"
                     for key, number in sorted(counts.items()))


def _run_names():
    """What a page listing purge runs names them with: sections, counts, states, kinds."""
    return {"names": section_names(), "count_labels": PURGE_COUNT_LABELS,
            "record_labels": RECORD_KIND_LABELS, "wiped_kinds": rules.WIPED_KINDS,
            "own_row": rules.own_row_categories(),
            "categories": ("customers",) + rules.COUNTED_CATEGORIES,
            "state_labels": PURGE_STATE_LABELS, "kind_labels": PURGE_KIND_LABELS,
            "user_name": user_name, "place_counts": place_counts}


def policy_page(rows=None, **typed):
    """Return what the retention periods' page shows: ``typed`` holds what a refused post
    brought back (``values``, ``errors``, ``shown`` of the periods by section code; under
    "purge_cadence" the purge review's interval, admin_views/duties.py)."""
    return {"number": format_decimal, "rows": rules.policies() if rows is None else rows,
            "values": {}, "errors": {}, "shown": {}, **typed, "names": section_names(),
            "history": rules.policy_history(), "user_name": user_name, "can_edit": decides(),
            "low": rules.MIN_MONTHS, "high": rules.MAX_MONTHS, "years": accounting_years(),
            "cadence": duty_rules.months(duty_rules.PURGE_CADENCE),
            "purge_review": duty_rules.purge_review(),
            "cadence_range": (duty_rules.MIN_MONTHS, duty_rules.MAX_MONTHS)}


class RetentionPolicyView(SecureBaseView):
    """The retention period of each section; the controller changes them."""

    capability = "read_retention"

    def refused_cadence(self, typed):
        """The page again with a purge review interval refused (admin_views/duties.py)."""
        return self.render("retention/policy.html", **policy_page(**typed))

    @staticmethod
    def _save(values, shown):
        changed = rules.set_periods(values, shown, actor())
        if changed:
            names = section_names()
            flash(_("Saved the retention period of %(sections)s.",
                    sections=", ".join(names[s.code] for s in changed)), "success")
        else:
            flash(_("Nothing changed: the periods were already those."), "info")
        return redirect(url_for(".index"))

    @expose("/", methods=("GET", "POST"))
    def index(self):
        rows = rules.policies()
        values, errors, shown = {}, {}, {}
        if request.method == "POST":
            if not decides():
                abort(403)
            for section, _policy in rows:
                value = request.form.get(f"months-{section.code}", "").strip()
                values[section.code] = value
                shown[section.code] = request.form.get(f"shown-{section.code}", "").strip()
                try:
                    rules.parse_months(value)
                except RegisterError as ex:
                    errors[section.code] = _(ex.message, **ex.params)
            if errors:
                flash(_("The periods were not saved. Correct the marked fields and save "
                        "again."), "error")
            else:
                try:
                    return self._save(values, shown)
                except rules.PeriodsChanged as ex:
                    flash(_(ex.message), "error")
                    for code, months in ex.now_months.items():
                        values[code] = "" if months is None else months
                        errors[code] = _("Changed meanwhile by someone else.")
                    shown = {}  # the page shows the periods as they are now
        return self.render("retention/policy.html",
                           **policy_page(rows, values=values, errors=errors, shown=shown))


class PurgeView(SecureBaseView):
    """The purge preview, its confirmation and the runs' progress."""

    capability = "read_retention"

    # --- preview ----------------------------------------------------------------------

    @expose("/")
    def index(self):
        scope = self._scope(request.args.get("section"))
        snapshot = rules.Snapshot.now(scope, accounting_years())
        result = self._preview(snapshot)
        run = None
        if decides():
            run = rules.start_preview(snapshot, result, actor())
        else:
            with write_transaction():
                rules.record_preview(actor(), snapshot)
        return self._render_preview(result, run, current=True)

    def _scope(self, code):
        sections = readable_sections()
        if code:
            sections = [s for s in sections if s.code == code]
            if not sections:
                abort(404)
        return sections

    def _preview(self, snapshot):
        codes = snapshot.codes
        listed = request.args.get("list")
        if listed not in codes:
            listed = codes[0] if codes else None
        return rules.preview(snapshot, list_section=listed, page=self._page("page"),
                             minimise_page=self._page("mpage"), parallel=True)

    @staticmethod
    def _page(name):
        """Return the page number ``name`` of the query (from 0); 0 for anything else."""
        return page_number(request.args.get(name), first=0)

    def _render_preview(self, result, run, current):
        snapshot = result.snapshot
        codes = snapshot.codes
        listed = request.args.get("list")
        if listed not in codes:
            listed = codes[0] if codes else None
        part = next((p for p in result.sections if p.section.code == listed), None)
        delete_rows = minimise_rows = held_rows = []
        if part is not None:
            delete_rows = rules.listed(part.delete_page, rules.DELETE, snapshot.keep_from,
                                       snapshot.accounting_years)
            minimise_rows = rules.listed(part.minimise_page, rules.MINIMISE,
                                         snapshot.keep_from, snapshot.accounting_years)
            # Holds are few: every held customer of the section is listed.
            held_rows = rules.listed_held(part.held, result.holds)
        changed = run is not None and run.fingerprint != result.fingerprint
        return self.render(
            "retention/preview.html",
            number=format_decimal,
            result=result,
            snapshot=snapshot,
            run=run,
            changed=changed,
            current=current,
            part=part,
            listed=listed,
            delete_rows=delete_rows,
            minimise_rows=minimise_rows,
            held_rows=held_rows,
            holds_text=holds_text,
            page=self._page("page"),
            mpage=self._page("mpage"),
            page_size=rules.PAGE_SIZE,
            names=section_names(),
            scope_choices=[(s.code, section_names()[s.code]) for s in readable_sections()],
            chosen=request.args.get("section") or "",
            count_labels=PURGE_COUNT_LABELS,
            own_row=rules.own_row_categories(),
            categories=rules.COUNTED_CATEGORIES,
            kind_labels=CUSTOMER_KIND_LABELS,
            state_labels=PURGE_STATE_LABELS,
            goes_text=goes_text,
            can_confirm=decides() and run is not None and run.state == "previewed"
            and not changed,
            unfinished=rules.unfinished_run(),
            years=snapshot.accounting_years,
            record_labels=RECORD_KIND_LABELS,
            wiped_kinds=rules.WIPED_KINDS,
            leftover=rules.leftover_counts(part.section for part in result.sections),
            place_counts=place_counts,
        )

    # --- runs --------------------------------------------------------------------------

    @staticmethod
    def _run_or_404(run_id):
        """Return the run; a preview lists customers: a handler sees (and hears of) only a
        preview of their own sections."""
        run = visible_or_404(PurgeRun, run_id)
        if run.state in PREVIEW_STATES:
            own = {s.code for s in readable_sections()}
            if not set(run.sections.split()) <= own:
                abort(404)
        return run

    @expose("/runs/<int:run_id>")
    def run(self, run_id):
        run = self._run_or_404(run_id)
        if run.state in PREVIEW_STATES:
            snapshot = rules.Snapshot.of_run(run)
            result = self._preview(snapshot)
            with write_transaction():
                rules.record_preview(actor(), snapshot, run)
            return self._render_preview(result, run, current=False)
        return self.render(
            "retention/run.html",
            number=format_decimal,
            run=run,
            progress=progress_of(run),
            snapshot=rules.Snapshot.of_run(run),
            planned=rules.counts_of(run, "planned"),
            done=rules.counts_of(run, "done"),
            records_planned=rules.counts_of(run, "records_planned"),
            records_done=rules.counts_of(run, "records_done"),
            **_run_names(),
            can_run=decides() and run.kind == "purge"
            and run.state in ("confirmed", "running"),
        )

    @expose("/runs/<int:run_id>/status")
    def status(self, run_id):
        return jsonify(progress_of(self._run_or_404(run_id)))

    @expose("/runs/<int:run_id>/confirm", methods=("POST",))
    def confirm(self, run_id):
        if not decides():
            abort(403)
        run = visible_or_404(PurgeRun, run_id)
        try:
            run = rules.confirm(run.id, actor())
        except (rules.SetChanged, rules.PolicyChanged) as ex:
            flash(_(ex.message, **ex.params), "error")
            codes = run.sections.split()
            section = codes[0] if len(codes) == 1 and len(readable_sections()) > 1 else None
            return redirect(url_for(".index", section=section))
        except RegisterError as ex:
            flash(_(ex.message, **ex.params), "error")
            return redirect(url_for(".run", run_id=run.id))
        flash(_("Purge %(id)s confirmed: %(count)s customers. Start it below.", id=run.id,
                count=format_decimal(run.total)), "success")
        return redirect(url_for(".run", run_id=run.id))

    @expose("/runs/<int:run_id>/step", methods=("POST",))
    def step(self, run_id):
        if not decides():
            abort(403)
        run = visible_or_404(PurgeRun, run_id)
        wants_json = request.accept_mimetypes.best == "application/json"
        try:
            run = rules.execute(run.id, batch_size=batch_size(), actor=actor(),
                                seconds=step_seconds(), record_resume=False,
                                keys=rules.RecordKeys.from_config(current_app.config))
        except RegisterError as ex:
            message = _(ex.message, **ex.params)
            # The customers changed before the purge started: a fresh preview to confirm.
            changed = isinstance(ex, (rules.SetChanged, rules.PolicyChanged))
            target = url_for(".index") if changed else url_for(".run", run_id=run.id)
            if wants_json:
                if changed:
                    flash(message, "error")  # shown on the page the script goes to
                return jsonify({"error": message, "redirect": target if changed else None,
                                **progress_of(PurgeRun.get_by_id(run.id))}), 409
            flash(message, "error")
            return redirect(target)
        if wants_json:
            return jsonify(progress_of(run))
        return redirect(url_for(".run", run_id=run.id))


class PurgeLogView(SecureBaseView):
    """Every confirmed purge and erasure: when, which policy, who confirmed, what went."""

    capability = "read_retention"

    @expose("/")
    def index(self):
        from services import backup as backup_rules

        runs = rules.logged_runs()
        try:
            backups, backup_error = backup_rules.Settings.from_app(current_app), None
        except backup_rules.SettingsError as e:  # when the backups go cannot be read: said
            backups, backup_error = None, _(e.message, **e.params)
        return self.render(
            "retention/log.html",
            backups_expire=lambda run: backup_rules.backups_holding_expire_by(
                backups, run.finished_at),
            backup_error=backup_error,
            number=format_decimal,
            runs=[(run, rules.counts_of(run, "done"), rules.counts_of(run, "planned"))
                  for run in runs],
            policy_of=rules.Snapshot.of_run,
            cadence_kept=duty_rules.cadence_kept(runs),
            cadence=duty_rules.months(duty_rules.PURGE_CADENCE),
            records_of=lambda run: (rules.counts_of(run, "records_planned"),
                                    rules.counts_of(run, "records_done")),
            **_run_names(),
        )


class ErasureView(SecureBaseView):
    """Erase one customer on the subject's request (GDPR Art. 17): the responsible person."""

    capability = "erase_on_request"
    MAX_FOUND = 20

    @expose("/", methods=("GET", "POST"))
    def index(self):
        term = (request.args.get("q") or "").strip()
        customer = self._customer_or_404()
        form = ErasureForm(request.form if request.method == "POST" else None)
        error = None
        if request.method == "POST":
            if customer is None:
                abort(404)
            run, error = (None, form.first_error) if not form.validate() else \
                self._erase(customer, form)
            if run is not None:
                return redirect(url_for("retention.run", run_id=run.id))
        found = (rules.erasure_search(term, actor(), self.MAX_FOUND)
                 if term and customer is None else [])
        plan = None
        if customer is not None:
            plan = rules.erasure_plan(customer, accounting_years())
            if request.method == "GET":
                rules.record_erasure_view(customer, actor())
        return self.render(
            "retention/erasure.html",
            number=format_decimal,
            term=term,
            found=found,
            max_found=self.MAX_FOUND,
            customer=customer,
            plan=plan,
            received=form.received_on.raw_data[0] if form.received_on.raw_data else "",
            confirmed=bool(form.confirmed.data),
            error=error,
            names=section_names(),
            sections={s.id: s.code for s in Section.select()},
            count_labels=PURGE_COUNT_LABELS,
            own_row=rules.own_row_categories(),
            categories=rules.COUNTED_CATEGORIES,
            kind_labels=CUSTOMER_KIND_LABELS,
            years=accounting_years(),
            holds_text=holds_text,
        )

    @staticmethod
    def _customer_or_404():
        """The customer named by ``?customer=``, None when none is named; 404 if no such."""
        if not request.args.get("customer"):
            return None
        return visible_or_404(Customer, request.args.get("customer"))

    @staticmethod
    def _erase(customer, form):
        """Erase ``customer`` as decided in ``form``; return the run, or None and the error."""
        try:
            run = rules.erase(customer.id, actor(), form.received_on.data, accounting_years())
        except rules.Held as ex:
            return None, _(ex.message, reasons=holds_text(ex.holds))
        except RegisterError as ex:
            return None, _(ex.message, **ex.params)
        flash(_("The customer's data was erased (run %(id)s).", id=run.id), "success")
        return run, None


def add_retention_views(admin, category):
    """Add the retention pages to ``admin`` under the menu ``category``."""
    admin.add_view(PurgeView(name=_l("Purge preview"), category=category, endpoint="retention",
                             url="/retention"))
    admin.add_view(RetentionPolicyView(name=_l("Retention periods"), category=category,
                                       endpoint="retention_policy", url="/retention/policy"))
    admin.add_view(PurgeLogView(name=_l("Purge log"), category=category,
                                endpoint="retention_log", url="/retention/log"))
    admin.add_view(ErasureView(name=_l("Erasure on request"), category=category,
                               endpoint="retention_erasure", url="/retention/erasure"))
