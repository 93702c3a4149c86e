"""Writes to a meeting's record beyond attendance: attachments, and revisions of a closed record.

While a meeting is open, attachments are added and removed directly. Once it is closed its
record is locked: minutes, resolutions and attachments change only through a revision, which
keeps the record before and after, who changed it and why. Attendance is never revised.

Files are checked by content before anything is written, stored under random names as the last
write of a service (and deleted again if storing fails midway), and removed from storage only
after the transaction that dropped their row has committed: a refused or rolled-back write leaves
neither a stray file nor a row pointing at a missing one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dangjian.core import audit, images, uploads
from dangjian.core.services import account_of, write_service

from .models import Meeting, MeetingAttachment, MeetingRevision, MeetingStatus
from .services import clean_record, lock_meeting

MAX_ATTACHMENTS = 30
MAX_BYTES = uploads.MAX_UPLOAD_BYTES
PHOTO_MAX_SIDE = 8000  # a 48-megapixel phone photo; larger canvases are refused before decoding
PHOTO_FIT_SIDE = 2560  # enough to read a whiteboard in the photo of a meeting
REVISABLE = (MeetingStatus.CLOSED,)
OPEN_OR_CLOSED = (MeetingStatus.PLANNED, MeetingStatus.CLOSED)


@dataclass(frozen=True)
class _Checked:
    upload: UploadedFile
    kind: uploads.FileKind
    content: File  # what is stored: the document as uploaded, or the photo written anew


def _check_uploads(meeting: Meeting, files: Sequence[UploadedFile], removing: int = 0) -> list[_Checked]:
    """Check every file before any is stored: one refused file refuses them all. Photos are
    written anew from their pixels, so a phone's EXIF (its GPS location above all) is not kept."""
    if meeting.attachments.count() - removing + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("A meeting can have at most %(limit)s attachments.") % {"limit": MAX_ATTACHMENTS},
            code="too_many",
        )
    checked = []
    for upload, kind in zip(files, uploads.check_all(files, MAX_BYTES), strict=True):
        content: File = upload
        if kind.code in images.IMAGE_KINDS:
            try:
                content = images.reencode(
                    upload, max_bytes=MAX_BYTES, max_side=PHOTO_MAX_SIDE, fit_side=PHOTO_FIT_SIDE, orient=True
                ).content
            except ValidationError as exc:
                raise uploads.named_refusal(upload, exc) from exc
        checked.append(_Checked(upload, kind, content))
    return checked


def _store(meeting: Meeting, files: Sequence[_Checked], acting_user: Any) -> list[MeetingAttachment]:
    """Save checked files and their rows, as the caller's last write."""
    rows = []
    with uploads.saved_together() as save:
        for item in files:
            rows.append(
                MeetingAttachment.objects.create(
                    meeting=meeting,
                    file=save("meetings", item.kind, item.content),
                    **(uploads.described(item.upload, item.kind) | {"size": item.content.size or 0}),
                    uploaded_by=account_of(acting_user),
                )
            )
    return rows


def _drop(rows: Sequence[MeetingAttachment]) -> list[str]:
    names = [row.file.name for row in rows if row.file.name]
    MeetingAttachment.objects.filter(pk__in=[row.pk for row in rows]).delete()

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)

    # Only once the deletion is committed: a rollback keeps the row, so it must keep its file.
    transaction.on_commit(delete_files)
    return [row.original_name for row in rows]


def open_attachment(row: MeetingAttachment) -> IO[bytes] | None:
    """The stored file for reading, or None if it has gone missing from storage."""
    try:
        return default_storage.open(row.file.name or "", "rb")  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None


