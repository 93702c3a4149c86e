"""Filters for meeting lists (the API). Filters narrow an already-restricted queryset; they
never decide access."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import Meeting, MeetingKind, MeetingStatus


class MeetingFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("Kind of meeting"))
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("status"))

    class Meta:
        model = Meeting
        fields: list[str] = []  # declared filters only

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Looked up unscoped: the queryset is already restricted, so a code outside the user's
        # reach only narrows to what they may see anyway (nothing).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q(path, "organization__path"))
