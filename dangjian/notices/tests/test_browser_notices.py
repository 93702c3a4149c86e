"""On a phone (360 px): a member opens a must-read notice from the home; the secretary then sees
the read count change on the notice's page."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dangjian.core.scoping import SYSTEM
from dangjian.notices.services import create_notice, send_notice
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("DJ_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_member_reads_from_the_home_and_the_secretary_sees_it(
    page: Page, browser: Browser, browser_context_args: dict[str, Any], live_server: object
) -> None:
    world = build_world()
    deadline = timezone.localdate() + timedelta(days=3)
    notice = create_notice(
        world.branch,
        {
            "title": "关于学习全会精神的通知",
            "body": "<p>请全体党员于本周内学习全会公报，并在支部群内交流体会。</p>",
            "must_read": True,
            "deadline": deadline,
            "pinned": True,
        },
        acting_user=SYSTEM,
    )
    send_notice(notice, acting_user=SYSTEM)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})

    # The secretary first sees nobody has read it.
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/notices/{notice.pk}/")
    expect(page.locator("#read-count")).to_have_text("0")
    assert_fits(page, 360)
    secretary = page

    # The member, on their own phone: the home shows it; one tap opens it.
    page = browser.new_context(**browser_context_args).new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    card = page.locator("#home-must-read")
    expect(card).to_contain_text("关于学习全会精神的通知")
    assert_fits(page, 360)
    _shot(page, "home-360")
    card.get_by_role("link", name="关于学习全会精神的通知").click()
    expect(page.locator("h1")).to_have_text("关于学习全会精神的通知")
    expect(page.locator("#notice-must-read")).to_be_visible()
    assert_fits(page, 360)
    _shot(page, "my-notice-360")
    # Read: the home no longer asks for it; the 支部 tab lists it as read.
    page.goto(f"{base}/")
    expect(page.locator("#home-must-read")).to_have_count(0)
    page.goto(f"{base}/my/branch/")
    expect(page.locator("#branch-notices")).to_contain_text("关于学习全会精神的通知")
    assert_fits(page, 360)
    _shot(page, "my-branch-360")
    page.context.close()

    # The secretary sees the count change.
    page = secretary
    page.reload()
    expect(page.locator("#read-count")).to_have_text("1")
    expect(page.locator("#notice-people")).to_contain_text("张*")
    assert_fits(page, 360)
    _shot(page, "org-notice-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    _shot(page, "org-notice-1280")
    page.goto(f"{base}/orgs/{world.branch.pk}/notices/new/")
    _shot(page, "notice-form-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert_fits(page, 360)
    _shot(page, "notice-form-360")
    page.goto(f"{base}/orgs/{world.branch.pk}/notices/")
    assert_fits(page, 360)
    _shot(page, "org-notices-360")
