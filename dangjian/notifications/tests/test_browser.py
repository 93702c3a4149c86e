"""A member on a phone: the bell shows the unread count; a tap opens the reminder's page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.notifications.services import notify
from dangjian.orglife.services import schedule_meeting
from dangjian.orglife.tasks import due_day_before
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .conftest import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_reads_a_reminder_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    start = local(1, 9)
    meeting = schedule_meeting(
        world.branch,
        {"kind": "branch_assembly", "topic": "学习党章", "starts_at": start, "ends_at": local(1, 11)},
        acting_user=world.secretary,
    )
    due_day_before(local(0, 10))
    notify([world.member_user], kind="test", key="test:1", title="一条很长的提醒标题" * 4, body="说明" * 40)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    expect(page.locator("#bell-count")).to_have_text(re.compile("^2"))
    page.locator("#bell").click()
    expect(page.locator("#unread")).to_contain_text("学习党章")
    assert_fits(page, 360)
    page.locator("#unread form button", has_text="学习党章").click()
    expect(page).to_have_url(re.compile(rf"/my/meetings/#upcoming-{meeting.pk}$"))
    expect(page.locator("#bell-count")).to_have_text(re.compile("^1"))


def test_member_changes_notification_settings_on_a_phone(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    from dangjian.notifications import delivery

    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(base + "/my/")
    page.locator("#my-account a[href='/my/notifications/']").click()
    expect(page.locator("h1")).to_contain_text("通知设置")
    assert_fits(page, 360)
    page.screenshot(path=tmp_path / "notification-settings-360.png", full_page=True)
    expect(page.locator("#pref-meetings-sms")).to_be_checked()
    page.locator("label[for='pref-compliance-sms']").click()
    page.locator("#quiet_start").select_option("21")
    page.locator("#save-preferences").click()
    expect(page.locator(".alert-success, .toast, [role='status']").first).to_contain_text("已保存")
    assert delivery.matrix(world.member_user)["compliance"]["sms"] is True
    assert delivery.quiet_hours(world.member_user) == (21, 7)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.screenshot(path=tmp_path / "notification-settings-1280.png", full_page=True)
