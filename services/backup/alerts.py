"""The notifications of the backups (issue 17): a backup late or failed (its off-site copy
too), and a restore drill failed → technical maintenance and the responsible person (the
capability ``notified_of_backups``), linking to the backups page.

Each is written once per incident, not at every look: the key of a backup problem is the
newest good backup (a late or failed backup: the problem lasts until a newer one is
taken), or the newest backup whose off-site copy was checked (a missing or failed copy:
it lasts until a newer one is copied); the key of a failed drill is its time. The
scheduler, ``flask --app app backup create`` and ``flask --app app duties check`` look
(``monitoring.notify_problems``); a failed drill notifies from ``drills.drill``.
"""

import logging

import peewee

from database import write_transaction
from models import utcnow
from services import notifications

log = logging.getLogger("register.backup")

CAPABILITY = "notified_of_backups"
PATH = "/backups/"


def _notify(kind, dedupe_key, now):
    """Write ``kind`` to everyone told of the backups, once per key; return how many.

    A database that cannot be written (it may be why the backup failed) is logged, not
    raised: the backup's own record and the status page still tell it.
    """
    try:
        with write_transaction():
            return notifications.notify(kind, notifications.recipients(CAPABILITY),
                                         {"path": PATH}, dedupe_key=dedupe_key, now=now)
    except peewee.PeeweeException:
        log.exception("the %s notification could not be written", kind)
        return 0


def backup_problem(status, now=None):
    """Notify a late or failed backup, or a missing or failed off-site copy, told by the
    backup ``status`` (``monitoring.status``) once per incident; return how many."""
    offsite = status.get("offsite")
    offsite_problem = offsite is not None and offsite["problem"] is not None
    if not (status["late"] or status["last_failed"] or offsite_problem):
        return 0
    if offsite_problem:  # lasts while new backups are taken but not copied
        since = "offsite:" + offsite["since"]
    else:
        since = "local:" + ((status["last_good"] or {}).get("name") or "none")
    return _notify("backup_problem", f"backup_problem:{since}", now or utcnow())


def drill_failed(entry, now=None):
    """Notify the failed restore drill ``entry`` (of the drill log); return how many."""
    return _notify("drill_failed", f"drill_failed:{entry['at']}", now or utcnow())
