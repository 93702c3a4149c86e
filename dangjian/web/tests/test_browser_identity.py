"""A member's e-ID on a phone (360 px): get the card, see it with its QR code, and the public
verification page it opens — valid for the real code, refused for a forged one."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.identity.models import MemberCard
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Page) -> None:
    assert_fits(page, 360)


def test_member_card_on_a_phone_and_its_verification(page: Page, live_server: object) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "member_user", otp=False)
    page.goto(f"{base}/my/card/")
    page.locator("#get-card").click()
    card = page.locator("#card")
    expect(card).to_be_visible()
    expect(page.locator("#card-name")).to_have_text("张伟")
    expect(page.locator("#card-branch")).to_have_text("第一党支部")
    expect(page.locator("#card-join")).to_have_text(world.member.join_date.isoformat())
    expect(page.locator("#card-qr svg")).to_be_visible()
    no_sideways_scroll(page)
    issued = MemberCard.objects.get(member=world.member, revoked_at__isnull=True)
    href = page.locator("#verify-link").get_attribute("href") or ""
    assert href.endswith(f"/verify/{issued.token}/")

    # Whoever scans it need not be signed in.
    page.context.clear_cookies()
    page.goto(href)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-state", "valid")
    expect(verdict).to_contain_text("第一党支部")
    expect(verdict).to_contain_text("张*")
    expect(verdict).not_to_contain_text("张伟")
    expect(page.locator("main")).not_to_contain_text(world.member.id_number_masked)
    no_sideways_scroll(page)

    serial, _, signature = issued.token.partition(".")
    forged = f"{serial}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    page.goto(f"{base}/verify/{forged}/")
    expect(page.locator("#verdict")).to_have_attribute("data-state", "invalid")
    expect(page.locator("#verdict")).not_to_contain_text("第一党支部")
    no_sideways_scroll(page)
