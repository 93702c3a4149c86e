"""The yearly screening (point 11): candidates below the county computed from the records, each
with its reasons, one query per reason whatever the number of organizations; rerunning brings
the reasons of the undecided up to date and leaves the decided alone."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.dates import add_months
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.dues.services import set_profile
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.orglife.tests.helpers import closed_meeting
from dangjian.supervision.services import decide_assessment
from dangjian.supervision.tests.helpers import submitted as submitted_assessment
from dangjian.testing.world import World, make_org
from dangjian.weakorgs import screening, services
from dangjian.weakorgs.models import Listing, ListingState

from .helpers import YEAR


def _committee_meeting(org: Organization) -> None:
    start = timezone.now() - timedelta(days=1)
    data = {
        "kind": "branch_committee",
        "topic": "支委会",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    meeting = schedule_meeting(org, data, acting_user=SYSTEM)
    entries = [{"attendance": a.pk, "status": "present"} for a in meeting.attendances.all()]
    record_attendance(meeting, entries, acting_user=SYSTEM)
    close_meeting(meeting, acting_user=SYSTEM)


def _reasons(world: World) -> dict[str, list[str]]:
    return {
        li.organization.name: li.reasons
        for li in Listing.objects.filter(year=YEAR, state=ListingState.CANDIDATE).select_related(
            "organization"
        )
    }


def test_candidates_and_their_reasons_from_the_records(world: World) -> None:
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    # Neither branch has held a committee meeting; the first has members but no secretary.
    assert _reasons(world) == {
        "第一党支部": ["no_committee_meeting", "secretary_vacant"],
        "第二党支部": ["no_committee_meeting"],
    }
    Organization.objects.filter(pk=world.branch2.pk).update(term_due_end=date(YEAR - 1, 6, 30))
    Member.objects.filter(pk=world.member.pk).update(committee_post="secretary")
    closed_meeting(world, kind="branch_committee", topic="支委会")
    month = timezone.localdate().replace(day=1)
    for member in (world.member, world.member2):  # nobody in the branch has paid for seven months
        set_profile(member, "student", effective_from=add_months(month, -7), acting_user=SYSTEM)
    assessment = submitted_assessment(
        world.branch, world.secretary, venue_rating="does_not_meet", venue_note="活动室未挂牌"
    )
    decide_assessment(assessment, "below_standard", comment="阵地不达标", acting_user=world.county_staff)
    done = services.screen(world.county, YEAR, acting_user=world.county_staff)
    assert done == {"created": 0, "updated": 2, "dropped": 0}
    assert _reasons(world) == {
        "第一党支部": ["dues_unpaid", "below_standard"],
        "第二党支部": ["no_committee_meeting", "term_overdue"],
    }


def test_last_years_listing_not_accepted_is_a_reason(world: World) -> None:
    closed_meeting(world, kind="branch_committee", topic="支委会")
    Member.objects.filter(pk=world.member.pk).update(committee_post="secretary")
    services.add_by_hand(world.county, world.branch, YEAR - 1, "去年整顿对象", acting_user=world.county_staff)
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    assert _reasons(world)["第一党支部"] == ["not_accepted_last_year"]


def test_rerunning_never_touches_decided_rows_and_drops_stale_candidates(world: World) -> None:
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    first = Listing.objects.get(organization=world.branch)
    services.MOVES["confirm"](first, acting_user=world.county_staff)
    second = Listing.objects.get(organization=world.branch2)
    closed_meeting(world, kind="branch_committee", topic="支委会")  # the first branch met
    Member.objects.filter(pk=world.member.pk).update(committee_post="secretary")
    assert services.screen(world.county, YEAR, acting_user=world.county_staff) == {
        "created": 0,
        "updated": 0,
        "dropped": 0,
    }
    first.refresh_from_db()
    assert (first.state, first.reasons) == (ListingState.LISTED, ["no_committee_meeting", "secretary_vacant"])
    assert second.reasons == ["no_committee_meeting"]
    _committee_meeting(world.branch2)  # no sign left: the undecided candidate goes
    assert services.screen(world.county, YEAR, acting_user=world.county_staff)["dropped"] == 1
    assert list(Listing.objects.values_list("organization_id", flat=True)) == [world.branch.pk]


def test_one_query_per_reason_whatever_the_number_of_organizations(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            screening.candidates(world.county, YEAR)
        return len(captured)

    few = queries()
    for n in range(5):
        make_org(world.township, f"新建党支部{n}", f"43010200101{n}", "branch", "community")
    assert queries() == few


def test_only_the_county_screens(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(OutOfScope):
        services.screen(world.county, YEAR, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        services.screen(world.county, YEAR, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        services.screen(world.branch, YEAR, acting_user=world.county_staff)  # a branch screens nothing
    with pytest.raises(ValidationError):
        services.screen(world.county, YEAR + 1, acting_user=world.county_staff)  # not a year to come
    with pytest.raises(OutOfScope):
        services.screen(world.county, YEAR, acting_user=world.member_user)
    assert not Listing.objects.exists()
    services.screen(world.county, YEAR, acting_user=world.province_staff)  # one level up may
    assert Listing.objects.count() == 2
