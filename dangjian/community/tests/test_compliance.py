"""Point 20 measured (`compliance/sources/community.py`): a community branch where no service of
a registered in-service member was confirmed in the year is overdue once the year has ended (at
risk in December); one with a confirmed task is met; branches of other sectors are not measured."""

from datetime import date
from pathlib import Path

from dangjian.community import services
from dangjian.compliance import engine
from dangjian.compliance.models import Result, Status
from dangjian.compliance.tests.factories import load
from dangjian.testing.world import World

from .helpers import accepted, add_workplace, task

HUNAN = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "hunan-2017.yaml"


def _status(org_id: int) -> str | None:
    row = Result.objects.filter(rule__code="theme-practice", organization_id=org_id, year=2017).first()
    return row.status if row else None


def test_community_branches_need_a_confirmed_service_in_the_year(world: World) -> None:
    load(HUNAN.read_text())
    place = add_workplace(world)
    one = task(world, place, accepted(world, place), on=date(2017, 6, 1))
    services.report_task(one, 2, acting_user=world.worker)
    engine.recompute(2017, today=date(2017, 12, 10))
    assert _status(world.branch.pk) == Status.AT_RISK  # reported, not yet confirmed: December
    services.confirm_task(one, acting_user=world.secretary)
    engine.recompute(2018, today=date(2018, 1, 10))
    engine.recompute(2017, today=date(2018, 1, 10))
    assert _status(world.branch.pk) == Status.MET
    assert _status(world.branch2.pk) == Status.OVERDUE  # nobody served with it
    assert _status(place.branch.pk) is None  # a workplace branch: not measured
