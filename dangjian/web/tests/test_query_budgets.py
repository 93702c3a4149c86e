"""Pages cost a fixed number of queries, however many rows they show (no N+1)."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.core.scoping import SYSTEM
from dangjian.organizations.services import create_organization
from dangjian.testing.world import World, make_member


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
    assert before <= 10


def test_org_pages_budget(world: World) -> None:
    client = Client()
    client.force_login(world.county_staff)
    assert queries_for(client, f"/orgs/{world.township.pk}/") <= 12
    assert queries_for(client, f"/orgs/{world.township.pk}/children/") <= 8
    assert queries_for(client, f"/members/{world.member.pk}/") <= 10
