"""REST API of term changes: read, request, correct, record the results, and take the moves.
Writes go only through `services`; a write based on an old `version` is refused with 409, an
outsider's with 404."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.members.models import ELECTED_POSTS
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import services
from .models import PLAN_MAX, SEATS_MAX, TermChange, TermChangeState

VERSION_HELP = "the version as read; refused (409) when it has changed"


class TermChangeFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (and below)"))
    state = django_filters.ChoiceFilter(choices=TermChangeState.choices)

    class Meta:
        model = TermChange
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "organization__path")) if path else queryset.none()


class ElectedSerializer(StrictSerializerMixin):
    member = serializers.IntegerField(source="member_id")
    post = serializers.ChoiceField(choices=ELECTED_POSTS)
    votes = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class TermChangeSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.ChoiceField(choices=TermChangeState.choices, read_only=True)
    planned_on = serializers.DateField(read_only=True)
    seats = serializers.IntegerField(read_only=True)
    plan = serializers.CharField(read_only=True)
    held_on = serializers.DateField(read_only=True)
    elected = ElectedSerializer(many=True, read_only=True)
    term_start = serializers.DateField(read_only=True)
    term_due_end = serializers.DateField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class NewTermChangeSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the organization changing its term")
    planned_on = serializers.DateField()
    seats = serializers.IntegerField(min_value=1, max_value=SEATS_MAX)
    plan = serializers.CharField(max_length=PLAN_MAX)


class TermChangeEditSerializer(StrictSerializerMixin):
    planned_on = serializers.DateField(required=False)
    seats = serializers.IntegerField(min_value=1, max_value=SEATS_MAX, required=False)
    plan = serializers.CharField(max_length=PLAN_MAX, required=False)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class TermResultsSerializer(StrictSerializerMixin):
    held_on = serializers.DateField()
    elected = ElectedSerializer(many=True)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class TermChangeMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


MOVES = {
    "approve": services.approve,
    "return": services.return_request,
    "resubmit": services.resubmit,
    "report": services.report,
    "confirm": services.confirm,
    "return_results": services.return_results,
    "withdraw": services.withdraw,
}


class TermChangeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Term changes of organizations within the user's reach; who may take which move is the
    workflow's rule (the organization requests and reports; the committee above decides)."""

    queryset = TermChange.objects.all()
    serializer_class = TermChangeSerializer
    filterset_class = TermChangeFilterSet
    pagination_class = IdCursorPagination
    scope_actions = {name: "view" for name in ("edit", "results", *MOVES, "return_")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization").prefetch_related("elected")

    def _detail(self, tc: TermChange, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(TermChange.objects.all()).get(pk=tc.pk)
        return Response(TermChangeSerializer(fresh).data, status=code)

    @extend_schema(request=NewTermChangeSerializer, responses={201: TermChangeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Request a term change of the organization (its officers, or a level above for it)."""
        serializer = NewTermChangeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        return self._detail(
            services.request_term_change(org, data, acting_user=request.user), status.HTTP_201_CREATED
        )

    @extend_schema(request=TermChangeEditSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk: str | None = None) -> Response:
        """Correct a request not yet approved."""
        tc = self.get_object()
        serializer = TermChangeEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        return self._detail(
            services.update_request(tc, data, expected_version=version, acting_user=request.user)
        )

    @extend_schema(request=TermResultsSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Record the election's results (replacing any recorded before), once approved."""
        tc = self.get_object()
        serializer = TermResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        seats = [services.Seat(e["member_id"], e["post"], e["votes"]) for e in data["elected"]]
        saved = services.record_results(
            tc, data["held_on"], seats, expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(saved)

    def _move(self, request: Request, name: str) -> Response:
        tc = self.get_object()  # an outsider's 404 before anything about the body
        serializer = TermChangeMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = MOVES[name](
            tc, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the request (the committee one level up)."""
        return self._move(request, "approve")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return the request, saying in `note` what must change (the committee one level up)."""
        return self._move(request, "return")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str | None = None) -> Response:
        """File a returned request again, once corrected."""
        return self._move(request, "resubmit")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Report the recorded results to the committee above."""
        return self._move(request, "report")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the results: the new term and committee are written (the committee one level up)."""
        return self._move(request, "confirm")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"], url_path="return-results")
    def return_results(self, request: Request, pk: str | None = None) -> Response:
        """Return the results for correction, saying why in `note`."""
        return self._move(request, "return_results")

    @extend_schema(request=TermChangeMoveSerializer, responses=TermChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the term change, saying why in `note` (before its results are reported)."""
        return self._move(request, "withdraw")
