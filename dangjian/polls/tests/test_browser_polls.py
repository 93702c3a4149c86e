"""A member votes on a phone (360 px) and reads the results; the pages fit without scrolling."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.polls.services import close_poll
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in
from dangjian.web.tests.test_browser_a11y import violations

from .helpers import make_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str) -> None:
    """With DJ_SCREENSHOTS=<directory>, keep a picture of the page to look at."""
    folder = os.environ.get("DJ_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_member_votes_on_a_phone_and_reads_the_results(page: Page, live_server: object) -> None:
    world = build_world()
    poll = make_poll(
        world,
        kind="multiple",
        max_choices=2,
        title="本季度主题党日活动安排（请选择最多两项你愿意参加的活动形式）",
        options=["参观红色教育基地并重温入党誓词", "社区志愿服务", "线上专题学习"],
        description="请在截止时间前投票。",
    )
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 760})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/branch/")
    section = page.locator("#branch-polls")
    expect(section).to_contain_text("本季度主题党日活动安排")
    assert_fits(page, 360)
    assert violations(page) == []
    _shot(page, "branch-360")
    section.get_by_role("link", name="本季度主题党日活动安排", exact=False).click()
    expect(page.locator("#ballot")).to_be_visible()
    assert_fits(page, 360)
    assert violations(page) == []
    _shot(page, "ballot-360")
    page.get_by_label("社区志愿服务").check()
    page.get_by_label("线上专题学习").check()
    page.locator("#ballot button").click()
    expect(page.locator("#poll-voted")).to_be_visible()
    expect(page.locator("#poll-turnout")).to_contain_text("1")
    close_poll(poll, acting_user=world.secretary)
    page.goto(f"{base}/polls/{poll.pk}/results/")
    expect(page.locator("#poll-results progress")).to_have_count(3)
    expect(page.locator("#poll-results")).to_contain_text("100%")
    assert_fits(page, 360)
    assert violations(page) == []
    _shot(page, "results-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert violations(page) == []
    _shot(page, "results-1280")
