"""What a backup operation raises."""

from services.errors import RegisterError


class BackupError(RegisterError):
    """A backup operation refused or failed; the message says what to do."""


class BackupBusy(BackupError):
    """Another process holds the backup directory's lock."""


class DrillBusy(BackupBusy):
    """Another restore drill holds the scratch database (PostgreSQL)."""


class SettingsError(BackupError, ValueError):
    """A BACKUP_* setting is wrong; the message names it and says what to set."""
