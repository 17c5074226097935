"""The scheduler: backups taken in the background while the server runs.

Every server process runs one, and one backup is taken per interval among them all,
however many hosts they run on (README "More than one server"): a run takes the job's
lock (``services.joblock``: an advisory lock on PostgreSQL, a file lock beside a SQLite
database), looks again whether a backup is still due, and records the backup it took in
the audit log (``scheduled_backup``, or ``scheduled_backup_failed``) before letting the
lock go. "Due" reads both the backup directory and those events, so a server whose own
backup directory is empty does not take a second backup after another server's.
"""

import datetime
import logging
import pathlib
import threading

from models import AuditEvent, db, utcnow
from services import audit
from services.backup.create import create_locked
from services.backup.errors import BackupBusy
from services.backup.files import directory_lock, ensure_directory
from services.backup.manifest import dated_ahead, list_backups
from services.backup.monitoring import notify_problems
from services.backup.rotation import rotate_locked
from services.joblock import job_lock

log = logging.getLogger("register.backup")

# A failed backup is tried again after this long (or the interval, if shorter).
RETRY_HOURS = 1
# The job's name: its lock (services.joblock), and the audit events of its runs.
JOB = "backup"
RUN_ACTIONS = {True: "scheduled_backup", False: "scheduled_backup_failed"}


class Scheduler:
    """Take a backup whenever the newest good one is an interval old, while running.

    Several processes may each run one: the job's lock and a fresh look at the newest
    backup once the lock is held make sure one backup is taken per interval among them
    (the directory's lock keeps a backup by hand apart). A failed backup is tried again
    after an hour (or the interval, if shorter).
    """

    def __init__(self, settings, clock=utcnow, tick=None):
        self.settings = settings
        self.clock = clock
        seconds = settings.interval.total_seconds()
        self.tick = tick if tick is not None else min(60.0, max(0.05, seconds / 20))
        self.retry = min(settings.interval, datetime.timedelta(hours=RETRY_HOURS))
        self._stop = threading.Event()
        self.thread = None

    def due(self, now):
        """Tell whether a backup should be taken at ``now``: none good within the interval,
        none at all within the retry wait, in this directory or by any server's scheduler
        (a backup dated more than CLOCK_AHEAD after ``now`` does not count)."""
        runs = [(b.created_at, b.good) for b in list_backups(self.settings)]
        runs += recorded_runs()
        # One dated ahead (a clock that jumped forward, then was put right) would stop the
        # backups until its date.
        runs = [(at, ok) for at, ok in runs if not dated_ahead(at, now)]
        good = max((at for at, ok in runs if ok), default=None)
        if good is not None and now - good < self.settings.interval:
            return False
        last = max((at for at, _ok in runs), default=None)
        return last is None or now - last >= self.retry

    def run_once(self):
        """Take a backup if one is due and no other process is taking one; return it."""
        if not self.due(self.clock()):
            return None
        with job_lock(JOB, self.settings.database_url) as held:
            if not held:
                return None  # another server process is running the job
            directory = ensure_directory(self.settings.directory)
            try:
                with directory_lock(directory, exclusive=True, wait=0):
                    now = self.clock()
                    if not self.due(now):  # another process took it meanwhile
                        return None
                    backup = create_locked(self.settings, now)
                    if backup.good:
                        rotate_locked(self.settings, now)
            except BackupBusy:
                return None
            audit.record(RUN_ACTIONS[backup.good], object_type="backup",
                         object_id=backup.name, at=backup.created_at)
            notify_problems(self.settings, self.clock())
            return backup

    def start(self):
        """Start the background thread (a daemon: it ends with the server)."""
        self.thread = threading.Thread(target=self._loop, name="register-backup", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout=30):
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    def _loop(self):
        log.info("backup scheduler started: every %s hours into %s",
                 self.settings.interval_hours, self.settings.directory)
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the scheduler outlives one bad attempt
                log.exception("scheduled backup failed")
            finally:
                if not db.is_closed():
                    db.close()  # this thread's connection goes back between runs
            self._stop.wait(self.tick)


def recorded_runs():
    """Return ``(created_at, good)`` of the newest good and the newest failed backup the
    schedulers of every server recorded in the audit log."""
    runs = []
    for good, action in RUN_ACTIONS.items():
        newest = (AuditEvent.select(AuditEvent.at).where(AuditEvent.action == action)
                  .order_by(AuditEvent.at.desc()).first())  # the index (action, at)
        if newest is not None:
            runs.append((newest.at, good))
    return runs


_schedulers = {}
_schedulers_lock = threading.Lock()


def start_scheduler(settings, **options):
    """Start the scheduler of ``settings.directory`` unless this process already runs one."""
    key = str(pathlib.Path(settings.directory).resolve())
    with _schedulers_lock:
        scheduler = _schedulers.get(key)
        if scheduler is None or not scheduler.running:
            scheduler = _schedulers[key] = Scheduler(settings, **options).start()
        return scheduler


def running_scheduler(settings):
    """Return this process's running scheduler of ``settings.directory``, or None."""
    scheduler = _schedulers.get(str(pathlib.Path(settings.directory).resolve()))
    return scheduler if scheduler is not None and scheduler.running else None


def stop_scheduler(settings):
    """Stop this process's scheduler of ``settings.directory`` (tests)."""
    with _schedulers_lock:
        scheduler = _schedulers.pop(str(pathlib.Path(settings.directory).resolve()), None)
    if scheduler is not None:
        scheduler.stop()
