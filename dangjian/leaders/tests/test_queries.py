"""The counts of work points 2, 3 and 14 against a hand-built year, including what must not count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeadingCadre
from dangjian.leaders.queries import (
    branch_study_attended,
    committee_counts,
    counts_for,
    leader_counts,
    leaders_in_period,
    lectures_given,
    year_bounds,
)
from dangjian.leaders.services import appoint_leader, end_leader, set_plan, submit_work
from dangjian.testing.world import World, make_member

from .helpers import meeting

# The whole counted year lies in the past, so meetings can be held and closed through the services.
Y = timezone.localdate().year - 1


def _day(month: int, year: int = Y) -> date:
    return date(year, month, 10)


@pytest.fixture
def year(world: World) -> dict[str, LeadingCadre]:
    """County: 张伟 (principal secretary) and 李娜 (deputy), both of branch A; township: 赵强 of
    branch A2; county B: 王芳 — outside the county's subtree."""
    zhao = make_member(world.branch2, "赵强")
    since = date(Y - 2, 1, 1)
    l1 = appoint_leader(world.county, world.member, "书记", principal=True, since=since, acting_user=SYSTEM)
    l2 = appoint_leader(world.county, world.member2, "副书记", since=since, acting_user=SYSTEM)
    l3 = appoint_leader(world.township, zhao, "书记", principal=True, since=since, acting_user=SYSTEM)
    lb = appoint_leader(
        world.county_b, world.member_b, "书记", principal=True, since=since, acting_user=SYSTEM
    )
    a, a2, me, li = world.branch, world.branch2, world.member, world.member2

    # Own branch study: counted only closed, present, this year, in the own branch, of study kinds.
    meeting(a, "branch_assembly", _day(3), present=[me])  # 张伟 +1, 李娜 absent
    meeting(a, "party_lecture", _day(4), present=[me], leave=[li], lecturer=me)  # 张伟 +1 and a lecture
    meeting(a, "theme_day", _day(5), present=[me, li], status="planned")  # not closed
    meeting(a, "org_life", _day(6), present=[me, li], status="cancelled")  # cancelled
    meeting(a, "branch_assembly", _day(6, Y - 1), present=[me, li])  # another year
    meeting(a2, "branch_assembly", _day(7), present=[zhao], guests=[me])  # 张伟 at another branch
    meeting(a, "party_lecture", _day(8), present=[li], lecturer=li, status="planned")  # not held

    # Central group study of the county: 2 held (one a topic discussion, one by the principal).
    county = world.county
    meeting(
        county,
        "central_group_study",
        _day(3),
        guests=[me, li],
        present=[me, li],
        lecturer=me,
        topic_discussion=True,
    )
    meeting(county, "central_group_study", _day(9), guests=[me], present=[me], lecturer=li)
    meeting(
        county, "central_group_study", _day(10), guests=[me], present=[me], lecturer=me, status="cancelled"
    )
    meeting(county, "central_group_study", _day(11, Y - 1), guests=[me], present=[me], lecturer=me)
    meeting(
        world.county_b,
        "central_group_study",
        _day(3),
        guests=[world.member_b],
        present=[world.member_b],
        lecturer=world.member_b,
    )

    # Democratic life meetings: only the leader's own committee counts.
    meeting(county, "democratic_life", _day(12), guests=[me, li], present=[me], leave=[li])
    meeting(world.township, "democratic_life", _day(12), guests=[me, zhao], present=[me, zhao])

    # Works and plans: this year's count; last year's do not.
    submit_work(
        l1, {"kind": "study_note", "title": "心得", "body": "x", "written_on": _day(2)}, acting_user=SYSTEM
    )
    submit_work(
        l1,
        {"kind": "theory_article", "title": "文章", "body": "x", "written_on": _day(5)},
        acting_user=SYSTEM,
    )
    submit_work(
        l1,
        {"kind": "research_report", "title": "调研", "body": "x", "written_on": _day(5, Y - 1)},
        acting_user=SYSTEM,
    )
    set_plan(l1, Y, [{"month": 1, "theme": "学习党章"}], acting_user=SYSTEM)
    set_plan(l2, Y - 1, [{"month": 1, "theme": "学习党章"}], acting_user=SYSTEM)
    return {"l1": l1, "l2": l2, "l3": l3, "lb": lb}


