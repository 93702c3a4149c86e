"""The minutes editor and photo upload in a real browser (the editor is our own small script)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.orglife.models import Meeting, MeetingAttachment
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.browser import natural_width
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .helpers import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_formats_minutes_and_attaches_a_photo(page: Page, live_server: object, media: Path) -> None:
    world = build_world()
    start = timezone.now() - timedelta(hours=3)
    meeting = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "党员大会",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
        },
        acting_user=world.secretary,
    )
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    expect(page.locator("#id_minutes_source")).to_be_hidden()  # the editor replaces the textarea
    editor = page.locator("#id_minutes")
    editor.click()
    page.keyboard.type("会议议程")
    page.locator("[data-cmd=bold]").click()
    page.keyboard.type("重点")
    page.locator("[data-cmd=bold]").click()
    page.keyboard.press("Enter")
    page.locator("[data-cmd=insertOrderedList]").click()
    page.keyboard.type("第一项")
    page.fill("#id_resolutions", "同意张三转正")
    page.locator("form[action$='/minutes/'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    saved = Meeting.objects.get(pk=meeting.pk)
    assert "<b>重点</b>" in saved.minutes or "<strong>重点</strong>" in saved.minutes
    assert "<ol><li>第一项</li></ol>" in saved.minutes and saved.resolutions == "同意张三转正"
    expect(page.locator(".dj-minutes b, .dj-minutes strong")).to_have_text("重点")

    page.set_input_files(
        "#id_file", files=[{"name": "合影.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.locator("form[action$='/attachments/'] button[type=submit]").click()
    thumbnail = page.locator("img.img-thumbnail")
    expect(thumbnail).to_be_visible()
    # The photo is served through the scoped view (lazy-loaded: wait until it has decoded).
    assert natural_width(thumbnail) == 8
    assert MeetingAttachment.objects.get().original_name == "合影.png"
