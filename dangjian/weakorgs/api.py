"""REST API of the weak-organization lists: read; run the screening and list an organization by
hand (the county); take the workflow's moves; record, correct and delete progress with its
evidence (multipart) and take a file back (the organization). Writes go only through `services`;
an edit based on an old `version` is refused with 409, an outsider's with 404 (the listing is
found before the body is read)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.params import is_int
from dangjian.core.tree import subtree_q
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import services
from .models import TEXT_MAX, Listing, ListingState, Origin, Progress


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


def _number(raw: str) -> int:
    """An entry's or a file's id from the path: anything but a plain number names nothing (404).
    The route takes any segment so that the sign-in check answers first, as for the listing."""
    if not is_int(raw):
        raise NotFound()
    return int(raw)


ENTRY_ID = OpenApiParameter(
    "progress_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="the entry's id"
)
FILE_ID = OpenApiParameter(
    "evidence_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="the file's id"
)
VERSION_HELP = "the version as read; refused (409) when it has changed"


class WeakScreenSerializer(StrictSerializerMixin):
    county = OrganizationCodeField(help_text="code of the county committee (change within reach)")
    year = serializers.IntegerField(min_value=2000, help_text="the year screened, up to this year")


class WeakScreenResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="new candidates")
    updated = serializers.IntegerField(help_text="candidates whose reasons changed")
    dropped = serializers.IntegerField(help_text="candidates found by screening that no longer show a sign")


class WeakListingNewSerializer(StrictSerializerMixin):
    county = OrganizationCodeField(help_text="code of the county committee (change within reach)")
    organization = OrganizationCodeField(scope="view", help_text="code of the organization below it")
    year = serializers.IntegerField(min_value=2000)
    reason = serializers.CharField(max_length=200, help_text="why it is listed by hand")


class WeakEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class WeakProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    on = serializers.DateField(read_only=True)
    note = serializers.CharField(read_only=True)
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    evidence = WeakEvidenceSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True)

    def get_author(self, row: Progress) -> str:
        account = row.author
        return (account.get_full_name() or account.get_username()) if account is not None else ""


class WeakProgressNewSerializer(StrictSerializerMixin):
    on = serializers.DateField(help_text="a day of the listing's year, up to today")
    note = serializers.CharField(max_length=TEXT_MAX)
    # multipart/form-data, one `files` part a file (PDF, DOCX, JPEG, PNG, at most 10 MB each, 10
    # at once): checked by content by the service, photos written anew.
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class WeakProgressEditSerializer(StrictSerializerMixin):
    on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=TEXT_MAX, required=False)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class WeakProgressDeleteSerializer(StrictSerializerMixin):
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


MOVE_ACTIONS = ("confirm", "remove", "plan", "submit", "accept", "return_", "carry_over", "look_back")
ENTRY_ACTIONS = ("progress", "progress_entry", "evidence")


class WeakListingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Listings within the user's reach (candidates only for the county and above); each move is
    checked by the listing's workflow."""

    queryset = Listing.objects.all()
    serializer_class = WeakListingSerializer
    filterset_class = WeakListingFilterSet
    pagination_class = IdCursorPagination
    # Reading is enough to reach a listing; who may take which move is the workflow's rule.
    scope_actions = {name: "view" for name in (*MOVE_ACTIONS, *ENTRY_ACTIONS)}
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    input_serializers = {"create": WeakListingNewSerializer, "screen": WeakScreenSerializer}

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return self.input_serializers.get(self.action or "", WeakListingSerializer)

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "county")

    def _detail(self, listing: Listing, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Listing.objects.all()).get(pk=listing.pk)
        return Response(WeakListingSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _entry(self, progress: Progress, code: int = status.HTTP_200_OK) -> Response:
        fresh = Progress.objects.select_related("author").prefetch_related("evidence").get(pk=progress.pk)
        return Response(WeakProgressSerializer(fresh).data, status=code)

    @extend_schema(request=WeakListingNewSerializer, responses={201: WeakListingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List an organization by hand, with the reason (the county: change on the county
        committee, never the organization itself); it is listed at once."""
        serializer = WeakListingNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        listing = services.add_by_hand(
            data["county"], data["organization"], data["year"], data["reason"], acting_user=request.user
        )
        return self._detail(listing, status.HTTP_201_CREATED)

    @extend_schema(request=WeakScreenSerializer, responses=WeakScreenResultSerializer)
    @action(detail=False, methods=["post"])
    def screen(self, request: Request) -> Response:
        """Run the year's screening below a county committee (those who may change its records):
        new candidates with their reasons, the reasons of undecided ones brought up to date,
        computed candidates no longer showing a sign dropped; decided listings are kept."""
        serializer = WeakScreenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counts = services.screen(data["county"], data["year"], acting_user=request.user)
        return Response(WeakScreenResultSerializer(counts).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=WeakProgressSerializer(many=True),
        operation_id="weak_progress_list",
    )
    @extend_schema(
        methods=["POST"],
        request={
            "multipart/form-data": WeakProgressNewSerializer,
            "application/json": WeakProgressNewSerializer,
        },
        responses={201: WeakProgressSerializer},
        operation_id="weak_progress_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """GET: the progress entries with their evidence. POST: record one (the organization's
        officers or the level above, while planned or returned), files as multipart `files`."""
        listing = self.get_object()
        if request.method == "GET":
            rows = listing.progress.select_related("author").prefetch_related("evidence")
            return Response(WeakProgressSerializer(rows, many=True).data)
        serializer = WeakProgressNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        made = services.add_progress(
            listing, data["note"], data["on"], data["files"], acting_user=request.user
        )
        return self._entry(made, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        request=WeakProgressEditSerializer,
        responses=WeakProgressSerializer,
        operation_id="weak_progress_update",
        parameters=[ENTRY_ID],
    )
    @extend_schema(
        methods=["DELETE"],
        request=WeakProgressDeleteSerializer,
        responses={204: OpenApiResponse(description="deleted with its evidence")},
        operation_id="weak_progress_delete",
        parameters=[ENTRY_ID],
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"progress/(?P<progress_id>[^/.]+)")
    def progress_entry(self, request: Request, pk: str | None = None, progress_id: str = "") -> Response:
        """PATCH: correct an entry's `on` or `note`. DELETE: delete it with its evidence. Both by
        those who may record progress, while the listing is planned or returned; `version` as
        read (409 when stale)."""
        listing = self.get_object()
        if request.method == "DELETE":
            serializer: serializers.Serializer = WeakProgressDeleteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.delete_progress(
                listing,
                _number(progress_id),
                expected_version=serializer.validated_data.get("version"),
                acting_user=request.user,
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = WeakProgressEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        saved = services.update_progress(
            listing, _number(progress_id), data, expected_version=version, acting_user=request.user
        )
        return self._entry(saved)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="the file removed")}, parameters=[FILE_ID]
    )
    @action(detail=True, methods=["delete"], url_path=r"evidence/(?P<evidence_id>[^/.]+)")
    def evidence(self, request: Request, pk: str | None = None, evidence_id: str = "") -> Response:
        """Take back an evidence file uploaded by mistake (those who may record progress, while
        the listing is planned or returned)."""
        listing = self.get_object()
        services.remove_evidence(listing, _number(evidence_id), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

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
