"""Point 22 measured (`compliance/sources/villagework.py`): a flagged village without a first
secretary, or whose first secretary's last ended quarter is not assessed, is overdue; in the last
15 days before a quarter's last day, the quarter not yet assessed is at risk."""

from datetime import date
from pathlib import Path

from dangjian.compliance import engine
from dangjian.compliance.models import Result, Status
from dangjian.compliance.tests.factories import load
from dangjian.testing.world import World
from dangjian.villagework import services

from .helpers import add_villages

HUNAN = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "hunan-2017.yaml"


def _status(org_id: int) -> str:
    return Result.objects.get(rule__code="first-secretaries", organization_id=org_id, year=2017).status


def test_every_flagged_village_has_an_assessed_first_secretary(world: World) -> None:
    load(HUNAN.read_text())
    v = add_villages(world)
    for village in (v.village, v.village2):
        services.flag_village(
            world.county, village, date(2017, 1, 1), "贫困村", acting_user=world.county_staff
        )
    row = services.assign(
        world.county,
        v.village,
        {
            "role": "first_secretary",
            "name": "刘强",
            "sending_unit": "县财政局",
            "phone": "13812345678",
            "start": date(2017, 1, 1),
        },
        acting_user=world.county_staff,
    )
    engine.recompute(2017, today=date(2017, 3, 1))  # the first quarter not ended: nothing due yet
    assert _status(v.village.pk) == Status.MET
    assert _status(v.village2.pk) == Status.OVERDUE  # no first secretary
    engine.recompute(2017, today=date(2017, 3, 20))  # the last 15 days of the quarter
    assert _status(v.village.pk) == Status.AT_RISK
    engine.recompute(2017, today=date(2017, 4, 10))
    assert _status(v.village.pk) == Status.OVERDUE
    services.assess(row, 2017, 1, "competent", acting_user=world.county_staff)
    engine.recompute(2017, today=date(2017, 4, 10))
    assert _status(v.village.pk) == Status.MET
    # Handed over at the end of June; the successor began on 1 July and is not due for the second
    # quarter, which their predecessor served.
    services.hand_over(row, date(2017, 6, 30), "工作交接完毕", acting_user=world.county_staff)
    services.assign(
        world.county,
        v.village,
        {
            "role": "first_secretary",
            "name": "王明",
            "sending_unit": "县交通局",
            "phone": "13900001111",
            "start": date(2017, 7, 1),
        },
        acting_user=world.county_staff,
    )
    engine.recompute(2017, today=date(2017, 7, 10))
    assert _status(v.village.pk) == Status.MET
    engine.recompute(2017, today=date(2018, 1, 10))  # the year judged on 31 December: Q4 due
    assert _status(v.village.pk) == Status.OVERDUE
    # Not a rural branch: the rule does not apply.
    assert not Result.objects.filter(rule__code="first-secretaries", organization_id=world.branch.pk).exists()
