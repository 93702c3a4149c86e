"""The dues API: the quote, payments (a retried POST is refused), reductions, reads and scope."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction
from dangjian.dues.months import label, this_month
from dangjian.dues.services import record_payment, set_profile
from dangjian.testing.api import english_client
from dangjian.testing.world import World

Api = Callable[[str], APIClient]
QUOTE = "/api/v1/dues/quote"
PROFILES = "/api/v1/dues/profiles/"
PAYMENTS = "/api/v1/dues/payments/"
REDUCTIONS = "/api/v1/dues/reductions/"


@pytest.mark.parametrize(
    ("query", "amount", "rule"),
    [
        ("category=salaried&base=3000", "15.00", "salaried_le_3000"),
        ("category=salaried&base=3000.01", "30.00", "salaried_le_5000"),
        ("category=salaried&base=8000", "120.00", "salaried_le_10000"),
        ("category=salaried&base=12000.00", "240.00", "salaried_gt_10000"),
        ("category=retired&base=5000", "25.00", "retired_le_5000"),
        ("category=retired&base=6000", "60.00", "retired_gt_5000"),
        ("category=other&base=10000.01", "200.00", "salaried_gt_10000"),
        ("category=student", "0.20", "flat_0_20"),
        ("category=farmer&fixed=0.5", "0.50", "farmer_fixed"),
    ],
)
def test_quote(api: Api, query: str, amount: str, rule: str) -> None:
    response = api("member_user").get(f"{QUOTE}?{query}")
    assert response.status_code == 200, response.data
    assert (response.data["amount"], response.data["rule"]) == (amount, rule)
    assert response.data["text"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=salaried&base=-1", "base"),
        ("category=salaried&base=abc", "base"),
        ("category=salaried&base=NaN", "base"),
        ("category=salaried&base=inf", "base"),
        ("category=salaried&base=1e4", "base"),
        ("category=salaried&base=8000.001", "base"),
        ("category=salaried", "base"),
        ("category=farmer&fixed=0.19", "fixed"),
        ("category=farmer&fixed=1.01", "fixed"),
        ("category=student&base=100", "base"),
        ("category=pensioner&base=100", "category"),
        ("base=100", "category"),
        ("category=salaried&base=100&bse=1", "bse"),
    ],
)
def test_quote_refuses_bad_input(api: Api, query: str, field: str) -> None:
    response = api("member_user").get(f"{QUOTE}?{query}")
    assert response.status_code == 400 and field in response.data, response.data


def test_quote_needs_a_signed_in_user(world: World) -> None:
    assert english_client().get(f"{QUOTE}?category=student").status_code in (401, 403)


def _profile(api: Api, world: World, member_pk: int | None = None) -> dict[str, object]:
    since = label(add_months(this_month(), -2))
    data = {
        "member": member_pk or world.member.pk,
        "dues_category": "salaried",
        "base": "8000",
        "effective_from": since,
    }
    response = api("secretary").post(PROFILES, data)
    assert response.status_code == 201, response.data
    return dict(response.data)


def test_profiles(api: Api, world: World) -> None:
    created = _profile(api, world)
    assert created["monthly_dues"] == "120.00" and created["base"] == "8000.00" and created["fixed"] is None
    secretary = api("secretary")
    since = label(this_month())
    for data, field in [
        (
            {
                "member": world.member.pk,
                "dues_category": "salaried",
                "base": "-8000",
                "effective_from": since,
            },
            "base",
        ),
        (
            {"member": world.member.pk, "dues_category": "salaried", "base": "NaN", "effective_from": since},
            "base",
        ),
        (
            {"member": world.member.pk, "dues_category": "farmer", "fixed": "1.5", "effective_from": since},
            "fixed",
        ),
        (
            {"member": world.member.pk, "dues_category": "student", "effective_from": "2026/11"},
            "effective_from",
        ),
        ({"member": world.member_b.pk, "dues_category": "student", "effective_from": since}, "member"),
        (
            {
                "member": world.member.pk,
                "dues_category": "student",
                "effective_from": since,
                "monthly_dues": "1",
            },
            "monthly_dues",
        ),
    ]:
        response = secretary.post(PROFILES, data)
        assert response.status_code == 400 and field in response.data, (data, response.data)
    assert DuesProfile.objects.count() == 1
    assert [p["id"] for p in secretary.get(PROFILES).data["results"]] == [created["id"]]
    assert api("member_user").get(PROFILES).data["results"] == []  # bases reveal income
    assert api("member_user").get(f"{PROFILES}{created['id']}/").status_code == 404
    assert api("outsider").get(f"{PROFILES}{created['id']}/").status_code == 404


def test_a_retried_payment_post_is_refused(api: Api, world: World) -> None:
    _profile(api, world)
    month = label(this_month())
    data = {"member": world.member.pk, "period_from": month, "amount": "120.00", "receipt_no": "No.0001"}
    secretary = api("secretary")
    first = secretary.post(PAYMENTS, data)
    assert first.status_code == 201, first.data
    assert (first.data["period_to"], first.data["kind"], first.data["recorded_by"]) == (
        month,
        "regular",
        "secretary",
    )
    retry = secretary.post(PAYMENTS, data)
    assert retry.status_code == 400 and "already recorded" in retry.data["receipt_no"][0]
    assert DuesPayment.objects.count() == 1
    other = secretary.post(PAYMENTS, {**data, "receipt_no": "No.0002"})
    assert other.status_code == 400 and "already paid" in other.data["period_from"][0]
    assert DuesPayment.objects.count() == 1


def test_payment_bad_input(api: Api, world: World) -> None:
    _profile(api, world)
    month = label(this_month())
    base = {"member": world.member.pk, "period_from": month, "amount": "120.00", "receipt_no": "R"}
    secretary = api("secretary")
    for changes, field in [
        ({"amount": "-120"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "100.00"}, "amount"),
        ({"period_from": "2100-01"}, "period_to"),
        ({"period_from": "13-2026"}, "period_from"),
        ({"period_from": label(add_months(this_month(), -9))}, "period_from"),
        ({"kind": "tip"}, "kind"),
        ({"receipt_no": ""}, "receipt_no"),
        ({"member": world.member_b.pk}, "member"),
        ({"recorded_at": "2026-01-01T00:00:00Z"}, "recorded_at"),
    ]:
        response = secretary.post(PAYMENTS, {**base, **changes})
        assert response.status_code == 400 and field in response.data, (changes, response.data)
    assert not DuesPayment.objects.exists()
    assert api("member_user").post(PAYMENTS, base).status_code == 400  # no member within its change scope
    assert api("outsider").post(PAYMENTS, base).status_code == 400


def test_payment_list_void_and_scope(api: Api, world: World) -> None:
    _profile(api, world)
    month = label(this_month())
    data = {"member": world.member.pk, "period_from": month, "amount": "120.00", "receipt_no": "No.9"}
    created = api("secretary").post(PAYMENTS, data).data
    listed = api("county_staff").get(f"{PAYMENTS}?org={world.branch.code}&month={month}").data["results"]
    assert [p["id"] for p in listed] == [created["id"]]
    assert api("county_staff").get(f"{PAYMENTS}?month=bad").status_code == 400
    for persona in ("outsider", "member_user"):
        assert api(persona).get(PAYMENTS).data["results"] == []
        assert api(persona).get(f"{PAYMENTS}{created['id']}/").status_code == 404
        assert api(persona).post(f"{PAYMENTS}{created['id']}/void/", {"reason": "x"}).status_code == 404
    assert api("secretary").post(f"{PAYMENTS}{created['id']}/void/", {}).status_code == 400
    voided = api("secretary").post(f"{PAYMENTS}{created['id']}/void/", {"reason": "录错"})
    assert voided.status_code == 200 and voided.data["voided_at"] and voided.data["void_reason"] == "录错"
    assert api("secretary").post(PAYMENTS, data).status_code == 201  # the receipt is free again


def test_reductions(api: Api, world: World) -> None:
    _profile(api, world)
    month = label(this_month())
    data = {
        "member": world.member.pk,
        "month_from": month,
        "month_to": month,
        "amount": "0",
        "reason": "困难",
    }
    created = api("secretary").post(REDUCTIONS, data)
    assert created.status_code == 201 and created.data["state"] == "proposed", created.data
    url = f"{REDUCTIONS}{created.data['id']}/"
    refused = api("secretary").post(f"{url}approve/")
    assert refused.status_code == 400 and "one level up" in str(refused.data)
    assert api("outsider").post(f"{url}approve/").status_code == 404
    assert api("county_staff").post(f"{url}reject/", {}).status_code == 400  # a reason is needed
    approved = api("county_staff").post(f"{url}approve/", {"note": "同意"})
    assert approved.status_code == 200 and approved.data["state"] == "approved"
    assert approved.data["approved_by"] == "county_staff" and approved.data["decided_by"] == "secretary"
    assert api("county_staff").post(f"{url}reject/", {"note": "x"}).status_code == 400
    assert DuesReduction.objects.get().state == "approved"
    for changes, field in [
        ({"amount": "-1"}, "amount"),
        ({"reason": ""}, "reason"),
        ({"month_to": "2100/01"}, "month_to"),
        ({"month_from": "2100-01", "month_to": "2100-01"}, "month_from"),
    ]:
        bad = api("secretary").post(REDUCTIONS, {**data, **changes})
        assert bad.status_code == 400 and field in bad.data, (changes, bad.data)
    assert DuesReduction.objects.count() == 1


def test_mine_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    """The member's statement costs the same with 1 payment or 6 (no query per payment)."""
    month = this_month()
    set_profile(
        world.member,
        "salaried",
        base=Decimal("8000"),
        effective_from=add_months(month, -6),
        acting_user=SYSTEM,
    )

    def paid(back: int) -> None:
        record_payment(
            world.member,
            period_from=add_months(month, -back),
            period_to=add_months(month, -back),
            amount=Decimal("120.00"),
            receipt_no=f"R{back}",
            acting_user=world.secretary,
        )

    paid(0)
    client = api("member_user")
    client.get("/api/v1/dues/mine")  # warm the session
    with django_assert_max_num_queries(20) as few:
        assert len(client.get("/api/v1/dues/mine").data["payments"]) == 1
    for back in range(1, 6):
        paid(back)
    with django_assert_max_num_queries(len(few.captured_queries)):
        payments = client.get("/api/v1/dues/mine").data["payments"]
    assert [(p["member_name"], p["recorded_by"]) for p in payments] == [("张伟", "secretary")] * 6


