"""The supervision matrix in Chromium at 360 and 1280 px: each rule column is headed by the
rule's name (wrapped, fully visible) and its work point; the chart names its axes. Screenshots
go to /tmp/supervision_matrix_*.png for a human look."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
from dangjian.web.tests.test_browser import log_in

from . import test_pages
from .test_pages import set_up

dues_metric = test_pages.dues_metric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("dues_metric")
def test_rule_headers_are_readable_on_desk_and_phone(page: Page, live_server: object) -> None:
    world = set_up(build_world(), months=(2, 3, 4))
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.township.pk}/supervision/?year=2026")
    heads = page.locator("#matrix thead th.dj-rule-head")
    expect(heads).to_have_count(4)
    expect(heads.nth(0)).to_contain_text("每季度召开支部党员大会")
    expect(heads.nth(0)).to_contain_text("第12项")
    expect(heads.nth(1)).to_contain_text("每年至少一次党课")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.locator("#trend canvas").first.wait_for()
        # No heading is cut off: every button shows its whole text.
        clipped = page.evaluate(
            "Array.from(document.querySelectorAll('#matrix .dj-rule-head .dj-sort'))"
            ".filter(b => b.scrollWidth > b.clientWidth + 1).length"
        )
        assert clipped == 0
        sizes = page.evaluate(
            "Array.from(document.querySelectorAll('#matrix th, #matrix td, #matrix .dj-counts'))"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 14
        assert_fits(page, width)
        page.screenshot(path=Path(tempfile.gettempdir()) / f"supervision_matrix_{width}.png", full_page=True)
