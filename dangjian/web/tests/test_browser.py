"""Real Chromium against the live server: log in, walk the tree, reveal, and use a phone."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from dangjian.core.models import AuditEntry
from dangjian.testing.browser import page_width
from dangjian.testing.world import PASSWORD, TOTP_SECRET, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fresh_code() -> str:
    """A code from a step no earlier login used (codes are single-use)."""
    totp = pyotp.TOTP(TOTP_SECRET)
    if totp.interval - time.time() % totp.interval < 3:
        time.sleep(3.5)
    return totp.now()


def log_in(page: Page, base: str, username: str, otp: bool) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if otp:
        page.fill("#id_otp", fresh_code())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def test_county_staff_walks_the_tree_and_reveals_an_id(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.get_by_role("link", name=re.compile("组织|Organizations")).first.click()
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("芙蓉区委")
    expect(tree).not_to_contain_text("天心区委")
    expect(tree).to_contain_text("定王台街道党工委")  # the single top node opens by itself
    tree.get_by_role("button", name=re.compile("定王台街道党工委")).click()
    tree.get_by_role("link", name="第一党支部").click()
    expect(page.locator("h1")).to_have_text("第一党支部")
    expect(page.locator("#member-count")).to_have_text("2")
    page.locator("#member-count").click()
    page.get_by_role("link", name="张伟").click()
    masked = world.member.id_number_masked
    expect(page.locator("#id-number")).to_have_text(masked)
    page.locator("#id-number + button").click()
    expect(page.locator("#id-number")).to_have_text(world.member.id_number)
    assert AuditEntry.objects.filter(action="member.reveal", actor_name="county_staff").count() == 1


def test_search_finds_by_code(page: Page, live_server: object) -> None:
    build_world()
    base = str(live_server)
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/?q=430102001002")
    expect(page.locator("#search-results")).to_contain_text("第二党支部")
    page.goto(f"{base}/orgs/?q=坡子街")  # another county's branch: not found
    expect(page.locator("#search-results")).not_to_contain_text("坡子街")


def test_member_on_a_phone(page: Page, live_server: object) -> None:
    build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.locator(".navbar-toggler").click()
    page.locator('#nav a[href="/members/"]').click()
    expect(page.locator("#member-rows")).to_contain_text("张伟")
    width = page_width(page)
    assert width <= 360, f"page scrolls sideways at phone width ({width}px)"


def test_secretary_edits_a_member_without_retyping_anything(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/members/{world.member.pk}/edit/")
    expect(page.locator("#id_join_date")).to_have_value(world.member.join_date.isoformat())
    page.fill("#id_job_title", "村委会委员")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("村委会委员")
