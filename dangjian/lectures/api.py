"""REST API for the lecturer pool and lecture dispatches. Writes go only through `services`."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.organizations.api import OrganizationCodeField

from . import services
from .models import DispatchStatus, LectureDispatch, Lecturer, LecturerKind

# --- serializers -----------------------------------------------------------------------------


class LecturerSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the party committee keeping the lecturer")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=LecturerKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_reporter = serializers.BooleanField(required=False, default=False)
    active = serializers.BooleanField(read_only=True)


class LectureDispatchSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    lecturer = ScopedPrimaryKeyRelatedField(model=Lecturer, scope="change", help_text="lecturer id")
    lecturer_name = serializers.CharField(source="lecturer.name", read_only=True)
    branch = OrganizationCodeField(help_text="code of the branch the lecture is sent to")
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    date = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=DispatchStatus.choices, read_only=True)
    meeting = serializers.IntegerField(
        source="meeting_id", read_only=True, allow_null=True, help_text="the lecture meeting, once held"
    )
    created_at = serializers.DateTimeField(read_only=True)


# --- viewsets --------------------------------------------------------------------------------


class LecturerViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Lecturers kept by the party committees within the user's reach."""

    queryset = Lecturer.objects.all()
    serializer_class = LecturerSerializer
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    @extend_schema(request=LecturerSerializer, responses={201: LecturerSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = LecturerSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lecturer = services.add_lecturer(
            data["organization"],
            data["name"],
            data["kind"],
            data["title"],
            is_reporter=data["is_reporter"],
            acting_user=request.user,
        )
        fresh = self.refine_queryset(Lecturer.objects.all()).get(pk=lecturer.pk)
        return Response(
            LecturerSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class DispatchCursorPagination(IdCursorPagination):
    ordering = ("-date", "-id")


class LectureDispatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Lectures sent to the branches within the user's reach, latest first."""

    queryset = LectureDispatch.objects.all()
    serializer_class = LectureDispatchSerializer
    pagination_class = DispatchCursorPagination

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("lecturer", "branch")

    def _detail(self, dispatch: LectureDispatch, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(LectureDispatch.objects.all()).get(pk=dispatch.pk)
        return Response(
            LectureDispatchSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=LectureDispatchSerializer, responses={201: LectureDispatchSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = LectureDispatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dispatch = services.dispatch_lecture(
            data["lecturer"], data["branch"], data["date"], data["topic"], acting_user=request.user
        )
        return self._detail(dispatch, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=LectureDispatchSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The branch confirms the lecture was held; this records the party lecture meeting."""
        dispatch = services.confirm_held(self.get_object(), acting_user=request.user)
        return self._detail(dispatch)

    @extend_schema(request=None, responses=LectureDispatchSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a proposed dispatch."""
        dispatch = services.cancel_dispatch(self.get_object(), acting_user=request.user)
        return self._detail(dispatch)
