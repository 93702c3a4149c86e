"""count_each: several counts in one query, each equal to the queryset's own count()."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.counts import count_each
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World


def test_each_count_matches_the_querysets_own_in_one_query(world: World) -> None:
    querysets = [
        Member.objects.filter(subtree_q(world.county.path, "organization__path")),  # a join
        Member.objects.filter(organization=world.branch_b),
        Organization.objects.filter(subtree_q(world.county.path)),
        Member.objects.filter(name="没有这个人"),
        Member.objects.restrict(world.secretary, "view"),  # the scoping filter comes along
        Member.objects.restrict(world.outsider, "view").filter(organization=world.branch),
    ]
    expected = [qs.count() for qs in querysets]
    assert expected[0] == 2 and expected[2] >= 4 and expected[3] == 0 and expected[5] == 0
    with CaptureQueriesContext(connection) as ctx:
        assert count_each(querysets) == expected
    assert len(ctx) == 1


def test_empty_querysets_cost_no_query(world: World) -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert count_each([Member.objects.none(), Member.objects.restrict(None, "view")]) == [0, 0]
    assert len(ctx) == 0
