"""The backup directory's files: its lock, private files written durably, checksums."""

import contextlib
import fcntl
import hashlib
import os
import pathlib
import shutil
import tempfile
import time

from services.backup.errors import BackupBusy, BackupError
from services.errors import N_

LOCK_FILE = ".lock"


@contextlib.contextmanager
def locked(path, exclusive, wait, busy=None):
    """Hold a lock on the file ``path`` (made if needed), exclusive or shared; raise
    ``busy`` (a BackupBusy; by default, that a backup is being taken) when it is not free
    within ``wait`` seconds."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy or BackupBusy(N_("Another backup is being taken right now. "
                                                "Try again in a few minutes.")) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def directory_lock(directory, exclusive, wait):
    """Hold the backup directory's lock: exclusive to back up or rotate, shared to read."""
    return locked(pathlib.Path(directory) / LOCK_FILE, exclusive, wait)


def backup_running(settings):
    """Tell whether some process holds the directory's lock exclusively (a backup)."""
    path = pathlib.Path(settings.directory) / LOCK_FILE
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def ensure_directory(directory):
    """Create the backup directory (mode 0700) if needed; tighten its mode; return it.

    A folder that cannot be made or written (a file of that name, a read-only or virtual
    file system) is a BackupError naming BACKUP_DIR, not an OSError.
    """
    directory = pathlib.Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-")
        probe.close()
    except OSError as error:
        raise BackupError(N_("The backup folder %(folder)s cannot be used: %(error)s. Set "
                             "BACKUP_DIR to a folder the register may write."),
                          folder=str(directory), error=error.strerror or str(error)) from None
    return directory


def create_private(path):
    """Create (or empty) ``path`` readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)


def write_private(path, text):
    """Write ``text`` to ``path`` atomically, mode 0600 (writers at once each write their
    own temporary file; the last one renamed wins)."""
    with _temporary(path) as (f, part):
        f.write(text.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
        os.replace(part, path)


def copy_private(source, destination):
    """Copy a file to a new 0600 file, atomically and durably."""
    with _temporary(destination) as (dst, part), open(source, "rb") as src:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
        os.replace(part, destination)


@contextlib.contextmanager
def _temporary(path):
    """Yield ``(file, its path)``: a new private file beside ``path``, named
    ``<name>.<random>.part`` (the name cut to leave room); removed unless it was renamed."""
    path = pathlib.Path(path)
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=path.name[:200] + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, part
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync(path):
    """Flush a file, or a folder's entries (a file made, renamed or removed), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def plain(params):
    """Return ``params`` with values JSON can hold."""
    return {k: v if isinstance(v, (int, float, str, type(None))) else str(v)
            for k, v in params.items()}
