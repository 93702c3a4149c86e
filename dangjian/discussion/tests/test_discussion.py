"""The branch discussion: posting, states, moderation, reports, the word list, images, scope."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.discussion import services
from dangjian.discussion.models import Post, PostImage, PostState, Report, Thread, ThreadState
from dangjian.discussion.tests.helpers import png, reload
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_user
from dangjian.web.tests.test_query_budgets import BRANCH_SPACE_QUERY_BUDGET


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def li_na(world: World) -> Any:
    return make_user("li_na", "member", world.branch, member=world.member2)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_starts_a_thread_and_a_mention_notifies_once(world: World, li_na: Any) -> None:
    thread = services.start_thread(
        world.branch, "学习安排", "请 @李娜 准备发言", acting_user=world.member_user
    )
    assert thread.state == ThreadState.OPEN
    assert Notification.objects.filter(user=li_na, kind="discussion_mention").count() == 1
    post = thread.posts.get()
    # A second post mentioning her again is a second notification; the same post never twice.
    services.reply(thread, "@李娜 收到了吗", acting_user=world.member_user)
    assert Notification.objects.filter(user=li_na, kind="discussion_mention").count() == 2
    assert post.author_name == "张伟"
    assert AuditEntry.objects.filter(action="discussion.thread.start", success=True).exists()


def test_over_long_and_scripted_bodies(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.start_thread(world.branch, "标题", "长" * 5001, acting_user=world.member_user)
    assert "5000" in str(exc.value)
    assert not Thread.objects.exists()
    assert AuditEntry.objects.filter(action="discussion.thread.start", success=False).exists()
    with pytest.raises(ValidationError):
        services.start_thread(
            world.branch, "标题", "<script>alert(1)</script>", acting_user=world.member_user
        )
    thread = services.start_thread(
        world.branch,
        "标题",
        "<p onclick='x()'>好<script>alert(1)</script></p>",
        acting_user=world.member_user,
    )
    body = thread.posts.get().body
    assert "script" not in body and "onclick" not in body and "好" in body


def test_closed_thread_takes_no_reply(world: World) -> None:
    thread = services.start_thread(world.branch, "标题", "内容", acting_user=world.member_user)
    services.set_closed(thread, True, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        services.reply(thread, "还想说", acting_user=world.member_user)
    services.set_closed(thread, False, acting_user=world.secretary)
    services.reply(thread, "还想说", acting_user=world.member_user)
    assert reload(thread).reply_count == 1  # type: ignore[union-attr]


def test_members_cannot_moderate_and_outsiders_cannot_post(world: World) -> None:
    thread = services.start_thread(world.branch, "标题", "内容", acting_user=world.member_user)
    with pytest.raises(OutOfScope):
        services.set_pinned(thread, True, acting_user=world.member_user)
    with pytest.raises(OutOfScope):
        services.reply(thread, "越界", acting_user=world.outsider)
    with pytest.raises(OutOfScope):  # committee staff read, they do not post
        services.reply(thread, "越界", acting_user=world.county_staff)


def test_hide_keeps_the_text_in_the_audit_log_and_members_lose_it(world: World) -> None:
    thread = services.start_thread(world.branch, "标题", "内容", acting_user=world.member_user)
    post = services.reply(thread, "不当言论原文", acting_user=world.member_user)
    services.hide_post(post, reason="不当", acting_user=world.secretary)
    entry = AuditEntry.objects.get(action="discussion.post.hide", success=True)
    assert entry.changes["text"] == "不当言论原文" and entry.changes["reason"] == "不当"
    member_page = _client(world.member_user).get(f"/threads/{thread.pk}/").content.decode()
    assert "不当言论原文" not in member_page
    assert "不当言论原文" in _client(world.secretary).get(f"/threads/{thread.pk}/").content.decode()
    services.unhide_post(post, acting_user=world.secretary)
    assert "不当言论原文" in _client(world.member_user).get(f"/threads/{thread.pk}/").content.decode()
    with pytest.raises(ValidationError):
        services.hide_post(post, reason="", acting_user=world.secretary)


def test_a_member_reports_a_post_once_and_the_secretary_resolves(world: World, li_na: Any) -> None:
    thread = services.start_thread(world.branch, "标题", "内容", acting_user=world.member_user)
    post = services.reply(thread, "可疑内容", acting_user=world.member_user)
    report = services.report_post(post, "广告", acting_user=li_na)
    with pytest.raises(ValidationError) as exc:
        services.report_post(post, "再举报", acting_user=li_na)
    assert "already" in str(exc.value)
    assert Report.objects.count() == 1
    with pytest.raises(ValidationError):
        services.report_post(post, "自己", acting_user=world.member_user)
    queue = _client(world.secretary).get(f"/orgs/{world.branch.pk}/threads/moderation/").content.decode()
    assert "可疑内容" in queue and "广告" in queue
    response = _client(world.secretary).post(f"/post-reports/{report.pk}/resolve/", {"action": "hide"})
    assert response.status_code == 302
    assert reload(post).hidden and reload(report).state == "resolved"  # type: ignore[union-attr]


def test_the_word_list_holds_a_post_for_review(world: World, li_na: Any) -> None:
    services.set_words(world.county, "敏感词\n另一个", acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        services.set_words(world.county, "x", acting_user=world.secretary)
    thread = services.start_thread(world.branch, "正常标题", "正常内容", acting_user=world.member_user)
    post = services.reply(thread, "含有敏感词的话 @李娜", acting_user=world.member_user)
    assert post.state == PostState.HELD and post.held_words == "敏感词"
    assert not Notification.objects.filter(user=li_na).exists()  # not before it is published
    author_page = _client(world.member_user).get(f"/threads/{thread.pk}/").content.decode()
    assert "含有敏感词的话" in author_page
    assert "含有敏感词的话" not in _client(li_na).get(f"/threads/{thread.pk}/").content.decode()
    assert reload(thread).reply_count == 0  # type: ignore[union-attr]
    services.review_post(post, True, acting_user=world.secretary)
    assert "含有敏感词的话" in _client(li_na).get(f"/threads/{thread.pk}/").content.decode()
    assert Notification.objects.filter(user=li_na).count() == 1
    with pytest.raises(ValidationError):
        services.review_post(post, False, acting_user=world.secretary)
    # A held opening post holds its thread; rejected, the thread stays unseen.
    held = services.start_thread(world.branch, "另一个话题", "内容", acting_user=world.member_user)
    assert held.state == ThreadState.HELD
    assert _client(li_na).get(f"/threads/{held.pk}/").status_code == 404
    assert _client(world.member_user).get(f"/threads/{held.pk}/").status_code == 200
    services.review_post(held.posts.get(), False, acting_user=world.secretary)
    assert reload(held).state == ThreadState.REJECTED  # type: ignore[union-attr]


def test_an_image_with_gps_is_stored_without_it_and_served_in_scope(world: World) -> None:
    upload = png((900, 600), gps=True)
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)
    upload.seek(0)
    thread = services.start_thread(
        world.branch, "照片", "活动照片", images=[upload], acting_user=world.member_user
    )
    image = PostImage.objects.get(post__thread=thread)
    with default_storage.open(image.file, "rb") as f:
        data = f.read()
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif() and b"PhoneMaker" not in data and b"eXIf" not in data
    assert (image.width, image.height) == (900, 600)
    with default_storage.open(image.thumbnail, "rb") as f:
        assert max(Image.open(f).size) == 480
    response = _client(world.member_user).get(f"/post-images/{image.pk}/thumb/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert _client(world.outsider).get(f"/post-images/{image.pk}/").status_code == 404
    services.hide_thread(thread, reason="隐私", acting_user=world.secretary)
    assert _client(world.member_user).get(f"/post-images/{image.pk}/").status_code == 404


def test_a_file_that_is_not_an_image_is_refused(world: World) -> None:
    fake = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"not really" * 10)
    with pytest.raises(ValidationError) as exc:
        services.start_thread(world.branch, "照片", "内容", images=[fake], acting_user=world.member_user)
    assert "images" in exc.value.message_dict
    exe = SimpleUploadedFile("照片.jpg", b"MZ" + bytes(100))
    with pytest.raises(ValidationError):
        services.start_thread(world.branch, "照片", "内容", images=[exe], acting_user=world.member_user)
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_pages_for_a_member_and_404_for_outsiders(world: World) -> None:
    member = _client(world.member_user)
    response = member.post(
        f"/orgs/{world.branch.pk}/threads/new/", {"title": "新话题", "body": "内容", "images": [png()]}
    )
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert "新话题" in member.get("/my/branch/").content.decode()
    assert "新话题" in member.get("/my/branch/threads/").content.decode()
    response = member.post(f"/threads/{thread.pk}/reply/", {"body": "长" * 5001})
    assert response.status_code == 400 and "5000" in response.content.decode()
    assert member.post(f"/threads/{thread.pk}/reply/", {"body": "回复"}).status_code == 302
    assert member.post(f"/threads/{thread.pk}/moderate/", {"action": "pin"}).status_code == 404
    outsider = _client(world.outsider)
    for url in (
        f"/orgs/{world.branch.pk}/threads/",
        f"/threads/{thread.pk}/",
        f"/orgs/{world.branch.pk}/threads/moderation/",
        f"/orgs/{world.county.pk}/discussion-words/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert _client(world.sysadmin).get(f"/threads/{thread.pk}/").status_code == 404
    # Committee staff above read (supervision) but get no posting form.
    page = _client(world.county_staff).get(f"/threads/{thread.pk}/").content.decode()
    assert "回复" in page and "reply-form" not in page
    assert (
        _client(world.county_staff).post(f"/threads/{thread.pk}/reply/", {"body": "督导"}).status_code == 404
    )
    secretary = _client(world.secretary)
    assert secretary.post(f"/threads/{thread.pk}/moderate/", {"action": "pin"}).status_code == 302
    assert reload(thread).pinned  # type: ignore[union-attr]


def test_thread_list_pages_by_keyset_within_a_query_budget(world: World) -> None:
    for i in range(25):
        services.start_thread(world.branch, f"话题{i:02d}", "内容", acting_user=world.member_user)
    member = _client(world.member_user)
    member.get("/my/branch/threads/")  # warm the session
    with CaptureQueriesContext(connection) as first:
        page = member.get("/my/branch/threads/").content.decode()
    assert "话题24" in page and "话题04" not in page and "older-threads" in page
    assert len(first) <= 12, [q["sql"] for q in first]
    cursor = page.split("?before=")[1].split('"')[0]
    older = member.get(f"/my/branch/threads/?before={cursor}").content.decode()
    assert "话题04" in older and "话题24" not in older
    member.get("/my/branch/")
    with CaptureQueriesContext(connection) as branch_page:
        assert "话题24" in member.get("/my/branch/").content.decode()
    assert len(branch_page) <= BRANCH_SPACE_QUERY_BUDGET, [q["sql"] for q in branch_page]
    thread = Thread.objects.order_by("pk").first()
    assert thread is not None
    for i in range(5):
        services.reply(thread, f"回复{i}", images=[png()] if i == 0 else [], acting_user=world.member_user)
    with CaptureQueriesContext(connection) as detail:
        assert member.get(f"/threads/{thread.pk}/").status_code == 200
    assert len(detail) <= 14, [q["sql"] for q in detail]


def test_api_threads_posts_reports_and_moderation(world: World, api: Any, li_na: Any) -> None:
    member = api("member_user")
    response = member.post(
        "/api/v1/threads/",
        {"organization": world.branch.code, "title": "接口话题", "body": "内容"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    reply = member.post(f"/api/v1/threads/{pk}/reply/", {"body": "回复"}, format="json")
    assert reply.status_code == 201
    assert [p["body"] for p in member.get(f"/api/v1/threads/{pk}/posts/").json()][1] == "<p>回复</p>"
    too_long = member.post(f"/api/v1/threads/{pk}/reply/", {"body": "长" * 5001}, format="json")
    assert too_long.status_code == 400
    assert member.post(f"/api/v1/threads/{pk}/moderate/", {"action": "pin"}, format="json").status_code == 404
    assert api("outsider").get(f"/api/v1/threads/{pk}/").status_code == 404
    assert api("outsider").get("/api/v1/threads/").json()["results"] == []
    secretary = api("secretary")
    post_id = reply.json()["id"]
    hidden = secretary.post(
        f"/api/v1/posts/{post_id}/moderate/", {"action": "hide", "reason": "不当"}, format="json"
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"]
    assert member.get(f"/api/v1/posts/{post_id}/").status_code == 404
    pinned = secretary.post(f"/api/v1/threads/{pk}/moderate/", {"action": "pin"}, format="json")
    assert pinned.json()["pinned"]
