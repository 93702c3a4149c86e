"""Every API move on the workflow kernel takes the `version` it was read at: a stale one is
answered 409 and changes nothing, the current one is taken and the version moves on."""

from typing import Any

from dangjian.core.dates import add_years
from dangjian.evaluation.tests.helpers import graded, new_campaign
from dangjian.points.tests.helpers import YEAR as RULES_YEAR
from dangjian.points.tests.helpers import standard_rules
from dangjian.testing.world import World
from dangjian.transfers.services import record_decision
from dangjian.transfers.tests.helpers import closed_assembly, days_ago, probationary


def _stale_then_current(client: Any, url: str, read: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    stale = client.post(url, {**body, "version": read["version"] + 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale", (url, stale.json())
    done = client.post(url, {**body, "version": read["version"]})
    assert done.status_code == 200, (url, done.json())
    assert done.json()["version"] == read["version"] + 1
    return dict(done.json())


def test_point_entries(api: Any, world: World) -> None:
    rules = standard_rules(world.township)
    claim = {
        "member": world.member.pk,
        "rule": rules["volunteer"].pk,
        "quantity": 2,
        "occurred_on": f"{RULES_YEAR}-06-01",  # the rules' year
        "reason": "社区服务",
    }
    entry = api("member_user").post("/api/v1/points/entries/", claim).json()
    url = f"/api/v1/points/entries/{entry['id']}/approve/"
    assert _stale_then_current(api("secretary"), url, entry, {"note": "属实"})["entry_state"] == "approved"


def test_evaluation_campaigns(api: Any, world: World) -> None:
    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "qualified"})
    read = api("secretary").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/propose/").json()
    url = f"/api/v1/evaluation/campaigns/{campaign.pk}/approve/"
    assert (
        _stale_then_current(api("county_staff"), url, read, {"note": "同意"})["campaign_state"] == "approved"
    )


def test_probation_decisions(api: Any, world: World) -> None:
    member = probationary(world.branch, "赵六", add_years(days_ago(3), -1))
    meeting = closed_assembly(world.branch, days_ago(1))
    decision = record_decision(member, outcome="convert", meeting=meeting, acting_user=world.secretary)
    read = api("county_staff").get(f"/api/v1/probation-decisions/{decision.pk}").json()
    url = f"/api/v1/probation-decisions/{decision.pk}/approve"
    assert _stale_then_current(api("county_staff"), url, read, {"note": "同意"})["approval"] == "approved"


def test_transfers(api: Any, world: World) -> None:
    body = {"member": world.member.pk, "to_org": world.branch_b.code, "reason": "工作调动"}
    read = api("secretary").post("/api/v1/transfers", body).json()
    assert read["version"] == 0
    url = f"/api/v1/transfers/{read['id']}/accept"
    assert _stale_then_current(api("outsider"), url, read, {"note": "欢迎"})["state"] == "accepted"
