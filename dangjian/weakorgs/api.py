"""REST API of the weak-organization lists: read, and take the workflow's moves. Writes go only
through `services`; a move based on an old `version` is refused with 409, an outsider's with 404."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from . import services
from .models import TEXT_MAX, Listing, ListingState, Origin


class WeakListingFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (and below)"))
    year = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=ListingState.choices)

    class Meta:
        model = Listing
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "organization__path")) if path else queryset.none()


class WeakListingSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    origin = serializers.ChoiceField(choices=Origin.choices, read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    hand_reason = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=ListingState.choices, read_only=True)
    plan = serializers.CharField(read_only=True)
    leader = serializers.CharField(read_only=True)
    contact = serializers.CharField(read_only=True)
    plan_due = serializers.DateField(read_only=True)
    removal_reason = serializers.CharField(read_only=True)
    carry_reason = serializers.CharField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True)
    lookback_due = serializers.DateField(read_only=True)
    lookback_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class WeakListingMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class WeakListingPlanSerializer(StrictSerializerMixin):
    plan = serializers.CharField(max_length=TEXT_MAX)
    leader = serializers.CharField(max_length=60)
    contact = serializers.CharField(max_length=60)
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


MOVE_ACTIONS = ("confirm", "remove", "plan", "submit", "accept", "return_", "carry_over", "look_back")


class WeakListingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Listings within the user's reach (candidates only for the county and above); each move is
    checked by the listing's workflow."""

    queryset = Listing.objects.all()
    serializer_class = WeakListingSerializer
    filterset_class = WeakListingFilterSet
    pagination_class = IdCursorPagination
    # Reading is enough to reach a listing; who may take which move is the workflow's rule.
    scope_actions = {name: "view" for name in MOVE_ACTIONS}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "county")

    def _detail(self, listing: Listing) -> Response:
        fresh = self.refine_queryset(Listing.objects.all()).get(pk=listing.pk)
        return Response(WeakListingSerializer(fresh, context=self.get_serializer_context()).data)

    def _move(self, request: Request, name: str) -> Response:
        listing = self.get_object()
        serializer = WeakListingMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.MOVES[name](
            listing, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a candidate onto the list (the county)."""
        return self._move(request, "confirm")

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        """Remove a candidate, with the reason in `note` (the county)."""
        return self._move(request, "remove")

    @extend_schema(request=WeakListingPlanSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """Make (or correct) the rectification plan (the organization's officers or the level above)."""
        listing = self.get_object()
        serializer = WeakListingPlanSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        saved = services.save_plan(listing, data, expected_version=version, acting_user=request.user)
        return self._detail(saved)

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit for acceptance (plan made, progress recorded)."""
        return self._move(request, "submit")

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept the rectification (the county)."""
        return self._move(request, "accept")

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return for further rectification, saying what is missing in `note` (the county)."""
        return self._move(request, "return")

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"], url_path="carry-over")
    def carry_over(self, request: Request, pk: str | None = None) -> Response:
        """Carry over to next year, with the reason in `note` (the county)."""
        return self._move(request, "carry_over")

    @extend_schema(request=WeakListingMoveSerializer, responses=WeakListingSerializer)
    @action(detail=True, methods=["post"], url_path="look-back")
    def look_back(self, request: Request, pk: str | None = None) -> Response:
        """Record the look-back six months after acceptance, in `note` (the county)."""
        return self._move(request, "look_back")
