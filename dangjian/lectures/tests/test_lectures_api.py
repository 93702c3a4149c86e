"""The lecturers and dispatches API: create, confirm, cancel and scope."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.lectures.models import LectureDispatch
from dangjian.testing.world import World

Api = Callable[[str], APIClient]
LECTURERS = "/api/v1/lecturers/"
DISPATCHES = "/api/v1/dispatches/"


def _lecturer(api: Api, world: World) -> int:
    data = {"organization": world.county.code, "name": "王教授", "kind": "expert", "is_reporter": True}
    response = api("county_staff").post(LECTURERS, data)
    assert response.status_code == 201, response.data
    return int(response.data["id"])


def test_lecturer_and_dispatch_lifecycle(api: Api, world: World) -> None:
    lecturer = _lecturer(api, world)
    staff = api("county_staff")
    assert [r["id"] for r in staff.get(LECTURERS).data["results"]] == [lecturer]
    assert staff.get(f"{LECTURERS}{lecturer}/").data["is_reporter"] is True

    date = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {"lecturer": lecturer, "branch": world.branch.code, "date": date, "topic": "党性教育"}
    created = staff.post(DISPATCHES, data)
    assert created.status_code == 201, created.data
    assert created.data["status"] == "proposed" and created.data["meeting"] is None

    confirmed = api("secretary").post(f"{DISPATCHES}{created.data['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.data
    assert confirmed.data["status"] == "held" and confirmed.data["meeting"]
    again = staff.post(f"{DISPATCHES}{created.data['id']}/cancel/")
    assert again.status_code == 400

    other = staff.post(DISPATCHES, data | {"topic": "另一讲"}).data
    cancelled = staff.post(f"{DISPATCHES}{other['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    assert len(api("secretary").get(DISPATCHES).data["results"]) == 2


def test_bad_input_is_refused(api: Api, world: World) -> None:
    staff = api("county_staff")
    bad = staff.post(LECTURERS, {"organization": world.branch.code, "name": "x", "kind": "expert"})
    assert bad.status_code == 400 and "organization" in bad.data  # pools are kept by committees
    assert (
        staff.post(LECTURERS, {"organization": world.county.code, "name": "x", "kind": "?"}).status_code
        == 400
    )
    lecturer = _lecturer(api, world)
    data = {"lecturer": lecturer, "branch": world.county.code, "date": "2025-01-01", "topic": "x"}
    refused = staff.post(DISPATCHES, data)
    assert refused.status_code == 400 and "branch" in refused.data
    assert not LectureDispatch.objects.exists()


def test_outsider_gets_404(api: Api, world: World) -> None:
    lecturer = _lecturer(api, world)
    date = timezone.localdate().isoformat()
    dispatch = (
        api("county_staff")
        .post(DISPATCHES, {"lecturer": lecturer, "branch": world.branch.code, "date": date, "topic": "x"})
        .data
    )
    outsider = api("outsider")
    assert outsider.get(f"{LECTURERS}{lecturer}/").status_code == 404
    assert outsider.get(f"{DISPATCHES}{dispatch['id']}/").status_code == 404
    assert outsider.post(f"{DISPATCHES}{dispatch['id']}/confirm/").status_code == 404
    assert outsider.post(f"{DISPATCHES}{dispatch['id']}/cancel/").status_code == 404
    assert outsider.get(LECTURERS).data["results"] == [] and outsider.get(DISPATCHES).data["results"] == []
    refused = outsider.post(
        DISPATCHES, {"lecturer": lecturer, "branch": world.branch_b.code, "date": date, "topic": "x"}
    )
    assert refused.status_code == 400 and "lecturer" in refused.data