def test_leader_counts_of_a_subtree(world: World, year: dict[str, LeadingCadre]) -> None:
    l1, l2, l3 = year["l1"], year["l2"], year["l3"]
    counts = leader_counts(world.county.path, *year_bounds(Y))
    assert set(counts) == {l1.pk, l2.pk, l3.pk}  # county B's leader is another subtree
    c1, c2, c3 = counts[l1.pk], counts[l2.pk], counts[l3.pk]
    assert (c1.has_plan, c1.works, c1.works_total) == (True, {"study_note": 1, "theory_article": 1}, 2)
    assert (c1.lectures, c1.branch_study, c1.democratic_life) == (2, 2, 1)
    assert (c2.has_plan, c2.works_total, c2.lectures, c2.branch_study, c2.democratic_life) == (
        False,
        0,
        1,
        0,
        0,
    )
    assert (c3.lectures, c3.branch_study, c3.democratic_life) == (0, 1, 1)
    # Last year: the research report, the plan of 李娜, the assembly, the old session.
    old = leader_counts(world.county.path, *year_bounds(Y - 1))
    assert old[l1.pk].works == {"research_report": 1} and old[l2.pk].has_plan
    assert (old[l1.pk].lectures, old[l1.pk].branch_study, old[l1.pk].democratic_life) == (1, 1, 0)


def test_committee_counts(world: World, year: dict[str, LeadingCadre]) -> None:
    counts = committee_counts(world.county.path, *year_bounds(Y))
    assert set(counts) == {world.county.pk, world.township.pk}
    county = counts[world.county.pk]
    assert (county.central_group_sessions, county.topic_discussions, county.principal_lectures) == (2, 1, 1)
    assert county.principal_lectured and not county.sessions_met
    assert counts[world.township.pk].central_group_sessions == 0
    other = committee_counts(world.county_b.path, *year_bounds(Y))[world.county_b.pk]
    assert (other.central_group_sessions, other.principal_lectures) == (1, 1)
    # Once the principal's post has ended before the year, their lecture no longer counts as his.
    LeadingCadre.objects.filter(pk=year["lb"].pk).update(active=False, ended_on=date(Y - 1, 12, 31))
    assert committee_counts(world.county_b.path, *year_bounds(Y))[world.county_b.pk].principal_lectures == 0


def test_listings_for_the_leader_page(world: World, year: dict[str, LeadingCadre]) -> None:
    l1 = LeadingCadre.objects.select_related("member").get(pk=year["l1"].pk)
    start, end = year_bounds(Y)
    assert [m.kind for m in lectures_given(l1, start, end)] == ["party_lecture", "central_group_study"]
    assert [m.kind for m in branch_study_attended(l1, start, end)] == ["party_lecture", "branch_assembly"]


def test_who_is_in_post_during_the_period(world: World, year: dict[str, LeadingCadre]) -> None:
    end_leader(year["l2"], ended_on=date(Y - 1, 6, 30), acting_user=SYSTEM)
    assert year["l2"].pk not in {x.pk for x in leaders_in_period(world.county.path, *year_bounds(Y))}
    assert year["l2"].pk in {x.pk for x in leaders_in_period(world.county.path, *year_bounds(Y - 1))}
    later = appoint_leader(world.county, world.member2, "常委", acting_user=SYSTEM)  # appointed today
    assert later.pk not in leader_counts(world.county.path, *year_bounds(Y))


def test_query_count_does_not_grow_with_the_leaders(world: World, year: dict[str, LeadingCadre]) -> None:
    start, end = year_bounds(Y)
    with CaptureQueriesContext(connection) as few:
        leader_counts(world.province.path, start, end)
        committee_counts(world.province.path, start, end)
    for n in range(6):
        person = make_member(world.branch2, f"干部{n}")
        leader = appoint_leader(world.township, person, "委员", since=date(Y - 1, 1, 1), acting_user=SYSTEM)
        submit_work(
            leader,
            {"kind": "study_note", "title": "心得", "body": "x", "written_on": _day(2)},
            acting_user=SYSTEM,
        )
        meeting(world.branch2, "branch_assembly", _day(3), present=[person])
    with CaptureQueriesContext(connection) as many:
        counts = leader_counts(world.province.path, start, end)
        committee_counts(world.province.path, start, end)
    assert len(counts) == 10
    assert len(many) == len(few) <= 8


def test_counts_for_a_page_of_leaders(
    world: World, year: dict[str, LeadingCadre], django_assert_max_num_queries: object
) -> None:
    start, end = year_bounds(Y)
    page = LeadingCadre.objects.filter(pk__in=[year["l1"].pk, year["lb"].pk])
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        counts = counts_for(page, start, end)
    assert set(counts) == {year["l1"].pk, year["lb"].pk}
    assert counts[year["l1"].pk].lectures == 2 and counts[year["lb"].pk].lectures == 1
    assert counts_for(LeadingCadre.objects.none(), start, end) == {}
