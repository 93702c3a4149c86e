"""The member's check-in and leave API: only expected attendees find the meeting."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

Api = Callable[[str], APIClient]


def running(world: World, **shift: float) -> Meeting:
    start = timezone.now() - timedelta(minutes=10) + timedelta(**shift)
    data = {
        "kind": "theme_day",
        "topic": "主题党日",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def row(world: World, meeting: Meeting) -> Attendance:
    return Attendance.objects.get(meeting=meeting, member=world.member)


def test_member_checks_in(api: Api, world: World) -> None:
    m = running(world)
    response = api("member_user").post(f"/api/v1/meetings/{m.pk}/check-in/", {"code": current_code(m.pk)})
    assert response.status_code == 200, response.data
    assert response.data["status"] == "present" and response.data["member"] == world.member.pk


def test_member_asks_for_leave(api: Api, world: World) -> None:
    m = running(world, days=1)
    response = api("member_user").post(f"/api/v1/meetings/{m.pk}/leave/", {"reason": "出差"})
    assert response.status_code == 200, response.data
    assert response.data["status"] == "leave" and row(world, m).reason == "出差"


def test_bad_input_is_refused(api: Api, world: World) -> None:
    m = running(world)
    client = api("member_user")
    wrong = client.post(f"/api/v1/meetings/{m.pk}/check-in/", {"code": "nope"})
    assert wrong.status_code == 400
    assert client.post(f"/api/v1/meetings/{m.pk}/check-in/", {"code": "x", "extra": 1}).status_code == 400
    assert client.post(f"/api/v1/meetings/{m.pk}/leave/", {"reason": ""}).status_code == 400
    assert row(world, m).status != "present"


def test_outsider_and_non_attendee_get_404(api: Api, world: World) -> None:
    m = running(world)
    for persona in ("outsider", "secretary"):
        client = api(persona)
        assert (
            client.post(f"/api/v1/meetings/{m.pk}/check-in/", {"code": current_code(m.pk)}).status_code == 404
        )
        assert client.post(f"/api/v1/meetings/{m.pk}/leave/", {"reason": "x"}).status_code == 404
