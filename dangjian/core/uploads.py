"""Uploaded files: checked by content, stored under random names, served only through views that
check scope.

The name and the declared content type of an upload are chosen by the sender, so neither is
trusted: the kind is read from the file's first bytes (and, for .docx, from the zip's member
list), and the extension must agree with it. An .exe renamed .jpg is refused, as is a PDF named
.docx. Files are stored as ``<prefix>/<yyyy>/<mm>/<random hex><ext>``: the original name is kept
only in the database, so nothing a user typed ever becomes a path.
"""

import secrets
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    code: str
    extensions: tuple[str, ...]
    content_type: str
    image: bool = False


KINDS = {
    "jpeg": FileKind("jpeg", (".jpg", ".jpeg"), "image/jpeg", image=True),
    "png": FileKind("png", (".png",), "image/png", image=True),
    "pdf": FileKind("pdf", (".pdf",), "application/pdf"),
    "docx": FileKind(
        "docx",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
DOCUMENTS_AND_PHOTOS = tuple(KINDS)
# Roster files (dangjian.roster): stored under these kinds, but recognized by the roster's own
# reader (`roster.reading.sniff_format`), not by `sniff`, so no other upload accepts them.
KINDS.update(
    {
        "xlsx": FileKind(
            "xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        "xls": FileKind("xls", (".xls",), "application/vnd.ms-excel"),
        "csv": FileKind("csv", (".csv",), "text/csv"),
    }
)


def sniff(head: bytes, stream: IO[bytes]) -> FileKind | None:
    """The kind of file these bytes are, from its signature; None if not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return KINDS["docx"]
    return None


def check_upload(
    upload: UploadedFile,
    *,
    allowed: tuple[str, ...] = DOCUMENTS_AND_PHOTOS,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> FileKind:
    """Refuse anything too large, empty, of a kind not allowed, or whose name lies about its
    content. Returns the kind read from the content."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": max_bytes // 1048576},
            code="too_large",
        )
    upload.seek(0)
    kind = sniff(upload.read(8), upload)  # type: ignore[arg-type]
    upload.seek(0)
    names = ", ".join(ext for code in allowed for ext in KINDS[code].extensions)
    if kind is None or kind.code not in allowed:
        raise ValidationError(
            _("This kind of file is not accepted; upload one of: %(kinds)s.") % {"kinds": names},
            code="kind",
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _("The file's name does not match its content; it is not a %(ext)s file.")
            % {"ext": extension or _("(no extension)")},
            code="disguised",
        )
    return kind


def random_name(prefix: str, kind: FileKind) -> str:
    """A storage path nobody can guess or influence."""
    now = timezone.now()
    return f"{prefix}/{now:%Y}/{now:%m}/{secrets.token_hex(16)}{kind.extensions[0]}"


def check_all(files: Sequence[UploadedFile], max_bytes: int) -> list[FileKind]:
    """Check every file before any is stored: one refused file refuses them all, named."""
    kinds = []
    for upload in files:
        try:
            kinds.append(check_upload(upload, max_bytes=max_bytes))
        except ValidationError as exc:
            raise named_refusal(upload, exc) from exc
    return kinds


def named_refusal(upload: UploadedFile, exc: ValidationError) -> ValidationError:
    """The refusal of one file among several, its name in front so the user knows which."""
    return ValidationError(
        _("%(name)s: %(problem)s") % {"name": display_name(upload), "problem": " ".join(exc.messages)},
        code=exc.code,
    )


def described(upload: UploadedFile, kind: FileKind) -> dict[str, object]:
    """The fields every attachment row keeps about its file, besides where it is stored."""
    return {
        "original_name": display_name(upload),
        "content_type": kind.content_type,
        "size": upload.size or 0,
        "kind": kind.code,
    }


@contextmanager
def saved_together() -> Iterator[Callable[[str, FileKind, File], str]]:
    """Save checked files under random names; if the block fails, delete every file it saved.

    The rows written with the files roll back with the transaction; the files would not. Callers
    save as their last write, so nothing after the block can roll the rows back either.
    """
    stored: list[str] = []

    def save(prefix: str, kind: FileKind, content: File) -> str:
        name = default_storage.save(random_name(prefix, kind), content)
        stored.append(name)
        return name

    try:
        yield save
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def display_name(upload: UploadedFile) -> str:
    """The original file name, kept for display and download only; path parts are dropped."""
    return PurePath((upload.name or "file").replace("\\", "/")).name[:200] or "file"


def download_response(
    stored: IO[bytes], name: str, content_type: str, *, inline: bool = False
) -> FileResponse:
    """Serve a stored upload through a view that has already checked scope. Only images and
    PDFs are shown inline; the browser is told not to guess another type."""
    response = FileResponse(stored, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response
