"""Images people upload (a dues QR code, a photo on a discussion post, later the photo album).

An image is checked by content like every upload (`core.uploads.check_upload`), then decoded with
Pillow and written anew: only its pixels are kept. Whatever the file carried besides — EXIF (the
phone's GPS location, its serial number), comments, text chunks, data appended after the image —
is not copied. A phone photo's EXIF orientation is applied to the pixels first, so the picture
stands the right way up without it. The size is read from the header before any pixel is decoded,
so a huge canvas is refused before it could take the memory.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from . import uploads

IMAGE_KINDS = ("png", "jpeg")
_GREY_MODES = ("1", "L", "LA", "I", "I;16")


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels only, and its thumbnail if one was asked for."""

    content: ContentFile
    kind: uploads.FileKind
    width: int
    height: int
    thumbnail: ContentFile | None = None


def _encode(image: Image.Image, kind: uploads.FileKind) -> ContentFile:
    image.info = {}  # nothing of the source's metadata goes along
    out = io.BytesIO()
    if kind.code == "jpeg":
        image.save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue())


def _pixels(image: Image.Image, *, alpha: bool, kind: uploads.FileKind) -> Image.Image:
    if image.mode in _GREY_MODES:
        return image.convert("L")
    if alpha and kind.code == "png" and (image.mode in ("RGBA", "PA") or "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def reencode(
    upload: UploadedFile,
    *,
    max_bytes: int,
    max_side: int = 4096,
    output: str | None = None,
    fit_side: int | None = None,
    thumbnail_side: int | None = None,
    alpha: bool = False,
    orient: bool = False,
) -> CleanImage:
    """Check `upload` (a PNG or JPEG of at most `max_bytes`, at most `max_side` pixels a side) and
    write it anew from its pixels. `output` forces a format ("png"), else the source's is kept;
    `fit_side` scales a larger picture down to it; `thumbnail_side` adds a thumbnail; `orient`
    applies the EXIF orientation first. Anything unreadable is refused with one clear message."""
    source_kind = uploads.check_upload(upload, allowed=IMAGE_KINDS, max_bytes=max_bytes)
    kind = uploads.KINDS[output] if output else source_kind
    unreadable = _("This image cannot be read; save it again as PNG or JPEG and upload that.")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if not (0 < image.width <= max_side and 0 < image.height <= max_side):
                raise ValidationError(unreadable, code="image")
            image.load()
            picture = ImageOps.exif_transpose(image) if orient else image
            pixels = _pixels(picture, alpha=alpha, kind=kind)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(unreadable, code="image") from exc
    finally:
        upload.seek(0)
    if fit_side and max(pixels.size) > fit_side:
        pixels.thumbnail((fit_side, fit_side), Image.Resampling.LANCZOS)
    thumb = None
    if thumbnail_side:
        small = pixels.copy()
        small.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
        thumb = _encode(small, kind)
    return CleanImage(_encode(pixels, kind), kind, pixels.width, pixels.height, thumb)


def reencode_all(files: Sequence[UploadedFile], field: str, **options: Any) -> list[CleanImage]:
    """`reencode` each of `files` (same options) before anything is stored; a refused file
    refuses them all, its name in front of the message, under the form's `field`."""
    cleaned = []
    for upload in files:
        try:
            cleaned.append(reencode(upload, **options))
        except ValidationError as exc:
            name = uploads.display_name(upload)
            raise ValidationError({field: [f"{name}: {m}" for m in exc.messages]}) from exc
    return cleaned
