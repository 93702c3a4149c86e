"""Content-Security-Policy in Chromium: personas walk the main pages and nothing is refused.

Every document carries the strict policy, and the behaviour that used to be inline script still
works from its static file: the organization tree opens (HTMX), the member filter narrows the list
(HTMX), the supervision dashboard draws its ECharts canvas and sorts, the year picker sends
itself, the minutes editor formats text, the host's check-in code refreshes and a member checks
in. A refused script, style or eval shows up as a `securitypolicyviolation` event or a console
error, and fails the test.
"""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from dangjian.compliance.tests import test_pages as compliance_pages
from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

dues_metric = compliance_pages.dues_metric

# Injected through the DevTools protocol, so the policy does not apply to it; it reports every
# violation on the console, where the listener below collects it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.documents: list[tuple[str, str]] = []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self.response)

    def console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "CSP violation" in text):
            self.problems.append(text)

    def response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            self.documents.append((response.url, response.headers.get("content-security-policy", "")))


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    yield Watch(page)


@pytest.mark.usefixtures("dues_metric")
def test_personas_walk_the_main_pages_without_a_policy_violation(
    page: Page, live_server: object, watch: Watch
) -> None:
    world = compliance_pages.set_up(build_world(), months=(2, 3, 4))
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/")
    tree = page.locator("#org-tree")
    toggle = tree.get_by_role("button", name=re.compile("定王台街道党工委"))
    toggle.click()
    expect(tree.get_by_role("link", name="第一党支部")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    page.goto(f"{base}/members/")
    page.fill("input[name=q]", "张伟")
    page.press("input[name=q]", "Enter")  # HTMX takes the submit: the table swaps, the URL follows
    expect(page).to_have_url(re.compile(r"q=%E5%BC%A0%E4%BC%9F|q=张伟"))
    expect(page.locator("#member-rows")).to_contain_text("张伟")

    page.goto(f"{base}/orgs/{world.county.pk}/supervision/?year=2026")
    page.locator("#trend canvas").first.wait_for()
    box = page.locator("#trend").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the tooltip
    page.wait_for_timeout(500)
    page.locator("#matrix thead .dj-sort[data-col='2']").click()
    expect(page.locator("#matrix thead th[aria-sort='descending']")).to_have_count(1)
    page.select_option("#id_year", "2025")  # the picker sends itself (static script, no onchange)
    expect(page).to_have_url(re.compile(r"year=2025"))

    page.context.clear_cookies()
    start = timezone.now() - timedelta(minutes=5)
    meeting = schedule_meeting(
        world.branch,
        {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.secretary,
    )
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/meetings/{meeting.pk}/qr/")
    expect(page.locator("main svg:not(.icon)").first).to_be_visible()
    page.goto(f"{base}/meetings/{meeting.pk}/")
    editor = page.locator("[data-rt-editor]").first
    expect(editor).to_be_visible()  # the script swapped the textarea for the editor
    editor.click()
    page.keyboard.type("传达上级精神")
    page.keyboard.press("Control+A")
    page.locator("[data-rt-toolbar] button[data-cmd=bold]").first.click()
    page.locator("form[action$='/minutes/'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    minutes = Meeting.objects.get(pk=meeting.pk).minutes
    assert "传达上级精神" in minutes and re.search(r"<(b|strong)>", minutes), minutes

    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/checkin/{meeting.pk}/{current_code(meeting.pk)}/")
    page.get_by_role("button", name=re.compile("签到|Check in")).click()
    expect(page.locator("#checkin-result")).to_have_class(re.compile("alert-success"))
    page.goto(f"{base}/my/meetings/")
    expect(page.locator("main")).to_contain_text("主题党日")

    assert not watch.problems, "\n".join(watch.problems)
    assert len(watch.documents) >= 10
    for url, header in watch.documents:
        assert "script-src 'self'" in header and "style-src 'self'" in header, (url, header)
        assert "unsafe" not in header, (url, header)
