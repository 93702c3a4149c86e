"""REST API for the signed-in member: check in to a meeting, or ask for leave from it.

A meeting is found only if the user's member is expected at it; to anyone else it does not
exist (404). Writes go only through `services`.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import StrictSerializerMixin

from . import services
from .api import AttendanceSerializer
from .models import Attendance, Meeting
from .queries import get_expected_meeting


class CheckInSerializer(StrictSerializerMixin):
    code = serializers.CharField(max_length=64, help_text="the code shown on the host's screen")


class LeaveSerializer(StrictSerializerMixin):
    reason = serializers.CharField(max_length=200, help_text="why the member cannot attend")


def expected_meeting(request: Request, pk: int) -> Meeting:
    return get_expected_meeting(request.user, pk)


def _row(row: Attendance) -> Response:
    fresh = Attendance.objects.select_related("member").get(pk=row.pk)
    return Response(AttendanceSerializer(fresh).data)


class MeetingCheckInView(APIView):
    """Mark the signed-in member present with the code shown at the meeting."""

    @extend_schema(request=CheckInSerializer, responses=AttendanceSerializer)
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        meeting = expected_meeting(request, pk)
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.check_in(meeting, serializer.validated_data["code"], acting_user=request.user)
        return _row(row)


class MeetingLeaveView(APIView):
    """Ask for leave from a meeting the signed-in member is expected at."""

    @extend_schema(request=LeaveSerializer, responses=AttendanceSerializer)
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        meeting = expected_meeting(request, pk)
        serializer = LeaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.request_leave(meeting, serializer.validated_data["reason"], acting_user=request.user)
        return _row(row)
