"""The second place (seed §11): each good backup copied to BACKUP_OFFSITE, a folder on
another disk or host (a mounted file system), and the copy's checksum checked.

The data file is copied first (atomically: a ``.part`` renamed when complete), its SHA-256
compared with the one in the manifest (of the encrypted bytes, when encrypted), and only
then the manifest beside it, so the off-site folder lists only copies that were checked.
The result is recorded in the local manifest's ``offsite``: the folder, when, verified or
not, and the error. The folder must exist: a missing mount is a failure, never a folder
quietly made on the local disk.
"""

import dataclasses
import datetime
import json
import logging

from services.backup.errors import BackupError
from services.backup.files import copy_private, fsync, plain, sha256, write_private
from services.backup.manifest import PART_FILE, PREFIX, list_backups
from services.errors import N_

log = logging.getLogger("register.backup")


def offsite_settings(settings):
    """Return ``settings`` reading the off-site folder as its backup folder (or None)."""
    if settings.offsite is None:
        return None
    return dataclasses.replace(settings, directory=settings.offsite, offsite=None)


def copy_offsite(settings, backup, now):
    """Copy the good ``backup`` to the off-site folder and check the copy; record the
    result in its manifest (``backup.offsite``) and return that record."""
    folder = settings.offsite
    record = {"folder": str(folder), "copied_at": None, "verified": False, "error": None}
    try:
        if not folder.is_dir():
            raise BackupError(N_("The off-site folder %(folder)s does not exist or is not "
                                 "mounted. Mount the other disk or host there (or correct "
                                 "BACKUP_OFFSITE); the next backup is copied again."),
                              folder=str(folder))
        _remove_parts(folder)
        copy = folder / backup.path.name
        copy_private(backup.path, copy)
        if sha256(copy) != backup.manifest["sha256"]:
            raise BackupError(N_("The off-site copy of %(name)s does not match its checksum: "
                                 "the copy was damaged on the way. Check the other disk or "
                                 "host; the next backup is copied again."), name=backup.name)
        record.update(copied_at=now.isoformat(), verified=True)
    except BackupError as e:
        record["error"] = {"message": e.message, "params": plain(e.params)}
    except OSError as e:
        record["error"] = {"message": N_("The backup could not be copied to the off-site "
                                         "folder %(folder)s: %(error)s"),
                           "params": {"folder": str(folder), "error": str(e)}}
    backup.manifest["offsite"] = record
    text = json.dumps(backup.manifest, indent=1, sort_keys=True)
    write_private(backup.manifest_path, text)
    if record["verified"]:
        try:
            write_private(folder / backup.manifest_path.name, text)
            fsync(folder)
        except OSError as e:
            record.update(verified=False, error={
                "message": N_("The backup could not be copied to the off-site folder "
                              "%(folder)s: %(error)s"),
                "params": {"folder": str(folder), "error": str(e)}})
            write_private(backup.manifest_path, json.dumps(backup.manifest, indent=1,
                                                           sort_keys=True))
    if record["error"]:
        log.error("off-site copy of backup %s failed: %s", backup.name,
                  record["error"]["params"])
    else:
        log.info("backup %s copied to %s and checked", backup.name, folder)
    return record


def _remove_parts(folder):
    """Remove the half-written copies (``register-<time>….part``) a process that died while
    copying left in the off-site ``folder``."""
    for path in folder.glob(PREFIX + "*.part"):
        if PART_FILE.fullmatch(path.name):
            try:
                path.unlink(missing_ok=True)
                log.warning("removed %s, left by a copy that did not end", path)
            except OSError as e:
                log.warning("%s not removed: %s", path, e)


def copy_present(settings, backup):
    """Tell whether ``backup``'s off-site copy is there, whole (its manifest too)."""
    try:
        copy = settings.offsite / backup.path.name
        return copy.stat().st_size == backup.size and (
            settings.offsite / backup.manifest_path.name).exists()
    except OSError:
        return False


def copy_status(settings, backups):
    """Return the off-site copies' status for ``status()``: None when no off-site folder
    is set; else ``folder``, ``copied`` (the newest checked copy in the folder: name,
    created_at, copied_at, encrypted), ``problem``: None, "missing" (the newest good
    backup has no copy there) or "failed" (its copy failed: ``error``), and with a problem
    ``since``: the newest backup whose copy was checked (here or there), or "none"."""
    if settings.offsite is None:
        return None
    there = [b for b in list_backups(offsite_settings(settings))
             if b.good and (b.offsite or {}).get("verified") and b.path.exists()
             and b.path.stat().st_size == b.size]
    result = {"folder": str(settings.offsite), "copied": None, "problem": None,
              "error": None, "since": None}
    if there:
        result["copied"] = {"name": there[0].name, "created_at": there[0].created_at,
                            "copied_at": datetime.datetime.fromisoformat(
                                there[0].offsite["copied_at"]),
                            "encrypted": there[0].encrypted}
    good = [b for b in backups if b.good]
    if good and not copy_present(settings, good[0]):
        error = (good[0].offsite or {}).get("error")
        result["problem"] = "failed" if error else "missing"
        result["error"] = (error["message"], error.get("params", {})) if error else None
        checked = [b.name for b in good if (b.offsite or {}).get("verified")]
        if result["copied"]:
            checked.append(result["copied"]["name"])
        result["since"] = max(checked, default="none")
    return result


def remove_copy(backup):
    """Remove a rotated-out backup of the off-site folder (its data file and manifest)."""
    for path in (backup.path, backup.manifest_path):
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            log.warning("off-site copy %s not removed: %s", path, e)
