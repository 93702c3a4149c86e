"""Pages cost a fixed number of queries, however many rows they show (no N+1)."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.core.scoping import SYSTEM
from dangjian.organizations.services import create_organization
from dangjian.testing.world import World, make_member

from .test_home import HOME_QUERY_BUDGET


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (login policy)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


@pytest.mark.parametrize("path", ["/members/", "/orgs/", "/", "/audit/"])
def test_list_pages_do_not_grow_with_rows(world: World, path: str) -> None:
    client = Client()
    client.force_login(world.province_staff if path != "/audit/" else world.auditor)
    before = queries_for(client, path)
    for i in range(12):
        make_member(world.branch2, f"新党员{i}", birth=date(1970 + i, 1, 2))
        create_organization(
            world.township, {"name": f"新支部{i}", "code": f"N{i}", "kind": "branch"}, acting_user=SYSTEM
        )
    assert queries_for(client, path) == before
    # The home has a section per role, each a few counts: its own budget (test_home.py).
    assert before <= (HOME_QUERY_BUDGET if path == "/" else 10)


def test_org_pages_budget(world: World) -> None:
    client = Client()
    client.force_login(world.county_staff)
    assert queries_for(client, f"/orgs/{world.township.pk}/") <= 12
    assert queries_for(client, f"/orgs/{world.township.pk}/children/") <= 8
    assert queries_for(client, f"/members/{world.member.pk}/") <= 10


# The 支部 tab: the branch's facts, meetings, notices, discussion and polls, a few queries each.
BRANCH_SPACE_QUERY_BUDGET = 20


def test_branch_space_budget_with_every_section_filled(world: World) -> None:
    from dangjian.discussion.services import start_thread
    from dangjian.notices.services import create_notice, send_notice
    from dangjian.polls.tests.helpers import make_poll

    for i in range(3):
        start_thread(world.branch, f"话题{i}", "内容", acting_user=world.member_user)
        send_notice(
            create_notice(world.branch, {"title": f"通知{i}", "body": "请阅"}, acting_user=SYSTEM),
            acting_user=SYSTEM,
        )
        make_poll(world, title=f"投票{i}")
    client = Client()
    client.force_login(world.member_user)
    page = client.get("/my/branch/").content.decode()
    assert "话题2" in page and "通知2" in page and "投票2" in page
    assert queries_for(client, "/my/branch/") <= BRANCH_SPACE_QUERY_BUDGET
