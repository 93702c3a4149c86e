"""The development rules of the standing set: the talk within one month, counted on the branch;
the approval within three months of the vote (six with a reason), counted on the level above."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.compliance import engine
from dangjian.compliance.models import Result
from dangjian.compliance.tests.factories import load
from dangjian.development.services import record_step
from dangjian.organizations.models import Organization
from dangjian.testing.world import World
from dangjian.transfers.tests.helpers import closed_assembly

from .helpers import days_ago, register, take, township_staff, up_to

BRANCHES = {"kinds": ["branch"]}
ABOVE = {"kinds": ["working_committee", "committee"]}


def rules(year: int) -> None:
    items: list[dict[str, Any]] = [
        {
            "code": "talk",
            "title": "talk",
            "kind": "state",
            "metric": "development.talk_late",
            "applies_to": BRANCHES,
        },
        {
            "code": "appr",
            "title": "appr",
            "kind": "state",
            "metric": "development.approval_late",
            "applies_to": ABOVE,
        },
    ]
    load(json.dumps({"code": "t", "name": "测试", "year": year, "rules": items}, ensure_ascii=False))


def status(org: Organization, code: str, year: int) -> tuple[str, int]:
    r = Result.objects.get(organization=org, rule__code=code, year=year)
    return r.status, r.value


def measure(year: int) -> None:
    engine.recompute(year, today=timezone.localdate())


def test_a_talk_overdue_or_late_shows_as_not_met_on_the_branch(world: World) -> None:
    year = timezone.localdate().year
    rules(year)
    soon = register(world, applied_on=days_ago(26))  # due within 7 days: at risk
    measure(year)
    assert status(world.branch, "talk", year) == ("at_risk", 0)
    take(world, soon, 2, on=days_ago(25))
    measure(year)
    assert status(world.branch, "talk", year) == ("met", 0)
    register(world, applied_on=days_ago(70))  # no talk a month later: overdue
    measure(year)
    assert status(world.branch, "talk", year) == ("overdue", 1)
    assert status(world.branch2, "talk", year) == ("met", 0)


def test_a_late_talk_recorded_counts_in_its_year(world: World) -> None:
    late = register(world, applied_on=days_ago(70))
    take(world, late, 2, on=days_ago(5))  # recorded, flagged late
    year = days_ago(5).year
    rules(year)
    measure(year)
    assert status(world.branch, "talk", year) == ("overdue", 1)


def voted(world: World, ago: int) -> Any:
    a = up_to(world, register(world), 14)
    take(world, a, 15, meeting=closed_assembly(world.branch, days_ago(ago)))
    take(world, a, 16, on=days_ago(ago - 2))
    a.refresh_from_db()
    return a


def test_an_approval_past_three_months_is_not_met_on_the_level_above(world: World) -> None:
    year = timezone.localdate().year
    rules(year)
    a = voted(world, 100)  # three months after the vote have passed
    measure(year)
    assert status(world.township, "appr", year) == ("overdue", 1)
    assert not Result.objects.filter(organization=world.branch, rule__code="appr").exists()
    # Without the reason the approval is refused; with it, it is recorded and shown at risk.
    with pytest.raises(ValidationError, match="special reason"):
        record_step(a, 17, {"on": days_ago(3)}, acting_user=township_staff(world))
    a.refresh_from_db()
    record_step(a, 17, {"on": days_ago(3), "reason": "上级党委换届"}, acting_user=township_staff(world))
    approved_year = days_ago(3).year
    if approved_year != year:
        rules(approved_year)
    measure(approved_year)
    assert status(world.township, "appr", approved_year) == ("at_risk", 0)


def test_an_approval_within_three_months_is_met(world: World) -> None:
    year = timezone.localdate().year
    rules(year)
    a = voted(world, 40)
    measure(year)
    assert status(world.township, "appr", year) == ("met", 0)
    take(world, a, 17, on=days_ago(30))
    measure(year)
    assert status(world.township, "appr", year) == ("met", 0)
    # The refresh a change event queues agrees with the recompute.
    assert engine.refresh(world.township.pk, year) == 0


def test_the_vote_and_the_approval_tell_the_level_above_and_the_grassroots_committee(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The approval's deadline is measured on the branch's parent and the plan on its nearest
    committee: under a general branch these are two organizations, and both are refreshed."""
    from dangjian.core import events
    from dangjian.development.models import Applicant
    from dangjian.development.services.record import _tell_above
    from dangjian.testing.world import make_org

    general = make_org(world.township, "机关总支", "GB01", "general_branch")
    inner = make_org(general, "机关第一支部", "GB0101", "branch")
    told: list[int] = []

    def handler(topic: str, org_id: int, on: Any) -> None:
        told.append(org_id)

    events.subscribe("development.approval", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _tell_above(Applicant(organization=inner), days_ago(1))
            _tell_above(Applicant(organization=world.branch), days_ago(1))
    finally:
        events.unsubscribe("development.approval", handler)
    assert sorted(told) == sorted([general.pk, world.township.pk, world.township.pk])
