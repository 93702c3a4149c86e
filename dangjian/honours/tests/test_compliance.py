"""Point 25 measured: a committee's call past its publication date and not published is overdue,
warned 14 days before; a published or cancelled call is met."""

import json
from datetime import date

from dangjian.compliance import engine
from dangjian.compliance.models import Result
from dangjian.compliance.tests.factories import load
from dangjian.honours.models import Call, CallState
from dangjian.organizations.models import Organization
from dangjian.testing.world import World

YEAR = 2017


def _call(org: Organization, publish_by: date, state: str) -> None:
    Call.objects.create(
        organization=org,
        year=YEAR,
        title="两优一先",
        criteria="标准",
        categories=["member"],
        nominations_due=date(2017, 6, 1),
        publish_by=publish_by,
        state=state,
    )


def _outcome(org: Organization) -> tuple[str, int]:
    r = Result.objects.get(organization=org, rule__code="model-examples", year=YEAR)
    return r.status, r.value


def test_a_call_is_published_by_its_date(world: World) -> None:
    _call(world.county, date(2017, 6, 30), CallState.PUBLICITY)
    _call(world.county_b, date(2017, 6, 30), CallState.PUBLISHED)
    _call(world.township, date(2017, 6, 20), CallState.CANCELLED)
    rule = {
        "code": "model-examples",
        "title": "评选表彰按期发布",
        "kind": "state",
        "metric": "honours.unpublished",
        "applies_to": {"kinds": ["committee", "working_committee"]},
        "accountable": ["committee_staff"],
    }
    load(json.dumps({"code": "t", "name": "测试", "year": YEAR, "rules": [rule]}, ensure_ascii=False))

    engine.recompute(YEAR, today=date(2017, 6, 20))
    assert _outcome(world.county) == ("at_risk", 0)  # 10 days left
    assert _outcome(world.county_b) == ("met", 0)
    assert _outcome(world.township) == ("met", 0)
    engine.recompute(YEAR, today=date(2017, 7, 1))
    assert _outcome(world.county) == ("overdue", 1)
    assert _outcome(world.county_b) == ("met", 0)
