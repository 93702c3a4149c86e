"""REST API of the discussion: `/api/v1/threads/` (+ posts, replies, reports, moderation).
Scoped like the pages (a branch's members, its moderators, the committees above read); writes
only through `services`, whose refusals the API's exception handler answers (400; 409 for a
stale version)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtrees_q
from dangjian.organizations.models import Organization

from . import access, queries, services
from .models import BODY_MAX, REASON_MAX, TITLE_MAX, Post, Thread
from .views import serve_image


class ThreadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thread
        fields = [
            "id",
            "organization",
            "author_name",
            "title",
            "state",
            "pinned",
            "hidden",
            "created_at",
            "last_activity_at",
            "reply_count",
        ]
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):
    images = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "thread", "author_name", "opening", "body", "state", "hidden", "created_at", "images"]
        read_only_fields = fields

    def get_images(self, post: Post) -> list[str]:
        return [f"/api/v1/post-images/{image.pk}/" for image in post.images.all()]


def _images() -> serializers.ListField:
    # multipart/form-data, one `images` part a file. Counted, checked by content and re-encoded
    # by the services, whose refusal is audited (Django caps the files of a request at 100).
    return serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ThreadCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    organization = serializers.CharField(help_text="Code or id of the branch")
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX)
    images = _images()


class ReplySerializer(StrictSerializerMixin, serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX)
    images = _images()


class ReasonSerializer(StrictSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class ModerateSerializer(StrictSerializerMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["pin", "unpin", "close", "reopen", "hide", "unhide"])
    reason = serializers.CharField(max_length=REASON_MAX, required=False, default="")


class PostModerateSerializer(StrictSerializerMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["hide", "unhide", "approve", "reject"])
    reason = serializers.CharField(max_length=REASON_MAX, required=False, default="")


REPORTED = inline_serializer("PostReported", {"id": serializers.IntegerField()})


class ThreadCursorPagination(IdCursorPagination):
    ordering = "-id"


class ThreadViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Threads of the branches in reach, newest first (members see published ones and their own
    held ones; moderators see all)."""

    queryset = Thread.objects.all()
    serializer_class = ThreadSerializer
    pagination_class = ThreadCursorPagination
    # Writes are checked by the services (post, moderate); reading the thread comes first.
    write_scope = "view"

    def get_queryset(self) -> QuerySet[Any]:
        rows = super().get_queryset()
        user = self.request.user
        moderated = access.paths(user, "change")
        visible = Q(hidden=False, state__in=["open", "closed"]) | Q(
            hidden=False, state="held", author=user.pk
        )
        if moderated:
            visible |= subtrees_q(moderated, "organization__path")
        return rows.filter(visible)

    def _thread(self) -> Thread:
        thread = self.get_object()
        return thread  # type: ignore[no-any-return]

    @extend_schema(request=ThreadCreateSerializer, responses={201: ThreadSerializer})
    def create(self, request: Request) -> Response:
        """Start a thread in a branch the user posts in (JSON, or multipart with `images`)."""
        data = ThreadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ref = data.validated_data["organization"]
        number = queries.small_int(ref)
        org = Organization.objects.filter(code=ref).first() or (
            Organization.objects.filter(pk=number).first() if number is not None else None
        )
        if org is None or not access.can(request.user, org.path, "view"):
            raise NotFound()
        thread = services.start_thread(
            org,
            data.validated_data["title"],
            data.validated_data["body"],
            acting_user=request.user,
            images=data.validated_data["images"],
        )
        return Response(ThreadSerializer(thread).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PostSerializer(many=True))
    @action(detail=True, methods=["get"])
    def posts(self, request: Request, pk: str | None = None) -> Response:
        """The thread's posts in order, by cursor (`?after=<id>`)."""
        thread = self._thread()
        page, more = queries.post_page(request.user, thread, request.query_params.get("after"))
        return Response(PostSerializer(page, many=True).data, headers={"X-Next-After": str(more or "")})

    @extend_schema(request=ReplySerializer, responses={201: PostSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """Reply to an open thread (held for review when it matches the word list); JSON, or
        multipart with `images`."""
        thread = self._thread()
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body, images = data.validated_data["body"], data.validated_data["images"]
        post = services.reply(thread, body, acting_user=request.user, images=images)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ModerateSerializer, responses=ThreadSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None) -> Response:
        """The secretary or organizer pins, closes, hides a thread (or undoes it)."""
        thread = self._thread()
        if not access.can(request.user, thread.organization.path, "change"):
            raise NotFound()
        data = ModerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verb, reason, user = data.validated_data["action"], data.validated_data["reason"], request.user
        thread = services.moderate_thread(thread, verb, reason=reason, acting_user=user)
        return Response(ThreadSerializer(thread).data)


class PostViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin):
    """One post (as its thread shows it), and what is done to a post: report, moderate."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    write_scope = "view"

    def get_object(self) -> Any:
        number = queries.small_int(self.kwargs["pk"])
        post = queries.post_for(self.request.user, number) if number is not None else None
        if post is None:
            raise NotFound()
        return post

    @extend_schema(request=ReasonSerializer, responses={201: REPORTED})
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Report a post to the branch secretary (once per member and post)."""
        post = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not access.can(request.user, post.organization.path, "post"):
            raise NotFound()
        row = services.report_post(post, data.validated_data["reason"], acting_user=request.user)
        return Response({"id": row.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=PostModerateSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None) -> Response:
        """Hide or show a post again; approve or reject a held one."""
        post = self.get_object()
        if not access.can(request.user, post.organization.path, "change"):
            raise NotFound()
        data = PostModerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verb, reason, user = data.validated_data["action"], data.validated_data["reason"], request.user
        post = services.moderate_post(post, verb, reason=reason, acting_user=user)
        return Response(PostSerializer(post).data)


class PostImageView(APIView):
    """A post's image (`thumb/`: 480 px at most), to whoever may read the post."""

    permission_classes = [IsAuthenticated]
    thumb = False

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return serve_image(request.user, pk, thumb=self.thumb)
