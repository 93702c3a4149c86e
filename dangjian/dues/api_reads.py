"""Read-only dues endpoints: the rule's quote, the signed-in member's statement, a branch's
month and collection rates. Each answers from `rules` / `queries`, like the pages."""

from datetime import date
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.organizations.models import Organization

from .api import DuesPaymentSerializer, QuoteSerializer
from .months import label, parse_month, this_month
from .queries import Due, branch_month, child_rates, collection_rates, flag_for, member_statement
from .rules import DuesCategory, monthly_dues, parse_money

MONTH = OpenApiParameter("month", str, description="YYYY-MM; this month when omitted")
ORG = OpenApiParameter("org", str, required=True, description="organization code")


def _month(request: Request) -> date:
    raw = request.query_params.get("month")
    return this_month() if raw is None else parse_month(raw)


def _org(request: Request, scope: str) -> Organization:
    code = request.query_params.get("org", "").strip()
    if not code:
        raise serializers.ValidationError({"org": [_("Give the organization's code.")]})
    org = Organization.objects.restrict(request.user, scope).filter(code=code).first()
    if org is None:
        raise Http404
    return org


def _due(due: Due) -> dict[str, Any]:
    return {
        "month": label(due.month),
        "amount": str(due.amount) if due.amount is not None else None,
        "rule": due.rule,
        "text": due.text,
    }


class DueSerializer(serializers.Serializer):
    month = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text="null: no dues profile in force")
    rule = serializers.CharField()
    text = serializers.CharField()


class RateSerializer(serializers.Serializer):
    organization = serializers.CharField(help_text="code")
    name = serializers.CharField()
    paid = serializers.IntegerField()
    due = serializers.IntegerField()
    without_profile = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class StatementSerializer(serializers.Serializer):
    member = serializers.CharField()
    current = DueSerializer()
    owed = DueSerializer(many=True)
    owed_total = serializers.CharField()
    unpaid_months = serializers.IntegerField(help_text="consecutive, ending this month")
    flag = serializers.CharField(help_text="'', warn (3+), serious (5+), art9 (6+)")
    payments = DuesPaymentSerializer(many=True)


class MemberMonthSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    due = DueSerializer()
    state = serializers.CharField(help_text="paid, unpaid, exempt, no_profile")
    receipt_no = serializers.CharField(allow_null=True)
    unpaid_months = serializers.IntegerField()
    flag = serializers.CharField()


class BranchMonthSerializer(serializers.Serializer):
    organization = serializers.CharField()
    month = serializers.CharField()
    due_total = serializers.CharField()
    collected_total = serializers.CharField()
    voluntary_total = serializers.CharField()
    members = MemberMonthSerializer(many=True)


class RatesSerializer(serializers.Serializer):
    month = serializers.CharField()
    own = RateSerializer(allow_null=True)
    children = RateSerializer(many=True)


class DuesQuoteView(APIView):
    """The monthly dues the standing rule gives for a category and base (or a farmer's fixed
    amount), with the rule applied. Bad input is refused with 400, field by field."""

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True, enum=DuesCategory.values),
            OpenApiParameter("base", str, description="monthly base after tax, e.g. 8000.00"),
            OpenApiParameter("fixed", str, description="farmers: the branch's amount, 0.20–1.00"),
        ],
        responses=QuoteSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        unknown = sorted(set(params) - {"category", "base", "fixed"})
        if unknown:
            raise serializers.ValidationError({key: [_("Unknown parameter.")] for key in unknown})
        base = parse_money(params["base"], "base") if "base" in params else None
        fixed = parse_money(params["fixed"], "fixed") if "fixed" in params else None
        category = params.get("category", "")
        quote = monthly_dues(category, base, fixed)
        data = {"category": category, "base": base, "fixed": fixed, **quote.__dict__}
        return Response(QuoteSerializer(data).data)


class DuesMineView(APIView):
    """The signed-in member's dues: this month's amount and rule, unpaid months, payments."""

    @extend_schema(responses=StatementSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = getattr(request.user, "member", None)
        if member is None:
            raise Http404(_("Your account is not linked to a party member record."))
        s = member_statement(member, this_month())
        payments = DuesPaymentSerializer(s.payments, many=True, context={"request": request}).data
        return Response(
            {
                "member": member.name,
                "current": _due(s.current),
                "owed": [_due(d) for d in s.owed],
                "owed_total": str(s.owed_total),
                "unpaid_months": s.unpaid,
                "flag": flag_for(s.unpaid),
                "payments": payments,
            }
        )


class DuesMonthView(APIView):
    """A branch's month for those who keep its dues: each member's dues, paid or not, and the
    unpaid streak with its flag (3, 5, 6 = art. 9)."""

    @extend_schema(
        parameters=[ORG, MONTH],
        responses=BranchMonthSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = _org(request, "change")
        month = _month(request)
        if not org.holds_members:
            raise serializers.ValidationError({"org": [_("This organization has no members of its own.")]})
        data = branch_month(org, month)
        rows = [
            {
                "member": r.member.pk,
                "name": r.member.name,
                "due": _due(r.due),
                "state": r.state,
                "receipt_no": r.payment.receipt_no if r.payment else None,
                "unpaid_months": r.unpaid,
                "flag": r.flag,
            }
            for r in data.rows
        ]
        return Response(
            {
                "organization": org.code,
                "month": label(month),
                "due_total": str(data.due_total),
                "collected_total": str(data.collected_total),
                "voluntary_total": str(data.voluntary_total),
                "members": rows,
            }
        )


class DuesRatesView(APIView):
    """Collection rates for the level above: the organization's own members (if it holds any)
    and each organization directly below it, over its whole subtree."""

    @extend_schema(
        parameters=[ORG, MONTH],
        responses=RatesSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = _org(request, "view")
        month = _month(request)

        def row(o: Organization, rate: Any) -> dict[str, Any]:
            return {
                "organization": o.code,
                "name": o.name,
                "paid": rate.paid,
                "due": rate.due,
                "without_profile": rate.unset,
                "percent": rate.percent,
            }

        own = collection_rates(org.path, month).get(org.pk) if org.holds_members else None
        children = child_rates(org, month) if not org.is_branch else []
        return Response(
            {
                "month": label(month),
                "own": row(org, own) if own else None,
                "children": [row(child, rate) for child, rate in children],
            }
        )
