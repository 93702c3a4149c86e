"""Points endpoints that are not lists of rows: the member's own ledger, a branch's table, and
the accrual action. Each answers from `queries` / `accrual`, like the pages."""

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import StrictSerializerMixin
from dangjian.core.params import is_int
from dangjian.organizations.models import Organization

from .accrual import accrue
from .api import PointEntrySerializer
from .queries import KIND_COLUMNS, branch_table, member_ledger

YEAR = OpenApiParameter("year", int, description="default: this year")
ORG = OpenApiParameter("org", str, required=True, description="organization code")


def _year(raw: Any) -> int:
    if raw in (None, ""):
        return timezone.localdate().year
    if not is_int(str(raw)) or not 2000 <= int(raw) <= 2100:
        raise serializers.ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
    return int(raw)


def _org(code: Any, user: Any, scope: str) -> Organization:
    code = str(code or "").strip()
    if not code:
        raise serializers.ValidationError({"org": [_("Give the organization's code.")]})
    org = Organization.objects.restrict(user, scope).filter(code=code).first()
    if org is None:
        raise Http404
    return org


class LedgerSerializer(serializers.Serializer):
    member = serializers.CharField()
    organization = serializers.CharField()
    year = serializers.IntegerField()
    total = serializers.IntegerField(help_text="approved entries only")
    rank = serializers.IntegerField(allow_null=True, help_text="in the member's organization")
    ranked = serializers.IntegerField(help_text="members ranked")
    pending = serializers.IntegerField(help_text="entries awaiting approval")
    entries = PointEntrySerializer(many=True)


class TableRowSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    rank = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField(), help_text="points by kind of rule")


class TableSerializer(serializers.Serializer):
    organization = serializers.CharField()
    year = serializers.IntegerField()
    members = TableRowSerializer(many=True)


class AccrueSerializer(StrictSerializerMixin):
    org = serializers.CharField(help_text="organization code (its whole subtree)")
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class AccrualResultSerializer(serializers.Serializer):
    organization = serializers.CharField()
    year = serializers.IntegerField()
    created = serializers.IntegerField(help_text="new entries")
    points = serializers.IntegerField(help_text="their points")
    removed = serializers.IntegerField(help_text="entries of voided payments removed")


class PointsMineView(APIView):
    """The signed-in member's ledger for a year: entries (every state), total, rank."""

    @extend_schema(parameters=[YEAR], responses=LedgerSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = getattr(request.user, "member", None)
        if member is None:
            raise Http404(_("Your account is not linked to a party member record."))
        ledger = member_ledger(member, _year(request.query_params.get("year")))
        entries = PointEntrySerializer(ledger.entries, many=True, context={"request": request}).data
        return Response(
            {
                "member": member.name,
                "organization": member.organization.code,
                "year": ledger.year,
                "total": ledger.total,
                "rank": ledger.rank,
                "ranked": ledger.ranked,
                "pending": ledger.pending,
                "entries": entries,
            }
        )


class PointsTableView(APIView):
    """A member-holding organization's year: every member on the roll, total, rank, by kind."""

    @extend_schema(parameters=[ORG, YEAR], responses=TableSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = _org(request.query_params.get("org"), request.user, "change")
        year = _year(request.query_params.get("year"))
        if not org.holds_members:
            raise serializers.ValidationError({"org": [_("This organization has no members of its own.")]})
        rows = [
            {
                "member": r.member.pk,
                "name": r.member.name,
                "total": r.total,
                "rank": r.rank,
                "by_kind": {str(k): r.kind(k) for k in KIND_COLUMNS},
            }
            for r in branch_table(org, year)
        ]
        return Response({"organization": org.code, "year": year, "members": rows})


class PointsAccrueView(APIView):
    """Bring a subtree's entries up to date for a year from its closed meetings and on-time
    dues. Idempotent: running it again creates nothing new."""

    @extend_schema(request=AccrueSerializer, responses=AccrualResultSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AccrueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = _org(serializer.validated_data["org"], request.user, "change")
        year = serializer.validated_data["year"]
        result = accrue(org, year, acting_user=request.user)
        return Response({"organization": org.code, "year": year, **result.as_dict()})
