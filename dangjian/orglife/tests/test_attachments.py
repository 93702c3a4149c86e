"""Meeting attachments: checked by content and size, stored under random names, served only to
those who may see the meeting; a refused upload stores nothing."""

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.orglife import records
from dangjian.orglife.models import Meeting, MeetingAttachment, MeetingRevision
from dangjian.orglife.records import add_attachment, remove_attachment
from dangjian.testing.world import World

from .helpers import (
    EXE,
    PDF,
    client_for,
    closed_meeting,
    docx_bytes,
    past_meeting,
    png_bytes,
    stored_files,
    upload,
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合影.jpg", EXE, "This kind of file is not accepted"),  # an .exe renamed .jpg
        ("会议记录.docx", PDF, "does not match its content"),  # a PDF named .docx
        ("空.png", b"", "The file is empty."),
        ("大.png", png_bytes() + b"\x00" * 2048, "The file is too large"),
    ],
)
def test_refused_uploads_store_nothing(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, message: str
) -> None:
    monkeypatch.setattr(records, "MAX_BYTES", 1024 * 1024 // 512)  # 2 KB, so "large" is cheap to make
    m = past_meeting(world)
    with pytest.raises(ValidationError) as error:
        add_attachment(m, upload(name, content, "image/jpeg"), acting_user=world.secretary)
    assert message in error.value.messages[0] and name in error.value.messages[0]
    assert not MeetingAttachment.objects.exists()
    assert stored_files(media) == []
    assert AuditEntry.objects.filter(action="meeting.attachment_add", success=False).count() == 1


def test_accepted_photo_is_stored_under_a_random_name(world: World, media: Path) -> None:
    m = past_meeting(world)
    row = add_attachment(m, upload("../../合影.png", png_bytes()), acting_user=world.secretary)
    assert (row.original_name, row.kind, row.content_type) == ("合影.png", "png", "image/png")
    assert row.file.name.startswith("meetings/") and "合影" not in row.file.name
    assert [p.relative_to(media).as_posix() for p in stored_files(media)] == [row.file.name]
    assert row.uploaded_by == world.secretary and row.size == (media / row.file.name).stat().st_size
    assert Meeting.objects.get(pk=m.pk).version == m.version  # a new file overwrites nothing
    assert AuditEntry.objects.filter(action="meeting.attachment_add", success=True).count() == 1


def test_a_phone_photo_loses_its_location_and_stands_upright(world: World, media: Path) -> None:
    """The record's photos are shown to the branch and printed in its PDF: where the phone was
    (EXIF GPS), its make and serial stay out; the EXIF rotation is applied to the pixels."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # stored on its side: turn 90° to view
    exif[0x8825] = {1: "N", 2: (28.0, 12.0, 36.0), 3: "E", 4: (112.0, 58.0, 12.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    row = add_attachment(
        past_meeting(world), upload("合影.jpg", buffer.getvalue()), acting_user=world.secretary
    )
    stored = (media / row.file.name).read_bytes()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and image.size == (30, 40)
    assert row.size == len(stored) and row.kind == "jpeg"


def test_a_file_that_claims_to_be_a_photo_but_does_not_decode_is_refused(world: World, media: Path) -> None:
    broken = png_bytes()[:40]  # the signature of a PNG, then nothing readable
    with pytest.raises(ValidationError) as error:
        add_attachment(past_meeting(world), upload("坏.png", broken), acting_user=world.secretary)
    assert error.value.messages[0].startswith("坏.png: ")
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []


def test_limit_scope_and_cancelled_meetings(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_ATTACHMENTS", 1)
    m = past_meeting(world)
    add_attachment(m, upload("a.pdf", PDF), acting_user=world.secretary)
    with pytest.raises(ValidationError) as error:
        add_attachment(m, upload("b.pdf", PDF), acting_user=world.secretary)
    assert "at most 1 attachments" in error.value.messages[0]
    with pytest.raises(OutOfScope):
        add_attachment(past_meeting(world), upload("c.pdf", PDF), acting_user=world.outsider)
    assert MeetingAttachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_closed_meeting_takes_attachments_only_as_a_revision(world: World, media: Path) -> None:
    m = closed_meeting(world)
    with pytest.raises(ValidationError) as error:
        add_attachment(m, upload("补拍.png", png_bytes()), acting_user=world.secretary)
    assert "reason" in error.value.message_dict
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []
    row = add_attachment(
        m, upload("补拍.png", png_bytes()), acting_user=world.secretary, reason="补充会议照片"
    )
    revision = MeetingRevision.objects.get(meeting=m)
    assert (revision.number, revision.reason, revision.attachments_added) == (1, "补充会议照片", ["补拍.png"])
    assert row.meeting_id == m.pk and Meeting.objects.get(pk=m.pk).version == m.version + 1


def test_remove_deletes_the_file_after_commit(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable
) -> None:
    m = past_meeting(world)
    row = add_attachment(m, upload("a.pdf", PDF), acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        remove_attachment(row, acting_user=world.member_user)
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(row, acting_user=world.secretary)
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []
    assert AuditEntry.objects.filter(action="meeting.attachment_remove", success=True).count() == 1


def test_files_are_served_only_within_scope(world: World, media: Path) -> None:
    m = past_meeting(world)
    photo = add_attachment(m, upload("合影.png", png_bytes()), acting_user=world.secretary)
    doc = add_attachment(m, upload("记录.docx", docx_bytes()), acting_user=world.secretary)
    response = client_for(world.member_user).get(f"/meeting-attachments/{photo.pk}/")
    served = b"".join(response.streaming_content)
    assert response.status_code == 200 and served == (media / photo.file.name).read_bytes()
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    saved = client_for(world.county_staff).get(f"/meeting-attachments/{doc.pk}/")
    assert saved.status_code == 200 and saved["Content-Disposition"].startswith("attachment")
    outsider = client_for(world.outsider)
    assert outsider.get(f"/meeting-attachments/{photo.pk}/").status_code == 404
    assert outsider.get(f"/meetings/{m.pk}/").status_code == 404


def test_upload_page_refuses_clearly_then_shows_the_thumbnail(world: World, media: Path) -> None:
    m = past_meeting(world)
    client = client_for(world.secretary)
    url = f"/meetings/{m.pk}/attachments/"
    refused = client.post(url, {"file": upload("照片.jpg", EXE)})
    assert refused.status_code == 400
    assert "This kind of file is not accepted" in refused.content.decode()
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []
    assert client.post(url, {}).status_code == 400  # no file chosen
    assert client.post(url, {"file": upload("合影.png", png_bytes())}).status_code == 302
    row = MeetingAttachment.objects.get()
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert f'<img src="/meeting-attachments/{row.pk}/"' in page and "合影.png" in page
    assert f"/meeting-attachments/{row.pk}/remove/" in page
    # Someone who may only view sees the photo, not the upload or remove controls.
    viewer = client_for(world.member_user).get(f"/meetings/{m.pk}/").content.decode()
    assert f'<img src="/meeting-attachments/{row.pk}/"' in viewer and "/remove/" not in viewer
    assert client_for(world.member_user).post(url, {"file": upload("b.png", png_bytes())}).status_code == 404
    assert client.post(f"/meeting-attachments/{row.pk}/remove/").status_code == 302
    assert not MeetingAttachment.objects.exists()
