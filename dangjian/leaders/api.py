"""REST API for leading cadres, their yearly counts, study plans and works. Writes go only
through `services`.

Besides the usual scope, the leader themself may read their own record and write their own plan
and works (`access.get_leader_for_user`): a leader rarely has a grant on their committee.
"""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.filters import FIRST_YEAR, LAST_YEAR
from dangjian.core.params import is_int
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from . import services
from .access import get_leader_for_user, get_work_for_user
from .files import attachment_response
from .models import LeaderStudyPlan, LeadingCadre
from .queries import counts_for, year_bounds
from .serializers import (
    LeaderEndSerializer,
    LeaderSerializer,
    LeaderUpdateSerializer,
    PlanSerializer,
    WorkInputSerializer,
    WorkSerializer,
)

YEAR = OpenApiParameter("year", int, description="year of the counts (default: this year)")
LIST_YEAR = OpenApiParameter(
    "year", int, description="year of the counts (default: this year); lists only leaders in post during it"
)


class LeaderFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    active = django_filters.BooleanFilter(field_name="active", label=_("in post"))
    year = django_filters.NumberFilter(method="filter_year", label=_("In post during the year"))

    class Meta:
        model = LeadingCadre
        fields: list[str] = []  # declared filters only

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (see study.api).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "committee__path")) if path else queryset.none()

    def filter_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if not 2000 <= int(value) <= 2100:
            return queryset.none()
        start, end = year_bounds(int(value))
        return queryset.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start), since__lt=end)


class LeaderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Leading cadres of the committees within the user's reach, each with the year's counts."""

    queryset = LeadingCadre.objects.all()
    serializer_class = LeaderSerializer
    pagination_class = IdCursorPagination
    filterset_class = LeaderFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("committee", "member")

    def get_object(self) -> Any:
        # Retrieve and the leader's own plan and works also admit the leader themself.
        if self.action in ("retrieve", "works", "plan", "work_file"):
            pk = str(self.kwargs.get("pk", ""))
            if not is_int(pk):
                raise Http404
            write = self.request.method not in SAFE_METHODS
            return get_leader_for_user(self.request.user, int(pk), write=write)
        return super().get_object()

    def _year(self) -> int:
        raw = self.request.query_params.get("year", "")
        return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year

    def _with_counts(self, leaders: list[LeadingCadre]) -> dict[str, Any]:
        year = self._year()
        start, end = year_bounds(year)
        counts = counts_for(LeadingCadre.objects.filter(pk__in=[x.pk for x in leaders]), start, end)
        return {**self.get_serializer_context(), "counts": counts, "year": year}

    def _detail(self, leader: LeadingCadre, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(LeadingCadre.objects.all()).get(pk=leader.pk)
        return Response(LeaderSerializer(fresh, context=self._with_counts([fresh])).data, status=code)

    @extend_schema(parameters=[LIST_YEAR])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        data = LeaderSerializer(rows, many=True, context=self._with_counts(rows)).data
        return self.get_paginated_response(data)

    @extend_schema(parameters=[YEAR])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=LeaderSerializer, responses={201: LeaderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = LeaderSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        leader = services.appoint_leader(
            data["committee"],
            data["member"],
            data["post"],
            principal=data["principal"],
            since=data.get("since"),
            acting_user=request.user,
        )
        return self._detail(leader, status.HTTP_201_CREATED)

    @extend_schema(request=LeaderUpdateSerializer, responses=LeaderSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        leader = self.get_object()
        serializer = LeaderUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        leader = services.update_leader(leader, dict(serializer.validated_data), acting_user=request.user)
        return self._detail(leader)

    @extend_schema(request=LeaderEndSerializer, responses=LeaderSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """The leader leaves the post; the record and its past counts stay."""
        leader = self.get_object()
        serializer = LeaderEndSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        ended_on = serializer.validated_data.get("ended_on")
        return self._detail(services.end_leader(leader, ended_on=ended_on, acting_user=request.user))

    @extend_schema(methods=["GET"], parameters=[YEAR], responses=PlanSerializer)
    @extend_schema(methods=["PUT"], request=PlanSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["get", "put"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """The leader's personal study plan for a year; PUT replaces it with the given items."""
        leader = self.get_object()
        if request.method == "PUT":
            serializer = PlanSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            plan = services.set_plan(
                leader, data["year"], [dict(i) for i in data["items"]], acting_user=request.user
            )
        else:
            found = LeaderStudyPlan.objects.filter(leader=leader, year=self._year()).first()
            if found is None:
                raise Http404
            plan = found
        items = [{"month": i.month, "theme": i.theme, "readings": i.readings} for i in plan.items.all()]  # type: ignore[attr-defined]
        return Response({"year": plan.year, "items": items})

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("year", int, description="only works written in this year")],
        responses=WorkSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": WorkInputSerializer, "application/json": WorkInputSerializer},
        responses={201: WorkSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def works(self, request: Request, pk: str | None = None) -> Response:
        """The leader's study notes, research reports and theory articles; POST (multipart, with
        an optional `attachment`) submits one."""
        leader = self.get_object()
        if request.method == "POST":
            serializer = WorkInputSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            attachment = data.pop("attachment", None)
            work = services.submit_work(leader, data, attachment, acting_user=request.user)
            return Response(WorkSerializer(work).data, status=status.HTTP_201_CREATED)
        works = leader.works.all()  # type: ignore[attr-defined]
        raw = request.query_params.get("year", "")
        # Out of range (`?year=0`) shows every year, as no year does: `__year` cannot take it.
        if is_int(raw) and FIRST_YEAR <= int(raw) <= LAST_YEAR:
            works = works.filter(written_on__year=int(raw))
        return Response(WorkSerializer(works[:500], many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("work_id", int, OpenApiParameter.PATH, description="work id")],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"works/(?P<work_id>[^/.]+)/file")
    def work_file(self, request: Request, pk: str | None = None, work_id: str = "") -> Any:
        """Download a work's attachment (audited)."""
        # Any segment routes here (so an anonymous caller gets 401, not 404); ids are digits.
        leader = self.get_object()
        if not is_int(work_id):
            raise Http404
        work = get_work_for_user(request.user, int(work_id))
        if work.leader_id != leader.pk:
            raise Http404
        return attachment_response(request.user, work)
