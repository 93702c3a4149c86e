"""The pages and the API of the weak-organization lists: the county's screening page, a listing
with its plan, progress and evidence, the organization page's link; outsiders 404, a stale move
refused (409 in the API)."""

from typing import Any

from django.test import Client
from django.utils import timezone

from dangjian.orglife.tests.helpers import EXE, jpeg_bytes, upload
from dangjian.testing.world import World
from dangjian.weakorgs.models import Listing, ListingState

from .helpers import PLAN, YEAR, candidate, listed

URL = "/api/v1/weak-listings/"


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_the_county_screens_confirms_removes_and_adds_on_its_page(world: World) -> None:
    county = _client(world, "county_staff")
    page = f"/orgs/{world.county.pk}/weak/?year={YEAR}"
    assert county.post(f"/orgs/{world.county.pk}/weak/screen/", {"year": YEAR}).status_code == 302
    body = county.get(page).content.decode()
    assert "书记空缺" in body and "run-screening" in body
    first = Listing.objects.get(organization=world.branch)
    second = Listing.objects.get(organization=world.branch2)
    county.post(f"/weak/{second.pk}/remove/", {"version": "0", "note": ""})  # a reason is needed
    assert Listing.objects.get(pk=second.pk).state == ListingState.CANDIDATE
    assert (
        county.post(f"/weak/{second.pk}/remove/", {"version": "0", "note": "已整改到位"}).status_code == 302
    )
    stale = county.post(f"/weak/{first.pk}/confirm/", {"version": "4"}, follow=True)
    assert "刷新页面" in stale.content.decode()
    assert county.post(f"/weak/{first.pk}/confirm/", {"version": "0", "next": page}).status_code == 302
    assert Listing.objects.get(pk=first.pk).state == ListingState.LISTED
    Listing.objects.filter(pk=second.pk).delete()
    added = county.post(page, {"code": world.branch2.code, "reason": "群众反映强烈"})
    assert added.status_code == 302 and Listing.objects.get(organization=world.branch2).origin == "by_hand"
    secretary = _client(world, "secretary")
    assert "run-screening" not in secretary.get(f"/orgs/{world.branch.pk}/weak/").content.decode()
    assert secretary.post(f"/orgs/{world.county.pk}/weak/screen/", {"year": YEAR}).status_code == 404
    outsider = _client(world, "outsider")
    assert outsider.get(page).status_code == 404
    assert outsider.get(f"/weak/{first.pk}/").status_code == 404
    assert outsider.post(f"/weak/{first.pk}/carry-over/", {"note": "x"}).status_code == 404
    detail = secretary.get(f"/orgs/{world.branch.pk}/").content.decode()
    assert f"/orgs/{world.branch.pk}/weak/" in detail


def test_a_candidate_is_not_shown_to_the_organization(world: World) -> None:
    row = candidate(world)
    secretary = _client(world, "secretary")
    assert secretary.get(f"/weak/{row.pk}/").status_code == 404
    assert f"/weak/{row.pk}/" not in secretary.get(f"/orgs/{world.branch.pk}/weak/").content.decode()
    assert _client(world, "county_staff").get(f"/weak/{row.pk}/").status_code == 200


def test_the_branch_plans_records_progress_with_evidence_and_submits(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    row = listed(world)
    secretary = _client(world, "secretary")
    page = secretary.get(f"/weak/{row.pk}/").content.decode()
    assert "plan-form" in page and "办理记录" in page
    form = {f"plan-{k}": v for k, v in PLAN.items()} | {"version": "1"}
    assert secretary.post(f"/weak/{row.pk}/", form).status_code == 302
    assert Listing.objects.get(pk=row.pk).state == ListingState.PLANNED
    today = timezone.localdate().isoformat()
    refused = secretary.post(
        f"/weak/{row.pk}/progress/",
        {"progress-on": today, "progress-note": "整顿", "files": [upload("x.jpg", EXE)]},
    )
    assert refused.status_code == 302 and not Listing.objects.get(pk=row.pk).progress.exists()
    secretary.post(
        f"/weak/{row.pk}/progress/",
        {"progress-on": today, "progress-note": "召开支委会", "files": [upload("会议.jpg", jpeg_bytes())]},
    )
    [evidence] = [e for p in Listing.objects.get(pk=row.pk).progress.all() for e in p.evidence.all()]
    assert secretary.get(f"/weak/{row.pk}/evidence/{evidence.pk}/").status_code == 200
    assert _client(world, "outsider").get(f"/weak/{row.pk}/evidence/{evidence.pk}/").status_code == 404
    assert secretary.post(f"/weak/{row.pk}/submit/", {"version": "2"}).status_code == 302
    assert Listing.objects.get(pk=row.pk).state == ListingState.SUBMITTED
    assert "listing-moves" in _client(world, "county_staff").get(f"/weak/{row.pk}/").content.decode()


def test_listings_through_the_api(api: Any, world: World) -> None:
    row = candidate(world)
    one = f"{URL}{row.pk}/"
    assert api("secretary").get(one).status_code == 404  # a candidate is the county's
    assert api("outsider").post(f"{one}confirm/", {}).status_code == 404
    stale = api("county_staff").post(f"{one}confirm/", {"version": 3})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    confirmed = api("county_staff").post(f"{one}confirm/", {"version": 0})
    assert confirmed.status_code == 200 and confirmed.data["state"] == "listed", confirmed.data
    assert api("county_staff").post(f"{one}plan/", PLAN).status_code == 400  # the county does not plan
    planned = api("secretary").post(f"{one}plan/", PLAN | {"version": 1})
    assert planned.status_code == 200 and planned.data["leader"] == PLAN["leader"]
    assert api("secretary").post(f"{one}submit/", {"version": 2}).status_code == 400  # no progress
    assert api("county_staff").post(f"{one}carry-over/", {"version": 2}).status_code == 400  # no reason
    carried = api("county_staff").post(f"{one}carry-over/", {"note": "跨年度", "version": 2})
    assert carried.status_code == 200 and carried.data["carry_reason"] == "跨年度"
    listed_rows = api("secretary").get(f"{URL}?org={world.branch.code}&year={YEAR}").data["results"]
    assert [r["id"] for r in listed_rows] == [row.pk]
    assert api("outsider").get(URL).data["results"] == []
    assert api("county_staff").post(f"{one}look-back/", {"note": "x", "surprise": 1}).status_code == 400
