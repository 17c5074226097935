"""The backup status that the front page, the status page and monitoring read."""

import datetime

from models import utcnow
import services.backup.alerts as alerts
from services.backup.drills import drill_log
from services.backup.manifest import dated_ahead, list_backups
from services.backup.offsite import copy_status
from services.backup.rotation import backups_expire_by
from services.backup.verify import file_problems


def status(settings, now=None):
    """Return the backup status for the front page, the status page and monitoring.

    ``last_good``: the newest good backup whose data file is there with the size its
    manifest records (name, created_at, age, size) or None; ``late``: no good backup, or it
    is older than twice the interval; ``last_failed``: a failed attempt (or a good one whose
    file is missing or changed) newer than the last good backup, or None (a backup dated
    more than CLOCK_AHEAD after ``now`` counts for none of these); ``last_drill``: the
    newest drill (at, ok, backup, source) or None; ``expires_by``: see ``backups_expire_by``;
    ``encrypted``: whether backups are encrypted now (a key is set); ``offsite``: the
    off-site copies (``offsite.copy_status``), None when no off-site folder is set.
    """
    now = now or utcnow()
    backups = list_backups(settings)
    good, failed = _newest(backups, now)
    drills = drill_log(settings)
    last_drill = None
    if drills:
        d = drills[0]
        last_drill = {"at": datetime.datetime.fromisoformat(d["at"]), "ok": d["ok"],
                      "backup": d["backup"], "problems": d["problems"],
                      "source": d.get("source", "local")}
    age = max(now - good.created_at, datetime.timedelta(0)) if good else None
    return {
        "interval_hours": settings.interval_hours,
        "late_after": settings.late_after,
        "last_good": None if good is None else {
            "name": good.name, "created_at": good.created_at, "age": age, "size": good.size,
            "encrypted": good.encrypted},
        "late": good is None or age > settings.late_after,
        "last_failed": None if failed is None else {
            "name": failed[0].name, "created_at": failed[0].created_at, "error": failed[1]},
        "last_drill": last_drill,
        "kept": sum(1 for b in backups if b.good),
        "expires_by": backups_expire_by(settings, now),
        "encrypted": settings.encrypted,
        "offsite": copy_status(settings, backups),
    }


def _newest(backups, now):
    """Return ``(good, failed)``: the newest good backup whose data file is there with the
    size recorded, or None; and the newest backup after it that failed or whose file is
    missing or changed, with its problem as ``(backup, (msgid, params))``, or None. Backups
    dated ahead of ``now`` count for neither (``dated_ahead``)."""
    failed = None
    for backup in backups:
        if dated_ahead(backup.created_at, now):
            continue
        problems = file_problems(backup) if backup.good else [backup.error]
        if not problems:
            return backup, failed
        if failed is None:
            failed = (backup, problems[0])
    return None, failed


def notify_problems(settings, now=None):
    """Notify a late or failed backup or off-site copy, once per incident (``alerts``);
    return how many notifications were written."""
    now = now or utcnow()
    return alerts.backup_problem(status(settings, now), now)
