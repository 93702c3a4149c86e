"""Each month of a member's statement says its real state (已交 / 应交 / 逾期 / 免交 / 减交), on
their own page and on the secretary's page; a paid payment reads 已交, not the kind of payment."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import PaymentKind
from dangjian.dues.months import this_month
from dangjian.dues.queries import member_statement
from dangjian.dues.services import (
    approve_reduction,
    propose_reduction,
    record_payment,
    set_profile,
    void_payment,
)
from dangjian.testing.world import World

D = Decimal


def _client(user: object, lang: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _states(world: World) -> date:
    """Five months from four months ago: paid, exempt, reduced and paid, unpaid, this month unpaid."""
    month = this_month()
    first = add_months(month, -4)
    set_profile(world.member, "salaried", base=D("8000"), effective_from=first, acting_user=SYSTEM)
    record_payment(
        world.member,
        period_from=first,
        period_to=first,
        amount=D("120.00"),
        receipt_no="A1",
        acting_user=SYSTEM,
    )
    exempt = propose_reduction(
        world.member,
        month_from=add_months(month, -3),
        month_to=add_months(month, -3),
        amount=D(0),
        reason="住院",
        acting_user=SYSTEM,
    )
    approve_reduction(exempt, acting_user=world.county_staff)
    reduced = propose_reduction(
        world.member,
        month_from=add_months(month, -2),
        month_to=add_months(month, -2),
        amount=D("10.00"),
        reason="困难",
        acting_user=SYSTEM,
    )
    approve_reduction(reduced, acting_user=world.county_staff)
    record_payment(
        world.member,
        period_from=add_months(month, -2),
        period_to=add_months(month, -2),
        amount=D("10.00"),
        receipt_no="A3",
        acting_user=SYSTEM,
        paid_on=timezone.localdate(),
    )
    return month


def test_statement_states(world: World) -> None:
    month = _states(world)
    recent = member_statement(world.member, month).recent
    assert [(r.month, r.state, r.reduced) for r in recent] == [
        (month, "due", False),
        (add_months(month, -1), "overdue", False),
        (add_months(month, -2), "paid", True),
        (add_months(month, -3), "exempt", False),
        (add_months(month, -4), "paid", False),
    ]


def test_the_homes_card_reads_the_same_amounts_without_the_history(world: World) -> None:
    """The home's dues card skips the payment and reduction rows; what it says must not change:
    a voided payment covers nothing, a voluntary one is not dues, a pending reduction lowers
    nothing."""
    month = _states(world)
    voided = record_payment(
        world.member,
        period_from=add_months(month, -1),
        period_to=add_months(month, -1),
        amount=D("120.00"),
        receipt_no="A4",
        acting_user=SYSTEM,
    )
    void_payment(voided, "录入错误", acting_user=SYSTEM)
    record_payment(
        world.member,
        period_from=month,
        period_to=month,
        amount=D("500.00"),
        receipt_no="A5",
        kind=PaymentKind.VOLUNTARY,
        acting_user=SYSTEM,
    )
    propose_reduction(
        world.member, month_from=month, month_to=month, amount=D(0), reason="待批", acting_user=SYSTEM
    )
    full = member_statement(world.member, month)
    card = member_statement(world.member, month, history=False)
    assert (card.current, card.owed, card.unpaid, card.owed_total, card.recent) == (
        full.current,
        full.owed,
        full.unpaid,
        full.owed_total,
        full.recent,
    )
    assert card.unpaid == 2 and card.owed_total == D("240.00")  # last month and this one, 120 each
    assert card.payments == [] and card.reductions == [] and len(full.payments) == 4


@pytest.mark.parametrize("url", ["/my/dues/", "member"])
def test_each_month_badge_in_chinese(world: World, url: str) -> None:
    month = _states(world)
    if url == "member":
        url, user = f"/members/{world.member.pk}/dues/", world.secretary
    else:
        user = world.member_user
    body = _client(user).get(url).content.decode()
    section = body[body.index('id="recent-months"') :]

    def badge(m: date) -> str:
        row = section[section.index(f'id="month-{m:%Y-%m}"') :]
        return row[: row.index("</li>")]

    assert "已交" in badge(add_months(month, -4)) and "dj-dues-paid" in badge(add_months(month, -4))
    assert "免交" in badge(add_months(month, -3))
    assert "已交" in badge(add_months(month, -2)) and "减交" in badge(add_months(month, -2))
    assert "逾期" in badge(add_months(month, -1)) and "dj-dues-overdue" in badge(add_months(month, -1))
    assert "应交" in badge(month) and "dj-dues-due" in badge(month)
    assert f"{month.year}年{month.month}月" in badge(month)  # 1月, not 月份：1
    # A recorded monthly payment is labelled by what it means to the member, not by its kind.
    payments = body[body.index('id="payments"') :]
    assert "已交" in payments and "应交党费" not in payments


def test_english_states(world: World) -> None:
    month = _states(world)
    body = _client(world.member_user, "en").get("/my/dues/").content.decode()
    for word in ("Paid", "Due", "Overdue", "Exempt", "Reduced"):
        assert f">{word}<" in body, word
    assert f'id="month-{month:%Y-%m}"' in body


def test_my_dues_queries_do_not_grow_with_months_or_instructions(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.dues.instructions import set_instructions

    month = this_month()
    first = add_months(month, -11)
    set_profile(world.member, "salaried", base=D("8000"), effective_from=first, acting_user=SYSTEM)
    set_instructions(world.county, {"cash": True}, acting_user=SYSTEM)
    client = _client(world.member_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/my/dues/").status_code == 200
    for i in range(6):
        paid = add_months(first, i)
        record_payment(
            world.member,
            period_from=paid,
            period_to=paid,
            amount=D("120.00"),
            receipt_no=f"R{i}",
            acting_user=SYSTEM,
            late_reason="纸质记录",
        )
    set_instructions(world.branch, {"cash": True, "cash_contact": "组织委员"}, acting_user=SYSTEM)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/my/dues/").content.decode()
    assert body.count('data-state="paid"') == 6 and body.count('data-state="overdue"') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
