"""What the compliance engine reads, the rating summary, the rectification hook, query counts."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from dangjian.core.scoping import SYSTEM
from dangjian.evaluation import services
from dangjian.evaluation.handling import create_handling
from dangjian.evaluation.participation import rate_member
from dangjian.evaluation.queries import (
    RECTIFICATION_STATUS_PROVIDERS,
    campaign_status,
    campaign_table,
    rating_summary,
    unqualified_without_handling,
)
from dangjian.testing.world import World, make_member, make_user

from .helpers import graded, new_campaign, today


@pytest.fixture
def provider() -> Iterator[None]:
    def fake(member_ids: list[int], year: int) -> dict[int, str]:
        return {pk: f"{year}: 2 problems, 1 rectified" for pk in member_ids[:1]}

    RECTIFICATION_STATUS_PROVIDERS.append(fake)
    yield
    RECTIFICATION_STATUS_PROVIDERS.remove(fake)


def test_status_and_unqualified_without_handling(world: World) -> None:
    year = today().year
    campaign = new_campaign(world.branch)
    assert campaign_status(world.county.path, year) == {world.branch.pk: "open"}
    assert campaign_status(world.county_b.path, year) == {}
    graded(campaign, {world.member.pk: "unqualified", world.member2.pk: "unqualified"})
    services.propose(campaign, acting_user=SYSTEM)
    assert unqualified_without_handling(world.county.path, year) == {}  # not approved yet
    services.approve(campaign, acting_user=world.county_staff)
    assert unqualified_without_handling(world.county.path, year) == {
        world.branch.pk: sorted([world.member.pk, world.member2.pk])
    }
    create_handling(campaign, world.member, "remove", acting_user=SYSTEM)
    assert unqualified_without_handling(world.province.path, year) == {world.branch.pk: [world.member2.pk]}
    assert unqualified_without_handling(world.county_b.path, year) == {}
    assert unqualified_without_handling(world.county.path, year - 1) == {}
    out = StringIO()
    call_command("evaluation", "status", "--org", "430102", "--year", str(year), stdout=out)
    text = out.getvalue()
    assert "430102001001\t第一党支部\tapproved" in text and "1 unqualified without handling" in text
    assert "430102001002\t第二党支部\tnone\tnot started" in text


def test_summary_counts_only(world: World, provider: None) -> None:
    campaign = new_campaign(world.branch)
    third = make_member(world.branch, "陈静")
    users = [world.member_user, make_user("li_na", None, world.branch, member=world.member2)]
    users.append(make_user("chen", None, world.branch, member=third))
    rate_member(campaign, world.member2, "excellent", "好", acting_user=users[0])
    rate_member(campaign, world.member2, "qualified", "认真", acting_user=users[2])
    rate_member(campaign, world.member, "qualified", acting_user=users[1])
    assert rating_summary(campaign) == {
        world.member2.pk: {"excellent": 1, "qualified": 1},
        world.member.pk: {"qualified": 1},
    }
    # While rating is open the table shows neither counts nor comments.
    rows = {r.member.name: r for r in campaign_table(campaign)}
    assert rows["李娜"].comments == [] and rows["李娜"].counts == {}
    campaign = services.close_rating(campaign, acting_user=SYSTEM)
    rows = {r.member.name: r for r in campaign_table(campaign)}
    assert rows["李娜"].comments == ["好", "认真"]  # alphabetical: no order of entry
    assert rows["李娜"].ratings == 2 and rows["陈静"].ratings == 0
    assert rows["张伟"].rectification.endswith("1 rectified") and rows["李娜"].rectification == ""


def test_table_queries_do_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    campaign = new_campaign(world.branch)
    with django_assert_max_num_queries(7) as ctx:
        campaign_table(campaign)
    for i in range(8):
        make_member(world.branch, f"党员{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert len(campaign_table(campaign)) == 10
