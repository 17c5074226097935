"""The BACKUP_* settings: where and how often to back up, how many backups to keep, the
key they are encrypted with and the second place they are copied to."""

import dataclasses
import datetime
import math
import os
import pathlib

import services.backup.crypto as crypto
from services.backup.errors import SettingsError
from services.backup.target import Target
from services.errors import N_
from services.inputs import whole_number

# Defaults of the BACKUP_* settings.
INTERVAL_HOURS = 24
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
# Their bounds: a year between backups; a thousand of each period kept.
MAX_INTERVAL_HOURS, MAX_KEEP = 24 * 366, 1000


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
        """Read the BACKUP_* settings of a configuration mapping (the app's config); a
        setting that is wrong raises SettingsError, which says which and what to set."""
        settings = cls(
            database_url=config["DATABASE_URL"],
            directory=pathlib.Path(config.get("BACKUP_DIR")
                                   or os.path.join(instance_path, "backups")),
            interval_hours=_hours(config, "BACKUP_INTERVAL_HOURS", INTERVAL_HOURS),
            keep_daily=_count(config, "BACKUP_KEEP_DAILY", KEEP_DAILY),
            keep_weekly=_count(config, "BACKUP_KEEP_WEEKLY", KEEP_WEEKLY),
            keep_monthly=_count(config, "BACKUP_KEEP_MONTHLY", KEEP_MONTHLY),
            pg_bin=config.get("BACKUP_PG_BIN") or None,
            key=_key(config),
            offsite=(pathlib.Path(config["BACKUP_OFFSITE"]).absolute()
                     if config.get("BACKUP_OFFSITE") else None),
        )
        _check_places(settings, config.get("BACKUP_KEY_FILE"))
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


def _hours(config, setting, default):
    """Return the hours of ``setting``: a number more than 0, at most MAX_INTERVAL_HOURS."""
    value = config.get(setting, default)
    try:
        hours = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        hours = math.nan
    if not 0 < hours <= MAX_INTERVAL_HOURS:  # nan and inf too
        raise SettingsError(N_("%(setting)s must be a number of hours more than 0 and at "
                               "most %(high)s, not %(value)s. Correct it in the register's "
                               "configuration."),
                            setting=setting, high=MAX_INTERVAL_HOURS, value=str(value)[:40])
    return hours


def _count(config, setting, default):
    """Return the whole number of ``setting``: from 0 to MAX_KEEP."""
    value = config.get(setting, default)
    count = whole_number(value, 0, MAX_KEEP)
    if count is None:
        raise SettingsError(N_("%(setting)s must be a whole number from 0 to %(high)s, not "
                               "%(value)s. Correct it in the register's configuration."),
                            setting=setting, high=MAX_KEEP, value=str(value)[:40])
    return count


def _key(config):
    """Return the key of BACKUP_KEY, or of the file BACKUP_KEY_FILE, or None."""
    text, file = config.get("BACKUP_KEY"), None
    if not text and config.get("BACKUP_KEY_FILE"):
        file = config["BACKUP_KEY_FILE"]
        try:
            text = pathlib.Path(file).read_text(encoding="ascii")
        except (OSError, ValueError) as e:
            raise SettingsError(N_("BACKUP_KEY_FILE %(file)s cannot be read: %(error)s. "
                                   "Correct the setting or the file's rights."),
                                file=str(file)[:200], error=str(e)[:200]) from e
    if not text:
        return None
    try:
        return crypto.parse_key(text)
    except ValueError:
        raise SettingsError(N_("%(setting)s holds no backup key: a key is 32 bytes in "
                               "URL-safe base64. Make one with 'flask --app app backup key' "
                               "and set it there."),
                            setting="BACKUP_KEY_FILE" if file else "BACKUP_KEY") from None


def _check_places(settings, key_file):
    """Refuse a key kept in a backup folder, and an off-site folder inside the local one."""
    local = settings.directory.absolute()
    if settings.offsite is not None and (settings.offsite == local
                                         or local in settings.offsite.parents):
        raise SettingsError(N_("BACKUP_OFFSITE must be another disk or host, not the backup "
                               "folder or a folder in it."))
    if key_file:
        key_path = pathlib.Path(key_file).absolute()
        for folder in (local, settings.offsite):
            if folder is not None and folder in key_path.parents:
                raise SettingsError(N_("BACKUP_KEY_FILE must be outside the backup folders: "
                                       "a key beside the backups protects nothing."))
