"""Bounds on what reading a roster file may cost, checked before anything is decompressed.

An `.xlsx` is a zip: 2.7 MB of it can hold 700 MB of sheet XML, which calamine parses whole (19 s
and 1.7 GB in a worker). So the zip's central directory is read first — entry count, the total
declared size, each large member's compression ratio — and the file is refused on any of them.
A zip may lie about its sizes, so each member is then inflated once with zlib, a chunk at a time
and thrown away, and refused as soon as it yields more than it declared: memory stays flat and
the time is bounded by the declared total. An `.xls` (OLE2) is read whole by calamine too and is
bounded by its size; a CSV is streamed and only bounded by the upload limit.

Limits are settings (`ROSTER_MAX_UNZIPPED_MB`, `ROSTER_MAX_ZIP_RATIO`, `ROSTER_MAX_ZIP_ENTRIES`,
`ROSTER_MAX_XLS_MB`); the defaults let the documented million-row workbook in (~700 MB of XML
written by XlsxWriter, ~10:1).
"""

import struct
import zipfile
import zlib
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
RATIO_FLOOR = MB  # small members (styles, themes) may compress far better than a sheet
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
READ = 1 << 20


def max_unzipped() -> int:
    return int(getattr(settings, "ROSTER_MAX_UNZIPPED_MB", 800)) * MB


def max_ratio() -> int:
    return int(getattr(settings, "ROSTER_MAX_ZIP_RATIO", 100))


def max_entries() -> int:
    return int(getattr(settings, "ROSTER_MAX_ZIP_ENTRIES", 1000))


def max_xls() -> int:
    return int(getattr(settings, "ROSTER_MAX_XLS_MB", 64)) * MB


def _too_big() -> ValidationError:
    return ValidationError(
        _(
            "The workbook unpacks to more than %(limit)s MB, or far more than its size suggests; "
            "it is refused without being read. Split the roster, or save it as CSV."
        )
        % {"limit": max_unzipped() // MB},
        code="too_large",
    )


def check_file(stream: IO[bytes], fmt: str, size: int, *, inflate: bool = True) -> None:
    """Refuse a file whose reading would cost more than the limits allow. `inflate`: also
    inflate each zip member to prove its declared size (skipped for a file already checked)."""
    if fmt == "xls" and size > max_xls():
        raise ValidationError(
            _("An .xls workbook may be at most %(limit)s MB; save it as .xlsx or CSV.")
            % {"limit": max_xls() // MB},
            code="too_large",
        )
    if fmt != "xlsx":
        return
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(
            _("The workbook cannot be read (%(problem)s); save it again in Excel and retry.")
            % {"problem": str(exc)[:200]},
            code="format",
        ) from exc
    finally:
        stream.seek(0)
    if len(members) > max_entries():
        raise _too_big()
    if sum(m.file_size for m in members) > max_unzipped():
        raise _too_big()
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > max_ratio() * max(member.compress_size, 1):
            raise _too_big()
    if inflate:
        try:
            for member in members:
                _inflate_within(stream, member)
        finally:
            stream.seek(0)


def _inflate_within(stream: IO[bytes], member: zipfile.ZipInfo) -> None:
    """Inflate one member's raw data, refusing as soon as it gives more than it declared."""
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValidationError(
            _("The workbook uses a compression Excel does not; save it again in Excel and retry."),
            code="format",
        )
    stream.seek(member.header_offset)
    head = stream.read(LOCAL_HEADER.size)
    if len(head) != LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        raise _too_big()
    name_length, extra_length = LOCAL_HEADER.unpack(head)[9:11]
    stream.seek(member.header_offset + LOCAL_HEADER.size + name_length + extra_length)
    left = member.compress_size
    if member.compress_type == zipfile.ZIP_STORED:
        if member.compress_size != member.file_size:
            raise _too_big()
        return
    inflater = zlib.decompressobj(-15)
    produced = 0
    allowed = member.file_size
    while left > 0 and not inflater.eof:
        data = stream.read(min(READ, left))
        if not data:
            break
        left -= len(data)
        while data:
            # Never ask zlib for more than one byte past the declared size.
            out = inflater.decompress(data, allowed - produced + 1)
            produced += len(out)
            if produced > allowed:
                raise _too_big()
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
    if produced != allowed:
        raise _too_big()  # declared larger than it is: not Excel's work either
