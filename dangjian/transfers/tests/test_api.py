"""The API: the same services behind JSON, strict input, both sides' visibility, 404 outside."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.core.dates import add_years
from dangjian.members.models import Member
from dangjian.testing.world import World, make_member
from dangjian.transfers import services

from .helpers import closed_assembly, days_ago, probationary

Api = Callable[[str], APIClient]


def test_transfer_started_seen_and_accepted_across_counties(world: World, api: Api) -> None:
    r = api("secretary").post(
        "/api/v1/transfers", {"member": world.member.pk, "to_org": world.branch_b.code, "reason": "工作调动"}
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (
        body["state"] == "sent"
        and body["to_org"] == world.branch_b.code
        and body["from_org"] == world.branch.code
    )
    pk = body["id"]
    incoming = api("outsider").get(f"/api/v1/transfers/?org={world.county_b.code}&direction=in").json()
    assert [t["id"] for t in incoming["results"]] == [pk]
    assert (
        api("outsider").get(f"/api/v1/transfers/?org={world.county_b.code}&direction=out").json()["results"]
        == []
    )
    r = api("secretary").post(f"/api/v1/transfers/{pk}/accept", {})
    assert r.status_code == 400 and "receiving branch" in str(r.json())
    r = api("outsider").post(f"/api/v1/transfers/{pk}/accept", {"note": "欢迎"})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert Member.objects.get(pk=world.member.pk).organization_id == world.branch_b.pk
    r = api("outsider").post(f"/api/v1/transfers/{pk}/accept", {})
    assert r.status_code == 400 and "already accepted" in str(r.json())


def test_transfer_input_is_strict_and_refusals_name_the_field(world: World, api: Api) -> None:
    client = api("secretary")
    r = client.post(
        "/api/v1/transfers", {"member": world.member.pk, "to_org": world.township.code, "reason": "x"}
    )
    assert r.status_code == 400 and "to_org" in r.json()
    r = client.post("/api/v1/transfers", {"member": world.member.pk, "to_org": "999", "reason": "x"})
    assert r.status_code == 400 and "to_org" in r.json()
    r = client.post("/api/v1/transfers", {"member": world.member.pk, "reason": "x", "state": "accepted"})
    assert r.status_code == 400 and "state" in r.json()
    r = client.post(
        "/api/v1/transfers", {"member": world.member_b.pk, "to_org": world.branch2.code, "reason": "x"}
    )
    assert r.status_code == 400 and "member" in r.json()  # outside the reach: reads as nonexistent


def test_member_requests_through_the_api(world: World, api: Api) -> None:
    r = api("member_user").post("/api/v1/transfers/request", {"to_org": world.branch2.code, "reason": "搬家"})
    assert r.status_code == 201 and r.json()["state"] == "requested"
    pk = r.json()["id"]
    r = api("secretary").post(f"/api/v1/transfers/{pk}/approve", {"letter_no": "7"})
    assert r.status_code == 200 and r.json()["letter_no"] == "7"
    assert api("outsider").get(f"/api/v1/transfers/{pk}").status_code == 404


def test_floating_both_sides_and_masked_contact(world: World, api: Api) -> None:
    r = api("secretary").post(
        "/api/v1/floating",
        {
            "member": world.member.pk,
            "left_on": str(days_ago(10)),
            "destination": "长沙市天心区",
            "reason": "务工",
            "contact": "13912345678",
            "managing_org": world.branch_b.code,
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["contact"] == "139****5678" and r.json()["state"] == "open"
    pk = r.json()["id"]
    assert api("outsider").get(f"/api/v1/floating/{pk}").json()["managing_org_name"] == "坡子街党支部"
    assert (
        api("outsider").post(f"/api/v1/floating/{pk}/return", {"returned_on": str(days_ago(1))}).status_code
        == 400
    )
    r = api("secretary").patch(f"/api/v1/floating/{pk}", {"destination": "长沙市岳麓区"})
    assert r.status_code == 200 and r.json()["destination"] == "长沙市岳麓区"
    r = api("secretary").post(f"/api/v1/floating/{pk}/return", {"returned_on": str(days_ago(1))})
    assert r.status_code == 200 and r.json()["state"] == "returned"


def test_lost_contact_case_through_the_api(world: World, api: Api) -> None:
    client = api("secretary")
    r = client.post("/api/v1/lost-contact", {"member": world.member.pk, "lost_on": str(days_ago(30))})
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    r = client.post(
        f"/api/v1/lost-contact/{pk}/log",
        {"tried_on": str(days_ago(2)), "method": "phone", "detail": "拨打手机", "result": "空号"},
    )
    assert r.status_code == 201 and r.json()["entries"][0]["result"] == "空号"
    r = client.post(f"/api/v1/lost-contact/{pk}/close", {"outcome": "left_party"})
    assert r.status_code == 400 and "outcome" in r.json()
    r = client.post(f"/api/v1/lost-contact/{pk}/close", {"outcome": "found"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert api("outsider").get(f"/api/v1/lost-contact/{pk}").status_code == 404


def test_probation_decision_and_due_list(world: World, api: Api) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(3), -1))
    due = api("county_staff").get(f"/api/v1/probation-decisions/due?org={world.county.code}&within=30").json()
    assert [(d["member_name"], d["days_left"]) for d in due] == [("王五", -3)]
    assert api("outsider").get(f"/api/v1/probation-decisions/due?org={world.county.code}").status_code == 404
    planned = closed_assembly(world.branch, days_ago(1), close=False)
    r = api("secretary").post(
        "/api/v1/probation-decisions", {"member": member.pk, "outcome": "convert", "meeting": planned.pk}
    )
    assert r.status_code == 400 and "meeting" in r.json()
    held = closed_assembly(world.branch, days_ago(1))
    r = api("secretary").post(
        "/api/v1/probation-decisions", {"member": member.pk, "outcome": "convert", "meeting": held.pk}
    )
    assert r.status_code == 201 and r.json()["decided_on"] == str(days_ago(1))
    assert r.json()["approval"] == "decided" and Member.objects.get(pk=member.pk).category == "probationary"
    pk = r.json()["id"]
    due = api("county_staff").get(f"/api/v1/probation-decisions/due?org={world.county.code}").json()
    assert due[0]["awaiting_approval"] is True
    refused = api("secretary").post(f"/api/v1/probation-decisions/{pk}/approve", {})
    assert refused.status_code == 400 and "committee above" in str(refused.json())
    assert api("outsider").post(f"/api/v1/probation-decisions/{pk}/approve", {}).status_code == 404
    r = api("county_staff").post(f"/api/v1/probation-decisions/{pk}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["approval"] == "approved" and r.json()["review_note"] == "同意"
    assert Member.objects.get(pk=member.pk).category == "full"


def test_list_query_budget_does_not_grow_with_rows(
    world: World, api: Api, django_assert_max_num_queries: Any
) -> None:
    client = api("county_staff")
    services.start_transfer(world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/transfers").json()["results"]) == 1
    for i in range(5):
        person = make_member(world.branch, f"成员{i}")
        services.start_transfer(person, destination=f"外省{i}", reason="调动", acting_user=world.secretary)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/transfers").json()["results"]) == 6
