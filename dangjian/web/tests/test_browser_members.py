"""The member search and the disclosure forms in a real browser: the exact search posts (the ID
number never reaches the address bar), the birth date shows as a year-month until revealed."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_id_number_posts_and_birth_date_reveals(page: Page, live_server: object) -> None:
    world = build_world()
    member = Member.objects.get(pk=world.member.pk)
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county_staff", otp=True)
    page.goto(f"{base}/members/")
    page.fill("#member-search [name=id_number]", member.id_number)
    page.locator("#member-search button[type=submit]").click()
    expect(page.locator("#member-table")).to_contain_text("张伟")
    expect(page.locator("#member-table")).not_to_contain_text("李娜")
    assert member.id_number not in page.url and member.id_number[6:] not in page.url
    assert AuditEntry.objects.filter(action="member.search", actor_name="county_staff").count() == 1

    page.get_by_role("link", name="张伟").click()
    expect(page.locator("#birth-date")).to_have_text("1980-05")
    expect(page.locator("#id-number")).to_have_text(member.id_number[:6] + "*" * 12)
    page.locator("#birth-date + button").click()
    expect(page.locator("#birth-date")).to_have_text("1980-05-04")
    assert AuditEntry.objects.filter(action="member.reveal", detail="birth_date").count() == 1
