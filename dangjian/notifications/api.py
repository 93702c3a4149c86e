"""REST API of the signed-in user's own notifications. Writes go only through `services`."""

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import ScopedViewSetMixin
from dangjian.api.pagination import IdCursorPagination

from . import delivery, services
from .models import Category, Channel, Delivery, Notification


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


# --- delivery: preferences and the log ----------------------------------------------------------


class ChannelChoicesSerializer(serializers.Serializer):
    email = serializers.BooleanField(required=False)
    sms = serializers.BooleanField(required=False)
    wecom = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    channels = serializers.DictField(
        child=ChannelChoicesSerializer(),
        required=False,
        help_text="per kind of notification (" + ", ".join(Category.values) + "): channel → on/off",
    )
    quiet_start = serializers.IntegerField(
        required=False, help_text="quiet hours start (Beijing time), 20–23", min_value=0, max_value=23
    )
    quiet_end = serializers.IntegerField(
        required=False, help_text="quiet hours end (Beijing time), 5–9", min_value=0, max_value=23
    )
    available_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        read_only=True,
        help_text="channels configured on this platform",
    )


def _preferences(user: Any) -> dict[str, Any]:
    start, end = delivery.quiet_hours(user)
    return {
        "channels": delivery.matrix(user),
        "quiet_start": start,
        "quiet_end": end,
        "available_channels": delivery.enabled_channels(),
    }


class NotificationPreferencesView(APIView):
    """The signed-in user's notification settings: channels per kind of notification (the
    inbox always has every notification), and quiet hours (no SMS or WeCom then, except urgent)."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_preferences(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change some choices; what is not sent stays as it is."""
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.set_preferences(
            request.user,
            choices={k: dict(v) for k, v in data.get("channels", {}).items()},
            quiet_start=data.get("quiet_start"),
            quiet_end=data.get("quiet_end"),
            acting_user=request.user,
        )
        return Response(_preferences(request.user))


class DeliverySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="notification.title", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "notification",
            "title",
            "channel",
            "status",
            "attempts",
            "last_error",
            "recipient",
            "created_at",
            "due_at",
            "sent_at",
        ]
        read_only_fields = fields


class DeliveryFilterSet(django_filters.FilterSet):
    class Meta:
        model = Delivery
        fields = ["notification", "channel", "status"]


class DeliveryViewSet(ScopedViewSetMixin, mixins.ListModelMixin):
    """The delivery log of the signed-in user's own notifications (recipient masked), newest
    first: each channel's status (queued, sent, failed, skipped), attempts, last error."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    pagination_class = NotificationCursorPagination
    filterset_class = DeliveryFilterSet

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("notification")
