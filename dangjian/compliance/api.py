"""Compliance read endpoints: a committee's matrix (children × rules, top lists, trend) and an
organization's checklist, both `?year=Y&org=CODE`. Answered by `report`, like the pages and the
CLI. An organization outside the user's reach is a 404; a missing or bad year is a 400 naming
the parameter. Included under /api/v1/compliance/ by dangjian/api/urls.py."""

from typing import Any

from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.params import is_int
from dangjian.organizations.models import Organization, OrgKind, Sector

from . import report
from .models import RuleKind, Status
from .queries import NOT_COMPUTED

YEAR = OpenApiParameter("year", int, required=True, description="the year measured, e.g. 2017")
ORG = OpenApiParameter("org", str, required=True, description="organization code")
SECTOR = OpenApiParameter("sector", str, enum=Sector.values, description="only organizations of this sector")
KIND = OpenApiParameter("kind", str, enum=OrgKind.values, description="only organizations of this kind")


def _params(request: Request, allowed: set[str]) -> tuple[Organization, int]:
    params = request.query_params
    errors: dict[str, list[str]] = {key: [_("Unknown parameter.")] for key in sorted(set(params) - allowed)}
    raw = params.get("year", "").strip()
    year = int(raw) if is_int(raw) else 0
    if not raw:
        errors["year"] = [_("Give the year, e.g. year=2017.")]
    elif not 2000 <= year <= 2100:
        errors["year"] = [_("The year must be a number between 2000 and 2100.")]
    code = params.get("org", "").strip()
    if not code:
        errors["org"] = [_("Give the organization's code.")]
    for key, choices in (("sector", Sector), ("kind", OrgKind)):
        if params.get(key) and params[key] not in choices.values:
            errors[key] = [_("Not one of the choices.")]
    if errors:
        raise serializers.ValidationError(errors)
    org = Organization.objects.restrict(request.user, "view").filter(code=code).first()
    if org is None:
        raise Http404
    return org, year


class OrgRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    sector = serializers.ChoiceField(choices=Sector.choices)


class CountsSerializer(serializers.Serializer):
    applicable = serializers.IntegerField(help_text="organizations the rule applies to")
    met = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent_met = serializers.IntegerField(allow_null=True, help_text="null when none applies")


class RuleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    rule_set = serializers.CharField(help_text="code of the rule set")
    point = serializers.IntegerField(allow_null=True, help_text="the work point it measures")
    title = serializers.CharField()
    kind = serializers.CharField(help_text="rule kind: " + ", ".join(RuleKind.values))


class RuleCountsSerializer(CountsSerializer):
    rule = serializers.CharField(help_text="rule code")
    rule_set = serializers.CharField()


class MatrixRowSerializer(OrgRefSerializer, CountsSerializer):
    has_children = serializers.BooleanField(help_text="counts cover its subtree; else its own result")
    rules = RuleCountsSerializer(many=True, help_text="in the order of `rules`")


class OverdueOrgSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    overdue = serializers.IntegerField()


class TermOverdueSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    term_due_end = serializers.DateField(allow_null=True)


class DuesAtRiskSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField(help_text="members unpaid for six months")


class TrendSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    applicable = serializers.IntegerField()
    met = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    overdue = serializers.IntegerField()


class MatrixSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    year = serializers.IntegerField()
    rules = RuleRefSerializer(many=True)
    rows = MatrixRowSerializer(many=True, help_text="one per organization directly below")
    total = CountsSerializer(help_text="the whole subtree, over all rules")
    own = CountsSerializer(many=True, help_text="the whole subtree, per rule")
    most_overdue = OverdueOrgSerializer(many=True)
    terms_overdue = TermOverdueSerializer(many=True)
    dues_at_risk = DuesAtRiskSerializer(many=True)
    trend = TrendSerializer(many=True, help_text="month-end totals over all rules")


class ChecklistItemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    rule_set = serializers.CharField()
    point = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    kind = serializers.CharField(help_text="rule kind: " + ", ".join(RuleKind.values))
    status = serializers.ChoiceField(choices=[*Status.choices, (NOT_COMPUTED, "Not computed yet")])
    status_label = serializers.CharField()
    value = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)
    progress = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    records_url = serializers.CharField(allow_null=True, help_text="page listing the records that count")


class ChecklistSerializer(serializers.Serializer):
    organization = OrgRefSerializer()
    year = serializers.IntegerField()
    items = ChecklistItemSerializer(many=True)


class ComplianceMatrixView(APIView):
    """A committee's supervision matrix for a year: each organization directly below × each
    measured rule, with counts by status, the subtree's totals, the most overdue organizations,
    overdue terms, members unpaid six months, and the month-end trend."""

    @extend_schema(parameters=[YEAR, ORG, SECTOR, KIND], responses=MatrixSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org, year = _params(request, {"year", "org", "sector", "kind"})
        params = request.query_params
        data = report.as_json(org, year, request.user, sector=params.get("sector"), kind=params.get("kind"))
        return Response(data)


class ComplianceChecklistView(APIView):
    """An organization's checklist for a year: each rule of the active rule sets with its status
    (met, on track, at risk, overdue, not applicable, not measured), progress and due date."""

    @extend_schema(parameters=[YEAR, ORG], responses=ChecklistSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org, year = _params(request, {"year", "org"})
        return Response(report.checklist_json(org, year, request.user))


urlpatterns = [
    re_path(r"^$", ComplianceMatrixView.as_view(), name="api-compliance"),
    re_path(r"^checklist/?$", ComplianceChecklistView.as_view(), name="api-compliance-checklist"),
]
