from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World


def test_personas_see_their_subtree_only(world: World) -> None:
    assert set(Organization.objects.restrict(world.outsider).values_list("name", flat=True)) == {
        "天心区委",
        "坡子街党支部",
    }
    assert Member.objects.restrict(world.county_staff).count() == 2
    assert Member.objects.restrict(world.province_staff).count() == 3
    assert Member.objects.restrict(world.auditor).count() == 0
