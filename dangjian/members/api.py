"""REST API for members. ID number and phone go out masked and the birth date as a year or
year-month (the disclosure policy); only `reveal` returns a full value, through the audited
service. The exact search by ID number or phone is a POST with a JSON body (`search`): a query
string would put the value into access logs, so a list request carrying one is refused.
Writes go only through `services`."""

from typing import Any

from django.db.models import QuerySet
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import TreeOrderCursorPagination
from dangjian.core.exceptions import OutOfScope
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization, PartyGroup

from . import services
from .disclosure import Disclosure
from .filters import PERSONAL_PARAMS, MemberFilterSet, in_tree_order, personal_query_params
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
    birth_date = serializers.DateField(
        required=False,
        write_only=True,
        help_text="Input only; taken from the ID number when omitted. On update only together with "
        "`id_number`. Read back as `birth`; the full date only through `reveal`.",
    )
    birth = serializers.SerializerMethodField(
        help_text="Year of birth (`1980`), or year and month (`1980-05`) for users who may reveal "
        "personal data of the member."
    )
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

    def get_birth(self, instance: Member) -> str:
        disclosure = self.context.get("disclosure")
        if disclosure is None:  # a serializer made outside a view: the most restricted form
            disclosure = Disclosure(None)
        return disclosure.birth(instance)


class MemberCreateSerializer(MemberSerializer):
    version = None  # type: ignore[assignment]  # a new member starts at version 1


class RevealRequestSerializer(StrictSerializerMixin):
    field = serializers.ChoiceField(choices=services.PII_FIELDS)


class MemberSearchSerializer(StrictSerializerMixin):
    id_number = serializers.CharField(max_length=24, required=False, help_text="Exact, full ID number.")
    phone = serializers.CharField(max_length=20, required=False, help_text="Exact, full phone number.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        filled = [name for name in ("id_number", "phone") if (attrs.get(name) or "").strip()]
        if len(filled) != 1:
            raise serializers.ValidationError(_("Enter either an ID number or a phone number."))
        return attrs


class RevealSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


# Personal data in request bodies stays out of error reports.
@method_decorator(sensitive_post_parameters(), name="dispatch")
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

    def get_serializer_context(self) -> dict[str, Any]:
        # One look-up of the user's reveal reach for a whole page of members.
        return {**super().get_serializer_context(), "disclosure": Disclosure(self.request.user)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refused = personal_query_params(request.query_params)
        if refused:
            message = _("Search by ID number or phone with POST /api/v1/members/search/, never in the URL.")
            raise exceptions.ValidationError({name: [message] for name in refused})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MemberSearchSerializer, responses=MemberSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def search(self, request: Request) -> Response:
        """Members with exactly this ID number or phone, within the user's reveal reach.

        A hit confirms a full value, so this is a reveal: it needs the reveal right and is
        audited. The response is never stored by caches."""
        serializer = MemberSearchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        field = next(name for name in PERSONAL_PARAMS if (serializer.validated_data.get(name) or "").strip())
        try:
            found = services.search_members(field, serializer.validated_data[field], acting_user=request.user)
        except OutOfScope as exc:
            raise exceptions.PermissionDenied(
                _("Searching by ID number or phone needs the right to see personal data.")
            ) from exc
        data = self.get_serializer(found, many=True).data
        return Response(data, headers={"Cache-Control": "no-store"})

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
        """The full ID number, phone or birth date; needs the reveal right on the member, and is
        audited."""
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
