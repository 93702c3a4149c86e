"""REST API for polls: read the branch's polls, vote, read results after closing; the branch's
secretary or organizer creates, opens, closes and cancels. Writes go only through `services`."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import PartyGroup

from . import queries, services
from .models import Electorate, Poll, PollKind, PollStatus

# --- serializers -----------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field, not Field.label


class PollSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=PollKind.choices, read_only=True)
    max_choices = serializers.IntegerField(read_only=True)
    anonymous = serializers.BooleanField(read_only=True)
    electorate = serializers.ChoiceField(choices=Electorate.choices, read_only=True)
    party_group = serializers.IntegerField(source="party_group_id", read_only=True, allow_null=True)
    closes_at = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=PollStatus.choices, read_only=True)
    opened_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    eligible_count = serializers.IntegerField(read_only=True, help_text="voters frozen at opening")
    voted_count = serializers.IntegerField(read_only=True, help_text="ballots cast so far")
    options = OptionSerializer(many=True, read_only=True)


class PollCreateSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the branch holding the poll")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=PollKind.choices, default=PollKind.SINGLE)
    max_choices = serializers.IntegerField(min_value=1, max_value=20, required=False, default=1)
    anonymous = serializers.BooleanField(required=False, default=True)
    electorate = serializers.ChoiceField(choices=Electorate.choices, default=Electorate.BRANCH)
    party_group = ScopedPrimaryKeyRelatedField(
        model=PartyGroup,
        scope="change",
        required=False,
        allow_null=True,
        default=None,
        help_text="party group id",
    )
    members = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=Member, scope="change"),
        required=False,
        default=list,
        max_length=2000,
        help_text="member ids (electorate `chosen`)",
    )
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=2, max_length=20, help_text="option labels"
    )
    closes_at = serializers.DateTimeField()


class PollUpdateSerializer(PollCreateSerializer):
    """Every field of a draft, as at creation; the branch stays the same."""

    organization = None  # type: ignore[assignment]


class VoteSerializer(StrictSerializerMixin):
    options = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=20,
        help_text="chosen option ids",
    )


class VoteResultSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    voted_count = serializers.IntegerField()
    eligible_count = serializers.IntegerField()


class ResultRowSerializer(serializers.Serializer):
    option = serializers.IntegerField(source="option.pk")
    label = serializers.CharField(source="option.label")  # type: ignore[assignment]
    votes = serializers.IntegerField()
    percent = serializers.IntegerField(source="pct", help_text="of the ballots cast")


class ResultsSerializer(serializers.Serializer):
    poll = serializers.IntegerField()
    eligible_count = serializers.IntegerField()
    voted_count = serializers.IntegerField()
    turnout_percent = serializers.IntegerField()
    rows = ResultRowSerializer(many=True)


# --- viewsets --------------------------------------------------------------------------------


class PollViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Polls of the branches within the user's reach (and of the member's own branch), newest
    first. Drafts are shown only to those who may change the branch's records."""

    queryset = Poll.objects.all()
    serializer_class = PollSerializer
    pagination_class = IdCursorPagination
    # Voting and reading need only sight of the poll; the services decide who may vote or manage.
    scope_actions = {"vote": "view", "results": "view"}

    def narrowed(self, queryset: QuerySet[Any] | None = None, *, filters: bool = True) -> QuerySet[Any]:
        rows = queries.visible_polls(self.request.user)
        return self.refine_queryset(rows)

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return (
            queryset.select_related("organization")
            .prefetch_related("options")
            .annotate(voted_count=Count("marks", distinct=True))
        )

    def get_object(self) -> Any:
        poll = super().get_object()
        if poll.status == PollStatus.OPEN:
            services.close_if_due(poll)
            poll = self.refine_queryset(Poll.objects.filter(pk=poll.pk)).get()
        return poll

    def _detail(self, poll: Poll, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Poll.objects.filter(pk=poll.pk)).get()
        return Response(PollSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PollCreateSerializer, responses={201: PollSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft poll in a branch (its secretary or organizer)."""
        serializer = PollCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        poll = services.create_poll(
            data["organization"],
            data,
            data["options"],
            party_group=data["party_group"],
            members=data["members"],
            acting_user=request.user,
        )
        return self._detail(poll, status.HTTP_201_CREATED)

    @extend_schema(request=PollUpdateSerializer, responses=PollSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct a draft poll (all fields and options); an open or closed poll is fixed."""
        poll = self.get_object()
        serializer = PollUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.update_poll(
            poll,
            data,
            data["options"],
            party_group=data["party_group"],
            members=data["members"],
            acting_user=request.user,
        )
        return self._detail(poll)

    @extend_schema(request=None, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Open for voting; who may vote is frozen now."""
        return self._detail(services.open_poll(self.get_object(), acting_user=request.user))

    @extend_schema(request=None, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close before the deadline; results are shown from now on."""
        return self._detail(services.close_poll(self.get_object(), acting_user=request.user))

    @extend_schema(request=None, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Call the poll off; it will show no results."""
        return self._detail(services.cancel_poll(self.get_object(), acting_user=request.user))

    @extend_schema(request=VoteSerializer, responses=VoteResultSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        """Cast the user's one ballot. The answer says only that the vote was recorded."""
        poll = self.get_object()
        serializer = VoteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.cast_vote(poll, serializer.validated_data["options"], acting_user=request.user)
        return Response(
            VoteResultSerializer(
                {
                    "voted": True,
                    "voted_count": queries.voted_count(poll),
                    "eligible_count": poll.eligible_count,
                }
            ).data
        )

    @extend_schema(request=None, responses=ResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Votes per option — only once the poll is closed (400 before)."""
        poll = self.get_object()
        rows = queries.results(poll)
        if rows is None:
            raise ValidationError(_("The results are shown once the poll closes."), code="hidden")
        voted = queries.voted_count(poll)
        return Response(
            ResultsSerializer(
                {
                    "poll": poll.pk,
                    "eligible_count": poll.eligible_count,
                    "voted_count": voted,
                    "turnout_percent": queries.turnout_pct(voted, poll.eligible_count),
                    "rows": rows,
                }
            ).data
        )
