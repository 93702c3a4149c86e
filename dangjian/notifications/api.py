"""REST API of the signed-in user's own notifications. Writes go only through `services`."""

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin
from dangjian.api.pagination import IdCursorPagination

from . import services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Only unread (true) or only read (false)")
    )

    class Meta:
        model = Notification
        fields: list[str] = []  # declared filters only


class NotificationCursorPagination(IdCursorPagination):
    ordering = "-id"  # newest first (ids grow with time)


MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin):
    """The signed-in user's notifications, newest first (nobody sees another user's)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    pagination_class = NotificationCursorPagination
    filterset_class = NotificationFilterSet

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read (again: no change)."""
        notification = services.mark_read(self.get_object(), acting_user=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MARKED)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark every unread notification read; answers how many were."""
        return Response({"marked": services.mark_all_read(request.user)})
