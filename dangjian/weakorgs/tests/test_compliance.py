"""Point 11 measured (`compliance/sources/weakorgs.py`): a listed organization without its plan
30 days after listing is overdue (at risk in the last week), and one neither accepted nor carried
over once the year has ended (at risk in December)."""

from datetime import date
from pathlib import Path

from dangjian.compliance import engine
from dangjian.compliance.models import Result, Status
from dangjian.compliance.tests.factories import load
from dangjian.testing.world import World
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Listing, ListingState

from .helpers import PLAN

HUNAN = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "hunan-2017.yaml"


def _status(world: World, code: str, org_id: int) -> str:
    return Result.objects.get(rule__code=code, organization_id=org_id, year=2017).status


def test_plans_within_30_days_and_closed_by_the_years_end(world: World) -> None:
    load(HUNAN.read_text())
    late = services.add_by_hand(
        world.county, world.branch, 2017, "群众反映强烈", acting_user=world.county_staff
    )
    soon = services.add_by_hand(
        world.county, world.branch2, 2017, "班子不团结", acting_user=world.county_staff
    )
    Listing.objects.filter(pk=late.pk).update(plan_due=date(2017, 3, 1))
    Listing.objects.filter(pk=soon.pk).update(plan_due=date(2017, 4, 5))
    engine.recompute(2017, today=date(2017, 4, 1))
    assert _status(world, "weak-organizations-plans", world.branch.pk) == Status.OVERDUE
    assert _status(world, "weak-organizations-plans", world.branch2.pk) == Status.AT_RISK
    assert _status(world, "weak-organizations", world.branch.pk) == Status.MET  # the year goes on
    services.save_plan(late, PLAN, acting_user=world.secretary)
    engine.recompute(2017, today=date(2017, 12, 10))
    assert _status(world, "weak-organizations-plans", world.branch.pk) == Status.MET
    assert _status(world, "weak-organizations", world.branch.pk) == Status.AT_RISK  # December
    services.MOVES["carry_over"](soon, note="跨年度", acting_user=world.county_staff)
    engine.recompute(2017, today=date(2018, 1, 10))
    assert _status(world, "weak-organizations", world.branch.pk) == Status.OVERDUE
    assert _status(world, "weak-organizations", world.branch2.pk) == Status.MET
    assert Listing.objects.get(pk=soon.pk).state == ListingState.CARRIED_OVER
