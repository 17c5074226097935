"""The backup status that the front page, the status page and monitoring read."""

import datetime

from models import utcnow
import services.backup.alerts as alerts
from services.backup.drills import drill_log
from services.backup.manifest import list_backups
from services.backup.offsite import copy_status
from services.backup.rotation import backups_expire_by


def status(settings, now=None):
    """Return the backup status for the front page, the status page and monitoring.

    ``last_good``: the newest good backup (name, created_at, age, size) or None; ``late``:
    no good backup, or it is older than twice the interval; ``last_failed``: a failed
    attempt newer than the last good backup, or None; ``last_drill``: the newest drill
    (at, ok, backup, source) or None; ``expires_by``: see ``backups_expire_by``;
    ``encrypted``: whether backups are encrypted now (a key is set); ``offsite``: the
    off-site copies (``offsite.copy_status``), None when no off-site folder is set.
    """
    now = now or utcnow()
    backups = list_backups(settings)
    good = next((b for b in backups if b.good), None)
    failed = next((b for b in backups if not b.good), None)
    if failed is not None and good is not None and failed.created_at < good.created_at:
        failed = None
    drills = drill_log(settings)
    last_drill = None
    if drills:
        d = drills[0]
        last_drill = {"at": datetime.datetime.fromisoformat(d["at"]), "ok": d["ok"],
                      "backup": d["backup"], "problems": d["problems"],
                      "source": d.get("source", "local")}
    age = now - good.created_at if good else None
    return {
        "interval_hours": settings.interval_hours,
        "late_after": settings.late_after,
        "last_good": None if good is None else {
            "name": good.name, "created_at": good.created_at, "age": age, "size": good.size,
            "encrypted": good.encrypted},
        "late": good is None or age > settings.late_after,
        "last_failed": None if failed is None else {
            "name": failed.name, "created_at": failed.created_at, "error": failed.error},
        "last_drill": last_drill,
        "kept": sum(1 for b in backups if b.good),
        "expires_by": backups_expire_by(settings, now),
        "encrypted": settings.encrypted,
        "offsite": copy_status(settings, backups),
    }


def notify_problems(settings, now=None):
    """Notify a late or failed backup or off-site copy, once per incident (``alerts``);
    return how many notifications were written."""
    now = now or utcnow()
    return alerts.backup_problem(status(settings, now), now)
