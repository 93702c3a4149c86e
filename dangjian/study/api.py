"""REST API for yearly study plans. Writes go only through `services`."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
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
    year = django_filters.NumberFilter(field_name="year", label=_("year"))

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

    @extend_schema_field_items := None  # placeholder removed below
