"""The members' own part of the API — their campaign, self-assessment and ratings — and the status
read for the level above.

A campaign is reached by the member through their own branch (a member account may have no
grant), or through the user's view scope; anything else is 404. Taking part is then checked by
the services, which refuse anyone not evaluated in the branch with a clear 400.
`GET ratings` lists only the ratings the caller gave: no endpoint lists ratings received.
"""

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import StrictSerializerMixin
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .models import CampaignState, EvaluationCampaign, Grade, PeerRating, ProposedGrade, SelfAssessment
from .participation import rate_member, submit_self_assessment
from .queries import (
    branches_with_state,
    is_participant,
    own_campaign,
    participants,
    rated_by,
    unqualified_without_handling,
)


def campaign_for(user: Any, pk: int) -> EvaluationCampaign:
    campaign = EvaluationCampaign.objects.select_related("branch").filter(pk=pk).first()
    own_branch = getattr(getattr(user, "member", None), "organization_id", None)
    if campaign is None or (campaign.branch_id != own_branch and not in_scope(user, campaign, "view")):
        raise Http404
    return campaign


class PeerSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    rated = serializers.BooleanField(help_text="whether you have rated them")


class MineSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    branch = serializers.CharField()
    year = serializers.IntegerField()
    campaign_state = serializers.ChoiceField(choices=CampaignState.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    taking_part = serializers.BooleanField()
    is_open = serializers.BooleanField(help_text="self-assessment and rating possible today")
    self_assessment = serializers.CharField(allow_null=True)
    peers = PeerSerializer(many=True)
    # `grade`, not `my_grade`: one name for the grade enum throughout the schema.
    grade = serializers.ChoiceField(choices=Grade.choices, allow_null=True, help_text="yours, once approved")


class RatingInputSerializer(StrictSerializerMixin):
    campaign = serializers.IntegerField()
    ratee = serializers.IntegerField(help_text="the member rated")
    grade = serializers.ChoiceField(choices=Grade.choices)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GivenRatingSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    ratee = serializers.IntegerField()
    ratee_name = serializers.CharField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    comment = serializers.CharField(allow_blank=True)


class SelfAssessmentInputSerializer(StrictSerializerMixin):
    campaign = serializers.IntegerField()
    text = serializers.CharField(max_length=5000)


class SelfAssessmentOutSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    text = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class BranchStatusSerializer(serializers.Serializer):
    organization = serializers.CharField(help_text="code")
    name = serializers.CharField()
    campaign_state = serializers.ChoiceField(choices=CampaignState.choices, allow_null=True)
    unqualified_without_handling = serializers.IntegerField()


class EvaluationMineView(APIView):
    """The signed-in member's campaign (their branch's latest, or `?year=`): dates, state,
    their self-assessment, the others to rate (and whether they have), their grade once approved."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=MineSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member: Member | None = getattr(request.user, "member", None)
        if member is None:
            raise Http404(_("Your account is not linked to a party member record."))
        campaign = own_campaign(member, request.query_params.get("year", ""))
        if campaign is None:
            raise Http404(_("Your branch has not opened a democratic evaluation."))
        given = rated_by(member, campaign)
        own = SelfAssessment.objects.filter(campaign=campaign, member=member).first()
        today = timezone.localdate()
        grade = None
        if campaign.state == CampaignState.APPROVED:
            grade = (
                ProposedGrade.objects.filter(campaign=campaign, member=member)
                .values_list("grade", flat=True)
                .first()
            )
        peers = [
            {"member": p.pk, "name": p.name, "rated": p.pk in given}
            for p in participants(campaign.branch)
            if p.pk != member.pk
        ]
        return Response(
            {
                "campaign": campaign.pk,
                "branch": campaign.branch.name,
                "year": campaign.year,
                "campaign_state": campaign.state,
                "opens_on": campaign.opens_on,
                "closes_on": campaign.closes_on,
                "taking_part": is_participant(member, campaign),
                "is_open": campaign.state == CampaignState.OPEN
                and campaign.opens_on <= today <= campaign.closes_on,
                "self_assessment": own.text if own else None,
                "peers": peers,
                "grade": grade,
            }
        )


class RatingsView(APIView):
    """POST: rate a member of your branch, once (anonymous). GET: the ratings you gave."""

    @extend_schema(responses=GivenRatingSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member_id = getattr(request.user, "member_id", None)
        rows = (
            PeerRating.objects.filter(rater_id=member_id)
            .select_related("ratee")
            .order_by("campaign_id", "ratee_id")
            if member_id
            else PeerRating.objects.none()
        )
        return Response(
            [
                {
                    "campaign": r.campaign_id,
                    "ratee": r.ratee_id,
                    "ratee_name": r.ratee.name,
                    "grade": r.grade,
                    "comment": r.comment,
                }
                for r in rows[:1000]
            ]
        )

    @extend_schema(request=RatingInputSerializer, responses={201: None})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = campaign_for(request.user, data["campaign"])
        ratee = Member.objects.filter(pk=data["ratee"]).first()
        if ratee is None:
            raise serializers.ValidationError(
                {"ratee": [_("You can rate only members evaluated in this branch.")]}
            )
        rate_member(campaign, ratee, data["grade"], data["comment"], acting_user=request.user)
        return Response(status=status.HTTP_201_CREATED)


class SelfAssessmentView(APIView):
    """Submit (or, while the campaign is open, rewrite) your own self-assessment."""

    @extend_schema(request=SelfAssessmentInputSerializer, responses=SelfAssessmentOutSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = SelfAssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = campaign_for(request.user, data["campaign"])
        row = submit_self_assessment(campaign, data["text"], acting_user=request.user)
        return Response({"campaign": campaign.pk, "text": row.text, "submitted_at": row.submitted_at})


class EvaluationStatusView(APIView):
    """For the level above: each member-holding organization below with its campaign's state for
    the year (null: not started) and how many unqualified members still lack a handling."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, required=True, description="organization code"),
            OpenApiParameter("year", int, description="default: this year"),
        ],
        responses=BranchStatusSerializer(many=True),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code = request.query_params.get("org", "").strip()
        raw = request.query_params.get("year", "")
        if not code:
            raise serializers.ValidationError({"org": [_("Give the organization's code.")]})
        if raw and not (is_int(raw) and 2000 <= int(raw) <= 2100):
            raise serializers.ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
        year = int(raw) if raw else timezone.localdate().year
        org = Organization.objects.restrict(request.user, "view").filter(code=code).first()
        if org is None:
            raise Http404
        missing = unqualified_without_handling(org.path, year)
        return Response(
            [
                {
                    "organization": b.code,
                    "name": b.name,
                    "campaign_state": c.state if c else None,
                    "unqualified_without_handling": len(missing.get(b.pk, [])),
                }
                for b, c in branches_with_state(org, year)
            ]
        )
