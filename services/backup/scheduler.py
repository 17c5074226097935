"""The scheduler: backups taken in the background while the server runs."""

import datetime
import logging
import pathlib
import threading

from models import utcnow
from services.backup.create import create_locked
from services.backup.errors import BackupBusy
from services.backup.files import directory_lock, ensure_directory
from services.backup.manifest import list_backups
from services.backup.rotation import rotate_locked

log = logging.getLogger("register.backup")

# A failed backup is tried again after this long (or the interval, if shorter).
RETRY_HOURS = 1


class Scheduler:
    """Take a backup whenever the newest good one is an interval old, while running.

    Several processes may each run one: the directory's lock and a fresh look at the
    newest backup once the lock is held make sure one backup is taken per interval. A
    failed backup is tried again after an hour (or the interval, if shorter).
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
        """Tell whether a backup should be taken at ``now``."""
        backups = list_backups(self.settings)
        good = next((b for b in backups if b.good), None)
        if good is not None and now - good.created_at < self.settings.interval:
            return False
        return not backups or now - backups[0].created_at >= self.retry

    def run_once(self):
        """Take a backup if one is due and no other process is taking one; return it."""
        if not self.due(self.clock()):
            return None
        directory = ensure_directory(self.settings.directory)
        try:
            with directory_lock(directory, exclusive=True, wait=0):
                now = self.clock()
                if not self.due(now):  # another process took it meanwhile
                    return None
                backup = create_locked(self.settings, now)
                if backup.good:
                    rotate_locked(self.settings, now)
                return backup
        except BackupBusy:
            return None

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
            self._stop.wait(self.tick)


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
