"""REST API of honours: read calls and nominations within reach and take their moves. Writes go
only through `services`; a move based on an old `version` is refused with 409, an outsider's
with 404."""

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination

from . import services
from .models import Call, CallState, Category, Nomination, NominationState


class HonourCallFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=CallState.choices)

    class Meta:
        model = Call
        fields: list[str] = []


class NominationFilterSet(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="call_id")
    state = django_filters.ChoiceFilter(choices=NominationState.choices)

    class Meta:
        model = Nomination
        fields: list[str] = []


class HonourCallSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    year = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    criteria = serializers.CharField(read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), read_only=True
    )
    nominations_due = serializers.DateField(read_only=True)
    publish_by = serializers.DateField(read_only=True)
    state = serializers.ChoiceField(choices=CallState.choices, read_only=True)
    publicity_from = serializers.DateField(read_only=True)
    publicity_until = serializers.DateField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class NominationSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    call = serializers.IntegerField(source="call_id", read_only=True)
    nominating_organization = serializers.CharField(source="nominating_organization.code", read_only=True)
    # "honour", not "category": the members' `category` names another choice set in the schema.
    honour = serializers.ChoiceField(source="category", choices=Category.choices, read_only=True)
    nominee_member = serializers.IntegerField(source="nominee_member_id", read_only=True, allow_null=True)
    nominee_organization = serializers.CharField(
        source="nominee_organization.code", read_only=True, allow_null=True, default=None
    )
    nominee_name = serializers.CharField(read_only=True)
    story = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=NominationState.choices, read_only=True)
    review_note = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class HonourMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )
    until = serializers.DateField(
        required=False, help_text="start of the public notice only: its last day (≥ 5 working days)"
    )


class _Moves(ScopedViewSetMixin):
    moves: dict[str, Any] = {}

    def _move(self, request: Request, name: str) -> Response:
        record = self.get_object()
        serializer = HonourMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        extra = {"until": data["until"]} if name == "publicise" and "until" in data else {}
        moved = self.moves[name](
            record, note=data["note"], expected_version=data.get("version"), acting_user=request.user, **extra
        )
        fresh = self.refine_queryset(type(moved).objects.all()).get(pk=moved.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)


def _mover(name: str, doc: str) -> Any:
    """One POST action per move (`/<pk>/<move>/`), all taken by `_Moves._move`."""

    def move(self: _Moves, request: Request, pk: str | None = None) -> Response:
        return self._move(request, name)

    move.__doc__ = doc
    move.__name__ = f"{name}_"
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(move)
    return extend_schema(request=HonourMoveSerializer)(routed)


class HonourCallViewSet(_Moves, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Calls for nominations of the committees within the user's reach."""

    queryset = Call.objects.all()
    serializer_class = HonourCallSerializer
    filterset_class = HonourCallFilterSet
    pagination_class = IdCursorPagination
    moves = services.CALL_MOVES
    # Reading is enough to reach a call; who may take which move is the workflow's rule.
    scope_actions = {f"{name}_": "view" for name in services.CALL_MOVES}

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("organization")

    open_ = _mover("open", "Open the call for nominations (its committee).")
    close_ = _mover("close", "Close nominations; the review begins.")
    publicise_ = _mover("publicise", "Start the public notice (`until`: its last day, ≥ 5 working days).")
    publish_ = _mover("publish", "Publish the honours once the notice has ended and objections are answered.")
    cancel_ = _mover("cancel", "Cancel the call, with the reason in `note`.")


class NominationViewSet(_Moves, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Nominations made by organizations within the user's reach."""

    queryset = Nomination.objects.all()
    serializer_class = NominationSerializer
    filterset_class = NominationFilterSet
    pagination_class = IdCursorPagination
    moves = services.NOMINATION_MOVES
    scope_actions = {f"{name}_": "view" for name in services.NOMINATION_MOVES}

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.select_related(
            "call__organization", "nominating_organization", "nominee_member", "nominee_organization"
        )

    submit_ = _mover("submit", "Submit (the nominating organization's officers).")
    withdraw_ = _mover("withdraw", "Withdraw (the nominating organization's officers).")
    recommend_ = _mover("recommend", "Recommend to the calling committee (the level above).")
    approve_ = _mover("approve", "Approve (the calling committee; not the proposer nor the nominee).")
    reject_ = _mover("reject", "Reject, with the reason in `note`.")
    revoke_ = _mover("revoke", "Withdraw the approval during the public notice, with the reason in `note`.")
