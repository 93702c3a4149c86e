"""Writes: every refusal is clear, changes nothing and is audited; scope is checked."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction, PaymentKind, ReductionState
from dangjian.dues.queries import member_dues
from dangjian.dues.services import (
    approve_reduction,
    propose_reduction,
    record_payment,
    reject_reduction,
    set_profile,
    void_payment,
)
from dangjian.members.models import MemberStatus
from dangjian.testing.world import World

from .helpers import NOV, TODAY, m, pay, salaried

D = Decimal


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_profile_refusals_write_nothing(world: World) -> None:
    cases = [
        ({"category": "salaried", "base": D("-1")}, "base"),
        ({"category": "salaried", "base": D("NaN")}, "base"),
        ({"category": "salaried", "base": D("3000.001")}, "base"),
        ({"category": "salaried"}, "base"),
        ({"category": "farmer", "fixed_amount": D("0.19")}, "fixed"),
        ({"category": "farmer", "fixed_amount": D("1.01")}, "fixed"),
        ({"category": "student", "base": D("3000")}, "base"),
        ({"category": "astronaut", "base": D("3000")}, "category"),
    ]
    for kwargs, field in cases:
        category = kwargs.pop("category")
        with pytest.raises(ValidationError) as info:
            set_profile(
                world.member, category, effective_from=NOV, acting_user=world.secretary, today=TODAY, **kwargs
            )
        assert field in _errors(info), (kwargs, _errors(info))
    with pytest.raises(ValidationError) as info:
        set_profile(world.member, "student", effective_from=TODAY, acting_user=world.secretary, today=TODAY)
    assert "effective_from" in _errors(info)  # not a month's first day
    with pytest.raises(ValidationError) as info:
        set_profile(
            world.member, "student", effective_from=m(2027, 12), acting_user=world.secretary, today=TODAY
        )
    assert "effective_from" in _errors(info)  # more than 12 months ahead
    with pytest.raises(OutOfScope):
        set_profile(world.member, "student", effective_from=NOV, acting_user=world.outsider)
    with pytest.raises(OutOfScope):  # a member may view the branch, not change it
        set_profile(world.member, "student", effective_from=NOV, acting_user=world.member_user)
    assert not DuesProfile.objects.exists()
    assert AuditEntry.objects.filter(action="dues_profile.set", success=False).count() == len(cases) + 4


def test_profile_history_and_audit(world: World) -> None:
    salaried(world.member, "8000", m(2026, 1))
    set_profile(
        world.member,
        "retired",
        base=D("6000"),
        effective_from=m(2026, 7),
        acting_user=world.secretary,
        today=TODAY,
    )
    dues = {d.month: d.amount for d in member_dues(world.member, m(2025, 12), m(2026, 8))}
    assert dues[m(2025, 12)] is None  # before any profile
    assert dues[m(2026, 6)] == D("120.00") and dues[m(2026, 7)] == D("60.00")
    entry = AuditEntry.objects.filter(action="dues_profile.set", success=True).first()
    assert entry is not None and entry.changes["monthly_dues"] == [None, "60.00"]
    world.member.status = MemberStatus.SUSPENDED
    world.member.save(update_fields=["status"])
    with pytest.raises(ValidationError) as info:
        salaried(world.member, since=NOV)
    assert "member" in _errors(info)


def test_duplicate_receipt_is_refused_so_a_retry_never_double_counts(world: World) -> None:
    salaried(world.member)
    first = pay(world.member, NOV, receipt_no="No.001", acting_user=world.secretary)
    for _attempt in range(2):
        with pytest.raises(ValidationError) as info:
            pay(world.member, NOV, receipt_no="No.001", acting_user=world.secretary)
        assert "already recorded" in _errors(info)["receipt_no"][0]
    assert list(DuesPayment.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEntry.objects.filter(action="dues_payment.create", success=True).count() == 1
    assert AuditEntry.objects.filter(action="dues_payment.create", success=False).count() == 2


def test_overlapping_regular_periods_are_refused(world: World) -> None:
    salaried(world.member)
    pay(world.member, m(2026, 10), m(2026, 12), receipt_no="Q4")
    for first, last in [(NOV, NOV), (m(2026, 9), m(2026, 10)), (m(2026, 12), m(2026, 12))]:
        with pytest.raises(ValidationError) as info:
            pay(world.member, first, last, receipt_no="other")
        assert "already paid (receipt Q4)" in _errors(info)["period_from"][0]
    pay(world.member, m(2026, 9), receipt_no="other")  # the month before is free
    assert DuesPayment.objects.count() == 2


def test_period_rules(world: World) -> None:
    salaried(world.member, since=m(2025, 1))
    cases = [
        ((m(2027, 1), m(2027, 1)), "period_to", "end of the current quarter (2026-12)"),
        ((NOV, m(2027, 1)), "period_to", "end of the current quarter"),
        ((m(2026, 4), m(2026, 4)), "period_from", "at most 6 months back (to 2026-05)"),
        ((m(2026, 12), NOV), "period_to", "cannot be before the first"),
        ((TODAY, TODAY), "period_from", "YYYY-MM"),
    ]
    for (first, last), field, text in cases:
        with pytest.raises(ValidationError) as info:
            record_payment(
                world.member,
                period_from=first,
                period_to=last,
                amount=D("120.00"),
                receipt_no="X",
                acting_user=world.secretary,
                today=TODAY,
            )
        assert text in _errors(info)[field][0], _errors(info)
    assert not DuesPayment.objects.exists()
    # Within the limits: six months back, and paying ahead to the quarter's end.
    pay(world.member, m(2026, 5), m(2026, 10), acting_user=world.secretary)
    pay(world.member, NOV, m(2026, 12), acting_user=world.secretary)
    # Older than six months only with a reason, which is kept as the note.
    old = pay(world.member, m(2025, 1), m(2025, 12), late_reason="transferred in with paper records")
    assert old.note == "transferred in with paper records"
    assert DuesPayment.objects.count() == 3


def test_the_payment_date_bounds_the_period(world: World) -> None:
    """Paying ahead reaches the end of the quarter the money was paid in, not the quarter it is
    recorded in; a voluntary payment is for the month it was paid in."""
    from datetime import date

    salaried(world.member)
    with pytest.raises(ValidationError) as info:  # paid in August: ahead only to September
        pay(world.member, m(2026, 9), m(2026, 11), paid_on=date(2026, 8, 10))
    assert "Paid on 2026-08-10, dues could be paid ahead only to 2026-09" in _errors(info)["period_to"][0]
    with pytest.raises(ValidationError) as info:
        pay(world.member, m(2026, 10), amount="50", kind=PaymentKind.VOLUNTARY, paid_on=date(2026, 11, 2))
    assert "the month it was paid in (2026-11)" in _errors(info)["period_from"][0]
    assert not DuesPayment.objects.exists()
    pay(world.member, m(2026, 7), m(2026, 9), paid_on=date(2026, 8, 10))
    pay(world.member, m(2026, 10), amount="50", kind=PaymentKind.VOLUNTARY, paid_on=date(2026, 10, 30))
    assert DuesPayment.objects.count() == 2


def test_joining_month_and_missing_profile(world: World) -> None:
    world.member.join_date = m(2026, 8).replace(day=20)  # accepted as probationary on 20 August
    world.member.save(update_fields=["join_date"])
    with pytest.raises(ValidationError) as info:
        pay(world.member, m(2026, 8))
    assert "set the member's dues profile first" in _errors(info)["period_from"][0]
    salaried(world.member, since=m(2026, 1))
    with pytest.raises(ValidationError) as info:
        pay(world.member, m(2026, 7), m(2026, 8))
    assert "joined in 2026-08" in _errors(info)["period_from"][0]
    pay(world.member, m(2026, 8))  # the joining month is due


def test_amount_must_be_the_dues_exactly(world: World) -> None:
    salaried(world.member)
    for amount, field in [("119.99", "amount"), ("240.00", "amount"), ("-120", "amount"), ("0", "amount")]:
        with pytest.raises(ValidationError) as info:
            pay(world.member, NOV, amount=amount)
        assert field in _errors(info)
    with pytest.raises(ValidationError) as info:
        pay(world.member, NOV, amount="NaN")
    assert "amount" in _errors(info)
    with pytest.raises(ValidationError) as info:
        record_payment(
            world.member,
            period_from=NOV,
            period_to=NOV,
            amount=120.0,
            receipt_no="F",
            acting_user=SYSTEM,  # type: ignore[arg-type]
        )
    assert "amount" in _errors(info)  # a float is refused: it cannot hold fen exactly
    with pytest.raises(ValidationError) as info:
        pay(world.member, NOV, receipt_no="  ")
    assert "receipt_no" in _errors(info)
    with pytest.raises(ValidationError) as info:
        pay(world.member, NOV, amount="100")
    assert "The dues for 2026-11 are 120.00" in _errors(info)["amount"][0]
    assert not DuesPayment.objects.exists()


def test_voluntary_and_large_voluntary(world: World) -> None:
    salaried(world.member)
    small = pay(world.member, NOV, amount="200", kind=PaymentKind.VOLUNTARY, receipt_no="V1")
    large = pay(world.member, NOV, amount="1000.00", kind=PaymentKind.VOLUNTARY, receipt_no="V2")
    assert (small.kind, large.kind) == (PaymentKind.VOLUNTARY, PaymentKind.LARGE_VOLUNTARY)
    with pytest.raises(ValidationError) as info:
        pay(world.member, NOV, amount="999.99", kind=PaymentKind.LARGE_VOLUNTARY, receipt_no="V3")
    assert "kind" in _errors(info)
    with pytest.raises(ValidationError) as info:
        pay(world.member, m(2026, 12), amount="50", kind=PaymentKind.VOLUNTARY, receipt_no="V4")
    assert "future month" in _errors(info)["period_to"][0]
    with pytest.raises(ValidationError):
        pay(world.member, m(2026, 10), NOV, amount="50", kind=PaymentKind.VOLUNTARY, receipt_no="V5")
    with pytest.raises(ValidationError):
        pay(world.member, NOV, amount="50", kind="bribe", receipt_no="V6")
    pay(world.member, NOV)  # voluntary payments do not count as, or block, the month's dues
    assert DuesPayment.objects.count() == 3


def test_proxy_payment_and_scope(world: World) -> None:
    salaried(world.member)
    p = pay(world.member, NOV, paid_by_proxy=" 张伟的妻子 ", acting_user=world.secretary)
    assert p.paid_by_proxy == "张伟的妻子" and p.recorded_by_id == world.secretary.pk
    for user in (world.outsider, world.member_user):
        with pytest.raises(OutOfScope):
            pay(world.member, m(2026, 12), acting_user=user)
    with pytest.raises(OutOfScope):
        void_payment(p, "wrong", acting_user=world.outsider)
    assert DuesPayment.objects.count() == 1


def test_void_frees_the_receipt(world: World) -> None:
    salaried(world.member)
    p = pay(world.member, NOV, receipt_no="No.7")
    with pytest.raises(ValidationError):
        void_payment(p, " ", acting_user=world.secretary)
    void_payment(p, "wrong member", acting_user=world.secretary)
    with pytest.raises(ValidationError):
        void_payment(p, "again", acting_user=world.secretary)
    again = pay(world.member, NOV, receipt_no="No.7")  # re-recorded correctly
    assert DuesPayment.objects.filter(voided_at__isnull=True).get() == again


def _propose(world: World, amount: str = "0", user: object = None) -> DuesReduction:
    return propose_reduction(
        world.member,
        month_from=m(2026, 10),
        month_to=m(2026, 12),
        amount=D(amount),
        reason="因病失业,生活困难",
        acting_user=user or world.secretary,
    )


def test_reduction_is_approved_one_level_up_only(world: World) -> None:
    salaried(world.member)
    r = _propose(world)
    assert r.state == ReductionState.PROPOSED and r.organization_id == world.branch.pk
    with pytest.raises(ValidationError) as info:  # the branch cannot approve its own decision
        approve_reduction(r, acting_user=world.secretary)
    assert "one level up (定王台街道党工委)" in " ".join(info.value.messages)
    with pytest.raises(OutOfScope):
        approve_reduction(r, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        approve_reduction(r, acting_user=world.member_user)
    assert DuesReduction.objects.get().state == ReductionState.PROPOSED
    assert member_dues(world.member, NOV, NOV)[0].amount == D("120.00")  # proposed: no effect yet
    approve_reduction(r, note="同意", acting_user=world.county_staff)  # county covers the township
    r.refresh_from_db()
    assert (r.state, r.approved_by_id, r.review_note) == (
        ReductionState.APPROVED,
        world.county_staff.pk,
        "同意",
    )
    assert member_dues(world.member, NOV, NOV)[0].rule == "exempt"
    with pytest.raises(ValidationError):  # decided once
        reject_reduction(r, note="x", acting_user=world.county_staff)
    with pytest.raises(ValidationError) as info:
        pay(world.member, NOV)
    assert "Nothing is due" in _errors(info)["period_from"][0]
    assert AuditEntry.objects.filter(action="dues_reduction.approve", success=True).count() == 1


def test_reduction_rules(world: World) -> None:
    salaried(world.member)
    with pytest.raises(ValidationError) as info:
        propose_reduction(
            world.member,
            month_from=m(2026, 1),
            month_to=m(2027, 1),
            amount=D("-1"),
            reason=" ",
            acting_user=world.secretary,
        )
    assert set(_errors(info)) == {"month_to", "amount", "reason"}
    r = _propose(world, "5.00", user=world.county_staff)
    with pytest.raises(ValidationError):  # overlaps the one awaiting approval
        _propose(world)
    with pytest.raises(ValidationError) as info:  # whoever proposed cannot approve
        approve_reduction(r, acting_user=world.county_staff)
    assert "cannot also approve" in " ".join(info.value.messages)
    with pytest.raises(ValidationError) as info:
        reject_reduction(r, note=" ", acting_user=world.province_staff)
    assert "note" in _errors(info)
    approve_reduction(r, acting_user=world.province_staff)  # above the township too
    assert member_dues(world.member, NOV, NOV)[0].amount == D("5.00")
    with pytest.raises(ValidationError):
        pay(world.member, NOV)  # 120.00 is no longer the month's dues
    pay(world.member, NOV, m(2026, 12), amount="10.00")


def test_rejected_reduction_changes_nothing(world: World) -> None:
    salaried(world.member)
    r = _propose(world)
    reject_reduction(r, note="材料不全", acting_user=world.county_staff)
    assert DuesReduction.objects.get().state == ReductionState.REJECTED
    assert member_dues(world.member, NOV, NOV)[0].amount == D("120.00")
    _propose(world)  # a rejected one does not block a new proposal
