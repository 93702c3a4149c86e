"""REST API for members. ID number and phone go out masked; only `reveal` returns a full value,
through the audited service. Writes go only through `services`."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import TreeOrderCursorPagination
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization, PartyGroup

from . import services
from .filters import MemberFilterSet, in_tree_order
from .models import CommitteePost, Education, Gender, Member, MemberCategory, MemberStatus
from .queries import subtree_member_count


class MaskedCharField(serializers.CharField):
    """Takes the full value on input; on output shows only the model's masked form of it."""

    def __init__(self, *, masked_attr: str, **kwargs: Any) -> None:
        self.masked_attr = masked_attr
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> str:
        return str(getattr(instance, self.masked_attr))


class MemberSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, help_text="Taken from the ID number when omitted."
    )
    ethnicity = serializers.CharField(max_length=20, required=False)
    birth_date = serializers.DateField(required=False, help_text="Taken from the ID number when omitted.")
    id_number = MaskedCharField(
        masked_attr="id_number_masked", max_length=32, help_text="Full on input; always masked on output."
    )
    phone = MaskedCharField(
        masked_attr="phone_masked",
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Full on input; always masked on output.",
    )
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=MemberCategory.choices)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)
    join_date = serializers.DateField()
    full_date = serializers.DateField(required=False, allow_null=True)
    job_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    committee_post = serializers.ChoiceField(choices=CommitteePost.choices, required=False, allow_blank=True)
    organization = OrganizationCodeField(help_text="Code of the branch. On update, moves the member.")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    party_group = ScopedPrimaryKeyRelatedField(model=PartyGroup, required=False, allow_null=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version the edit is based on; refused if the record changed since.",
    )


class MemberCreateSerializer(MemberSerializer):
    version = None  # type: ignore[assignment]  # a new member starts at version 1


class RevealRequestSerializer(StrictSerializerMixin):
    field = serializers.ChoiceField(choices=services.PII_FIELDS)


class RevealSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MemberViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Members of the organizations within the user's reach; ID number and phone masked."""

    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    # Finding the member needs only "view"; the service then requires "reveal_pii", so a refused
    # reveal is on the audit record.
    scope_actions = {"reveal": "view"}

    pagination_class = TreeOrderCursorPagination

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return in_tree_order(queryset.select_related("organization"))

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MemberCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        member = services.create_member(organization, data, acting_user=request.user)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        serializer = self.get_serializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        organization = data.pop("organization", None)
        member = services.update_member(
            member, data, acting_user=request.user, organization=organization, expected_version=version
        )
        return Response(self.get_serializer(member).data)

    @extend_schema(request=RevealRequestSerializer, responses=RevealSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number or phone; needs the reveal right on the member, and is audited."""
        member = self.get_object()
        serializer = RevealRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = services.reveal_member_field(member, field, acting_user=request.user)
        # Personal data: keep it out of browser and proxy caches.
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})

    @extend_schema(
        parameters=[OpenApiParameter("org", str, required=True, description="organization code")],
        responses=CountSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def count(self, request: Request) -> Response:
        """Members on the roll in the organization and everything below it."""
        code = request.query_params.get("org", "").strip()
        if not code:
            raise exceptions.ValidationError({"org": [_("This field is required.")]})
        org = Organization.objects.restrict(request.user, "view").filter(code=code).first()
        if org is None:
            raise exceptions.NotFound()
        # A reach always covers whole subtrees, so the subtree of a visible organization is visible.
        return Response({"count": subtree_member_count(org)})
