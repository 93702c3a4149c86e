"""Filters for organization and party-group lists (shared by the API and the HTML lists).

Filters narrow an already-restricted queryset; they never decide access.
"""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q

from .models import Organization, OrgKind, PartyGroup, Sector


class OrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("kind"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("sector"))
    q = django_filters.CharFilter(method="filter_q", label=_("name contains, or exact code"))
    parent = django_filters.CharFilter(method="filter_parent", label=_("direct children of (code)"))

    class Meta:
        model = Organization
        fields = ["kind", "sector"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code=value)) if value else queryset

    def filter_parent(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # The parent itself is looked up unscoped: the result stays inside the restricted queryset,
        # so an out-of-scope code yields only what the user may already see (usually nothing).
        parent = Organization.objects.filter(code=value.strip()).values_list("path", "depth").first()
        if parent is None:
            return queryset.none()
        path, depth = parent
        return queryset.filter(subtree_q(path), depth=depth + 1)


class PartyGroupFilterSet(django_filters.FilterSet):
    organization = django_filters.CharFilter(field_name="organization__code", label=_("branch (code)"))

    class Meta:
        model = PartyGroup
        fields = ["organization"]
