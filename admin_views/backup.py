"""Backups (seed §11): the status page with the restore drill button, the front page's
backup panel, and starting the scheduler that takes backups while the server runs.

Technical maintenance, the responsible person and the controller see it. Nothing here
shows personal data: names of files, times, sizes and row counts per table. The rules
are in services/backup/.
"""

import datetime
import os

import click
from flask import current_app, flash, redirect, url_for
from flask.helpers import get_debug_flag
from flask_admin import expose
from flask_babel import format_decimal, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import SecureBaseView
from database import write_transaction
from services import audit, policy
from services import backup as rules
from services.vocabulary.administration import BACKUP_STATE_LABELS



def settings(app=None):
    """Return the backup settings of ``app`` (the current app by default); a wrong
    BACKUP_* setting raises ``SettingsError`` (refused at start, said on the pages)."""
    return rules.Settings.from_app(app or current_app)


def settings_error_status(error):
    """Return the status panel's ``backup_status`` when a BACKUP_* setting is wrong."""
    return {"settings_error": problem_text((error.message, error.params))}


def init_app(app):
    """Start the backup scheduler if ``app`` is about to serve requests; return it or None.

    On unless ``BACKUP_SCHEDULE`` is false; off by default under TESTING. It starts for a
    WSGI server (each of gunicorn's workers, waitress) and for ``flask run`` (in the
    reloader's serving process only), never for other ``flask`` commands; one per process
    and backup directory, however many threads serve.
    """
    if not app.config.get("BACKUP_SCHEDULE", not app.testing) or not _serving():
        return None
    return rules.start_scheduler(settings(app))


def _serving():
    """Tell whether this process is going to serve requests."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # created by a WSGI server or a script, not by a `flask` command
    if ctx.command.name != "run":
        return False  # db upgrade, backup create and the like
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    # With the reloader the first process only watches files; its child serves.
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def panel_status(user=None, now=None):
    """Return the front page's ``backup_status`` for ``user`` (default: the current user)
    at ``now``, or None when the user's role does not see backups."""
    user = user or current_user
    if not policy.may(user, "see_backups"):
        return None
    try:
        config = settings()
    except rules.SettingsError as e:
        return settings_error_status(e)
    return present_status(rules.status(config, now))


def present_status(status):
    """Add the texts a page shows to ``services.backup.status()``'s dict."""
    status = dict(status)
    status["late_after_text"] = format_timedelta(status["late_after"], threshold=1)
    good = status["last_good"]
    if good:
        status["last_good"] = {**good, "age_text": format_timedelta(good["age"], threshold=1),
                               "size_text": size_text(good["size"])}
    failed = status["last_failed"]
    if failed:
        status["last_failed"] = {**failed, "error_text": problem_text(failed["error"])}
    drill = status["last_drill"]
    if drill:
        status["last_drill"] = {**drill, "problem_texts": [problem_text(p)
                                                           for p in drill["problems"]]}
    if status["offsite"]:
        status["offsite"] = {**status["offsite"],
                             "error_text": problem_text(status["offsite"]["error"])}
    return status


def problem_text(problem):
    """Translate a ``(msgid, params)`` problem of ``services.backup``."""
    if not problem:
        return ""
    message, params = problem
    return _(message, **params)


def size_text(size):
    """Return a file size as the page shows it: kB, MB or GB with one decimal."""
    for limit, unit in ((10**9, _("%(size)s GB")), (10**6, _("%(size)s MB"))):
        if size >= limit:
            return unit % {"size": format_decimal(size / limit, "#,##0.0")}
    return _("%(size)s kB") % {"size": format_decimal(size / 1000, "#,##0.0")}


class BackupView(SecureBaseView):
    """The backups kept, their verification, the restore drills and a button to run one."""

    capability = "see_backups"

    @expose("/")
    def index(self):
        try:
            config = settings()
        except rules.SettingsError as e:
            return self.render("backup/index.html", backup_status=settings_error_status(e),
                               settings=None)
        backups = rules.list_backups(config)
        drills = rules.drill_log(config)
        return self.render(
            "backup/index.html",
            backup_status=present_status(rules.status(config)),
            backups=[self._present_backup(b) for b in backups],
            drills=[self._present_drill(d) for d in drills[:20]],
            settings=config,
            interval_text=format_decimal(config.interval_hours),
        )

    @expose("/drill", methods=("POST",))
    def drill(self):
        try:
            config = settings()
            entry = rules.drill(config, wait=0)  # no server worker held while a backup runs
        except rules.DrillBusy as e:
            flash(_(e.message, **e.params), "warning")
            return redirect(url_for(".index"))
        except rules.BackupBusy:
            flash(_("A backup is being taken right now, so the restore drill did not start. "
                    "Try again in a few minutes."), "warning")
            return redirect(url_for(".index"))
        except rules.BackupError as e:
            entry = None
            flash(_(e.message, **e.params), "error")
        with write_transaction():
            audit.record("backup_drill", current_user, object_type="backup",
                         object_id=entry["backup"] if entry else None)
        if entry and entry["ok"]:
            flash(_("The restore drill of %(name)s passed: the restored database is intact, "
                    "its audit chain holds and every table has the rows the backup recorded.",
                    name=entry["backup"]), "success")
        elif entry:
            flash(_("The restore drill of %(name)s failed: %(problems)s",
                    name=entry["backup"],
                    problems=" ".join(problem_text(p) for p in entry["problems"])), "error")
        return redirect(url_for(".index"))

    # --- helpers ------------------------------------------------------------------

    @staticmethod
    def _present_backup(backup):
        return {
            "name": backup.name,
            "kind": backup.kind,
            "created_at": backup.created_at,
            "good": backup.good,
            "state": BACKUP_STATE_LABELS.get(backup.state, backup.state),
            "size_text": size_text(backup.size),
            "rows_text": format_decimal(backup.rows),
            "sha256": backup.manifest.get("sha256") or "",
            "verification": backup.manifest.get("verification") or "",
            "error_text": problem_text(backup.error),
            "encrypted": backup.encrypted,
            "offsite": BackupView._present_copy(backup.offsite),
        }

    @staticmethod
    def _present_copy(record):
        """The off-site copy of a backup as the page shows it, or None."""
        if not record:
            return None
        error = record.get("error")
        return {"verified": record.get("verified"),
                "error_text": problem_text((error["message"], error.get("params", {})))
                if error else ""}

    @staticmethod
    def _present_drill(entry):
        return {
            "at": datetime.datetime.fromisoformat(entry["at"]),
            "ok": entry["ok"],
            "backup": entry["backup"],
            "offsite": entry.get("source") == "offsite",
            "problem_texts": [problem_text(p) for p in entry["problems"]],
            "audit_checked": format_decimal(entry.get("audit_checked") or 0),
            "duration": format_decimal(entry.get("duration_seconds") or 0, "#,##0.0"),
            "tables": [(table, *(format_decimal(n) if n is not None else "—" for n in counts))
                       for table, *counts in entry["tables"]],
            "differs": {table for table, recorded, restored, _live in entry["tables"]
                        if recorded != restored},
        }
