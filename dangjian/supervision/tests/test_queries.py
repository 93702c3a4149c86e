"""What the compliance engine reads."""

from datetime import timedelta

from dangjian.core.scoping import SYSTEM
from dangjian.leaders.services import appoint_leader, end_leader
from dangjian.supervision import link_services, report_services, services
from dangjian.supervision.queries import active_links, assessments, secretary_reports, visits
from dangjian.testing.world import World

from .helpers import ALL_MEET, county_cadre, submitted, this_year, today


def test_assessments(world: World) -> None:
    decided = submitted(world.branch, world.secretary)
    services.decide_assessment(decided, "meets_standard", acting_user=world.county_staff)
    services.save_assessment(world.branch2, this_year(), ALL_MEET, acting_user=SYSTEM)
    rows = list(assessments(this_year()))
    assert rows == [
        {
            "organization_id": world.branch.pk,
            "org_path": world.branch.path,
            "state": "meets_standard",
            "final": True,
            "meets_standard": True,
            "decided_on": today(),
        },
        {
            "organization_id": world.branch2.pk,
            "org_path": world.branch2.path,
            "state": "draft",
            "final": False,
            "meets_standard": False,
            "decided_on": None,
        },
    ]
    assert list(assessments(this_year() - 1)) == []


def test_secretary_reports(world: World) -> None:
    r = report_services.save_report(world.branch, this_year(), "述职", acting_user=world.secretary)
    r = report_services.submit_report(r, acting_user=world.secretary)
    report_services.evaluate_report(r, "good", acting_user=world.county_staff)
    assert list(secretary_reports(this_year())) == [
        {
            "organization_id": world.branch.pk,
            "org_path": world.branch.path,
            "state": "evaluated",
            "evaluated": True,
            "grade": "good",
            "evaluated_on": today(),
        }
    ]


def test_active_links_and_visits(world: World) -> None:
    cadre = county_cadre(world)
    since = today() - timedelta(days=5)
    link = link_services.link_branch(cadre, world.branch, since=since, acting_user=SYSTEM)
    ended = link_services.link_branch(cadre, world.branch2, since=since, acting_user=SYSTEM)
    link_services.end_link(ended, acting_user=SYSTEM)
    link_services.record_visit(
        link, {"visited_on": today(), "checked": "台账", "findings": "齐全"}, acting_user=SYSTEM
    )
    assert list(active_links()) == [
        {
            "id": link.pk,
            "branch_id": world.branch.pk,
            "branch_path": world.branch.path,
            "cadre_id": cadre.pk,
            "committee_id": world.county.pk,
            "committee_path": world.county.path,
            "since": since,
        }
    ]
    rows = list(visits(today().year))
    assert len(rows) == 1 and rows[0]["branch_id"] == world.branch.pk and rows[0]["cadre_id"] == cadre.pk
    assert rows[0]["committee_id"] == world.county.pk and rows[0]["visited_on"] == today()
    assert list(visits(today().year - 1)) == []
    # A cadre who leaves the post no longer covers the branch.
    end_leader(cadre, acting_user=SYSTEM)
    assert list(active_links()) == []
    other = appoint_leader(world.county, world.member2, "委员", acting_user=SYSTEM)
    link_services.link_branch(other, world.branch, acting_user=SYSTEM)
    assert [r["cadre_id"] for r in active_links()] == [other.pk]
