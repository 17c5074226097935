"""The backups on disk: a data file and its manifest beside it, listed and found by name."""

import dataclasses
import datetime
import json
import logging
import math
import pathlib
import re

from services.backup.errors import BackupError
from services.errors import N_

log = logging.getLogger("register.backup")

PREFIX = "register-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
MANIFEST_FORMAT = 1
ENCRYPTED_SUFFIX = ".enc"  # services.backup.crypto.SUFFIX
STATES = ("good", "failed")
# A backup dated more than this after now was taken while the clock was ahead (then put
# right): it counts neither as the newest backup nor against a late or due one, or the
# backups would wait for its date.
CLOCK_AHEAD = datetime.timedelta(minutes=5)
# The names the register gives a backup's files: register-<UTC time>[-n] and its suffixes;
# a data file, and a file half-written (….part) while a backup is taken or copied.
_TAKEN = r"(?P<name>register-\d{8}T\d{6}Z(?:-\d+)?)"
DATA_FILE = re.compile(_TAKEN + r"(?:\.sqlite3|\.pgdump)(?:\.enc)?")
# SQLite, copying into a .part file, keeps its journal beside it (….part-journal, -wal).
PART_FILE = re.compile(_TAKEN + r"\..*\.part(?:-journal|-wal|-shm)?", re.DOTALL)
SHA256 = re.compile(r"[0-9a-f]{64}")


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
        return self.manifest["size"]

    @property
    def tables(self):
        return self.manifest["tables"]

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


def dated_ahead(moment, now):
    """Tell whether a backup taken at ``moment`` is dated ahead of ``now`` (CLOCK_AHEAD)."""
    return moment > now + CLOCK_AHEAD


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
    check_manifest(manifest, manifest_path.name)
    return Backup(manifest_path, manifest)


def check_manifest(manifest, file_name):
    """Raise ValueError unless ``manifest`` is a whole backup manifest saved as ``file_name``.

    A manifest names its own data file: its name is the manifest's file name without
    ``.json``, and its file is that name with the kind's suffix (and ``.enc`` when
    encrypted), so a changed manifest can never make rotation remove another file. Every
    value the pages, the commands and rotation read has its type, so a changed manifest is
    skipped (logged) instead of failing them.
    """
    if not isinstance(manifest, dict) or not all(
            isinstance(manifest.get(key), str) for key in MANIFEST_KEYS):
        raise ValueError("not a backup manifest")
    if manifest["kind"] not in SUFFIXES or manifest["state"] not in STATES:
        raise ValueError("an unknown kind or state")
    encrypted = manifest.get("encrypted", False)
    if not isinstance(encrypted, bool):
        raise ValueError("encrypted is not true or false")
    if file_name != manifest["name"] + ".json":
        raise ValueError("the manifest names another backup than its own file")
    if manifest["file"] != (manifest["name"] + SUFFIXES[manifest["kind"]]
                            + (ENCRYPTED_SUFFIX if encrypted else "")):
        raise ValueError("the manifest names another data file than its backup's")
    naive_time(manifest["created_at"])
    _check_contents(manifest, encrypted)
    for key in ("error", "offsite", "audit_head"):
        if not isinstance(manifest.get(key), (dict, type(None))):
            raise ValueError(f"{key} is neither a record nor null")
    if manifest.get("error") is not None:
        check_problem(manifest["error"].get("message"), manifest["error"].get("params", {}))
    _check_offsite(manifest.get("offsite"))
    head = manifest.get("audit_head") or {}
    if not isinstance(head.get("last_id"), (int, type(None))) or isinstance(
            head.get("last_id"), bool):
        raise ValueError("the audit head's last_id is not a number")


def _check_contents(manifest, encrypted):
    """Check the size, checksums and row counts (ValueError when one is not sound)."""
    whole_number(manifest.get("size"))
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(table, str) for table in tables):
        raise ValueError("tables is not a record of row counts")
    for count in tables.values():
        whole_number(count)
    good = manifest["state"] == "good"
    for key, needed in (("sha256", good), ("plain_sha256", good and encrypted)):
        value = manifest.get(key)
        if (needed or value is not None) and not (
                isinstance(value, str) and SHA256.fullmatch(value)):
            raise ValueError(f"{key} is not a SHA-256 checksum")
    for key in ("verification", "key_id", "database", "migration"):
        if not isinstance(manifest.get(key), (str, type(None))):
            raise ValueError(f"{key} is not text")


def _check_offsite(record):
    """Check the record of an off-site copy (ValueError when it is not sound)."""
    if record is None:
        return
    if not isinstance(record.get("verified", False), bool):
        raise ValueError("the off-site copy's verified is not true or false")
    if record.get("copied_at") is not None or record.get("verified"):
        naive_time(record.get("copied_at"))
    if not isinstance(record.get("error"), (dict, type(None))):
        raise ValueError("the off-site copy's error is neither a record nor null")
    if record.get("error") is not None:
        check_problem(record["error"].get("message"), record["error"].get("params", {}))


def naive_time(text):
    """Return the naive (UTC) moment written as ISO 8601 ``text``; ValueError if none."""
    if not isinstance(text, str):
        raise ValueError("a time is not text")
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        raise ValueError("a time has a time zone (times are naive UTC)")
    return moment


def whole_number(value):
    """Return ``value`` if it is a whole number of zero or more; ValueError if not."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def check_problem(message, params):
    """Raise ValueError unless ``message`` and ``params`` make a text (``msgid % params``),
    as a recorded error or drill problem must for the pages to show it."""
    if not isinstance(message, str) or not isinstance(params, dict) or not all(
            isinstance(v, (str, int, float, type(None))) for v in params.values()):
        raise ValueError("a problem is not a message with its parameters")
    if any(isinstance(v, float) and not math.isfinite(v) for v in params.values()):
        raise ValueError("a problem's parameter is not a number")
    try:
        if params:
            message % params  # noqa: B018 - what the pages do with it
    except (KeyError, ValueError, TypeError) as e:
        raise ValueError(f"a problem's message does not take its parameters: {e}") from e


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
