"""REST API of campaigns and tasks sent down: read campaigns (the sender's side) and reports
(each organization's), fill in a report and take the workflow's moves. Writes go only through
`services` and the workflows; a move based on an old `version` is refused with 409, an
outsider's with 404."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination

from . import services
from .models import Assignment, AssignmentState, Campaign, CampaignKind, CampaignState
from .workflows import ASSIGNMENT_FLOW


class SentCampaignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = serializers.ChoiceField(choices=CampaignKind.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    instructions = serializers.CharField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)
    target_kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_sectors = serializers.ListField(child=serializers.CharField(), read_only=True)
    # Named "form" here: `fields` is the serializer's own attribute.
    form = serializers.ListField(source="fields", child=serializers.DictField(), read_only=True)
    state = serializers.ChoiceField(choices=CampaignState.choices, read_only=True)
    assigned = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class CampaignReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    deadline = serializers.DateField(read_only=True)
    state = serializers.ChoiceField(choices=AssignmentState.choices, read_only=True)
    answers = serializers.DictField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class CampaignReportMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class CampaignReportAnswersSerializer(StrictSerializerMixin):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=2000))
    version = serializers.IntegerField(required=False, min_value=0)


class SentCampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Campaigns and tasks sent by organizations within the user's reach."""

    queryset = Campaign.objects.all()
    serializer_class = SentCampaignSerializer
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")


class CampaignReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The reports of organizations within the user's reach: what each received, its answers and
    state. The receiving officers fill in and submit; the sender accepts or returns."""

    queryset = Assignment.objects.all()
    serializer_class = CampaignReportSerializer
    pagination_class = IdCursorPagination
    scope_actions = {name: "view" for name in ("answers", "submit", "accept", "return_")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "campaign", "campaign__organization")

    def _detail(self, assignment: Assignment) -> Response:
        fresh = self.refine_queryset(Assignment.objects.all()).get(pk=assignment.pk)
        return Response(CampaignReportSerializer(fresh).data)

    @extend_schema(request=CampaignReportAnswersSerializer, responses=CampaignReportSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """Save the report's answers (the receiving organization's officers, before submitting)."""
        assignment = self.get_object()  # an outsider's 404 before anything about the body
        serializer = CampaignReportAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.save_answers(
            assignment, data["answers"], acting_user=request.user, expected_version=data.get("version")
        )
        return self._detail(saved)

    def _move(self, request: Request, name: str) -> Response:
        assignment = self.get_object()
        serializer = CampaignReportMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = ASSIGNMENT_FLOW.take(
            assignment,
            name,
            note=data["note"],
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        return self._detail(moved)

    @extend_schema(request=CampaignReportMoveSerializer, responses=CampaignReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit to the sender (the required answers filled in)."""
        return self._move(request, "submit")

    @extend_schema(request=CampaignReportMoveSerializer, responses=CampaignReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept (the sender; not whoever submitted it)."""
        return self._move(request, "accept")

    @extend_schema(request=CampaignReportMoveSerializer, responses=CampaignReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return, saying what is missing in `note` (the sender)."""
        return self._move(request, "return")
