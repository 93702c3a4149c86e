"""Writes of the feed: items kept in step with their source records, and the photo albums.

`sync` is called for a saved source record (signals) and by `backfill`; it is idempotent, so a
record saved twice, or backfilled after the signal wrote it, gives one item. Photos are added by
whoever may change the item's organization (its secretary, organizer, the committees above).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from dangjian.core import audit, uploads
from dangjian.core import images as image_files
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.members.models import Member

from . import sources
from .models import FeedItem, FeedPhoto

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDE = 8000
PHOTO_FIT_SIDE = 2048
THUMB_SIDE = 320
PHOTOS_PER_UPLOAD = 9
PHOTOS_PER_ALBUM = 60


def sync(obj: Model) -> FeedItem | None:
    """Create, update or hide the item of `obj`; returns it (None when the record has none)."""
    build = sources.SOURCES.get(type(obj))
    if build is None:
        return None
    source_type = ContentType.objects.get_for_model(type(obj))
    existing = FeedItem.objects.filter(source_type=source_type, source_id=obj.pk).first()
    item, new = _synced(obj, build, existing, source_type)
    if new is not None:
        new.save()
        return new
    return item


def _fields(spec: sources.Spec) -> dict[str, Any]:
    return {
        "organization_id": spec.organization_id,
        "kind": spec.kind,
        "occurred_at": spec.occurred_at,
        "title": spec.title[:200],
        "cascade": spec.cascade,
        "part": spec.part,
        "whole": spec.whole,
        "hidden": spec.hidden,
    }


def _synced(
    obj: Model, build: Any, existing: FeedItem | None, source_type: ContentType
) -> tuple[FeedItem | None, FeedItem | None]:
    """The item of `obj` kept in step: (the existing item, updated or hidden in place, or None;
    a new unsaved item, or None)."""
    if existing is not None and isinstance(obj, Member):
        # The joining happened in the branch of that day; a later transfer does not move it.
        return existing, None
    spec = build(obj)
    if spec is None:
        if existing is not None and not existing.hidden:
            existing.hidden = True
            existing.save(update_fields=["hidden"])
        return existing, None
    fields = _fields(spec)
    if existing is None:
        return None, FeedItem(source_type=source_type, source_id=obj.pk, **fields)
    if any(getattr(existing, k) != v for k, v in fields.items()):
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.save(update_fields=list(fields))
    return existing, None


def backfill(batch: int = 500) -> dict[str, int]:
    """Items for every existing record that should have one (the command `feed_backfill`): the
    records read a batch at a time with what their items count, the batch's existing items in
    one query, its new items in one insert."""
    written: dict[str, int] = {}
    annotations = sources.backfill_annotations()
    for model, filters in sources.backfill_filters().items():
        build = sources.SOURCES[model]
        source_type = ContentType.objects.get_for_model(model)
        count = 0
        last = 0
        while True:
            rows = list(
                model._default_manager.filter(pk__gt=last, **filters)
                .select_related(*sources.BACKFILL_RELATED.get(model, ()))
                .annotate(**annotations.get(model, {}))
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            with transaction.atomic():
                existing = {
                    item.source_id: item
                    for item in FeedItem.objects.filter(
                        source_type=source_type, source_id__in=[row.pk for row in rows]
                    )
                }
                new = []
                for row in rows:
                    item, fresh = _synced(row, build, existing.get(row.pk), source_type)
                    if fresh is not None:
                        new.append(fresh)
                    if item is not None or fresh is not None:
                        count += 1
                FeedItem.objects.bulk_create(new)
            last = rows[-1].pk
        written[model._meta.label_lower] = count
    return written


def _check_photos(item: FeedItem, files: Sequence[UploadedFile]) -> list[image_files.CleanImage]:
    if not files:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    if len(files) > PHOTOS_PER_UPLOAD:
        raise ValidationError({"photos": _("At most %(n)s photos at a time.") % {"n": PHOTOS_PER_UPLOAD}})
    if item.photos.count() + len(files) > PHOTOS_PER_ALBUM:
        raise ValidationError({"photos": _("An album holds at most %(n)s photos.") % {"n": PHOTOS_PER_ALBUM}})
    return image_files.reencode_all(
        files,
        "photos",
        max_bytes=PHOTO_MAX_BYTES,
        max_side=PHOTO_MAX_SIDE,
        fit_side=PHOTO_FIT_SIDE,
        thumbnail_side=THUMB_SIDE,
        orient=True,
    )


@write_service("feed.photo.add")
def add_photos(item: FeedItem, files: Sequence[UploadedFile], *, acting_user: Any) -> list[FeedPhoto]:
    """Photos for the album of `item`: every file is checked and re-encoded (EXIF, location
    included, dropped) before any is stored; one refused file refuses them all."""
    item = FeedItem.objects.select_for_update().select_related("organization").get(pk=item.pk)
    require_scope(acting_user, item, "change")
    cleaned = _check_photos(item, files)
    rows = []
    # Saved last: the files are deleted again if any save fails (uploads.saved_together).
    with uploads.saved_together() as save:
        for image in cleaned:
            assert image.thumbnail is not None
            rows.append(
                FeedPhoto.objects.create(
                    item=item,
                    organization_id=item.organization_id,
                    file=save("feed", image.kind, image.content),
                    thumbnail=save("feed-thumb", image.kind, image.thumbnail),
                    content_type=image.kind.content_type,
                    width=image.width,
                    height=image.height,
                    uploaded_by=account_of(acting_user),
                )
            )
        audit.record(
            "feed.photo.add",
            actor=acting_user,
            obj=item,
            changes={"photos": [row.pk for row in rows]},
        )
    return rows


@write_service("feed.photo.remove")
def remove_photo(photo: FeedPhoto, *, acting_user: Any) -> None:
    photo = FeedPhoto.objects.select_for_update().select_related("organization").get(pk=photo.pk)
    require_scope(acting_user, photo, "change")
    names = [photo.file, photo.thumbnail]
    audit.record("feed.photo.remove", actor=acting_user, obj=photo.item, changes={"photo": photo.pk})
    photo.delete()
    # The files go only once the row's removal is committed.
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)
