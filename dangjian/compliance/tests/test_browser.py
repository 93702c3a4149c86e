"""The supervision dashboard in Chromium: county staff sort the matrix, drill down to a branch's
checklist, on a desk screen and on a phone (no sideways scroll). Screenshots go to
/tmp/compliance_*.png for a human look."""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.testing.world import build_world
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
from dangjian.web.tests.test_browser import log_in

from . import test_pages
from .test_pages import set_up

dues_metric = test_pages.dues_metric
SHOTS = Path(tempfile.gettempdir())

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.usefixtures("dues_metric")
def test_county_staff_sorts_and_drills_down(page: Page, live_server: object) -> None:
    world = set_up(build_world(), months=(2, 3, 4))
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.county.pk}/supervision/?year=2026")
    expect(page.locator("#matrix tbody tr")).to_have_count(1)
    page.locator(f"#row-{world.township.code} a.dj-drill").click()
    expect(page).to_have_url(f"{base}/orgs/{world.township.pk}/supervision/?year=2026")
    rows = page.locator("#matrix tbody tr th")
    expect(rows).to_have_text(["第一党支部", "第二党支部"])
    page.locator("#matrix thead .dj-sort[data-col='2']").click()  # overdue, most first
    expect(rows).to_have_text(["第二党支部", "第一党支部"])
    expect(page.locator("#matrix thead th[aria-sort='descending']")).to_have_count(1)
    page.locator("#trend canvas").first.wait_for()
    page.screenshot(path=SHOTS / "compliance_dashboard_1280.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("#trend canvas").first.wait_for()
    assert scroll_width(page) <= 390
    page.screenshot(path=SHOTS / "compliance_dashboard_390.png", full_page=True)

    page.locator(f"#row-{world.branch2.code} a.dj-drill").click()
    expect(page).to_have_url(f"{base}/orgs/{world.branch2.pk}/compliance/?year=2026")
    expect(page.locator("#rule-assembly")).to_have_attribute("data-status", "overdue")
    expect(page.locator("#rule-assembly .dj-status")).to_have_text(re.compile("逾期|Overdue"))
    assert scroll_width(page) <= 390
    page.screenshot(path=SHOTS / "compliance_checklist_390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "compliance_checklist_1280.png", full_page=True)
    # Let every request of the page finish before the live server is torn down.
    page.wait_for_load_state("networkidle")
