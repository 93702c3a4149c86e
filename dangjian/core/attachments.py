"""Files attached to a record (evidence, a campaign's instructions, a report's returns): one way
to take them in. Every file is checked by content before any is stored; photos are written anew
from their pixels (no EXIF location kept); each is saved under a random name and described by
one row; if anything fails, the files already saved are deleted with the rolled-back rows."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from . import images, uploads

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
