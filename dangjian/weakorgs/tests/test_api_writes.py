"""The API's writes beyond the moves: the county runs the screening and lists an organization by
hand; the organization records progress with files (multipart), corrects or deletes an entry and
takes a file back. Outsiders 404 before the body is read, stale edits 409, bad input 400 in the
shared error shape."""

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orglife.tests.helpers import EXE, jpeg_bytes, upload
from dangjian.testing.world import World
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Evidence, Listing, ListingState, Progress

from .helpers import PLAN, YEAR, listed

URL = "/api/v1/weak-listings/"
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_county_screens_and_lists_by_hand(api: Any, world: World) -> None:
    body = {"county": world.county.code, "year": YEAR}
    assert api("secretary").post(f"{URL}screen/", body).status_code == 400  # no change on the county
    assert api("outsider").post(f"{URL}screen/", body).status_code == 400  # no such county in reach
    assert not Listing.objects.exists()
    done = api("county_staff").post(f"{URL}screen/", body)
    assert done.status_code == 200 and done.data["created"] == Listing.objects.count() > 0
    again = api("county_staff").post(f"{URL}screen/", body)
    assert again.data == {"created": 0, "updated": 0, "dropped": 0}  # running it again is safe
    bad = api("county_staff").post(f"{URL}screen/", {"county": world.county.code, "year": YEAR + 1})
    assert bad.status_code == 400 and "year" in bad.data
    Listing.objects.filter(organization=world.branch2).delete()
    new = {
        "county": world.county.code,
        "organization": world.branch2.code,
        "year": YEAR,
        "reason": "群众反映",
    }
    assert api("county_staff").post(URL, new | {"surprise": 1}).status_code == 400
    assert api("secretary").post(URL, new).status_code == 400  # not the county
    made = api("county_staff").post(URL, new)
    assert made.status_code == 201, made.data
    assert (made.data["state"], made.data["origin"], made.data["hand_reason"]) == (
        "listed",
        "by_hand",
        "群众反映",
    )
    twice = api("county_staff").post(URL, new)
    assert twice.status_code == 400 and "organization" in twice.data
    outside = api("county_staff").post(URL, new | {"organization": world.branch_b.code, "year": YEAR - 1})
    assert outside.status_code == 400 and "organization" in outside.data


def test_confirming_and_removing_candidates(api: Any, world: World) -> None:
    api("county_staff").post(f"{URL}screen/", {"county": world.county.code, "year": YEAR})
    first = Listing.objects.get(organization=world.branch)
    second = Listing.objects.get(organization=world.branch2)
    rows = api("county_staff").get(f"{URL}?org={world.county.code}&year={YEAR}&state=candidate").data
    assert {r["id"] for r in rows["results"]} >= {first.pk, second.pk}
    assert api("county_staff").post(f"{URL}{second.pk}/remove/", {"version": 0}).status_code == 400
    removed = api("county_staff").post(f"{URL}{second.pk}/remove/", {"version": 0, "note": "已整改"})
    assert removed.status_code == 200 and removed.data["removal_reason"] == "已整改"
    confirmed = api("county_staff").post(f"{URL}{first.pk}/confirm/", {"version": 0})
    assert confirmed.status_code == 200 and confirmed.data["state"] == "listed"


def test_progress_with_files_corrected_and_deleted(api: Any, world: World, media: Path) -> None:
    row = services.save_plan(listed(world), PLAN, acting_user=world.secretary)
    progress = f"{URL}{row.pk}/progress/"
    entry = {"on": TODAY, "note": "召开支委会"}
    assert api("outsider").post(progress, {"surprise": 1}).status_code == 404  # 404 before the body
    assert api("county_staff").post(progress, entry).status_code == 400  # the county does not write it
    refused = api("secretary").post(progress, entry | {"files": [upload("x.jpg", EXE)]}, format="multipart")
    assert refused.status_code == 400 and not Progress.objects.exists()
    made = api("secretary").post(
        progress,
        entry | {"files": [upload("会议.jpg", jpeg_bytes()), upload("记录.jpg", jpeg_bytes())]},
        format="multipart",
    )
    assert made.status_code == 201, made.data
    assert [e["name"] for e in made.data["evidence"]] == ["会议.jpg", "记录.jpg"]
    assert api("secretary").post(progress, entry | {"on": "2000-01-01"}).status_code == 400
    listing_page = api("member_user").get(progress)
    assert listing_page.status_code == 200 and [p["id"] for p in listing_page.data] == [made.data["id"]]
    one = f"{progress}{made.data['id']}/"
    assert api("outsider").patch(one, {"note": "x"}).status_code == 404
    assert api("county_staff").patch(one, {"note": "改"}).status_code == 400
    corrected = api("secretary").patch(one, {"note": "召开支委会（补记）", "version": 0})
    assert corrected.status_code == 200 and corrected.data["version"] == 1
    stale = api("secretary").patch(one, {"note": "旧页面", "version": 0})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    assert api("secretary").patch(f"{progress}999999/", {"note": "x"}).status_code == 404
    file_id = made.data["evidence"][0]["id"]
    assert api("outsider").delete(f"{URL}{row.pk}/evidence/{file_id}/").status_code == 404
    assert api("county_staff").delete(f"{URL}{row.pk}/evidence/{file_id}/").status_code == 400
    assert api("secretary").delete(f"{URL}{row.pk}/evidence/{file_id}/").status_code == 204
    assert api("secretary").delete(f"{URL}{row.pk}/evidence/{file_id}/").status_code == 404
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["记录.jpg"]
    assert api("secretary").delete(one, {"version": 0}).status_code == 409
    assert api("secretary").delete(one, {"version": 1}).status_code == 204
    assert not Progress.objects.exists() and not Evidence.objects.exists()
    actions = set(AuditEntry.objects.filter(success=True).values_list("action", flat=True))
    assert {
        "weak_listing.progress_edit",
        "weak_listing.evidence_remove",
        "weak_listing.progress_delete",
    } <= actions


def test_after_acceptance_the_record_stays(api: Any, world: World, media: Path) -> None:
    row = services.save_plan(listed(world), PLAN, acting_user=world.secretary)
    made = api("secretary").post(
        f"{URL}{row.pk}/progress/",
        {"on": TODAY, "note": "召开支委会", "files": [upload("会议.jpg", jpeg_bytes())]},
        format="multipart",
    )
    assert api("secretary").post(f"{URL}{row.pk}/submit/", {"version": 2}).status_code == 200
    accepted = api("county_staff").post(f"{URL}{row.pk}/accept/", {"version": 3})
    assert accepted.data["state"] == ListingState.ACCEPTED
    one = f"{URL}{row.pk}/progress/{made.data['id']}/"
    refused = api("secretary").delete(f"{URL}{row.pk}/evidence/{made.data['evidence'][0]['id']}/")
    assert refused.status_code == 400 and "non_field_errors" in refused.data
    assert api("secretary").patch(one, {"note": "改"}).status_code == 400
    assert api("secretary").delete(one).status_code == 400
    assert api("secretary").post(f"{URL}{row.pk}/progress/", {"on": TODAY, "note": "x"}).status_code == 400
    assert Evidence.objects.count() == 1 and Progress.objects.get().note == "召开支委会"
