"""Reads on hand-built fixtures: exact numbers, unpaid streaks 3/5/6, and query budgets."""

from datetime import date
from decimal import Decimal

from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment, PaymentKind
from dangjian.dues.queries import (
    CollectionRate,
    branch_month,
    child_rates,
    collection_rates,
    consecutive_unpaid,
    flag_for,
    member_statement,
    unpaid_streak,
)
from dangjian.dues.services import approve_reduction, propose_reduction, set_profile, void_payment
from dangjian.members.models import Member, MemberStatus
from dangjian.testing.world import World, make_member

from .helpers import NOV, TODAY, m, pay, salaried

D = Decimal


def test_unpaid_streak_arithmetic() -> None:
    join = date(2005, 7, 1)
    assert unpaid_streak(NOV, join, None, None, None) is None  # no profile: not counted
    assert unpaid_streak(NOV, join, m(2026, 11), None, None) == 1  # the month shown is unpaid
    assert unpaid_streak(NOV, join, m(2026, 1), None, None) == 11
    assert unpaid_streak(NOV, join, m(2026, 1), m(2026, 11), None) == 0
    assert unpaid_streak(NOV, join, m(2026, 1), m(2026, 12), None) == 0  # paid ahead
    assert unpaid_streak(NOV, join, m(2026, 1), m(2026, 8), None) == 3
    assert unpaid_streak(NOV, join, m(2026, 1), m(2026, 5), m(2026, 9)) == 2  # exempt to September
    assert unpaid_streak(NOV, date(2026, 10, 20), m(2026, 1), None, None) == 2  # joined in October
    assert unpaid_streak(NOV, join, m(2027, 1), None, None) == 0  # profile takes effect later
    assert [flag_for(n) for n in (0, 2, 3, 4, 5, 6, 9)] == ["", "", "warn", "warn", "serious", "art9", "art9"]


def _members(world: World) -> dict[str, Member]:
    """Branch A: 张伟 paid through Nov, 李娜 through Aug (3), 赵强 through Jun (5), 钱敏 through
    May (6, art. 9); 孙丽 without a profile; 周军 suspended. Branch A2: 吴刚 paid through Nov."""
    people = {
        "zhao": make_member(world.branch, "赵强", birth=date(1970, 1, 2)),
        "qian": make_member(world.branch, "钱敏", birth=date(1971, 1, 2), gender="female"),
        "sun": make_member(world.branch, "孙丽", birth=date(1972, 1, 2), gender="female"),
        "zhou": make_member(world.branch, "周军", birth=date(1973, 1, 2), status=MemberStatus.SUSPENDED),
        "wu": make_member(world.branch2, "吴刚", birth=date(1974, 1, 2)),
    }
    for member in (world.member, world.member2, people["zhao"], people["qian"], people["wu"], world.member_b):
        salaried(member, "8000", m(2026, 1))
    pay(world.member, m(2026, 1), m(2026, 11), receipt_no="A1")
    pay(world.member2, m(2026, 1), m(2026, 8), receipt_no="B1")
    pay(people["zhao"], m(2026, 1), m(2026, 6), receipt_no="C1")
    pay(people["qian"], m(2026, 1), m(2026, 5), receipt_no="D1")
    pay(people["wu"], m(2026, 11), receipt_no="E1")
    return people


