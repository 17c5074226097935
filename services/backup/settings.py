"""The BACKUP_* settings: where and how often to back up, how many backups to keep, the
key they are encrypted with and the second place they are copied to."""

import dataclasses
import datetime
import os
import pathlib

import services.backup.crypto as crypto
from services.backup.target import Target

# Defaults of the BACKUP_* settings.
INTERVAL_HOURS = 24
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where and how often to back up, and how many backups to keep."""

    database_url: str
    directory: pathlib.Path
    interval_hours: float = INTERVAL_HOURS
    keep_daily: int = KEEP_DAILY
    keep_weekly: int = KEEP_WEEKLY
    keep_monthly: int = KEEP_MONTHLY
    pg_bin: str = None  # directory of pg_dump and pg_restore; None: from PATH
    # The key of the encryption at rest (services.backup.crypto); None: not encrypted.
    key: bytes = dataclasses.field(default=None, repr=False)
    offsite: pathlib.Path = None  # the second place (another disk or host); None: none

    @property
    def encrypted(self):
        return self.key is not None

    @classmethod
    def from_config(cls, config, instance_path):
        """Read the BACKUP_* settings of a configuration mapping (the app's config)."""
        settings = cls(
            database_url=config["DATABASE_URL"],
            directory=pathlib.Path(config.get("BACKUP_DIR")
                                   or os.path.join(instance_path, "backups")),
            interval_hours=float(config.get("BACKUP_INTERVAL_HOURS", INTERVAL_HOURS)),
            keep_daily=int(config.get("BACKUP_KEEP_DAILY", KEEP_DAILY)),
            keep_weekly=int(config.get("BACKUP_KEEP_WEEKLY", KEEP_WEEKLY)),
            keep_monthly=int(config.get("BACKUP_KEEP_MONTHLY", KEEP_MONTHLY)),
            pg_bin=config.get("BACKUP_PG_BIN") or None,
            key=_key(config),
            offsite=(pathlib.Path(config["BACKUP_OFFSITE"]).absolute()
                     if config.get("BACKUP_OFFSITE") else None),
        )
        _check_places(settings, config.get("BACKUP_KEY_FILE"))
        if settings.interval_hours <= 0:
            raise ValueError("BACKUP_INTERVAL_HOURS must be more than 0")
        if min(settings.keep_daily, settings.keep_weekly, settings.keep_monthly) < 0:
            raise ValueError("BACKUP_KEEP_DAILY, _WEEKLY and _MONTHLY cannot be negative")
        return settings

    @classmethod
    def from_app(cls, app):
        """Read the BACKUP_* settings of an application: its config and instance folder."""
        return cls.from_config(app.config, app.instance_path)

    @property
    def interval(self):
        return datetime.timedelta(hours=self.interval_hours)

    @property
    def late_after(self):
        """A backup older than this is late: twice the interval."""
        return 2 * self.interval

    @property
    def kind(self):
        return Target.parse(self.database_url).kind


def _key(config):
    """Return the key of BACKUP_KEY, or of the file BACKUP_KEY_FILE, or None."""
    text = config.get("BACKUP_KEY")
    if not text and config.get("BACKUP_KEY_FILE"):
        try:
            text = pathlib.Path(config["BACKUP_KEY_FILE"]).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"BACKUP_KEY_FILE cannot be read: {e}") from e
    return crypto.parse_key(text) if text else None


def _check_places(settings, key_file):
    """Refuse a key kept in a backup folder, and an off-site folder inside the local one."""
    local = settings.directory.absolute()
    if settings.offsite is not None and (settings.offsite == local
                                         or local in settings.offsite.parents):
        raise ValueError("BACKUP_OFFSITE must be another disk or host, not the backup folder")
    if key_file:
        key_path = pathlib.Path(key_file).absolute()
        for folder in (local, settings.offsite):
            if folder is not None and folder in key_path.parents:
                raise ValueError("BACKUP_KEY_FILE must be outside the backup folders: a key "
                                 "beside the backups protects nothing")
