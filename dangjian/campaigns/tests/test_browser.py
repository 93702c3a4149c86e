"""The county's staff on a laptop sends a task with a report form and launches it; a branch
secretary on a phone (360 px) fills in the report and submits it; the county sees it reported in
the township's row and accepts it. Chinese, as users see it."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.campaigns.models import Assignment, AssignmentState
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots to look at, when asked for (DANGJIAN_SHOTS=<directory>).
SHOTS = os.environ.get("DANGJIAN_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_task_sent_down_reported_from_a_phone_and_accepted(page: Page, live_server: Any) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.county.pk}/campaigns/new/")
    page.fill("#id_title", "报送农村陈规陋习整治进展")
    page.fill("#id_instructions", "请各支部于一周内报送本支部整治情况。")
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.check("input[name=target_kinds][value=branch]")
    page.fill("#id_field_1_label", "整治户数")
    page.select_option("#id_field_1_type", "number")
    page.check("#id_field_1_required")
    page.locator("#campaign-form button").click()
    expect(page.locator("#launch")).to_be_visible()
    _shot(page, "campaign-draft-desktop")
    page.locator("#launch").click()
    expect(page.locator("#children")).to_contain_text(world.township.name)
    campaign_url = page.url

    phone = page.context.browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[union-attr]
    branch = phone.new_page()
    log_in(branch, base, "secretary", otp=True)
    mine = Assignment.objects.get(organization=world.branch)
    branch.goto(f"{base}/assignments/{mine.pk}/")
    expect(branch.locator("#assignment-facts")).to_contain_text("请各支部于一周内报送")
    assert_fits(branch, 360)
    branch.locator("#assignment-moves button").click()  # submitted before answering: refused
    expect(branch.locator(".alert")).to_contain_text("整治户数")
    branch.fill("#answers input[name=f1]", "12")
    branch.locator("#answers button").click()
    branch.locator("#assignment-moves button").click()
    expect(branch.locator("#answers")).to_contain_text("12")
    _shot(branch, "assignment-phone")
    assert_fits(branch, 360)
    phone.close()

    page.goto(f"{campaign_url}?under={world.township.pk}")
    expect(page.locator("#awaiting")).to_contain_text(world.branch.name)
    _shot(page, "campaign-progress-desktop")
    page.locator("#awaiting a").click()
    page.locator("#assignment-moves button", has_text="审核通过").click()
    expect(page.locator("#assignment-facts")).to_be_visible()
    assert Assignment.objects.get(pk=mine.pk).state == AssignmentState.ACCEPTED
