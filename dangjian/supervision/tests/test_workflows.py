"""The assessment and the report through `core.workflow`: history, audit, the long comment."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.supervision import report_services, services
from dangjian.supervision.workflows import ASSESSMENT_FLOW, REPORT_FLOW
from dangjian.testing.world import World

from .helpers import submitted, this_year


def test_an_assessment_keeps_its_history_and_a_long_comment(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    with pytest.raises(ValidationError, match="at most 1000 characters"):
        services.return_assessment(a, reason="补" * 1001, acting_user=world.county_staff)
    comment = "材料齐全，" * 100  # 500 characters: more than the history's 200, within the column's 1000
    a = services.decide_assessment(a, "meets_standard", comment=comment, acting_user=world.county_staff)
    assert a.review_comment == comment.strip()
    moves = [(s.move, s.source, s.target) for s in StateChange.of(a)]
    assert moves == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("meets_standard", "submitted", "meets_standard"),
    ]
    entry = AuditEntry.objects.get(action="five_standards.meets_standard", success=True)
    assert entry.detail == comment.strip() and entry.changes == {"state": ["submitted", "meets_standard"]}
    assert ASSESSMENT_FLOW.table()["returned"] == frozenset({"submitted"})


def test_a_report_graded_by_the_level_above(world: World) -> None:
    r = report_services.save_report(world.branch, this_year(), "述职", acting_user=world.secretary)
    r = report_services.submit_report(r, acting_user=world.secretary)
    r = report_services.evaluate_report(r, "good", acting_user=world.county_staff)
    entry = AuditEntry.objects.get(action="secretary_report.evaluated", success=True)
    assert entry.changes == {"state": ["submitted", "evaluated"], "grade": [None, "good"]}
    assert [s.move for s in StateChange.of(r)] == ["create", "submit", "evaluated"]
    assert REPORT_FLOW.table()["evaluated"] == frozenset()


def test_the_console_may_review_below_the_top_level(world: World) -> None:
    r = report_services.save_report(world.township, this_year(), "述职", acting_user=SYSTEM)
    r = report_services.submit_report(r, acting_user=SYSTEM)
    assert [t.name for t in REPORT_FLOW.allowed(SYSTEM, r)] == ["evaluated", "returned"]
