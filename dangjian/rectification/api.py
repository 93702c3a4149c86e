"""REST API of problem lists: read, record and take the workflow's moves. Writes go only through
`services`; a move based on an old `version` is refused with 409, an outsider's with 404."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import services
from .models import TEXT_MAX, Problem, ProblemSource, ProblemState


class ProblemFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (and below)"))
    year = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=ProblemState.choices)

    class Meta:
        model = Problem
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "organization__path")) if path else queryset.none()


class ProblemSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the organization whose list it is on")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    member = ScopedPrimaryKeyRelatedField(
        model=Member,
        scope="change",
        required=False,
        allow_null=True,
        help_text="member id (a member's own problem)",
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    # A declared field, taken off the class by the serializer's metaclass: `Field.source` is untouched.
    source = serializers.ChoiceField(choices=ProblemSource.choices, default=ProblemSource.SELF_FOUND)  # type: ignore[assignment]
    description = serializers.CharField(max_length=TEXT_MAX)
    measure = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    owner = serializers.CharField(max_length=60)
    deadline = serializers.DateField()
    state = serializers.ChoiceField(choices=ProblemState.choices, read_only=True)
    carry_reason = serializers.CharField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ProblemMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class ProblemViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Problems on the lists within the user's reach (a member's own only for that member and
    those who may change the branch); each move is checked by the problem's workflow."""

    queryset = Problem.objects.all()
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    pagination_class = IdCursorPagination
    # Reading is enough to reach a problem; who may take which move is the workflow's rule.
    scope_actions = {name: "view" for name in ("start", "submit", "accept", "return_", "carry_over")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    def _detail(self, problem: Problem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Problem.objects.all()).get(pk=problem.pk)
        return Response(ProblemSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ProblemSerializer, responses={201: ProblemSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProblemSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        problem = services.create_problem(
            org,
            data,
            year=data.pop("year"),
            source=data.pop("source"),
            member=data.pop("member", None),
            acting_user=request.user,
        )
        return self._detail(problem, status.HTTP_201_CREATED)

    def _move(self, request: Request, name: str) -> Response:
        problem = self.get_object()
        serializer = ProblemMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.MOVES[name](
            problem, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Begin rectification (the organization's officers, or the member concerned)."""
        return self._move(request, "start")

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit for acceptance (the measure must be written)."""
        return self._move(request, "submit")

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept as rectified (the level above; the branch, for a member's own problem)."""
        return self._move(request, "accept")

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return for further rectification, saying what is missing in `note`."""
        return self._move(request, "return")

    @extend_schema(request=ProblemMoveSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="carry-over")
    def carry_over(self, request: Request, pk: str | None = None) -> Response:
        """Carry over to next year, with the reason in `note` (the level above)."""
        return self._move(request, "carry_over")
