"""The leaders API: list and detail with the year's counts, create/update/end by staff, the
leader's own plan and works (multipart), attachments, strict input and scope."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeaderWork
from dangjian.leaders.services import appoint_leader
from dangjian.testing.world import World

from .helpers import EXE, PDF, meeting

Api = Callable[[str], APIClient]
LEADERS = "/api/v1/leaders/"


def test_create_list_detail_with_counts(api: Api, world: World) -> None:
    staff = api("county_staff")
    body = {
        "committee": world.county.code,
        "member": world.member.pk,
        "post": "书记",
        "principal": True,
        "since": "2020-01-01",
    }
    created = staff.post(LEADERS, body)
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["member_name"] == "张伟" and created.data["counts"]["works_total"] == 0

    year = timezone.localdate().year - 1
    meeting(
        world.county,
        "central_group_study",
        date(year, 4, 1),
        guests=[world.member],
        present=[world.member],
        lecturer=world.member,
    )
    detail = staff.get(f"{LEADERS}{pk}/", {"year": year}).data
    assert detail["counts"] == {
        "year": year,
        "has_plan": False,
        "works": {"study_note": 0, "research_report": 0, "theory_article": 0},
        "works_total": 0,
        "lectures": 1,
        "branch_study": 0,
        "democratic_life": 0,
    }
    listed = api("province_staff").get(LEADERS, {"org": world.county.code, "year": year}).data["results"]
    assert [r["id"] for r in listed] == [pk] and listed[0]["counts"]["lectures"] == 1
    assert api("province_staff").get(LEADERS, {"org": world.county_b.code}).data["results"] == []
    assert api("outsider").get(LEADERS).data["results"] == []
    assert api("outsider").get(f"{LEADERS}{pk}/").status_code == 404

    second = staff.post(LEADERS, body | {"member": world.member2.pk})
    assert second.status_code == 400 and "principal" in second.data
    unknown = staff.post(LEADERS, body | {"member": world.member2.pk, "principal": False, "rank": 1})
    assert unknown.status_code == 400 and "rank" in unknown.data
    outside = staff.post(LEADERS, body | {"member": world.member_b.pk, "principal": False})
    assert outside.status_code == 400 and "member" in outside.data


def test_update_and_end_by_staff_only(api: Api, world: World) -> None:
    leader = appoint_leader(world.county, world.member, "副书记", acting_user=SYSTEM)
    url = f"{LEADERS}{leader.pk}/"
    assert api("member_user").patch(url, {"post": "书记"}).status_code == 404  # the leader themself
    assert api("outsider").patch(url, {"post": "书记"}).status_code == 404
    updated = api("county_staff").patch(url, {"post": "书记", "principal": True})
    assert updated.status_code == 200 and updated.data["principal"] is True
    ended = api("county_staff").post(f"{url}end/", {"ended_on": timezone.localdate().isoformat()})
    assert ended.status_code == 200 and ended.data["active"] is False
    assert api("county_staff").post(f"{url}end/", {}).status_code == 400


def test_own_plan_and_works(api: Api, world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    leader = appoint_leader(world.county, world.member, "书记", acting_user=SYSTEM)
    me = api("member_user")
    assert me.get(f"{LEADERS}{leader.pk}/").status_code == 200  # their own record
    assert me.get(LEADERS).data["results"] == []  # but the list is the scope's
    plan = me.put(f"{LEADERS}{leader.pk}/plan/", {"year": 2025, "items": [{"month": 3, "theme": "党章"}]})
    assert plan.status_code == 200, plan.data
    assert me.get(f"{LEADERS}{leader.pk}/plan/", {"year": 2025}).data["items"][0]["theme"] == "党章"
    assert me.get(f"{LEADERS}{leader.pk}/plan/", {"year": 2024}).status_code == 404

    works = f"{LEADERS}{leader.pk}/works/"
    refused = me.post(
        works,
        {"kind": "study_note", "title": "心得", "attachment": SimpleUploadedFile("心得.pdf", EXE)},
        format="multipart",
    )
    assert refused.status_code == 400 and "attachment" in refused.data
    assert not LeaderWork.objects.exists() and not any(p.is_file() for p in tmp_path.rglob("*"))
    created = me.post(
        works,
        {"kind": "study_note", "title": "心得", "attachment": SimpleUploadedFile("心得.pdf", PDF)},
        format="multipart",
    )
    assert created.status_code == 201, created.data
    file_url = created.data["attachment_url"]
    assert file_url == f"{works}{created.data['id']}/file"
    text = me.post(works, {"kind": "theory_article", "title": "文章", "body": "正文"})
    assert text.status_code == 201 and text.data["attachment_url"] is None
    assert [w["title"] for w in api("county_staff").get(works).data] == ["文章", "心得"]

    download = api("county_staff").get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert api("outsider").get(file_url).status_code == 404
    assert api("outsider").get(works).status_code == 404
    assert api("secretary").post(works, {"kind": "study_note", "title": "x", "body": "x"}).status_code == 404
    assert me.post(works, {"kind": "poem", "title": "x", "body": "x"}).status_code == 400
