"""A member on a phone: the bell shows the unread count; a tap opens the reminder's page."""

import re

import pytest
from playwright.sync_api import Page, expect

from dangjian.notifications.services import notify
from dangjian.orglife.services import schedule_meeting
from dangjian.orglife.tasks import due_day_before
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
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#unread form button", has_text="学习党章").click()
    expect(page).to_have_url(re.compile(rf"/my/meetings/#upcoming-{meeting.pk}$"))
    expect(page.locator("#bell-count")).to_have_text(re.compile("^1"))
