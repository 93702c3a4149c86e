"""REST API of honours: draft and correct calls and nominations, add and remove a nomination's
evidence, read them within reach and take their moves. Writes go only through `services`; a write
based on an old `version` is refused with 409, an outsider's with 404."""

from typing import Any

import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core import attachments
from dangjian.core.params import is_int
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField

from . import queries, services
from .models import TEXT_MAX, TITLE_MAX, Call, CallState, Category, Evidence, Nomination, NominationState


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


def _honours(**kw: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), **kw)


class HonourCallSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the calling committee (党委 or 党工委)")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    year = serializers.IntegerField(read_only=True, help_text="the year of the nominations' deadline")
    title = serializers.CharField(max_length=TITLE_MAX)
    criteria = serializers.CharField(max_length=TEXT_MAX)
    categories = _honours(help_text="the honours the call gives (at least one)")
    nominations_due = serializers.DateField()
    publish_by = serializers.DateField(
        help_text="at least six working days after the deadline (the review and a five-day notice)"
    )
    state = serializers.ChoiceField(choices=CallState.choices, read_only=True)
    publicity_from = serializers.DateField(read_only=True)
    publicity_until = serializers.DateField(read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class HonourCallUpdateSerializer(StrictSerializerMixin):
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    criteria = serializers.CharField(max_length=TEXT_MAX, required=False)
    categories = _honours(required=False)
    nominations_due = serializers.DateField(required=False)
    publish_by = serializers.DateField(required=False)
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="required to move an open call's dates"
    )
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class NominationEvidenceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="jpeg, png, pdf or docx (read from the content)")
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    uploaded_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="where to download the file")

    def get_url(self, row: Evidence) -> str:
        return (
            reverse("nomination-evidence-file", kwargs={"pk": row.nomination_id, "eid": row.pk}).rstrip("/")
            + "/"
        )


class NominationSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    call = serializers.IntegerField(
        source="call_id", help_text="an open call of a committee above the nominating organization"
    )
    nominating_organization = OrganizationCodeField(help_text="code of the organization that nominates")
    # "honour", not "category": the members' `category` names another choice set in the schema.
    honour = serializers.ChoiceField(source="category", choices=Category.choices)
    nominee_member = ScopedPrimaryKeyRelatedField(
        model=Member, required=False, allow_null=True, help_text="member id (a member or a Party worker)"
    )
    nominee_organization = OrganizationCodeField(
        scope="view", required=False, allow_null=True, help_text="organization code (an organization)"
    )
    nominee_name = serializers.CharField(read_only=True)
    story = serializers.CharField(max_length=TEXT_MAX, help_text="the deeds")
    state = serializers.ChoiceField(choices=NominationState.choices, read_only=True)
    review_note = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True)
    evidence = NominationEvidenceSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True)


class NominationUpdateSerializer(StrictSerializerMixin):
    honour = serializers.ChoiceField(source="category", choices=Category.choices, required=False)
    nominee_member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    nominee_organization = OrganizationCodeField(scope="view", required=False, allow_null=True)
    story = serializers.CharField(max_length=TEXT_MAX, required=False, help_text="the deeds")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class EvidenceUploadSerializer(StrictSerializerMixin):
    files = serializers.ListField(
        child=serializers.FileField(),
        help_text="PDF, DOCX, JPEG or PNG, at most 10 MB each and 10 in all; checked by content",
    )
    version = serializers.IntegerField(required=False, min_value=0)


class HonourMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )
    until = serializers.DateField(
        required=False, help_text="start of the public notice only: its last day (≥ 5 working days)"
    )


EID = OpenApiParameter("eid", int, OpenApiParameter.PATH, description="evidence id")
VERSION = OpenApiParameter("version", int, description="the nomination's version as read (409 when changed)")


