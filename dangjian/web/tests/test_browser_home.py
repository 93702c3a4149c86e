"""A member on a phone (360 px) reaches each task from the home in at most two taps: the next
meeting, 签到 while the window is open, 请假 before the start, the dues status and the e-ID."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dangjian.core.scoping import SYSTEM
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _home(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    assert_fits(page, 360)


def test_member_tasks_within_two_taps_of_the_home(page: Page, live_server: object) -> None:
    world = build_world()
    start = timezone.now() + timedelta(minutes=10)
    meeting = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "学习党章专题党员大会",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "place": "村部会议室",
        },
        acting_user=SYSTEM,
    )
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    assert_fits(page, 360)

    # The next meeting: one tap.
    expect(page.locator("#home-next-meeting")).to_contain_text("村部会议室")
    page.locator("#home-next-link").click()
    expect(page.locator(f"#upcoming-{meeting.pk}")).to_be_visible()

    # 签到 while the window is open: one tap to the meeting, where the member scans the code.
    _home(page, base)
    page.locator("#home-checkin").click()
    expect(page.locator(f"#upcoming-{meeting.pk}")).to_be_visible()

    # 请假 before the start: two taps to the form.
    _home(page, base)
    page.locator("#home-leave").click()
    page.locator(f"#upcoming-{meeting.pk} button[data-bs-target='#leave-{meeting.pk}']").click()
    expect(page.locator(f"#reason-{meeting.pk}")).to_be_visible()

    # Dues status and the e-ID card: one tap each.
    _home(page, base)
    page.locator("#home-dues").click()
    expect(page).to_have_url(f"{base}/my/dues/")
    _home(page, base)
    page.locator("#home-card").click()
    expect(page).to_have_url(f"{base}/my/card/")


def test_home_fits_a_phone_while_its_own_stylesheet_is_missing(browser: Browser, live_server: object) -> None:
    """On a slow line the page may be laid out before dangjian.css arrives (or it may fail): the
    icons carry their size in the markup, so the page still does not scroll sideways."""
    build_world()
    base = str(live_server)
    # Without the service worker, whose own fetch of the file the route would not see.
    page = browser.new_page(service_workers="block", viewport={"width": 360, "height": 740})
    page.route("**/dangjian.css", lambda route: route.abort())
    log_in(page, base, "member_user", otp=False)
    assert page.locator("#home-card svg").first.evaluate("e => e.getBoundingClientRect().width") < 40
    assert_fits(page, 360)
    page.close()
