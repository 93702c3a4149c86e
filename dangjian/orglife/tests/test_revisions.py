"""A closed record is locked; corrections are numbered, reasoned, audited revisions."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.orglife.models import Meeting, MeetingAttachment, MeetingRevision
from dangjian.orglife.records import add_attachment, revise_record
from dangjian.orglife.services import record_attendance, update_meeting
from dangjian.testing.world import World

from .helpers import (
    EXE,
    PDF,
    client_for,
    close,
    closed_meeting,
    past_meeting,
    png_bytes,
    stored_files,
    upload,
)


def test_closed_record_is_locked_and_open_records_are_not_revised(world: World) -> None:
    m = closed_meeting(world)
    with pytest.raises(ValidationError) as locked:
        update_meeting(m, {"minutes": "改写"}, acting_user=world.secretary)
    assert locked.value.code == "closed"
    with pytest.raises(ValidationError):  # attendance is never revised
        record_attendance(m, [{"member": world.member.pk, "status": "absent"}], acting_user=world.secretary)
    with pytest.raises(ValidationError) as still_open:
        revise_record(
            past_meeting(world),
            {"minutes": "x"},
            reason="r",
            acting_user=world.secretary,
            expected_version=None,
        )
    assert still_open.value.code == "open"
    assert not MeetingRevision.objects.exists()


def test_revision_needs_a_reason_a_change_the_scope_and_the_current_version(world: World) -> None:
    m = closed_meeting(world)
    with pytest.raises(ValidationError) as no_reason:
        revise_record(
            m, {"minutes": "补记"}, reason="  ", acting_user=world.secretary, expected_version=m.version
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as unchanged:
        revise_record(
            m, {"minutes": ""}, reason="核对", acting_user=world.secretary, expected_version=m.version
        )
    assert unchanged.value.code == "unchanged"
    with pytest.raises(ValidationError) as stale:
        revise_record(
            m, {"minutes": "补记"}, reason="核对", acting_user=world.secretary, expected_version=m.version - 1
        )
    assert stale.value.code == "stale"
    for user in (world.member_user, world.outsider):
        with pytest.raises(OutOfScope):
            revise_record(m, {"minutes": "补记"}, reason="核对", acting_user=user, expected_version=m.version)
    assert not MeetingRevision.objects.exists()
    assert Meeting.objects.get(pk=m.pk).minutes == ""
    assert AuditEntry.objects.filter(action="meeting.revise", success=False).count() == 5


def test_revision_keeps_before_and_after_and_is_audited(world: World) -> None:
    m = closed_meeting(world)
    Meeting.objects.filter(pk=m.pk).update(minutes="<p>原记录</p>", resolutions="决议一")
    m.refresh_from_db()
    first = revise_record(
        m,
        {"minutes": "<p>更正后的记录<script>x()</script></p>", "resolutions": "决议一\n决议二"},
        reason="漏记第二项决议",
        acting_user=world.secretary,
        expected_version=m.version,
    )
    m.refresh_from_db()
    assert (m.minutes, m.resolutions, m.status) == ("<p>更正后的记录</p>", "决议一\n决议二", "closed")
    assert (first.number, first.minutes_before, first.minutes_after) == (
        1,
        "<p>原记录</p>",
        "<p>更正后的记录</p>",
    )
    assert (first.resolutions_before, first.resolutions_after) == ("决议一", "决议一\n决议二")
    assert first.created_by == world.secretary
    entry = AuditEntry.objects.get(action="meeting.revise", success=True)
    assert entry.detail == "漏记第二项决议" and entry.changes["revision"] == [None, 1]
    assert entry.changes["resolutions"] == ["决议一", "决议一\n决议二"]
    second = revise_record(
        m,
        {"resolutions": "决议一"},
        reason="第二项属误记",
        acting_user=world.county_staff,
        expected_version=m.version,
    )
    assert second.number == 2 and not second.minutes_changed and second.resolutions_changed
    with pytest.raises(IntegrityError), transaction.atomic():  # one number per meeting, by the database
        MeetingRevision.objects.create(meeting=m, number=2, reason="重复")


def test_revision_adds_and_removes_attachments_all_or_nothing(world: World, media: Path) -> None:
    m = past_meeting(world)
    old = add_attachment(m, upload("错传.pdf", PDF), acting_user=world.secretary)
    m = close(world, m)
    with pytest.raises(ValidationError):  # one bad file refuses the whole revision
        revise_record(
            m,
            {},
            reason="换照片",
            acting_user=world.secretary,
            expected_version=m.version,
            add=[upload("合影.png", png_bytes()), upload("假照片.jpg", EXE)],
            remove=[old.pk],
        )
    assert list(MeetingAttachment.objects.values_list("original_name", flat=True)) == ["错传.pdf"]
    assert len(stored_files(media)) == 1 and not MeetingRevision.objects.exists()
    revision = revise_record(
        m,
        {},
        reason="换照片",
        acting_user=world.secretary,
        expected_version=m.version,
        add=[upload("合影.png", png_bytes())],
        remove=[old.pk],
    )
    assert (revision.attachments_added, revision.attachments_removed) == (["合影.png"], ["错传.pdf"])
    assert list(MeetingAttachment.objects.values_list("original_name", flat=True)) == ["合影.png"]


def test_revision_page_and_history(world: World, media: Path) -> None:
    m = closed_meeting(world)
    client = client_for(world.secretary)
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert f"/meetings/{m.pk}/revise/" in page and f"/meetings/{m.pk}/minutes/" not in page
    assert f"/meetings/{m.pk}/attachments/" not in page  # no direct upload to a locked record
    url = f"/meetings/{m.pk}/revise/"
    refused = client.post(url, {"minutes": "<p>补记内容</p>", "reason": "", "version": m.version})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Give the reason for correcting the closed record." in body and "补记内容" in body
    response = client.post(
        url,
        {
            "minutes": "<p>补记内容</p>",
            "resolutions": "同意接收预备党员",
            "reason": "补记会议内容",
            "version": m.version,
            "files": [upload("合影.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    stale = client.post(url, {"minutes": "<p>再改</p>", "reason": "再改", "version": m.version})
    assert stale.status_code == 409
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert "Revised 1 time" in page and "补记会议内容" in page and "合影.png" in page
    assert "<li>同意接收预备党员</li>" in page and "secretary" in page
    viewer = client_for(world.member_user).get(f"/meetings/{m.pk}/").content.decode()
    assert "Revised 1 time" in viewer and "/revise/" not in viewer
    assert client_for(world.member_user).post(url, {"reason": "x", "minutes": "y"}).status_code == 404
    assert client_for(world.outsider).post(url, {"reason": "x", "minutes": "y"}).status_code == 404
    assert MeetingRevision.objects.count() == 1


def test_record_pdf_carries_minutes_resolutions_files_and_revisions(world: World, media: Path) -> None:
    from pypdf import PdfReader

    m = past_meeting(world)
    update_meeting(
        m,
        {"minutes": "<h3>传达精神</h3><ul><li>学习党章</li></ul>", "resolutions": "同意张三转正"},
        acting_user=world.secretary,
    )
    add_attachment(m, upload("合影.png", png_bytes()), acting_user=world.secretary)
    add_attachment(m, upload("签到表.pdf", PDF), acting_user=world.secretary)
    m = close(world, m)
    revise_record(
        m,
        {"resolutions": "同意张三转正\n表扬李四"},
        reason="补记决议",
        acting_user=world.secretary,
        expected_version=m.version,
    )
    response = client_for(world.county_staff).get(f"/meetings/{m.pk}/record.pdf")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "传达精神",
        "学习党章",
        "同意张三转正",
        "表扬李四",
        "合影.png",
        "签到表.pdf",
        "补记决议",
    ):
        assert expected in text, expected
    assert any(page.images for page in reader.pages)  # the small photo is printed
