"""Correcting a meeting: edit, reschedule and cancel until it is held, with the members told; the
kind's defaults; the clash warning; 待记录 for a planned meeting whose time has passed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.notifications.models import Notification
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import (
    cancel_meeting,
    record_attendance,
    request_leave,
    schedule_meeting,
    update_meeting,
)
from dangjian.testing.world import World

from .helpers import close, past_meeting

FMT = "%Y-%m-%dT%H:%M"


def client_for(user: User, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def future_meeting(world: World, days: int = 3, **extra: object) -> Meeting:
    start = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    data = {
        "kind": "branch_assembly",
        "topic": "学习党章",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return schedule_meeting(world.branch, data | extra, acting_user=world.secretary)


def unchanged(meeting: Meeting) -> bool:
    fresh = Meeting.objects.get(pk=meeting.pk)
    return (fresh.starts_at, fresh.place, fresh.status, fresh.version) == (
        meeting.starts_at,
        meeting.place,
        meeting.status,
        meeting.version,
    )


def test_reschedule_tells_the_members_and_clears_an_old_leave(world: World) -> None:
    m = future_meeting(world)
    request_leave(m, "出差", acting_user=world.member_user)
    later = m.starts_at + timedelta(days=2)
    update_meeting(
        m,
        {"starts_at": later, "ends_at": later + timedelta(hours=2), "place": "村部"},
        acting_user=world.secretary,
    )
    m.refresh_from_db()
    assert m.starts_at == later and m.place == "村部" and m.version == 2
    # The leave was for the old time: the member is expected again and is told so.
    assert m.attendances.get(member=world.member).status == "expected"
    note = Notification.objects.get(user=world.member_user, kind="meeting.rescheduled")
    assert (
        "村部" in note.body
        and later.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in note.body
    )
    entry = AuditEntry.objects.get(action="meeting.update", object_id=str(m.pk))
    assert "starts_at" in entry.changes and "place" in entry.changes


def test_a_topic_edit_tells_nobody(world: World) -> None:
    m = future_meeting(world)
    update_meeting(m, {"topic": "学习新党章"}, acting_user=world.secretary)
    assert Meeting.objects.get(pk=m.pk).topic == "学习新党章"
    assert not Notification.objects.filter(kind="meeting.rescheduled").exists()


def test_reschedule_into_the_past_is_refused(world: World) -> None:
    m = future_meeting(world)
    earlier = timezone.now() - timedelta(hours=3)
    with pytest.raises(ValidationError) as refused:
        update_meeting(
            m, {"starts_at": earlier, "ends_at": earlier + timedelta(hours=1)}, acting_user=world.secretary
        )
    assert "time that has passed" in str(refused.value)
    assert unchanged(m) and not Notification.objects.exists()


def test_held_meeting_keeps_its_time_and_cannot_be_cancelled(world: World) -> None:
    m = past_meeting(world)
    record_attendance(m, [{"member": world.member.pk, "status": "present"}], acting_user=world.secretary)
    m.refresh_from_db()
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError, match="has been held"):
        update_meeting(
            m, {"starts_at": later, "ends_at": later + timedelta(hours=1)}, acting_user=world.secretary
        )
    with pytest.raises(ValidationError, match="has been held"):
        cancel_meeting(m, reason="没开成", acting_user=world.secretary)
    assert unchanged(m)
    # The record itself stays editable until it is closed.
    update_meeting(m, {"minutes": "讨论了党章"}, acting_user=world.secretary)


def test_a_past_meeting_that_did_not_take_place_may_move_ahead(world: World) -> None:
    m = past_meeting(world)
    ahead = timezone.now() + timedelta(days=7)
    update_meeting(
        m, {"starts_at": ahead, "ends_at": ahead + timedelta(hours=2)}, acting_user=world.secretary
    )
    m.refresh_from_db()
    assert m.starts_at == ahead and m.display_status == "planned"


def test_closed_and_cancelled_meetings_are_refused(world: World) -> None:
    closed = close(world, past_meeting(world))
    with pytest.raises(ValidationError, match="closed"):
        cancel_meeting(closed, reason="x", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="closed"):
        update_meeting(closed, {"topic": "改"}, acting_user=world.secretary)
    assert unchanged(closed)
    m = future_meeting(world)
    cancel_meeting(m, reason="书记出差", acting_user=world.secretary)
    m.refresh_from_db()
    with pytest.raises(ValidationError, match="cancelled"):
        cancel_meeting(m, reason="again", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="cancelled"):
        update_meeting(m, {"topic": "改"}, acting_user=world.secretary)
    assert unchanged(m)


def test_cancel_records_the_reason_and_tells_the_members(world: World) -> None:
    m = future_meeting(world)
    cancel_meeting(m, reason="书记出差", acting_user=world.secretary)
    m.refresh_from_db()
    assert m.status == "cancelled" and m.cancel_reason == "书记出差" and m.cancelled_at
    note = Notification.objects.get(user=world.member_user, kind="meeting.cancelled")
    assert "书记出差" in note.body and note.url == "/my/meetings/"
    entry = AuditEntry.objects.get(action="meeting.cancel", object_id=str(m.pk))
    assert entry.detail == "书记出差" and entry.actor_id == world.secretary.pk


def test_edit_page_reschedules_and_refuses_bad_input(world: World) -> None:
    m = future_meeting(world)
    client = client_for(world.secretary)
    url = f"/meetings/{m.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page and "disabled" in page  # the kind is fixed
    start = timezone.localtime(m.starts_at)
    form = {
        "topic": "学习党章",
        "starts_at": start.strftime(FMT),
        "ends_at": "",
        "place": "会议室",
        "version": 1,
    }

    past = timezone.localtime() - timedelta(days=1)
    refused = client.post(url, form | {"starts_at": past.strftime(FMT)})
    assert refused.status_code == 400 and "time that has passed" in refused.content.decode()
    assert unchanged(m)

    moved = (start + timedelta(days=1)).strftime(FMT)
    saved = client.post(url, form | {"starts_at": moved})
    assert saved.status_code == 302 and saved["Location"] == f"/meetings/{m.pk}/"
    m.refresh_from_db()
    # The end left empty: the start plus a branch assembly's usual two hours.
    assert timezone.localtime(m.starts_at).strftime(FMT) == moved and m.ends_at - m.starts_at == timedelta(
        hours=2
    )
    assert m.kind == "branch_assembly" and m.place == "会议室"

    stale = client.post(url, form | {"topic": "又改"})  # still version 1
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    assert Meeting.objects.get(pk=m.pk).topic == "学习党章"


def test_edit_page_is_for_the_branch_only(world: World) -> None:
    m = future_meeting(world)
    assert client_for(world.outsider).get(f"/meetings/{m.pk}/edit/").status_code == 404
    assert client_for(world.member_user).get(f"/meetings/{m.pk}/edit/").status_code == 404
    assert client_for(world.outsider).post(f"/meetings/{m.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert Meeting.objects.get(pk=m.pk).status == "planned"


def test_cancel_from_the_meeting_page(world: World) -> None:
    m = future_meeting(world)
    client = client_for(world.secretary, "zh-hans")
    detail = client.get(f"/meetings/{m.pk}/").content.decode()
    assert 'id="cancel-box"' in detail and 'id="meeting-edit"' in detail
    refused = client.post(f"/meetings/{m.pk}/cancel/", {"reason": "  ", "version": 1})
    assert refused.status_code == 400 and "请填写取消的原因" in refused.content.decode()
    assert unchanged(m)
    done = client.post(f"/meetings/{m.pk}/cancel/", {"reason": "书记出差", "version": 1}, follow=True)
    body = done.content.decode()
    assert 'id="meeting-cancelled"' in body and "书记出差" in body and "已取消" in body
    assert 'id="cancel-box"' not in body and 'id="meeting-edit"' not in body


def test_form_defaults_fit_the_kind(world: World) -> None:
    client = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/meetings/add/"
    page = client.get(url).content.decode()
    assert 'data-kinds="group_meeting"' in page and "dj/meeting-form.js" in page
    start = timezone.localtime() + timedelta(days=2)
    client.post(
        url,
        {
            "kind": "branch_committee",
            "topic": "支委会",
            "starts_at": start.strftime(FMT),
            "lecturer": world.member.pk,  # a field this kind does not use: ignored, not refused
        },
    )
    m = Meeting.objects.get()
    assert m.ends_at - m.starts_at == timedelta(hours=1) and m.lecturer is None


def test_a_clash_is_a_warning_not_a_refusal(world: World) -> None:
    first = future_meeting(world)
    client = client_for(world.secretary)
    start = timezone.localtime(first.starts_at) + timedelta(minutes=30)
    response = client.post(
        f"/orgs/{world.branch.pk}/meetings/add/",
        {"kind": "branch_committee", "topic": "支委会", "starts_at": start.strftime(FMT)},
        follow=True,
    )
    assert Meeting.objects.count() == 2
    assert "overlaps with" in response.content.decode() and "学习党章" in response.content.decode()
    # A meeting of another branch at the same time sharing nobody is no clash.
    other = client_for(world.county_staff).post(
        f"/orgs/{world.branch2.pk}/meetings/add/",
        {"kind": "branch_assembly", "topic": "二支部", "starts_at": start.strftime(FMT)},
        follow=True,
    )
    assert "overlaps with" not in other.content.decode()


def test_a_past_planned_meeting_reads_to_be_recorded(world: World) -> None:
    m = past_meeting(world)
    ahead = future_meeting(world)
    client = client_for(world.secretary, "zh-hans")
    listing = client.get(f"/orgs/{world.branch.pk}/meetings/").content.decode()
    assert "待记录" in listing and "dj-status-to-record" in listing and "待召开" in listing
    detail = client.get(f"/meetings/{m.pk}/").content.decode()
    assert "待记录" in detail and 'id="meeting-to-record"' in detail
    assert "待召开" not in detail.split('id="meeting-to-record"')[0].split("<h1")[1]
    assert Meeting.objects.get(pk=ahead.pk).display_status == "planned"


def test_api_reschedule_and_cancel_rules(world: World, api: object) -> None:
    client = api("secretary")  # type: ignore[operator]
    m = future_meeting(world)
    url = f"/api/v1/meetings/{m.pk}/"
    past = timezone.now() - timedelta(days=1)
    refused = client.patch(
        url, {"starts_at": past.isoformat(), "ends_at": (past + timedelta(hours=1)).isoformat()}
    )
    assert refused.status_code == 400 and "time that has passed" in str(refused.data)
    assert unchanged(m)
    ahead = m.starts_at + timedelta(days=1)
    moved = client.patch(
        url,
        {"starts_at": ahead.isoformat(), "ends_at": (ahead + timedelta(hours=2)).isoformat(), "version": 1},
    )
    assert (
        moved.status_code == 200 and moved.data["version"] == 2 and moved.data["display_status"] == "planned"
    )
    assert Notification.objects.filter(user=world.member_user, kind="meeting.rescheduled").exists()
    stale = client.patch(url, {"starts_at": (ahead + timedelta(days=1)).isoformat(), "version": 1})
    assert stale.status_code == 409

    held = past_meeting(world)
    record_attendance(held, [{"member": world.member.pk, "status": "absent"}], acting_user=world.secretary)
    refused = client.post(f"/api/v1/meetings/{held.pk}/cancel/", {"reason": "没开"})
    assert refused.status_code == 400 and "has been held" in str(refused.data)
    assert Meeting.objects.get(pk=held.pk).status == "planned"
    closed = close(world, past_meeting(world))
    refused = client.post(f"/api/v1/meetings/{closed.pk}/cancel/", {"reason": "x"})
    assert refused.status_code == 400 and Meeting.objects.get(pk=closed.pk).status == "closed"
