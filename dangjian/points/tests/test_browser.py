"""Points on a phone (360 px): the member's ledger and claim form, and the secretary's table,
rules and approvals, none of which may scroll sideways."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.core.scoping import SYSTEM
from dangjian.points.accrual import accrue
from dangjian.points.models import EntryState, PointEntry, PointRule
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .helpers import held, standard_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Page) -> None:
    assert_fits(page, 360)


def test_points_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    today = timezone.localdate()
    if today.timetuple().tm_yday == 1:
        pytest.skip("no meeting of this year can have been held yet")
    year = today.year
    standard_rules(world.township, year)
    yesterday = today - timedelta(days=1)
    held(world.branch, "branch_assembly", yesterday, {world.member: "present", world.member2: "absent"})
    accrue(world.township, year, acting_user=SYSTEM)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/points/")
    expect(page.locator("#total")).to_have_text("2")
    page.get_by_role("button", name=re.compile("志愿|volunteer", re.I)).click()
    page.select_option("#id_rule", str(PointRule.objects.get(name="志愿服务", year=year).pk))
    page.fill("#id_quantity", "3")
    page.fill("#id_reason", "社区环境整治")
    with page.expect_navigation(timeout=20000):  # the POST and its redirect, on a busy machine
        page.locator("#claim button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    fits(page)
    assert PointEntry.objects.get(state=EntryState.PROPOSED).points == 3

    page.context.clear_cookies()
    log_in(page, base, "secretary", otp=True)
    for path in (f"/orgs/{world.branch.pk}/points/", f"/orgs/{world.branch.pk}/point-rules/"):
        page.goto(f"{base}{path}")
        fits(page)
    page.goto(f"{base}/orgs/{world.branch.pk}/points/")
    page.locator("#pending button.btn-success").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert PointEntry.objects.get(reason="社区环境整治").state == EntryState.APPROVED
    page.context.clear_cookies()
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.township.pk}/point-rules/")
    fits(page)
