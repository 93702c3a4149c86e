"""Navigation: each persona's tab bar and header lead to pages they may open; 我的, 我的支部 and the
member's study page show their own branch only."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.orglife.services import schedule_meeting
from dangjian.study.services import add_item, create_plan
from dangjian.testing.world import World, add_every_role, make_member, make_user

pytestmark = pytest.mark.django_db

TAB_BAR = re.compile(r'<nav class="dj-tabbar[^"]*" id="tabbar".*?</nav>', re.S)
LINK = re.compile(r'<a class="dj-tab( active)?" href="([^"]+)"( aria-current="page")?>')


def tabs(client: Client, url: str = "/") -> list[tuple[str, bool]]:
    """(href, is current) of each tab on the page."""
    bar = TAB_BAR.search(client.get(url).content.decode())
    assert bar is not None
    return [(href, bool(current)) for _active, href, current in LINK.findall(bar.group(0))]


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_member_has_five_tabs_to_their_own_pages(world: World) -> None:
    client = login(world.member_user)
    assert tabs(client) == [
        ("/", True),
        ("/my/meetings/", False),
        ("/my/study/", False),
        ("/my/branch/", False),
        ("/my/", False),
    ]
    # The current page's tab is marked, and only that one.
    assert [current for _href, current in tabs(client, "/my/meetings/")] == [False, True, False, False, False]
    assert [current for _href, current in tabs(client, "/my/card/")] == [False, False, False, False, True]


@pytest.mark.parametrize(
    "persona",
    [
        "member_user",
        "secretary",
        "organizer",
        "county_staff",
        "supervisor",
        "sysadmin",
        "secadmin",
        "auditor",
    ],
)
def test_no_dead_tabs_or_header_items(world: World, persona: str) -> None:
    add_every_role(world)
    client = login(world.users[persona])
    body = client.get("/").content.decode()
    header = re.search(r'<ul class="navbar-nav me-auto" id="nav-top">(.*?)</ul>', body, re.S)
    assert header is not None
    hrefs = [href for href, _ in tabs(client)] + re.findall(r'href="([^"]+)"', header.group(1))
    assert 2 <= len(tabs(client)) <= 5
    for href in hrefs:
        response = client.get(href, follow=True)
        assert response.status_code == 200, (persona, href)


def test_staff_items_open_their_own_organization(world: World) -> None:
    client = login(world.secretary)
    assert [href for href, _ in tabs(client)] == ["/", "/go/meetings/", "/go/study/", "/go/org/", "/my/"]
    assert client.get("/go/meetings/")["Location"] == f"/orgs/{world.branch.pk}/meetings/"
    assert client.get("/go/study/")["Location"] == f"/orgs/{world.branch.pk}/study/"
    # A branch has nothing below it to supervise: its checklist instead.
    assert client.get("/go/supervision/")["Location"] == f"/orgs/{world.branch.pk}/compliance/"
    county = login(world.county_staff)
    assert county.get("/go/work-points/")["Location"] == f"/orgs/{world.county.pk}/compliance/"
    assert county.get("/go/supervision/")["Location"] == f"/orgs/{world.county.pk}/supervision/"
    assert county.get("/go/nowhere/").status_code == 404
    # The header shows the desktop items 会议 · 党员 · 工作要点 · 督导 to staff, not to a member.
    body = county.get("/").content.decode()
    for href in ("/go/meetings/", "/members/", "/go/work-points/", "/go/supervision/"):
        assert f'href="{href}"' in body
    assert 'href="/go/supervision/"' not in login(world.member_user).get("/").content.decode()


def test_a_home_organization_out_of_reach_falls_back_to_the_highest_grant(world: World) -> None:
    user = make_user("moved", Role.COMMITTEE_STAFF, world.township)
    user.home_org = world.county_b
    user.save()
    assert login(user).get("/go/meetings/")["Location"] == f"/orgs/{world.township.pk}/meetings/"
    nobody = make_user("nobody", None, world.county)
    assert login(nobody).get("/go/meetings/").status_code == 404


def test_the_admin_tab_bars_fit_their_roles(world: World) -> None:
    assert [h for h, _ in tabs(login(world.auditor))] == ["/", "/audit/", "/my/"]
    assert [h for h, _ in tabs(login(world.secadmin))] == ["/", "/users/", "/security/", "/my/"]
    assert [h for h, _ in tabs(login(world.sysadmin))] == ["/", "/orgs/", "/users/", "/my/"]


def test_my_page_lists_the_members_pages_and_the_account(world: World) -> None:
    body = login(world.member_user).get("/my/").content.decode()
    for url in ("/my/meetings/", "/my/dues/", "/my/points/", "/my/evaluation/", "/my/card/", "/my/study/"):
        assert f'href="{url}"' in body
    for url in ("/account/password/", "/account/2fa/", "/account/tokens/", "/logout/", "/i18n/setlang/"):
        assert url in body
    staff = login(world.secretary).get("/my/").content.decode()
    assert 'href="/my/dues/"' not in staff  # no member record: no member pages
    assert 'href="/account/password/"' in staff


def test_my_branch_shows_the_branch_and_its_coming_meetings_only(world: World) -> None:
    make_user("sec_member", Role.SECRETARY, world.branch, member=world.member2)
    soon = timezone.now() + timedelta(days=3)
    meeting = {"kind": "branch_assembly", "starts_at": soon, "ends_at": soon + timedelta(hours=2)}
    schedule_meeting(world.branch, meeting | {"topic": "学习新党章"}, acting_user=world.secretary)
    other_sec = make_user("sec_b", Role.SECRETARY, world.branch_b)
    schedule_meeting(world.branch_b, meeting | {"topic": "别的支部的会"}, acting_user=other_sec)
    body = login(world.member_user).get("/my/branch/").content.decode()
    assert world.branch.name in body
    assert "学习新党章" in body and "别的支部的会" not in body
    assert world.member2.name in body  # the secretary
    assert re.search(r'id="branch-member-count">2<', body)
    # No personal field of anyone: the masked ID and phone are not even there.
    assert world.member.id_number_masked not in body
    # A user without a member record is sent to their organization's page.
    assert login(world.secretary).get("/my/branch/")["Location"] == "/go/org/"


def test_the_members_study_page_is_their_branch_plan_read_only(world: World) -> None:
    year = timezone.localdate().year
    plan = create_plan(world.branch, year, "年度学习计划", acting_user=world.secretary)
    add_item(plan, 3, "学习党章", "党章第一章", acting_user=world.secretary)
    other = create_plan(
        world.branch_b, year, "别的计划", acting_user=make_user("sec_b", Role.SECRETARY, world.branch_b)
    )
    assert other.pk
    # A member without any grant still reaches the plan of their own branch.
    bare = make_user("bare_member", None, world.branch, member=make_member(world.branch, "赵六"))
    for user in (world.member_user, bare):
        response = login(user).get("/my/study/")
        body = response.content.decode()
        assert response.status_code == 200
        assert "年度学习计划" in body and "学习党章" in body and "别的计划" not in body
        assert 'name="add_item"' not in body and 'name="create_plan"' not in body
    assert login(world.secretary).get("/my/study/")["Location"] == "/my/"
