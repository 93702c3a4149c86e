"""The campaigns API: the same rules as the pages — scope, moves per persona, a stale move 409."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import Assignment
from dangjian.testing.world import World


def test_reports_through_the_api(api: Any, world: World) -> None:
    campaign = services.create_campaign(
        world.county,
        {
            "kind": "task",
            "title": "报送进展",
            "instructions": "请报送",
            "deadline": timezone.localdate() + timedelta(days=5),
            "target_kinds": ["branch"],
            "fields": [{"label": "户数", "type": "number", "required": True}],
        },
        acting_user=world.county_staff,
    )
    services.launch(campaign, acting_user=world.county_staff)
    mine = Assignment.objects.get(organization=world.branch)
    one = f"/api/v1/campaign-reports/{mine.pk}/"
    assert api("outsider").get(one).status_code == 404
    assert api("outsider").get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    assert api("secretary").get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404  # the sender's
    assert api("county_staff").get(f"/api/v1/campaigns/{campaign.pk}/").data["assigned"] == 2
    assert api("secretary").post(f"{one}submit/", {}).status_code == 400  # the required answer
    assert api("secretary").post(f"{one}answers/", {"answers": {"f1": "abc"}}).status_code == 400
    saved = api("secretary").post(f"{one}answers/", {"answers": {"f1": "7"}, "version": 0})
    assert saved.status_code == 200 and saved.data["answers"] == {"f1": "7"}
    stale = api("secretary").post(f"{one}submit/", {"version": 0})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    assert api("county_staff").post(f"{one}submit/", {}).status_code == 400  # not the branch's officer
    assert api("secretary").post(f"{one}submit/", {"version": 1}).data["state"] == "submitted"
    assert api("secretary").post(f"{one}accept/", {}).status_code == 400
    assert api("county_staff").post(f"{one}return/", {}).status_code == 400  # a reason is needed
    returned = api("county_staff").post(f"{one}return/", {"note": "补充照片", "version": 2})
    assert returned.status_code == 200 and returned.data["state"] == "returned"
    assert api("outsider").post(f"{one}accept/", {}).status_code == 404
    assert api("outsider").get("/api/v1/campaign-reports/").data["results"] == []


def test_a_campaign_drafted_launched_and_cancelled_through_the_api(api: Any, world: World) -> None:
    body = {
        "organization": world.county.code,
        "kind": "campaign",
        "title": "村霸专项整治",
        "instructions": "请排查报送",
        "deadline": (timezone.localdate() + timedelta(days=9)).isoformat(),
        "target_kinds": ["branch"],
        "form": [{"label": "线索数", "type": "number", "required": True}],
    }
    assert api("secretary").post("/api/v1/campaigns/", body).status_code == 400  # no change on the county
    assert api("county_staff").post("/api/v1/campaigns/", body | {"target_kinds": ["x"]}).status_code == 400
    made = api("county_staff").post("/api/v1/campaigns/", body)
    assert made.status_code == 201 and made.data["state"] == "draft" and made.data["assigned"] == 0
    assert made.data["form"] == [{"key": "f1", "label": "线索数", "type": "number", "required": True}]
    one = f"/api/v1/campaigns/{made.data['id']}/"
    assert api("outsider").post(f"{one}launch/", {}).status_code == 404
    stale = api("county_staff").post(f"{one}launch/", {"version": 3})
    assert stale.status_code == 409 and Assignment.objects.count() == 0
    launched = api("county_staff").post(f"{one}launch/", {"version": 0})
    assert launched.status_code == 200 and launched.data["assigned"] == 2
    assert api("county_staff").post(f"{one}cancel/", {}).status_code == 400  # a reason is needed
    cancelled = api("county_staff").post(f"{one}cancel/", {"note": "重复部署"})
    assert cancelled.status_code == 200 and cancelled.data["state"] == "cancelled"
