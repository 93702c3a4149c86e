"""Meetings in a real browser: a secretary schedules and records at a desk; a member checks in
by phone with the code the host shows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_schedules_records_and_closes(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/meetings/add/")
    start = timezone.localtime() - timedelta(hours=3)
    page.select_option("#id_kind", "branch_assembly")
    page.fill("#id_topic", "学习党章第一章")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("学习党章第一章")
    meeting = Meeting.objects.get(topic="学习党章第一章")
    rows = list(meeting.attendances.order_by("id"))
    page.check(f"#s{rows[0].pk}_present")
    page.check(f"#s{rows[1].pk}_leave")
    page.locator("main form[action$='/attendance/'] button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_be_visible()  # leave without a reason is refused
    page.check(f"#s{rows[1].pk}_leave")
    page.fill(f"input[name=reason_{rows[1].pk}]", "外出务工")
    page.check(f"#s{rows[0].pk}_present")
    page.locator("main form[action$='/attendance/'] button[type=submit]").click()
    page.locator("main form[action$='/close/'] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(re.compile("已办结|Closed"))
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"


def test_member_checks_in_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    start = timezone.now() - timedelta(minutes=5)
    meeting = schedule_meeting(
        world.branch,
        {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.secretary,
    )
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/checkin/{meeting.pk}/{current_code(meeting.pk)}/")
    page.get_by_role("button", name=re.compile("签到|Check in")).click()
    expect(page.locator("#checkin-result")).to_have_class(re.compile("alert-success"))
    assert meeting.attendances.get(member=world.member).status == "present"
    assert_fits(page, 360)


def test_minutes_at_a_desk_and_leave_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    start = timezone.now() + timedelta(days=2)
    later = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "季度党员大会",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
        },
        acting_user=world.secretary,
    )
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/meetings/")
    page.get_by_role("button", name=re.compile("请假|Ask for leave")).first.click()
    # The form slides open; type and send once it is open, and wait for the page that answers.
    expect(page.locator(f"#leave-{later.pk}")).to_have_class(re.compile(r"\bshow\b"))
    page.locator(f"#reason-{later.pk}").fill("在外地务工")
    with page.expect_navigation(timeout=20000):
        page.locator(f"#leave-{later.pk} button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert later.attendances.get(member=world.member).status == "leave"
    assert_fits(page, 360)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/meetings/{later.pk}/")
    page.fill("#id_minutes", "一、传达上级精神。\n二、讨论发展党员工作。")
    page.locator("form[action$='/minutes/'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("讨论发展党员工作")
    assert "讨论发展党员工作" in Meeting.objects.get(pk=later.pk).minutes
