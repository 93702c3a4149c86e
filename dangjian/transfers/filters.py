"""FilterSets of this app: transfers (the organization's transfer list and the API), floating
records, lost-contact cases and probation decisions (the API). Filters narrow a queryset that is
restricted afterwards; they never decide access."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import (
    OPEN_TRANSFER_STATES,
    CaseState,
    FloatingRecord,
    FloatingState,
    LostContactCase,
    ProbationDecision,
    Transfer,
    TransferState,
)

DIRECTIONS = [("in", _("Incoming")), ("out", _("Outgoing"))]


class TransferFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    direction = django_filters.ChoiceFilter(
        choices=DIRECTIONS, method="filter_direction", label=_("Direction (with an organization)")
    )
    state = django_filters.ChoiceFilter(choices=TransferState.choices, label=_("State"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Still open"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("Member number"))

    class Meta:
        model = Transfer
        fields: list[str] = []  # declared filters only

    def _path(self) -> str | None:
        code = str(self.data.get("org") or "").strip()
        return Organization.objects.filter(code=code).values_list("path", flat=True).first() if code else None

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        path = self._path()
        if path is None:
            return queryset.none()
        direction = self.data.get("direction")
        if direction == "in":
            return queryset.filter(subtree_q(path, "to_org__path"))
        if direction == "out":
            return queryset.filter(subtree_q(path, "from_org__path"))
        return queryset.filter(subtree_q(path, "from_org__path") | subtree_q(path, "to_org__path"))

    def filter_direction(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset  # applied together with `org`

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_TRANSFER_STATES)
            if value
            else queryset.exclude(state__in=OPEN_TRANSFER_STATES)
        )


class _OrgSubtreeFilterSet(django_filters.FilterSet):
    """`org`: rows placed anywhere in the subtree of the organization with this code, through
    any of `org_fields` (both sides of a two-sided record)."""

    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    org_fields: tuple[str, ...] = ()

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        q = subtree_q(path, self.org_fields[0])
        for field in self.org_fields[1:]:
            q |= subtree_q(path, field)
        return queryset.filter(q)


class FloatingFilterSet(_OrgSubtreeFilterSet):
    org_fields = ("home_org__path", "managing_org__path")
    state = django_filters.ChoiceFilter(choices=FloatingState.choices, label=_("State"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("Member number"))

    class Meta:
        model = FloatingRecord
        fields: list[str] = []


class LostContactFilterSet(_OrgSubtreeFilterSet):
    org_fields = ("member__organization__path",)
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label=_("State"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("Member number"))

    class Meta:
        model = LostContactCase
        fields: list[str] = []


class ProbationDecisionFilterSet(_OrgSubtreeFilterSet):
    org_fields = ("member__organization__path",)
    member = django_filters.NumberFilter(field_name="member_id", label=_("Member number"))

    class Meta:
        model = ProbationDecision
        fields: list[str] = []
