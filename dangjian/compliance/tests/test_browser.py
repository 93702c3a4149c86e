"""The supervision dashboard in Chromium: county staff sort the matrix, drill down to a branch's
checklist, on a desk screen and on a phone (no sideways scroll); an overdue digest in the inbox
leads to the checklist, and the matrix downloads as Excel. Screenshots go to
/tmp/compliance_*.png for a human look."""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.testing.browser import page_width
from dangjian.testing.world import build_world
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
from dangjian.web.tests.test_browser import log_in

from . import test_pages
from .test_pages import set_up

dues_metric = test_pages.dues_metric
SHOTS = Path(tempfile.gettempdir())

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    assert page_width(page) <= 390
    page.screenshot(path=SHOTS / "compliance_dashboard_390.png", full_page=True)

    page.locator(f"#row-{world.branch2.code} a.dj-drill").click()
    expect(page).to_have_url(f"{base}/orgs/{world.branch2.pk}/compliance/?year=2026")
    expect(page.locator("#rule-assembly")).to_have_attribute("data-status", "overdue")
    expect(page.locator("#rule-assembly .dj-status")).to_have_text(re.compile("逾期|Overdue"))
    assert page_width(page) <= 390
    page.screenshot(path=SHOTS / "compliance_checklist_390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "compliance_checklist_1280.png", full_page=True)
    # Let every request of the page finish before the live server is torn down.
    page.wait_for_load_state("networkidle")


@pytest.mark.usefixtures("dues_metric")
def test_an_overdue_digest_leads_to_the_checklist_and_the_matrix_exports(
    page: Page, live_server: object
) -> None:
    from datetime import date

    from python_calamine import CalamineWorkbook

    from dangjian.compliance.reminders import escalate_overdue
    from dangjian.notifications.models import Notification

    world = set_up(build_world())
    # The second branch missed its first-quarter assembly: on 3 April the county hears of it.
    assert escalate_overdue(date(2026, 4, 3)) >= 1
    digest = Notification.objects.get(user=world.county_staff)
    assert "第二党支部" in digest.body
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "county_staff", otp=True)
    page.locator("#bell").click()
    item = page.locator(f"#notification-{digest.pk}")
    expect(item).to_contain_text("第二党支部")
    item.locator("button.btn-link").click()  # opens the checklist it links to
    expect(page).to_have_url(re.compile(r"/orgs/\d+/compliance/\?year=2026$"))
    assert page_width(page) <= 390

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/orgs/{world.township.pk}/supervision/?year=2026")
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = CalamineWorkbook.from_path(str(download.value.path()))
    cells = [str(c) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python() for c in r]
    assert "第一党支部" in cells and "第二党支部" in cells
    page.wait_for_load_state("networkidle")
