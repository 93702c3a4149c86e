"""Committee members' links to branches and the visits made through them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.leaders.services import appoint_leader, end_leader
from dangjian.supervision import link_services as services
from dangjian.supervision.models import CommitteeLink, InspectionVisit
from dangjian.testing.world import World

from .helpers import county_cadre, today

VISIT = {"checked": "三会一课记录", "findings": "记录齐全", "follow_up": ""}


def test_a_committee_member_links_a_branch_of_the_subtree(world: World) -> None:
    cadre = county_cadre(world)
    link = services.link_branch(cadre, world.branch, acting_user=world.county_staff)
    assert (link.committee, link.branch, link.since, link.ended_on) == (
        world.county,
        world.branch,
        today(),
        None,
    )
    services.link_branch(cadre, world.branch2, acting_user=world.county_staff)
    assert CommitteeLink.objects.filter(cadre=cadre).count() == 2


def test_not_a_branch_of_the_subtree_is_refused(world: World) -> None:
    cadre = county_cadre(world)
    with pytest.raises(ValidationError) as exc:
        services.link_branch(cadre, world.township, acting_user=world.county_staff)
    assert exc.value.messages == [
        "定王台街道党工委 is not a branch under 芙蓉区委; a committee member links branches of the "
        "committee's own subtree."
    ]
    with pytest.raises(ValidationError, match="坡子街党支部 is not a branch under 芙蓉区委"):
        services.link_branch(cadre, world.branch_b, acting_user=world.province_staff)
    assert not CommitteeLink.objects.exists()


def test_a_duplicate_active_link_is_refused_an_ended_one_may_be_renewed(world: World) -> None:
    cadre = county_cadre(world)
    link = services.link_branch(cadre, world.branch, since=today() - timedelta(days=30), acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="张伟 already links 第一党支部"):
        services.link_branch(cadre, world.branch, acting_user=world.county_staff)
    services.end_link(link, acting_user=world.county_staff)
    with pytest.raises(ValidationError, match="already ended"):
        services.end_link(link, acting_user=world.county_staff)
    services.link_branch(cadre, world.branch, acting_user=world.county_staff)
    assert CommitteeLink.objects.filter(ended_on__isnull=True).count() == 1


def test_who_may_link(world: World) -> None:
    cadre = county_cadre(world)
    for persona in ("secretary", "member_user", "outsider"):
        with pytest.raises(OutOfScope):
            services.link_branch(cadre, world.branch, acting_user=world.users[persona])
    with pytest.raises(ValidationError, match="cannot start in the future"):
        services.link_branch(cadre, world.branch, since=today() + timedelta(days=1), acting_user=SYSTEM)
    end_leader(cadre, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="no longer holds a post"):
        services.link_branch(cadre, world.branch, acting_user=world.county_staff)


def test_visits(world: World) -> None:
    cadre = county_cadre(world)
    link = services.link_branch(cadre, world.branch, since=today() - timedelta(days=10), acting_user=SYSTEM)
    visit = services.record_visit(link, {**VISIT, "visited_on": today()}, acting_user=world.county_staff)
    assert visit.recorded_by == world.county_staff and visit.findings == "记录齐全"
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.record_visit(link, {**VISIT, "visited_on": today() + timedelta(days=1)}, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="within the link's time"):
        services.record_visit(link, {**VISIT, "visited_on": today() - timedelta(days=11)}, acting_user=SYSTEM)
    with pytest.raises(ValidationError) as exc:
        services.record_visit(link, {"visited_on": today()}, acting_user=SYSTEM)
    assert set(exc.value.message_dict) == {"checked", "findings"}
    with pytest.raises(OutOfScope):
        services.record_visit(link, {**VISIT, "visited_on": today()}, acting_user=world.secretary)
    assert InspectionVisit.objects.count() == 1


def test_another_committees_cadre_is_out_of_the_county_staffs_reach(world: World) -> None:
    other = appoint_leader(world.county_b, world.member_b, "书记", acting_user=SYSTEM)
    with pytest.raises(OutOfScope):
        services.link_branch(other, world.branch_b, acting_user=world.county_staff)
