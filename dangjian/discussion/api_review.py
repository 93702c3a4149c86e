"""REST API of a branch's review queue and a committee's word list, as the pages
`/orgs/<id>/threads/moderation/` and `/orgs/<id>/discussion-words/` show them:

* `GET /api/v1/discussion/<org>/review/`: posts held by the word list and open reports (the
  branch's secretary or organizer);
* `POST /api/v1/post-reports/<id>/resolve/` `{"action": "hide"|"dismiss", "reason"}`;
* `GET|PUT /api/v1/discussion/<org>/words/`: the committee's own list, and those above it (read).

Who reports a post is never shown (as on the page). Writes go through `services`; an organization
out of reach is not found.
"""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import StrictSerializerMixin
from dangjian.core.tree import ancestor_paths
from dangjian.organizations.models import Organization

from . import access, queries, services
from .api import PostSerializer
from .models import REASON_MAX, Report, ReportState, WordList

LIMIT = 100  # as the page: the oldest first, a hundred at a time


class ReportSerializer(serializers.ModelSerializer):
    post = PostSerializer(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "post", "reason", "state", "created_at"]
        read_only_fields = fields


class HeldPostSerializer(PostSerializer):
    held_words = serializers.CharField(read_only=True)

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "held_words"]
        read_only_fields = fields


REVIEW = inline_serializer(
    "DiscussionReview",
    {"held": HeldPostSerializer(many=True), "reports": ReportSerializer(many=True)},
)


class ResolveSerializer(StrictSerializerMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["hide", "dismiss"])
    reason = serializers.CharField(max_length=REASON_MAX, required=False, default="")


class WordsSerializer(StrictSerializerMixin, serializers.Serializer):
    words = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=2000)
    version = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


WORDS = inline_serializer(
    "DiscussionWords",
    {
        "organization": serializers.IntegerField(),
        "words": serializers.ListField(child=serializers.CharField()),
        "version": serializers.IntegerField(),
        "above": serializers.ListField(
            child=serializers.CharField(), help_text="words of the committees above"
        ),
    },
)


def _org(request: Request, pk: int, action: str) -> Organization:
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not access.can(request.user, org.path, action):
        raise NotFound()
    return org


class ReviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=REVIEW)
    def get(self, request: Request, pk: int) -> Response:
        """Posts awaiting review and reported posts of the branch, oldest first."""
        org = _org(request, pk, "change")
        held = queries.held_posts(org).prefetch_related("images").order_by("id")[:LIMIT]
        reports = queries.open_reports(org).prefetch_related("post__images").order_by("id")[:LIMIT]
        return Response(
            {
                "held": HeldPostSerializer(held, many=True).data,
                "reports": ReportSerializer(reports, many=True).data,
            }
        )


class ResolveReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ResolveSerializer, responses=ReportSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Hide the reported post (every open report of it is resolved) or dismiss its reports."""
        report = Report.objects.restrict(request.user, "change").filter(pk=pk, state=ReportState.OPEN).first()
        if report is None:
            raise NotFound()
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hide = data.validated_data["action"] == "hide"
        reason = data.validated_data["reason"]
        report = services.resolve_report(report, hide=hide, reason=reason, acting_user=request.user)
        return Response(ReportSerializer(report).data)


def _words(org: Organization) -> dict[str, Any]:
    own = WordList.objects.filter(organization=org).first()
    above = WordList.objects.filter(organization__path__in=ancestor_paths(org.path))
    return {
        "organization": org.pk,
        "words": own.word_list() if own else [],
        "version": own.version if own else 0,
        "above": sorted({w for row in above for w in row.word_list()}),
    }


class WordsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WORDS)
    def get(self, request: Request, pk: int) -> Response:
        """The committee's word list for its subtree (committee staff)."""
        return Response(_words(_org(request, pk, "words")))

    @extend_schema(request=WordsSerializer, responses=WORDS)
    def put(self, request: Request, pk: int) -> Response:
        """Replace the list. With `version` (from GET), a list changed meanwhile is refused (409)."""
        org = _org(request, pk, "words")
        data = WordsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = "\n".join(data.validated_data["words"])
        version = data.validated_data["version"]
        services.set_words(org, text, acting_user=request.user, expected_version=version)
        return Response(_words(org))
