"""`/api/v1/floating/`, `/api/v1/lost-contact/`, `/api/v1/probation-decisions/`."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin
from dangjian.core.params import is_int
from dangjian.organizations.models import Organization

from .. import services
from ..filters import FloatingFilterSet, LostContactFilterSet, ProbationDecisionFilterSet
from ..models import FloatingRecord, LostContactCase, ProbationDecision
from ..queries import probation_due
from .serializers import (
    CloseCaseSerializer,
    FloatingSerializer,
    FloatingUpdateSerializer,
    LostContactCaseSerializer,
    ProbationDecisionSerializer,
    ProbationDueSerializer,
    ReturnSerializer,
    ReviewNoteSerializer,
    SearchEntrySerializer,
)
from .transfers import NewestFirstPagination


class _Base(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pagination_class = NewestFirstPagination
    related: tuple[str, ...] = ()

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related(*self.related)

    def _data(self, serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        model = type(obj)
        fresh = self.refine_queryset(model._default_manager.all()).get(pk=obj.pk)
        return Response(
            self.get_serializer_class()(fresh, context=self.get_serializer_context()).data, status=code
        )


class FloatingViewSet(_Base):
    """Floating members, seen by their home branch and by the branch that manages them."""

    queryset = FloatingRecord.objects.all()
    serializer_class = FloatingSerializer
    filterset_class = FloatingFilterSet
    related = ("member", "home_org", "managing_org")

    @extend_schema(request=FloatingSerializer, responses={201: FloatingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The home branch registers a member who went away."""
        data = self._data(FloatingSerializer, request)
        record = services.register_floating(data.pop("member"), data, acting_user=request.user)
        return self._detail(record, status.HTTP_201_CREATED)

    @extend_schema(request=FloatingUpdateSerializer, responses=FloatingSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The home branch corrects an open record or attaches its managing branch."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(FloatingUpdateSerializer, request, partial=True)
        return self._detail(services.update_floating(target, data, acting_user=request.user))

    @extend_schema(request=ReturnSerializer, responses=FloatingSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def mark_returned(self, request: Request, pk: str | None = None) -> Response:
        """The member is back: the record closes and the member is active again."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(ReturnSerializer, request)
        return self._detail(services.record_return(target, acting_user=request.user, **data))


class LostContactViewSet(_Base):
    """Lost-contact cases of members within the user's reach, with their search logs."""

    queryset = LostContactCase.objects.all()
    serializer_class = LostContactCaseSerializer
    filterset_class = LostContactFilterSet
    related = ("member__organization",)

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().refine_queryset(queryset).prefetch_related("entries")

    @extend_schema(request=LostContactCaseSerializer, responses={201: LostContactCaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open a case: the member's status becomes lost contact."""
        data = self._data(LostContactCaseSerializer, request)
        case = services.open_case(data.pop("member"), acting_user=request.user, **data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=SearchEntrySerializer, responses={201: LostContactCaseSerializer})
    @action(detail=True, methods=["post"])
    def log(self, request: Request, pk: str | None = None) -> Response:
        """Record one attempt to reach the member."""
        case = self.get_object()  # 404 before anything about the input
        data = self._data(SearchEntrySerializer, request)
        services.log_search(case, acting_user=request.user, **data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=CloseCaseSerializer, responses=LostContactCaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close with the outcome: found, regarded as having left the Party (art. 9), or still lost."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(CloseCaseSerializer, request)
        return self._detail(services.close_case(target, acting_user=request.user, **data))


class ProbationDecisionViewSet(_Base):
    """Branch member assembly decisions on probationary members within the user's reach."""

    queryset = ProbationDecision.objects.all()
    serializer_class = ProbationDecisionSerializer
    filterset_class = ProbationDecisionFilterSet
    related = ("member",)
    # Finding a decision to review needs only "view": the service refuses anyone not on the
    # committee above with a message (and the refusal is on the audit record).
    scope_actions = {"approve": "view", "reject": "view"}

    @extend_schema(request=ProbationDecisionSerializer, responses={201: ProbationDecisionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record the decision: convert, extend (6–12 months, once) or cancel. It takes effect
        once the committee above approves it."""
        data = self._data(ProbationDecisionSerializer, request)
        decision = services.record_decision(data.pop("member"), acting_user=request.user, **data)
        return self._detail(decision, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewNoteSerializer, responses=ProbationDecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The committee above approves the decision: it takes effect on the member."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(ReviewNoteSerializer, request)
        version = data.pop("version", None)
        done = services.approve_decision(target, acting_user=request.user, expected_version=version, **data)
        return self._detail(done)

    @extend_schema(request=ReviewNoteSerializer, responses=ProbationDecisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The committee above does not approve the decision; `note` says why."""
        target = self.get_object()  # 404 before anything about the input
        data = self._data(ReviewNoteSerializer, request)
        version = data.pop("version", None)
        done = services.reject_decision(target, acting_user=request.user, expected_version=version, **data)
        return self._detail(done)

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, required=True, description="organization code (its whole subtree)"),
            OpenApiParameter("within", int, description="days ahead (default 30, at most 366)"),
        ],
        responses=ProbationDueSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def due(self, request: Request) -> Response:
        """Probationary members whose probation ends within `within` days or is overdue."""
        code = request.query_params.get("org", "").strip()
        if not code:
            raise exceptions.ValidationError({"org": [_("This field is required.")]})
        org = Organization.objects.restrict(request.user, "view").filter(code=code).first()
        if org is None:
            raise exceptions.NotFound()
        raw = request.query_params.get("within", "30")
        if not is_int(raw) or int(raw) > 366:
            raise exceptions.ValidationError({"within": [_("Give a number of days from 0 to 366.")]})
        rows = probation_due(org.path, int(raw))
        return Response(ProbationDueSerializer(rows, many=True).data)
