"""A branch secretary on a phone (360 px) requests the term change; the county's staff on a laptop
approves it; the secretary records the results; the county confirms them and the branch's new
term shows. Chinese, as users see it."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.elections.models import TermChange, TermChangeState
from dangjian.organizations.models import Organization
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots to look at, when asked for (DANGJIAN_SHOTS=<directory>).
SHOTS = os.environ.get("DANGJIAN_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_term_change_requested_from_a_phone_approved_and_confirmed(page: Page, live_server: Any) -> None:
    world = build_world()
    base = str(live_server)
    phone = page.context.browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[union-attr]
    branch = phone.new_page()
    log_in(branch, base, "secretary", otp=True)
    branch.goto(f"{base}/orgs/{world.branch.pk}/")
    branch.get_by_role("link", name="换届").first.click()
    branch.fill("#id_planned_on", (timezone.localdate() + timedelta(days=14)).isoformat())
    branch.fill("#id_seats", "3")
    branch.fill("#id_plan", "书记候选人：张伟；委员候选人：李娜")
    branch.locator("#request-form button").click()
    expect(branch.locator("#term-change-facts")).to_contain_text("书记候选人：张伟")
    expect(branch.locator(".badge")).to_contain_text("已请示")
    assert_fits(branch, 360)
    _shot(branch, "term-change-requested-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.township.pk}/term-changes/")
    tc = TermChange.objects.get()
    page.goto(f"{base}/")
    page.get_by_role("link", name="待批复的换届").click()  # the home's waiting section
    expect(page.locator("#under-way")).to_contain_text(world.branch.name)
    _shot(page, "term-changes-county-desktop")
    page.locator("#under-way a").first.click()
    page.locator(f"button[formaction='/term-changes/{tc.pk}/approve/']").click()
    expect(page.locator(".badge").first).to_contain_text("已批复同意")

    branch.goto(f"{base}/term-changes/{tc.pk}/")
    branch.fill("#id_held_on", timezone.localdate().isoformat())
    branch.select_option("#id_member_0", label="张伟")
    branch.select_option("#id_post_0", "secretary")
    branch.fill("#id_votes_0", "18")
    branch.select_option("#id_member_1", label="李娜")
    branch.locator("#results-form button").click()
    expect(branch.locator("#elected")).to_contain_text("张伟")
    branch.locator(f"button[formaction='/term-changes/{tc.pk}/report/']").click()
    expect(branch.locator(".badge").first).to_contain_text("选举结果已报批")
    assert_fits(branch, 360)
    _shot(branch, "term-change-reported-phone")

    page.goto(f"{base}/term-changes/{tc.pk}/")
    page.locator(f"button[formaction='/term-changes/{tc.pk}/confirm/']").click()
    expect(page.locator("#term-change-facts")).to_contain_text("新一届任期")
    _shot(page, "term-change-confirmed-desktop")
    assert TermChange.objects.get().state == TermChangeState.CONFIRMED
    assert Organization.objects.get(pk=world.branch.pk).term_start == timezone.localdate()
    phone.close()
