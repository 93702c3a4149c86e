"""The workflow kernel (`core.workflow`), through its first user, the dues reduction: the table
is derived from the moves, who may take each move is checked per persona (one level up, not the
proposer, outsiders out of scope), a stale move is refused, and every move leaves one history
row, one audit entry and one change event; deadlines remind once per day and record."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from dangjian.core import events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.core.workflow import Deadline, Workflow, due_reminders
from dangjian.dues.models import DuesReduction, ReductionState
from dangjian.dues.services import approve_reduction, propose_reduction, set_profile
from dangjian.dues.workflows import REDUCTION_FLOW
from dangjian.notifications.deadlines import send_deadline_reminders
from dangjian.notifications.models import Notification
from dangjian.testing.world import World

MONTH = date(2026, 11, 1)


def _proposed(world: World, by: Any = None) -> DuesReduction:
    set_profile(
        world.member,
        "salaried",
        base=Decimal("8000"),
        effective_from=date(2026, 1, 1),
        acting_user=SYSTEM,
        today=date(2026, 11, 15),
    )
    return propose_reduction(
        world.member,
        month_from=MONTH,
        month_to=MONTH,
        amount=Decimal("0"),
        reason="因病失业",
        acting_user=by or world.secretary,
        today=date(2026, 11, 15),
    )


def _outcome(reduction: DuesReduction, user: Any) -> str:
    """What `approve` does for `user`: "ok", or the refusal's code; always rolled back."""
    try:
        with transaction.atomic():
            REDUCTION_FLOW.move(reduction, "approve", acting_user=user)
            transaction.set_rollback(True)
    except OutOfScope:
        return "out of scope"
    except ValidationError as exc:
        return str(exc.code)
    return "ok"


def test_the_table_is_derived_from_the_moves() -> None:
    assert REDUCTION_FLOW.table() == {
        ReductionState.PROPOSED: frozenset({ReductionState.APPROVED, ReductionState.REJECTED}),
        ReductionState.APPROVED: frozenset(),
        ReductionState.REJECTED: frozenset(),
    }


def test_who_may_approve_per_persona_and_the_buttons_agree(world: World) -> None:
    reduction = _proposed(world)
    expected = {
        "province_staff": "ok",  # any ancestor of the level above
        "county_staff": "ok",
        "secretary": "actor",  # the deciding branch itself: not one level up
        "member_user": "out of scope",
        "outsider": "out of scope",
        "sysadmin": "out of scope",
        "auditor": "out of scope",
    }
    for persona, outcome in expected.items():
        user = world.users[persona]
        assert (persona, _outcome(reduction, user)) == (persona, outcome)
        offered = [t.name for t in REDUCTION_FLOW.allowed(user, reduction)]
        assert offered == (["approve", "reject"] if outcome == "ok" else []), persona
    assert DuesReduction.objects.get().state == ReductionState.PROPOSED


def test_the_proposer_may_not_decide_even_from_above(world: World) -> None:
    reduction = _proposed(world, by=world.county_staff)
    assert _outcome(reduction, world.county_staff) == "excluded"
    assert REDUCTION_FLOW.allowed(world.county_staff, reduction) == []
    assert _outcome(reduction, world.province_staff) == "ok"


def test_a_stale_move_is_refused_and_changes_nothing(world: World) -> None:
    reduction = _proposed(world)
    with pytest.raises(ValidationError) as info:
        approve_reduction(reduction, acting_user=world.county_staff, expected_version=reduction.version + 1)
    assert info.value.code == "stale"
    reduction.refresh_from_db()
    assert (reduction.state, reduction.version) == (ReductionState.PROPOSED, 0)
    refused = AuditEntry.objects.get(action="dues_reduction.approve")
    assert not refused.success and "reload" in refused.detail


