"""The discussion API beyond threads and posts: images by multipart, the branch's review queue,
resolving reports, the committee's word list. Same rights as the pages."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import AuditEntry
from dangjian.discussion import services
from dangjian.discussion.models import Post, PostImage, PostState, Report, ReportState, Thread, WordList
from dangjian.discussion.tests.helpers import png
from dangjian.testing.world import World, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_thread_and_a_reply_with_images_through_the_api(world: World, api: Any) -> None:
    member = api("member_user")
    created = member.post(
        "/api/v1/threads/",
        {"organization": world.branch.code, "title": "活动照片", "body": "见图", "images": [png(gps=True)]},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    reply = member.post(
        f"/api/v1/threads/{pk}/reply/", {"body": "再来两张", "images": [png(), png()]}, format="multipart"
    )
    assert reply.status_code == 201, reply.content
    assert len(reply.json()["images"]) == 2
    assert PostImage.objects.count() == 3
    image = reply.json()["images"][0]
    assert member.get(image).status_code == 200  # served in scope, as on the pages
    assert api("outsider").get(image).status_code == 404


def test_a_file_that_is_not_an_image_stores_nothing_and_is_audited(world: World, api: Any) -> None:
    fake = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"not really" * 10)
    response = api("member_user").post(
        "/api/v1/threads/",
        {"organization": world.branch.code, "title": "照片", "body": "内容", "images": [fake]},
        format="multipart",
    )
    assert response.status_code == 400 and "images" in response.json()
    assert not Thread.objects.exists() and not Post.objects.exists() and not PostImage.objects.exists()
    assert AuditEntry.objects.filter(action="discussion.thread.start", success=False).exists()
    five = [png() for _ in range(5)]
    response = api("member_user").post(
        "/api/v1/threads/",
        {"organization": world.branch.code, "title": "照片", "body": "内容", "images": five},
        format="multipart",
    )
    assert response.status_code == 400 and not Thread.objects.exists()


def test_the_secretary_reviews_held_posts_and_reports(world: World, api: Any) -> None:
    li_na = make_user("li_na", "member", world.branch, member=world.member2)
    services.set_words(world.county, "敏感词", acting_user=world.county_staff)
    thread = services.start_thread(world.branch, "话题", "内容", acting_user=world.member_user)
    held = services.reply(thread, "含有敏感词", acting_user=world.member_user)
    bad = services.reply(thread, "不妥的话", acting_user=world.member_user)
    services.report_post(bad, "不妥", acting_user=li_na)
    url = f"/api/v1/discussion/{world.branch.pk}/review/"
    for persona in ("member_user", "county_staff", "outsider"):
        assert api(persona).get(url).status_code == 404, persona
    review = api("secretary").get(url).json()
    assert [p["id"] for p in review["held"]] == [held.pk] and review["held"][0]["held_words"] == "敏感词"
    assert [r["post"]["id"] for r in review["reports"]] == [bad.pk]
    assert "reporter" not in review["reports"][0]  # who reported is not shown
    report = Report.objects.get()
    resolve = f"/api/v1/post-reports/{report.pk}/resolve/"
    assert api("member_user").post(resolve, {"action": "hide"}, format="json").status_code == 404
    assert api("secretary").post(resolve, {"action": "delete"}, format="json").status_code == 400
    done = api("secretary").post(resolve, {"action": "hide", "reason": "不当言论"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == ReportState.RESOLVED
    assert Post.objects.get(pk=bad.pk).hidden
    assert api("secretary").post(resolve, {"action": "dismiss"}, format="json").status_code == 404
    moderate = f"/api/v1/posts/{held.pk}/moderate/"
    approve = api("secretary").post(moderate, {"action": "approve"}, format="json")
    assert approve.status_code == 200 and Post.objects.get(pk=held.pk).state == PostState.PUBLISHED
    assert api("secretary").get(url).json() == {"held": [], "reports": []}


def test_committee_staff_keep_the_word_list(world: World, api: Any) -> None:
    url = f"/api/v1/discussion/{world.county.pk}/words/"
    for persona in ("secretary", "member_user", "outsider"):
        assert api(persona).get(url).status_code == 404, persona
        assert api(persona).put(url, {"words": ["x"]}, format="json").status_code == 404, persona
    staff = api("county_staff")
    assert staff.get(url).json() == {"organization": world.county.pk, "words": [], "version": 0, "above": []}
    saved = staff.put(url, {"words": ["敏感词", " 另一个 ", "敏感词", ""]}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["words"] == ["敏感词", "另一个"] and saved.json()["version"] == 1
    stale = staff.put(url, {"words": ["新词"], "version": 0}, format="json")
    assert stale.status_code == 409 and WordList.objects.get().word_list() == ["敏感词", "另一个"]
    too_long = staff.put(url, {"words": ["长" * 500]}, format="json")
    assert too_long.status_code == 400 and WordList.objects.get().version == 1
    assert api("county_staff").put(url, {"words": ["a"], "extra": 1}, format="json").status_code == 400
