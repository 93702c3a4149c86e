"""REST API of the village elections: read, plan, add and review candidates, record the results,
and take the moves. Writes go only through `services`; a write based on an old `version` is
refused with 409, an outsider's with 404. ID numbers are only ever answered masked."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import services
from .models import (
    COMMITTEE_POSTS,
    NOTE_MAX,
    ReviewResult,
    VillageElection,
    VillageElectionState,
    VillagePost,
)

VERSION_HELP = "the version as read; refused (409) when it has changed"
COMMITTEE_POST_CHOICES = [(p.value, p.label) for p in COMMITTEE_POSTS]
REVIEW_CHOICES = [
    (ReviewResult.PASSED.value, ReviewResult.PASSED.label),
    (ReviewResult.FAILED.value, ReviewResult.FAILED.label),
]


class VillageElectionFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (and below)"))
    year = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=VillageElectionState.choices)

    class Meta:
        model = VillageElection
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "organization__path")) if path else queryset.none()


class CandidateSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    post = serializers.ChoiceField(choices=VillagePost.choices, read_only=True)
    review = serializers.ChoiceField(choices=ReviewResult.choices, read_only=True)
    review_note = serializers.CharField(read_only=True)


class SeatSerializer(StrictSerializerMixin):
    candidate = serializers.IntegerField(source="candidate_id")
    post = serializers.ChoiceField(choices=COMMITTEE_POST_CHOICES)
    votes = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class VillageElectionSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    township = serializers.CharField(source="township.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=VillageElectionState.choices, read_only=True)
    planned_on = serializers.DateField(read_only=True)
    held_on = serializers.DateField(read_only=True)
    filed_on = serializers.DateField(read_only=True)
    late = serializers.BooleanField(read_only=True, help_text="planned or held after 30 June")
    candidates = CandidateSerializer(many=True, read_only=True)
    seats = SeatSerializer(many=True, read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class NewVillageElectionSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the village's or community's Party organization")
    year = serializers.IntegerField(min_value=2017, max_value=2100)
    planned_on = serializers.DateField()


class NewCandidateSerializer(StrictSerializerMixin):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    post = serializers.ChoiceField(choices=VillagePost.choices)


class CandidateReviewSerializer(StrictSerializerMixin):
    candidate = serializers.IntegerField()
    result = serializers.ChoiceField(choices=REVIEW_CHOICES)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class VillageResultsSerializer(StrictSerializerMixin):
    held_on = serializers.DateField()
    elected = SeatSerializer(many=True)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class VillageMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


MOVES = {
    "review": services.close_review,
    "reopen": services.reopen_review,
    "report": services.report,
    "return_results": services.return_results,
    "file": services.file_election,
}


class VillageElectionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Village and community two-committee elections within the user's reach; the township plans,
    reviews the candidates and files, the village records and reports the results."""

    queryset = VillageElection.objects.all()
    serializer_class = VillageElectionSerializer
    filterset_class = VillageElectionFilterSet
    pagination_class = IdCursorPagination
    # Read and written by who writes for the village or above (its officers, the township, the
    # county): the candidates' data is not for every member.
    read_scope = "change"

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "township").prefetch_related("candidates", "seats")

    def _detail(self, e: VillageElection, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(VillageElection.objects.all()).get(pk=e.pk)
        return Response(VillageElectionSerializer(fresh).data, status=code)

    @extend_schema(request=NewVillageElectionSerializer, responses={201: VillageElectionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Plan a village's election of a year (the township above it)."""
        serializer = NewVillageElectionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        e = services.plan_election(
            data["organization"], data["year"], data["planned_on"], acting_user=request.user
        )
        return self._detail(e, status.HTTP_201_CREATED)

    @extend_schema(request=NewCandidateSerializer, responses={201: VillageElectionSerializer})
    @action(detail=True, methods=["post"])
    def candidates(self, request: Request, pk: str | None = None) -> Response:
        """Add a candidate for a post, to be reviewed (the township, while the review is open)."""
        e = self.get_object()
        serializer = NewCandidateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.add_candidate(e, data["name"], data["id_number"], data["post"], acting_user=request.user)
        return self._detail(e, status.HTTP_201_CREATED)

    @extend_schema(request=CandidateReviewSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"], url_path="review-candidate")
    def review_candidate(self, request: Request, pk: str | None = None) -> Response:
        """Record the qualification review of one candidate: passed or failed, with the note."""
        e = self.get_object()
        serializer = CandidateReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidate = e.candidates.filter(pk=data["candidate"]).first()
        if candidate is None:
            raise NotFound
        services.review_candidate(candidate, data["result"], data["note"], acting_user=request.user)
        return self._detail(e)

    @extend_schema(request=VillageResultsSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Record the village committee's results (replacing any recorded before), once the review
        is closed."""
        e = self.get_object()
        serializer = VillageResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        seats = [services.Seat(s["candidate_id"], s["post"], s["votes"]) for s in data["elected"]]
        saved = services.record_results(
            e, data["held_on"], seats, expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(saved)

    def _move(self, request: Request, name: str) -> Response:
        e = self.get_object()  # an outsider's 404 before anything about the body
        serializer = VillageMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = MOVES[name](
            e, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=VillageMoveSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Close the qualification review (the township): every candidate reviewed, one passed."""
        return self._move(request, "review")

    @extend_schema(request=VillageMoveSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen the review for correction, saying why in `note` (the township)."""
        return self._move(request, "reopen")

    @extend_schema(request=VillageMoveSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Report the recorded results to the township (the village)."""
        return self._move(request, "report")

    @extend_schema(request=VillageMoveSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"], url_path="return-results")
    def return_results(self, request: Request, pk: str | None = None) -> Response:
        """Return the results for correction, saying why in `note` (the township)."""
        return self._move(request, "return_results")

    @extend_schema(request=VillageMoveSerializer, responses=VillageElectionSerializer)
    @action(detail=True, methods=["post"], url_path="file")
    def file_(self, request: Request, pk: str | None = None) -> Response:
        """File the election (备案, the township): the village committee takes its new term."""
        return self._move(request, "file")
