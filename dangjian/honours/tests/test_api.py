"""The honours API: the same rules as the pages (scope, moves per persona), a stale move 409."""

from typing import Any

from dangjian.testing.world import World

from .helpers import call_of, nominate

CALLS = "/api/v1/honour-calls/"
NOMINATIONS = "/api/v1/nominations/"


def test_honours_through_the_api(api: Any, world: World) -> None:
    call = call_of(world, opened=False)
    one = f"{CALLS}{call.pk}/"
    assert api("outsider").get(one).status_code == 404
    assert api("outsider").post(f"{one}open/", {}).status_code == 404
    assert api("secretary").get(one).status_code == 404  # the county's record, not the branch's
    stale = api("county_staff").post(f"{one}open/", {"version": 5})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    opened = api("county_staff").post(f"{one}open/", {"version": 0})
    assert opened.status_code == 200 and opened.data["state"] == "open", opened.data
    nomination = nominate(world, call)
    url = f"{NOMINATIONS}{nomination.pk}/"
    assert api("secretary").get(url).data["nominee_name"] == world.member2.name
    assert api("outsider").get(url).status_code == 404
    assert api("secretary").post(f"{url}recommend/", {}).status_code == 400  # not the level above
    assert api("county_staff").post(f"{url}approve/", {}).status_code == 400  # recommended first
    assert api("county_staff").post(f"{url}recommend/", {"version": 0}).status_code == 409
    recommended = api("county_staff").post(f"{url}recommend/", {"version": nomination.version})
    assert recommended.status_code == 200 and recommended.data["state"] == "recommended"
    assert api("county_staff").post(f"{url}reject/", {}).status_code == 400  # a reason is needed
    rejected = api("county_staff").post(f"{url}reject/", {"note": "事迹不够突出"})
    assert rejected.status_code == 200 and rejected.data["review_note"] == "事迹不够突出"
    listed = api("county_staff").get(f"{NOMINATIONS}?call={call.pk}").data["results"]
    assert [n["id"] for n in listed] == [nomination.pk]
    assert api("outsider").get(NOMINATIONS).data["results"] == []
    assert api("outsider").get(CALLS).data["results"] == []