def test_consecutive_unpaid_exact(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    p = _members(world)
    with django_assert_num_queries(1):
        streaks = consecutive_unpaid(world.branch.path, NOV)
    assert streaks == {world.member.pk: 0, world.member2.pk: 3, p["zhao"].pk: 5, p["qian"].pk: 6}
    assert {pk: flag_for(n) for pk, n in streaks.items()} == {
        world.member.pk: "",
        world.member2.pk: "warn",
        p["zhao"].pk: "serious",
        p["qian"].pk: "art9",
    }
    # As of an earlier month the streaks are shorter; the subtree reaches the second branch.
    assert consecutive_unpaid(world.township.path, m(2026, 9)) == {
        world.member.pk: 0,
        world.member2.pk: 1,
        p["zhao"].pk: 3,
        p["qian"].pk: 4,
        p["wu"].pk: 9,  # from the profile's first month to September
    }
    # A voided payment no longer counts.
    void_payment(DuesPayment.objects.get(receipt_no="A1"), "wrong period", acting_user=SYSTEM)
    assert consecutive_unpaid(world.branch.path, NOV)[world.member.pk] == 11


def test_exemption_stops_the_streak(world: World) -> None:
    salaried(world.member2, "8000", m(2026, 1))
    pay(world.member2, m(2026, 1), m(2026, 5), receipt_no="B1")
    r = propose_reduction(
        world.member2,
        month_from=m(2026, 6),
        month_to=m(2026, 9),
        amount=D("0"),
        reason="大病住院",
        acting_user=world.secretary,
    )
    assert consecutive_unpaid(world.branch.path, NOV)[world.member2.pk] == 6  # not approved yet
    approve_reduction(r, acting_user=world.county_staff)
    assert consecutive_unpaid(world.branch.path, NOV)[world.member2.pk] == 2
    assert consecutive_unpaid(world.branch.path, m(2026, 8))[world.member2.pk] == 0


def test_branch_month_exact(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    p = _members(world)
    set_profile(
        p["sun"],
        "farmer",
        fixed_amount=D("0.50"),
        effective_from=m(2026, 12),
        acting_user=SYSTEM,
        today=TODAY,
    )
    pay(world.member, NOV, amount="300", kind=PaymentKind.VOLUNTARY, receipt_no="V1")
    pay(world.member2, NOV, amount="2000", kind=PaymentKind.VOLUNTARY, receipt_no="V2")
    with django_assert_num_queries(4):
        data = branch_month(world.branch, NOV)
        rows = {r.member.name: r for r in data.rows}
        assert rows["张伟"].due.profile is not None  # loaded, no query per row
    assert list(rows) == sorted(rows)  # by name
    assert "周军" not in rows  # suspended: owes nothing
    assert {name: (r.state, r.due.amount, r.unpaid, r.flag) for name, r in rows.items()} == {
        "张伟": ("paid", D("120.00"), 0, ""),
        "李娜": ("unpaid", D("120.00"), 3, "warn"),
        "赵强": ("unpaid", D("120.00"), 5, "serious"),
        "钱敏": ("unpaid", D("120.00"), 6, "art9"),
        "孙丽": ("no_profile", None, 0, ""),  # her profile starts in December
    }
    assert rows["张伟"].payment is not None and rows["张伟"].payment.receipt_no == "A1"
    assert rows["张伟"].due.rule == "salaried_le_10000"
    assert data.counts == {"paid": 1, "unpaid": 3, "exempt": 0, "no_profile": 1}
    assert (data.due_total, data.collected_total, data.voluntary_total) == (
        D("480.00"),
        D("120.00"),
        D("2300.00"),
    )
    assert [(x.member.name, x.amount) for x in data.large_voluntary] == [("李娜", D("2000.00"))]
    assert [r.member.name for r in data.flagged] == ["钱敏", "赵强", "李娜"]


def test_collection_rates_exact(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    p = _members(world)
    with django_assert_num_queries(1):
        rates = collection_rates(world.county.path, NOV)
    # Branch A: 5 owe dues (周军 is suspended), 孙丽 has no profile → 1 paid of 4 due.
    assert rates == {world.branch.pk: CollectionRate(1, 4, 1), world.branch2.pk: CollectionRate(1, 1, 0)}
    assert rates[world.branch.pk].percent == 25
    assert collection_rates(world.county.path, m(2026, 12)) == {
        world.branch.pk: CollectionRate(0, 4, 1),
        world.branch2.pk: CollectionRate(0, 1, 0),
    }
    r = propose_reduction(
        p["qian"], month_from=NOV, month_to=NOV, amount=D("0"), reason="困难", acting_user=world.secretary
    )
    approve_reduction(r, acting_user=world.county_staff)
    assert collection_rates(world.branch.path, NOV) == {world.branch.pk: CollectionRate(1, 3, 1)}  # exempt
    with django_assert_num_queries(2):
        by_child = child_rates(world.city, NOV)
    assert [(o.name, rate) for o, rate in by_child] == [
        ("芙蓉区委", CollectionRate(2, 4, 1)),
        ("天心区委", CollectionRate(0, 1, 0)),
    ]
    assert child_rates(world.branch, NOV) == []
    assert CollectionRate(0, 0).percent is None


def test_member_statement(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    salaried(world.member2, "8000", m(2026, 1))
    pay(world.member2, m(2026, 1), m(2026, 6), receipt_no="B1")
    pay(world.member2, m(2026, 8), receipt_no="B2")
    with django_assert_num_queries(3):
        s = member_statement(world.member2, NOV)
    assert [d.month for d in s.owed] == [m(2026, 7), m(2026, 9), m(2026, 10), m(2026, 11)]
    assert (s.owed_total, s.unpaid, s.current.amount) == (D("480.00"), 3, D("120.00"))
    assert [p.receipt_no for p in s.payments] == ["B2", "B1"]
    empty = member_statement(world.member, NOV)
    assert (empty.current.amount, empty.owed, empty.unpaid) == (None, [], 0)
