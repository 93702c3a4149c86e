"""The evaluation API: a whole round, refusals (non-member, oneself, twice, closed), anonymity of
every response, scope, strict input, query budgets."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from rest_framework.test import APIClient

from dangjian.accounts.roles import Role
from dangjian.evaluation.models import CampaignState, EvaluationCampaign, PeerRating
from dangjian.testing.api import english_client
from dangjian.testing.world import World, make_member, make_user

from .helpers import new_campaign, today

Api = Callable[[str], APIClient]


def as_user(user: Any) -> APIClient:
    client = english_client()
    client.default_format = "json"
    client.force_authenticate(user=user)
    return client


def test_a_round_through_the_api(api: Api, world: World) -> None:
    secretary = api("secretary")
    created = secretary.post(
        "/api/v1/evaluation/campaigns/",
        {
            "branch": world.branch.pk,
            "year": today().year,
            "opens_on": str(today()),
            "closes_on": str(today() + timedelta(days=7)),
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["campaign_state"] == "draft"
    assert secretary.post(f"/api/v1/evaluation/campaigns/{pk}/open/").json()["campaign_state"] == "open"
    member = api("member_user")
    mine = member.get("/api/v1/evaluation/mine/").json()
    assert (mine["campaign"], mine["is_open"], mine["taking_part"]) == (pk, True, True)
    assert mine["peers"] == [{"member": world.member2.pk, "name": "李娜", "rated": False}]
    saved = member.post("/api/v1/evaluation/self-assessment/", {"campaign": pk, "text": "自评内容"})
    assert saved.status_code == 200 and saved.json()["text"] == "自评内容"
    rated = member.post(
        "/api/v1/evaluation/ratings/", {"campaign": pk, "ratee": world.member2.pk, "grade": "excellent"}
    )
    assert rated.status_code == 201 and rated.content == b""
    assert member.get("/api/v1/evaluation/ratings/").json() == [
        {"campaign": pk, "ratee": world.member2.pk, "ratee_name": "李娜", "grade": "excellent", "comment": ""}
    ]
    assert (
        secretary.post(f"/api/v1/evaluation/campaigns/{pk}/close-rating/").json()["campaign_state"]
        == "rating_closed"
    )
    summary = secretary.get(f"/api/v1/evaluation/campaigns/{pk}/summary/").json()
    by_name = {r["name"]: r for r in summary}
    assert by_name["李娜"]["ratings"] == {
        "excellent": 1,
        "qualified": 0,
        "basically_qualified": 0,
        "unqualified": 0,
    }
    assert by_name["张伟"]["self_assessment"] == "自评内容" and by_name["张伟"]["rectification"] == ""
    grades = {
        "grades": [
            {"member": world.member.pk, "grade": "qualified"},
            {"member": world.member2.pk, "grade": "excellent"},
        ]
    }
    assert secretary.post(f"/api/v1/evaluation/campaigns/{pk}/grades/", grades).status_code == 200
    assert (
        secretary.post(f"/api/v1/evaluation/campaigns/{pk}/propose/").json()["campaign_state"] == "proposed"
    )
    refused = secretary.post(f"/api/v1/evaluation/campaigns/{pk}/approve/", {})
    assert refused.status_code == 400 and "one level up" in json.dumps(refused.json(), ensure_ascii=False)
    returned = api("county_staff").post(f"/api/v1/evaluation/campaigns/{pk}/return/", {"note": "请补充说明"})
    assert returned.json()["campaign_state"] == "returned"
    secretary.post(f"/api/v1/evaluation/campaigns/{pk}/propose/")
    approved = api("county_staff").post(f"/api/v1/evaluation/campaigns/{pk}/approve/", {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["campaign_state"] == "approved"
    assert member.get("/api/v1/evaluation/mine/").json()["grade"] == "qualified"
    status = api("county_staff").get(f"/api/v1/evaluation/status/?org=430102001&year={today().year}").json()
    assert status[0] == {
        "organization": "430102001001",
        "name": "第一党支部",
        "campaign_state": "approved",
        "unqualified_without_handling": 0,
    }
    assert status[1]["campaign_state"] is None


def test_refusals_change_nothing(api: Api, world: World) -> None:
    campaign = new_campaign(world.branch)
    url = "/api/v1/evaluation/ratings/"
    body = {"campaign": campaign.pk, "ratee": world.member2.pk, "grade": "qualified"}
    # Not a member of the branch: staff who can see the campaign get a clear 400; a member of
    # another branch cannot see it at all (404).
    county = api("county_staff").post(url, body)
    assert county.status_code == 400 and "Only members of this branch" in json.dumps(county.json())
    other = make_user("wang", Role.MEMBER, world.branch2, member=make_member(world.branch2, "王强"))
    assert as_user(other).post(url, body).status_code == 404
    member = api("member_user")
    assert member.post(url, {**body, "ratee": world.member.pk}).status_code == 400  # oneself
    assert member.post(url, {**body, "grade": "good"}).status_code == 400
    assert member.post(url, {**body, "rater": world.member2.pk}).json()["rater"] == ["Unknown field."]
    assert member.post(url, body).status_code == 201
    twice = member.post(url, {**body, "grade": "excellent"})
    assert twice.status_code == 400 and "already rated" in json.dumps(twice.json())
    assert "李娜" not in json.dumps(twice.json(), ensure_ascii=False)
    api("secretary").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/close-rating/")
    li_na = make_user("li_na", None, world.branch, member=world.member2)
    closed = as_user(li_na).post(url, {**body, "ratee": world.member.pk})
    assert closed.status_code == 400
    assert PeerRating.objects.count() == 1
    assert api("outsider").get(f"/api/v1/evaluation/campaigns/{campaign.pk}/").status_code == 404
    assert api("outsider").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/propose/").status_code == 404
    assert api("member_user").get(f"/api/v1/evaluation/campaigns/{campaign.pk}/summary/").status_code == 404
    assert EvaluationCampaign.objects.get().state == CampaignState.RATING_CLOSED


def test_no_response_says_who_rated(api: Api, world: World) -> None:
    campaign = new_campaign(world.branch)
    li_na = make_user("li_na", None, world.branch, member=world.member2)
    before = as_user(li_na).get("/api/v1/evaluation/mine/").json()
    api("member_user").post(
        "/api/v1/evaluation/ratings/",
        {"campaign": campaign.pk, "ratee": world.member2.pk, "grade": "unqualified", "comment": "差"},
    )
    assert as_user(li_na).get("/api/v1/evaluation/mine/").json() == before
    assert as_user(li_na).get("/api/v1/evaluation/ratings/").json() == []
    summary = api("secretary").get(f"/api/v1/evaluation/campaigns/{campaign.pk}/summary/").json()
    text = json.dumps(summary, ensure_ascii=False)
    assert "rater" not in text and "张伟" in text  # listed as a member evaluated, never as a rater
    li_row = next(r for r in summary if r["member"] == world.member2.pk)
    assert set(li_row) == {
        "member",
        "name",
        "ratings",
        "self_assessment",
        "grade",
        "note",
        "handling",
        "rectification",
    }


def test_handlings_api(api: Api, world: World) -> None:
    from .helpers import graded

    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    api("secretary").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/propose/")
    api("county_staff").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/approve/", {})
    secretary = api("secretary")
    created = secretary.post(
        "/api/v1/evaluation/handlings/",
        {
            "campaign": campaign.pk,
            "member": world.member2.pk,
            "measure": "persuade_to_leave",
            "note": "多次教育无效",
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["handling_state"] == "open"
    followed = secretary.post(f"/api/v1/evaluation/handlings/{pk}/follow-up/", {"text": "再次谈话"})
    assert followed.json()["follow_ups"] == [{"on": str(today()), "text": "再次谈话"}]
    closed = secretary.post(f"/api/v1/evaluation/handlings/{pk}/close/", {"outcome": "本人申请退党"})
    assert closed.json()["handling_state"] == "closed"
    assert secretary.post(f"/api/v1/evaluation/handlings/{pk}/close/", {"outcome": "再次"}).status_code == 400
    assert api("member_user").get(f"/api/v1/evaluation/handlings/{pk}/").status_code == 404
    assert api("outsider").get(f"/api/v1/evaluation/handlings/{pk}/").status_code == 404


def test_campaign_list_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    new_campaign(world.branch)
    client = api("county_staff")
    with django_assert_max_num_queries(4):
        rows = client.get("/api/v1/evaluation/campaigns/?org=430102").json()["results"]
    assert [r["branch_name"] for r in rows] == ["第一党支部"]


def test_summary_counts_wait_until_rating_is_closed(api: Api, world: World) -> None:
    campaign = new_campaign(world.branch)
    api("member_user").post(
        "/api/v1/evaluation/ratings/",
        {"campaign": campaign.pk, "ratee": world.member2.pk, "grade": "excellent"},
    )
    url = f"/api/v1/evaluation/campaigns/{campaign.pk}/summary/"
    assert all(r["ratings"] is None for r in api("secretary").get(url).json())
    api("secretary").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/close-rating/")
    rows = {r["member"]: r for r in api("secretary").get(url).json()}
    assert rows[world.member2.pk]["ratings"]["excellent"] == 1


def test_handling_api_confirms_no_member_outside_the_campaign(api: Api, world: World) -> None:
    from .helpers import graded

    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    api("secretary").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/propose/")
    api("county_staff").post(f"/api/v1/evaluation/campaigns/{campaign.pk}/approve/", {})
    answers = [
        api("secretary")
        .post(
            "/api/v1/evaluation/handlings/",
            {"campaign": campaign.pk, "member": member_id, "measure": "remove"},
        )
        .json()
        for member_id in (world.member_b.pk, 999999, world.member.pk)  # elsewhere, no one, qualified
    ]
    assert answers[0] == answers[1] == answers[2]
    assert "Only a member graded unqualified" in json.dumps(answers[0])
