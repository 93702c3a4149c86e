"""The meetings API: scheduling, attendance, closing, conflicts and scope."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

Api = Callable[[str], APIClient]
MEETINGS = "/api/v1/meetings/"


def past_meeting(world: World, org: object = None) -> Meeting:
    start = timezone.now() - timedelta(days=1)
    data = {
        "kind": "branch_assembly",
        "topic": "学习党章",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return schedule_meeting(org or world.branch, data, acting_user=SYSTEM)  # type: ignore[arg-type]


def test_create_list_filter_and_retrieve(api: Api, world: World) -> None:
    start = timezone.now() + timedelta(days=2)
    data = {
        "organization": world.branch.code,
        "kind": "branch_assembly",
        "topic": "主题党日",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    bad = api("secretary").post(MEETINGS, data | {"ends_at": start.isoformat()})
    assert bad.status_code == 400 and "ends_at" in bad.data
    assert api("secretary").post(MEETINGS, data | {"colour": "red"}).status_code == 400
    assert api("outsider").post(MEETINGS, data).status_code == 400  # the branch is "no such organization"
    assert not Meeting.objects.exists()

    response = api("secretary").post(MEETINGS, data)
    assert response.status_code == 201, response.data
    assert response.data["organization"] == world.branch.code and response.data["version"] == 1
    rows = response.data["attendances"]
    assert {r["member"] for r in rows} == {world.member.pk, world.member2.pk}
    assert set(rows[0]) == {"id", "member", "member_name", "guest_name", "status", "reason"}
    body = response.content.decode()
    assert world.member.id_number not in body and world.member.phone not in body

    other = past_meeting(world, world.branch_b)
    ids = [m["id"] for m in api("county_staff").get(MEETINGS).data["results"]]
    assert ids == [response.data["id"]]
    province = api("province_staff")
    assert {m["id"] for m in province.get(MEETINGS).data["results"]} == {response.data["id"], other.pk}
    assert [m["id"] for m in province.get(MEETINGS, {"org": world.county_b.code}).data["results"]] == [
        other.pk
    ]
    assert province.get(MEETINGS, {"status": "closed"}).data["results"] == []
    assert len(province.get(MEETINGS, {"kind": "branch_assembly"}).data["results"]) == 2
    assert province.get(MEETINGS, {"kind": "party_lecture"}).data["results"] == []

    detail = api("member_user").get(f"{MEETINGS}{response.data['id']}/")
    assert detail.status_code == 200 and len(detail.data["attendances"]) == 2
    assert api("outsider").get(f"{MEETINGS}{response.data['id']}/").status_code == 404


def test_attendance_close_and_locked(api: Api, world: World) -> None:
    meeting = past_meeting(world)
    url = f"{MEETINGS}{meeting.pk}/"
    client = api("secretary")

    leave = client.post(f"{url}attendance/", {"entries": [{"member": world.member.pk, "status": "leave"}]})
    assert leave.status_code == 400 and "Give the reason for the leave" in str(leave.data)
    unknown = client.post(
        f"{url}attendance/", {"entries": [{"member": world.member_b.pk, "status": "present"}]}
    )
    assert unknown.status_code == 400 and "is not expected" in str(unknown.data)
    bad_status = client.post(
        f"{url}attendance/", {"entries": [{"member": world.member.pk, "status": "late"}]}
    )
    assert bad_status.status_code == 400
    assert not meeting.attendances.exclude(status="expected").exists()

    ok = client.post(
        f"{url}attendance/",
        {"entries": [{"member": world.member.pk, "status": "present", "reason": ""}], "version": 1},
    )
    assert ok.status_code == 200, ok.data
    assert ok.data["version"] == 2
    assert {r["member"]: r["status"] for r in ok.data["attendances"]} == {
        world.member.pk: "present",
        world.member2.pk: "expected",
    }
    assert AuditEntry.objects.filter(
        action="meeting.attendance", object_id=str(meeting.pk), success=True
    ).exists()

    refused = client.post(f"{url}close/")
    assert refused.status_code == 400 and "Record the attendance of everyone expected" in str(refused.data)
    client.post(
        f"{url}attendance/", {"entries": [{"member": world.member2.pk, "status": "leave", "reason": "病假"}]}
    )
    closed = client.post(f"{url}close/", {"version": 3})
    assert closed.status_code == 200, closed.data
    assert closed.data["status"] == "closed" and closed.data["closed_at"]

    locked = client.patch(url, {"topic": "改名"})
    assert locked.status_code == 400
    assert "This meeting is closed; its record can no longer be changed." in str(locked.data)
    assert Meeting.objects.get(pk=meeting.pk).topic == "学习党章"


def test_update_stale_version_and_cancel(api: Api, world: World) -> None:
    meeting = past_meeting(world)
    url = f"{MEETINGS}{meeting.pk}/"
    client = api("secretary")
    response = client.patch(url, {"topic": "新主题", "minutes": "记录", "version": 1})
    assert (
        response.status_code == 200 and response.data["topic"] == "新主题" and response.data["version"] == 2
    )
    assert client.patch(url, {"organization": world.branch2.code}).status_code == 400

    stale = client.patch(url, {"topic": "又改", "version": 1})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    stale = client.post(
        f"{url}attendance/", {"entries": [{"member": world.member.pk, "status": "absent"}], "version": 1}
    )
    assert stale.status_code == 409
    assert client.post(f"{url}close/", {"version": 1}).status_code == 409

    assert api("member_user").post(f"{url}cancel/", {"reason": "x"}).status_code == 404  # view only
    assert client.post(f"{url}cancel/").status_code == 400  # the reason is required
    assert client.post(f"{url}cancel/", {"reason": "改期", "version": 1}).status_code == 409
    cancelled = client.post(f"{url}cancel/", {"reason": "书记出差", "version": 2})
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    assert cancelled.data["cancel_reason"] == "书记出差" and cancelled.data["display_status"] == "cancelled"


def test_outsider_gets_404_on_every_write(api: Api, world: World) -> None:
    meeting = past_meeting(world)
    url = f"{MEETINGS}{meeting.pk}/"
    outsider = api("outsider")
    assert outsider.get(url).status_code == 404
    assert outsider.patch(url, {"topic": "x"}).status_code == 404
    assert (
        outsider.post(
            f"{url}attendance/", {"entries": [{"member": world.member.pk, "status": "present"}]}
        ).status_code
        == 404
    )
    assert outsider.post(f"{url}close/").status_code == 404
    assert outsider.post(f"{url}cancel/").status_code == 404
    assert outsider.get(MEETINGS, {"org": world.branch.code}).data["results"] == []
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.version == 1
