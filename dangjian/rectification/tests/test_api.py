"""The problems API: the same rules as the pages (scope, moves per persona), a stale move 409."""

from typing import Any

from django.utils import timezone

from dangjian.testing.world import World

URL = "/api/v1/problems/"
YEAR = timezone.localdate().year


def test_problems_through_the_api(api: Any, world: World) -> None:
    data = {
        "organization": world.branch.code,
        "year": YEAR,
        "description": "党员教育管理不严",
        "measure": "建立党员积分台账",
        "owner": "支部书记",
        "deadline": f"{YEAR}-12-31",
    }
    assert api("member_user").post(URL, data).status_code == 400  # no change on the branch: no such org
    created = api("secretary").post(URL, data)
    assert created.status_code == 201 and created.data["state"] == "open", created.data
    one = f"{URL}{created.data['id']}/"
    assert api("outsider").get(one).status_code == 404
    assert api("outsider").post(f"{one}submit/", {}).status_code == 404
    assert api("county_staff").post(f"{one}submit/", {}).status_code == 400  # above: does not rectify
    stale = api("secretary").post(f"{one}submit/", {"version": 5})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    submitted = api("secretary").post(f"{one}submit/", {"version": 0})
    assert submitted.status_code == 200 and submitted.data["state"] == "submitted"
    assert api("secretary").post(f"{one}accept/", {}).status_code == 400  # not its own acceptor
    assert api("county_staff").post(f"{one}return/", {}).status_code == 400  # a reason is needed
    returned = api("county_staff").post(f"{one}return/", {"note": "缺少台账照片", "version": 1})
    assert returned.status_code == 200 and returned.data["review_note"] == "缺少台账照片"
    carried = api("county_staff").post(f"{one}carry-over/", {"note": "跨年度", "version": 2})
    assert carried.status_code == 200 and carried.data["carry_reason"] == "跨年度"
    listed = api("county_staff").get(f"{URL}?org={world.township.code}&year={YEAR}").data["results"]
    assert [p["id"] for p in listed] == [created.data["id"]]
    assert api("outsider").get(URL).data["results"] == []
    assert api("secretary").post(URL, data | {"surprise": 1}).status_code == 400  # unknown keys refused
