"""Shared set-up for the dues tests: a fixed 'today' so the period rules are deterministic."""

from datetime import date
from decimal import Decimal
from typing import Any

from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment, DuesProfile
from dangjian.dues.services import record_payment, set_profile
from dangjian.members.models import Member

TODAY = date(2026, 11, 15)  # fourth quarter: paying ahead reaches 2026-12, back to 2026-05
NOV = date(2026, 11, 1)


def m(year: int, month: int) -> date:
    return date(year, month, 1)


JAN = date(2026, 1, 1)


def salaried(member: Member, base: str = "8000", since: date = JAN, **kw: Any) -> DuesProfile:
    return set_profile(
        member, "salaried", base=Decimal(base), effective_from=since, acting_user=SYSTEM, today=TODAY, **kw
    )


def pay(
    member: Member, first: date, last: date | None = None, amount: str | None = None, **kw: Any
) -> DuesPayment:
    """A regular payment of exactly the dues (120.00 a month on the default profile)."""
    last = last or first
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    kw.setdefault("receipt_no", f"R{member.pk}-{first:%Y%m}")
    kw.setdefault("acting_user", SYSTEM)
    kw.setdefault("today", TODAY)
    if first < m(2026, 5):
        kw.setdefault("late_reason", "paper records")
    return record_payment(
        member,
        period_from=first,
        period_to=last,
        amount=Decimal(amount) if amount else Decimal("120.00") * months,
        **kw,
    )
