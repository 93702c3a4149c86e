"""REST API for the organization tree and party groups. Writes go only through `services`."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import PathCursorPagination
from dangjian.core.tree import STEPLEN, subtree_q

from . import services
from .filters import OrganizationFilterSet, PartyGroupFilterSet
from .models import Organization, OrgKind, PartyGroup, Sector, TermState

# --- references to organizations -------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class OrganizationCodeField(serializers.Field):
    """An organization named by its code, found only within the user's reach for `scope`.

    One outside the reach reads exactly like one that does not exist.
    """

    allow_id = False
    default_error_messages = {
        "does_not_exist": _("No such organization."),
        "invalid": _("Give the organization's code."),
    }

    def __init__(self, *, scope: str = "change", **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Organization:
        visible = Organization.objects.restrict(self.context["request"].user, self.scope)
        if self.allow_id and isinstance(data, int) and not isinstance(data, bool):
            org = visible.filter(pk=data).first()
        elif isinstance(data, str) and data.strip():
            org = visible.filter(code=data.strip()).first()
        else:
            self.fail("invalid")
        if org is None:
            self.fail("does_not_exist")
        return org

    def to_representation(self, value: Organization) -> str:
        return value.code


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "organization code, or id as integer"}
)
class OrganizationCodeOrIdField(OrganizationCodeField):
    """A string is a code, an integer an id (codes are digit strings too, so the JSON type decides)."""

    allow_id = True
    default_error_messages = {"invalid": _("Give the organization's code, or its id as a number.")}


# --- serializers -----------------------------------------------------------------------------


class OrganizationSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    depth = serializers.IntegerField(read_only=True)
    parent_code = serializers.SerializerMethodField()
    established_on = serializers.DateField(required=False, allow_null=True)
    term_start = serializers.DateField(required=False, allow_null=True)
    term_due_end = serializers.DateField(required=False, allow_null=True)
    term_state = serializers.SerializerMethodField()
    children_count = serializers.IntegerField(source="numchild", read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version the edit is based on; refused if the record changed since.",
    )

    def get_parent_code(self, org: Organization) -> str | None:
        if hasattr(org, "parent_code_annotated"):  # lists annotate it in one query
            return org.parent_code_annotated
        if org.depth <= 1:
            return None
        return Organization.objects.filter(path=org.path[:-STEPLEN]).values_list("code", flat=True).first()

    @extend_schema_field(serializers.ChoiceField(choices=TermState.choices))
    def get_term_state(self, org: Organization) -> str:
        return str(org.term_state())


class OrganizationCreateSerializer(OrganizationSerializer):
    # (DRF pops declared fields off the class, so `parent` does not clash with Field.parent.)
    parent = OrganizationCodeOrIdField(write_only=True, scope="manage_tree")  # type: ignore[assignment]
    version = None  # type: ignore[assignment]  # a new organization starts at version 1


class MoveSerializer(StrictSerializerMixin):
    parent = OrganizationCodeOrIdField(scope="manage_tree")  # type: ignore[assignment]  # see above


class PartyGroupSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = OrganizationCodeField(help_text="code of the branch")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    name = serializers.CharField(max_length=100)


class PartyGroupRenameSerializer(StrictSerializerMixin):
    name = serializers.CharField(max_length=100)


# --- viewsets --------------------------------------------------------------------------------


def with_parent_code(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate each organization with its parent's code: the parent's path is the child's minus
    one step, looked up on the unique path index (one query for the whole page)."""
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - STEPLEN)
    ).values("code")[:1]
    return queryset.annotate(parent_code_annotated=Subquery(parent))


class OrganizationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Organizations within the user's reach, in tree order."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    pagination_class = PathCursorPagination
    filterset_class = OrganizationFilterSet
    # The tree is configuration (三员分立): the system administrator edits it without `change`.
    write_scope = "manage_tree"

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return with_parent_code(queryset)

    @extend_schema(request=OrganizationCreateSerializer, responses={201: OrganizationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = OrganizationCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent = data.pop("parent")
        org = services.create_organization(parent, data, acting_user=request.user)
        return Response(self.get_serializer(org).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = self.get_object()
        serializer = self.get_serializer(org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        org = services.update_organization(org, data, acting_user=request.user, expected_version=version)
        return Response(self.get_serializer(org).data)

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def children(self, request: Request, pk: str | None = None) -> Response:
        """The organization's direct children within the user's reach (filters apply)."""
        org = self.get_object()
        children = self.narrowed(Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1))
        return Response(self.get_serializer(children, many=True).data)

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def subtree(self, request: Request, pk: str | None = None) -> Response:
        """Every organization below this one, in tree order, a page at a time (filters apply)."""
        org = self.get_object()
        below = self.narrowed(Organization.objects.filter(subtree_q(org.path), path__gt=org.path))
        page = self.paginate_queryset(below)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=MoveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Re-hang the organization (with everything below it) under another parent."""
        org = self.get_object()
        serializer = MoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        org = services.move_organization(org, serializer.validated_data["parent"], acting_user=request.user)
        return Response(self.get_serializer(org).data)


class PartyGroupViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Party groups of the branches within the user's reach."""

    queryset = PartyGroup.objects.all()
    serializer_class = PartyGroupSerializer
    filterset_class = PartyGroupFilterSet

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    @extend_schema(responses={201: PartyGroupSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        group = services.create_party_group(data["organization"], data["name"], acting_user=request.user)
        return Response(self.get_serializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PartyGroupRenameSerializer, responses=PartyGroupSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Rename the party group (the only change a group takes)."""
        group = self.get_object()
        serializer = PartyGroupRenameSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data["name"]
        group = services.rename_party_group(group, name, acting_user=request.user)
        return Response(self.get_serializer(group).data)
