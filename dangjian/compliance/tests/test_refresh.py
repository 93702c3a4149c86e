"""A write in a domain reaches the results: closing a meeting refreshes the branch and every
level above it (Huey runs tasks immediately in tests, as the worker would seconds later)."""

import pytest

from dangjian.compliance import engine
from dangjian.compliance.models import Result, Rollup
from dangjian.compliance.tests.factories import load
from dangjian.orglife.tests.helpers import close, past_meeting
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=True)

RULES = """
code: t
name: test
rules:
  - {code: y, title: y, kind: count, metric: meetings.branch_assembly, period: year, min: 1,
     applies_to: {kinds: [branch]}}
"""


def test_closing_a_meeting_updates_the_branch_and_its_ancestors(world: World) -> None:
    load(RULES)
    meeting = past_meeting(world)
    year = meeting.starts_at.year
    engine.recompute(year)
    assert Result.objects.get(organization=world.branch, rule__code="y").value == 0
    before = Rollup.objects.get(organization=world.province, rule__code="y", year=year)
    close(world, meeting)
    mine = Result.objects.get(organization=world.branch, rule__code="y")
    assert (mine.status, mine.value) == ("met", 1)
    for org in (world.township, world.county, world.city, world.province):
        assert Rollup.objects.get(organization=org, rule__code="y", year=year).met == before.met + 1


def test_a_refused_write_refreshes_nothing(world: World) -> None:
    load(RULES)
    meeting = past_meeting(world)
    engine.recompute(meeting.starts_at.year)
    computed = Result.objects.get(organization=world.branch, rule__code="y").computed_at
    from django.core.exceptions import ValidationError

    from dangjian.orglife.services import close_meeting

    with pytest.raises(ValidationError):  # attendance not recorded yet
        close_meeting(meeting, acting_user=world.secretary)
    assert Result.objects.get(organization=world.branch, rule__code="y").computed_at == computed
