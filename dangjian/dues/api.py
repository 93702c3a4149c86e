"""REST API for party dues. Writes go only through `services`; reads through `queries`.

Per-member dues records reveal income, so the profile, payment and reduction lists need the
`change` scope (the people who keep dues); the signed-in member reads their own through
`/dues/mine`, and anyone who may view an organization reads its collection rates.
"""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from . import services
from .models import DuesPayment, DuesProfile, DuesReduction, PaymentKind, ReductionState
from .months import label, parse_month
from .rules import DuesCategory, monthly_dues

# --- fields and filters ---------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM" (stored as the month's first day)."""

    def to_representation(self, value: Any) -> str:
        return label(value)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return parse_month(data if isinstance(data, str) else "")
        except ValidationError as exc:  # keyed by "month": re-raised on this field instead
            raise serializers.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-11.")) from exc


def _money_field(**kwargs: Any) -> serializers.DecimalField:
    # Strings out ("120.00"): JSON numbers are floats to most clients.
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, **kwargs)


class DuesFilterSet(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="member_id", label=gettext_lazy("Member id"))
    org = django_filters.CharFilter(
        method="filter_org", label=gettext_lazy("Organization code (incl. below)")
    )

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (see StudyPlanFilterSet).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q(path, "member__organization__path"))


class ProfileFilterSet(DuesFilterSet):
    class Meta:
        model = DuesProfile
        fields: list[str] = []


class PaymentFilterSet(DuesFilterSet):
    month = django_filters.CharFilter(method="filter_month", label=gettext_lazy("Covering month (YYYY-MM)"))
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices)

    class Meta:
        model = DuesPayment
        fields: list[str] = []

    def filter_month(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        month = parse_month(value)
        return queryset.filter(period_from__lte=month, period_to__gte=month)


class ReductionFilterSet(DuesFilterSet):
    state = django_filters.ChoiceFilter(choices=ReductionState.choices)

    class Meta:
        model = DuesReduction
        fields: list[str] = []


# --- serializers ----------------------------------------------------------------------------


class QuoteSerializer(serializers.Serializer):
    # Plain text, not a choice: it echoes the query, and a choice field named `category` would
    # collide in the schema with the members' `category` enum.
    category = serializers.CharField()
    base = _money_field(allow_null=True)
    fixed = _money_field(allow_null=True)
    amount = _money_field(help_text="monthly dues, yuan")
    rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, coerce_to_string=True, help_text="share of the base"
    )
    rule = serializers.CharField(help_text="rule code, e.g. salaried_le_10000")
    text = serializers.CharField(help_text="the rule in words")


class DuesProfileSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    # Not `category`: members have a `category` of their own, and the schema's enum names would
    # collide (ENUM_NAME_OVERRIDES lives in the shared settings).
    dues_category = serializers.ChoiceField(source="category", choices=DuesCategory.choices)
    base = _money_field(required=False, allow_null=True, default=None, help_text="monthly, after tax")
    fixed = _money_field(
        source="fixed_amount", required=False, allow_null=True, default=None, help_text="farmers: 0.20–1.00"
    )
    effective_from = MonthField()
    monthly_dues = serializers.SerializerMethodField()
    set_by = serializers.CharField(source="set_by.username", read_only=True, default=None, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_monthly_dues(self, profile: DuesProfile) -> str:
        return str(monthly_dues(profile.category, profile.base, profile.fixed_amount).amount)


class DuesPaymentSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    period_from = MonthField()
    period_to = MonthField(required=False, help_text="defaults to period_from (one month)")
    amount = _money_field()
    kind = serializers.ChoiceField(choices=PaymentKind.choices, required=False, default=PaymentKind.REGULAR)
    paid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="defaults to today"
    )
    paid_by_proxy = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    receipt_no = serializers.CharField(max_length=32)
    late_reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="required for a back payment older than 6 months",
    )
    note = serializers.CharField(read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )
    recorded_at = serializers.DateTimeField(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)


class VoidSerializer(StrictSerializerMixin):
    reason = serializers.CharField(max_length=200)


class DuesReductionSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.CharField(
        source="organization.code", read_only=True, help_text="deciding branch"
    )
    month_from = MonthField()
    month_to = MonthField()
    amount = _money_field(help_text="monthly amount during the period; 0 = exempt")
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=ReductionState.choices, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    decided_at = serializers.DateTimeField(read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="who approved or rejected",
    )
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class ReviewSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


# --- viewsets -------------------------------------------------------------------------------


class NewestFirst(IdCursorPagination):
    ordering = "-id"


class _DuesViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    read_scope = "change"  # per-member dues reveal income: only those who keep them
    pagination_class = NewestFirst

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member")

    def _detail(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(type(obj).objects.all()).get(pk=obj.pk)
        return Response(
            self.get_serializer_class()(fresh, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class DuesProfileViewSet(_DuesViewSet):
    """Members' dues profiles (history: the latest effective by a month applies to it)."""

    queryset = DuesProfile.objects.all()
    serializer_class = DuesProfileSerializer
    filterset_class = ProfileFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "set_by")

    @extend_schema(request=DuesProfileSerializer, responses={201: DuesProfileSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(DuesProfileSerializer)
        profile = services.set_profile(
            data["member"],
            data["category"],  # the `dues_category` field
            base=data["base"],
            fixed_amount=data["fixed_amount"],
            effective_from=data["effective_from"],
            acting_user=request.user,
        )
        return self._detail(profile, status.HTTP_201_CREATED)


class DuesPaymentViewSet(_DuesViewSet):
    """Dues payments with their receipts, newest first. The same member, first month and receipt
    is refused as already recorded, so a retried POST never counts twice."""

    queryset = DuesPayment.objects.all()
    serializer_class = DuesPaymentSerializer
    filterset_class = PaymentFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "recorded_by")

    @extend_schema(request=DuesPaymentSerializer, responses={201: DuesPaymentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(DuesPaymentSerializer)
        member = data.pop("member")
        data.setdefault("period_to", data["period_from"])
        payment = services.record_payment(member, acting_user=request.user, **data)
        return self._detail(payment, status.HTTP_201_CREATED)

    @extend_schema(request=VoidSerializer, responses=DuesPaymentSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        """Void a mistaken entry: it stays on record and no longer counts."""
        payment = self.get_object()
        data = self._input(VoidSerializer)
        return self._detail(services.void_payment(payment, data["reason"], acting_user=request.user))


class DuesReductionViewSet(_DuesViewSet):
    """Reductions and exemptions: proposed by the branch, approved or rejected one level up."""

    queryset = DuesReduction.objects.all()
    serializer_class = DuesReductionSerializer
    filterset_class = ReductionFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "organization", "decided_by", "approved_by")

    @extend_schema(request=DuesReductionSerializer, responses={201: DuesReductionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(DuesReductionSerializer)
        reduction = services.propose_reduction(data.pop("member"), acting_user=request.user, **data)
        return self._detail(reduction, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewSerializer, responses=DuesReductionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve (the committee one level above the deciding branch)."""
        reduction = self.get_object()
        data = self._input(ReviewSerializer)
        done = services.approve_reduction(
            reduction, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)

    @extend_schema(request=ReviewSerializer, responses=DuesReductionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject, saying why in `note` (the committee one level above the deciding branch)."""
        reduction = self.get_object()
        data = self._input(ReviewSerializer)
        done = services.reject_reduction(
            reduction, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)
