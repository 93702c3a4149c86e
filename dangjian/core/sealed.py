"""Files holding personal data (uploaded rosters, import reports), sealed at rest.

Sealed with the field encryption keys (`FIELD_ENCRYPTION_KEYS`), so the key that protects the ID
numbers in the database protects the files that carry them, and rotates with it. Chunked, so a
roster of a few hundred megabytes is sealed and opened with flat memory:

    magic "DJSEAL1\\n" | key id length (1 byte) | key id | salt (16 bytes) | chunk size (4 bytes)
    then chunks: AES-256-GCM(plaintext chunk) with its 16-byte tag

Each file gets its own key, HKDF-SHA256(field key, salt, context), so chunk nonces can simply
count (11 bytes of chunk number, 1 byte set on the last chunk: the STREAM construction). The
header and the context are associated data of every chunk: a file cut short, chunks reordered or
swapped between files, a changed key id, a roster passed off as a report — each fails to open.
An empty file is one empty last chunk.
"""

import io
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage

from .crypto import get_cipher

MAGIC = b"DJSEAL1\n"
CHUNK = 1 << 20  # plaintext bytes per chunk
TAG = 16
SALT = 16
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class SealedFileError(Exception):
    """The file is not sealed, was altered or cut short, or its key is not configured."""


@dataclass(frozen=True)
class Header:
    kid: str
    salt: bytes
    chunk: int

    def encode(self) -> bytes:
        kid = self.kid.encode()
        return MAGIC + bytes([len(kid)]) + kid + self.salt + struct.pack(">I", self.chunk)


def read_header(stream: IO[bytes]) -> Header:
    magic = stream.read(len(MAGIC))
    if magic != MAGIC:
        raise SealedFileError("not a sealed file")
    size = stream.read(1)
    kid = stream.read(size[0]) if size else b""
    salt = stream.read(SALT)
    chunk = stream.read(4)
    if not size or len(kid) != size[0] or len(salt) != SALT or len(chunk) != 4:
        raise SealedFileError("the header is cut short")
    header = Header(kid.decode(errors="replace"), salt, struct.unpack(">I", chunk)[0])
    if not 0 < header.chunk <= 64 * CHUNK:
        raise SealedFileError("the header is damaged")
    return header


def key_id(path: Path) -> str | None:
    """The id of the key a stored file is sealed under; None if it is not a sealed file."""
    with path.open("rb") as stream:
        try:
            return read_header(stream).kid
        except SealedFileError:
            return None


def _aead(header: Header, context: str) -> AESGCM:
    master = get_cipher().keys.get(header.kid)
    if master is None:
        raise SealedFileError(f"no field encryption key with id {header.kid!r} is configured")
    info = b"dangjian sealed file\0" + context.encode()
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=header.salt, info=info).derive(master))


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal_stream(source: IO[bytes], target: IO[bytes], *, context: str) -> None:
    """Seal everything `source` holds into `target`, under the first (active) key."""
    cipher = get_cipher()
    header = Header(cipher.active, os.urandom(SALT), CHUNK)
    head = header.encode()
    aead, aad = _aead(header, context), head + context.encode()
    target.write(head)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if len(chunk) == CHUNK else b""
        last = not following
        target.write(aead.encrypt(_nonce(index, last), chunk, aad))
        if last:
            return
        index, chunk = index + 1, following


def unsealed_chunks(source: IO[bytes], *, context: str) -> Iterator[bytes]:
    """The plaintext, a chunk at a time, each authenticated before it is given out. Raises
    SealedFileError at the first chunk that does not open, and at the end of a file cut short."""
    header = read_header(source)
    try:
        aead = _aead(header, context)
    except ImproperlyConfigured as exc:
        raise SealedFileError(str(exc)) from exc
    aad = header.encode() + context.encode()
    index, block = 0, source.read(header.chunk + TAG)
    while True:
        following = source.read(header.chunk + TAG) if len(block) == header.chunk + TAG else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(index, last), block, aad)
        except InvalidTag as exc:
            raise SealedFileError(f"chunk {index} was altered, or the file was cut short") from exc
        if last:
            return
        index, block = index + 1, following


