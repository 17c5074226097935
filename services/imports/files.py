"""The uploaded file of an import, kept in the instance folder by its hash while the
import is open (the mapping step, the dry run and the commit's steps read it again), and
removed when the commit finishes or is cancelled."""

import hashlib
import os
import pathlib
import tempfile

from services.errors import N_, RegisterError

GONE = N_("The file of this import is no longer kept: upload it again.")
HASH_LENGTH = 64


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


def kept(directory, file_hash):
    """Return the path of the kept file ``file_hash``; refuse when it is not there."""
    if len(file_hash or "") != HASH_LENGTH or not all(c in "0123456789abcdef"
                                                      for c in file_hash):
        raise RegisterError(GONE)
    path = pathlib.Path(directory) / file_hash
    if not path.is_file():
        raise RegisterError(GONE)
    return str(path)


def discard(directory, file_hash):
    """Remove the kept file ``file_hash``, if it is there."""
    try:
        os.remove(kept(directory, file_hash))
    except (RegisterError, OSError):
        pass
