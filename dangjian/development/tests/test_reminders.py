"""The reminders: the branch's officers for the talk (within a month of the application) and
the half-yearly assessment, the officers one level up for the approval (within three months of
the vote); each stops once its step is taken."""

import pytest

from dangjian.core.dates import add_months
from dangjian.core.workflow import due_reminders
from dangjian.development.workflows import DEVELOPMENT_FLOW
from dangjian.testing.world import World

from .helpers import days_ago, register, take, township_staff, up_to

pytestmark = pytest.mark.django_db


def reminded(day):  # type: ignore[no-untyped-def]
    found = {}
    for _flow, deadline, record, left in due_reminders(day, [DEVELOPMENT_FLOW]):
        found[(deadline.column, record.pk)] = (left, set(deadline.recipients([record])[record.pk]))
    return found


def test_the_talk_is_reminded_to_the_branch_until_it_is_held(world: World) -> None:
    applicant = register(world, applied_on=days_ago(20))
    due = applicant.talk_due
    assert reminded(due)[("talk_due", applicant.pk)] == (0, {world.secretary.pk})
    assert reminded(date_before(due, 7))[("talk_due", applicant.pk)][0] == 7
    take(world, applicant, 2, on=days_ago(1))
    assert ("talk_due", applicant.pk) not in reminded(due)


def test_the_next_assessment_is_reminded_half_a_year_after_the_last(world: World) -> None:
    applicant = up_to(world, register(world), 3)
    assert applicant.assessment_due == add_months(applicant.activist_on, 6)
    assert ("assessment_due", applicant.pk) in reminded(applicant.assessment_due)


def test_the_approval_is_reminded_to_the_level_above(world: World) -> None:
    staff = township_staff(world)
    applicant = up_to(world, register(world), 15)
    assert applicant.approval_due == add_months(applicant.voted_on, 3)
    due = applicant.approval_due
    assert reminded(due)[("approval_due", applicant.pk)][1] == {staff.pk}
    up_to(world, applicant, 17)
    assert ("approval_due", applicant.pk) not in reminded(due)


def date_before(day, n):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return day - timedelta(days=n)
