"""A term change through the API: the same rules as the pages (404 outside, 409 when stale)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.elections.models import TermChange
from dangjian.organizations.models import Organization
from dangjian.testing.world import World


def test_a_term_change_from_request_to_confirmation(api: Any, world: World) -> None:
    body = {
        "organization": world.branch.code,
        "planned_on": (timezone.localdate() + timedelta(days=15)).isoformat(),
        "seats": 3,
        "plan": "候选人预备人选：张伟、李娜",
    }
    assert api("outsider").post("/api/v1/term-changes/", body).status_code == 400  # not in reach
    assert api("secretary").post("/api/v1/term-changes/", body | {"seats": 0}).status_code == 400
    made = api("secretary").post("/api/v1/term-changes/", body)
    assert made.status_code == 201 and made.data["state"] == "requested"
    one = f"/api/v1/term-changes/{made.data['id']}/"
    assert api("outsider").post(f"{one}approve/", {"note": "x" * 500}).status_code == 404
    assert api("secretary").post(f"{one}approve/", {}).status_code == 400  # not one level up
    assert api("county_staff").post(f"{one}approve/", {"version": 9}).status_code == 409
    edited = api("secretary").post(f"{one}edit/", {"seats": 2, "version": made.data["version"]})
    assert edited.status_code == 200 and edited.data["seats"] == 2
    approved = api("county_staff").post(f"{one}approve/", {"version": edited.data["version"]})
    assert approved.status_code == 200 and approved.data["state"] == "approved"
    today = timezone.localdate().isoformat()
    results = {
        "held_on": today,
        "elected": [
            {"member": world.member.pk, "post": "secretary", "votes": 20},
            {"member": world.member2.pk, "post": "committee_member"},
        ],
    }
    assert api("secretary").post(f"{one}results/", results | {"elected": []}).status_code == 400
    saved = api("secretary").post(f"{one}results/", results)
    assert saved.status_code == 200 and len(saved.data["elected"]) == 2
    assert api("secretary").post(f"{one}report/", {}).status_code == 200
    confirmed = api("county_staff").post(f"{one}confirm/", {})
    assert confirmed.status_code == 200 and confirmed.data["term_start"] == today
    assert Organization.objects.get(pk=world.branch.pk).term_start.isoformat() == today  # type: ignore[union-attr]
    listed = api("county_staff").get("/api/v1/term-changes/", {"org": world.township.code})
    assert [r["id"] for r in listed.data["results"]] == [made.data["id"]]
    assert api("outsider").get(one).status_code == 404
    assert TermChange.objects.get().state == "confirmed"