def test_a_move_leaves_history_audit_and_one_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[tuple[str, int]] = []

    def listen(topic: str, org_id: int, on: date | None) -> None:
        seen.append((topic, org_id))

    reduction = _proposed(world)
    events.subscribe("dues_reduction", listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            approve_reduction(reduction, note="同意", acting_user=world.county_staff, expected_version=0)
    finally:
        events.unsubscribe("dues_reduction", listen)
    assert seen == [("dues_reduction", world.branch.pk)]  # the workflow's topic
    reduction.refresh_from_db()
    assert (reduction.state, reduction.version, reduction.approved_by_id) == (
        ReductionState.APPROVED,
        1,
        world.county_staff.pk,
    )
    steps = list(StateChange.of(reduction).values_list("move", "source", "target", "actor_name", "note"))
    assert steps == [
        ("create", "", "proposed", "secretary", "因病失业"),
        ("approve", "proposed", "approved", "county_staff", "同意"),
    ]
    entry = AuditEntry.objects.get(action="dues_reduction.approve", success=True)
    assert entry.changes["state"] == ["proposed", "approved"] and entry.org_path == world.branch.path
    with pytest.raises(ValidationError) as info:  # decided once
        REDUCTION_FLOW.move(reduction, "reject", note="x", acting_user=world.province_staff)
    assert info.value.code == "transition"


def test_the_move_view_refuses_outsiders_and_stale_pages(world: World) -> None:
    reduction = _proposed(world)
    url = f"/dues/reductions/{reduction.pk}/approve/"
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(url, {"note": "同意"}).status_code == 404
    staff = Client()
    staff.force_login(world.county_staff)
    stale = staff.post(url, {"note": "同意", "version": "7"}, follow=True)
    assert "刷新页面" in stale.content.decode()  # the refusal, in Chinese, on the page it came from
    assert DuesReduction.objects.get().state == ReductionState.PROPOSED
    assert staff.post(url, {"note": "同意", "version": "0"}).status_code == 302
    assert DuesReduction.objects.get().state == ReductionState.APPROVED
    page = staff.get(f"/members/{world.member.pk}/dues/").content.decode()
    assert "同意" in page and "county_staff" in page  # the history, on the record's page


def test_the_api_answers_a_stale_move_with_409(api: Any, world: World) -> None:
    reduction = _proposed(world)
    url = f"/api/v1/dues/reductions/{reduction.pk}/approve/"
    stale = api("county_staff").post(url, {"note": "同意", "version": 3})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    done = api("county_staff").post(url, {"note": "同意", "version": 0})
    assert done.status_code == 200 and done.data["version"] == 1


def _reminding(world: World) -> Workflow:
    """The reduction's workflow with a deadline: a proposed reduction is due by its last month
    (not the model's own workflow: never registered)."""
    return Workflow(
        model=DuesReduction,
        states=ReductionState,
        transitions=REDUCTION_FLOW.transitions,
        org=REDUCTION_FLOW.org,
        audit="dues_reduction",
        deadlines=(
            Deadline(
                states=(ReductionState.PROPOSED,),
                column="month_to",
                notify=lambda r: [world.county_staff],
                title=lambda r: f"减免待审批：{r.member.name}",
                url=lambda r: f"/orgs/{r.organization_id}/dues/",
            ),
        ),
        related=("member", "organization"),
        register=False,
    )


def test_deadlines_remind_before_and_on_the_day_once(world: World) -> None:
    reduction = _proposed(world)
    flow = _reminding(world)
    for today, left in ((date(2026, 10, 25), 7), (date(2026, 10, 31), 1), (date(2026, 11, 1), 0)):
        assert [(r.pk, d) for _, _, r, d in due_reminders(today, [flow])] == [(reduction.pk, left)]
    assert list(due_reminders(date(2026, 10, 26), [flow])) == []
    approve_reduction(reduction, acting_user=world.county_staff)
    assert list(due_reminders(date(2026, 11, 1), [flow])) == []  # decided: nothing to remind


def test_the_reminder_task_sends_each_reminder_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    reduction = _proposed(world)
    flow = _reminding(world)
    monkeypatch.setattr(
        "dangjian.notifications.deadlines.due_reminders", lambda today: due_reminders(today, [flow])
    )
    assert send_deadline_reminders(date(2026, 10, 31)) == 1
    assert send_deadline_reminders(date(2026, 10, 31)) == 0  # the same day again: nothing new
    note = Notification.objects.get(user=world.county_staff)
    assert note.title.startswith("减免待审批") and note.url == f"/orgs/{reduction.organization_id}/dues/"
    assert note.kind == "deadline.dues_reduction"
