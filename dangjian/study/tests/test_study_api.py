"""The study-plans API: create, add items, link meetings, progress and scope."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.scoping import SYSTEM
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.study.models import StudyPlan
from dangjian.testing.world import World

Api = Callable[[str], APIClient]
PLANS = "/api/v1/study-plans/"


def test_create_add_item_link_and_progress(api: Api, world: World) -> None:
    year = timezone.now().year
    client = api("secretary")
    response = client.post(PLANS, {"organization": world.branch.code, "year": year, "title": "年度学习计划"})
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["items"] == []

    added = client.post(f"{PLANS}{pk}/items/", {"month": 3, "theme": "学习党章", "readings": "党章"})
    assert added.status_code == 201, added.data
    item = added.data["items"][0]
    assert item["theme"] == "学习党章" and item["done"] is False

    start = timezone.now() - timedelta(hours=3)
    meeting = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "学习会",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
        },
        acting_user=SYSTEM,
    )
    linked = client.post(f"{PLANS}{pk}/link/", {"item": item["id"], "meeting": meeting.pk})
    assert linked.status_code == 200, linked.data
    entries = [{"member": a.member_id, "status": "present"} for a in meeting.attendances.all()]
    record_attendance(meeting, entries, acting_user=SYSTEM)
    close_meeting(meeting, acting_user=SYSTEM)
    assert client.get(f"{PLANS}{pk}/").data["items"][0]["done"] is True

    listed = api("county_staff").get(PLANS, {"org": world.branch.code, "year": year}).data["results"]
    assert [p["id"] for p in listed] == [pk]
    assert api("county_staff").get(PLANS, {"year": year + 1}).data["results"] == []


def test_bad_input_is_refused(api: Api, world: World) -> None:
    client = api("secretary")
    bad = client.post(PLANS, {"organization": world.branch.code, "year": 1990, "title": "x"})
    assert bad.status_code == 400 and "year" in bad.data
    assert (
        client.post(
            PLANS, {"organization": world.branch.code, "year": 2025, "title": "x", "x": 1}
        ).status_code
        == 400
    )
    plan = client.post(PLANS, {"organization": world.branch.code, "year": 2025, "title": "计划"}).data
    assert client.post(f"{PLANS}{plan['id']}/items/", {"month": 13, "theme": "x"}).status_code == 400
    assert client.post(f"{PLANS}{plan['id']}/link/", {"item": 999999, "meeting": 1}).status_code == 400
    assert StudyPlan.objects.count() == 1


def test_outsider_gets_404(api: Api, world: World) -> None:
    plan = (
        api("secretary").post(PLANS, {"organization": world.branch.code, "year": 2025, "title": "计划"}).data
    )
    outsider = api("outsider")
    assert outsider.get(f"{PLANS}{plan['id']}/").status_code == 404
    assert outsider.post(f"{PLANS}{plan['id']}/items/", {"month": 3, "theme": "x"}).status_code == 404
    assert outsider.post(f"{PLANS}{plan['id']}/link/", {"item": 1, "meeting": 1}).status_code == 404
    assert outsider.get(PLANS).data["results"] == []
    assert (
        outsider.post(PLANS, {"organization": world.branch.code, "year": 2026, "title": "x"}).status_code
        == 400
    )
