"""In a real browser: a logged-out member scans the code on a 360 px phone, logs in and is checked
in; the meeting form shows the fields of the chosen kind and proposes the end; a secretary
reschedules and cancels. With DJ_SHOTS=<dir>, the pages are also saved as screenshots."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.browser import page_width
from dangjian.testing.world import PASSWORD, build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
FMT = "%Y-%m-%dT%H:%M"


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("DJ_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}-{page.viewport_size['width']}.png", full_page=True)  # type: ignore[index]


def no_sideways_scroll(page: Page) -> bool:
    return page_width(page) <= int(page.evaluate("window.innerWidth"))


def test_logged_out_scan_login_checked_in_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    start = timezone.now() - timedelta(minutes=5)
    meeting = schedule_meeting(
        world.branch,
        {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.secretary,
    )
    base = str(live_server)
    page.set_viewport_size(PHONE)
    code = current_code(meeting.pk)  # once: the code may turn over between two calls
    page.goto(f"{base}/checkin/{meeting.pk}/{code}/")
    expect(page).to_have_url(f"{base}/login/?next=/checkin/{meeting.pk}/{code}/")
    page.fill("#id_username", "member_user")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#checkin-submit")).to_be_visible()  # back at the check-in, not the home
    page.locator("#checkin-submit").click()
    expect(page.locator("#checkin-result")).to_contain_text("签到成功")
    assert no_sideways_scroll(page)
    assert meeting.attendances.get(member=world.member).status == "present"


def test_not_expected_page_on_a_phone_and_a_desk(page: Page, live_server: object) -> None:
    world = build_world()
    start = timezone.now() - timedelta(minutes=5)
    meeting = schedule_meeting(
        world.branch_b,
        {"kind": "theme_day", "topic": "别的支部", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.outsider,
    )
    base = str(live_server)
    log_in(page, base, "member_user", otp=False)
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.goto(f"{base}/checkin/{meeting.pk}/{current_code(meeting.pk)}/")
        expect(page.locator("#checkin-not-expected h1")).to_have_text("您不在本次会议的参会名单中")
        expect(page.locator("main")).not_to_contain_text("别的支部")
        assert no_sideways_scroll(page)
        shot(page, "checkin-not-expected")


def test_secretary_reschedules_and_cancels(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size(DESK)
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/meetings/add/")
    expect(page.locator("#id_party_group")).to_be_hidden()  # a branch assembly has no party group
    page.select_option("#id_kind", "group_meeting")
    expect(page.locator("#id_party_group")).to_be_visible()
    expect(page.locator("#id_lecturer")).to_be_hidden()
    page.select_option("#id_kind", "party_lecture")
    expect(page.locator("#id_lecturer")).to_be_visible()
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0)
    page.fill("#id_topic", "专题党课")
    page.fill("#id_starts_at", start.strftime(FMT))
    page.locator("#id_starts_at").dispatch_event("change")
    expect(page.locator("#id_ends_at")).to_have_value((start + timedelta(minutes=90)).strftime(FMT))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("专题党课")
    meeting = Meeting.objects.get(topic="专题党课")

    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.goto(f"{base}/meetings/{meeting.pk}/edit/")
        assert no_sideways_scroll(page)
        shot(page, "meeting-edit")
    later = start + timedelta(days=1)
    page.fill("#id_starts_at", later.strftime(FMT))
    page.fill("#id_ends_at", (later + timedelta(hours=1)).strftime(FMT))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).strftime(FMT) == later.strftime(FMT)

    page.goto(f"{base}/meetings/{meeting.pk}/qr/")  # shown early: says from when scans count
    expect(page.locator("#qr-window")).to_contain_text(
        timezone.localtime(meeting.starts_at - timedelta(minutes=30)).strftime("%H:%M")
    )
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        assert no_sideways_scroll(page)
        shot(page, "meeting-qr-early")
    page.locator("#qr-back").click()
    page.locator("#cancel-box summary").click()
    page.fill("#id_cancel_reason", "讲课人临时出差")
    page.locator("#cancel-submit").click()
    expect(page.locator("#meeting-cancelled")).to_contain_text("讲课人临时出差")
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.reload()
        assert no_sideways_scroll(page)
        shot(page, "meeting-cancelled")
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
