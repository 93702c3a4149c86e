"""REST API for meetings and their attendance. Writes go only through `services`."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.params import is_int
from dangjian.core.uploads import download_response
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import PartyGroup

from . import records, richtext, services
from .filters import MeetingFilterSet
from .models import (
    Attendance,
    DisplayStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingRevision,
    MeetingStatus,
)
from .queries import clash_warnings

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


class RichTextField(serializers.CharField):
    """Minutes: HTML in, sanitized by the service; sanitized again on the way out, so rows from
    before the sanitizer are safe too. Plain text sent in becomes paragraphs."""

    def to_representation(self, value: Any) -> str:
        return richtext.to_html(str(value or ""))


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="jpeg, png, pdf or docx (read from the content)")
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    uploaded_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="where to download the file")

    def get_url(self, row: MeetingAttachment) -> str:
        # The router matches with or without the slash and reverses without; we document it with.
        return reverse("meeting-attachment", kwargs={"pk": row.meeting_id, "aid": row.pk}).rstrip("/") + "/"


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    reason = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    minutes_before = RichTextField(read_only=True)
    minutes_after = RichTextField(read_only=True)
    resolutions_before = serializers.CharField(read_only=True)
    resolutions_after = serializers.CharField(read_only=True)
    attachments_added = serializers.ListField(child=serializers.CharField(), read_only=True)
    attachments_removed = serializers.ListField(child=serializers.CharField(), read_only=True)


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
    minutes = RichTextField(required=False, allow_blank=True, help_text="HTML; sanitized when saved")
    resolutions = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="plain text, one resolution a line"
    )
    status = serializers.ChoiceField(choices=MeetingStatus.choices, read_only=True)
    display_status = serializers.ChoiceField(
        choices=DisplayStatus.choices,
        read_only=True,
        help_text="status as shown: a planned meeting whose start has passed is to_record",
    )
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancel_reason = serializers.CharField(read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version the edit is based on; refused if the record changed since.",
    )


class MeetingDetailSerializer(MeetingSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    revisions = RevisionSerializer(many=True, read_only=True, help_text="corrections of the closed record")


class WarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[("clash", "clash")], read_only=True, help_text="what kind of warning"
    )
    message = serializers.CharField(read_only=True, help_text="the warning, in the user's language")
    meeting = serializers.IntegerField(read_only=True, help_text="id of the other meeting concerned")


class MeetingSavedSerializer(MeetingDetailSerializer):
    warnings = WarningSerializer(
        many=True,
        read_only=True,
        help_text="saved, but worth a look: meetings you can see that overlap this one (same "
        "organization or a shared expected member); empty when none",
    )


class MeetingCreateSerializer(MeetingSerializer):
    minutes = None  # type: ignore[assignment]  # written once the meeting is held
    resolutions = None  # type: ignore[assignment]
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


class CancelSerializer(StrictSerializerMixin):
    reason = serializers.CharField(
        max_length=200, help_text="why the meeting is called off; sent to the members"
    )
    version = serializers.IntegerField(required=False, min_value=1)


class AttachmentUploadSerializer(StrictSerializerMixin):
    file = serializers.FileField(help_text="JPEG, PNG, PDF or DOCX, at most 20 MB; checked by content")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="required when the meeting is closed"
    )
    version = serializers.IntegerField(required=False, min_value=1)


class RevisionInputSerializer(StrictSerializerMixin):
    reason = serializers.CharField(max_length=500, help_text="why the closed record is corrected")
    minutes = serializers.CharField(required=False, allow_blank=True, help_text="HTML; sanitized when saved")
    resolutions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    remove_attachments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="ids of attachments to remove"
    )
    version = serializers.IntegerField(min_value=1, help_text="the version the correction is based on")


AID = OpenApiParameter("aid", int, OpenApiParameter.PATH, description="attachment id")
REMOVE_PARAMS = [
    AID,
    OpenApiParameter("reason", str, description="required when the meeting is closed"),
    OpenApiParameter("version", int, description="the version the removal is based on"),
]


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
            revisions = MeetingRevision.objects.select_related("created_by")
            queryset = queryset.prefetch_related(Prefetch("attendances", queryset=rows), "attachments")
            queryset = queryset.prefetch_related(Prefetch("revisions", queryset=revisions))
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def _detail(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Meeting.objects.all()).get(pk=meeting.pk)
        return Response(
            MeetingDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def _saved(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        """The meeting as saved, with the clash warnings the web form shows as messages."""
        fresh = self.refine_queryset(Meeting.objects.all()).get(pk=meeting.pk)
        fresh.warnings = clash_warnings(fresh, self.request.user)  # type: ignore[attr-defined]
        return Response(
            MeetingSavedSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSavedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        meeting = services.schedule_meeting(org, data, acting_user=request.user)
        return self._saved(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingSavedSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        serializer = MeetingUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        meeting = services.update_meeting(meeting, data, acting_user=request.user, expected_version=version)
        return self._saved(meeting)

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

    @extend_schema(request=CancelSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned meeting that was not held (nobody recorded present or absent), with
        the reason; the expected members are notified."""
        meeting = self.get_object()
        serializer = CancelSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = services.cancel_meeting(
            meeting, reason=data["reason"], acting_user=request.user, expected_version=data.get("version")
        )
        return self._detail(meeting)

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """Attach a photo or document (multipart). To a closed meeting only with a `reason`: the
        attachment is then added as a revision of the record."""
        meeting = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = records.add_attachment(
            meeting,
            data["file"],
            acting_user=request.user,
            expected_version=data.get("version"),
            reason=data.get("reason", ""),
        )
        return Response(AttachmentSerializer(row).data, status=status.HTTP_201_CREATED)

    def _attachment(self, aid: str) -> MeetingAttachment:
        meeting = self.get_object()  # scoped: view to read, change to remove
        row = meeting.attachments.filter(pk=int(aid)).first() if is_int(aid) else None
        if row is None:
            raise Http404
        return row  # type: ignore[no-any-return]

    @extend_schema(
        parameters=[AID],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<aid>[^/.]+)", url_name="attachment")
    def attachment(self, request: Request, pk: str | None = None, aid: str = "") -> Any:
        """Download an attachment (images and PDFs inline, with the browser told not to sniff)."""
        row = self._attachment(aid)
        stored = records.open_attachment(row)
        if stored is None:
            raise Http404
        return download_response(stored, row.original_name, row.content_type, inline=row.shown_inline)

    @extend_schema(parameters=REMOVE_PARAMS, request=None, responses={204: None})
    @attachment.mapping.delete
    def remove_attachment(self, request: Request, pk: str | None = None, aid: str = "") -> Response:
        """Remove an attachment; from a closed meeting only with a `reason`, as a revision."""
        row = self._attachment(aid)
        version = request.query_params.get("version", "")
        records.remove_attachment(
            row,
            acting_user=request.user,
            expected_version=int(version) if is_int(version) else None,
            reason=request.query_params.get("reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RevisionInputSerializer, responses={201: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        """Correct a closed record's minutes, resolutions or attachments, with the reason; kept
        as a numbered revision with the record before and after."""
        meeting = self.get_object()
        serializer = RevisionInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        records.revise_record(
            meeting,
            {k: data[k] for k in ("minutes", "resolutions") if k in data},
            reason=data["reason"],
            acting_user=request.user,
            expected_version=data["version"],
            remove=data.get("remove_attachments", []),
        )
        return self._detail(meeting, status.HTTP_201_CREATED)
