"""Backups of the register (seed §11): taken, verified, rotated, restored and drilled.

A backup is a data file and its manifest beside it in the backup directory:

- ``register-20261125T103000Z.sqlite3`` — SQLite: a copy made with the online backup API
  (consistent while the register writes), checked with ``PRAGMA integrity_check``;
- ``register-20261125T103000Z.pgdump`` — PostgreSQL: ``pg_dump --format=custom`` of an
  exported snapshot, checked with ``pg_restore --list``;
- ``register-20261125T103000Z.json`` — the manifest: kind, time, size, SHA-256, the row
  count of every table and the audit log's head at the moment of the backup, and whether
  the backup passed its verification (``state`` "good" or "failed").

Rotation keeps the newest good backup of each of the last 7 days, 4 weeks and 12 months
(Helsinki calendar; configurable) and never the newest good backup. A restore goes into a
new database unless forced, checks the checksum first and then the restored database's
integrity, audit chain and row counts. A drill restores the newest backup into a scratch
database and logs the result in ``drill-log.json``. A file lock in the directory keeps two
processes from backing up at once; ``Scheduler`` takes backups while the server runs.

No Flask here: everything takes a ``Settings``. Passwords never appear on a command line
(PostgreSQL programs get them in ``PGPASSWORD``) nor in a manifest or log.

The parts, each a module of this package (import them from here, as
``from services import backup``; ``backup.create_backup(…)``):

- ``settings``: the BACKUP_* settings; ``errors``: what the operations raise;
- ``target``: the databases backed up and restored into, PostgreSQL's programs;
- ``files``: the directory's lock, private files written durably, checksums;
- ``manifest``: the backups on disk; ``verify``: checking one against its manifest;
- ``create``: taking a backup; ``rotation``: which backups are kept, and until when;
- ``restoring``: restoring and checking a restored database; ``drills``: the drill;
- ``monitoring``: the status pages and monitoring read; ``scheduler``: backups in the
  background while the server runs;
- ``crypto``: the encryption at rest (BACKUP_KEY); ``offsite``: the copy in the second
  place (BACKUP_OFFSITE), checked; ``alerts``: the notifications of a late or failed
  backup and of a failed drill.

With BACKUP_KEY set, a backup is verified plain, then encrypted (``….sqlite3.enc``,
``….pgdump.enc``) and the plain file removed; its manifest records the encrypted file's
SHA-256 and the plain one's. With BACKUP_OFFSITE set, each good backup is copied there
and the copy's checksum checked, and the drill restores from there.
"""

from services.backup.create import create_backup
from services.backup.crypto import new_key
from services.backup.drills import (
    DRILL_LOG,
    DRILL_LOG_KEEP,
    drill,
    drill_log,
    last_passed_drill,
)
from services.backup.errors import BackupBusy, BackupError, DrillBusy, SettingsError
from services.backup.files import LOCK_FILE
from services.backup.manifest import (
    MANIFEST_FORMAT,
    MANIFEST_KEYS,
    PREFIX,
    SUFFIXES,
    Backup,
    find_backup,
    list_backups,
    newest_good,
)
from services.backup.monitoring import notify_problems, status
from services.backup.restoring import RestoreReport, inspect_database, restore
from services.backup.rotation import (
    backups_expire_by,
    backups_holding_expire_by,
    plan_rotation,
    rotate,
)
from services.backup.scheduler import (
    RETRY_HOURS,
    Scheduler,
    running_scheduler,
    start_scheduler,
    stop_scheduler,
)
from services.backup.settings import (
    INTERVAL_HOURS,
    KEEP_DAILY,
    KEEP_MONTHLY,
    KEEP_WEEKLY,
    Settings,
)
from services.backup.target import LOCAL_HOSTS, Target
from services.backup.verify import verify_backup

__all__ = [
    "DRILL_LOG", "DRILL_LOG_KEEP", "INTERVAL_HOURS", "KEEP_DAILY", "KEEP_MONTHLY",
    "KEEP_WEEKLY", "LOCAL_HOSTS", "LOCK_FILE", "MANIFEST_FORMAT", "MANIFEST_KEYS", "PREFIX",
    "RETRY_HOURS", "SUFFIXES", "Backup", "BackupBusy", "BackupError", "DrillBusy",
    "RestoreReport", "Scheduler", "Settings", "SettingsError", "Target", "backups_expire_by",
    "backups_holding_expire_by", "create_backup", "drill", "drill_log", "find_backup",
    "inspect_database", "last_passed_drill", "list_backups", "new_key", "newest_good",
    "notify_problems", "plan_rotation", "restore", "rotate", "running_scheduler",
    "start_scheduler", "status", "stop_scheduler", "verify_backup",
]
