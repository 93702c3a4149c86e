"""Sealed files: what goes in comes out, and any change to the bytes is refused."""

import io
import os
from base64 import b64encode
from pathlib import Path
from typing import Any

import pytest

from dangjian.core import sealed
from dangjian.core.crypto import get_cipher, parse_keys
from dangjian.core.sealed import SealedFileError


@pytest.mark.parametrize("size", [0, 1, sealed.CHUNK - 1, sealed.CHUNK, 2 * sealed.CHUNK + 7])
def test_round_trip_at_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    blob = sealed.seal(data, context="t")
    assert sealed.unseal(blob, context="t") == data
    assert size < 16 or data[:16] not in blob


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b[:-1],  # cut short by a byte
        lambda b: b[: len(b) - sealed.CHUNK - sealed.TAG],  # the last whole chunk dropped
        lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:],  # one bit flipped
        lambda b: b.replace(get_cipher().active.encode(), b"?" * len(get_cipher().active), 1),  # key id
    ],
)
def test_a_changed_file_is_refused(spoil: Any) -> None:
    blob = sealed.seal(os.urandom(2 * sealed.CHUNK + 5), context="t")
    with pytest.raises(SealedFileError):
        sealed.unseal(spoil(blob), context="t")


def test_the_context_is_bound() -> None:
    blob = sealed.seal(b"430102198506010012", context="roster.report")
    with pytest.raises(SealedFileError):
        sealed.unseal(blob, context="roster.upload")
    with pytest.raises(SealedFileError, match="not a sealed file"):
        sealed.unseal(b"PK\x03\x04 plain workbook", context="roster.upload")


def test_stored_files_are_private(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    name = sealed.store("imports/2026/12/x.sealed", io.BytesIO(b"secret"), context="t")
    path = tmp_path / "media" / name
    assert path.stat().st_mode & 0o777 == 0o600
    for folder in ("imports", "imports/2026", "imports/2026/12"):
        assert (tmp_path / "media" / folder).stat().st_mode & 0o777 == 0o700
    with sealed.opened(name, context="t", suffix=".csv") as plain:
        assert plain.read_bytes() == b"secret" and plain.stat().st_mode & 0o777 == 0o600
    assert not plain.exists()


def with_new_first_key(spec: str, kid: str = "k2") -> str:
    """The configured keys with a fresh one put first (it seals; all still open)."""
    keys, _active = parse_keys(spec)
    assert kid not in keys
    pairs = [(kid, os.urandom(32)), *keys.items()]
    return ",".join(f"{k}:{b64encode(v).decode()}" for k, v in pairs)


def test_reseal_moves_a_file_to_the_new_first_key(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "f.sealed"
    path.write_bytes(sealed.seal(b"data" * 1000, context="t"))
    settings.FIELD_ENCRYPTION_KEYS = with_new_first_key(settings.FIELD_ENCRYPTION_KEYS)
    assert sealed.key_id(path) != "k2"
    sealed.reseal(path, context="t")
    assert sealed.key_id(path) == "k2" and sealed.unseal(path.read_bytes(), context="t") == b"data" * 1000
    assert path.stat().st_mode & 0o777 == 0o600
