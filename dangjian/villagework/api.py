"""REST API of the village work (`/api/v1/villagework/`): the county's flagged villages (flag one),
the assignments (assign; hand over; the work log with photos as multipart; the quarterly
assessments) and the training sessions with their attendance. Writes go only through `services`;
an outsider gets 404 (the record is found before the body is read), a refusal 400 with the
message in the user's language, a stale handover 409."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.tree import subtree_q
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import queries, services
from .models import (
    NAME_MAX,
    NOTE_MAX,
    REASON_MAX,
    UNIT_MAX,
    Assessment,
    Assignment,
    AssignmentState,
    Grade,
    LogKind,
    PovertyVillage,
    TeamRole,
    TrainingSession,
    WorkLog,
)


class _OrgFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (and below)"))
    path_field = "village__path"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, self.path_field)) if path else queryset.none()


class FlagFilterSet(_OrgFilterSet):
    class Meta:
        model = PovertyVillage
        fields: list[str] = []


class AssignmentFilterSet(_OrgFilterSet):
    role = django_filters.ChoiceFilter(choices=TeamRole.choices)
    state = django_filters.ChoiceFilter(choices=AssignmentState.choices)

    class Meta:
        model = Assignment
        fields: list[str] = []


class VillageFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)


class VillageFlagNewSerializer(StrictSerializerMixin):
    county = OrganizationCodeField(help_text="code of the county committee (change within reach)")
    village = OrganizationCodeField(help_text="code of the village party organization below it")
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=REASON_MAX)


class VillageAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    role = serializers.ChoiceField(choices=TeamRole.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    sending_unit = serializers.CharField(read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True, help_text="masked")
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=AssignmentState.choices, read_only=True)
    handover_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class VillageAssignmentNewSerializer(StrictSerializerMixin):
    county = OrganizationCodeField(help_text="code of the county committee (change within reach)")
    village = OrganizationCodeField(help_text="code of the flagged village party organization")
    role = serializers.ChoiceField(choices=TeamRole.choices)
    name = serializers.CharField(max_length=NAME_MAX)
    sending_unit = serializers.CharField(max_length=UNIT_MAX)
    phone = serializers.CharField(max_length=20)
    member = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="a member's id",
    )
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, default=None)


class VillageHandOverSerializer(StrictSerializerMixin):
    end = serializers.DateField(help_text="the last day in post")
    note = serializers.CharField(max_length=REASON_MAX, help_text="the handover note")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class VillagePhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class VillageLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    on = serializers.DateField(read_only=True)
    kind = serializers.ChoiceField(choices=LogKind.choices, read_only=True)
    note = serializers.CharField(read_only=True)
    households = serializers.IntegerField(read_only=True)
    photos = VillagePhotoSerializer(many=True, read_only=True)


class VillageLogNewSerializer(StrictSerializerMixin):
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=LogKind.choices)
    note = serializers.CharField(max_length=NOTE_MAX)
    households = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    # multipart/form-data, one `photos` part a photo (JPEG or PNG, at most 10 MB each, 9 at once):
    # checked by content by the service, written anew without their location.
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VillageAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    quarter = serializers.IntegerField(read_only=True)
    grade = serializers.ChoiceField(choices=Grade.choices, read_only=True)
    comment = serializers.CharField(read_only=True)


class VillageAssessmentNewSerializer(StrictSerializerMixin):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    grade = serializers.ChoiceField(choices=Grade.choices)
    comment = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True, default="")


class VillageTrainingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    title = serializers.CharField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)


class VillageTrainingNewSerializer(StrictSerializerMixin):
    county = OrganizationCodeField(help_text="code of the county committee (change within reach)")
    title = serializers.CharField(max_length=REASON_MAX)
    start = serializers.DateField()
    end = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)


class VillageAttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    name = serializers.CharField(read_only=True)


class VillageAttendanceNewSerializer(StrictSerializerMixin):
    village = OrganizationCodeField(help_text="code of the village party organization")
    name = serializers.CharField(max_length=NAME_MAX, help_text="the village secretary's name")


class VillageFlagViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Villages flagged as poverty-alleviation villages, read by the officers within reach."""

    queryset = PovertyVillage.objects.all()
    serializer_class = VillageFlagSerializer
    filterset_class = FlagFilterSet
    pagination_class = IdCursorPagination
    read_scope = queries.READ

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return VillageFlagNewSerializer if self.action == "create" else VillageFlagSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("village", "county")

    @extend_schema(request=VillageFlagNewSerializer, responses={201: VillageFlagSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Flag a village below the county (the county), from `start` until `end` or open."""
        serializer = VillageFlagNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        flag = services.flag_village(
            data["county"],
            data["village"],
            data["start"],
            data["reason"],
            data["end"],
            acting_user=request.user,
        )
        fresh = PovertyVillage.objects.select_related("village", "county").get(pk=flag.pk)
        return Response(VillageFlagSerializer(fresh).data, status=status.HTTP_201_CREATED)


class VillageAssignmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """First secretaries and work team members within the officers' reach, and the user's own
    assignment; who may take which step is the services' rule."""

    queryset = Assignment.objects.all()
    serializer_class = VillageAssignmentSerializer
    filterset_class = AssignmentFilterSet
    pagination_class = IdCursorPagination
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return VillageAssignmentNewSerializer if self.action == "create" else VillageAssignmentSerializer

    def narrowed(self, queryset: QuerySet[Any] | None = None, *, filters: bool = True) -> QuerySet[Any]:
        # The assigned person reaches their own assignment without a grant on the village.
        rows = self.refine_queryset(queryset if queryset is not None else Assignment.objects.all())
        if filters:
            rows = super(ScopedViewSetMixin, self).filter_queryset(rows)
        return rows.filter(queries.readable_q(self.request.user))

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("village", "county")

    def _detail(self, assignment: Assignment, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Assignment.objects.all()).get(pk=assignment.pk)
        return Response(VillageAssignmentSerializer(fresh).data, status=code)

    @extend_schema(request=VillageAssignmentNewSerializer, responses={201: VillageAssignmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Assign a first secretary or a work team member to a flagged village (the county). A
        first secretary whose period overlaps the village's other first secretary is refused."""
        serializer = VillageAssignmentNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        county, village = data.pop("county"), data.pop("village")
        made = services.assign(county, village, data, acting_user=request.user)
        return self._detail(made, status.HTTP_201_CREATED)

    @extend_schema(request=VillageHandOverSerializer, responses=VillageAssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        """End the assignment with the last day and a handover note (the county)."""
        assignment = self.get_object()
        serializer = VillageHandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.hand_over(
            assignment,
            data["end"],
            data["note"],
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        return self._detail(moved)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=VillageLogSerializer(many=True),
        operation_id="village_logs_list",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": VillageLogNewSerializer, "application/json": VillageLogNewSerializer},
        responses={201: VillageLogSerializer},
        operation_id="village_logs_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def logs(self, request: Request, pk: str | None = None) -> Response:
        """GET: the work log. POST: record a day's work (the assigned person or the village's
        secretary, while in post), photos as multipart `photos`."""
        assignment = self.get_object()
        if request.method == "GET":
            return Response(VillageLogSerializer(queries.logs_of(assignment), many=True).data)
        serializer = VillageLogNewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photos = data.pop("photos")
        log = services.add_log(assignment, data, photos, acting_user=request.user)
        fresh = WorkLog.objects.prefetch_related("photos").get(pk=log.pk)
        return Response(VillageLogSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=VillageAssessmentSerializer(many=True),
        operation_id="village_assessments_list",
    )
    @extend_schema(
        methods=["POST"],
        request=VillageAssessmentNewSerializer,
        responses={201: VillageAssessmentSerializer},
        operation_id="village_assessments_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def assessments(self, request: Request, pk: str | None = None) -> Response:
        """GET: the quarterly assessments. POST: assess a quarter (the county; once a quarter)."""
        assignment = self.get_object()
        if request.method == "GET":
            return Response(VillageAssessmentSerializer(assignment.assessments.all(), many=True).data)
        serializer = VillageAssessmentNewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row: Assessment = services.assess(
            assignment,
            data["year"],
            data["quarter"],
            data["grade"],
            data["comment"],
            acting_user=request.user,
        )
        return Response(VillageAssessmentSerializer(row).data, status=status.HTTP_201_CREATED)


class VillageTrainingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The counties' training sessions for village secretaries, with attendance."""

    queryset = TrainingSession.objects.all()
    serializer_class = VillageTrainingSerializer
    pagination_class = IdCursorPagination
    read_scope = queries.READ
    scope_actions = {"attendance": queries.READ}

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return VillageTrainingNewSerializer if self.action == "create" else VillageTrainingSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("county")

    @extend_schema(request=VillageTrainingNewSerializer, responses={201: VillageTrainingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a training session: title, dates, hours (the county)."""
        serializer = VillageTrainingNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        session = services.create_training(data.pop("county"), data, acting_user=request.user)
        fresh = TrainingSession.objects.select_related("county").get(pk=session.pk)
        return Response(VillageTrainingSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=VillageAttendanceSerializer(many=True),
        operation_id="village_attendance_list",
    )
    @extend_schema(
        methods=["POST"],
        request=VillageAttendanceNewSerializer,
        responses={201: VillageAttendanceSerializer},
        operation_id="village_attendance_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """GET: who attended. POST: record a village secretary who attended (the county)."""
        session = self.get_object()
        if request.method == "GET":
            return Response(
                VillageAttendanceSerializer(session.attendance.select_related("village"), many=True).data
            )
        serializer = VillageAttendanceNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = services.record_attendance(session, data["village"], data["name"], acting_user=request.user)
        return Response(VillageAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)
