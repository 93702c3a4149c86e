"""`/api/v1/transfers/`: transfers seen from either side, started, requested and decided through
the services (which say who may act: a refusal names the side that can)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin
from dangjian.api.pagination import IdCursorPagination

from .. import services
from ..filters import TransferFilterSet
from ..models import Transfer
from .serializers import (
    TransferApproveSerializer,
    TransferNoteSerializer,
    TransferRequestSerializer,
    TransferSerializer,
)


class NewestFirstPagination(IdCursorPagination):
    ordering = "-id"


class TransferViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Transfers out of or into the organizations within the user's reach, newest first."""

    queryset = Transfer.objects.all()
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    pagination_class = NewestFirstPagination
    # Finding a transfer to decide needs only "view": each decision belongs to one side, and the
    # service refuses the other side with a message (and the refusal is on the audit record).
    scope_actions = {"approve": "view", "accept": "view", "reject": "view", "cancel": "view"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "from_org", "to_org")

    def _detail(self, transfer: Transfer, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Transfer.objects.all()).get(pk=transfer.pk)
        return Response(TransferSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _data(self, serializer_class: type, request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=TransferSerializer, responses={201: TransferSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The sending branch transfers its member; the letter is issued at once (state sent)."""
        data = self._data(TransferSerializer, request)
        transfer = services.start_transfer(data.pop("member"), acting_user=request.user, **data)
        return self._detail(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=TransferRequestSerializer, responses={201: TransferSerializer})
    @action(detail=False, methods=["post"], url_path="request", url_name="request")
    def ask(self, request: Request) -> Response:
        """The signed-in member asks for their own transfer; their branch approves or declines."""
        data = self._data(TransferRequestSerializer, request)
        transfer = services.request_transfer(acting_user=request.user, **data)
        return self._detail(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=TransferApproveSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The member's branch approves their request: the letter is issued."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(TransferApproveSerializer, request)
        version = data.pop("version", None)
        return self._detail(
            services.approve_request(target, acting_user=request.user, expected_version=version, **data)
        )

    @extend_schema(request=TransferNoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The receiving branch accepts: the member moves. For a transfer out of the platform, the
        sending branch records the returned receipt and the member leaves the roll."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(TransferNoteSerializer, request)
        version = data.pop("version", None)
        return self._detail(
            services.accept_transfer(target, acting_user=request.user, expected_version=version, **data)
        )

    @extend_schema(request=TransferNoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The receiving branch rejects (or the member's branch declines a request); `note` says why."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(TransferNoteSerializer, request)
        version = data.pop("version", None)
        return self._detail(
            services.reject_transfer(target, acting_user=request.user, expected_version=version, **data)
        )

    @extend_schema(request=TransferNoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The sending branch withdraws the transfer; a member withdraws their own request."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(TransferNoteSerializer, request)
        version = data.pop("version", None)
        return self._detail(
            services.cancel_transfer(target, acting_user=request.user, expected_version=version, **data)
        )
