"""REST API for notices: what the user may read (as sender or recipient), the sender's actions,
recording a read, and read counts. Writes go only through `services`."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.core.params import is_int
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import queries, services
from .models import TITLE_MAX_CHARS, Notice, NoticeState


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    cascade = serializers.BooleanField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.SerializerMethodField(help_text="sanitized HTML")
    must_read = serializers.BooleanField(read_only=True)
    deadline = serializers.DateField(read_only=True, allow_null=True)
    pinned = serializers.BooleanField(read_only=True)
    state = serializers.ChoiceField(choices=NoticeState.choices, read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    def get_body(self, notice: Notice) -> str:
        return str(notice.body_html)


class NoticeWriteSerializer(StrictSerializerMixin, serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_CHARS + 1)
    body = serializers.CharField(help_text="HTML (sanitized) or plain text")
    must_read = serializers.BooleanField(required=False, default=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    pinned = serializers.BooleanField(required=False, default=False)
    cascade = serializers.BooleanField(required=False, default=False)


class NoticeCreateSerializer(NoticeWriteSerializer):
    organization = OrganizationCodeField(help_text="code of the organization sending the notice")


class NoticeUpdateSerializer(NoticeWriteSerializer):
    version = serializers.IntegerField(required=False)


class NoticeMoveSerializer(StrictSerializerMixin, serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class ShareSerializer(serializers.Serializer):
    organization = serializers.IntegerField(allow_null=True, help_text="null: the members held directly")
    organization_name = serializers.CharField(allow_null=True)
    recipients = serializers.IntegerField()
    reads = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    recipients = serializers.IntegerField()
    reads = serializers.IntegerField()
    children = ShareSerializer(many=True)


class ReadSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="false when already read before")


def _share(row: queries.Share) -> dict[str, Any]:
    org = row.organization
    return {
        "organization": org.pk if org else None,
        "organization_name": org.name if org else None,
        "recipients": row.recipients,
        "reads": row.reads,
    }


class NoticeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Notices the user may read: those of the organizations within their change reach (drafts
    too), and the sent notices they receive as a member."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        # Two kinds of reach, so not the generic `restrict`: queries.readable_by unites the
        # sender's change scope with the member's received notices.
        return queries.readable_by(self.request.user).select_related("organization").order_by("-id")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def _own(self, pk: Any) -> Notice:
        notice = Notice.objects.restrict(self.request.user, "change").filter(pk=pk).first()
        if notice is None:
            raise Http404
        return notice  # type: ignore[no-any-return]

    def _out(self, notice: Notice, code: int = status.HTTP_200_OK) -> Response:
        fresh = Notice.objects.select_related("organization").get(pk=notice.pk)
        return Response(NoticeSerializer(fresh).data, status=code)

    @extend_schema(request=NoticeCreateSerializer, responses={201: NoticeSerializer})
    def create(self, request: Request) -> Response:
        serializer = NoticeCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        notice = services.create_notice(org, data, acting_user=request.user)
        return self._out(notice, status.HTTP_201_CREATED)

    @extend_schema(request=NoticeUpdateSerializer, responses=NoticeSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        notice = self._own(pk)
        serializer = NoticeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        notice = services.update_notice(notice, data, acting_user=request.user, expected_version=version)
        return self._out(notice)

    def _version(self, request: Request) -> int | None:
        serializer = NoticeMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("version")

    @extend_schema(request=NoticeMoveSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        notice = self._own(pk)
        version = self._version(request)
        return self._out(services.send_notice(notice, acting_user=request.user, expected_version=version))

    @extend_schema(request=NoticeMoveSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        notice = self._own(pk)
        version = self._version(request)
        return self._out(services.withdraw_notice(notice, acting_user=request.user, expected_version=version))

    @extend_schema(request=None, responses=ReadSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        member = getattr(request.user, "member", None)
        notice = queries.received_by(member).filter(pk=pk).first()
        if notice is None or member is None:
            raise Http404
        return Response({"recorded": services.mark_read(notice, member)})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "organization", int, description="the organization to count within (default: the sender)"
            )
        ],
        responses=StatsSerializer,
    )
    @action(detail=True, methods=["get"])
    def stats(self, request: Request, pk: Any = None) -> Response:
        """Recipients and reads within an organization the user may change, per child."""
        notice = Notice.objects.select_related("organization").filter(pk=pk).first()
        raw = request.query_params.get("organization", "")
        if notice is None or notice.is_draft:
            raise Http404
        org_id = int(raw) if is_int(raw) else notice.organization_id
        org = Organization.objects.restrict(request.user, "change").filter(pk=org_id).first()
        if org is None or not queries.covers(notice, org):
            raise Http404
        total, rows = queries.share_by_child(notice, org)
        return Response(
            {
                "organization": org.pk,
                "recipients": total.recipients,
                "reads": total.reads,
                "children": [_share(r) for r in rows],
            }
        )