@write_service("meeting.attachment_add")
def add_attachment(
    meeting: Meeting,
    upload: UploadedFile,
    *,
    acting_user: Any,
    expected_version: int | None = None,
    reason: str = "",
) -> MeetingAttachment:
    """Attach a photo or document (JPEG, PNG, PDF, DOCX; checked by content and size).

    To an open record directly; to a closed record only as a revision, with a reason. Adding a
    file to an open record does not bump the version (it overwrites nothing, and bumping would
    make an organizer's open minutes editor stale whenever someone uploads a photo); the version
    is still checked when given."""
    meeting = lock_meeting(meeting, acting_user, expected_version, states=OPEN_OR_CLOSED)
    if meeting.status == MeetingStatus.CLOSED:
        _revision, added = _revise(meeting, {}, reason=reason, acting_user=acting_user, add=[upload])
        return added[0]
    row = _store(meeting, _check_uploads(meeting, [upload]), acting_user)[0]
    audit.record(
        "meeting.attachment_add",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"attachment": [None, row.original_name]},
        detail=f"attachment {row.pk}: {row.kind}, {row.size} bytes",
    )
    return row


@write_service("meeting.attachment_remove")
def remove_attachment(
    attachment: MeetingAttachment,
    *,
    acting_user: Any,
    expected_version: int | None = None,
    reason: str = "",
) -> None:
    """Remove an attachment: from an open record directly; from a closed one only as a revision."""
    meeting = lock_meeting(attachment.meeting, acting_user, expected_version, states=OPEN_OR_CLOSED)
    row = meeting.attachments.filter(pk=attachment.pk).first()
    if row is None:
        raise ValidationError(_("This attachment has already been removed."), code="gone")
    if meeting.status == MeetingStatus.CLOSED:
        _revise(meeting, {}, reason=reason, acting_user=acting_user, remove=[row.pk])
        return
    _drop([row])
    audit.record(
        "meeting.attachment_remove",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"attachment": [row.original_name, None]},
    )


@write_service("meeting.revise")
def revise_record(
    meeting: Meeting,
    data: dict[str, Any],
    *,
    reason: str,
    acting_user: Any,
    expected_version: int | None,
    add: Sequence[UploadedFile] = (),
    remove: Sequence[int] = (),
) -> MeetingRevision:
    """Correct a closed meeting's minutes, resolutions or attachments (`add` files, `remove`
    attachment ids) as one numbered revision with its reason."""
    meeting = lock_meeting(meeting, acting_user, expected_version, states=REVISABLE)
    return _revise(meeting, data, reason=reason, acting_user=acting_user, add=add, remove=remove)[0]


def _revise(
    meeting: Meeting,
    data: dict[str, Any],
    *,
    reason: str,
    acting_user: Any,
    add: Sequence[UploadedFile] = (),
    remove: Sequence[int] = (),
) -> tuple[MeetingRevision, list[MeetingAttachment]]:
    """The revision itself, on a meeting already locked, in scope and closed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for correcting the closed record.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    clean = clean_record(data)
    dropped = list(meeting.attachments.filter(pk__in=list(remove)))
    if len(dropped) != len(set(remove)):
        raise ValidationError(_("Some of the attachments to remove do not belong to this meeting."))
    before = {"minutes": meeting.minutes, "resolutions": meeting.resolutions}
    after = before | clean
    if after == before and not add and not dropped:
        raise ValidationError(_("Nothing was changed, so no revision was made."), code="unchanged")
    checked = _check_uploads(meeting, add, removing=len(dropped))  # every refusal before any write
    number = (meeting.revisions.aggregate(n=Max("number"))["n"] or 0) + 1  # the meeting row is locked
    removed_names = _drop(dropped) if dropped else []
    added_names = [uploads.display_name(upload) for upload in add]
    revision = MeetingRevision.objects.create(
        meeting=meeting,
        number=number,
        reason=reason,
        minutes_before=before["minutes"],
        minutes_after=after["minutes"],
        resolutions_before=before["resolutions"],
        resolutions_after=after["resolutions"],
        attachments_added=added_names,
        attachments_removed=removed_names,
        created_by=account_of(acting_user),
    )
    meeting.minutes, meeting.resolutions = after["minutes"], after["resolutions"]
    meeting.version += 1
    meeting.save(update_fields=["minutes", "resolutions", "version", "updated_at"])
    added = _store(meeting, checked, acting_user) if add else []
    changes: dict[str, Any] = {"revision": [None, number], **audit.diff(before, after)}
    if added_names:
        changes["attachments_added"] = [None, added_names]
    if removed_names:
        changes["attachments_removed"] = [removed_names, None]
    audit.record(
        "meeting.revise",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        changes=changes,
        detail=reason,
    )
    return revision, added
