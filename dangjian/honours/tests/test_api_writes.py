"""Drafting and correcting through the API: calls by their committee, nominations by the
nominating officers (for a call of a committee above), evidence added and removed; the same rules
as the pages — outsiders 404, stale versions 409, refusals 400 in the usual shape."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.honours import services
from dangjian.honours.models import Call, Nomination
from dangjian.orglife.tests.helpers import jpeg_bytes, upload
from dangjian.testing.world import World

from .helpers import call_of

CALLS = "/api/v1/honour-calls/"
NOMINATIONS = "/api/v1/nominations/"


def _call_body(world: World, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    dates = {
        "nominations_due": today + timedelta(days=10),
        "publish_by": today + timedelta(days=40),
    }
    if extra.get("organization", "") is None:  # the service's own input (dates, not text)
        return {"title": "七一表彰", "criteria": "发挥先锋模范作用", "categories": ["member"], **dates}
    return {
        "organization": world.county.code,
        "title": "七一表彰",
        "criteria": "发挥先锋模范作用",
        "categories": ["member", "branch"],
        "nominations_due": (today + timedelta(days=10)).isoformat(),
        "publish_by": (today + timedelta(days=40)).isoformat(),
    } | extra


def test_a_call_is_drafted_and_corrected_through_the_api(api: Any, world: World) -> None:
    assert api("secretary").post(CALLS, _call_body(world)).status_code == 400  # not its committee
    assert (
        api("county_staff").post(CALLS, _call_body(world, organization=world.county_b.code)).status_code
        == 400
    )
    refused = api("county_staff").post(CALLS, _call_body(world, categories=[]))
    assert refused.status_code == 400 and "categories" in refused.data
    made = api("county_staff").post(CALLS, _call_body(world))
    assert made.status_code == 201, made.data
    assert (made.data["state"], made.data["organization"], made.data["version"]) == (
        "draft",
        world.county.code,
        0,
    )
    one = f"{CALLS}{made.data['id']}/"
    assert api("outsider").patch(one, {"title": "越界"}).status_code == 404
    assert api("secretary").patch(one, {"title": "越界"}).status_code == 404
    stale = api("county_staff").patch(one, {"title": "改", "version": 3})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    fixed = api("county_staff").patch(one, {"title": "“两优一先”评选", "version": 0})
    assert fixed.status_code == 200 and (fixed.data["title"], fixed.data["version"]) == ("“两优一先”评选", 1)
    assert api("county_staff").patch(one, {"colour": "红"}).status_code == 400  # unknown field
    opened = api("county_staff").post(f"{one}open/", {"version": 1})
    assert opened.status_code == 200
    frozen = api("county_staff").patch(one, {"criteria": "改标准", "reason": "完善"})
    assert frozen.status_code == 400 and "criteria" in frozen.data
    later = (timezone.localdate() + timedelta(days=50)).isoformat()
    extended = api("county_staff").patch(one, {"publish_by": later, "reason": "延长公示准备时间"})
    assert extended.status_code == 200 and extended.data["publish_by"] == later
    assert AuditEntry.objects.filter(action="honour_call.update", success=True).count() == 2


def test_a_nomination_and_its_evidence_through_the_api(
    api: Any, world: World, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    call = call_of(world)
    other = services.create_call(
        world.county_b, _call_body(world, organization=None), acting_user=world.province_staff
    )
    services.open_call(other, acting_user=world.province_staff)
    body = {
        "call": call.pk,
        "nominating_organization": world.branch.code,
        "honour": "member",
        "story": "事迹",
    }
    body_b = body | {"call": other.pk}
    assert (
        api("secretary").post(NOMINATIONS, body_b | {"nominee_member": world.member2.pk}).status_code == 400
    )
    outside = api("secretary").post(NOMINATIONS, body | {"nominee_member": world.member_b.pk})
    assert outside.status_code == 400 and "nominee_member" in outside.data
    assert (
        api("county_staff").post(NOMINATIONS, body | {"nominee_member": world.member2.pk}).status_code == 400
    )
    made = api("secretary").post(NOMINATIONS, body | {"nominee_member": world.member2.pk})
    assert made.status_code == 201, made.data
    assert (made.data["state"], made.data["nominee_name"], made.data["evidence"]) == (
        "draft",
        world.member2.name,
        [],
    )
    url = f"{NOMINATIONS}{made.data['id']}/"
    assert api("outsider").patch(url, {"story": "越界"}).status_code == 404
    assert api("county_staff").patch(url, {"story": "代改"}).status_code == 400  # reads, does not nominate
    assert api("secretary").patch(url, {"story": "改", "version": 7}).status_code == 409
    changed = api("secretary").patch(
        url, {"nominee_member": world.member.pk, "story": "二十年如一日", "version": 0}
    )
    assert changed.status_code == 200 and changed.data["nominee_name"] == world.member.name

    def files() -> dict[str, Any]:  # anew for each request: an upload is read once
        return {"files": [upload("证书.jpg", jpeg_bytes()), upload("照片.jpg", jpeg_bytes())]}

    assert api("outsider").post(f"{url}evidence/", files(), format="multipart").status_code == 404
    added = api("secretary").post(f"{url}evidence/", files(), format="multipart")
    assert added.status_code == 201 and [e["name"] for e in added.data["evidence"]] == [
        "证书.jpg",
        "照片.jpg",
    ]
    first = added.data["evidence"][0]
    assert api("county_staff").get(first["url"]).status_code == 200  # who reads it downloads it
    assert api("outsider").get(first["url"]).status_code == 404
    assert api("outsider").delete(first["url"]).status_code == 404
    assert api("county_staff").delete(first["url"]).status_code == 400
    assert api("secretary").delete(f"{first['url']}?version=0").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        assert api("secretary").delete(f"{first['url']}?version={added.data['version']}").status_code == 204
    left = api("secretary").get(url).data
    assert [e["name"] for e in left["evidence"]] == ["照片.jpg"]
    submitted = api("secretary").post(f"{url}submit/", {"version": left["version"]})
    assert submitted.status_code == 200
    # Submitted: the deeds may still be corrected, the nominee no longer.
    assert api("secretary").patch(url, {"nominee_member": world.member2.pk}).status_code == 400
    assert api("secretary").patch(url, {"story": "补充事迹"}).data["story"] == "补充事迹"
    api("county_staff").post(f"{url}recommend/", {})
    assert api("secretary").patch(url, {"story": "再改"}).status_code == 400
    assert api("secretary").delete(left["evidence"][0]["url"]).status_code == 400
    assert Nomination.objects.get().story == "补充事迹" and Call.objects.count() == 2
