"""Backups encrypted at rest: AES-256-GCM of the ``cryptography`` library, in a stream.

A backup can be large, so it is never held in memory whole: it is read in CHUNK-sized
pieces and each is sealed on its own. The file is

    MAGIC (8 bytes) | file id (16 random bytes) | frame | frame | …

and each frame is ``length (4 bytes, big-endian) | nonce (12 bytes) | ciphertext+tag``.
The tag of each frame also covers the file id, the frame's number and whether it is the
last one, so a frame cannot be dropped, moved, taken from another backup, or the file cut
short, without the decryption refusing it.

The key is 32 random bytes written as URL-safe base64 (``new_key()``, ``flask --app app
backup key``); it is configured outside the backup folders (BACKUP_KEY or
BACKUP_KEY_FILE), and a backup cannot be restored without the key it was encrypted with.
"""

import base64
import binascii
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.backup.errors import BackupError
from services.backup.manifest import ENCRYPTED_SUFFIX
from services.errors import N_

MAGIC = b"REGBK\x00\x01\n"
SUFFIX = ENCRYPTED_SUFFIX  # register-….sqlite3.enc, register-….pgdump.enc
CHUNK = 1024 * 1024
_ID, _NONCE, _TAG = 16, 12, 16
_LENGTH = struct.Struct(">I")


def new_key():
    """Return a new random key as text (URL-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


def parse_key(text):
    """Return the 32 bytes of a key given as text; ValueError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(str(text).strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError("the backup key is not 32 bytes in URL-safe base64: generate one "
                         "with 'flask --app app backup key'")
    return raw


def key_id(key):
    """Return a short fingerprint of ``key`` (recorded in manifests; reveals nothing)."""
    return hashlib.sha256(b"register-backup-key:" + key).hexdigest()[:16]


def _aad(file_id, index, last):
    return file_id + struct.pack(">QB", index, 1 if last else 0)


def encrypt_file(key, source, destination):
    """Encrypt the file ``source`` into the (new, private) file ``destination``; return
    ``(sha256 of the plain bytes, its size)``."""
    aead = AESGCM(key)
    file_id = os.urandom(_ID)
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, open(destination, "wb") as dst:
        dst.write(MAGIC + file_id)
        chunk, index = src.read(CHUNK), 0
        while True:
            following = src.read(CHUNK) if chunk else b""
            last = not following
            digest.update(chunk)
            size += len(chunk)
            nonce = os.urandom(_NONCE)
            sealed = aead.encrypt(nonce, chunk, _aad(file_id, index, last))
            dst.write(_LENGTH.pack(len(sealed)) + nonce + sealed)
            if last:
                break
            chunk, index = following, index + 1
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest(), size


def decrypt_file(key, source, destination, name):
    """Decrypt the file ``source`` into ``destination``; return the plain bytes' SHA-256.

    Raise BackupError when the file is not an encrypted backup, was changed or cut short,
    or was encrypted with another key (``name`` names the backup in the message).
    """
    aead = AESGCM(key)
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(destination, "wb") as dst:
        header = src.read(len(MAGIC) + _ID)
        if len(header) != len(MAGIC) + _ID or not header.startswith(MAGIC):
            raise refused(name)
        file_id, index = header[len(MAGIC):], 0
        while True:
            length = src.read(_LENGTH.size)
            if len(length) != _LENGTH.size:
                raise refused(name)  # cut short: the last frame never came
            (count,) = _LENGTH.unpack(length)
            if not _TAG <= count <= CHUNK + _TAG:
                raise refused(name)
            nonce, sealed = src.read(_NONCE), src.read(count)
            if len(sealed) != count:
                raise refused(name)
            plain, last = _open_frame(aead, nonce, sealed, file_id, index, name)
            digest.update(plain)
            dst.write(plain)
            if last:
                break
            index += 1
        if src.read(1):
            raise refused(name)  # bytes after the last frame
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def _open_frame(aead, nonce, sealed, file_id, index, name):
    """Return ``(plain bytes, whether it is the last frame)`` of one frame."""
    for last in (False, True):
        try:
            return aead.decrypt(nonce, sealed, _aad(file_id, index, last)), last
        except InvalidTag:
            continue
    raise refused(name)


def refused(name):
    return BackupError(N_("The backup %(name)s cannot be decrypted: it was changed after it "
                          "was taken, or it was encrypted with another key than BACKUP_KEY. "
                          "Use another copy or another backup (flask --app app backup "
                          "list)."), name=name)
