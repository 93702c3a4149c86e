"""REST API for meetings and their attendance. Writes go only through `services`."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import PartyGroup

from . import services
from .filters import MeetingFilterSet
from .models import Attendance, Meeting, MeetingKind, MeetingStatus

RECORDED_CHOICES = [(s.value, s.label) for s in services.RECORDED]

# --- serializers -----------------------------------------------------------------------------


class AttendanceSerializer(serializers.Serializer):
    """Who, and what became of them: the member's id and name only (no personal fields)."""

    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    member_name = serializers.SerializerMethodField()
    guest_name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)

    def get_member_name(self, row: Attendance) -> str | None:
        return row.member.name if row.member_id and row.member else None


class MeetingSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the organization holding the meeting")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    topic = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online = serializers.BooleanField(required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)
    topic_discussion = serializers.BooleanField(required=False)
    party_group = ScopedPrimaryKeyRelatedField(model=PartyGroup, required=False, allow_null=True)
    host = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    recorder = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    lecturer = ScopedPrimaryKeyRelatedField(
        model=Member,
        required=False,
        allow_null=True,
        help_text="member id of who gave the lecture (party lecture, central group study)",
    )
    minutes = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=MeetingStatus.choices, read_only=True)
    closed_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version the edit is based on; refused if the record changed since.",
    )


class MeetingDetailSerializer(MeetingSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)


class MeetingCreateSerializer(MeetingSerializer):
    minutes = None  # type: ignore[assignment]  # written once the meeting is held
    version = None  # type: ignore[assignment]  # a new meeting starts at version 1


class MeetingUpdateSerializer(MeetingSerializer):
    organization = None  # type: ignore[assignment]  # a meeting stays with its organization


class AttendanceEntrySerializer(StrictSerializerMixin):
    member = serializers.IntegerField(required=False, help_text="member id")
    attendance = serializers.IntegerField(required=False, help_text="attendance id (for guests)")
    status = serializers.ChoiceField(choices=RECORDED_CHOICES)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "member" not in attrs and "attendance" not in attrs:
            raise serializers.ValidationError(_("Give the member (or the attendance row) of each entry."))
        return attrs


class AttendanceInputSerializer(StrictSerializerMixin):
    entries = AttendanceEntrySerializer(many=True, allow_empty=False)
    version = serializers.IntegerField(required=False, min_value=1)


class VersionSerializer(StrictSerializerMixin):
    version = serializers.IntegerField(required=False, min_value=1)


# --- viewset ---------------------------------------------------------------------------------


class MeetingCursorPagination(IdCursorPagination):
    ordering = ("-starts_at", "-id")


class MeetingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Meetings of the organizations within the user's reach, newest first."""

    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    pagination_class = MeetingCursorPagination
    filterset_class = MeetingFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.select_related("organization")
        if self.action != "list":
            rows = Attendance.objects.select_related("member").only(
                "id", "meeting_id", "member_id", "guest_name", "status", "reason", "member__name"
            )
            queryset = queryset.prefetch_related(Prefetch("attendances", queryset=rows))
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def _detail(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Meeting.objects.all()).get(pk=meeting.pk)
        return Response(
            MeetingDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        meeting = services.schedule_meeting(org, data, acting_user=request.user)
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        serializer = MeetingUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        meeting = services.update_meeting(meeting, data, acting_user=request.user, expected_version=version)
        return self._detail(meeting)

    @extend_schema(request=AttendanceInputSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Record present / leave (with a reason) / absent; one refused entry refuses them all."""
        meeting = self.get_object()
        serializer = AttendanceInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = services.record_attendance(
            meeting,
            [dict(e) for e in data["entries"]],
            acting_user=request.user,
            expected_version=data.get("version"),
        )
        return self._detail(meeting)

    @extend_schema(request=VersionSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Lock the record once the meeting has ended and everyone expected is accounted for."""
        meeting = self.get_object()
        serializer = VersionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        meeting = services.close_meeting(
            meeting, acting_user=request.user, expected_version=serializer.validated_data.get("version")
        )
        return self._detail(meeting)

    @extend_schema(request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned meeting."""
        meeting = self.get_object()
        meeting = services.cancel_meeting(meeting, acting_user=request.user)
        return self._detail(meeting)
