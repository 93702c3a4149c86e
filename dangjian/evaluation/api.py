"""REST API for evaluation campaigns and the handling of unqualified members. Writes go only
through the services. The members' own part (self-assessment, ratings) is in `api_member`.

The campaign's summary gives, per member, counts of peer ratings per grade — never who rated.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.filters import YearFilter
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from . import handling as handling_services
from . import services
from .models import CampaignState, EvaluationCampaign, Grade, Handling, HandlingMeasure, HandlingState
from .queries import campaign_table, results_hidden


class CampaignFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(
        method="filter_org", label=gettext_lazy("Organization code (incl. below)")
    )
    year = YearFilter(field_name="year")
    campaign_state = django_filters.ChoiceFilter(field_name="state", choices=CampaignState.choices)

    class Meta:
        model = EvaluationCampaign
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "branch__path")) if path else queryset.none()


class CampaignSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    branch = ScopedPrimaryKeyRelatedField(model=Organization, scope="change", help_text="branch id")
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    # Not `state`: dues reductions have a `state` of their own (schema enum names).
    campaign_state = serializers.ChoiceField(source="state", choices=CampaignState.choices, read_only=True)
    proposed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class DatesSerializer(StrictSerializerMixin):
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class NoteSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class GradeInputSerializer(StrictSerializerMixin):
    member = serializers.IntegerField(help_text="member id")
    grade = serializers.ChoiceField(choices=Grade.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GradesSerializer(StrictSerializerMixin):
    grades = GradeInputSerializer(many=True)


class GradeCountsSerializer(serializers.Serializer):
    excellent = serializers.IntegerField()
    qualified = serializers.IntegerField()
    basically_qualified = serializers.IntegerField()
    unqualified = serializers.IntegerField()


class SummaryRowSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    ratings = GradeCountsSerializer(
        allow_null=True,
        help_text="peer ratings received, per grade (anonymous); null while rating is open",
    )
    self_assessment = serializers.CharField(allow_null=True)
    grade = serializers.ChoiceField(
        choices=Grade.choices, allow_null=True, help_text="proposed by the branch"
    )
    note = serializers.CharField(allow_blank=True)
    handling = serializers.IntegerField(allow_null=True, help_text="handling id")
    rectification = serializers.CharField(allow_blank=True, help_text="problem rectification (point 19)")


class FollowUpOutSerializer(serializers.Serializer):
    on = serializers.DateField()
    text = serializers.CharField()


class HandlingSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    campaign = ScopedPrimaryKeyRelatedField(model=EvaluationCampaign, scope="change", help_text="campaign id")
    member = serializers.IntegerField(source="member_id", help_text="member id (graded unqualified)")
    member_name = serializers.CharField(source="member.name", read_only=True)
    measure = serializers.ChoiceField(choices=HandlingMeasure.choices)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    handling_state = serializers.ChoiceField(source="state", choices=HandlingState.choices, read_only=True)
    outcome = serializers.CharField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    follow_ups = FollowUpOutSerializer(many=True, read_only=True)


class FollowUpSerializer(StrictSerializerMixin):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    text = serializers.CharField(max_length=2000)


class OutcomeSerializer(StrictSerializerMixin):
    outcome = serializers.CharField(max_length=2000)


def _input(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Democratic evaluation campaigns of the branches within reach. The branch creates, opens,
    closes rating, grades and proposes; the committee one level up approves or returns."""

    queryset = EvaluationCampaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    pagination_class = IdCursorPagination
    # The members' rows (self-assessments, rating counts, grades) are for those who keep them.
    scope_actions = {"summary": "change"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("branch")

    def _detail(self, campaign: EvaluationCampaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = EvaluationCampaign.objects.select_related("branch").get(pk=campaign.pk)
        return Response(CampaignSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CampaignSerializer, responses={201: CampaignSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(request, CampaignSerializer)
        campaign = services.create_campaign(
            data["branch"], data["year"], data["opens_on"], data["closes_on"], acting_user=request.user
        )
        return self._detail(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Open to members: self-assessment and rating between the dates."""
        return self._detail(services.open_campaign(self.get_object(), acting_user=request.user))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="close-rating")
    def close_rating(self, request: Request, pk: str | None = None) -> Response:
        """Close self-assessment and rating; the branch grades."""
        return self._detail(services.close_rating(self.get_object(), acting_user=request.user))

    @extend_schema(request=DatesSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def dates(self, request: Request, pk: str | None = None) -> Response:
        """Move the window (draft or open only)."""
        campaign = self.get_object()
        data = _input(request, DatesSerializer)
        return self._detail(
            services.change_dates(campaign, data["opens_on"], data["closes_on"], acting_user=request.user)
        )

    @extend_schema(request=GradesSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def grades(self, request: Request, pk: str | None = None) -> Response:
        """Set the branch's grades (after rating is closed, before proposing or once returned)."""
        campaign = self.get_object()
        items = [dict(i) for i in _input(request, GradesSerializer)["grades"]]
        services.set_grades(campaign, items, acting_user=request.user)
        return self._detail(campaign)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None) -> Response:
        """Send the grades to the committee one level up."""
        return self._detail(services.propose(self.get_object(), acting_user=request.user))

    @extend_schema(request=NoteSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the grades (the committee one level up; not whoever proposed)."""
        campaign = self.get_object()
        data = _input(request, NoteSerializer)
        done = services.approve(
            campaign, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)

    @extend_schema(request=NoteSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return the grades to the branch, saying what to change in `note`."""
        campaign = self.get_object()
        data = _input(request, NoteSerializer)
        done = services.return_campaign(
            campaign, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)

    @extend_schema(request=None, responses=SummaryRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: str | None = None) -> Response:
        """Each member evaluated: peer ratings per grade (counts only, once rating is closed),
        self-assessment, proposed grade and note, handling, rectification status."""
        campaign = self.get_object()
        hidden = results_hidden(campaign)
        rows = campaign_table(campaign)
        return Response(
            [
                {
                    "member": r.member.pk,
                    "name": r.member.name,
                    "ratings": None if hidden else {g: r.count(g) for g in Grade.values},
                    "self_assessment": r.self_assessment.text if r.self_assessment else None,
                    "grade": r.grade.grade if r.grade else None,
                    "note": r.grade.note if r.grade else "",
                    "handling": r.handling.pk if r.handling else None,
                    "rectification": r.rectification,
                }
                for r in rows
            ]
        )


class HandlingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Handling decisions for members graded unqualified, with their follow-ups."""

    queryset = Handling.objects.all()
    serializer_class = HandlingSerializer
    pagination_class = IdCursorPagination
    read_scope = "change"  # decisions about named members: for those who keep them

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member").prefetch_related("follow_ups")

    def _detail(self, handling: Handling, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Handling.objects.all()).get(pk=handling.pk)
        return Response(HandlingSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=HandlingSerializer, responses={201: HandlingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(request, HandlingSerializer)
        # Only among the campaign's unqualified members: "no such member" for any other id
        # would confirm which member ids exist anywhere on the platform.
        member = handling_services.unqualified_member(data["campaign"], data["member_id"])
        if member is None:
            raise serializers.ValidationError(
                {"member": [_("Only a member graded unqualified in this campaign is handled.")]}
            )
        handling = handling_services.create_handling(
            data["campaign"],
            member,
            data["measure"],
            deadline=data["deadline"],
            decided_on=data["decided_on"],
            note=data["note"],
            acting_user=request.user,
        )
        return self._detail(handling, status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpSerializer, responses=HandlingSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        """Add a follow-up (date and text) while the handling is open."""
        handling = self.get_object()
        data = _input(request, FollowUpSerializer)
        handling_services.add_follow_up(handling, data["text"], on=data["on"], acting_user=request.user)
        return self._detail(handling)

    @extend_schema(request=OutcomeSerializer, responses=HandlingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the handling with its outcome."""
        handling = self.get_object()
        outcome = _input(request, OutcomeSerializer)["outcome"]
        return self._detail(handling_services.close_handling(handling, outcome, acting_user=request.user))
