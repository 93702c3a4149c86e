"""Enrolling a second factor on a phone: the activation code first, then the QR code and key,
then the first verification code. Screenshots go to /tmp/enroll_*.png for a human look."""

import tempfile
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from dangjian.accounts.credential_services import issue_activation_code
from dangjian.accounts.models import User
from dangjian.accounts.services import reset_totp
from dangjian.testing.browser import page_width
from dangjian.testing.world import PASSWORD, build_world
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401

SHOTS = Path(tempfile.gettempdir())

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scroll_width(page: Page) -> int:
    return page_width(page)


def test_secretary_enrolls_with_an_activation_code_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    reset_totp(world.secretary, acting_user=world.secadmin)
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/account/2fa/")
    expect(page.locator("#id_code")).to_be_visible()
    expect(page.locator("svg:not(.icon)")).to_have_count(0)  # no QR code before the activation code
    page.fill("#id_code", "ABCD-EFGH-JKMN")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("激活码无效")
    assert scroll_width(page) <= 390
    page.screenshot(path=SHOTS / "enroll_code_390.png", full_page=True)

    code, _row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    page.fill("#id_code", code)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_otp")).to_be_visible()
    secret = User.objects.get(pk=world.secretary.pk).totp_secret
    expect(page.locator("code.user-select-all")).to_have_text(secret)
    assert scroll_width(page) <= 390
    page.screenshot(path=SHOTS / "enroll_secret_390.png", full_page=True)
    page.fill("#id_otp", pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    assert User.objects.get(pk=world.secretary.pk).totp_confirmed