def unseal_stream(source: IO[bytes], target: IO[bytes], *, context: str) -> None:
    for chunk in unsealed_chunks(source, context=context):
        target.write(chunk)


def seal(data: bytes, *, context: str) -> bytes:
    out = io.BytesIO()
    seal_stream(io.BytesIO(data), out, context=context)
    return out.getvalue()


def unseal(blob: bytes, *, context: str) -> bytes:
    return b"".join(unsealed_chunks(io.BytesIO(blob), context=context))


# --- Stored files ------------------------------------------------------------------------------


def _private_dirs(path: Path, root: Path) -> None:
    """Create the directories down to `path` (below `root`), each readable by this account only."""
    parts = path.relative_to(root).parts
    current = root
    for part in parts:
        current = current / part
        with suppress(FileExistsError):
            current.mkdir(mode=PRIVATE_DIR)
        # mkdir's mode is filtered by the umask, and folders made before files were sealed were 0755.
        if current.stat().st_mode & 0o777 != PRIVATE_DIR:
            current.chmod(PRIVATE_DIR)


def store(name: str, source: IO[bytes], *, context: str) -> str:
    """Seal `source` into the default storage as `name` (a fresh random name): 0600 in 0700
    directories on the file system storage. Returns the stored name."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # another storage: seal to a private temporary file, then save
        with tempfile.TemporaryFile() as sealed:
            seal_stream(source, sealed, context=context)
            sealed.seek(0)
            return default_storage.save(name, sealed)
    root = Path(default_storage.path(""))
    root.mkdir(parents=True, exist_ok=True)
    _private_dirs(path.parent, root)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as target:
            seal_stream(source, target, context=context)
            target.flush()
            os.fsync(target.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


@contextmanager
def opened(name: str, *, context: str, suffix: str = "") -> Iterator[Path]:
    """A stored sealed file, unsealed into a private temporary directory for the length of the
    block (the spreadsheet readers need a path), then deleted. SealedFileError if it does not
    open: nothing half-read is ever handed on."""
    with tempfile.TemporaryDirectory(prefix="dj-open-") as tmp:  # created 0700
        path = Path(tmp) / f"file{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as target, default_storage.open(name, "rb") as source:
            unseal_stream(source, target, context=context)
        yield path


def opened_stream(name: str, *, context: str) -> IO[bytes]:
    """A stored sealed file's plaintext in an anonymous temporary file (no name on disk, gone when
    closed), fully authenticated before it is returned: a download never sends part of a file
    that turns out to be altered."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    try:
        with default_storage.open(name, "rb") as source:
            unseal_stream(source, out, context=context)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def verify(path: Path, *, context: str) -> str:
    """Open the whole file without keeping anything; its key id. SealedFileError otherwise."""
    with path.open("rb") as source:
        kid = read_header(source).kid
        source.seek(0)
        for _chunk in unsealed_chunks(source, context=context):
            pass
    return kid


def reseal(path: Path, *, context: str, plaintext: bool = False) -> None:
    """Seal the file again under the active key, in place and atomically (a new file beside it,
    then a rename): a process killed midway leaves the old file whole. `plaintext`: the file is
    not sealed yet (stored before files were sealed)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.resealing")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as target, path.open("rb") as source:
            if plaintext:
                seal_stream(source, target, context=context)
            else:
                with tempfile.TemporaryFile() as clear:
                    unseal_stream(source, clear, context=context)
                    clear.seek(0)
                    seal_stream(clear, target, context=context)
            target.flush()
            os.fsync(target.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_private(source: IO[bytes], path: Path, *, force: bool = False) -> None:
    """Write a plaintext file the operator asked for (the CLI's `--report`): 0600, and never over
    an existing file unless `force`."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file overwritten with force keeps its old mode otherwise
    with os.fdopen(fd, "wb") as target:
        shutil.copyfileobj(source, target)
