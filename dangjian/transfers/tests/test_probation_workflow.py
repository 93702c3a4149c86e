"""The probation decision on the workflow kernel: its history, and a stale page refused."""

from django.test import Client

from dangjian.core.dates import add_years
from dangjian.core.models import AuditEntry, StateChange
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.models import ProbationDecision
from dangjian.transfers.workflows import DECISION_FLOW

from .helpers import closed_assembly, days_ago, probationary


def _decision(world: World) -> ProbationDecision:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    return services.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(2)),
        note="全票通过",
        acting_user=world.secretary,
    )


def test_history_and_who_may_review(world: World) -> None:
    decision = _decision(world)
    assert DECISION_FLOW.allowed(world.secretary, decision) == []  # the branch, not the committee
    assert [t.name for t in DECISION_FLOW.allowed(world.county_staff, decision)] == ["approve", "reject"]
    services.approve_decision(decision, note="同意", acting_user=world.county_staff)
    decision.refresh_from_db()
    assert decision.version == 1
    assert list(StateChange.of(decision).values_list("move", "source", "target", "note")) == [
        ("create", "", "decided", "全票通过"),
        ("approve", "decided", "approved", "同意"),
    ]
    entry = AuditEntry.objects.get(action="probation.approve", success=True)
    assert entry.changes == {"state": ["decided", "approved"]} and entry.detail == "同意"


def test_a_stale_page_changes_nothing(world: World) -> None:
    decision = _decision(world)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.county_staff)
    response = client.post(
        f"/members/{decision.member_id}/membership/",
        {"form": "approve_decision", "decision": decision.pk, "version": "3"},
        follow=True,
    )
    assert "reload the page" in response.content.decode()
    assert ProbationDecision.objects.get(pk=decision.pk).state == "decided"
