"""Party dues in a real browser: a member reads their dues on a phone; a secretary records a
payment on a phone too (both pages must fit 360 px without scrolling sideways)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment
from dangjian.dues.months import label, this_month
from dangjian.dues.services import record_payment, set_profile
from dangjian.testing.world import World, build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _dues(world: World) -> None:
    """Both members of branch A on a base of 8000 (120.00 a month) since four months ago;
    张伟 paid the first of those months by proxy, and nothing since: three months unpaid."""
    month = this_month()
    first = add_months(month, -3)
    for member in (world.member, world.member2):
        set_profile(member, "salaried", base=Decimal("8000"), effective_from=first, acting_user=SYSTEM)
    record_payment(
        world.member,
        period_from=first,
        period_to=first,
        amount=Decimal("120.00"),
        receipt_no="No.2026-0815",
        paid_by_proxy="张伟的妻子",
        acting_user=SYSTEM,
    )


def test_member_reads_their_dues_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    _dues(world)
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/dues/")
    expect(page.locator("#current-amount")).to_have_text("¥120.00")
    expect(page.locator("#current-rule")).to_contain_text("1.5%")
    expect(page.locator("#owed-total")).to_have_text("¥360.00")
    expect(page.locator("#arrears")).to_be_visible()  # three consecutive months: warned
    expect(page.locator("#payments")).to_contain_text("No.2026-0815")
    expect(page.locator("#payments")).to_contain_text("张伟的妻子")
    expect(page.locator("main")).not_to_contain_text("李娜")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_secretary_records_a_payment_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    _dues(world)
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/dues/")
    expect(page.locator("#flags")).to_contain_text("李娜")  # four months unpaid
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#members").get_by_role("link", name="张伟").click()
    month = label(this_month())
    form = page.locator("#form-payment")
    form.locator("#id_period_from").fill(month)
    form.locator("#id_period_to").fill(month)
    form.locator("#id_amount").fill("100")
    form.locator("#id_receipt_no").fill("No.2026-1101")
    form.locator("button[type=submit]").click()
    expect(page.locator("#form-payment .invalid-feedback")).to_contain_text("120.00")  # not the dues
    assert not DuesPayment.objects.filter(receipt_no="No.2026-1101").exists()
    page.locator("#form-payment #id_amount").fill("120.00")
    page.locator("#form-payment button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(re.compile("No.2026-1101"))
    assert DuesPayment.objects.filter(member=world.member, receipt_no="No.2026-1101").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