class _Moves(ScopedViewSetMixin):
    moves: dict[str, Any] = {}

    def _detail(self, record: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(type(record).objects.all()).get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _move(self, request: Request, name: str) -> Response:
        record = self.get_object()
        serializer = HonourMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        extra = {"until": data["until"]} if name == "publicise" and "until" in data else {}
        moved = self.moves[name](
            record, note=data["note"], expected_version=data.get("version"), acting_user=request.user, **extra
        )
        return self._detail(moved)


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

    @extend_schema(request=HonourCallSerializer, responses={201: HonourCallSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Draft a call of a committee (whoever may change its records)."""
        serializer = HonourCallSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        call = services.create_call(data.pop("organization"), data, acting_user=request.user)
        return self._detail(call, status.HTTP_201_CREATED)

    @extend_schema(request=HonourCallUpdateSerializer, responses=HonourCallSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct a draft call; of an open call only move its dates later, with a `reason`."""
        call = self.get_object()
        serializer = HonourCallUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, reason = data.pop("version", None), data.pop("reason", "")
        call = services.update_call(
            call, data, reason=reason, expected_version=version, acting_user=request.user
        )
        return self._detail(call)

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
    # Reading is enough to reach a nomination; who may correct it or its evidence, and take which
    # move, is the services' and the workflow's rule (a refusal is 400, not a hidden 404).
    scope_actions = {
        **{f"{name}_": "view" for name in services.NOMINATION_MOVES},
        **dict.fromkeys(("partial_update", "evidence", "evidence_file", "remove_evidence"), "view"),
    }

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.select_related(
            "call__organization", "nominating_organization", "nominee_member", "nominee_organization"
        ).prefetch_related("evidence")

    @extend_schema(request=NominationSerializer, responses={201: NominationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Draft a nomination (the nominating organization's officers, while the call is open)."""
        serializer = NominationSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("nominating_organization")
        # A call of a committee above is addressed to the whole subtree, without a grant on the
        # committee: found among the calls open to this organization, like the nominate page.
        call = queries.calls_from_above(org, (CallState.OPEN,)).filter(pk=data.pop("call_id")).first()
        if call is None:
            raise serializers.ValidationError(
                {"call": [_("No open call of a committee above this organization has that id.")]}
            )
        nomination = services.create_nomination(call, org, data, acting_user=request.user)
        return self._detail(nomination, status.HTTP_201_CREATED)

    @extend_schema(request=NominationUpdateSerializer, responses=NominationSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct a nomination: every field while a draft, only `story` once submitted (before
        the level above recommends or decides)."""
        nomination = self.get_object()
        serializer = NominationUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        nomination = services.update_nomination(
            nomination, data, expected_version=version, acting_user=request.user
        )
        return self._detail(nomination)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: NominationSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """Add evidence (multipart `files`), before the nomination is recommended or decided."""
        nomination = self.get_object()
        serializer = EvidenceUploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.add_evidence(
            nomination, data["files"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(nomination, status.HTTP_201_CREATED)

    def _evidence_row(self, eid: str) -> Evidence:
        nomination = self.get_object()
        row = nomination.evidence.filter(pk=int(eid)).first() if is_int(eid) else None
        if row is None:
            raise Http404
        return row  # type: ignore[no-any-return]

    @extend_schema(
        parameters=[EID],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<eid>[^/.]+)", url_name="evidence-file")
    def evidence_file(self, request: Request, pk: str | None = None, eid: str = "") -> Any:
        """Download a file of evidence (images and PDFs inline)."""
        return attachments.serve(self._evidence_row(eid))

    @extend_schema(parameters=[EID, VERSION], request=None, responses={204: None})
    @evidence_file.mapping.delete
    def remove_evidence(self, request: Request, pk: str | None = None, eid: str = "") -> Response:
        """Remove a file of evidence, before the nomination is recommended or decided."""
        row = self._evidence_row(eid)
        version = request.query_params.get("version", "")
        services.remove_evidence(
            row.nomination,
            row.pk,
            expected_version=int(version) if is_int(version) else None,
            acting_user=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    submit_ = _mover("submit", "Submit (the nominating organization's officers).")
    withdraw_ = _mover("withdraw", "Withdraw (the nominating organization's officers).")
    recommend_ = _mover("recommend", "Recommend to the calling committee (the level above).")
    approve_ = _mover("approve", "Approve (the calling committee; not the proposer nor the nominee).")
    reject_ = _mover("reject", "Reject, with the reason in `note`.")
    revoke_ = _mover("revoke", "Withdraw the approval during the public notice, with the reason in `note`.")
