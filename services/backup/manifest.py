"""The backups on disk: a data file and its manifest beside it, listed and found by name."""

import dataclasses
import datetime
import json
import logging
import pathlib

from services.backup.errors import BackupError
from services.errors import N_

log = logging.getLogger("register.backup")

PREFIX = "register-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
MANIFEST_FORMAT = 1
ENCRYPTED_SUFFIX = ".enc"  # services.backup.crypto.SUFFIX


@dataclasses.dataclass
class Backup:
    """One backup: its manifest and where its data file is."""

    manifest_path: pathlib.Path
    manifest: dict

    @property
    def name(self):
        return self.manifest["name"]

    @property
    def path(self):
        return self.manifest_path.parent / self.manifest["file"]

    @property
    def kind(self):
        return self.manifest["kind"]

    @property
    def state(self):
        return self.manifest["state"]

    @property
    def good(self):
        return self.manifest["state"] == "good"

    @property
    def created_at(self):
        return datetime.datetime.fromisoformat(self.manifest["created_at"])

    @property
    def size(self):
        return self.manifest.get("size") or 0

    @property
    def tables(self):
        return self.manifest.get("tables") or {}

    @property
    def rows(self):
        return sum(self.tables.values())

    @property
    def encrypted(self):
        return bool(self.manifest.get("encrypted"))

    @property
    def offsite(self):
        """The off-site copy's record: folder, copied_at, verified, error; or None."""
        return self.manifest.get("offsite")

    @property
    def error(self):
        """The failure as ``(msgid, params)``, or None."""
        error = self.manifest.get("error")
        return (error["message"], error.get("params", {})) if error else None


def list_backups(settings):
    """Return every backup of the directory, newest first (a manifest that cannot be read
    is skipped and logged, and its files are never rotated away)."""
    directory = pathlib.Path(settings.directory)
    if not directory.is_dir():
        return []
    backups = []
    for path in directory.glob(PREFIX + "*.json"):
        try:
            backups.append(_load(path))
        except (OSError, ValueError) as e:
            log.warning("unreadable backup manifest %s: %s", path, e)
    backups.sort(key=lambda b: (b.created_at, b.name), reverse=True)
    return backups


MANIFEST_KEYS = ("name", "file", "kind", "state", "created_at")


def _load(manifest_path):
    """Read a backup's manifest; ValueError when the file is not one."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not all(
            isinstance(manifest.get(key), str) for key in MANIFEST_KEYS):
        raise ValueError("not a backup manifest")
    if pathlib.PurePath(manifest["file"]).name != manifest["file"]:
        raise ValueError("the manifest names a file outside its folder")
    backup = Backup(manifest_path, manifest)
    backup.created_at  # noqa: B018 - a time that cannot be read makes it unreadable
    return backup


def newest_good(settings):
    """Return the newest backup that passed its verification, or None."""
    return next((b for b in list_backups(settings) if b.good), None)


def _exists(path):
    """Tell whether ``path`` is there; a name the system refuses (too long) is not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def find_backup(settings, file):
    """Return the backup named by ``file``: its name, its data file or its manifest."""
    given = pathlib.Path(file)
    candidates = []
    if given.name:  # "" (the current directory) names no backup
        if given.is_absolute() or _exists(given):
            candidates.append(given)
        candidates.append(pathlib.Path(settings.directory) / given.name)
    for path in candidates:
        if path.suffix == ENCRYPTED_SUFFIX:
            path = path.with_suffix("")
        if path.suffix == ".json":
            manifest = path
        elif path.suffix in SUFFIXES.values():
            manifest = path.with_suffix(".json")
        else:  # a backup's name
            manifest = path.with_name(path.name + ".json")
        if _exists(manifest):
            try:
                return _load(manifest)
            except (OSError, ValueError) as e:
                raise BackupError(N_("The manifest %(manifest)s cannot be read (%(error)s), "
                                     "so the backup's checksum cannot be checked. Restore "
                                     "another backup (flask --app app backup list)."),
                                  manifest=str(manifest), error=str(e)) from e
        if _exists(path):
            raise BackupError(N_("The backup %(name)s has no manifest (%(manifest)s), so its "
                                 "checksum cannot be checked. Restore a backup the register "
                                 "took (flask --app app backup list)."),
                              name=path.name, manifest=manifest.name)
    raise BackupError(N_("There is no backup %(file)s. Give a name from "
                         "'flask --app app backup list' or the path of a backup file."),
                      file=str(file))
