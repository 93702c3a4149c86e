"""Party dues in a real browser: a member reads their dues on a phone; a secretary records a
payment on a phone too (both pages must fit 360 px without scrolling sideways)."""

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment
from dangjian.dues.months import label, this_month
from dangjian.dues.services import record_payment, set_profile
from dangjian.testing.browser import assert_fits, natural_width
from dangjian.testing.world import World, build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
SHOTS = Path(tempfile.gettempdir())


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
    assert_fits(page, PHONE["width"])


def test_secretary_records_a_payment_on_a_phone(page: Page, live_server: object) -> None:
    world = build_world()
    _dues(world)
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/dues/")
    expect(page.locator("#flags")).to_contain_text("李娜")  # four months unpaid
    assert_fits(page, PHONE["width"])
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
    assert_fits(page, PHONE["width"])


def test_secretary_states_how_to_pay_and_the_member_sees_it(
    page: Page, live_server: object, settings: object, tmp_path: object
) -> None:
    from .test_browser_csp import Watch

    watch = Watch(page)  # no Content-Security-Policy violation on the way
    """The secretary fills the form with a QR image on a phone; the member's dues page shows
    the account and the QR next to what is owed, each month with its state. Screenshots go to
    /tmp/dues_*.png for a human look."""
    from dangjian.dues.models import PaymentInstructions
    from dangjian.dues.tests.images import png

    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    world = build_world()
    _dues(world)
    base = str(live_server)
    page.set_viewport_size(PHONE)
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/dues/")
    page.locator("#how-to-pay-link").click()
    form = page.locator("#instructions-form")
    form.locator("#id_transfer").check()
    form.locator("#id_account_name").fill("中共第一党支部")
    form.locator("#id_bank").fill("农业银行定王台支行")
    form.locator("#id_account_number").fill("6228 4801 2345 6789 012")
    form.locator("button[type=submit]").click()
    expect(form.locator(".invalid-feedback")).to_have_count(0)
    form.locator("#id_cash").check()
    form.locator("#id_cash_contact").fill("组织委员李娜，每月5日前")
    qr = Path(str(tmp_path)) / "收款码.png"
    qr.write_bytes(png(160, 160))
    form.locator("#id_qr").set_input_files(str(qr))
    form.locator("#id_notes").fill("也可在每月主题党日现场交纳。")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#current-qr")).to_be_visible()
    assert PaymentInstructions.objects.get(organization=world.branch).version == 2
    assert_fits(page, PHONE["width"])
    page.screenshot(path=SHOTS / "dues_instructions_form_360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "dues_instructions_form_1280.png", full_page=True)

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/dues/")
    how = page.locator("#how-to-pay")
    expect(how).to_contain_text("账号：6228 4801 2345 6789 012")
    expect(how).to_contain_text("组织委员李娜")
    assert natural_width(page.locator("#how-qr")) == 160  # served in scope
    month = this_month()
    expect(page.locator(f"#month-{label(month)}")).to_contain_text("应交")
    expect(page.locator(f"#month-{label(add_months(month, -3))}")).to_contain_text("已交")
    expect(page.locator(f"#month-{label(add_months(month, -1))}")).to_contain_text("逾期")
    assert_fits(page, PHONE["width"])
    page.screenshot(path=SHOTS / "dues_my_dues_360.png", full_page=True)
    # 200 % text (an older member's setting): the dues content still fits the phone's width.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "Array.from(document.querySelectorAll('main *'))"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)"
    )
    page.screenshot(path=SHOTS / "dues_my_dues_360_200pct.png", full_page=True)
    assert overflow == []
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "dues_my_dues_1280.png", full_page=True)
    assert not watch.problems, "\n".join(watch.problems)
