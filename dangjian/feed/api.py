"""GET /api/v1/feed/: one page of an organization's activity feed, newest first, by keyset.

Scoped like the page: the feed of an organization within the user's view reach (or of their own
branch) and the cascaded notices above it; any other organization answers 404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.params import is_int

from . import queries
from .models import FeedItem, FeedKind


class FeedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = serializers.ChoiceField(choices=FeedKind.choices, read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    title = serializers.CharField(read_only=True)
    cascade = serializers.BooleanField(read_only=True)
    part = serializers.IntegerField(read_only=True, allow_null=True, help_text="attended / voted")
    whole = serializers.IntegerField(read_only=True, allow_null=True, help_text="expected / eligible")
    share_pct = serializers.IntegerField(read_only=True, allow_null=True)
    photo_count = serializers.IntegerField(read_only=True)
    cover = serializers.SerializerMethodField(help_text="thumbnail URL of the first photo")

    def get_cover(self, item: FeedItem) -> str | None:
        cover_id = getattr(item, "cover_id", None)
        return reverse("feed:thumbnail", args=[cover_id]) if cover_id else None


class FeedPageSerializer(serializers.Serializer):
    results = FeedItemSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="pass as `before` for the next page")


class FeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="feed_list",
        parameters=[
            OpenApiParameter("organization", int, description="organization id; default: your own branch"),
            OpenApiParameter("before", str, description="the `next` of the previous page"),
            OpenApiParameter("page_size", int, description=f"at most {queries.MAX_PAGE_SIZE}"),
        ],
        responses=FeedPageSerializer,
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("organization")
        if raw is None:
            member = getattr(request.user, "member", None)
            if member is None:
                raise ApiValidationError({"organization": [_("This parameter is required.")]})
            raw = str(member.organization_id)
        org = queries.organization_for(request.user, raw)
        if org is None:
            raise Http404
        raw_size = request.query_params.get("page_size") or str(queries.PAGE_SIZE)
        if not is_int(raw_size):
            raise ApiValidationError({"page_size": [_("A whole number is required.")]})
        size = int(raw_size)
        try:
            page = queries.page(org, request.query_params.get("before") or None, size)
        except ValidationError as exc:
            raise ApiValidationError({"before": exc.messages}) from exc
        return Response({"results": FeedItemSerializer(page.items, many=True).data, "next": page.next_cursor})
