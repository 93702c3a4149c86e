"""REST API for yearly study plans. Writes go only through `services`."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.filters import YearFilter
from dangjian.core.tree import subtree_q
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting

from . import services
from .models import StudyPlan
from .queries import plan_progress

# --- filters ---------------------------------------------------------------------------------


class StudyPlanFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    year = YearFilter(field_name="year", label=_("year"))

    class Meta:
        model = StudyPlan
        fields: list[str] = []  # declared filters only

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Looked up unscoped: the queryset is restricted afterwards, so a code outside the
        # user's reach only narrows to what they may see anyway (nothing).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q(path, "organization__path"))


# --- serializers -----------------------------------------------------------------------------


class StudyItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    month = serializers.IntegerField(read_only=True)
    theme = serializers.CharField(read_only=True)
    readings = serializers.CharField(read_only=True)
    done = serializers.BooleanField(read_only=True, help_text="a closed meeting carried the item out")


class StudyPlanSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the organization keeping the plan")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    created_at = serializers.DateTimeField(read_only=True)


class StudyPlanDetailSerializer(StudyPlanSerializer):
    items = serializers.SerializerMethodField()

    @extend_schema_field(StudyItemSerializer(many=True))
    def get_items(self, plan: StudyPlan) -> list[dict[str, Any]]:
        rows = [
            {"id": item.pk, "month": item.month, "theme": item.theme, "readings": item.readings, "done": done}
            for item, done in plan_progress(plan)
        ]
        return StudyItemSerializer(rows, many=True).data  # type: ignore[return-value]


class StudyItemInputSerializer(StrictSerializerMixin):
    month = serializers.IntegerField(min_value=1, max_value=12)
    theme = serializers.CharField(max_length=200)
    readings = serializers.CharField(required=False, allow_blank=True, default="")


class StudyLinkInputSerializer(StrictSerializerMixin):
    item = serializers.IntegerField(help_text="id of an item of this plan")
    meeting = ScopedPrimaryKeyRelatedField(model=Meeting, scope="change", help_text="meeting id")


# --- viewset ---------------------------------------------------------------------------------


class StudyPlanCursorPagination(IdCursorPagination):
    ordering = ("-year", "-id")


class StudyPlanViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Study plans of the organizations within the user's reach, newest year first."""

    queryset = StudyPlan.objects.all()
    serializer_class = StudyPlanSerializer
    pagination_class = StudyPlanCursorPagination
    filterset_class = StudyPlanFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return StudyPlanSerializer if self.action == "list" else StudyPlanDetailSerializer

    def _detail(self, plan: StudyPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = StudyPlan.objects.select_related("organization").get(pk=plan.pk)
        return Response(
            StudyPlanDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=StudyPlanSerializer, responses={201: StudyPlanDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = StudyPlanSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.create_plan(
            data["organization"], data["year"], data["title"], acting_user=request.user
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(request=StudyItemInputSerializer, responses={201: StudyPlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        """Add an item (month, theme, readings) to the plan."""
        plan = self.get_object()
        serializer = StudyItemInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.add_item(plan, data["month"], data["theme"], data["readings"], acting_user=request.user)
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(request=StudyLinkInputSerializer, responses=StudyPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str | None = None) -> Response:
        """Record that a meeting of the plan's organization carried out one of its items."""
        plan = self.get_object()
        serializer = StudyLinkInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = plan.items.filter(pk=data["item"]).first()  # type: ignore[attr-defined]
        if item is None:
            raise serializers.ValidationError({"item": [_("No such item in this plan.")]})
        services.link_meeting(item, data["meeting"], acting_user=request.user)
        return self._detail(plan)
