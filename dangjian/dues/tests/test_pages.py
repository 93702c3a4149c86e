"""The dues pages for each persona: who gets 200, who gets 404, and the forms' refusals."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.core.dates import add_months
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction, ReductionState
from dangjian.dues.months import label, this_month
from dangjian.dues.services import propose_reduction, record_payment, set_profile
from dangjian.testing.world import World, make_member

D = Decimal


def client_for(user: object) -> Client:
    """Signed in, reading English (the default is Chinese; the assertions compare messages)."""
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _setup(world: World) -> None:
    """Both branch A members on 8000 (120.00 a month) from two months ago; 张伟 paid this month."""
    month = this_month()
    for member in (world.member, world.member2, world.member_b):
        set_profile(
            member, "salaried", base=D("8000"), effective_from=add_months(month, -2), acting_user=SYSTEM
        )
    record_payment(
        world.member,
        period_from=month,
        period_to=month,
        amount=D("120.00"),
        receipt_no="No.88",
        acting_user=SYSTEM,
    )


def test_my_dues(world: World) -> None:
    _setup(world)
    body = client_for(world.member_user).get("/my/dues/").content.decode()
    assert "¥120.00" in body and "No.88" in body and "李娜" not in body
    assert "¥240.00" in body  # the two earlier months are owed
    assert 'id="no-member"' in client_for(world.county_staff).get("/my/dues/").content.decode()


def test_org_page_matrix(world: World) -> None:
    _setup(world)
    url = f"/orgs/{world.branch.pk}/dues/?month={label(this_month())}"
    expected = {
        "province_staff": 200,
        "county_staff": 200,
        "secretary": 200,
        "member_user": 200,
        "outsider": 404,
        "auditor": 404,
        "secadmin": 404,
    }
    for persona, code in expected.items():
        assert client_for(world.users[persona]).get(url).status_code == code, persona
    secretary = client_for(world.secretary).get(url).content.decode()
    assert "张伟" in secretary and "李娜" in secretary and "No.88" in secretary
    assert 'id="flags"' in secretary  # 李娜: three months unpaid
    member_view = client_for(world.member_user).get(url).content.decode()
    assert "李娜" not in member_view and 'id="own-rate"' in member_view  # a rate, not the names
    county = client_for(world.county_staff).get(f"/orgs/{world.township.pk}/dues/").content.decode()
    assert 'id="rates"' in county and "第一党支部" in county and "1 / 2" in county
    # A bad month in a link falls back to this month instead of failing.
    assert client_for(world.secretary).get(f"/orgs/{world.branch.pk}/dues/?month=2026-13").status_code == 200


def test_member_page_matrix_and_forms(world: World) -> None:
    url = f"/members/{world.member.pk}/dues/"
    for persona, code in {"secretary": 200, "county_staff": 200, "member_user": 404, "outsider": 404}.items():
        assert client_for(world.users[persona]).get(url).status_code == code, persona
    secretary = client_for(world.secretary)
    since = label(add_months(this_month(), -1))
    bad = secretary.post(
        url, {"form": "profile", "category": "salaried", "base": "-5", "effective_from": since}
    )
    assert bad.status_code == 200 and "cannot be negative" in bad.content.decode()
    bad = secretary.post(
        url, {"form": "profile", "category": "salaried", "base": "abc", "effective_from": since}
    )
    assert bad.status_code == 200
    bad = secretary.post(
        url, {"form": "profile", "category": "farmer", "fixed": "1.50", "effective_from": since}
    )
    assert "0.20 to 1.00" in bad.content.decode()
    assert not DuesProfile.objects.exists()
    ok = secretary.post(
        url, {"form": "profile", "category": "salaried", "base": "3000.01", "effective_from": since}
    )
    assert ok.status_code == 302
    month = label(this_month())
    payment = {
        "form": "payment",
        "period_from": month,
        "period_to": month,
        "amount": "30.00",
        "kind": "regular",
        "receipt_no": "No.1",
    }
    assert secretary.post(url, payment).status_code == 302
    again = secretary.post(url, payment)
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    future = secretary.post(
        url, {**payment, "period_from": "2100-01", "period_to": "2100-01", "receipt_no": "F"}
    )
    assert future.status_code == 200 and "current quarter" in future.content.decode()
    assert DuesPayment.objects.count() == 1
    reduction = {"form": "reduction", "month_from": month, "month_to": month, "amount": "0", "reason": "困难"}
    assert secretary.post(url, reduction).status_code == 302
    assert DuesReduction.objects.get().state == ReductionState.PROPOSED


def test_void_and_review_actions(world: World) -> None:
    _setup(world)
    p = DuesPayment.objects.get()
    assert client_for(world.outsider).post(f"/dues/payments/{p.pk}/void/", {"reason": "x"}).status_code == 404
    assert client_for(world.secretary).get(f"/dues/payments/{p.pk}/void/").status_code == 405
    assert (
        client_for(world.secretary).post(f"/dues/payments/{p.pk}/void/", {"reason": "录错"}).status_code
        == 302
    )
    assert DuesPayment.objects.get().void_reason == "录错"
    month = this_month()
    r = propose_reduction(
        world.member2,
        month_from=month,
        month_to=month,
        amount=D("0"),
        reason="困难",
        acting_user=world.secretary,
    )
    approve = f"/dues/reductions/{r.pk}/approve/"
    assert client_for(world.outsider).post(approve).status_code == 404
    assert client_for(world.member_user).post(approve).status_code == 404
    client_for(world.secretary).post(approve)  # refused with a message: not one level up
    assert DuesReduction.objects.get().state == ReductionState.PROPOSED
    pending = client_for(world.county_staff).get(f"/orgs/{world.township.pk}/dues/").content.decode()
    assert f'id="reduction-{r.pk}"' in pending and approve in pending
    assert client_for(world.county_staff).post(approve, {"note": "同意"}).status_code == 302
    assert DuesReduction.objects.get().state == ReductionState.APPROVED


def test_collection_sheet_download_is_audited(world: World) -> None:
    _setup(world)
    url = f"/orgs/{world.branch.pk}/dues.xlsx?month={label(this_month())}"
    for persona, code in {"secretary": 200, "county_staff": 200, "member_user": 404, "outsider": 404}.items():
        assert client_for(world.users[persona]).get(url).status_code == code, persona
    response = client_for(world.secretary).get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(f"dues-{world.branch.code}-{label(this_month())}.xlsx")
    assert AuditEntry.objects.filter(action="dues.export", success=True).count() == 3


def test_branch_page_costs_the_same_for_more_members(world: World) -> None:
    _setup(world)
    client = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/dues/?month={label(this_month())}"

    def cost() -> int:
        client.get(url)  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = cost()
    for i in range(6):
        member = make_member(world.branch, f"新党员{i}", birth=date(1970 + i, 1, 2))
        set_profile(member, "retired", base=D("4000"), effective_from=this_month(), acting_user=SYSTEM)
    assert cost() == before <= 15
