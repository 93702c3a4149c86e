"""REST API of theme practice, under /api/v1/community/: posts and their holders, commitments
(made, edited, assessed, published), registrations with a community branch and their moves,
service tasks (reported, confirmed, sent back, cancelled), pairings with their visits. Writes go
only through `services`; an object outside the reach answers 404 before the body is read, an
edit based on an old `version` 409, a refusal 400 in the user's language."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.masking import mask_phone
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField

from . import services
from .models import (
    MAX_HOURS,
    NOTE_MAX,
    TEXT_MAX,
    Commitment,
    Fulfilment,
    Pairing,
    PairingState,
    Post,
    Registration,
    RegistrationState,
    ServiceTask,
    TaskState,
)

VERSION_HELP = "the version as read; refused (409) when it has changed"


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class CommunityMoveSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    version = _version()


# --- posts ----------------------------------------------------------------------------------


class CommunityPostSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    name = serializers.CharField(read_only=True)
    duties = serializers.CharField(read_only=True)
    members = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    def get_members(self, post: Post) -> list[dict[str, Any]]:
        return [{"id": h.member_id, "name": h.member.name} for h in post.holders.all()]


class CommunityPostNewSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the branch (change within reach)")
    name = serializers.CharField(max_length=60)
    duties = serializers.CharField(max_length=TEXT_MAX)


class CommunityPostEditSerializer(StrictSerializerMixin):
    name = serializers.CharField(max_length=60)
    duties = serializers.CharField(max_length=TEXT_MAX)
    version = _version()


class CommunityHolderSerializer(StrictSerializerMixin):
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")


class CommunityPostViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A branch's posts (设岗定责) with the members on them."""

    queryset = Post.objects.all()
    serializer_class = CommunityPostSerializer
    pagination_class = IdCursorPagination
    scope_actions = {"partial_update": "view", "assign": "view", "unassign": "view"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization").prefetch_related("holders__member")

    def _detail(self, post: Post, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            CommunityPostSerializer(self.refine_queryset(Post.objects.all()).get(pk=post.pk)).data,
            status=code,
        )

    @extend_schema(request=CommunityPostNewSerializer, responses={201: CommunityPostSerializer})
    def create(self, request: Request) -> Response:
        """Define a post of a branch (its officers or the levels above)."""
        serializer = CommunityPostNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        return self._detail(
            services.create_post(org, data, acting_user=request.user), status.HTTP_201_CREATED
        )

    @extend_schema(request=CommunityPostEditSerializer, responses=CommunityPostSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Rename the post or change its duties."""
        post = self.get_object()
        serializer = CommunityPostEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        return self._detail(
            services.update_post(post, data, expected_version=version, acting_user=request.user)
        )

    @extend_schema(request=CommunityHolderSerializer, responses=CommunityPostSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Put a member of the branch on the post."""
        post = self.get_object()
        serializer = CommunityHolderSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.assign(post, serializer.validated_data["member"], acting_user=request.user)
        return self._detail(post)

    @extend_schema(request=CommunityHolderSerializer, responses=CommunityPostSerializer)
    @action(detail=True, methods=["post"])
    def unassign(self, request: Request, pk: str | None = None) -> Response:
        """Take a member off the post."""
        post = self.get_object()
        serializer = CommunityHolderSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.unassign(post, serializer.validated_data["member"].pk, acting_user=request.user)
        return self._detail(post)


# --- commitments ----------------------------------------------------------------------------


class CommunityCommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    by_member = serializers.BooleanField(read_only=True)
    fulfilment = serializers.ChoiceField(choices=Fulfilment.choices, read_only=True)
    fulfilment_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class CommunityCommitmentNewSerializer(StrictSerializerMixin):
    member = ScopedPrimaryKeyRelatedField(
        model=Member, scope="view", help_text="member id (yourself, or one of your branch)"
    )
    year = serializers.IntegerField(min_value=2000)
    text = serializers.CharField(max_length=TEXT_MAX)


class CommunityCommitmentEditSerializer(StrictSerializerMixin):
    text = serializers.CharField(max_length=TEXT_MAX)
    version = _version()


class CommunityAssessSerializer(StrictSerializerMixin):
    fulfilment = serializers.ChoiceField(choices=Fulfilment.choices, help_text="done, partly or not")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    version = _version()


class CommunityPublishSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the branch (change within reach)")
    year = serializers.IntegerField(min_value=2000)


class CommunityPublishedSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.code")
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class CommitmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Members' public commitments (承诺践诺) and their fulfilment."""

    queryset = Commitment.objects.all()
    serializer_class = CommunityCommitmentSerializer
    pagination_class = IdCursorPagination
    scope_actions = {"partial_update": "view", "assess": "view"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "member")

    def _detail(self, row: Commitment, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            CommunityCommitmentSerializer(self.refine_queryset(Commitment.objects.all()).get(pk=row.pk)).data,
            status=code,
        )

    @extend_schema(request=CommunityCommitmentNewSerializer, responses={201: CommunityCommitmentSerializer})
    def create(self, request: Request) -> Response:
        """Make a commitment: the member themself, or the branch on a member's behalf."""
        serializer = CommunityCommitmentNewSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = services.make_commitment(data["member"], data["year"], data["text"], acting_user=request.user)
        return self._detail(row, status.HTTP_201_CREATED)

    @extend_schema(request=CommunityCommitmentEditSerializer, responses=CommunityCommitmentSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the text (the member, until it is assessed; the branch)."""
        row = self.get_object()
        serializer = CommunityCommitmentEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.edit_commitment(
            row, data["text"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(saved)

    @extend_schema(request=CommunityAssessSerializer, responses=CommunityCommitmentSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str | None = None) -> Response:
        """Record the fulfilment: done, partly (with a note) or not (with a note) — the branch."""
        row = self.get_object()
        serializer = CommunityAssessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.assess(
            row,
            data["fulfilment"],
            data["note"],
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        return self._detail(saved)

    @extend_schema(request=CommunityPublishSerializer, responses=CommunityPublishedSerializer)
    @action(detail=False, methods=["post"])
    def publish(self, request: Request) -> Response:
        """Publish the branch's commitments of a year on its feed."""
        serializer = CommunityPublishSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        release = services.publish(data["organization"], data["year"], acting_user=request.user)
        return Response(CommunityPublishedSerializer(release).data)


# --- registrations and tasks ----------------------------------------------------------------


class CommunityRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    home = serializers.CharField(source="home.code", read_only=True)
    home_name = serializers.CharField(source="home.name", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    residence = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=RegistrationState.choices, read_only=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class CommunityRegistrationNewSerializer(StrictSerializerMixin):
    member = ScopedPrimaryKeyRelatedField(
        model=Member, scope="view", help_text="member id (yourself, or one of your branch)"
    )
    community = serializers.CharField(
        max_length=40,
        help_text="code of a community branch in the member's county (any, though not within reach)",
    )
    residence = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class CommunityTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    registration = serializers.IntegerField(source="registration_id", read_only=True)
    member_name = serializers.CharField(source="registration.member.name", read_only=True)
    title = serializers.CharField(read_only=True)
    on = serializers.DateField(read_only=True)
    hours_expected = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=TaskState.choices, read_only=True)
    hours = serializers.IntegerField(read_only=True, allow_null=True)
    report = serializers.CharField(read_only=True)
    review_note = serializers.CharField(read_only=True, help_text="the community branch's feedback")
    version = serializers.IntegerField(read_only=True)


class CommunityTaskNewSerializer(StrictSerializerMixin):
    title = serializers.CharField(max_length=120)
    on = serializers.DateField()
    hours_expected = serializers.IntegerField(help_text=f"whole hours, 1 to {MAX_HOURS}")


class CommunityReportSerializer(StrictSerializerMixin):
    hours = serializers.IntegerField(help_text=f"whole hours served, 1 to {MAX_HOURS}")
    report = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    version = _version()


REGISTRATION_MOVES = ("accept", "decline", "withdraw", "end")


class RegistrationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Registrations of in-service members with a community branch (在职党员到社区报到): seen by
    the member, and by those who may change the home or the community branch's records."""

    queryset = Registration.objects.all()
    serializer_class = CommunityRegistrationSerializer
    pagination_class = IdCursorPagination
    scope_actions = {name: "view" for name in (*REGISTRATION_MOVES, "tasks")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "home", "community")

    def _detail(self, row: Registration, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Registration.objects.all()).get(pk=row.pk)
        return Response(CommunityRegistrationSerializer(fresh).data, status=code)

    @extend_schema(
        request=CommunityRegistrationNewSerializer, responses={201: CommunityRegistrationSerializer}
    )
    def create(self, request: Request) -> Response:
        """Register with a community branch of the member's county (the member, or their branch)."""
        serializer = CommunityRegistrationNewSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = data["member"]
        community = (
            services.community_branches(member.organization).filter(code=data["community"].strip()).first()
        )
        if community is None:
            raise serializers.ValidationError({"community": [services.no_such_community()]})
        row = services.register(member, community, data["residence"], acting_user=request.user)
        return self._detail(row, status.HTTP_201_CREATED)

    def _move(self, request: Request, name: str) -> Response:
        row = self.get_object()
        serializer = CommunityMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.REGISTRATION_MOVES[name](
            row, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept the registration (the community branch)."""
        return self._move(request, "accept")

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline it, with the reason in `note` (the community branch)."""
        return self._move(request, "decline")

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a request not yet decided (the member)."""
        return self._move(request, "withdraw")

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End an accepted registration, with the reason in `note` (the member or the community branch)."""
        return self._move(request, "end")

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=CommunityTaskSerializer(many=True),
        operation_id="community_registration_tasks_list",
    )
    @extend_schema(
        methods=["POST"],
        request=CommunityTaskNewSerializer,
        responses={201: CommunityTaskSerializer},
        operation_id="community_registration_tasks_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def tasks(self, request: Request, pk: str | None = None) -> Response:
        """GET: the registration's tasks. POST: give it a task (the community branch)."""
        row = self.get_object()
        if request.method == "GET":
            tasks = row.tasks.select_related("registration__member")
            return Response(CommunityTaskSerializer(tasks, many=True).data)
        serializer = CommunityTaskNewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.assign_task(row, dict(serializer.validated_data), acting_user=request.user)
        fresh = ServiceTask.objects.select_related("registration__member").get(pk=task.pk)
        return Response(CommunityTaskSerializer(fresh).data, status=status.HTTP_201_CREATED)


class ServiceTaskViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Service tasks of registrations: reported by the member, confirmed by the community branch."""

    queryset = ServiceTask.objects.all()
    serializer_class = CommunityTaskSerializer
    pagination_class = IdCursorPagination
    scope_actions = {name: "view" for name in ("report", "confirm", "send_back", "cancel")}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("registration__member")

    def _detail(self, task: ServiceTask) -> Response:
        return Response(
            CommunityTaskSerializer(self.refine_queryset(ServiceTask.objects.all()).get(pk=task.pk)).data
        )

    @extend_schema(request=CommunityReportSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Report the task done with the hours served (the member)."""
        task = self.get_object()
        serializer = CommunityReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.report_task(
            task,
            data["hours"],
            data["report"],
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        return self._detail(moved)

    def _move(self, request: Request, name: str) -> Response:
        task = self.get_object()
        serializer = CommunityMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.TASK_MOVES[name](
            task, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(moved)

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the service, with feedback in `note` (the community branch); the hours earn points."""
        return self._move(request, "confirm")

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """Send the report back, saying what is missing in `note` (the community branch)."""
        return self._move(request, "send_back")

    @extend_schema(request=CommunityMoveSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a task not yet reported (the community branch)."""
        return self._move(request, "cancel")


# --- pairings -------------------------------------------------------------------------------


class CommunityVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    on = serializers.DateField(read_only=True)
    note = serializers.CharField(read_only=True)


class CommunityPairingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    head_name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.SerializerMethodField(help_text="masked")
    difficulty = serializers.CharField(read_only=True)
    started_on = serializers.DateField(read_only=True)
    state = serializers.ChoiceField(choices=PairingState.choices, read_only=True)
    ended_on = serializers.DateField(read_only=True)
    end_reason = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    def get_phone(self, row: Pairing) -> str:
        return mask_phone(row.phone)


class CommunityPairingNewSerializer(StrictSerializerMixin):
    organization = OrganizationCodeField(help_text="code of the branch (change within reach)")
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    head_name = serializers.CharField(max_length=60)
    address = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    difficulty = serializers.CharField(max_length=NOTE_MAX)
    started_on = serializers.DateField(required=False)


class CommunityVisitNewSerializer(StrictSerializerMixin):
    on = serializers.DateField()
    note = serializers.CharField(max_length=NOTE_MAX)


class CommunityEndPairingSerializer(StrictSerializerMixin):
    reason = serializers.CharField(max_length=NOTE_MAX)
    on = serializers.DateField(required=False)
    version = _version()


class PairingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Pairings with households in difficulty (结对帮扶): read by the member paired and by those
    who may change the branch's records; the phone masked."""

    queryset = Pairing.objects.all()
    serializer_class = CommunityPairingSerializer
    pagination_class = IdCursorPagination
    scope_actions = {"visits": "view", "end": "view"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization", "member")

    def _detail(self, row: Pairing, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Pairing.objects.all()).get(pk=row.pk)
        return Response(CommunityPairingSerializer(fresh).data, status=code)

    @extend_schema(request=CommunityPairingNewSerializer, responses={201: CommunityPairingSerializer})
    def create(self, request: Request) -> Response:
        """Pair a member of the branch with a household (the branch)."""
        serializer = CommunityPairingNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org, member = data.pop("organization"), data.pop("member")
        row = services.create_pairing(org, member, data, acting_user=request.user)
        return self._detail(row, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=CommunityVisitSerializer(many=True),
        operation_id="community_pairing_visits_list",
    )
    @extend_schema(
        methods=["POST"],
        request=CommunityVisitNewSerializer,
        responses={201: CommunityVisitSerializer},
        operation_id="community_pairing_visits_create",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def visits(self, request: Request, pk: str | None = None) -> Response:
        """GET: the visits. POST: log one (the member paired, or the branch)."""
        row = self.get_object()
        if request.method == "GET":
            return Response(CommunityVisitSerializer(row.visits.all(), many=True).data)
        serializer = CommunityVisitNewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = services.log_visit(row, data["on"], data["note"], acting_user=request.user)
        return Response(CommunityVisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommunityEndPairingSerializer, responses=CommunityPairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the pairing with the reason (the branch)."""
        row = self.get_object()
        serializer = CommunityEndPairingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.end_pairing(
            row,
            data["reason"],
            data.get("on"),
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        return self._detail(saved)
