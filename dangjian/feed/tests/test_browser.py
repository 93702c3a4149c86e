"""The feed on a phone (360 px): the member opens the 支部 tab, sees the branch's activities
newest first, pages on with "更多" and opens an album; no page scrolls sideways."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.discussion.tests.helpers import png
from dangjian.feed import services
from dangjian.testing.browser import assert_fits, natural_width
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .helpers import closed_meeting, item_of, sent_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_reads_the_feed_and_an_album_at_360_px(
    page: Page, live_server: object, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    for i in range(12):
        at = timezone.now() - timedelta(days=2 + i)
        sent_notice(world.branch, f"通知{i}：请按时参加本月组织生活会并提前准备发言材料", at=at)
    meeting = closed_meeting(world.branch, "主题党日：重温入党誓词，参观革命纪念馆并开展志愿服务活动")
    services.add_photos(item_of(meeting), [png((1200, 800), gps=True)], acting_user=world.secretary)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/branch/")
    feed = page.locator("#branch-feed .dj-feed-item")
    expect(feed.first).to_contain_text("主题党日")
    expect(feed).to_have_count(10)
    assert natural_width(page.locator(".dj-feed-cover").first) == services.THUMB_SIDE
    assert_fits(page, 360)
    page.locator("#feed-more").click()
    expect(page.locator("#feed-items .dj-feed-item")).to_have_count(3)
    expect(page.locator("#feed-items")).to_contain_text("通知11")
    assert_fits(page, 360)
    page.goto(f"{base}/my/branch/")
    feed.first.locator("a.fw-semibold").click()
    expect(page.locator("#album-photos img")).to_have_count(1)
    expect(page.locator("#album-form")).to_have_count(0)  # a member reads, the secretary adds
    assert_fits(page, 360)
