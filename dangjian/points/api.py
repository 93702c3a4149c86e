"""REST API for point rules and entries. Writes go only through `services` / `accrual`.

Rules are readable by anyone who may view the committee (a branch's members may see what earns
points); entries, which list named members' points, need the `change` scope, like the branch's
table. A member reads their own ledger through `/points/mine` and may claim their own entry.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core.filters import YearFilter
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import MeetingKind

from . import services
from .models import CapPeriod, EntryState, PointEntry, PointRule, RuleKind, SourceType
from .queries import source_url


def _org_path(code: str) -> str | None:
    # Unscoped lookup: the queryset is restricted afterwards (see ScopedViewSetMixin.narrowed).
    return Organization.objects.filter(code=code.strip()).values_list("path", flat=True).first()


class RuleFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Committee code (incl. below)"))
    year = YearFilter(field_name="year")
    rule_kind = django_filters.ChoiceFilter(field_name="kind", choices=RuleKind.choices)
    active = django_filters.BooleanFilter(field_name="active")

    class Meta:
        model = PointRule
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        path = _org_path(value)
        return queryset.filter(subtree_q(path, "committee__path")) if path else queryset.none()


class EntryFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(
        method="filter_org", label=gettext_lazy("Organization code (incl. below)")
    )
    member = django_filters.NumberFilter(field_name="member_id")
    year = YearFilter(field_name="occurred_on", lookup_expr="year")
    entry_state = django_filters.ChoiceFilter(field_name="state", choices=EntryState.choices)
    source_type = django_filters.ChoiceFilter(choices=SourceType.choices)

    class Meta:
        model = PointEntry
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        path = _org_path(value)
        return queryset.filter(subtree_q(path, "member__organization__path")) if path else queryset.none()


class PointRuleSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    committee = ScopedPrimaryKeyRelatedField(model=Organization, scope="change", help_text="committee id")
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    # Not `kind`: meetings, lecturers and payments have kinds of their own (schema enum names).
    rule_kind = serializers.ChoiceField(source="kind", choices=RuleKind.choices)
    name = serializers.CharField(max_length=100)
    points = serializers.IntegerField(help_text="per meeting, month, hour or entry; negative takes away")
    meeting_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=MeetingKind.choices),
        required=False,
        default=list,
        help_text="meeting attendance and absence rules: the kinds counted (empty: every kind)",
    )
    cap_points = serializers.IntegerField(required=False, allow_null=True, default=None)
    cap_period = serializers.ChoiceField(
        choices=CapPeriod.choices, required=False, allow_blank=True, default=""
    )
    active = serializers.BooleanField(required=False, default=True)


class PointRuleUpdateSerializer(StrictSerializerMixin):
    name = serializers.CharField(max_length=100, required=False)
    points = serializers.IntegerField(required=False)
    meeting_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=MeetingKind.choices), required=False
    )
    cap_points = serializers.IntegerField(required=False, allow_null=True)
    cap_period = serializers.ChoiceField(choices=CapPeriod.choices, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class PointEntrySerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    rule = serializers.IntegerField(source="rule_id", help_text="a manual or volunteer rule's id")
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    rule_kind = serializers.ChoiceField(source="rule.kind", choices=RuleKind.choices, read_only=True)
    points = serializers.IntegerField(read_only=True, help_text="as counted, after the cap")
    capped = serializers.BooleanField(read_only=True)
    quantity = serializers.IntegerField(required=False, default=1, help_text="hours of volunteer service")
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    source_type = serializers.ChoiceField(choices=SourceType.choices, read_only=True)
    source_id = serializers.IntegerField(read_only=True, allow_null=True)
    source_url = serializers.SerializerMethodField()
    # Not `state`: other resources have states of their own (schema enum names).
    entry_state = serializers.ChoiceField(source="state", choices=EntryState.choices, read_only=True)
    reason = serializers.CharField(max_length=200)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_source_url(self, entry: PointEntry) -> str:
        request = self.context.get("request")
        own = getattr(getattr(request, "user", None), "member_id", None) == entry.member_id
        return source_url(entry, own=own)


class PointReviewSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


def _input(request: Request, serializer_class: type[serializers.Serializer], **ctx: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request, **ctx})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PointRuleViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Point rules of the committees within reach; the nearest committee's set applies below it."""

    queryset = PointRule.objects.all()
    serializer_class = PointRuleSerializer
    filterset_class = RuleFilterSet
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("committee")

    def _detail(self, rule: PointRule, code: int = status.HTTP_200_OK) -> Response:
        fresh = PointRule.objects.select_related("committee").get(pk=rule.pk)
        return Response(PointRuleSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PointRuleSerializer, responses={201: PointRuleSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(request, PointRuleSerializer)
        committee = data.pop("committee")
        return self._detail(services.create_rule(committee, data, acting_user=request.user), 201)

    @extend_schema(request=PointRuleUpdateSerializer, responses=PointRuleSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        data = _input(request, PointRuleUpdateSerializer)
        return self._detail(services.update_rule(rule, data, acting_user=request.user))


class NewestFirst(IdCursorPagination):
    ordering = "-id"


class PointEntryViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Point entries, newest first. POST adds a hand entry (awaiting approval); approve and
    reject decide it (someone other than whoever entered it, and not the member it is for)."""

    queryset = PointEntry.objects.all()
    serializer_class = PointEntrySerializer
    filterset_class = EntryFilterSet
    pagination_class = NewestFirst
    read_scope = "change"  # named members' points: for those who keep the ledger

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "rule", "created_by", "decided_by")

    def _detail(self, entry: PointEntry, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(PointEntry.objects.all()).get(pk=entry.pk)
        return Response(PointEntrySerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _member(self, pk: int) -> Member:
        """The member named in a new entry: one whose records the user keeps, or their own."""
        user = self.request.user
        if getattr(user, "member_id", None) == pk:
            return Member.objects.get(pk=pk)
        member = Member.objects.restrict(user, "change").filter(pk=pk).first()
        if member is None:
            raise serializers.ValidationError({"member": [_("No such member within your reach.")]})
        return member

    @extend_schema(request=PointEntrySerializer, responses={201: PointEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(request, PointEntrySerializer)
        member = self._member(data["member_id"])
        rule = PointRule.objects.filter(pk=data["rule_id"]).first()
        if rule is None:
            raise serializers.ValidationError({"rule": [_("No such rule.")]})
        entry = services.propose_entry(
            member,
            rule,
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            quantity=data["quantity"],
            acting_user=request.user,
        )
        return self._detail(entry, status.HTTP_201_CREATED)

    @extend_schema(request=PointReviewSerializer, responses=PointEntrySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a hand entry: it counts from now on, within its rule's cap."""
        entry = self.get_object()
        data = _input(request, PointReviewSerializer)
        done = services.approve_entry(
            entry, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)

    @extend_schema(request=PointReviewSerializer, responses=PointEntrySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a hand entry, saying why in `note`."""
        entry = self.get_object()
        data = _input(request, PointReviewSerializer)
        done = services.reject_entry(
            entry, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(done)
