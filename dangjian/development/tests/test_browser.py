"""The branch secretary on a phone (360 px) opens the branch's development board from the
organization page, registers an application with its written application attached, and records
the talk; a talk dated in the future is refused on the page with the rule's words. Chinese, as
users see it."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.development.models import Applicant
from dangjian.dues.tests.images import png
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

from .helpers import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots to look at, when asked for (DANGJIAN_SHOTS=<directory>).
SHOTS = os.environ.get("DANGJIAN_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_register_an_application_and_record_the_talk_on_a_phone(
    page: Page, live_server: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/")
    page.locator("#org-development-link").click()
    expect(page.locator("#board")).to_contain_text("入党申请人")
    assert_fits(page, 360)
    _shot(page, "development-board-phone")
    page.locator("#register-link").click()
    today = timezone.localdate()
    page.fill("#id_name", "周明")
    page.fill("#id_id_number", id_number())
    page.select_option("#id_education", "bachelor")
    page.select_option("#id_occupation", "worker")
    page.fill("#id_applied_on", (today - timedelta(days=5)).isoformat())
    scan = tmp_path / "申请书.png"
    scan.write_bytes(png())
    page.set_input_files("#register-files", str(scan))
    page.locator("#register-form button").click()
    expect(page.locator("#stage")).to_have_text("入党申请人")
    expect(page.locator("#step-1")).to_contain_text("申请书.png")
    assert_fits(page, 360)

    form = page.locator("#step-form-2")
    form.locator("input[name=s2-on]").fill((today + timedelta(days=1)).isoformat())
    form.locator("input[name=s2-actor]").fill("王书记")
    form.locator("button").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("不能晚于今天")
    form = page.locator("#step-form-2")
    form.locator("input[name=s2-on]").fill((today - timedelta(days=1)).isoformat())
    form.locator("input[name=s2-actor]").fill("王书记")
    form.locator("button").click()
    expect(page.locator("#step-2")).to_contain_text("党组织派人谈话")
    expect(page.locator("#step-form-3")).to_be_visible()
    _shot(page, "development-person-phone")
    assert Applicant.objects.get(name="周明").last_step == 2


def test_the_person_reads_their_own_progress_on_a_phone(page: Page, live_server: Any) -> None:
    from dangjian.accounts.models import User
    from dangjian.development.services import issue_account
    from dangjian.testing.world import PASSWORD

    from .helpers import register, up_to

    world = build_world()
    applicant = up_to(world, register(world, name="赵小明"), 11)
    issue_account(applicant, "zhaoxm", PASSWORD, acting_user=world.users["sysadmin"])
    User.objects.filter(username="zhaoxm").update(must_change_password=False)
    base = str(live_server)
    page.set_viewport_size({"width": 375, "height": 780})
    log_in(page, base, "zhaoxm", otp=False)
    page.locator("#home-development a").click()
    expect(page.locator("#my-stage")).to_have_text("发展对象")
    expect(page.locator("#my-introducers")).to_contain_text(world.member2.name)
    expect(page.locator("#my-next")).to_contain_text("支部委员会审查")
    assert_fits(page, 375)
    _shot(page, "development-mine-phone")
