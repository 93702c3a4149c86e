"""The API tells of clashes as the web form does: saved (201/200), with a warning naming each
overlapping meeting the caller may see; a meeting outside their reach is never named."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

from .test_corrections import FMT, client_for, future_meeting

MEETINGS = "/api/v1/meetings/"


def _payload(world: World, start: datetime, topic: str = "支委会") -> dict[str, Any]:
    return {
        "organization": world.branch.code,
        "kind": "branch_committee",
        "topic": topic,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }


def _foreign_meeting_of_member(world: World, start: datetime) -> Meeting:
    """A meeting of another county's branch at `start` that also expects our branch's member:
    the branch secretary may not see it."""
    data = {
        "kind": "branch_assembly",
        "topic": "外县内部议题",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    other = schedule_meeting(world.branch_b, data, acting_user=world.outsider)
    Attendance.objects.create(meeting=other, member=world.member)
    return other


def test_api_create_that_clashes_is_saved_with_a_warning_naming_the_other(world: World, api: Any) -> None:
    first = future_meeting(world)
    client = api("secretary")
    response = client.post(MEETINGS, _payload(world, first.starts_at + timedelta(minutes=30)))
    assert response.status_code == 201 and Meeting.objects.count() == 2
    [warning] = response.data["warnings"]
    assert warning["code"] == "clash" and warning["meeting"] == first.pk
    assert "学习党章" in warning["message"] and world.branch.name in warning["message"]
    # No clash: an empty list, always present.
    calm = client.post(MEETINGS, _payload(world, first.starts_at + timedelta(days=2), "另一次"))
    assert calm.status_code == 201 and calm.data["warnings"] == []


def test_api_reschedule_onto_another_meeting_warns(world: World, api: Any) -> None:
    first = future_meeting(world)
    second = future_meeting(world, days=5, topic="第二次")
    response = api("secretary").patch(
        f"{MEETINGS}{second.pk}/",
        {
            "starts_at": first.starts_at.isoformat(),
            "ends_at": (first.starts_at + timedelta(hours=1)).isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 200 and response.data["version"] == 2
    assert [w["meeting"] for w in response.data["warnings"]] == [first.pk]
    # Detail reads are plain: warnings belong to the answer of a write.
    assert "warnings" not in api("secretary").get(f"{MEETINGS}{second.pk}/").data


def test_a_clash_outside_the_callers_reach_is_not_revealed(world: World, api: Any) -> None:
    start = (timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    hidden = _foreign_meeting_of_member(world, start)
    # The web form says nothing of it (an assembly expects every member, the shared one too).
    page = client_for(world.secretary).post(
        f"/orgs/{world.branch.pk}/meetings/add/",
        {
            "kind": "branch_assembly",
            "topic": "再开一次",
            "starts_at": timezone.localtime(start).strftime(FMT),
        },
        follow=True,
    )
    body = page.content.decode()
    assert "overlaps with" not in body and "外县内部议题" not in body
    # Nor does the API: only the branch's own meeting, just saved through the form, is named.
    own = Meeting.objects.get(topic="再开一次")
    assembly = _payload(world, start + timedelta(minutes=15)) | {"kind": "branch_assembly"}
    response = api("secretary").post(MEETINGS, assembly)
    assert response.status_code == 201 and [w["meeting"] for w in response.data["warnings"]] == [own.pk]
    assert "外县内部议题" not in str(response.data) and world.branch_b.name not in str(response.data)
    # Whoever can see both is warned: the province sees the other county's meeting
    seen = api("province_staff").post(
        MEETINGS, _payload(world, start, "省里看得见") | {"kind": "branch_assembly"}
    )
    assert hidden.pk in [w["meeting"] for w in seen.data["warnings"]]
