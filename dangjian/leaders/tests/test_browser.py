"""A leader on a phone (360 px): their own page, a work submitted with its file; and the
committee's list, which stacks its table instead of scrolling sideways."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeaderWork
from dangjian.leaders.services import appoint_leader
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .helpers import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_submits_a_work_on_a_phone(
    page: Page, live_server: object, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    leader = appoint_leader(world.county, world.member, "书记", principal=True, acting_user=SYSTEM)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/leader/")
    expect(page).to_have_url(re.compile(rf"/leaders/{leader.pk}/$"))
    assert_fits(page, 360)
    page.select_option("#id_kind", "research_report")
    page.fill("#id_title", "关于基层党建的调研报告")
    upload = tmp_path / "调研报告.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("#id_attachment", str(upload))
    page.locator("#work-form button").click()
    expect(page.locator("#works")).to_contain_text("关于基层党建的调研报告")
    expect(page.locator("#works")).to_contain_text("调研报告.pdf")
    assert_fits(page, 360)
    assert LeaderWork.objects.get().attachment_name == "调研报告.pdf"


def test_committee_list_fits_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    appoint_leader(world.county, world.member, "书记", principal=True, acting_user=SYSTEM)
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.county.pk}/leaders/")
    expect(page.locator("#leaders")).to_contain_text("张伟")
    expect(page.locator("#appoint")).to_be_visible()
    assert_fits(page, 360)