def test_mine_month_and_rates(api: Api, world: World) -> None:
    month = this_month()
    for member in (world.member, world.member2):
        set_profile(
            member, "salaried", base=Decimal("8000"), effective_from=add_months(month, -2), acting_user=SYSTEM
        )
    api("secretary").post(
        PAYMENTS,
        {"member": world.member.pk, "period_from": label(month), "amount": "120.00", "receipt_no": "A"},
    )
    mine = api("member_user").get("/api/v1/dues/mine")
    assert mine.status_code == 200
    assert mine.data["current"]["amount"] == "120.00" and mine.data["owed_total"] == "240.00"
    assert [p["receipt_no"] for p in mine.data["payments"]] == ["A"]
    assert api("county_staff").get("/api/v1/dues/mine").status_code == 404  # no member record
    month_url = f"/api/v1/dues/month?org={world.branch.code}&month={label(month)}"
    branch = api("secretary").get(month_url)
    assert branch.status_code == 200
    rows = {r["name"]: r for r in branch.data["members"]}
    assert (
        rows["张伟"]["state"] == "paid"
        and rows["李娜"]["unpaid_months"] == 3
        and rows["李娜"]["flag"] == "warn"
    )
    assert branch.data["collected_total"] == "120.00" and branch.data["due_total"] == "240.00"
    assert api("member_user").get(month_url).status_code == 404  # view only: no names
    assert api("outsider").get(month_url).status_code == 404
    assert api("secretary").get("/api/v1/dues/month").status_code == 400
    assert api("county_staff").get(f"/api/v1/dues/month?org={world.township.code}").status_code == 400
    rates = api("county_staff").get(f"/api/v1/dues/rates?org={world.township.code}&month={label(month)}")
    assert rates.status_code == 200 and rates.data["own"] is None
    by_code = {r["organization"]: r for r in rates.data["children"]}
    assert (by_code[world.branch.code]["paid"], by_code[world.branch.code]["due"]) == (1, 2)
    assert by_code[world.branch.code]["percent"] == 50
    own = api("member_user").get(f"/api/v1/dues/rates?org={world.branch.code}").data
    assert own["own"]["due"] == 2 and own["children"] == []
    assert api("outsider").get(f"/api/v1/dues/rates?org={world.branch.code}").status_code == 404
    assert api("secretary").get(f"/api/v1/dues/rates?org={world.branch.code}&month=nope").status_code == 400
