"""An evaluation round in a real browser: the secretary opens it at a desk, a member
self-assesses and rates a peer on a phone, the secretary proposes grades, county staff approve."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dangjian.evaluation.models import EvaluationCampaign, PeerRating, ProposedGrade, SelfAssessment
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser: Browser) -> Page:
    # A context of its own: each person keeps their session (a second factor code is single-use,
    # so logging the secretary in twice within 30 seconds would be refused).
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()


def test_an_evaluation_round(page: Page, browser: Browser, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    today = timezone.localdate()
    branch_page = f"{base}/orgs/{world.branch.pk}/evaluation/"

    # The secretary creates and opens the campaign.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/")
    page.get_by_role("link", name=re.compile("民主评议|Democratic evaluation")).click()
    page.fill("#id_opens_on", today.isoformat())
    page.fill("#id_closes_on", (today + timedelta(days=7)).isoformat())
    page.locator("#create-campaign button[type=submit]").click()
    page.locator("#open-campaign").click()
    expect(page.locator(".alert-success")).to_be_visible()
    campaign = EvaluationCampaign.objects.get()
    assert campaign.state == "open"

    # A member on a phone: self-assessment, then a rating of a peer.
    phone = _phone(browser)
    log_in(phone, base, "member_user", otp=False)
    phone.goto(f"{base}/my/evaluation/")
    phone.fill("#id_text", "一年来认真学习党章党规，按时参加组织生活，按时交纳党费。")
    phone.locator("#save-self").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    peer = phone.locator(f"#peer-{world.member2.pk}")
    peer.locator("select").select_option("excellent")
    peer.locator("input[name$=comment]").fill("热心服务群众")
    peer.get_by_role("button").click()
    expect(phone.locator(f"#peer-{world.member2.pk} .badge")).to_be_visible()
    assert_fits(phone, 360)
    assert SelfAssessment.objects.get().member == world.member
    assert PeerRating.objects.get().grade == "excellent"

    # The secretary, still signed in at the desk, closes rating, grades everyone and proposes.
    page.goto(branch_page)
    page.locator("#close-rating").click()
    expect(page.locator(f"#counts-{world.member2.pk}")).to_contain_text("1")
    page.select_option(f"#grade-{world.member.pk}", "qualified")
    page.select_option(f"#grade-{world.member2.pk}", "excellent")
    page.locator("#save-grades").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("#propose").click()
    expect(page.locator("#campaign-state")).to_contain_text(re.compile("Grades proposed|已报批"))
    assert EvaluationCampaign.objects.get().state == "proposed"

    # County staff, on a phone, find it awaiting them one level up and approve.
    county = _phone(browser)
    log_in(county, base, "county_staff", otp=True)
    county.goto(f"{base}/orgs/{world.township.pk}/evaluation/")
    assert_fits(county, 360)
    county.locator("#awaiting").get_by_role("link", name="第一党支部").click()
    county.locator("#approve").click()
    expect(county.locator("#campaign-state")).to_contain_text(re.compile("Approved|已批准|批准"))
    assert_fits(county, 360)
    assert EvaluationCampaign.objects.get().state == "approved"
    assert dict(ProposedGrade.objects.values_list("member__name", "grade")) == {
        "张伟": "qualified",
        "李娜": "excellent",
    }
    # The secretary's campaign page fits a phone as well.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(branch_page)
    assert_fits(page, 360)
