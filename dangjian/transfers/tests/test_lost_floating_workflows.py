"""Lost-contact cases and floating records through `core.workflow`: history, audit, version."""

from dangjian.core.models import AuditEntry, StateChange
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.lost_floating_workflows import CASE_FLOW, FLOATING_FLOW
from dangjian.transfers.models import FloatingRecord, LostContactCase

from .helpers import days_ago


def test_a_closed_case_has_its_history_and_audit(world: World) -> None:
    case = services.open_case(world.member, lost_on=days_ago(20), acting_user=world.secretary)
    case = services.close_case(case, outcome="found", note="已取得联系", acting_user=world.secretary)
    assert LostContactCase.objects.get(pk=case.pk).version == 1
    moves = [(s.move, s.source, s.target, s.note) for s in StateChange.of(case)]
    assert moves == [("create", "", "open", ""), ("close", "open", "closed", "已取得联系")]
    entry = AuditEntry.objects.get(action="lost_contact.close", success=True)
    assert entry.changes == {"state": ["open", "closed"], "outcome": [None, "found"]}
    assert entry.detail == "已取得联系"
    assert CASE_FLOW.table() == {"open": frozenset({"closed"}), "closed": frozenset()}


def test_a_return_has_its_history_and_audit(world: World) -> None:
    record = services.register_floating(
        world.member,
        {"left_on": days_ago(30), "destination": "深圳", "reason": "务工", "contact": "13800138000"},
        acting_user=world.secretary,
    )
    services.record_return(record, returned_on=days_ago(1), acting_user=world.secretary)
    assert FloatingRecord.objects.get(pk=record.pk).version == 1
    moves = [(s.move, s.source, s.target) for s in StateChange.of(record)]
    assert moves == [("create", "", "open"), ("return", "open", "returned")]
    entry = AuditEntry.objects.get(action="floating.return", success=True)
    assert entry.changes == {"state": ["open", "returned"], "returned_on": [None, str(days_ago(1))]}
    assert FLOATING_FLOW.table()["open"] == frozenset({"returned", "closed"})
