"""Accessibility of the main pages, measured in Chromium: axe-core (npm, read from node_modules and
injected by the test, never served to users) finds no critical or serious violation at 360 px and
1280 px, in Chinese and English; no visible text is below 14 px; and at 200 % text on a 360 px phone
no page scrolls sideways."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from dangjian.accounts.models import User
from dangjian.compliance.services import load_rule_set
from dangjian.core.scoping import SYSTEM
from dangjian.discussion.models import Thread
from dangjian.discussion.services import start_thread
from dangjian.notices.models import Notice
from dangjian.notices.services import create_notice, send_notice
from dangjian.notifications.services import notify
from dangjian.orglife.checkin import current_code
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.browser import page_width
from dangjian.testing.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RULESETS = Path(settings.BASE_DIR) / "dangjian" / "compliance" / "rulesets"
WIDTHS = (360, 1280)
LANGUAGES = ("zh-hans", "en")
BLOCKING = ("critical", "serious")
# WCAG 2.2 AA 2.5.8 (target size minimum, 24 px): axe tags it wcag22aa and leaves it off by default
# and rates it "serious"; it is switched on by id and fails the walk whatever its impact.
ALWAYS = ("target-size",)


def pages(world: World, meeting_pk: int) -> dict[str, list[str]]:
    """The main pages of each persona (the ~25 a user reaches first)."""
    branch, township, county = world.branch.pk, world.township.pk, world.county.pk
    notice = Notice.objects.filter(organization=world.branch).get().pk
    return {
        "": ["/login/", "/no-such-page/"],
        "member_user": [
            "/",
            "/my/meetings/",
            "/my/dues/",
            "/my/card/",
            "/my/points/",
            "/my/evaluation/",
            "/notifications/",
            "/my/branch/threads/",
            f"/threads/{Thread.objects.values_list('pk', flat=True).first()}/",
            "/my/notifications/",
            "/my/branch/",
            f"/my/notices/{notice}/",
            f"/checkin/{meeting_pk}/{current_code(meeting_pk)}/",
        ],
        "secretary": [
            f"/orgs/{branch}/meetings/",
            f"/meetings/{meeting_pk}/",
            f"/orgs/{branch}/meetings/add/",
            f"/orgs/{branch}/dues/",
            f"/orgs/{branch}/evaluation/",
            f"/orgs/{branch}/points/",
            f"/orgs/{branch}/threads/moderation/",
            f"/orgs/{branch}/notices/",
            f"/orgs/{branch}/notices/new/",
            f"/orgs/{branch}/notices/{notice}/",
        ],
        "county_staff": [
            "/orgs/",
            f"/orgs/{township}/",
            "/members/",
            f"/members/{world.member.pk}/",
            f"/orgs/{county}/compliance/",
            f"/orgs/{county}/supervision/",
            f"/orgs/{county}/transfers/",
            f"/orgs/{county}/discussion-words/",
        ],
        "secadmin": ["/users/", "/security/"],
        "auditor": ["/audit/"],
    }


def activity(world: World) -> int:
    for path in sorted(RULESETS.glob("*.yaml")):
        load_rule_set(path.read_text(encoding="utf-8"), source_name=path.name, acting_user=SYSTEM)
    start = timezone.now() - timedelta(minutes=10)
    meeting = schedule_meeting(
        world.branch,
        {
            "kind": "theme_day",
            "topic": "主题党日：学习党章",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
        },
        acting_user=world.secretary,
    )
    start_thread(
        world.branch, "学习心得交流", "大家谈谈学习党章的体会", acting_user=world.users["member_user"]
    )
    notify(
        [world.users["member_user"]],
        kind="meeting",
        key="a11y",
        title="会议通知",
        body="本周五召开支部党员大会。",
    )
    notice = create_notice(
        world.branch,
        {
            "title": "关于学习党章的通知",
            "body": "<p>请阅读党章第三章。</p>",
            "must_read": True,
            "pinned": True,
        },
        acting_user=SYSTEM,
    )
    send_notice(notice, acting_user=SYSTEM)
    return meeting.pk


def signed_in(browser: Browser, base: str, username: str) -> BrowserContext:
    """A context holding a session of `username` (made by Django's test client: no second factor
    to type, so the walk needs no fresh authenticator codes)."""
    context = browser.new_context(locale="zh-CN")
    if username:
        client = Client()
        client.force_login(User.objects.get(username=username))
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    return context


def violations(page: Page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"],
                                      rules: {"target-size": {enabled: true}}})).violations
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [
        f"{v['impact']} {v['id']} {v['nodes']}" for v in found if v["impact"] in BLOCKING or v["id"] in ALWAYS
    ]


SMALL_TEXT = """() => {
  const small = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest(".visually-hidden")) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) small.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px`);
  }
  return small.slice(0, 3);
}"""


def overflow_at_double_text(page: Page) -> int:
    """Document width at 200 % root text on the current (phone) viewport."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    width = page_width(page)
    page.evaluate("document.documentElement.style.fontSize = ''")
    return width


def walk(browser: Browser, base: str, world: World, meeting_pk: int) -> Iterator[str]:
    for username, paths in pages(world, meeting_pk).items():
        who = username or "anonymous"
        context = signed_in(browser, base, username)
        page = context.new_page()
        for language in LANGUAGES:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
            for path in paths:
                page.set_viewport_size({"width": WIDTHS[0], "height": 740})
                page.goto(f"{base}{path}")
                for problem in violations(page):
                    yield f"{who} {language} 360 {path}: {problem}"
                width = overflow_at_double_text(page)
                if width > WIDTHS[0]:
                    yield f"{who} {language} 360 {path}: scrolls sideways at 200 % text ({width}px)"
                page.set_viewport_size({"width": WIDTHS[1], "height": 900})
                for problem in violations(page):
                    yield f"{who} {language} 1280 {path}: {problem}"
                for element in page.evaluate(SMALL_TEXT):
                    yield f"{who} {language} 1280 {path}: text below 14 px: {element}"
        context.close()


def test_main_pages_pass_axe_and_hold_200_percent_text(browser: Browser, live_server: object) -> None:
    world = build_world()
    meeting_pk = activity(world)
    problems = list(walk(browser, str(live_server), world, meeting_pk))
    assert problems == [], "\n".join(problems)


def test_a_target_below_24_px_fails_the_walk(browser: Browser, live_server: object) -> None:
    """The walk's target-size check is live: a 16 px button next to another fails it."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server}/login/")
    assert violations(page) == []
    page.evaluate(
        """() => { const form = document.querySelector("form");
            for (const name of ["a", "b"]) {
              const b = document.createElement("button");
              b.type = "button";
              b.setAttribute("aria-label", name);
              Object.assign(b.style, {width: "16px", height: "16px", padding: "0", minHeight: "0"});
              form.prepend(b);
            } }"""
    )
    assert any("target-size" in problem for problem in violations(page))
