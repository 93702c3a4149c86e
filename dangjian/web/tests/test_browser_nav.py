"""Real Chromium at phone width: the tab bar, 我的, and the installable app (installability, the
member's pages offline, nothing kept after logout)."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserType, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dangjian.testing.browser import page_width
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_each_tab_reaches_its_page_and_the_bar_covers_nothing(page: Page, live_server: object) -> None:
    build_world()
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "member_user", otp=False)
    bar = page.locator("#tabbar")
    expect(bar).to_be_visible()
    expect(page.locator(".navbar-collapse")).to_be_hidden()  # the header menu stays folded
    for label, url, heading in [
        ("会议", "/my/meetings/", "我的会议"),
        ("学习", "/my/study/", "学习计划"),
        ("支部", "/my/branch/", "第一党支部"),
        ("我的", "/my/", "我的"),
        ("首页", "/", ""),
    ]:
        bar.get_by_role("link", name=label).click()
        expect(page).to_have_url(base + url)
        current = bar.locator('[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_text(label)
        if heading:
            expect(page.locator("h1")).to_contain_text(heading)
        width = page_width(page)
        assert width <= PHONE["width"], (url, width)
        box = bar.bounding_box()
        assert box is not None and box["height"] >= 48
    # 我的 lists the member's pages and the account; at the very bottom, the last button is above
    # the bar, not under it.
    bar.get_by_role("link", name="我的").click()
    for name in (
        "我的会议",
        "我的党费",
        "我的积分",
        "我的评议",
        "我的党员证",
        "修改密码",
        "双因素认证",
        "API 令牌",
    ):
        expect(page.locator("main").get_by_role("link", name=name)).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    logout = page.locator("main form[data-dj-logout] button")
    last, tabs = logout.bounding_box(), bar.bounding_box()
    assert last is not None and tabs is not None
    assert last["y"] + last["height"] <= tabs["y"], "the tab bar covers the end of the page"


def test_the_header_leads_staff_to_meetings_and_supervision_on_desktop(
    page: Page, live_server: object
) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    expect(page.locator("#tabbar")).to_be_hidden()
    expect(page.locator("#bell")).to_contain_text("通知")  # the bell has a visible label here
    page.locator("#nav-top").get_by_role("link", name="督导").click()
    expect(page).to_have_url(f"{base}/orgs/{world.county.pk}/supervision/")
    expect(page.locator('#nav-top [aria-current="page"]')).to_have_text(re.compile("督导"))
    page.locator("#nav-top").get_by_role("link", name="会议").click()
    expect(page).to_have_url(f"{base}/orgs/{world.county.pk}/meetings/")


ACTIVATED = """async () => {
  const registration = await navigator.serviceWorker.getRegistration("/");
  return !!(registration && registration.active && registration.active.state === "activated");
}"""


def _wait_for_worker(page: Page) -> None:
    """Until the worker is active and controls the page. The first install can fail on a loaded
    machine (a precached file not answered in time) and is then dropped by the browser; each page
    registers again (pwa.js), so a reload retries it. A page loaded while the worker was still
    installing is controlled once the worker claims it, or at the latest after a reload."""
    for _attempt in range(3):
        try:
            page.wait_for_function(ACTIVATED, timeout=20_000)
            break
        except PlaywrightTimeoutError:
            page.reload()
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_chromium_can_install_the_app(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any], live_server: object, tmp_path: Path
) -> None:
    """Chromium's own installability check (the one behind its install button). A persistent
    profile: in an incognito-like context Chromium answers "in-incognito" and checks nothing."""
    build_world()
    base = str(live_server)
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args)
    try:
        page = context.new_page()
        log_in(page, base, "member_user", otp=False)
        _wait_for_worker(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    finally:
        context.close()


def test_the_card_and_the_offline_page_render_without_network(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "member_user", otp=False)
    _wait_for_worker(page)
    page.goto(f"{base}/my/card/")  # read once online: kept for offline reading
    page.locator("main form button[type=submit]").first.click()  # 领取电子党员证
    expect(page.locator("main")).to_contain_text(world.member.name)
    page.goto(f"{base}/my/meetings/")
    page.context.set_offline(True)
    try:
        page.goto(f"{base}/my/card/")
        expect(page.locator("main")).to_contain_text(world.member.name)
        expect(page.locator("#tabbar")).to_be_visible()  # styled: the shell's CSS is cached
        page.goto(f"{base}/my/meetings/")
        expect(page.locator("h1")).to_contain_text("我的会议")
        page.goto(f"{base}/members/")  # a staff list: never kept, the offline page instead
        expect(page.locator("#offline")).to_contain_text("暂时无法连接")
        assert world.member2.name not in page.content()
    finally:
        page.context.set_offline(False)
    # Logging out empties the kept pages: the next person with this phone reads nothing.
    page.goto(f"{base}/my/")
    page.locator("main form[data-dj-logout] button").click()
    expect(page).to_have_url(re.compile("/login/"))
    assert page.evaluate("() => caches.has('dj-pages')") is False
    page.context.set_offline(True)
    try:
        page.goto(f"{base}/my/card/")
        expect(page.locator("#offline")).to_be_visible()
        assert world.member.name not in page.content()
    finally:
        page.context.set_offline(False)
