"""Files attached to a record (evidence, a campaign's instructions, a report's returns): one way
to take them in. Every file is checked by content before any is stored; photos are written anew
from their pixels (no EXIF location kept); each is saved under a random name and described by
one row; if anything fails, the files already saved are deleted with the rolled-back rows."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, Http404

from . import images, uploads
from .fields import account_stamp
from .scoping import ScopedQuerySet

R = TypeVar("R")


def store(
    files: Sequence[UploadedFile],
    *,
    max_bytes: int,
    folder: str,
    create: Callable[[dict[str, Any]], R],
) -> list[R]:
    """`create(fields)` writes one row per file, given `file` (the stored name) and the fields
    every attachment row keeps (`uploads.described`). Call it as the service's last write."""
    checked = []
    for upload, kind in zip(files, uploads.check_all(files, max_bytes), strict=True):
        content: Any = upload
        if kind.code in images.IMAGE_KINDS:
            try:
                content = images.reencode(upload, max_bytes=max_bytes, orient=True).content
            except ValidationError as exc:
                raise uploads.named_refusal(upload, exc) from exc
        checked.append((upload, kind, content))
    with uploads.saved_together() as save:
        return [
            create(
                {
                    "file": save(folder, kind, content),
                    **(uploads.described(upload, kind) | {"size": content.size or 0}),
                }
            )
            for upload, kind, content in checked
        ]


def remove(row: "AttachedFile") -> str:
    """Delete the row now and its stored file once that is committed (a rollback keeps the row,
    so it keeps its file). Returns the file's original name, for the audit entry."""
    name, stored = row.original_name, str(row.file.name)  # type: ignore[attr-defined]
    row.delete()
    transaction.on_commit(lambda: default_storage.delete(stored))
    return name


def serve(row: "AttachedFile | None") -> FileResponse:
    """The file of a row the view has already found within the user's reach: 404 when there is
    no such row or its file is gone; images and PDFs shown inline."""
    if row is None:
        raise Http404
    try:
        stored = row.file.open("rb")  # type: ignore[attr-defined]
    except FileNotFoundError as exc:
        raise Http404 from exc
    return uploads.download_response(
        stored, row.original_name, row.content_type, inline=row.kind in ("png", "jpeg", "pdf")
    )


class AttachedFile(models.Model):
    """What every attached file keeps besides the record it belongs to and its `file` (a
    FileField each model declares, with its own folder); scoped through the record."""

    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=8)
    uploaded_by = account_stamp()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
