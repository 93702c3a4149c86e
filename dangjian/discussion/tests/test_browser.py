"""Discussion on a phone (360 px): a member starts a thread and replies with a photo from the 支部
tab, the secretary hides the reply (its photo too); no page scrolls sideways. Screenshots at 360
and 1280 px go to DISCUSSION_SHOTS when set."""

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dangjian.core.models import AuditEntry
from dangjian.discussion.models import Post, PostImage, Thread
from dangjian.discussion.tests.helpers import png
from dangjian.testing.browser import assert_fits, natural_width
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("DISCUSSION_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_member_posts_with_an_image_and_the_secretary_hides_it(
    page: Page, browser: Browser, live_server: object, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    base = str(live_server)
    photo = tmp_path / "活动.png"
    photo.write_bytes(png((1200, 800), gps=True).read())
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/branch/")
    page.locator("#all-threads").click()
    expect(page.locator("#no-threads")).to_be_visible()
    assert_fits(page, 360)
    page.locator("#new-thread").click()
    page.fill("#id_title", "主题党日照片")
    page.fill("#id_body", "大家看看今天的活动照片")
    page.set_input_files("#id_images", str(photo))
    assert_fits(page, 360)
    with page.expect_navigation(timeout=20000):
        page.locator("#thread-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("主题党日照片")
    image = page.locator(".dj-post-thumb").first
    expect(image).to_be_visible()
    assert natural_width(image) == 480
    assert_fits(page, 360)
    _shot(page, "thread-360")
    page.fill("#id_body", "我也来说两句")
    page.set_input_files("#reply-form #id_images", str(photo))
    with page.expect_navigation(timeout=20000):
        page.locator("#reply-submit").click()
    expect(page.locator("#posts")).to_contain_text("我也来说两句")
    thread = Thread.objects.get()
    reply = Post.objects.get(opening=False)

    # Each person on a browser of their own: clearing cookies would leave the old session alive on
    # the server, and a late response of the old page could set its cookie again.
    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/threads/{thread.pk}/")
    _shot(page, "secretary-thread-360")
    post = page.locator(f"#post-{reply.pk}")
    post.locator("summary").click()
    post.locator("input[name=reason]").fill("与主题无关")
    with page.expect_navigation(timeout=20000):
        post.get_by_role("button", name=re.compile("隐藏此帖")).click()
    expect(page.locator(f"#post-{reply.pk} .badge")).to_contain_text("已隐藏")
    assert_fits(page, 360)
    page.goto(f"{base}/orgs/{world.branch.pk}/threads/moderation/")
    assert_fits(page, 360)
    _shot(page, "moderation-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/threads/{thread.pk}/")
    _shot(page, "thread-1280")
    assert AuditEntry.objects.get(action="discussion.post.hide").changes["text"] == "我也来说两句"

    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/threads/{thread.pk}/")
    expect(page.locator("#posts")).not_to_contain_text("我也来说两句")
    hidden_image = PostImage.objects.get(post=reply)
    assert page.request.get(f"{base}/post-images/{hidden_image.pk}/").status == 404
    _shot(page, "member-after-hide-360")
