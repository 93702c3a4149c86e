"""Probation: who is due, the assembly's decision (convert, extend, cancel), and its approval by
the committee above, which is when the decision takes effect."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.roles import Role
from dangjian.core.dates import add_months, add_years
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_user
from dangjian.transfers import services
from dangjian.transfers.models import ProbationDecision
from dangjian.transfers.probation import latest_join_due_by
from dangjian.transfers.queries import probation_due

from .helpers import closed_assembly, days_ago, probationary


def test_probation_due_lists_soon_and_overdue_in_the_subtree(world: World) -> None:
    today = date(2026, 6, 15)
    soon = probationary(world.branch, "王五", date(2025, 7, 1))  # due 2026-07-01, 16 days
    overdue = probationary(world.branch2, "赵六", date(2025, 5, 1))  # due 2026-05-01
    probationary(world.branch, "孙七", date(2025, 9, 1))  # due in 78 days: not within 30
    probationary(world.branch_b, "周八", date(2025, 7, 1))  # another county
    rows = probation_due(world.county.path, 30, today=today)
    assert [(r.member.name, r.due, r.days_left) for r in rows] == [
        ("赵六", date(2026, 5, 1), -45),
        ("王五", date(2026, 7, 1), 16),
    ]
    assert [r.member.pk for r in probation_due(world.branch.path, 30, today=today)] == [soon.pk]
    assert len(probation_due(world.county.path, 90, today=today)) == 3
    assert overdue.pk in {r.member.pk for r in probation_due(world.city.path, 0, today=today)}


def test_a_leap_day_joiner_is_due_on_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert latest_join_due_by(date(2025, 2, 28)) == date(2024, 2, 29)
    assert latest_join_due_by(date(2026, 3, 10)) == date(2025, 3, 10)


def test_conversion_needs_a_closed_assembly_of_the_members_branch(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))  # due 10 days ago
    refused = [
        closed_assembly(world.branch, days_ago(2), close=False),  # not closed
        closed_assembly(world.branch2, days_ago(2)),  # another branch
        closed_assembly(world.branch, days_ago(2), kind="theme_day"),  # not an assembly
        closed_assembly(world.branch, days_ago(20)),  # before the probation ended
        None,
    ]
    for meeting in refused:
        with pytest.raises(ValidationError) as exc:
            services.record_decision(member, outcome="convert", meeting=meeting, acting_user=world.secretary)
        assert "meeting" in exc.value.message_dict
    version = Member.objects.get(pk=member.pk).version
    assembly = closed_assembly(world.branch, days_ago(3))
    decision = services.record_decision(
        member, outcome="convert", meeting=assembly, acting_user=world.secretary
    )
    assert decision.state == "decided" and Member.objects.get(pk=member.pk).category == "probationary"
    services.approve_decision(decision, acting_user=world.county_staff)
    converted = Member.objects.get(pk=member.pk)
    assert converted.category == "full" and converted.full_date == days_ago(
        10
    )  # from the day probation ended
    assert converted.version == version + 1
    assert decision.decided_on == days_ago(3)
    with pytest.raises(ValidationError, match="Only a probationary member"):
        services.record_decision(member, outcome="convert", meeting=assembly, acting_user=world.secretary)


def test_extension_once_then_due_again_at_its_end(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(5), -1))
    assembly = closed_assembly(world.branch, days_ago(1))
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            member, outcome="extend", meeting=assembly, extension_months=5, acting_user=world.secretary
        )
    assert "extension_months" in exc.value.message_dict
    decision = services.record_decision(
        member, outcome="extend", meeting=assembly, extension_months=6, acting_user=world.secretary
    )
    assert decision.extended_until == add_months(days_ago(5), 6)
    # Until the committee approves, the probation still ends when it did: listed, flagged.
    [row] = probation_due(world.branch.path, 30)
    assert row.due == days_ago(5) and row.awaiting_approval and not row.extended
    services.approve_decision(decision, acting_user=world.county_staff)
    assert not probation_due(world.branch.path, 30)  # no longer due now
    later = probation_due(world.branch.path, 200)
    assert [(r.member.pk, r.due, r.extended) for r in later] == [(member.pk, decision.extended_until, True)]
    # Extended once; at the extension's end, the assembly converts or cancels.
    with pytest.raises(ValidationError):
        services.record_decision(
            member,
            outcome="extend",
            meeting=closed_assembly(world.branch, days_ago(0)),
            extension_months=6,
            acting_user=world.secretary,
        )


def test_cancellation_any_time_takes_the_member_off_the_roll(world: World) -> None:
    member = probationary(world.branch, "王五", days_ago(100))
    assembly = closed_assembly(world.branch, days_ago(1))
    decision = services.record_decision(
        member, outcome="cancel", meeting=assembly, note="不履行义务", acting_user=world.secretary
    )
    assert Member.objects.get(pk=member.pk).status == "active"
    services.approve_decision(decision, acting_user=world.county_staff)
    assert Member.objects.get(pk=member.pk).status == "left"


def test_outsiders_cannot_decide(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(5), -1))
    assembly = closed_assembly(world.branch, days_ago(1))
    with pytest.raises(OutOfScope):
        services.record_decision(member, outcome="convert", meeting=assembly, acting_user=world.outsider)
    assert Member.objects.get(pk=member.pk).category == "probationary"


def test_due_list_skips_those_who_left(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(5), -1))
    decision = services.record_decision(
        member,
        outcome="cancel",
        meeting=closed_assembly(world.branch, days_ago(1)),
        acting_user=world.secretary,
    )
    services.approve_decision(decision, acting_user=world.county_staff)
    assert not probation_due(world.branch.path, 30, today=days_ago(0) + timedelta(days=1))


def test_approval_by_the_committee_above_and_its_refusals(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    decision = services.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(2)),
        acting_user=world.secretary,
    )
    # The approving committee (the township above the branch) is told.
    assert Notification.objects.filter(user=township_staff, key=f"probation-approval:{decision.pk}").exists()
    # The branch secretary cannot approve their own branch's decision: not the committee above.
    with pytest.raises(ValidationError) as exc:
        services.approve_decision(decision, acting_user=world.secretary)
    assert exc.value.code == "approver" and "committee above the branch" in exc.value.messages[0]
    with pytest.raises(OutOfScope):
        services.approve_decision(decision, acting_user=world.outsider)
    # A second decision cannot be stacked while one awaits approval.
    with pytest.raises(ValidationError, match="awaits the approval"):
        services.record_decision(
            member, outcome="convert", meeting=closed_assembly(world.branch, days_ago(1)), acting_user=SYSTEM
        )
    member.refresh_from_db()
    assert member.category == "probationary" and member.full_date is None
    assert AuditEntry.objects.filter(action="probation.approve", success=False).count() == 2
    services.approve_decision(decision, note="同意转正", acting_user=township_staff)
    decision.refresh_from_db()
    assert (decision.state, decision.reviewed_by, decision.review_note) == (
        "approved",
        township_staff,
        "同意转正",
    )
    assert decision.reviewed_at is not None
    member.refresh_from_db()
    assert member.category == "full" and member.full_date == days_ago(10)
    with pytest.raises(ValidationError) as exc:
        services.approve_decision(decision, acting_user=world.county_staff)
    assert exc.value.code == "transition"
    assert AuditEntry.objects.filter(action="probation.approve", success=True).count() == 1
    assert AuditEntry.objects.filter(
        action="member.convert", detail=f"probation decision {decision.pk}"
    ).exists()


def test_whoever_recorded_the_decision_cannot_approve_it(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    decision = services.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(2)),
        acting_user=world.county_staff,
    )
    with pytest.raises(ValidationError, match="cannot also approve"):
        services.approve_decision(decision, acting_user=world.county_staff)
    assert Member.objects.get(pk=member.pk).category == "probationary"


def test_rejected_decision_changes_nothing_and_the_branch_decides_again(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    first = services.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(3)),
        acting_user=world.secretary,
    )
    with pytest.raises(ValidationError) as exc:
        services.reject_decision(first, note=" ", acting_user=world.county_staff)
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.reject_decision(first, note="材料不全", acting_user=world.secretary)
    assert exc.value.code == "approver"
    services.reject_decision(first, note="材料不全", acting_user=world.county_staff)
    first.refresh_from_db()
    assert first.state == "rejected" and first.review_note == "材料不全"
    assert Member.objects.get(pk=member.pk).category == "probationary"
    with pytest.raises(ValidationError, match="already"):
        services.approve_decision(first, acting_user=world.county_staff)
    second = services.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(1)),
        acting_user=world.secretary,
    )
    services.approve_decision(second, acting_user=world.county_staff)
    assert Member.objects.get(pk=member.pk).category == "full"
    assert list(ProbationDecision.objects.filter(member=member).values_list("state", flat=True)) == [
        "approved",
        "rejected",
    ]


def test_decision_note_too_long_is_refused_not_cut(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            member,
            outcome="convert",
            meeting=closed_assembly(world.branch, days_ago(1)),
            note="长" * 201,
            acting_user=world.secretary,
        )
    assert "at most 200 characters" in " ".join(exc.value.message_dict["note"])
    assert not ProbationDecision.objects.exists()
