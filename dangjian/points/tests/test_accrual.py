"""Accrual from closed meetings and on-time dues: exact numbers, caps, the nearest committee's
rules, idempotency, voided payments, query budgets."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.dues.services import void_payment
from dangjian.members.models import Member
from dangjian.orglife.services import schedule_meeting
from dangjian.points.accrual import accrue, accrue_meeting, on_time_months
from dangjian.points.models import PointEntry, SourceType
from dangjian.points.queries import branch_table, member_ledger
from dangjian.points.rules import capped
from dangjian.testing.world import World, make_member, make_org

from .helpers import YEAR, at, held, paid, rule, standard_rules, student

D = date


def total(member: Member) -> int:
    return PointEntry.objects.filter(member=member, state="approved").aggregate(s=Sum("points"))["s"] or 0


def _year_of_branch_a(world: World) -> dict[str, Any]:
    """The worked example of docs/points.md: four 三会一课 in Q1 (cap 6), a theme day, dues."""
    rules = standard_rules(world.township)
    a, b = world.member, world.member2
    held(world.branch, "branch_assembly", D(YEAR, 1, 10), {a: "present", b: "absent"})
    held(world.branch, "party_lecture", D(YEAR, 1, 20), {a: "present", b: "absent"})
    held(world.branch, "branch_assembly", D(YEAR, 2, 10), {a: "present", b: "present"})
    held(world.branch, "party_lecture", D(YEAR, 3, 5), {a: "present", b: "absent"})
    held(world.branch, "theme_day", D(YEAR, 4, 8), {a: "present", b: "leave"})
    student(a)
    student(b)
    q1 = paid(a, D(YEAR, 1, 1), D(YEAR, 3, 1), D(YEAR, 1, 5), "A-Q1")  # all three on time
    paid(a, D(YEAR, 4, 1), D(YEAR, 4, 1), D(YEAR, 5, 10), "A-04")  # late: nothing
    paid(b, D(YEAR, 1, 1), D(YEAR, 3, 1), D(YEAR, 2, 10), "B-Q1")  # February and March on time
    return {"rules": rules, "q1": q1}


def test_pure_helpers() -> None:
    assert on_time_months(D(2025, 1, 1), D(2025, 3, 1), D(2025, 1, 5)) == 3
    assert on_time_months(D(2025, 1, 1), D(2025, 3, 1), D(2025, 3, 31)) == 1
    assert on_time_months(D(2025, 1, 1), D(2025, 1, 1), D(2025, 2, 1)) == 0
    assert on_time_months(D(2025, 1, 1), D(2025, 1, 1), D(2024, 12, 20)) == 1
    assert capped(2, 4, 6) == (2, False)
    assert capped(2, 5, 6) == (1, True)
    assert capped(-2, 4, 4) == (0, True)
    assert capped(-3, 0, None) == (-3, False)


def test_exact_numbers_with_caps(world: World) -> None:
    _year_of_branch_a(world)
    result = accrue(world.township, YEAR, acting_user=SYSTEM)
    a, b = world.member, world.member2
    # 张伟: 2 + 2 + 2 + 0 (quarter cap 6) + theme day 2 + dues 3 = 11
    assert total(a) == 11
    # 李娜: absent −2, −2, then 0 (year cap 4); present +2; leave nothing; dues Feb–Mar +2 = 0
    assert total(b) == 0
    assert result.created == 11 and result.points == 11 and result.removed == 0
    capped_rows = PointEntry.objects.filter(capped=True)
    assert capped_rows.count() == 2 and set(capped_rows.values_list("points", flat=True)) == {0}
    dues = PointEntry.objects.get(member=a, source_type=SourceType.DUES_PAYMENT)
    assert (dues.points, dues.quantity, dues.occurred_on) == (3, 3, D(YEAR, 1, 5))
    # One meeting gives one entry per member; the leave gave none.
    assert PointEntry.objects.filter(source_type=SourceType.MEETING).count() == 9
    table = branch_table(world.branch, YEAR)
    assert [(r.member.name, r.total, r.rank) for r in table] == [("张伟", 11, 1), ("李娜", 0, 2)]
    assert table[0].kind("meeting_attendance") == 6 and table[1].kind("absence") == -4
    ledger = member_ledger(b, YEAR)
    assert (ledger.total, ledger.rank, ledger.ranked) == (0, 2, 2)
    assert member_ledger(a, YEAR, limit=1).total == 11  # the total counts past the entries shown
    # One summary audit entry for the run.
    entry = AuditEntry.objects.get(action="points.accrue")
    assert entry.changes["created"] == [None, 11]


def test_accrual_is_idempotent(world: World) -> None:
    _year_of_branch_a(world)
    accrue(world.township, YEAR, acting_user=SYSTEM)
    before = list(PointEntry.objects.order_by("id").values_list("id", "points", "capped"))
    again = accrue(world.township, YEAR, acting_user=SYSTEM)
    assert (again.created, again.points) == (0, 0)
    accrue(world.branch, YEAR, acting_user=SYSTEM)  # a narrower run adds nothing either
    assert list(PointEntry.objects.order_by("id").values_list("id", "points", "capped")) == before


def test_later_meeting_takes_only_the_room_left(world: World) -> None:
    _year_of_branch_a(world)
    accrue(world.township, YEAR, acting_user=SYSTEM)
    late = held(
        world.branch, "branch_assembly", D(YEAR, 2, 20), {world.member: "present", world.member2: "present"}
    )
    result = accrue_meeting(late, acting_user=SYSTEM)
    # 张伟's quarter was full; 李娜 had 2 of 6.
    got = dict(PointEntry.objects.filter(source_id=late.pk).values_list("member__name", "points"))
    assert got == {"张伟": 0, "李娜": 2} and result.created == 2
    assert accrue_meeting(late, acting_user=SYSTEM).created == 0


def test_nearest_committee_rules_apply(world: World) -> None:
    rule(world.county, "meeting_attendance", "县：参加会议", 5)
    rule(world.township, "meeting_attendance", "乡：参加会议", 1)
    county_branch = make_org(world.county, "机关党支部", "430102900001", "branch")
    clerk = make_member(county_branch, "赵强")
    held(world.branch, "branch_assembly", D(YEAR, 5, 6), {world.member: "present", world.member2: "present"})
    held(county_branch, "branch_assembly", D(YEAR, 5, 6), {clerk: "present"})
    held(world.branch_b, "branch_assembly", D(YEAR, 5, 6), {world.member_b: "present"})  # no rules above
    accrue(world.city, YEAR, acting_user=SYSTEM)
    assert total(world.member) == 1  # the township's set replaces the county's
    assert total(clerk) == 5
    assert total(world.member_b) == 0 and not PointEntry.objects.filter(member=world.member_b).exists()


def test_voided_payment_loses_its_points(world: World) -> None:
    setup = _year_of_branch_a(world)
    accrue(world.township, YEAR, acting_user=SYSTEM)
    void_payment(setup["q1"], "收据填错", acting_user=SYSTEM)
    result = accrue(world.township, YEAR, acting_user=SYSTEM)
    assert result.removed == 1 and total(world.member) == 8


def test_only_closed_meetings_and_scope(world: World) -> None:
    standard_rules(world.township)
    planned = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "计划",
            "starts_at": at(D(YEAR, 6, 1)),
            "ends_at": at(D(YEAR, 6, 1), 11),
        },
        acting_user=SYSTEM,
    )
    assert accrue(world.township, YEAR, acting_user=SYSTEM).created == 0
    with pytest.raises(ValidationError):
        accrue_meeting(planned, acting_user=SYSTEM)
    with pytest.raises(OutOfScope):
        accrue(world.township, YEAR, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        accrue(world.township, YEAR, acting_user=world.secretary)  # the branch's secretary: not above
    with pytest.raises(ValidationError):
        accrue(world.branch, 1999, acting_user=world.secretary)
    assert AuditEntry.objects.filter(action="points.accrue", success=False).count() == 3


def test_accrual_queries_do_not_grow_with_records(world: World, django_assert_max_num_queries: Any) -> None:
    _year_of_branch_a(world)
    with django_assert_max_num_queries(16) as small:
        accrue(world.township, YEAR, acting_user=SYSTEM)
    for month in range(5, 12):
        held(
            world.branch,
            "party_lecture",
            D(YEAR, month, 3),
            {world.member: "present", world.member2: "absent"},
        )
    extra = [make_member(world.branch2, f"党员{i}") for i in range(5)]
    held(world.branch2, "branch_assembly", D(YEAR, 7, 1), dict.fromkeys(extra, "present"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = accrue(world.township, YEAR, acting_user=SYSTEM)
    assert result.created == 7 * 2 + 5  # branch 2 follows the same township rules


def test_nightly_accrual(world: World) -> None:
    from django.utils import timezone

    from dangjian.points.tasks import accrue_everything

    year = timezone.localdate().year
    standard_rules(world.township, year)
    day = timezone.localdate() - timedelta(days=1)
    if day.year == year:  # a meeting yesterday (on 1 January, the test has nothing to accrue)
        held(world.branch, "theme_day", day, {world.member: "present", world.member2: "present"})
        assert accrue_everything() == 2
    assert accrue_everything() == 0


def test_payment_paid_in_the_next_year_accrues_once(world: World) -> None:
    """December paid in January with January: it counts in the year it was paid (the entry's
    date), so re-running either year neither fails on the unique key nor counts it twice."""
    from decimal import Decimal

    from dangjian.dues.services import record_payment, set_profile

    dues_2025 = rule(world.township, "dues_on_time", "按时交纳党费", 1)
    dues_2026 = rule(world.township, "dues_on_time", "按时交纳党费", 1, year=YEAR + 1)
    set_profile(
        world.member, "student", effective_from=D(YEAR, 1, 1), acting_user=SYSTEM, today=D(YEAR, 1, 1)
    )
    record_payment(
        world.member,
        period_from=D(YEAR, 12, 1),
        period_to=D(YEAR + 1, 1, 1),
        amount=Decimal("0.40"),
        receipt_no="DEC-JAN",
        paid_on=D(YEAR + 1, 1, 5),
        today=D(YEAR + 1, 1, 5),
        acting_user=SYSTEM,
    )
    for _run in range(2):
        accrue(world.township, YEAR, acting_user=SYSTEM)
        accrue(world.township, YEAR + 1, acting_user=SYSTEM)
    entry = PointEntry.objects.get(member=world.member)
    assert (entry.rule_id, entry.points, entry.occurred_on) == (dues_2026.pk, 1, D(YEAR + 1, 1, 5))
    assert not PointEntry.objects.filter(rule=dues_2025).exists()


def test_one_entry_per_member_and_source_even_after_the_rules_change(world: World) -> None:
    from dangjian.points.services import update_rule

    rules = standard_rules(world.township)
    held(world.branch, "branch_assembly", D(YEAR, 3, 3), {world.member: "present", world.member2: "present"})
    assert accrue(world.township, YEAR, acting_user=SYSTEM).created == 2
    # The township replaces its meeting rule, and the county sets rules of its own: the meeting
    # already counted is not counted again under the new rule.
    update_rule(rules["meeting"], {"active": False}, acting_user=SYSTEM)
    rule(world.township, "meeting_attendance", "参加会议（新）", 3)
    rule(world.county, "meeting_attendance", "县：参加会议", 5)
    assert accrue(world.county, YEAR, acting_user=SYSTEM).created == 0
    assert total(world.member) == 2 and PointEntry.objects.count() == 2
