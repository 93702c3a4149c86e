"""Probation: who is due, and the assembly's decision (convert, extend, cancel)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import add_months, add_years
from dangjian.core.exceptions import OutOfScope
from dangjian.members.models import Member
from dangjian.testing.world import World
from dangjian.transfers import services
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
    services.record_decision(
        member, outcome="cancel", meeting=assembly, note="不履行义务", acting_user=world.secretary
    )
    assert Member.objects.get(pk=member.pk).status == "left"


def test_outsiders_cannot_decide(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(5), -1))
    assembly = closed_assembly(world.branch, days_ago(1))
    with pytest.raises(OutOfScope):
        services.record_decision(member, outcome="convert", meeting=assembly, acting_user=world.outsider)
    assert Member.objects.get(pk=member.pk).category == "probationary"


def test_due_list_skips_those_who_left(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(5), -1))
    services.record_decision(
        member,
        outcome="cancel",
        meeting=closed_assembly(world.branch, days_ago(1)),
        acting_user=world.secretary,
    )
    assert not probation_due(world.branch.path, 30, today=days_ago(0) + timedelta(days=1))
