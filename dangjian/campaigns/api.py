"""REST API of campaigns and tasks sent down: read campaigns (the sender's side) and reports
(each organization's), fill in a report and take the workflow's moves. Writes go only through
`services` and the workflows; a move based on an old `version` is refused with 409, an
outsider's with 404."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import OrgKind, Sector

from . import services
from .models import (
    TEXT_MAX,
    TITLE_MAX,
    Assignment,
    AssignmentState,
    Campaign,
    CampaignKind,
    CampaignState,
    FieldType,
)
from .workflows import ASSIGNMENT_FLOW, CAMPAIGN_FLOW


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


class CampaignFieldSerializer(StrictSerializerMixin):
    # Declared fields, taken off the class by the serializer's metaclass: `Field.label` and
    # `Field.required` are untouched.
    label = serializers.CharField(max_length=60)  # type: ignore[assignment]
    type = serializers.ChoiceField(choices=FieldType.choices, default=FieldType.TEXT)
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]


class NewCampaignSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the sending organization (change within reach)")
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    instructions = serializers.CharField(max_length=TEXT_MAX)
    deadline = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    target_kinds = serializers.ListField(child=serializers.ChoiceField(choices=OrgKind.choices), min_length=1)
    target_sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices), required=False, default=list
    )
    form = CampaignFieldSerializer(many=True, required=False, default=list)


class CampaignMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class SentCampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Campaigns and tasks sent by organizations within the user's reach: drafted, launched to
    every organization of the chosen kinds below the sender, closed or cancelled."""

    queryset = Campaign.objects.all()
    serializer_class = SentCampaignSerializer
    pagination_class = IdCursorPagination
    scope_actions = {name: "view" for name in ("launch", "close", "cancel")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    def _detail(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Campaign.objects.all()).get(pk=campaign.pk)
        return Response(SentCampaignSerializer(fresh).data, status=code)

    @extend_schema(request=NewCampaignSerializer, responses={201: SentCampaignSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A draft (its officers are told only once it is launched)."""
        serializer = NewCampaignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        data["fields"] = data.pop("form")
        return self._detail(
            services.create_campaign(org, data, acting_user=request.user), status.HTTP_201_CREATED
        )

    def _move(self, request: Request, name: str) -> Response:
        campaign = self.get_object()  # an outsider's 404 before anything about the body
        serializer = CampaignMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if name == "launch":
            moved = services.launch(campaign, acting_user=request.user, expected_version=data.get("version"))
        else:
            moved = CAMPAIGN_FLOW.take(
                campaign,
                name,
                note=data["note"],
                expected_version=data.get("version"),
                acting_user=request.user,
            )
        return self._detail(moved)

    @extend_schema(request=CampaignMoveSerializer, responses=SentCampaignSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str | None = None) -> Response:
        """Send the draft to every organization in scope (the sender's writing reach)."""
        return self._move(request, "launch")

    @extend_schema(request=CampaignMoveSerializer, responses=SentCampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close a launched campaign: nothing more is submitted or decided."""
        return self._move(request, "close")

    @extend_schema(request=CampaignMoveSerializer, responses=SentCampaignSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a draft or a launched campaign, with the reason in `note`."""
        return self._move(request, "cancel")


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
