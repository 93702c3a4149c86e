"""Importing a roster in a real browser: upload, preview, start, the progress bar to 100 %."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dangjian.members.models import Member
from dangjian.roster.tests.files import person, write_xlsx
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD = ["姓名", "公民身份号码", "人员类别", "入党时间", "联系电话", "所在党支部"]


def test_secretary_imports_a_roster(page: Page, live_server: object, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    rows = [person(f"党员{i}", 所在党支部="第一党支部") for i in range(30)]
    rows.append(person("错行", 入党时间="不知道", 所在党支部="第一党支部"))
    path = write_xlsx(tmp_path / "名册.xlsx", HEAD, rows, title="第一党支部党员名册")
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/orgs/{world.township.pk}/")
    page.locator("#manage-menu").click()  # the organization's management actions are a menu
    page.locator(f"a[href='/orgs/{world.township.pk}/import/']").click()
    page.set_input_files("#id_file", str(path))
    page.check("#id_partial")
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#detected-columns")).to_contain_text("公民身份号码")
    expect(page.locator("#preview-rows tbody tr")).to_have_count(10)
    page.locator("#start-import").click()
    bar = page.locator("#import-progress-bar")
    expect(bar).to_have_text("100%", timeout=30_000)
    expect(page.locator("#count-new")).to_have_text("30")
    expect(page.locator("#count-refused")).to_have_text("1")
    expect(page.locator("#report-link")).to_be_visible()
    assert Member.objects.filter(name__startswith="党员", organization=world.branch).count() == 30

    page.goto(f"{base}/members/?org={world.branch.code}")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    assert re.fullmatch(r"members-\d{8}\.csv", download.value.suggested_filename)
    # Wait for the whole file: a live-server thread still streaming it when the test ends would
    # close its database connection from the wrong thread.
    assert download.value.path().read_bytes().startswith("\ufeff".encode())
