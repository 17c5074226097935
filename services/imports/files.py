"""The uploaded file of an import, kept in the instance folder by its hash while the
import is open (the mapping step, the dry run and the commit's steps read it again), and
removed when the commit finishes or is cancelled, or after KEEP_DAYS days. Each section
keeps its files in a folder of its own: the same file uploaded in two sections is two
files, and one section's import finishing or cancelled removes nothing of the other's."""

import hashlib
import os
import pathlib
import tempfile
import time

from models import ImportRun
from services import hetu
from services.errors import N_, RegisterError
from services.inputs import unstorable_as_spaces

GONE = N_("The file of this import is no longer kept: upload it again.")
HASH_LENGTH = 64
# A file whose import was never finished or cancelled goes after this many days.
KEEP_DAYS = 7
NAME_LENGTH = 255
HETU_IN_NAME = N_("The file's name holds a henkilötunnus (personal identity code), which "
                  "must not be stored in the register: rename the file and upload it again.")


def file_name(name):
    """Return the name an uploaded file is known by (the imports list, the customers'
    source): its last part, with no character a page cannot carry, at most NAME_LENGTH
    characters; refuse a name holding a henkilötunnus."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(unstorable_as_spaces(name).split())[:NAME_LENGTH]
    if hetu.refusal(name):
        raise RegisterError(HETU_IN_NAME)
    return name


def section_directory(directory, section):
    """Return the folder of ``section``'s kept files under ``directory``."""
    return pathlib.Path(directory) / str(section.id)


def keep(stream, directory):
    """Write the uploaded ``stream`` to ``directory``; return ``(hash, path)``."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    path = directory / digest.hexdigest()
    os.replace(temporary, path)
    return digest.hexdigest(), str(path)


def prune(directory, now=None):
    """Remove the kept files older than KEEP_DAYS (and any left half-written)."""
    directory = pathlib.Path(directory)
    limit = (now or time.time()) - KEEP_DAYS * 86400
    for path in directory.rglob("*") if directory.is_dir() else ():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def kept(directory, file_hash):
    """Return the path of the kept file ``file_hash``; refuse when it is not there."""
    if len(file_hash or "") != HASH_LENGTH or not all(c in "0123456789abcdef"
                                                      for c in file_hash):
        raise RegisterError(GONE)
    path = pathlib.Path(directory) / file_hash
    if not path.is_file():
        raise RegisterError(GONE)
    return str(path)


def discard_unused(directory, run):
    """Remove the kept file of ``run`` (finished or cancelled) unless another run of its
    section still reads it: the same file uploaded twice, one import's cancel took the
    other's file."""
    if not ImportRun.select().where(
            (ImportRun.section == run.section_id) & (ImportRun.file_hash == run.file_hash)
            & (ImportRun.id != run.id) & ImportRun.state.in_(("running", "checked"))).exists():
        discard(directory, run.file_hash)


def discard(directory, file_hash):
    """Remove the kept file ``file_hash``, if it is there."""
    try:
        os.remove(kept(directory, file_hash))
    except (RegisterError, OSError):
        pass
